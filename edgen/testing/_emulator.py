# EdgenEmulator: the emulated server on background threads, and its command line.

from __future__ import annotations

import argparse
import signal
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.client import responses
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

from ._records import RecordedRequest, record
from ._routes import App, Fault, Response

if TYPE_CHECKING:
    from typing_extensions import Self


class _Handler(BaseHTTPRequestHandler):
    # One connection: reads each request whole, lets the app answer, writes the reply.
    protocol_version = "HTTP/1.1"  # keep-alive, pipelining and 100-continue come with it
    default_request_version = "HTTP/1.1"  # so a garbage request line gets a status line
    disable_nagle_algorithm = True  # or a paced event may wait for the last one's ACK
    server: _Server

    def handle(self) -> None:
        self.server.connections.add(self.connection)  # for stop() to close
        try:
            if not self.server.stopping.is_set():  # else stop() may have missed it
                super().handle()
        except OSError:
            pass  # a peer gone mid-response
        finally:
            self.server.connections.discard(self.connection)

    def _serve(self) -> None:
        app = self.server.app
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            request = record(self.command, self.path, headers, *self._read_body(app.max_body))
        except ValueError:
            self.send_error(400)  # a bad length or chunk size
            return
        response = app.handle(request, self.server.stopping)
        if response is None:
            self.close_connection = True
        else:
            self._write(response)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _serve

    def _read_body(self, limit: int) -> tuple[bytes, int]:
        # The body and its size; one over the limit is read to its end but not kept.
        rfile, kept, size = self.rfile, [], 0
        chunked = "chunked" in self.headers.get("transfer-encoding", "").lower()
        if chunked:
            lengths: Any = iter(lambda: int(rfile.readline().split(b";")[0], 16), 0)
        else:
            lengths = [int(self.headers.get("content-length") or 0)]
        for length in lengths:
            while length > 0:
                # Under the limit in one piece, to spare a copy.
                piece = rfile.read(length if size + length <= limit else min(length, 1 << 20))
                if not piece:
                    raise ConnectionError("the body was cut short")
                length -= len(piece)
                size += len(piece)
                if size <= limit:
                    kept.append(piece)
                else:
                    kept.clear()  # over the limit: free what was kept
            if chunked:
                rfile.readline()  # the CRLF after the chunk
        while chunked and rfile.readline().strip():
            pass  # trailers, up to the blank line that ends the body
        return b"".join(kept), size  # kept is empty over the limit

    def _write(self, response: Response) -> None:
        cut, events = response.drop_after, response.events
        head = [f"HTTP/1.1 {response.status} {responses.get(response.status, '')}"]
        head += map(": ".join, response.headers)
        if events is None:
            head.append(f"content-length: {len(response.body)}")
            frames = [b"" if self.command == "HEAD" else response.body[:cut]]
        else:
            head += (
                "content-type: text/event-stream",
                "cache-control: no-cache",
                "transfer-encoding: chunked",
            )
            events = [response.prelude, *events[:cut], response.epilogue if cut is None else b""]
            frames = [b"%x\r\n%s\r\n" % (len(event), event) if event else b"" for event in events]
            if cut is None:
                frames.append(b"0\r\n\r\n")  # the last, empty chunk ends the body
        if self.close_connection:
            head.append("connection: close")
        frames.insert(0, ("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        if response.delay <= 0:
            frames = [b"".join(frames)]  # one write: cheapest for benchmarks
        for index, frame in enumerate(frames):  # the head, the prelude, then the events
            if index - 2 in response.paced and self.server.stopping.wait(response.delay):
                self.close_connection = True  # stop() came: the stream ends here
                return
            self.wfile.write(frame)
        if cut is not None:
            self.close_connection = True  # so the client sees the body cut


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False  # stop() closes the connections instead of waiting for them
    allow_reuse_address = True
    request_queue_size = 1024

    def __init__(self, address: tuple[str, int], app: App) -> None:
        self.app = app
        self.connections: set[socket.socket] = set()
        self.stopping = threading.Event()  # ends stalls and paced streams at stop()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)


@dataclass(eq=False)
class EdgenEmulator(App):
    """An emulated Edgen server on background threads; a context manager, sync or async."""

    # dialect="openai" speaks like llama.cpp's server. Output is deterministic for the
    # seed and the request. Settings, models (id -> created), status (AIStatus by chat,
    # embeddings and audio) and sessions may change while it runs.
    host: str = "127.0.0.1"
    port: int = 0  # the bound port while running
    _server: _Server | None = field(default=None, init=False, repr=False)

    @property
    def running(self) -> bool:
        """True between start() and stop()."""
        return self._server is not None

    @property
    def base_url(self) -> str:
        """``http://host:port``, without ``/v1``."""
        if not self.port:
            raise RuntimeError("EdgenEmulator is not running; call start() first")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        """The API base URL, ending in ``/v1/``."""
        return self.base_url + "/v1/"

    def start(self) -> Self:
        """Start serving on a background thread (no-op when already running)."""
        if self._server is None:
            self._server = server = _Server((self.host, self.port), self)
            self._requested_port, self.port = self.port, server.server_address[1]
            # Polling every 10 ms lets stop() return quickly.
            threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop listening and close every connection (no-op when not running)."""
        server, self._server = self._server, None
        if server is not None:
            self.port = self._requested_port
            server.stopping.set()
            server.shutdown()
            server.server_close()
            for connection in list(server.connections):
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed by the peer

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        return self.start()  # binding is quick: no need to leave the loop

    async def __aexit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of the recorded requests, oldest first."""
        return self.wait_for_requests(0)

    def clear_requests(self) -> None:
        """Empty the request log."""
        with self._lock:
            self._recorded.clear()

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> list[RecordedRequest]:
        """Wait for ``count`` or more recorded requests (else TimeoutError); the log."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self._recorded) >= count, timeout):
                raise TimeoutError(f"{len(self._recorded)} of {count} requests after {timeout} s")
            return list(self._recorded)

    def add_model(self, model_id: str, created: int | None = None) -> None:
        """Register a model so ``/models`` lists it."""
        self.models[model_id] = int(time.time()) if created is None else created

    def inject(self, spec: str | Fault, times: int | None = None, path: str | None = None) -> Fault:
        """Queue a fault for the next ``times`` requests (default: the spec's, or 1)."""
        # path: a route such as "/chat/completions" (/v1 optional) or a glob such as
        # "/models/*"; None matches all.
        fault = Fault.parse(spec) if isinstance(spec, str) else spec
        count = times if times is not None else (fault.times or 1)
        if count < 1:
            raise ValueError("times must be >= 1")
        with self._lock:
            self._pending += [(fault, path and path.removeprefix("/v1"))] * count
        return fault

    def clear_faults(self) -> None:
        """Drop queued faults and reset the counters of header faults."""
        with self._lock:
            self._pending.clear()
            self._fault_counts.clear()


def serve_forever(argv: Sequence[str] | None = None, prog: str = "python -m edgen.testing") -> int:
    """Serve until SIGINT or SIGTERM; prints the base URL as the first stdout line."""
    parser = argparse.ArgumentParser(prog, description="Run an Edgen emulator.")
    parser.add_argument("--dialect", choices=("edgen", "openai"), default="edgen")
    parser.add_argument("--strict-models", action="store_true")
    # json_object: take response formats as llama-cpp-python's server does.
    parser.add_argument(
        "--structured-outputs", choices=("json_schema", "json_object"), default="json_schema"
    )
    options = {
        "host": "127.0.0.1",
        "port": 33322,
        "seed": 0,
        "tokens": 8,
        "token-delay": 0.0,
        "embedding-dim": 768,
    }
    for option, default in options.items():
        parser.add_argument("--" + option, type=type(default), default=default, help="%(default)s")
    server = EdgenEmulator(**vars(parser.parse_args(argv)))
    try:
        server.start()
    except OSError as exc:
        print(f"cannot listen on {server.host}:{server.port}: {exc}", file=sys.stderr)
        return 1
    previous = None
    try:
        if threading.current_thread() is threading.main_thread():  # only it may set handlers
            previous = signal.signal(signal.SIGTERM, signal.default_int_handler)  # as Ctrl+C
        print(server.url, flush=True)
        while True:  # short sleeps: a signal that another thread caught is handled after one
            time.sleep(0.5)
    except KeyboardInterrupt:
        return 0
    finally:
        server.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
