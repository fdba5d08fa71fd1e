"""Streams under faults, against the real emulator: how they fail, that they are never
retried once a chunk was yielded, and that every way of leaving one gives its connection
back to the pool (checked on httpcore's pool, not on the response object)."""

from __future__ import annotations

import asyncio
import importlib.util
import itertools
import json
import time
from collections.abc import Iterator

import anyio
import httpx
import pytest
from rawserver import Conn, RawServer, Request, serve_each

import edgen
from edgen import AsyncEdgen, Edgen, _streaming

MESSAGES = [{"role": "user", "content": "tell me a story"}]
_keys = itertools.count()


def fault(spec: str) -> dict[str, str]:
    return {"x-emulator-fault": f"{spec};key=s{next(_keys)}"}


def busy(client: Edgen | AsyncEdgen) -> int:
    """Connections checked out of the pool, plus requests still holding one."""
    pool = client._http._transport.transport_for(client.base_url)._pool  # type: ignore[attr-defined]
    active = [c for c in pool.connections if not c.is_idle() and not c.is_closed()]
    return len(active) + len(pool._requests)


async def settled(client: AsyncEdgen, turns: int = 50) -> int:
    """Let the event loop run until no connection is in use; returns the turns it took."""
    for turn in range(turns):
        if busy(client) == 0:
            return turn
        await asyncio.sleep(0)
    raise AssertionError(f"a connection is still in use after {turns} loop turns")


def chat_requests(server) -> int:
    return sum(1 for r in server.requests if r.route == "/chat/completions")


def content(chunk) -> str:
    return (chunk.choices[0].delta.content or "") if chunk.choices else ""


@pytest.fixture(params=["edgen", "openai"])
def server(request) -> Iterator[object]:
    from edgen.testing import EdgenEmulator

    with EdgenEmulator(dialect=request.param, seed=7, tokens=12) as srv:
        yield srv


@pytest.fixture
def slow_server() -> Iterator[object]:
    """Long streams that are still being sent when the test leaves them."""
    from edgen.testing import EdgenEmulator

    with EdgenEmulator(seed=7, tokens=200, token_delay=0.002) as srv:
        yield srv


def full_text(client: Edgen) -> str:
    return (
        client.chat.completions.create(model="default", messages=MESSAGES)
        .choices[0]
        .message.content
    )  # type: ignore[return-value]


def start(client: Edgen, **kw: object):
    return client.chat.completions.create(model="default", messages=MESSAGES, stream=True, **kw)  # type: ignore[call-overload]


async def astart(client: AsyncEdgen, **kw: object):
    return await client.chat.completions.create(
        model="default", messages=MESSAGES, stream=True, **kw
    )  # type: ignore[call-overload]


# -- failures mid-stream ------------------------------------------------------------------------


def test_dropped_connection_raises_not_truncates(server, sleeps) -> None:
    client = Edgen(base_url=server.url, max_retries=3)
    expected = full_text(client)
    server.clear_requests()
    got: list[str] = []
    with pytest.raises(edgen.APIConnectionError) as info:
        for chunk in start(client, extra_headers=fault("drop_after=3")):
            got.append(content(chunk))
    assert not isinstance(info.value, edgen.APITimeoutError)
    assert isinstance(info.value.__cause__, (httpx.RemoteProtocolError, httpx.ReadError))
    assert len(got) == 3
    assert expected.startswith("".join(got)) and "".join(got) != expected
    assert chat_requests(server) == 1 and sleeps == []  # never retried once it yielded
    assert busy(client) == 0
    assert "".join(map(content, start(client))) == expected  # the client is still usable


@pytest.mark.anyio
async def test_async_dropped_connection_raises_not_truncates(server, sleeps) -> None:
    async with AsyncEdgen(base_url=server.url, max_retries=3) as client:
        expected = (
            (await client.chat.completions.create(model="default", messages=MESSAGES))
            .choices[0]
            .message.content
        )
        server.clear_requests()
        got: list[str] = []
        with pytest.raises(edgen.APIConnectionError):
            async for chunk in await astart(client, extra_headers=fault("drop_after=3")):
                got.append(content(chunk))
        assert len(got) == 3 and expected.startswith("".join(got))
        assert chat_requests(server) == 1 and sleeps == []
        assert busy(client) == 0


def test_drop_before_first_chunk_is_an_error_not_an_empty_stream(server, sleeps) -> None:
    client = Edgen(base_url=server.url, max_retries=3)
    with pytest.raises(edgen.APIConnectionError):
        list(start(client, extra_headers=fault("drop_after=0")))
    assert chat_requests(server) == 1  # the response had arrived: not retried


def test_malformed_chunk_carries_the_line(server) -> None:
    client = Edgen(base_url=server.url, max_retries=3)
    got: list[object] = []
    with pytest.raises(edgen.APIResponseValidationError) as info:
        for chunk in start(client, extra_headers=fault("malformed_after=2")):
            got.append(chunk)
    err = info.value
    assert len(got) == 2
    assert err.body == '{"id": broken'
    assert '{"id": broken' in str(err)
    assert err.status_code == 200
    assert chat_requests(server) == 1
    assert busy(client) == 0


@pytest.mark.anyio
async def test_async_malformed_chunk_and_error_event(server) -> None:
    async with AsyncEdgen(base_url=server.url, max_retries=3) as client:
        with pytest.raises(edgen.APIResponseValidationError, match="broken"):
            async for _ in await astart(client, extra_headers=fault("malformed_after=1")):
                pass
        with pytest.raises(edgen.APIError, match="injected failure") as info:
            async for _ in await astart(client, extra_headers=fault("error_event_after=1")):
                pass
        assert type(info.value) is edgen.APIError
        assert chat_requests(server) == 2
        assert busy(client) == 0


def test_error_event_raises_api_error_with_the_servers_message(server) -> None:
    client = Edgen(base_url=server.url, max_retries=3)
    got: list[str] = []
    with pytest.raises(edgen.APIError) as info:
        for chunk in start(client, extra_headers=fault("error_event_after=2")):
            got.append(content(chunk))
    err = info.value
    assert type(err) is edgen.APIError  # not a status error: the status was 200
    assert err.message == "injected failure"
    assert err.body == {"error": {"message": "injected failure", "type": "server_error"}}
    assert err.type == "server_error"
    assert len(got) == 2
    assert chat_requests(server) == 1 and busy(client) == 0


def test_read_timeout_mid_stream_is_not_retried(slow_server, sleeps) -> None:
    timeout = httpx.Timeout(5.0, read=0.05)
    client = Edgen(base_url=slow_server.url, max_retries=3, timeout=timeout)
    stream = start(
        client, extra_headers={"x-emulator-token-delay": "0.5", "x-emulator-tokens": "3"}
    )
    with pytest.raises(edgen.APITimeoutError):
        list(stream)
    assert chat_requests(slow_server) == 1 and sleeps == []
    assert busy(client) == 0


# -- every way out releases the connection ---------------------------------------------------------


def test_sync_ways_out_release_the_connection(slow_server) -> None:
    client = Edgen(base_url=slow_server.url, max_retries=0)

    # break out of a for loop
    for _ in start(client):
        assert busy(client) > 0
        break
    assert busy(client) == 0

    # close() after next()
    stream = start(client)
    next(stream)
    stream.close()
    assert busy(client) == 0
    assert list(stream) == []

    # close() before iterating
    stream = start(client)
    assert busy(client) > 0
    stream.close()
    assert busy(client) == 0

    # leaving a with block, normally and by an exception
    with start(client) as stream:
        next(stream)
    assert busy(client) == 0
    with pytest.raises(KeyError):
        with start(client) as stream:
            next(stream)
            raise KeyError("user code")
    assert busy(client) == 0

    # an exception in the loop body
    with pytest.raises(ZeroDivisionError):
        for _ in start(client):
            1 / 0  # noqa: B018
    assert busy(client) == 0

    # read to the end
    assert len(list(start(client, extra_headers={"x-emulator-tokens": "5"}))) == 5
    assert busy(client) == 0
    assert chat_requests(slow_server) == 7


def test_with_streaming_response_releases_the_connection(slow_server) -> None:
    client = Edgen(base_url=slow_server.url, max_retries=0)
    with client.chat.completions.with_streaming_response.create(
        model="default", messages=MESSAGES, stream=True
    ) as response:
        stream = response.parse()
        next(iter(stream))
    assert busy(client) == 0


@pytest.mark.anyio
async def test_async_ways_out_release_the_connection(slow_server) -> None:
    async with AsyncEdgen(base_url=slow_server.url, max_retries=0) as client:
        # async with / await close(): at once
        async with await astart(client) as stream:
            await stream.__anext__()
            assert busy(client) > 0
        assert busy(client) == 0
        stream = await astart(client)
        await stream.__anext__()
        await stream.close()
        assert busy(client) == 0
        stream = await astart(client)
        await stream.close()
        assert busy(client) == 0

        # break, or an exception in the loop body: `async for` has no hook for
        # either, so the abandoned async generator is closed by the event loop's
        # asyncgen finaliser a few loop turns later (documented in the README)
        async for _ in await astart(client):
            break
        assert await settled(client) <= 10
        with pytest.raises(ZeroDivisionError):
            async for _ in await astart(client):
                1 / 0  # noqa: B018
        assert await settled(client) <= 10


@pytest.mark.anyio
async def test_cancelling_a_task_mid_stream_releases_the_connection(slow_server) -> None:
    async with AsyncEdgen(base_url=slow_server.url, max_retries=0) as client:
        started = asyncio.Event()
        got: list[str] = []

        async def consume() -> None:
            async for chunk in await astart(client):
                got.append(content(chunk))
                started.set()

        task = asyncio.get_running_loop().create_task(consume())
        await asyncio.wait_for(started.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert 0 < len(got) < 200
        assert busy(client) == 0

        # cancelled while waiting for the response headers
        task = asyncio.get_running_loop().create_task(
            astart(client, extra_headers=fault("stall=2"))
        )
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert busy(client) == 0

        # anyio cancel scopes (timeouts) mid-stream
        n = 0
        with anyio.move_on_after(0.05) as scope:
            async for _ in await astart(client):
                n += 1
        assert scope.cancelled_caught and 0 < n < 200
        assert busy(client) == 0

        # and the pool still works afterwards
        chunks = [c async for c in await astart(client, extra_headers={"x-emulator-tokens": "4"})]
        assert len(chunks) == 4
        assert busy(client) == 0


@pytest.mark.parametrize(
    "anyio_backend",
    [
        pytest.param(
            "trio",
            marks=pytest.mark.skipif(
                importlib.util.find_spec("trio") is None, reason="trio is not installed"
            ),
        )
    ],
)
@pytest.mark.anyio
async def test_trio_cancel_scope_mid_stream_releases_the_connection(slow_server) -> None:
    pytest.importorskip("trio")
    async with AsyncEdgen(base_url=slow_server.url, max_retries=0) as client:
        n = 0
        with anyio.move_on_after(0.05):
            async with await astart(client) as stream:
                async for _ in stream:
                    n += 1
        assert 0 < n < 200
        assert busy(client) == 0


# -- after [DONE]: the end of the body, or a server that never sends it -----------------------
# httpcore pools a connection only once its body was read to the end. An async stream reads
# the end that follows `[DONE]` for up to DRAIN_TIMEOUT; a sync stream cannot bound a read
# with public API, so it closes the connection at `[DONE]` rather than risk waiting for the
# read timeout. Connections are counted where they are accepted, on the server.


_CHUNK = {
    "id": "c",
    "object": "chat.completion.chunk",
    "created": 1,
    "model": "m",
    "choices": [{"index": 0, "delta": {"content": "only"}, "finish_reason": None}],
}
_DONE_EVENTS = b"data: " + json.dumps(_CHUNK).encode() + b"\n\ndata: [DONE]\n\n"


def done_then_end(after: float = 0.0):
    """Answers every request with a chunk and `[DONE]`, and ends the body `after` seconds later."""

    def answer(conn: Conn, request: Request) -> None:
        conn.start_chunked()
        conn.chunk(_DONE_EVENTS)
        if after:
            conn.stall(after)
        conn.chunk(b"")  # the last chunk: the body is complete

    return serve_each(answer)


def done_then_hang(closed_by_client: list[float]):
    """Answers one request with a chunk and `[DONE]`, then keeps the body open until the
    client closes the connection (when is appended to `closed_by_client`)."""

    def script(conn: Conn) -> None:
        if conn.read_request() is None:
            return
        conn.start_chunked()
        conn.chunk(_DONE_EVENTS)
        if conn.wait_closed(10.0):
            closed_by_client.append(time.monotonic())

    return script


def test_sync_stream_closes_at_done_instead_of_waiting_for_an_open_body() -> None:
    closed: list[float] = []
    with RawServer(done_then_hang(closed)) as server:
        client = Edgen(base_url=server.url, max_retries=0, timeout=10.0)
        began = time.monotonic()
        assert [content(c) for c in start(client)] == ["only"]
        assert time.monotonic() - began < 0.5  # not the 10 s read timeout, nor a drain
        assert busy(client) == 0
        for _ in range(50):  # the server sees the close a moment later
            if closed:
                break
            time.sleep(0.02)
        assert closed and closed[0] - began < 1.0
        assert [content(c) for c in start(client)] == ["only"]  # on a new connection
        assert server.connections == 2 and server.errors == []


@pytest.mark.parametrize(
    "anyio_backend",
    [
        "asyncio",
        pytest.param(
            "trio",
            marks=pytest.mark.skipif(
                importlib.util.find_spec("trio") is None, reason="trio is not installed"
            ),
        ),
    ],
)
@pytest.mark.anyio
async def test_async_stream_gives_up_on_an_open_body_after_the_drain_timeout(
    monkeypatch,
) -> None:
    monkeypatch.setattr(_streaming, "DRAIN_TIMEOUT", 0.3)
    closed: list[float] = []
    with RawServer(done_then_hang(closed)) as server:
        async with AsyncEdgen(base_url=server.url, max_retries=0, timeout=10.0) as client:
            began = time.monotonic()
            assert [content(c) async for c in await astart(client)] == ["only"]
            took = time.monotonic() - began
            assert 0.3 <= took < 3.0  # the drain timeout, not the 10 s read timeout
            assert busy(client) == 0
            for _ in range(50):
                if closed:
                    break
                await anyio.sleep(0.02)
            assert closed  # closed, not put back in the pool with a body half read
            assert [content(c) async for c in await astart(client)] == ["only"]
            assert server.connections == 2 and server.errors == []


@pytest.mark.anyio
async def test_cancelling_the_task_during_the_drain_cancels_it(monkeypatch) -> None:
    """The drain's own time limit must not swallow a cancellation that came from outside."""
    monkeypatch.setattr(_streaming, "DRAIN_TIMEOUT", 5.0)
    closed: list[float] = []
    with RawServer(done_then_hang(closed)) as server:
        async with AsyncEdgen(base_url=server.url, max_retries=0, timeout=10.0) as client:
            got: list[str] = []

            async def consume() -> None:
                async for chunk in await astart(client):
                    got.append(content(chunk))

            task = asyncio.get_running_loop().create_task(consume())
            await asyncio.sleep(0.3)  # the chunk is in; the drain waits for the body's end
            assert got == ["only"] and not task.done()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert busy(client) == 0
        assert server.errors == []


@pytest.mark.parametrize("after", [0.0, 0.2])
@pytest.mark.anyio
async def test_async_stream_reads_the_end_after_done_and_reuses_the_connection(after) -> None:
    with RawServer(done_then_end(after)) as server:
        async with AsyncEdgen(base_url=server.url, max_retries=0, timeout=10.0) as client:
            for _ in range(3):
                assert [content(c) async for c in await astart(client)] == ["only"]
                assert busy(client) == 0
        assert server.connections == 1  # all three streams on one connection
        assert [r.connection for r in server.requests] == [0, 0, 0]
        assert server.errors == []


def test_sync_stream_does_not_wait_for_the_end_after_done() -> None:
    with RawServer(done_then_end(after=2.0)) as server:
        client = Edgen(base_url=server.url, max_retries=0, timeout=10.0)
        for _ in range(3):
            began = time.monotonic()
            assert [content(c) for c in start(client)] == ["only"]
            assert time.monotonic() - began < 1.0  # the body ends 2 s after [DONE]
            assert busy(client) == 0
        # The price of not waiting: a connection per stream (see the note above).
        assert server.connections == 3 and server.errors == []


@pytest.mark.anyio
async def test_llama_cpp_dialect_streams_share_one_connection() -> None:
    from edgen.testing import EdgenEmulator

    ports: set[object] = set()

    async def note_port(response: httpx.Response) -> None:
        ports.add(response.extensions["network_stream"].get_extra_info("client_addr"))

    with EdgenEmulator(dialect="openai", seed=3, tokens=5) as srv:
        async with AsyncEdgen(base_url=srv.url, max_retries=0) as client:
            client._http.event_hooks["response"].append(note_port)
            for _ in range(3):
                chunks = [c async for c in await astart(client)]
                assert chunks[-1].choices[0].finish_reason == "stop"
            assert len(ports) == 1 and busy(client) == 0
