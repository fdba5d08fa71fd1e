"""Retries against a real socket on 127.0.0.1 (tests/rawserver.py): what is sent again, what
is not, and what the caller is told. A retry never sends a second, different body; a body
that fails halfway is retried like a failed connection; timeouts are numbers a clock can
measure; a closed client says so."""

from __future__ import annotations

import asyncio
import io
import math
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from conftest import TRANSPORT
from rawserver import Conn, RawServer, Request, serve_each

import edgen
from edgen import AsyncEdgen, Edgen

KINDS = ["sync", "async"]
AUDIO = b"RIFF" + bytes(range(256)) * 64  # 16 KiB: more than one read of the upload
VERSION = b'{"major":0,"minor":4,"patch":1,"build":"x"}'
TRANSCRIPT = b'{"text":"whose woods these are"}'
NOT_RESENT = "not retried: the upload is read from a stream that cannot be rewound"


def make(kind: str, server: RawServer, **kwargs: Any) -> Edgen | AsyncEdgen:
    """A client; an async one on the transport under test (tests opt in with `transport`)."""
    if kind == "sync":
        return Edgen(base_url=server.url, **kwargs)
    if TRANSPORT == "aiohttp" and "http_client" not in kwargs:
        kwargs["http_client"] = edgen.DefaultAioHttpClient()
    return AsyncEdgen(base_url=server.url, **kwargs)


def run(kind: str, client: Edgen | AsyncEdgen, call: Callable[[Any], Any]) -> Any:
    """`call(client)`, awaited on the async client, and the client closed after."""
    if kind == "sync":
        assert isinstance(client, Edgen)
        with client:
            return call(client)

    async def main() -> Any:
        # The pool too: make()'s aiohttp one is passed in, so the client leaves it open.
        async with client._http, client:
            return await call(client)

    return asyncio.run(main())


def transcribe(file: Any) -> Callable[[Any], Any]:
    return lambda c: c.audio.transcriptions.create(file=file, model="whisper")


def version(**kwargs: Any) -> Callable[[Any], Any]:
    return lambda c: c.misc.version.create(**kwargs)


def fail_first(first: Callable[[Conn, Request], None], then: bytes) -> RawServer:
    """A server whose first request gets `first`, and every later one `then` (200, JSON)."""
    count = 0
    lock = threading.Lock()

    def answer(conn: Conn, request: Request) -> None:
        nonlocal count
        with lock:
            count += 1
            number = count
        if number == 1:
            first(conn, request)
        else:
            conn.respond(200, then)

    return RawServer(serve_each(answer))


def unavailable(conn: Conn, request: Request) -> None:
    conn.respond(503, b'{"error":{"message":"warming up"}}')


def upload_of(request: Request) -> bytes:
    # The file part's bytes in a multipart body.
    boundary = request.headers["content-type"].split("boundary=")[1].encode()
    for part in request.body.split(b"--" + boundary)[1:-1]:
        head, _, value = part.partition(b"\r\n\r\n")
        if b"filename=" in head:
            return value.removesuffix(b"\r\n")
    raise AssertionError("no file part")


# -- uploads that cannot be rewound (item 2) ------------------------------------------------


class OnlyRead:
    """A reader with `read()` and nothing else: no seek, no tell, no fileno."""

    def __init__(self, data: bytes) -> None:
        self._io = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._io.read(size)


@pytest.mark.parametrize("kind", KINDS)
def test_an_only_read_upload_is_not_sent_twice(
    kind: str, sleeps: list[float], transport: str
) -> None:
    # Sent once in full; the 503 is raised with why it was not retried, and no second,
    # empty upload can come back as a wrong transcription.
    with fail_first(unavailable, TRANSCRIPT) as server:
        client = make(kind, server, max_retries=2)
        with pytest.raises(edgen.InternalServerError) as caught:
            run(kind, client, transcribe(OnlyRead(AUDIO)))
    assert NOT_RESENT in str(caught.value) and "warming up" in str(caught.value)
    assert len(server.requests) == 1 and sleeps == []
    (request,) = server.requests
    assert request.headers["transfer-encoding"] == "chunked"
    assert upload_of(request) == AUDIO


@pytest.mark.parametrize("kind", KINDS)
def test_an_upload_from_a_pipe_goes_out_whole(kind: str, transport: str) -> None:
    # A pipe has no size: the body is sent chunked (httpx would otherwise trust a
    # Content-Length it cannot keep and fail with h11's LocalProtocolError).
    read_end, write_end = os.pipe()

    def writer() -> None:
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(AUDIO)

    thread = threading.Thread(target=writer)
    thread.start()
    with fail_first(lambda conn, request: conn.respond(200, TRANSCRIPT), TRANSCRIPT) as server:
        with os.fdopen(read_end, "rb") as pipe:
            result = run(kind, make(kind, server), transcribe(pipe))
    thread.join(5)
    assert result.text == "whose woods these are"
    (request,) = server.requests
    assert upload_of(request) == AUDIO


@pytest.mark.parametrize("kind", KINDS)
def test_a_pipe_upload_refused_by_the_server_is_not_retried(
    kind: str, sleeps: list[float], transport: str
) -> None:
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "wb") as pipe:
        pipe.write(AUDIO[:4096])  # fits in the pipe's buffer: no writer thread needed
    with fail_first(unavailable, TRANSCRIPT) as server:
        with os.fdopen(read_end, "rb") as pipe, pytest.raises(edgen.InternalServerError) as caught:
            run(kind, make(kind, server, max_retries=2), transcribe(pipe))
    assert NOT_RESENT in str(caught.value)
    assert [upload_of(r) for r in server.requests] == [AUDIO[:4096]]


@pytest.mark.parametrize("kind", KINDS)
def test_an_only_read_upload_is_retried_when_nothing_was_read_yet(
    kind: str, closed_port: int, sleeps: list[float]
) -> None:
    # A refused connection happens before the body is touched, so a retry still sends
    # the whole of it: not reading from the reader is what makes that safe to say.
    reader = OnlyRead(AUDIO)
    transport_class = httpx.HTTPTransport if kind == "sync" else httpx.AsyncHTTPTransport
    with fail_first(unavailable, TRANSCRIPT) as server:
        real = transport_class()
        attempts: list[str] = []

        # The first attempt goes to a port nobody listens on; later ones to the server.
        class FirstRefused(transport_class):  # type: ignore[misc,valid-type]
            def _target(self, request: httpx.Request) -> httpx.Request:
                attempts.append(str(request.url))
                if len(attempts) == 1:
                    request.url = request.url.copy_with(port=closed_port)
                else:
                    request.url = request.url.copy_with(port=server.port)
                return request

            def handle_request(self, request: httpx.Request) -> httpx.Response:
                return real.handle_request(self._target(request))

            async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
                return await real.handle_async_request(self._target(request))

        http_class = httpx.Client if kind == "sync" else httpx.AsyncClient
        http = http_class(transport=FirstRefused())
        client = make(kind, server, max_retries=2, http_client=http)
        # The 503 that follows on the server is not retried: by then the body was read.
        with pytest.raises(edgen.InternalServerError) as caught:
            run(kind, client, transcribe(reader))
    assert len(attempts) == 2 and len(sleeps) == 1
    assert NOT_RESENT in str(caught.value)
    assert [upload_of(r) for r in server.requests] == [AUDIO]


@pytest.mark.parametrize("kind", KINDS)
def test_a_seekable_upload_is_retried_with_the_same_bytes(
    kind: str, sleeps: list[float], transport: str
) -> None:
    file = io.BytesIO(AUDIO)
    with fail_first(unavailable, TRANSCRIPT) as server:
        result = run(kind, make(kind, server, max_retries=2), transcribe(file))
    assert result.text == "whose woods these are" and len(sleeps) == 1
    assert [upload_of(r) for r in server.requests] == [AUDIO, AUDIO]
    assert all("content-length" in r.headers for r in server.requests)


# -- an answer that comes before the upload is in --------------------------------------------

BIG_AUDIO = b"RIFF" + bytes(16 << 20)  # more than the socket buffers on both ends hold


def refuse_early(conn: Conn) -> None:
    """Answer 413 after the request's head, read none of its body, then close: the
    unread body makes the close a reset, which meets the client still writing."""
    if conn.read_head() is not None:
        conn.respond(413, b'{"error":{"message":"the file is larger than 1 MiB"}}')
        time.sleep(0.2)


@pytest.mark.parametrize("kind", KINDS)
def test_an_answer_before_the_upload_is_in_is_the_error_raised(
    kind: str, sleeps: list[float], transport: str
) -> None:
    # Not "connection reset by peer", and not three uploads of the whole file: the
    # server said why. On asyncio this needs edgen's own sockets (edgen/_sockets.py).
    with RawServer(refuse_early) as server:
        with pytest.raises(edgen.APIStatusError, match="larger than 1 MiB") as caught:
            run(kind, make(kind, server, max_retries=2), transcribe(BIG_AUDIO))
    assert caught.value.status_code == 413 and sleeps == []
    assert server.connections == 1


def test_an_answer_before_the_upload_is_in_under_trio(sleeps: list[float]) -> None:
    trio = pytest.importorskip("trio")

    async def main() -> None:
        async with AsyncEdgen(base_url=server.url, max_retries=2) as client:
            await transcribe(BIG_AUDIO)(client)

    with RawServer(refuse_early) as server:
        with pytest.raises(edgen.APIStatusError, match="larger than 1 MiB"):
            trio.run(main)
    assert server.connections == 1 and sleeps == []


# -- reading a plain body is retried like connecting (item 6) --------------------------------


def stall_after_headers(conn: Conn, request: Request) -> None:
    conn.send(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 44\r\n\r\n{")
    conn.stall(10)


def cut_error_body(conn: Conn, request: Request) -> None:
    body = b'{"error":{"message":"overloaded"}}'
    conn.send(b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 200\r\n\r\n" + body)
    conn.sock.shutdown(2)  # and no more: the promised 200 bytes never come


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "first", [pytest.param(stall_after_headers, marks=pytest.mark.slow), cut_error_body]
)
def test_a_body_that_fails_halfway_is_retried(
    kind: str, first: Callable[[Conn, Request], None], sleeps: list[float], transport: str
) -> None:
    with fail_first(first, VERSION) as server:
        client = make(kind, server, max_retries=2, timeout=0.5)
        raw = run(kind, client, lambda c: c.misc.version.with_raw_response.create())
    assert raw.retries_taken == 1 and len(sleeps) == 1
    assert raw.http_response.json()["minor"] == 4  # read whole, before the call returned
    assert len(server.requests) == 2


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("first", "error", "said"),
    [
        pytest.param(
            stall_after_headers, edgen.APITimeoutError, "Request timed out", marks=pytest.mark.slow
        ),
        (cut_error_body, edgen.APIConnectionError, "Connection error"),
    ],
)
def test_a_body_that_fails_halfway_with_no_retries_left_raises(
    kind: str, first: Callable[[Conn, Request], None], error: type, said: str, transport: str
) -> None:
    with fail_first(first, VERSION) as server:
        client = make(kind, server, max_retries=0, timeout=0.5)
        with pytest.raises(error) as caught:
            run(kind, client, version())
    assert said in str(caught.value)
    assert len(server.requests) == 1


# -- timeouts (item 10) ------------------------------------------------------------------------


def slow(conn: Conn, request: Request) -> None:
    time.sleep(0.2)
    conn.respond(200, VERSION)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("client_timeout", "call_timeout"),
    [
        (math.inf, None),
        (60.0, math.inf),
        (httpx.Timeout(5.0, read=math.inf), None),
        (1e9, None),  # the longest wait allowed
    ],
    ids=["inf", "per-call-inf", "read-inf", "max"],
)
def test_an_infinite_timeout_means_no_limit(
    kind: str, client_timeout: Any, call_timeout: Any, transport: str
) -> None:
    with RawServer(serve_each(slow)) as server:
        client = make(kind, server, timeout=client_timeout, max_retries=0)
        kwargs = {} if call_timeout is None else {"timeout": call_timeout}
        result = run(kind, client, version(**kwargs))
    assert result.minor == 4


@pytest.mark.parametrize(
    ("timeout", "said"),
    [
        (math.nan, "timeout must be a number of seconds, got nan"),
        (
            1e300,
            "timeout must be at most 1e+09 seconds (math.inf or None for no limit), got 1e+300",
        ),
        (-1, "timeout must not be negative, got -1"),
        (httpx.Timeout(5.0, pool=math.nan), "timeout must be a number of seconds, got Timeout("),
        ("5", "timeout must be a number, an httpx.Timeout or None, not str"),
    ],
)
@pytest.mark.parametrize("where", ["client", "copy", "call"])
def test_a_timeout_no_clock_can_measure_is_refused_before_sending(
    timeout: Any, said: str, where: str
) -> None:
    with RawServer(serve_each(slow)) as server:
        client = Edgen(base_url=server.url)
        with pytest.raises((ValueError, TypeError)) as caught:
            if where == "client":
                Edgen(base_url=server.url, timeout=timeout)
            elif where == "copy":
                client.with_options(timeout=timeout)
            else:
                client.misc.version.create(timeout=timeout)
        client.close()
    assert str(caught.value).startswith(said)
    assert server.requests == []


# -- what is not retried, and what is (items 11, 12) -------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_an_unknown_transcription_session_is_asked_once(
    kind: str, emulator: Any, sleeps: list[float]
) -> None:
    # `SessionNotFound` is the same answer however often it is asked.
    import uuid

    client_class = Edgen if kind == "sync" else AsyncEdgen
    client = client_class(base_url=emulator.url, max_retries=2)
    before = len(emulator.requests)
    with pytest.raises(edgen.InternalServerError) as caught:
        run(
            kind,
            client,
            lambda c: c.audio.transcriptions.create(
                file=AUDIO, model="default", session=uuid.uuid4()
            ),
        )
    assert caught.value.body == {"error": "endpoint", "SessionNotFound": None}
    assert len(emulator.requests) - before == 1 and sleeps == []


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("status", "should_retry", "attempts"),
    [(400, "true", 2), (409, "true", 2), (503, "false", 1), (500, "false", 1), (400, None, 1)],
)
def test_x_should_retry_is_obeyed_both_ways(
    kind: str, status: int, should_retry: str | None, attempts: int, sleeps: list[float]
) -> None:
    headers = {} if should_retry is None else {"x-should-retry": should_retry}

    def refuse(conn: Conn, request: Request) -> None:
        conn.respond(status, b'{"error":{"message":"no"}}', headers)

    with fail_first(refuse, VERSION) as server:
        client = make(kind, server, max_retries=1)
        if attempts == 2:
            assert run(kind, client, version()).minor == 4
        else:
            with pytest.raises(edgen.APIStatusError) as caught:
                run(kind, client, version())
            assert caught.value.status_code == status
    assert len(server.requests) == attempts


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("which", ["client", "copy"])
def test_a_closed_client_says_so(kind: str, which: str) -> None:
    with RawServer(serve_each(slow)) as server:
        client = make(kind, server)
        copy = client.with_options(max_retries=0)
        if isinstance(client, Edgen):
            client.close()
        else:
            asyncio.run(client.close())
        used = client if which == "client" else copy
        with pytest.raises(edgen.ClientClosedError, match="the client has been closed") as caught:
            result = used.misc.version.create()
            if kind == "async":
                asyncio.run(result)
    assert isinstance(caught.value, RuntimeError)  # what httpx raised before, still caught
    assert server.requests == []
