"""Per-chunk streaming cost through httpx.MockTransport, sync and async.

Every client reads the same SSE bytes, one event per transport chunk as a real
server sends them. The floor is what a hand-written loop does with the same
parts: httpx byte iteration, split on blank lines, strip `data: `, stop at
[DONE], one reused msgspec decoder into plain Structs.
"""

from __future__ import annotations

import asyncio

import httpx
import msgspec
from _common import (
    N_CHUNKS,
    OA_HTTPX,
    URL,
    FloorChunk,
    openai_client,
    skip_without_openai,
    sse_transport,
    stream_events,
)

import edgen

EVENTS = stream_events()
BODY = {"model": "default", "messages": [{"role": "user", "content": "hi"}], "stream": True}
PAYLOAD = msgspec.json.encode(BODY)
SYNC = "stream, per chunk (sync, mock transport)"
ASYNC = "stream, per chunk (async, mock transport)"


def floor_stream(http: httpx.Client) -> int:
    decode = msgspec.json.Decoder(FloorChunk).decode
    n = 0
    with http.stream("POST", URL, content=PAYLOAD) as r:
        buf = b""
        chunks = r.iter_bytes()
        for part in chunks:
            buf += part
            *events, buf = buf.split(b"\n\n")
            for event in events:
                if event.startswith(b"data: "):
                    data = event[6:]
                    if data == b"[DONE]":
                        for _ in chunks:  # read the end, as a client must
                            pass
                        return n
                    decode(data)
                    n += 1
    return n


async def afloor_stream(http: httpx.AsyncClient) -> int:
    decode = msgspec.json.Decoder(FloorChunk).decode
    n = 0
    async with http.stream("POST", URL, content=PAYLOAD) as r:
        buf = b""
        chunks = r.aiter_bytes()
        async for part in chunks:
            buf += part
            *events, buf = buf.split(b"\n\n")
            for event in events:
                if event.startswith(b"data: "):
                    data = event[6:]
                    if data == b"[DONE]":
                        async for _ in chunks:
                            pass
                        return n
                    decode(data)
                    n += 1
    return n


def test_stream_floor(benchmark, record) -> None:
    http = httpx.Client(transport=sse_transport(httpx, EVENTS))
    assert benchmark(floor_stream, http) == N_CHUNKS
    record(SYNC, "floor", per=N_CHUNKS, target=1.3)


def test_stream_edgen(benchmark, record) -> None:
    client = edgen.Edgen(http_client=httpx.Client(transport=sse_transport(httpx, EVENTS)))

    def run() -> int:
        n = 0
        for _chunk in client.chat.completions.create(**BODY):
            n += 1
        return n

    assert benchmark(run) == N_CHUNKS
    record(SYNC, "edgen", per=N_CHUNKS)


def test_stream_openai(benchmark, record) -> None:
    skip_without_openai()
    client = openai_client(sse_transport(OA_HTTPX, EVENTS))

    def run() -> int:
        n = 0
        for _chunk in client.chat.completions.create(**BODY):
            n += 1
        return n

    assert benchmark.pedantic(run, rounds=5, warmup_rounds=1) == N_CHUNKS
    record(SYNC, "openai", per=N_CHUNKS)


def _on_loop(benchmark, make_coro, **pedantic):
    loop = asyncio.new_event_loop()
    try:
        run = lambda: loop.run_until_complete(make_coro())  # noqa: E731
        if pedantic:
            return benchmark.pedantic(run, **pedantic)
        return benchmark(run)
    finally:
        loop.close()


def test_astream_floor(benchmark, record) -> None:
    http = httpx.AsyncClient(transport=sse_transport(httpx, EVENTS, is_async=True))
    assert _on_loop(benchmark, lambda: afloor_stream(http)) == N_CHUNKS
    record(ASYNC, "floor", per=N_CHUNKS, target=1.3)


def test_astream_edgen(benchmark, record) -> None:
    http = httpx.AsyncClient(transport=sse_transport(httpx, EVENTS, is_async=True))
    client = edgen.AsyncEdgen(http_client=http)

    async def run() -> int:
        n = 0
        async for _chunk in await client.chat.completions.create(**BODY):
            n += 1
        return n

    assert _on_loop(benchmark, run) == N_CHUNKS
    record(ASYNC, "edgen", per=N_CHUNKS)


def test_astream_openai(benchmark, record) -> None:
    skip_without_openai()
    client = openai_client(sse_transport(OA_HTTPX, EVENTS, is_async=True), is_async=True)

    async def run() -> int:
        n = 0
        async for _chunk in await client.chat.completions.create(**BODY):
            n += 1
        return n

    assert _on_loop(benchmark, run, rounds=5, warmup_rounds=1) == N_CHUNKS
    record(ASYNC, "openai", per=N_CHUNKS)
