"""Streaming chat completions over mocked HTTP: both wire dialects, iteration and closing."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import msgspec
import pytest
import respx
from conftest import BASE_URL, SSE_HEADERS, edgen_chunk, openai_chunk, sse_body
from faker import Faker

import edgen
from edgen import AsyncEdgen, AsyncStream, Edgen, Stream
from edgen.types.chat import ChatCompletionChunk

fake = Faker()
Faker.seed(31337)

MESSAGES = [{"role": "user", "content": "Say this is a test"}]


@pytest.fixture
def client() -> Iterator[Edgen]:
    with Edgen(max_retries=0) as c:
        yield c


def fragments(n: int = 5) -> list[str]:
    """Faker text fragments, llama-style (leading spaces), with non-ASCII mixed in."""
    words = [fake.word() for _ in range(n)]
    words[n // 2] += " ünïcödé 🚀"
    return [words[0], *(" " + w for w in words[1:])]


def edgen_stream(parts: list[str]) -> tuple[bytes, list[str]]:
    ids = [fake.uuid4() for _ in parts]
    return sse_body(*(edgen_chunk(p, chunk_id=i) for p, i in zip(parts, ids))), ids


def openai_stream(parts: list[str], *, usage: bool = False, finish: str = "stop") -> bytes:
    payloads = [openai_chunk({"role": "assistant"})]
    payloads += [openai_chunk({"content": p}) for p in parts]
    payloads.append(openai_chunk({}, finish_reason=finish))
    if usage:
        payloads.append(
            openai_chunk(
                {},
                choices=[],
                usage={
                    "prompt_tokens": 4,
                    "completion_tokens": len(parts),
                    "total_tokens": 4 + len(parts),
                },
            )
        )
    return sse_body(
        *payloads, done=True, comments=("ping - 2024-05-06 12:00:00.000000",), compact=False
    )


def mock_stream(router: respx.MockRouter, body: bytes | httpx.SyncByteStream) -> respx.Route:
    if isinstance(body, bytes):
        return router.post("chat/completions").respond(200, content=body, headers=SSE_HEADERS)
    return router.post("chat/completions").respond(200, stream=body, headers=SSE_HEADERS)


class Chunked(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body delivered in the given pieces; records whether it was closed."""

    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces = pieces
        self.yielded = 0
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        for piece in self.pieces:
            self.yielded += 1
            yield piece

    async def __aiter__(self):  # type: ignore[override]
        for piece in self.pieces:
            self.yielded += 1
            yield piece

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def start(client: Edgen, **kwargs: object) -> Stream[ChatCompletionChunk]:
    return client.chat.completions.create(model="default", messages=MESSAGES, stream=True, **kwargs)  # type: ignore[call-overload]


# -- dialects --------------------------------------------------------------------------------


def test_edgen_dialect_stream(router: respx.MockRouter, client: Edgen) -> None:
    parts = fragments()
    body, ids = edgen_stream(parts)
    route = mock_stream(router, body)
    stream = start(client)
    assert isinstance(stream, Stream)
    chunks = list(stream)
    assert all(isinstance(c, ChatCompletionChunk) for c in chunks)
    assert [c.id for c in chunks] == ids  # a new id per chunk
    assert [c.choices[0].delta.content for c in chunks] == parts
    assert all(c.object == "text_completion" and c.model == "main" for c in chunks)
    assert all(c.choices[0].delta.model_fields_set == {"content", "role"} for c in chunks)
    assert json.loads(route.calls.last.request.content)["stream"] is True
    assert stream.response.is_closed


def test_openai_dialect_stream(router: respx.MockRouter, client: Edgen) -> None:
    parts = fragments(6)
    mock_stream(
        router,
        openai_stream(parts, usage=True, finish="content_filter_v2")
        + sse_body(openai_chunk({"content": "after done"})),
    )
    chunks = list(start(client))
    assert len(chunks) == len(parts) + 3  # role chunk, contents, final, usage; nothing after [DONE]
    first, *middle, final, usage = chunks
    assert first.choices[0].delta.role == "assistant"
    assert first.choices[0].delta.model_fields_set == {"role"}
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "".join(parts)
    assert [c.choices[0].delta.content for c in middle] == parts
    assert final.choices[0].finish_reason == "content_filter_v2"
    assert final.choices[0].delta.model_fields_set == set()
    assert (
        usage.choices == []
        and usage.usage is not None
        and usage.usage.completion_tokens == len(parts)
    )
    assert len({c.id for c in chunks}) == 1


@pytest.mark.parametrize("eol", ["\r\n", "\r"])
def test_other_line_endings(router: respx.MockRouter, client: Edgen, eol: str) -> None:
    parts = fragments(3)
    mock_stream(router, sse_body(*(edgen_chunk(p) for p in parts), eol=eol, done=True))
    assert [c.choices[0].delta.content for c in start(client)] == parts


def test_chunks_split_across_reads(router: respx.MockRouter, client: Edgen) -> None:
    parts = fragments(8)
    body = openai_stream(parts)
    pieces = [body[i : i + 7] for i in range(0, len(body), 7)]  # cuts inside UTF-8 too
    mock_stream(router, Chunked(pieces))
    assert "".join(c.choices[0].delta.content or "" for c in start(client)) == "".join(parts)


def test_event_delivered_without_final_blank_line(router: respx.MockRouter, client: Edgen) -> None:
    body = sse_body(edgen_chunk("a")) + b"data: " + json.dumps(edgen_chunk("tail")).encode()
    mock_stream(router, body)
    assert [c.choices[0].delta.content for c in start(client)] == ["a", "tail"]


@pytest.mark.parametrize(
    ("body", "how"),
    [
        (b"", "ended without"),
        (b": ping\n\n", "ended without"),
        (b"data: [DONE]\n\n", "ended with [DONE] without"),
    ],
)
def test_a_stream_without_a_single_chunk_is_an_error(
    router: respx.MockRouter, client: Edgen, body: bytes, how: str
) -> None:
    # llama.cpp answers a prompt that overflows its context with an empty event stream:
    # that must not look like an empty answer.
    mock_stream(router, body)
    stream = start(client)
    expected = re.escape(f"event stream {how} a single chunk")
    with pytest.raises(edgen.APIResponseValidationError, match=expected):
        list(stream)
    assert stream.response.is_closed
    assert list(stream) == []  # ended: iterating again raises nothing new


# -- iteration protocol -----------------------------------------------------------------------


def test_next_then_for_continue_the_same_stream(router: respx.MockRouter, client: Edgen) -> None:
    parts = fragments(4)
    mock_stream(router, edgen_stream(parts)[0])
    stream = start(client)
    assert next(stream).choices[0].delta.content == parts[0]
    assert next(stream).choices[0].delta.content == parts[1]
    assert [c.choices[0].delta.content for c in stream] == parts[2:]
    with pytest.raises(StopIteration):
        next(stream)
    assert stream.response.is_closed


def test_context_manager_closes(router: respx.MockRouter, client: Edgen) -> None:
    parts = fragments(4)
    mock_stream(router, edgen_stream(parts)[0])
    with start(client) as stream:
        assert next(stream).choices[0].delta.content == parts[0]
        assert not stream.response.is_closed
    assert stream.response.is_closed


def test_close_releases_the_connection(router: respx.MockRouter, client: Edgen) -> None:
    body = Chunked([sse_body(edgen_chunk(p)) for p in fragments(50)])
    mock_stream(router, body)
    stream = start(client)
    next(stream)
    stream.close()
    assert stream.response.is_closed
    assert body.closed
    assert body.yielded < 50
    with pytest.raises(StopIteration):
        next(stream)


def test_close_before_iterating(router: respx.MockRouter, client: Edgen) -> None:
    mock_stream(router, edgen_stream(fragments(3))[0])
    stream = start(client)
    stream.close()
    assert stream.response.is_closed
    assert list(stream) == []


def test_break_out_of_for_loop_closes_the_response(router: respx.MockRouter, client: Edgen) -> None:
    body = Chunked([sse_body(edgen_chunk(p)) for p in fragments(50)])
    mock_stream(router, body)
    stream = start(client)
    for chunk in stream:
        assert chunk.choices[0].delta.content
        break
    assert stream.response.is_closed
    assert body.closed
    assert body.yielded < 50


def test_exception_in_loop_body_closes_the_response(
    router: respx.MockRouter, client: Edgen
) -> None:
    mock_stream(router, edgen_stream(fragments(5))[0])
    stream = start(client)
    with pytest.raises(RuntimeError):
        for _ in stream:
            raise RuntimeError("user code failed")
    assert stream.response.is_closed


def test_stream_through_edgen_connection_pool_is_reusable(
    router: respx.MockRouter, client: Edgen
) -> None:
    """Many streams in a row on one client (each closed) do not exhaust the pool."""
    parts = fragments(2)
    route = mock_stream(router, edgen_stream(parts)[0])
    small = client.with_options(timeout=httpx.Timeout(2.0))
    for _ in range(30):
        for _chunk in start(small):
            break
    assert route.call_count == 30


# -- raw responses -------------------------------------------------------------------------------


def test_with_raw_response_stream(router: respx.MockRouter, client: Edgen) -> None:
    parts = fragments(3)
    router.post("chat/completions").respond(
        200, content=edgen_stream(parts)[0], headers={**SSE_HEADERS, "x-req": "r1"}
    )
    raw = client.chat.completions.with_raw_response.create(
        model="default", messages=MESSAGES, stream=True
    )
    assert raw.status_code == 200
    assert raw.headers["content-type"] == "text/event-stream"
    assert raw.headers["x-req"] == "r1"
    assert isinstance(raw.http_response, httpx.Response)
    stream = raw.parse()
    assert isinstance(stream, Stream)
    assert [c.choices[0].delta.content for c in stream] == parts


def test_with_streaming_response_stream(router: respx.MockRouter, client: Edgen) -> None:
    parts = fragments(3)
    mock_stream(router, edgen_stream(parts)[0])
    with client.chat.completions.with_streaming_response.create(
        model="default", messages=MESSAGES, stream=True
    ) as raw:
        assert raw.status_code == 200
        assert [c.choices[0].delta.content for c in raw.parse()] == parts
    assert raw.is_closed


# -- async ----------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_async_stream_both_dialects(router: respx.MockRouter) -> None:
    parts = fragments()
    body, ids = edgen_stream(parts)
    mock_stream(router, body)
    async with AsyncEdgen(max_retries=0) as client:
        stream = await client.chat.completions.create(
            model="default", messages=MESSAGES, stream=True
        )
        assert isinstance(stream, AsyncStream)
        got = [c async for c in stream]
        assert [c.id for c in got] == ids
        assert [c.choices[0].delta.content for c in got] == parts
        assert stream.response.is_closed

        router.reset()
        mock_stream(router, openai_stream(parts))
        stream = await client.chat.completions.create(
            model="default", messages=MESSAGES, stream=True
        )
        text = ""
        async for chunk in stream:
            text += chunk.choices[0].delta.content or ""
        assert text == "".join(parts)


@pytest.mark.anyio
async def test_async_anext_context_manager_and_close(router: respx.MockRouter) -> None:
    parts = fragments(6)
    mock_stream(router, edgen_stream(parts)[0])
    async with AsyncEdgen(max_retries=0) as client:
        stream = await client.chat.completions.create(
            model="default", messages=MESSAGES, stream=True
        )
        async with stream:
            assert (await stream.__anext__()).choices[0].delta.content == parts[0]
            assert (await stream.__anext__()).choices[0].delta.content == parts[1]
            rest = [c.choices[0].delta.content async for c in stream]
            assert rest == parts[2:]
            with pytest.raises(StopAsyncIteration):
                await stream.__anext__()
        assert stream.response.is_closed

        body = Chunked([sse_body(edgen_chunk(p)) for p in fragments(50)])
        router.reset()
        mock_stream(router, body)
        stream = await client.chat.completions.create(
            model="default", messages=MESSAGES, stream=True
        )
        await stream.__anext__()
        await stream.close()
        assert stream.response.is_closed and body.closed
        with pytest.raises(StopAsyncIteration):
            await stream.__anext__()


@pytest.mark.anyio
async def test_async_with_raw_response_stream(router: respx.MockRouter) -> None:
    parts = fragments(3)
    mock_stream(router, edgen_stream(parts)[0])
    async with AsyncEdgen(max_retries=0) as client:
        raw = await client.chat.completions.with_raw_response.create(
            model="default", messages=MESSAGES, stream=True
        )
        assert raw.status_code == 200 and raw.headers["content-type"] == "text/event-stream"
        stream = await raw.parse()
        assert isinstance(stream, AsyncStream)
        assert [c.choices[0].delta.content async for c in stream] == parts


# -- errors surfaced through the stream ---------------------------------------------------------


def test_done_stops_even_with_garbage_after(router: respx.MockRouter, client: Edgen) -> None:
    mock_stream(router, sse_body(edgen_chunk("a"), done=True) + b"data: {not json\n\n")
    assert [c.choices[0].delta.content for c in start(client)] == ["a"]


_AFTER_DONE = [sse_body(edgen_chunk("a")), b"data: [DONE]\n\n", b": trailing comment\n\n", b""]


@pytest.mark.anyio
async def test_async_done_reads_the_rest_of_the_body_for_connection_reuse(
    router: respx.MockRouter,
) -> None:
    body = Chunked(_AFTER_DONE)
    mock_stream(router, body)
    async with AsyncEdgen(max_retries=0) as client:
        stream = await client.chat.completions.create(
            model="default", messages=MESSAGES, stream=True
        )
        assert [c.choices[0].delta.content async for c in stream] == ["a"]
    assert body.yielded == len(_AFTER_DONE)  # drained, so httpcore can keep the connection
    assert body.closed


def test_sync_done_stops_reading_and_closes(router: respx.MockRouter, client: Edgen) -> None:
    body = Chunked(_AFTER_DONE)
    mock_stream(router, body)
    assert [c.choices[0].delta.content for c in start(client)] == ["a"]
    assert body.yielded == 2  # nothing read after [DONE]: a sync read could not be cut short
    assert body.closed


def test_garbage_bytes_raise_only_edgen_errors(router: respx.MockRouter, client: Edgen) -> None:
    mock_stream(router, b"data: \xff\xfe\x00\n\n")
    with pytest.raises(edgen.APIResponseValidationError):
        list(start(client))


def test_stream_over_arbitrary_bytes_raises_only_our_errors() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    request = httpx.Request("POST", BASE_URL + "chat/completions")
    valid = sse_body(edgen_chunk("ok")) + sse_body(openai_chunk({}, finish_reason="stop"))

    @settings(max_examples=200, deadline=None)
    @given(
        st.one_of(
            st.binary(max_size=200), st.binary(max_size=40).map(lambda b: valid[:60] + b + valid)
        )
    )
    def check(body: bytes) -> None:
        stream = Stream(
            cast_to=ChatCompletionChunk, response=httpx.Response(200, content=body, request=request)
        )
        try:
            for chunk in stream:
                assert isinstance(chunk, ChatCompletionChunk)
        except edgen.EdgenError:
            pass
        assert stream.response.is_closed

    check()


@respx.mock
def test_stream_answered_with_json_raises_instead_of_ending_silently() -> None:
    # A server that ignores stream=True and answers one JSON object must not look like an empty stream.
    respx.post("http://127.0.0.1:33322/v1/chat/completions").mock(
        return_value=httpx.Response(200, json={"error": {"message": "streaming disabled"}})
    )
    client = edgen.Edgen(max_retries=0)
    stream = client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "hi"}], stream=True
    )
    with pytest.raises(edgen.APIError, match="streaming disabled"):
        list(stream)
    respx.post("http://127.0.0.1:33322/v1/chat/completions").mock(
        return_value=httpx.Response(200, json={"id": "x"})
    )
    with pytest.raises(edgen.APIResponseValidationError, match="text/event-stream"):
        list(
            client.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "hi"}], stream=True
            )
        )


@respx.mock
def test_second_loop_after_break_ends_quietly() -> None:
    body = b"".join(
        b"data: "
        + msgspec.json.encode(
            {
                "id": str(i),
                "choices": [{"delta": {"content": "t"}, "index": 0}],
                "created": 1,
                "model": "m",
                "object": "o",
            }
        )
        + b"\n\n"
        for i in range(3)
    )
    respx.post("http://127.0.0.1:33322/v1/chat/completions").mock(
        return_value=httpx.Response(
            200, headers={"content-type": "text/event-stream"}, content=body
        )
    )
    stream = edgen.Edgen().chat.completions.create(
        model="m", messages=[{"role": "user", "content": "hi"}], stream=True
    )
    for _ in stream:
        break
    assert stream.response.is_closed
    assert list(stream) == []
