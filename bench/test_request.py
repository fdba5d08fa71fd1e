"""Per-request overhead: a tiny `create()` with 10 messages through httpx.MockTransport.

The floor is `httpx.Client.post` with a msgspec-encoded body, then one reused
decoder on the answer: what a hand-written call costs with the same parts.
"""

from __future__ import annotations

import asyncio

import httpx
import msgspec
from _common import (
    OA_HTTPX,
    URL,
    FloorCompletion,
    json_transport,
    openai_client,
    skip_without_openai,
    small_completion,
    ten_messages,
)

import edgen

ANSWER = small_completion()
ARGS = {"model": "default", "messages": ten_messages(), "temperature": 0.7, "max_tokens": 64}
SYNC = "tiny create(), 10 messages (sync, mock transport)"
ASYNC = "tiny create(), 10 messages (async, mock transport)"
HEADERS = {"content-type": "application/json"}


def test_request_floor(benchmark, record) -> None:
    http = httpx.Client(transport=json_transport(httpx, ANSWER))
    decode = msgspec.json.Decoder(FloorCompletion).decode

    def run():
        return decode(http.post(URL, content=msgspec.json.encode(ARGS), headers=HEADERS).content)

    assert benchmark(run).choices[0].message.content == "This is a test."
    record(SYNC, "floor", target=1.5)


def test_request_edgen(benchmark, record) -> None:
    client = edgen.Edgen(http_client=httpx.Client(transport=json_transport(httpx, ANSWER)))
    result = benchmark(lambda: client.chat.completions.create(**ARGS))
    assert result.choices[0].message.content == "This is a test."
    record(SYNC, "edgen")


def test_request_openai(benchmark, record) -> None:
    skip_without_openai()
    client = openai_client(json_transport(OA_HTTPX, ANSWER))
    result = benchmark.pedantic(lambda: client.chat.completions.create(**ARGS), rounds=200)
    assert result.choices[0].message.content == "This is a test."
    record(SYNC, "openai")


def _on_loop(benchmark, make_coro, **pedantic):
    loop = asyncio.new_event_loop()
    try:
        run = lambda: loop.run_until_complete(make_coro())  # noqa: E731
        return benchmark.pedantic(run, **pedantic) if pedantic else benchmark(run)
    finally:
        loop.close()


def test_arequest_floor(benchmark, record) -> None:
    http = httpx.AsyncClient(transport=json_transport(httpx, ANSWER))
    decode = msgspec.json.Decoder(FloorCompletion).decode

    async def run():
        r = await http.post(URL, content=msgspec.json.encode(ARGS), headers=HEADERS)
        return decode(r.content)

    assert _on_loop(benchmark, run).choices[0].message.content == "This is a test."
    record(ASYNC, "floor", target=1.5)


def test_arequest_edgen(benchmark, record) -> None:
    http = httpx.AsyncClient(transport=json_transport(httpx, ANSWER))
    client = edgen.AsyncEdgen(http_client=http)
    result = _on_loop(benchmark, lambda: client.chat.completions.create(**ARGS))
    assert result.choices[0].message.content == "This is a test."
    record(ASYNC, "edgen")


def test_arequest_openai(benchmark, record) -> None:
    skip_without_openai()
    client = openai_client(json_transport(OA_HTTPX, ANSWER), is_async=True)
    result = _on_loop(
        benchmark, lambda: client.chat.completions.create(**ARGS), rounds=200, warmup_rounds=5
    )
    assert result.choices[0].message.content == "This is a test."
    record(ASYNC, "openai")
