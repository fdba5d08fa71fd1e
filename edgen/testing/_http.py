"""A small HTTP/1.1 server on asyncio streams.

It supports what HTTP clients such as httpx actually do against Edgen: persistent
connections, ``Content-Length`` and chunked request bodies, ``Expect: 100-continue``,
and responses with ``Content-Length`` or a chunked body (used for SSE). The request
handler is a plain function returning a :class:`Reply`; transport-level behaviour
(stalls, dropped connections, token pacing) is carried out here.
"""

from __future__ import annotations

import asyncio
import sys
import time
import traceback
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus

from ._multipart import MultipartError, MultipartParser, Part, parse_boundary

__all__ = ["HttpServer", "Reply", "Request", "Response", "StreamResponse"]

#: Multipart bodies are kept in the request log only below this size.
MULTIPART_KEEP_LIMIT = 10 * 1024 * 1024

_READ_SIZE = 256 * 1024
_FAST_BODY_LIMIT = 1024 * 1024
_HEADER_LIMIT = 1024 * 1024


@dataclass
class Request:
    """A parsed request with its body fully read."""

    method: str
    path: str
    query: str
    version: str
    headers: dict[str, str]
    body: bytes
    body_size: int
    too_large: bool = False
    parts: list[Part] | None = None
    multipart_error: str | None = None


@dataclass
class Response:
    """A complete response sent with ``Content-Length``."""

    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list[tuple[str, str]])


@dataclass
class StreamResponse:
    """A 200 ``text/event-stream`` response; each event goes out as one HTTP chunk."""

    events: list[bytes]
    prelude: bytes = b""  # e.g. a ": ping" comment, sent with the headers
    delay: float = 0.0  # seconds between events
    headers: list[tuple[str, str]] = field(default_factory=list[tuple[str, str]])


@dataclass
class Reply:
    """What the handler wants done: a response (None closes the connection silently),
    an optional stall before the headers, and an optional abort after ``drop_after``
    events (streams) or body bytes (other responses)."""

    response: Response | StreamResponse | None
    stall: float = 0.0
    drop_after: int | None = None


class _BadRequest(Exception):
    pass


_PHRASES: dict[int, str] = {s.value: s.phrase for s in HTTPStatus}


def reason_phrase(status: int) -> str:
    """The standard reason phrase for a status code."""
    return _PHRASES.get(status, "Unknown")


class _DateCache:
    """RFC 7231 ``Date`` values, formatted at most once per second."""

    def __init__(self) -> None:
        self._second = -1
        self._value = ""

    def get(self) -> str:
        now = int(time.time())
        if now != self._second:
            self._second = now
            self._value = formatdate(now, usegmt=True)
        return self._value


def _is_quiet_error(exc: BaseException | None) -> bool:
    return isinstance(exc, (ConnectionError, asyncio.IncompleteReadError, TimeoutError, OSError))


class HttpServer:
    """Serves ``handler`` on one asyncio loop; create, ``await start()``, ``await close()``."""

    def __init__(self, handler: Callable[[Request], Reply], *, max_body: int) -> None:
        self._handler = handler
        self._max_body = max_body
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._date = _DateCache()

    async def start(self, host: str, port: int) -> tuple[str, int]:
        """Bind and start accepting; returns the bound (host, port)."""
        loop = asyncio.get_running_loop()
        default_handler = loop.get_exception_handler()

        def on_error(lp: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
            # Peers vanishing mid-response is normal for an emulator; keep stderr clean.
            exc = context.get("exception")
            if _is_quiet_error(exc if isinstance(exc, BaseException) else None):
                return
            if default_handler is not None:
                default_handler(lp, context)
            else:
                lp.default_exception_handler(context)

        loop.set_exception_handler(on_error)
        self._server = await asyncio.start_server(
            self._on_connection, host, port, limit=_HEADER_LIMIT, backlog=4096
        )
        sockname = self._server.sockets[0].getsockname()
        return str(sockname[0]), int(sockname[1])

    async def close(self) -> None:
        """Stop listening and abort every open connection."""
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=1.0)
        # Let the transports' connection_lost callbacks run before the loop goes away.
        for _ in range(3):
            await asyncio.sleep(0)

    # -- connection handling -------------------------------------------------

    async def _on_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        self._writers.add(writer)
        try:
            await self._serve_connection(reader, writer)
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # noqa: BLE001 - anything left is a peer problem or an emulator bug
            if not _is_quiet_error(exc):
                traceback.print_exc(file=sys.stderr)
        finally:
            self._writers.discard(writer)
            if task is not None:
                self._tasks.discard(task)
            writer.close()

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                return  # the client closed an idle keep-alive connection
            except asyncio.LimitOverrunError:
                await self._send_simple(writer, 431, "request headers too large")
                return
            try:
                request, keep_alive = await self._read_request(head, reader, writer)
            except _BadRequest as exc:
                await self._send_simple(writer, 400, str(exc))
                return
            try:
                reply = self._handler(request)
            except Exception:  # noqa: BLE001 - report emulator bugs to the client and stderr
                traceback.print_exc(file=sys.stderr)
                reply = Reply(
                    Response(500, b"emulator internal error", "text/plain; charset=utf-8")
                )
            if reply.stall > 0:
                await asyncio.sleep(reply.stall)
            response = reply.response
            if response is None or writer.transport.is_closing():
                return
            if isinstance(response, StreamResponse):
                if request.method == "HEAD":
                    response = Response(200, b"", "text/event-stream")
                else:
                    completed = await self._send_stream(
                        writer, response, reply.drop_after, keep_alive
                    )
                    if not completed or not keep_alive:
                        return
                    continue
            if not await self._send_response(
                writer, request, response, reply.drop_after, keep_alive
            ):
                return
            if not keep_alive:
                return

    async def _read_request(
        self, head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> tuple[Request, bool]:
        lines = head[:-4].decode("latin-1").split("\r\n")
        while lines and not lines[0]:
            lines.pop(0)  # tolerate stray CRLFs between pipelined requests
        if not lines:
            raise _BadRequest("empty request")
        request_line = lines[0].split(" ")
        if len(request_line) != 3 or not request_line[2].startswith("HTTP/1."):
            raise _BadRequest("malformed request line")
        method, target, version = request_line
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if not sep or not name or name != name.strip():
                raise _BadRequest("malformed header line")
            name = name.lower()
            value = value.strip()
            if name in headers:
                headers[name] = headers[name] + ", " + value
            else:
                headers[name] = value
        if target.startswith(("http://", "https://")):
            # Absolute form: keep only the path and query.
            slash = target.find("/", target.find("//") + 2)
            target = target[slash:] if slash >= 0 else "/"
        path, _, query = target.partition("?")

        connection = headers.get("connection", "").lower()
        if version == "HTTP/1.0":
            keep_alive = "keep-alive" in connection
        else:
            keep_alive = "close" not in connection

        if headers.get("expect", "").lower() == "100-continue":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")

        request = Request(method, path, query, version, headers, b"", 0)
        await self._read_body(request, reader)
        return request, keep_alive

    async def _read_body(self, request: Request, reader: asyncio.StreamReader) -> None:
        headers = request.headers
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        length = 0
        if not chunked:
            raw_length = headers.get("content-length")
            if raw_length is not None:
                try:
                    length = int(raw_length)
                except ValueError:
                    raise _BadRequest("invalid content-length") from None
                if length < 0:
                    raise _BadRequest("invalid content-length")
        content_type = headers.get("content-type", "")
        boundary = parse_boundary(content_type) if "multipart" in content_type.lower() else None

        if boundary is None and not chunked and length <= min(_FAST_BODY_LIMIT, self._max_body):
            # The common case: a small JSON body.
            request.body = await reader.readexactly(length) if length else b""
            request.body_size = length
            return

        pieces = self._iter_chunked(reader) if chunked else self._iter_fixed(reader, length)
        parser = MultipartParser(boundary) if boundary is not None else None
        keep_limit = MULTIPART_KEEP_LIMIT if parser is not None else self._max_body
        kept: list[bytes] | None = []
        size = 0
        error: str | None = None
        too_large = False
        async for piece in pieces:
            size += len(piece)
            if too_large:
                continue  # drain the rest so the client gets to read our 413
            if size > self._max_body:
                too_large = True
                kept = None
                continue
            if parser is not None and error is None:
                try:
                    parser.feed(piece)
                except MultipartError as exc:
                    error = str(exc)
            if kept is not None:
                if size <= keep_limit:
                    kept.append(piece)
                else:
                    kept = None
        if parser is not None and error is None and not too_large:
            try:
                parser.finish()
            except MultipartError as exc:
                error = str(exc)
        request.body = b"".join(kept) if kept is not None else b""
        request.body_size = size
        request.too_large = too_large
        if parser is not None:
            request.parts = parser.parts
            request.multipart_error = error

    @staticmethod
    async def _iter_fixed(reader: asyncio.StreamReader, length: int) -> AsyncIterator[bytes]:
        remaining = length
        while remaining:
            piece = await reader.read(min(remaining, _READ_SIZE))
            if not piece:
                raise asyncio.IncompleteReadError(b"", remaining)
            remaining -= len(piece)
            yield piece

    @staticmethod
    async def _iter_chunked(reader: asyncio.StreamReader) -> AsyncIterator[bytes]:
        while True:
            line = await reader.readuntil(b"\r\n")
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise _BadRequest("invalid chunk size") from None
            if size < 0:
                raise _BadRequest("invalid chunk size")
            if size == 0:
                while await reader.readuntil(b"\r\n") != b"\r\n":
                    pass  # trailers are ignored
                return
            remaining = size
            while remaining:
                piece = await reader.read(min(remaining, _READ_SIZE))
                if not piece:
                    raise asyncio.IncompleteReadError(b"", remaining)
                remaining -= len(piece)
                yield piece
            if await reader.readexactly(2) != b"\r\n":
                raise _BadRequest("missing CRLF after chunk")

    # -- writing ------------------------------------------------------------------

    def _head(self, status: int, headers: list[tuple[str, str]], keep_alive: bool) -> bytes:
        lines = [f"HTTP/1.1 {status} {reason_phrase(status)}"]
        lines.extend(f"{name}: {value}" for name, value in headers)
        lines.append(f"date: {self._date.get()}")
        if not keep_alive:
            lines.append("connection: close")
        lines.append("\r\n")
        return "\r\n".join(lines).encode("latin-1")

    async def _send_simple(self, writer: asyncio.StreamWriter, status: int, text: str) -> None:
        body = text.encode()
        headers = [
            ("content-type", "text/plain; charset=utf-8"),
            ("content-length", str(len(body))),
        ]
        writer.write(self._head(status, headers, False) + body)
        await writer.drain()

    async def _send_response(
        self,
        writer: asyncio.StreamWriter,
        request: Request,
        response: Response,
        drop_after: int | None,
        keep_alive: bool,
    ) -> bool:
        """Write a Content-Length response; False when the connection was dropped."""
        headers = list(response.headers)
        if response.content_type is not None:
            headers.append(("content-type", response.content_type))
        headers.append(("content-length", str(len(response.body))))
        body = b"" if request.method == "HEAD" else response.body
        head = self._head(response.status, headers, keep_alive)
        if drop_after is not None and drop_after < len(body):
            writer.write(head + body[:drop_after])
            await writer.drain()
            writer.close()
            return False
        writer.write(head + body)
        await writer.drain()
        return True

    async def _send_stream(
        self,
        writer: asyncio.StreamWriter,
        response: StreamResponse,
        drop_after: int | None,
        keep_alive: bool,
    ) -> bool:
        """Write an SSE response as a chunked body; False when the connection was dropped."""
        headers = [
            ("content-type", "text/event-stream"),
            ("cache-control", "no-cache"),
            *response.headers,
            ("transfer-encoding", "chunked"),
        ]
        head = self._head(200, headers, keep_alive)
        if response.prelude:
            head += b"%x\r\n%s\r\n" % (len(response.prelude), response.prelude)
        events = response.events
        count = len(events) if drop_after is None else min(drop_after, len(events))
        frames = [b"%x\r\n%s\r\n" % (len(event), event) for event in events[:count]]
        transport = writer.transport
        if response.delay <= 0:
            # One write for the whole stream: cheapest for benchmarks sharing our GIL.
            tail = b"0\r\n\r\n" if drop_after is None else b""
            writer.write(head + b"".join(frames) + tail)
            await writer.drain()
        else:
            writer.write(head)
            for index, frame in enumerate(frames):
                if index:
                    await asyncio.sleep(response.delay)
                if transport.is_closing():
                    return False
                writer.write(frame)
                await writer.drain()
            if drop_after is None:
                writer.write(b"0\r\n\r\n")
                await writer.drain()
        if drop_after is not None:
            # Close without the terminating chunk: the client sees an incomplete body.
            writer.close()
            return False
        return True
