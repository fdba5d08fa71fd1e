# Plain-TCP connections for async clients on asyncio, read and written with asyncio's own
# socket calls (`loop.sock_recv`, `loop.sock_sendall`) rather than through anyio's streams.
#
# Why: anyio's asyncio streams sit on an asyncio transport, and a transport closes its
# socket the moment a write fails. A server that answers an upload early (413 for a file it
# will not take, 401) and then closes the connection resets the client's write while its
# answer is still waiting, unread, in the socket: the transport's close throws that answer
# away, and the caller is told "connection reset by peer" (and retries the whole upload)
# where the server said why. On a socket of our own, the failed write raises, httpcore goes
# on to read the answer as it does for any write error, and the answer is there, as it is
# for the sync client and under trio.
#
# TLS connections stay on anyio's streams (asyncio has no TLS over bare socket calls).

from __future__ import annotations

import asyncio
import select
import socket
import sys
from collections.abc import Iterable
from typing import Any

import anyio
import anyio.lowlevel
import httpcore


def on_asyncio() -> bool:
    """Whether the calling code runs in an asyncio event loop (not trio)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _is_readable(sock: socket.socket) -> bool:
    # For an idle kept-alive connection, readable means the server closed it (or sent
    # something it should not have): httpcore then drops it rather than reusing it.
    fd = sock.fileno()
    if fd < 0:
        return True  # closed already: as good as a read that returns b""
    if sys.platform == "win32" or not hasattr(select, "poll"):
        return bool(select.select([fd], [], [], 0)[0])
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


class AsyncioSocketStream(httpcore.AsyncNetworkStream):
    """One connection's socket, non-blocking, driven by the running asyncio loop."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._waiting = 0  # calls under way in asyncio's sock_recv / sock_sendall
        self._closed = False

    def _done_waiting(self) -> None:
        self._waiting -= 1
        if self._closed and not self._waiting:
            self._sock.close()  # aclose() left it to us

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        loop = asyncio.get_running_loop()
        self._waiting += 1
        try:
            with anyio.fail_after(timeout):
                # asyncio's call returns at once when bytes are waiting, without letting
                # other tasks run (or a cancellation in): a fast server must not starve them.
                await anyio.lowlevel.checkpoint()
                data = await loop.sock_recv(self._sock, max_bytes)
        except TimeoutError as exc:
            raise httpcore.ReadTimeout(str(exc) or "timed out reading") from exc
        except OSError as exc:
            raise httpcore.ReadError(str(exc)) from exc
        finally:
            self._done_waiting()
        return data

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        loop = asyncio.get_running_loop()
        self._waiting += 1
        try:
            with anyio.fail_after(timeout):
                await loop.sock_sendall(self._sock, buffer)
        except TimeoutError as exc:
            raise httpcore.WriteTimeout(str(exc) or "timed out writing") from exc
        except OSError as exc:
            raise httpcore.WriteError(str(exc)) from exc
        finally:
            self._done_waiting()

    async def aclose(self) -> None:
        self._closed = True
        if not self._waiting:
            self._sock.close()
            return
        # Another task waits on this socket: httpcore closes a pool's connections in use
        # too (`client.close()` during a stream). Closed now, the socket would stay
        # registered with the event loop's selector under its number, which the kernel
        # has already dropped: that wait would last until its timeout, and the next
        # socket given the number, any client's, would fail or never be woken. Shut
        # down, the socket wakes the wait, whose call then closes it (_done_waiting); the
        # error it meets is worded in _pool.py.
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # no longer connected (reset): the wait is woken by that as well

    async def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        # Pools that may need TLS are given anyio's streams instead (see _pool.py).
        raise httpcore.UnsupportedProtocol("TLS over a plain asyncio socket stream")

    def get_extra_info(self, info: str) -> Any:
        if info == "socket":
            return self._sock
        try:
            if info == "client_addr":
                return self._sock.getsockname()
            if info == "server_addr":
                return self._sock.getpeername()
        except OSError:  # closed, or no longer connected
            return None
        if info == "is_readable":
            return _is_readable(self._sock)
        return None


async def connect_tcp(
    host: str,
    port: int,
    timeout: float | None = None,
    local_address: str | None = None,
    socket_options: Iterable[Any] | None = None,
) -> AsyncioSocketStream:
    """A connected non-blocking socket. The host's addresses are tried in turn, each with
    the whole connect timeout, as the sync client's `socket.create_connection()` does."""
    loop = asyncio.get_running_loop()
    error: Exception | None = None
    try:
        with anyio.fail_after(timeout):
            addresses = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except TimeoutError as exc:
        raise httpcore.ConnectTimeout(str(exc) or "timed out resolving the host") from exc
    except OSError as exc:
        raise httpcore.ConnectError(str(exc)) from exc
    for family, kind, proto, _, address in addresses:
        try:
            # Can fail too: an IPv6 address where IPv6 is turned off, no file descriptor left.
            sock = socket.socket(family, kind, proto)
        except OSError as exc:
            error = exc
            continue
        try:
            sock.setblocking(False)
            # Small writes (a request's head) go out at once, as on anyio's streams.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for option in socket_options or ():
                sock.setsockopt(*option)
            if local_address is not None:
                sock.bind((local_address, 0))
            with anyio.fail_after(timeout):
                await loop.sock_connect(sock, address)
        except OSError as exc:  # TimeoutError (fail_after) included
            sock.close()
            error = exc
            continue
        except BaseException:
            sock.close()
            raise
        return AsyncioSocketStream(sock)
    if isinstance(error, TimeoutError):
        raise httpcore.ConnectTimeout(str(error) or "timed out connecting") from error
    raise httpcore.ConnectError(str(error or f"no address found for {host}")) from error
