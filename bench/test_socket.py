"""Streams over a real loopback socket, against the emulator in a subprocess.

The emulator (`python -m edgen.testing --port 0`) runs in its own process, so
`time.process_time()` here is the client's CPU alone. Each round is one whole
stream of N_CHUNKS tokens in the Edgen dialect (no [DONE]: the body just ends).
pytest-benchmark reports wall time; the figure is the median client CPU per stream.
The async figures run each stream to completion on one event loop kept for the module; the
aiohttp one (`edgen.DefaultAioHttpClient`, skipped without `edgen[aiohttp]`) is a ratio to
the async floor on httpx's own transport, the cost it replaces.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from typing import Any

import httpx
import msgspec
import pytest
from _common import N_CHUNKS, FloorChunk, openai, skip_without_openai, subprocess_env

import edgen

ROUNDS = 25
FIGURE = f"stream of {N_CHUNKS} chunks, client CPU (sync, loopback socket)"
ASYNC_FIGURE = f"stream of {N_CHUNKS} chunks, client CPU (async, loopback socket)"
AIOHTTP_FIGURE = f"stream of {N_CHUNKS} chunks, client CPU (async, aiohttp transport)"
BODY = {"model": "default", "messages": [{"role": "user", "content": "hi"}], "stream": True}


@pytest.fixture(scope="module")
def server_url():
    proc = subprocess.Popen(
        [sys.executable, "-m", "edgen.testing", "--port", "0", "--tokens", str(N_CHUNKS)],
        stdout=subprocess.PIPE,
        text=True,
        env=subprocess_env(),
    )
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http"), url
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def _cpu_per_stream(benchmark, run) -> float:
    cpu: list[float] = []

    def timed() -> int:
        start = time.process_time()
        n = run()
        cpu.append(time.process_time() - start)
        return n

    assert benchmark.pedantic(timed, rounds=ROUNDS, warmup_rounds=2) == N_CHUNKS
    return statistics.median(cpu[2:] if len(cpu) > ROUNDS else cpu)


def test_socket_floor(benchmark, record_value, server_url) -> None:
    http = httpx.Client(timeout=60)
    decode = msgspec.json.Decoder(FloorChunk).decode
    url = server_url.rstrip("/") + "/chat/completions"
    payload = msgspec.json.encode(BODY)
    headers = {"content-type": "application/json"}

    def run() -> int:
        n = 0
        with http.stream("POST", url, content=payload, headers=headers) as r:
            buf = b""
            for part in r.iter_bytes():
                buf += part
                *events, buf = buf.split(b"\n\n")
                for event in events:
                    if event.startswith(b"data: "):
                        decode(event[6:])
                        n += 1
        return n

    record_value(FIGURE, "floor", _cpu_per_stream(benchmark, run), target=1.2)


def test_socket_edgen(benchmark, record_value, server_url) -> None:
    client = edgen.Edgen(base_url=server_url, timeout=60)

    def run() -> int:
        return sum(1 for _ in client.chat.completions.create(**BODY))

    record_value(FIGURE, "edgen", _cpu_per_stream(benchmark, run))


def test_socket_openai(benchmark, record_value, server_url) -> None:
    skip_without_openai()
    client = openai.OpenAI(api_key="sk-bench", base_url=server_url, timeout=60)

    def run() -> int:
        return sum(1 for _ in client.chat.completions.create(**BODY))

    record_value(FIGURE, "openai", _cpu_per_stream(benchmark, run))


@pytest.fixture(scope="module")
def loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


# The async floor, measured once and shared with the aiohttp figure: both are ratios to it.
ASYNC_FLOOR: list[float] = []


def _async_floor_run(http: httpx.AsyncClient, server_url: str):
    decode = msgspec.json.Decoder(FloorChunk).decode
    url = server_url.rstrip("/") + "/chat/completions"
    payload = msgspec.json.encode(BODY)
    headers = {"content-type": "application/json"}

    async def run() -> int:
        n = 0
        async with http.stream("POST", url, content=payload, headers=headers) as r:
            buf = b""
            async for part in r.aiter_bytes():
                buf += part
                *events, buf = buf.split(b"\n\n")
                for event in events:
                    if event.startswith(b"data: "):
                        decode(event[6:])
                        n += 1
        return n

    return run


def test_socket_async_floor(benchmark, record_value, server_url, loop) -> None:
    http = httpx.AsyncClient(timeout=60)
    run = _async_floor_run(http, server_url)
    cpu = _cpu_per_stream(benchmark, lambda: loop.run_until_complete(run()))
    ASYNC_FLOOR.append(cpu)
    record_value(ASYNC_FIGURE, "floor", cpu, target=1.2)
    loop.run_until_complete(http.aclose())


# CPU per stream of an AsyncEdgen or AsyncOpenAI client reading BODY's stream; closes it.
def _async_client_cpu(benchmark, loop, client: Any) -> float:
    async def run() -> int:
        return sum([1 async for _ in await client.chat.completions.create(**BODY)])

    cpu = _cpu_per_stream(benchmark, lambda: loop.run_until_complete(run()))
    loop.run_until_complete(client.close())
    return cpu


def test_socket_async_edgen(benchmark, record_value, server_url, loop) -> None:
    client = edgen.AsyncEdgen(base_url=server_url, timeout=60)
    record_value(ASYNC_FIGURE, "edgen", _async_client_cpu(benchmark, loop, client))


def test_socket_async_openai(benchmark, record_value, server_url, loop) -> None:
    skip_without_openai()
    client = openai.AsyncOpenAI(api_key="sk-bench", base_url=server_url, timeout=60)
    record_value(ASYNC_FIGURE, "openai", _async_client_cpu(benchmark, loop, client))


def test_socket_async_edgen_on_aiohttp(benchmark, record_value, server_url, loop) -> None:
    pytest.importorskip("httpx_aiohttp", reason='needs pip install "edgen[aiohttp]"')
    http = edgen.DefaultAioHttpClient(timeout=60)
    client = edgen.AsyncEdgen(base_url=server_url, http_client=http)
    cpu = _async_client_cpu(benchmark, loop, client)
    if ASYNC_FLOOR:
        record_value(AIOHTTP_FIGURE, "floor", ASYNC_FLOOR[-1], target=0.35)
    record_value(AIOHTTP_FIGURE, "edgen", cpu, note="floor: the async floor, on httpx's transport")
    loop.run_until_complete(http.aclose())
