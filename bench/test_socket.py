"""Streams over a real loopback socket, against the emulator in a subprocess.

The emulator (`python -m edgen.testing --port 0`) runs in its own process, so
`time.process_time()` here is the client's CPU alone. Each round is one whole
stream of N_CHUNKS tokens in the Edgen dialect (no [DONE]: the body just ends).
pytest-benchmark reports wall time; the figure is the median client CPU per stream.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

import httpx
import msgspec
import pytest
from _common import N_CHUNKS, FloorChunk, openai, skip_without_openai, subprocess_env

import edgen

ROUNDS = 25
FIGURE = f"stream of {N_CHUNKS} chunks, client CPU (sync, loopback socket)"
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
