"""Streams under faults, against the real emulator: how they fail, that they are never
retried once a chunk was yielded, and that every way of leaving one gives its connection
back to the pool (checked on httpcore's pool, not on the response object)."""

from __future__ import annotations

import asyncio
import importlib.util
import itertools
import json
import socket
import threading
import time
from collections.abc import Iterator

import anyio
import httpx
import pytest

import edgen
from edgen import AsyncEdgen, Edgen, _streaming

MESSAGES = [{"role": "user", "content": "tell me a story"}]
_keys = itertools.count()


def fault(spec: str) -> dict[str, str]:
    return {"x-emulator-fault": f"{spec};key=s{next(_keys)}"}


def busy(client: Edgen | AsyncEdgen) -> int:
    """Connections checked out of the pool, plus requests still holding one."""
    pool = client._http._transport._pool  # type: ignore[attr-defined]
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


# -- [DONE] then nothing: the drain is bounded ------------------------------------------------------


_CHUNK = {
    "id": "c",
    "object": "chat.completion.chunk",
    "created": 1,
    "model": "m",
    "choices": [{"index": 0, "delta": {"content": "only"}, "finish_reason": None}],
}


@pytest.fixture
def done_then_hang() -> Iterator[str]:
    """A server that sends one chunk and `[DONE]`, then keeps the chunked body open."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()
    conns: list[socket.socket] = []

    def handle(conn: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            data += conn.recv(65536)
        head, _, rest = data.partition(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
        while len(rest) < length:
            rest += conn.recv(65536)
        body = b"data: " + json.dumps(_CHUNK).encode() + b"\n\ndata: [DONE]\n\n"
        conn.sendall(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
            + b"%x\r\n%s\r\n" % (len(body), body)
        )
        stop.wait(30)

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            conns.append(conn)
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1/"
    stop.set()
    listener.close()
    for conn in conns:
        conn.close()


def test_done_then_open_body_does_not_block_until_the_read_timeout(
    done_then_hang, monkeypatch
) -> None:
    monkeypatch.setattr(_streaming, "DRAIN_TIMEOUT", 0.2)
    client = Edgen(base_url=done_then_hang, max_retries=0, timeout=httpx.Timeout(10.0))
    began = time.monotonic()
    assert [content(c) for c in start(client)] == ["only"]
    assert time.monotonic() - began < 3.0  # was: the full 10 s read timeout
    assert busy(client) == 0
    stream_obj = client._http._transport._pool  # type: ignore[attr-defined]
    assert all(c.is_closed() or c.is_idle() for c in stream_obj.connections)


@pytest.mark.anyio
async def test_async_done_then_open_body_does_not_block(done_then_hang, monkeypatch) -> None:
    monkeypatch.setattr(_streaming, "DRAIN_TIMEOUT", 0.2)
    async with AsyncEdgen(base_url=done_then_hang, max_retries=0, timeout=10.0) as client:
        began = time.monotonic()
        assert [content(c) async for c in await astart(client)] == ["only"]
        assert time.monotonic() - began < 3.0
        assert busy(client) == 0


def test_done_stream_returns_its_connection_for_reuse() -> None:
    from edgen.testing import EdgenEmulator

    with EdgenEmulator(dialect="openai", seed=3, tokens=5) as srv:
        client = Edgen(base_url=srv.url, max_retries=0)
        for _ in range(3):
            chunks = list(start(client))
            assert chunks[-1].choices[0].finish_reason == "stop"
        pool = client._http._transport._pool  # type: ignore[attr-defined]
        assert len(pool.connections) == 1 and pool.connections[0].is_idle()
        assert "Request Count: 3" in pool.connections[0].info()
        # the capped read was put back: the kept connection has no patched `read`
        assert not any("read" in vars(c._connection._network_stream) for c in pool.connections)


class _SharedNetworkStream:
    """Stands in for httpcore's HTTP/2 network stream, which all streams of a connection share."""

    def __init__(self) -> None:
        self.timeouts: list[float | None] = []

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.timeouts.append(timeout)
        return b""


def test_overlapping_drains_on_one_shared_network_stream() -> None:
    shared = _SharedNetworkStream()
    first, second = (httpx.Response(200, extensions={"network_stream": shared}) for _ in range(2))

    def body() -> Iterator[bytes]:
        yield shared.read(1)

    def second_drains_while_the_first_does() -> Iterator[bytes]:
        yield shared.read(1)  # capped by the first drain
        _streaming._drain(
            body(), second, (httpx.TransportError,)
        )  # caps again, and uncaps before the first

    _streaming._drain(second_drains_while_the_first_does(), first, (httpx.TransportError,))
    assert "read" not in vars(shared)  # the class's read is back
    assert all(t is not None and t <= _streaming.DRAIN_TIMEOUT for t in shared.timeouts)
    shared.read(1)
    assert shared.timeouts[-1] is None
