"""Per-chunk streaming cost: edgen's Stream against a hand-written floor.

Both sides get the same SSE bytes through httpx.MockTransport, one event per
transport chunk as a real server sends them. The floor is what a hand-written
loop does with the same parts: httpx byte iteration, split on blank lines,
strip `data: `, one reused msgspec decoder into plain Structs.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import msgspec
from faker import Faker

import edgen

N_CHUNKS = 2000


class FloorDelta(msgspec.Struct):
    content: str | None = None
    role: str | None = None


class FloorChoice(msgspec.Struct):
    delta: FloorDelta
    index: int
    finish_reason: str | None = None


class FloorChunk(msgspec.Struct):
    id: str
    choices: list[FloorChoice]
    created: int
    model: str
    object: str
    system_fingerprint: str | None = None


def _events() -> list[bytes]:
    fake = Faker()
    Faker.seed(7)
    out = []
    for _ in range(N_CHUNKS):
        chunk = {
            "id": fake.uuid4(),
            "choices": [
                {
                    "delta": {"content": " " + fake.word(), "role": None},
                    "finish_reason": None,
                    "index": 0,
                }
            ],
            "created": 1714998001,
            "model": "main",
            "system_fingerprint": "edgen-0.1.5",
            "object": "text_completion",
        }
        out.append(b"data: " + msgspec.json.encode(chunk) + b"\n\n")
    return out


EVENTS = _events()


class _EventStream(httpx.SyncByteStream):
    def __iter__(self) -> Iterator[bytes]:
        return iter(EVENTS)


def _handler(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=_EventStream())


def _client() -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(_handler))


BODY = {"model": "default", "messages": [{"role": "user", "content": "hi"}], "stream": True}


def test_stream_floor(benchmark, record) -> None:
    http = _client()
    decode = msgspec.json.Decoder(FloorChunk).decode
    payload = msgspec.json.encode(BODY)

    def run() -> int:
        n = 0
        with http.stream(
            "POST", "http://127.0.0.1:33322/v1/chat/completions", content=payload
        ) as r:
            buf = b""
            for part in r.iter_bytes():
                buf += part
                *events, buf = buf.split(b"\n\n")
                for event in events:
                    if event.startswith(b"data: "):
                        data = event[6:]
                        if data == b"[DONE]":
                            return n
                        decode(data)
                        n += 1
        return n

    assert benchmark(run) == N_CHUNKS
    record("stream, per chunk (sync, mock transport)", "floor", per=N_CHUNKS, target=1.3)


def test_stream_edgen(benchmark, record) -> None:
    client = edgen.Edgen(http_client=_client())

    def run() -> int:
        n = 0
        for _chunk in client.chat.completions.create(**BODY):
            n += 1
        return n

    assert benchmark(run) == N_CHUNKS
    record("stream, per chunk (sync, mock transport)", "edgen", per=N_CHUNKS)
