"""The asyncio sockets of AsyncEdgen's plain-http connections (edgen/_sockets.py).

What they promise beyond the suites that run through them (reliability, hostile servers):
a host's addresses are tried in turn, as the sync client does; what fails is the connect
error httpx would raise, and no socket is left open. A connection closed by another task
while a call waits on it (`client.close()` during a stream or an upload) ends that call
with a connection error at once, and leaves the event loop's other sockets working; so does
a sync client closed by another thread.
"""

from __future__ import annotations

import asyncio
import errno
import gc
import json
import socket
import sys
import threading
import time
import warnings
from typing import Any

import anyio
import pytest
from conftest import edgen_chunk
from rawserver import Conn, RawServer, serve_each

import edgen
from edgen import AsyncEdgen

VERSION = b'{"major":0,"minor":4,"patch":1,"build":"x"}'


def answer(conn: Conn, request: Any) -> None:
    conn.respond(200, VERSION)


def addresses_of(*ports: int) -> list[Any]:
    return [
        (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", port))
        for port in ports
    ]


@pytest.mark.anyio
async def test_the_next_address_is_tried_when_one_refuses(
    closed_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    with RawServer(serve_each(answer)) as server:
        asked: list[tuple[str, int]] = []

        async def getaddrinfo(host: str, port: int, **kwargs: Any) -> list[Any]:
            asked.append((host, port))
            return addresses_of(closed_port, server.port)

        monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", getaddrinfo)
        async with AsyncEdgen(base_url="http://edgen.invalid:8080/v1/", max_retries=0) as client:
            version = await client.misc.version.create()
    assert (version.major, version.minor) == (0, 4)
    assert asked == [("edgen.invalid", 8080)] and server.connections == 1


@pytest.mark.anyio
async def test_when_every_address_refuses_it_is_a_connection_error_and_nothing_leaks(
    closed_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def getaddrinfo(host: str, port: int, **kwargs: Any) -> list[Any]:
        return addresses_of(closed_port, closed_port)

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", getaddrinfo)
    gc.collect()  # what earlier tests left behind is not this test's to report
    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    with warnings.catch_warnings():
        # An unclosed socket warns when collected; as an error, the hook above sees it.
        warnings.simplefilter("error", ResourceWarning)
        async with AsyncEdgen(base_url="http://edgen.invalid/v1/", max_retries=0) as client:
            with pytest.raises(edgen.APIConnectionError) as caught:
                await client.misc.version.create()
        gc.collect()
    assert [hook.exc_value for hook in unraisable] == []
    assert not isinstance(caught.value, edgen.APITimeoutError)
    assert f"[Errno {errno.ECONNREFUSED}]" in str(caught.value)  # the last address's error


@pytest.mark.anyio
async def test_a_name_that_does_not_resolve_is_a_connection_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def getaddrinfo(host: str, port: int, **kwargs: Any) -> list[Any]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", getaddrinfo)
    async with AsyncEdgen(base_url="http://edgen.invalid/v1/", max_retries=0) as client:
        with pytest.raises(edgen.APIConnectionError, match="Connection error"):
            await client.misc.version.create()


@pytest.mark.anyio
async def test_an_address_no_socket_can_be_made_for_is_skipped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As `localhost`'s ::1 on a machine with IPv6 turned off: socket() itself fails
    # (EAFNOSUPPORT there; an unknown protocol number here, which fails the same way).
    with RawServer(serve_each(answer)) as server:

        async def getaddrinfo(host: str, port: int, **kwargs: Any) -> list[Any]:
            unusable = (socket.AF_INET, socket.SOCK_STREAM, 254, "", ("127.0.0.1", port))
            return [unusable, *addresses_of(server.port)]

        monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", getaddrinfo)
        async with AsyncEdgen(base_url="http://edgen.invalid/v1/", max_retries=0) as client:
            version = await client.misc.version.create()
    assert version.minor == 4 and server.connections == 1


@pytest.mark.anyio
async def test_when_no_socket_can_be_made_it_is_a_connection_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Also what running out of file descriptors (EMFILE) gives: the sync client's error.
    async def getaddrinfo(host: str, port: int, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 254, "", ("127.0.0.1", port))]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", getaddrinfo)
    async with AsyncEdgen(base_url="http://edgen.invalid/v1/", max_retries=0) as client:
        with pytest.raises(edgen.APIConnectionError, match="Connection error"):
            await client.misc.version.create()


def chunk_then_stall(conn: Conn) -> None:
    """A stream's first chunk, then silence; an upload's head, then no reading at all."""
    head = conn.read_head()
    if head is not None and "chat/completions" in head:
        conn.start_chunked()
        conn.chunk(b"data: " + json.dumps(edgen_chunk("x")).encode() + b"\n\n")
    conn.stall(10)


async def stream_one_chunk_then_wait(client: AsyncEdgen, started: anyio.Event) -> None:
    stream = await client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "hi"}], stream=True
    )
    async for _ in stream:
        started.set()


async def upload_forever(client: AsyncEdgen, started: anyio.Event) -> None:
    started.set()  # the server reads none of it: the write waits once the buffers fill
    await client.audio.transcriptions.create(file=b"\0" * (64 << 20), model="m")


def expected_error(kind: str, retries: int) -> type[Exception]:
    """A closed client is not retried on (httpx would raise a bare RuntimeError); a stream
    whose answer arrived is never retried anyway."""
    return edgen.ClientClosedError if retries and kind == "upload" else edgen.APIConnectionError


@pytest.mark.anyio
@pytest.mark.parametrize("retries", [0, 2])
@pytest.mark.parametrize("kind", ["stream", "upload"])
async def test_closing_the_client_ends_a_call_waiting_on_its_socket(
    kind: str, retries: int, sleeps: list[float]
) -> None:
    # httpcore closes the connections in use too when its pool is closed. A socket closed
    # under asyncio's wait for it stayed registered with the event loop under its number:
    # the call waited out its whole timeout, and the next socket given that number (any
    # client's) failed to connect with ENOENT or never heard its answer.
    call = stream_one_chunk_then_wait if kind == "stream" else upload_forever
    with RawServer(chunk_then_stall) as server, RawServer(serve_each(answer)) as other:
        client = AsyncEdgen(base_url=server.url, max_retries=retries, timeout=10)
        started = anyio.Event()
        outcome: list[BaseException] = []
        ended_at: list[float] = []

        async def run() -> None:
            try:
                await call(client, started)
            except Exception as exc:
                outcome.append(exc)
            ended_at.append(time.monotonic())

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(run)
            with anyio.fail_after(10):
                await started.wait()
            await anyio.sleep(0.3)  # into asyncio's wait on the socket
            closed_at = time.monotonic()
            await client.close()
            # The closed socket's number is the lowest free one: this connection gets it.
            async with AsyncEdgen(base_url=other.url, max_retries=0, timeout=5) as second:
                version = await second.misc.version.create()
    assert version.minor == 4
    assert len(outcome) == 1 and type(outcome[0]) is expected_error(kind, retries), outcome
    assert "closed" in str(outcome[0])
    assert ended_at[0] - closed_at < 5 and server.connections == 1


@pytest.mark.parametrize("retries", [0, 2])
@pytest.mark.parametrize("kind", ["stream", "upload"])
def test_closing_a_sync_client_ends_a_call_waiting_in_another_thread(
    kind: str, retries: int, sleeps: list[float]
) -> None:
    # Closing a socket's descriptor does not wake a thread blocked on it: the call used to
    # wait out its read timeout (600 s by default), then fail with "Bad file descriptor".
    with RawServer(chunk_then_stall) as server:
        client = edgen.Edgen(base_url=server.url, max_retries=retries, timeout=10)
        started = threading.Event()
        outcome: list[BaseException] = []
        ended_at: list[float] = []

        def run() -> None:
            try:
                if kind == "stream":
                    stream = client.chat.completions.create(
                        model="m", messages=[{"role": "user", "content": "hi"}], stream=True
                    )
                    for _ in stream:
                        started.set()
                else:
                    started.set()
                    client.audio.transcriptions.create(file=b"\0" * (64 << 20), model="m")
            except Exception as exc:
                outcome.append(exc)
            ended_at.append(time.monotonic())

        thread = threading.Thread(target=run)
        thread.start()
        assert started.wait(10)
        time.sleep(0.3)  # into the blocking recv / send
        closed_at = time.monotonic()
        client.close()
        thread.join(15)
    assert len(outcome) == 1 and type(outcome[0]) is expected_error(kind, retries), outcome
    assert "closed" in str(outcome[0])
    assert ended_at[0] - closed_at < 5 and server.connections == 1
