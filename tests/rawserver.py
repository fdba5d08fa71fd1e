"""A hostile HTTP/1.1 server on 127.0.0.1 for reliability tests.

Each accepted connection runs a test's `script(conn)` in its own thread. The script reads
requests with `conn.read_request()` and writes exactly the bytes it chooses: it can cut a
body short, stall, lie about the content type, flood, or reset the connection. Nothing is
sent that the script did not write, which is the point: the emulator is too polite.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Request:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    connection: int  # which accepted connection it came on, from 0

    def json(self) -> Any:
        import json

        return json.loads(self.body)


class Conn:
    """One accepted connection, as a script sees it."""

    def __init__(self, server: RawServer, sock: socket.socket, number: int) -> None:
        self.server = server
        self.sock = sock
        self.number = number
        self._buffer = b""

    def _recv(self) -> bytes:
        data = self.sock.recv(65536)
        if not data:
            raise EOFError
        return data

    def _until(self, marker: bytes) -> bytes:
        while marker not in self._buffer:
            self._buffer += self._recv()
        head, _, self._buffer = self._buffer.partition(marker)
        return head

    def _exactly(self, size: int) -> bytes:
        while len(self._buffer) < size:
            self._buffer += self._recv()
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def read_head(self) -> str | None:
        """The next request's line and headers only, leaving its body unread; None once closed."""
        try:
            return self._until(b"\r\n\r\n").decode("latin-1")
        except (EOFError, OSError):
            return None

    def read_request(self) -> Request | None:
        """The next request on this connection (body read whole), or None once it is closed."""
        try:
            head = self._until(b"\r\n\r\n").decode("latin-1")
            request_line, *lines = head.split("\r\n")
            method, target, _ = request_line.split(" ", 2)
            headers = {}
            for line in lines:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            if headers.get("transfer-encoding", "").lower() == "chunked":
                parts = []
                while True:
                    size = int(self._until(b"\r\n").split(b";")[0], 16)
                    if size == 0:
                        self._until(b"\r\n")  # no trailers are sent by httpx
                        break
                    parts.append(self._exactly(size))
                    self._exactly(2)
                body = b"".join(parts)
            else:
                body = self._exactly(int(headers.get("content-length", "0")))
        except (EOFError, OSError):
            return None
        request = Request(method, target, headers, body, self.number)
        with self.server.lock:
            self.server.requests.append(request)
        return request

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def respond(
        self,
        status: int = 200,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        *,
        content_type: str | None = "application/json",
        chunked: bool = False,
    ) -> None:
        """A complete response (Content-Length, or one chunk and the last-chunk)."""
        lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
        if content_type is not None:
            lines.append(f"content-type: {content_type}")
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        if chunked:
            lines.append("transfer-encoding: chunked")
            payload = (b"%x\r\n%s\r\n" % (len(body), body) if body else b"") + b"0\r\n\r\n"
        else:
            lines.append(f"content-length: {len(body)}")
            payload = body
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload)

    def start_chunked(self, status: int = 200, content_type: str = "text/event-stream") -> None:
        """Headers of a chunked response; follow with `chunk()` calls."""
        self.send(
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}\r\n"
            f"content-type: {content_type}\r\ntransfer-encoding: chunked\r\n\r\n".encode()
        )

    def chunk(self, data: bytes) -> None:
        self.send(b"%x\r\n%s\r\n" % (len(data), data) if data else b"0\r\n\r\n")

    def stall(self, seconds: float = 30.0) -> None:
        """Keep the connection open and silent until the server stops (or `seconds` pass)."""
        self.server.stopping.wait(seconds)

    def wait_closed(self, seconds: float = 30.0) -> bool:
        """Wait (reading and dropping anything sent) until the client closes; False on timeout."""
        self.sock.settimeout(seconds)
        try:
            while self.sock.recv(65536):
                pass
        except OSError:
            return False
        return True

    def reset(self) -> None:
        """Abort with a TCP reset rather than an orderly close."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


@dataclass
class RawServer:
    """`with RawServer(script) as server:` then talk to `server.url` (…/v1/)."""

    script: Callable[[Conn], None]
    requests: list[Request] = field(default_factory=list)
    connections: int = 0
    errors: list[BaseException] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/v1/"
        self._socks: list[socket.socket] = []

    def __enter__(self) -> RawServer:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stopping.set()
        self._listener.close()
        with self.lock:
            for sock in self._socks:
                try:
                    sock.close()
                except OSError:
                    pass

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            with self.lock:
                number = self.connections
                self.connections += 1
                self._socks.append(sock)
            conn = Conn(self, sock, number)
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn: Conn) -> None:
        try:
            self.script(conn)
        except OSError:
            pass  # the client went away: that is the client's business
        except BaseException as exc:  # a broken script should fail its test, not vanish
            self.errors.append(exc)
        finally:
            try:
                conn.sock.close()
            except OSError:
                pass


def serve_each(
    answer: Callable[[Conn, Request], None],
) -> Callable[[Conn], None]:
    """A script that answers every request on a kept-alive connection with `answer`."""

    def script(conn: Conn) -> None:
        while (request := conn.read_request()) is not None:
            answer(conn, request)

    return script


_REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    408: "Request Timeout",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
