"""Streams against a server that lies, stays silent, floods or stops early, over a real socket
on 127.0.0.1 (tests/rawserver.py): every case ends in a typed error or a complete answer,
never in a shorter answer that looks whole, and every connection is given back."""

from __future__ import annotations

import asyncio
import gc
import json
import re
from collections.abc import Iterator

import httpx
import pytest
from rawserver import Conn, RawServer, Request, serve_each

import edgen
from edgen import AsyncEdgen, Edgen

MESSAGES = [{"role": "user", "content": "hi"}]


def chunk(content: str | None, finish_reason: str | None = None, role: str | None = None) -> bytes:
    delta = {} if content is None else {"content": content}
    if role:
        delta["role"] = role
    body = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }
    return b"data: " + json.dumps(body).encode() + b"\n\n"


def answer_with(status: int, body: bytes, content_type: str | None) -> RawServer:
    def answer(conn: Conn, request: Request) -> None:
        conn.respond(status, body, content_type=content_type)

    return RawServer(serve_each(answer))


def start(client: Edgen, **kw: object) -> edgen.Stream[object]:
    return client.chat.completions.create(model="m", messages=MESSAGES, stream=True, **kw)  # type: ignore[call-overload,no-any-return]


# -- a 2xx that is not an event stream ----------------------------------------------------------

NOT_STREAMS = [
    pytest.param(
        "text/html; charset=utf-8",
        b"<html><body>Please log in to the proxy</body></html>",
        "content type 'text/html; charset=utf-8' and a body starting '<html><body>Please log in",
        id="proxy-login-page",
    ),
    pytest.param(
        "text/plain",
        b"upstream says hello",
        "'text/plain' and a body starting 'upstream says",
        id="text-plain",
    ),
    pytest.param(None, b"", "no content type and an empty body", id="empty-no-type"),
    pytest.param(
        "application/octet-stream",
        b"data: not really\n\n",
        "'application/octet-stream' and a body starting 'data: not really",
        id="sse-bytes-under-another-type",
    ),
]


@pytest.mark.parametrize(("content_type", "body", "said"), NOT_STREAMS)
def test_a_2xx_that_is_not_an_event_stream_is_an_error(
    content_type: str | None, body: bytes, said: str
) -> None:
    with answer_with(200, body, content_type) as server:
        client = Edgen(base_url=server.url, max_retries=0)
        stream = start(client)
        with pytest.raises(edgen.APIResponseValidationError) as info:
            list(stream)
        assert "Expected an event stream (text/event-stream)" in info.value.message
        assert said in info.value.message
        assert info.value.status_code == 200
        assert stream.response.is_closed
        client.close()


@pytest.mark.anyio
@pytest.mark.parametrize(("content_type", "body", "said"), NOT_STREAMS)
async def test_async_a_2xx_that_is_not_an_event_stream_is_an_error(
    content_type: str | None, body: bytes, said: str, async_edgen
) -> None:
    with answer_with(200, body, content_type) as server:
        async with async_edgen(base_url=server.url, max_retries=0) as client:
            stream = await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
            with pytest.raises(edgen.APIResponseValidationError, match=re.escape(said)):
                async for _ in stream:
                    pass
            assert stream.response.is_closed


def test_a_huge_non_stream_body_is_only_peeked_at() -> None:
    # A proxy that answers with a never-ending page: the error comes after the first 64 KiB.
    def flood(conn: Conn) -> None:
        conn.read_request()
        conn.start_chunked(content_type="text/html")
        for _ in range(10_000):  # 640 MB if nobody stopped reading
            conn.chunk(b"<p>" + b"x" * 65536 + b"</p>")

    with RawServer(flood) as server:
        client = Edgen(base_url=server.url, max_retries=0)
        with pytest.raises(edgen.APIResponseValidationError, match="text/html"):
            list(start(client))
        client.close()


def test_a_json_error_with_status_200_is_the_servers_message() -> None:
    body = json.dumps({"error": {"message": "model is loading", "type": "server"}}).encode()
    with answer_with(200, body, "application/json") as server:
        client = Edgen(base_url=server.url, max_retries=0)
        with pytest.raises(edgen.APIError, match="model is loading") as info:
            list(start(client))
        assert info.value.body == json.loads(body)
        client.close()


# -- a stream that says nothing, or stops early -------------------------------------------------


def empty_event_stream(conn: Conn) -> None:
    # What llama.cpp does for a prompt longer than its context: 200, an empty body, close.
    conn.read_request()
    conn.start_chunked()
    conn.chunk(b"")


def test_an_empty_event_stream_is_an_error() -> None:
    with RawServer(empty_event_stream) as server:
        client = Edgen(base_url=server.url, max_retries=0)
        stream = start(client)
        with pytest.raises(edgen.APIResponseValidationError, match="without a single chunk"):
            list(stream)
        assert stream.response.is_closed
        client.close()


@pytest.mark.anyio
async def test_async_an_empty_event_stream_is_an_error(async_edgen) -> None:
    with RawServer(empty_event_stream) as server:
        async with async_edgen(base_url=server.url, max_retries=0) as client:
            stream = await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
            with pytest.raises(edgen.APIResponseValidationError, match="without a single"):
                async for _ in stream:
                    pass


def sse_server(*events: bytes) -> RawServer:
    def answer(conn: Conn, request: Request) -> None:
        conn.start_chunked()
        for event in events:
            conn.chunk(event)
        conn.chunk(b"")

    return RawServer(serve_each(answer))


CUT_SHORT = (chunk("", role="assistant"), chunk("Once"), chunk(" upon"), b"data: [DONE]\n\n")
WHOLE = (*CUT_SHORT[:-1], chunk(None, finish_reason="stop"), b"data: [DONE]\n\n")


def test_stream_helper_refuses_a_stream_cut_short_and_keeps_what_came() -> None:
    # llama.cpp's interrupt: [DONE] arrives, but no chunk ever carried a finish_reason.
    with sse_server(*CUT_SHORT) as server:
        client = Edgen(base_url=server.url, max_retries=0)
        with client.chat.completions.stream(model="m", messages=MESSAGES) as stream:
            seen = [e.chunk.choices[0].delta.content for e in stream if e.type == "chunk"]
            with pytest.raises(edgen.IncompleteStreamError) as info:
                stream.get_final_completion()
            with pytest.raises(edgen.IncompleteStreamError):
                stream.get_final_text()
        assert seen == ["", "Once", " upon"]
        assert isinstance(info.value, edgen.APIResponseValidationError)
        assert "before a finish_reason" in info.value.message
        partial = info.value.completion
        assert partial.choices[0].message.content == "Once upon"
        assert partial.choices[0].finish_reason is None
        # A plain create() loop sees the same chunks; none has a finish_reason.
        chunks = list(start(client))
        assert not any(c.choices[0].finish_reason for c in chunks)
        client.close()


@pytest.mark.anyio
async def test_async_stream_helper_refuses_a_stream_cut_short(async_edgen) -> None:
    with sse_server(*CUT_SHORT) as server:
        async with (
            async_edgen(base_url=server.url, max_retries=0) as client,
            client.chat.completions.stream(model="m", messages=MESSAGES) as stream,
        ):
            with pytest.raises(edgen.IncompleteStreamError) as info:
                await stream.get_final_completion()
            assert info.value.completion.choices[0].message.content == "Once upon"


def test_stream_helper_accepts_a_whole_stream() -> None:
    with sse_server(*WHOLE) as server:
        client = Edgen(base_url=server.url, max_retries=0)
        with client.chat.completions.stream(model="m", messages=MESSAGES) as stream:
            completion = stream.get_final_completion()
        assert completion.choices[0].message.content == "Once upon"
        assert completion.choices[0].finish_reason == "stop"
        client.close()


# -- a byte order mark ----------------------------------------------------------------------


def assert_whole_answer(server: RawServer) -> None:
    """Both ways of reading a stream get every chunk of WHOLE from `server`."""
    with server, Edgen(base_url=server.url, max_retries=0) as client:
        assert [c.choices[0].delta.content for c in start(client)] == WHOLE_CONTENTS
        with client.chat.completions.stream(model="m", messages=MESSAGES) as stream:
            assert stream.get_final_text() == "Once upon"


# A gateway that writes UTF-8 with a byte order mark (.NET's default encoder does) puts it
# before the first event. Here it even comes in a chunk of its own.
BOM = "\ufeff".encode()
WHOLE_CONTENTS = ["", "Once", " upon", None]


def test_a_stream_opened_by_a_byte_order_mark_loses_no_chunk() -> None:
    assert_whole_answer(sse_server(BOM, *WHOLE))


@pytest.mark.anyio
async def test_async_a_stream_opened_by_a_byte_order_mark_loses_no_chunk(async_edgen) -> None:
    with sse_server(BOM, *WHOLE) as server:
        async with async_edgen(base_url=server.url, max_retries=0) as client:
            stream = await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
            assert [c.choices[0].delta.content async for c in stream] == WHOLE_CONTENTS


def test_a_json_answer_or_error_after_a_byte_order_mark_is_read() -> None:
    completion = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "m",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Hello"},
                "finish_reason": "stop",
            }
        ],
    }
    answers = iter(
        [
            (200, BOM + json.dumps(completion).encode()),
            (400, BOM + b'{"error": {"message": "the prompt is too long"}}'),
        ]
    )

    def answer(conn: Conn, request: Request) -> None:
        status, body = next(answers)
        conn.respond(status, body)

    with RawServer(serve_each(answer)) as server:
        client = Edgen(base_url=server.url, max_retries=0)
        reply = client.chat.completions.create(model="m", messages=MESSAGES)
        assert reply.choices[0].message.content == "Hello"
        with pytest.raises(edgen.BadRequestError, match="the prompt is too long") as info:
            client.chat.completions.create(model="m", messages=MESSAGES)
        assert info.value.body == {"error": {"message": "the prompt is too long"}}
        client.close()


# -- what real servers put between the chunks ------------------------------------------------

# llama.cpp's server reports a failure mid-stream as a line `error: {...}` (no SSE field),
# then ends the stream with `data: [DONE]` as if the answer were whole.
LLAMA_CPP_ERROR = (
    b'error: {"code":500,"message":"llama_decode failed: out of memory","type":"server_error"}\n\n'
)


def test_a_llama_cpp_error_line_mid_stream_raises_after_the_chunks_before_it() -> None:
    with sse_server(*CUT_SHORT[:-1], LLAMA_CPP_ERROR, b"data: [DONE]\n\n") as server:
        client = Edgen(base_url=server.url, max_retries=0)
        seen = []
        with pytest.raises(edgen.APIError, match="llama_decode failed: out of memory") as info:
            for c in start(client):
                seen.append(c.choices[0].delta.content)
        assert seen == ["", "Once", " upon"]
        assert info.value.body == {
            "code": 500,
            "message": "llama_decode failed: out of memory",
            "type": "server_error",
        }
        with (
            client.chat.completions.stream(model="m", messages=MESSAGES) as stream,
            pytest.raises(edgen.APIError, match="out of memory"),
        ):
            stream.get_final_completion()
        client.close()


@pytest.mark.anyio
async def test_async_a_llama_cpp_error_line_before_any_chunk_is_the_servers_message(
    async_edgen,
) -> None:
    too_long = (
        b'error: {"code":400,"message":"the request exceeds the available context size",'
        b'"type":"exceed_context_size_error"}\n\n'
    )
    with sse_server(too_long, b"data: [DONE]\n\n") as server:
        async with async_edgen(base_url=server.url, max_retries=0) as client:
            stream = await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
            with pytest.raises(edgen.APIError, match="exceeds the available context size"):
                async for _ in stream:
                    pass


# Some vLLM releases sent a failure mid-stream in this shape, without an "error" key.
def test_a_vllm_error_object_mid_stream_is_the_servers_message() -> None:
    vllm_error = (
        b'data: {"object":"error","message":"prompt too long","type":"BadRequestError",'
        b'"param":null,"code":400}\n\n'
    )
    with sse_server(CUT_SHORT[0], vllm_error) as server:
        client = Edgen(base_url=server.url, max_retries=0)
        stream = start(client)
        assert next(stream).choices[0].delta.content == ""
        with pytest.raises(edgen.APIError, match="prompt too long") as info:
            next(stream)
        assert not isinstance(info.value, edgen.APIResponseValidationError)
        client.close()


# A gateway's keep-alive as a named event: SSE gives a listener only the events of its type,
# and chunks are `message` events (the type of an event that names none).
PING_AND_NAMED = (
    b'event: ping\ndata: {"type": "ping"}\n\n',
    CUT_SHORT[0],
    b"event: ping\ndata: ping\n\n",
    b"event: message\n" + CUT_SHORT[1],
    b'event: metrics\nid: 7\ndata: {"tokens_per_second": 31.5}\n\n' + CUT_SHORT[2],
    *WHOLE[3:],
)


def test_events_of_another_type_are_skipped_and_no_chunk_is_lost() -> None:
    assert_whole_answer(sse_server(*PING_AND_NAMED))


@pytest.mark.anyio
async def test_async_events_of_another_type_are_skipped_and_no_chunk_is_lost(
    async_edgen,
) -> None:
    with sse_server(*PING_AND_NAMED) as server:
        async with async_edgen(base_url=server.url, max_retries=0) as client:
            stream = await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
            assert [c.choices[0].delta.content async for c in stream] == WHOLE_CONTENTS


@pytest.mark.parametrize("done", [b"data: [DONE] \n\n", b"data:  [DONE]\r\n\r\n"])
def test_done_with_spaces_around_it_ends_the_stream(done: bytes) -> None:
    with sse_server(*WHOLE[:-1], done) as server:
        client = Edgen(base_url=server.url, max_retries=0)
        assert [c.choices[0].delta.content for c in start(client)] == WHOLE_CONTENTS
        client.close()


# -- giant events ---------------------------------------------------------------------------


def endless_line(conn: Conn) -> None:
    """`data: xxxx…` without a line end, until the client goes away (at most 200 MB)."""
    conn.read_request()
    conn.start_chunked()
    conn.chunk(b"data: ")
    for _ in range(3200):
        conn.chunk(b"x" * 65536)


def endless_event(conn: Conn) -> None:
    """`data:` lines without the blank line that would end the event (at most 200 MB)."""
    conn.read_request()
    conn.start_chunked()
    line = b"data: " + b"y" * 1000 + b"\n"
    for _ in range(3200):
        conn.chunk(line * 64)


@pytest.mark.parametrize("script", [endless_line, endless_event])
def test_an_event_over_max_event_size_is_an_error(script) -> None:
    with RawServer(script) as server:
        client = Edgen(base_url=server.url, max_retries=0, max_event_size=1024 * 1024)
        stream = start(client)
        with pytest.raises(edgen.APIResponseValidationError, match="max_event_size") as info:
            list(stream)
        assert "1048576" in info.value.message
        assert stream.response.is_closed
        client.close()


def test_the_default_event_limit_is_16_mib() -> None:
    with RawServer(endless_line) as server:
        client = Edgen(base_url=server.url, max_retries=0)
        assert client.max_event_size == 16 * 1024 * 1024
        with pytest.raises(edgen.APIResponseValidationError, match="16777216"):
            list(start(client))
        client.close()


@pytest.mark.anyio
async def test_async_an_event_over_max_event_size_is_an_error(async_edgen) -> None:
    with RawServer(endless_event) as server:
        async with async_edgen(base_url=server.url, max_retries=0) as client:
            small = client.with_options(max_event_size=100_000)
            stream = await small.chat.completions.create(model="m", messages=MESSAGES, stream=True)
            with pytest.raises(edgen.APIResponseValidationError, match="100000"):
                async for _ in stream:
                    pass


def test_a_large_event_under_the_limit_arrives_whole() -> None:
    text = "z" * (3 * 1024 * 1024)
    with sse_server(chunk(text)) as server:
        client = Edgen(base_url=server.url, max_retries=0, max_event_size=4 * 1024 * 1024)
        assert [c.choices[0].delta.content for c in start(client)] == [text]
        client.close()


@pytest.mark.parametrize("bad", [0, -1, 1.5, "16M", True])
def test_max_event_size_is_checked(bad: object) -> None:
    with pytest.raises((TypeError, ValueError), match="max_event_size"):
        Edgen(max_event_size=bad)  # type: ignore[arg-type]


# -- a stream dropped after a partial read ---------------------------------------------------


def slow_stream(conn: Conn, request: Request) -> None:
    """Two chunks, then silence until the client hangs up (or 30 s)."""
    conn.start_chunked()
    conn.chunk(chunk("one"))
    conn.chunk(chunk("two"))
    conn.wait_closed()


@pytest.fixture
def one_connection() -> Iterator[tuple[RawServer, httpx.Client]]:
    limits = httpx.Limits(max_connections=1)
    with (
        RawServer(serve_each(slow_stream)) as server,
        httpx.Client(limits=limits, timeout=httpx.Timeout(10.0, pool=0.5)) as http,
    ):
        yield server, http


def test_a_dropped_half_read_stream_gives_its_connection_back(one_connection) -> None:
    server, http = one_connection
    client = Edgen(base_url=server.url, max_retries=0, http_client=http)
    gc.disable()  # released by reference counting, not by a later garbage collection
    try:
        for _ in range(3):
            stream = start(client)
            assert next(stream).choices[0].delta.content == "one"
            del stream  # the last reference: the one pooled connection must come back now
        assert next(start(client)).choices[0].delta.content == "one"
    finally:
        gc.enable()


def test_a_dropped_stream_never_iterated_gives_its_connection_back(one_connection) -> None:
    server, http = one_connection
    client = Edgen(base_url=server.url, max_retries=0, http_client=http)
    gc.disable()
    try:
        for _ in range(3):
            stream = start(client)
            del stream
        # A stream in a for loop is dropped by the loop's caller at once, but the loop's
        # generator still owns the connection: every chunk arrives.
        got = []
        for item in start(client):
            got.append(item.choices[0].delta.content)  # type: ignore[attr-defined]
            if len(got) == 2:
                break
        assert got == ["one", "two"]
        assert next(start(client)).choices[0].delta.content == "one"
    finally:
        gc.enable()


@pytest.mark.slow
def test_pool_exhaustion_says_so(one_connection) -> None:
    server, http = one_connection
    client = Edgen(base_url=server.url, max_retries=0, http_client=http)
    held = start(client)
    next(held)
    with pytest.raises(edgen.APITimeoutError, match="no free connection in the pool"):
        start(client)
    held.close()


@pytest.mark.anyio
async def test_async_a_dropped_half_read_stream_gives_its_connection_back(async_http) -> None:
    limits = httpx.Limits(max_connections=1)
    with RawServer(serve_each(slow_stream)) as server:
        http = async_http(limits=limits, timeout=httpx.Timeout(10.0, pool=0.5))
        client = AsyncEdgen(base_url=server.url, max_retries=0, http_client=http)
        gc.disable()
        try:
            for _ in range(3):
                stream = await client.chat.completions.create(
                    model="m", messages=MESSAGES, stream=True
                )
                assert (await stream.__anext__()).choices[0].delta.content == "one"
                del stream
                for _ in range(5):  # the event loop finalises the dropped generator
                    await asyncio.sleep(0)
            stream = await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
            await stream.close()
        finally:
            gc.enable()
            await http.aclose()


# -- read errors carry a message ---------------------------------------------------------------


def reset_mid_stream(conn: Conn) -> None:
    conn.read_request()
    conn.start_chunked()
    conn.chunk(chunk("one"))
    conn.reset()


@pytest.mark.anyio
async def test_async_a_reset_mid_stream_says_what_happened(async_edgen) -> None:
    with RawServer(reset_mid_stream) as server:
        async with async_edgen(base_url=server.url, max_retries=0) as client:
            stream = await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
            with pytest.raises(edgen.APIConnectionError) as info:
                async for _ in stream:
                    pass
    assert not isinstance(info.value, edgen.APITimeoutError)
    message = info.value.message
    assert message.startswith("Connection error while reading the stream: ")
    assert message.removeprefix("Connection error while reading the stream: ").strip()


def test_a_reset_mid_stream_says_what_happened() -> None:
    with RawServer(reset_mid_stream) as server:
        client = Edgen(base_url=server.url, max_retries=0)
        with pytest.raises(edgen.APIConnectionError) as info:
            list(start(client))
        client.close()
    assert info.value.message.removeprefix("Connection error while reading the stream: ").strip()
