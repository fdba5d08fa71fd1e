# The httpx transports over httpcore's connection pool that edgen's own pools use.
#
# They do what httpx.HTTPTransport does, plus one check httpcore lacks. HTTP/1.1 has no
# request ids: an answer belongs to a request only by its place on the connection. When a
# server (or a proxy) sends more bytes than its answer declared, httpcore keeps them and
# hands them out as the answer to the *next* request on that connection: a chat completion
# meant for another call, returned without a word. So every connection's socket notes
# whether anything was read after the last request was written; an answer that was
# already waiting before its request went out cannot be that request's, and is refused
# (a retryable connection error) with its connection closed.
#
# Imported on the first request of a client's pool (see _transport.py), which is also
# when httpcore is, so `import edgen` stays without it.

from __future__ import annotations

import socket
import ssl
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import httpcore
import httpx

STALE_ANSWER = (
    "the server's answer was already waiting before the request was sent: bytes it sent "
    "beyond its previous answer on this connection (a wrong Content-Length, or a proxy "
    "that mixes up connections). It was not used, and the connection is closed"
)

CLOSED_WHILE_WAITING = (
    "the connection was closed (by another task or thread) while this call waited on it"
)

# httpcore's errors as httpx's, so callers (and edgen's retry loop) see httpx's classes.
_ERRORS: dict[type[Exception], type[httpx.TransportError]] = {
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.TimeoutException: httpx.TimeoutException,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.NetworkError: httpx.NetworkError,
    httpcore.ProxyError: httpx.ProxyError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
    httpcore.ProtocolError: httpx.ProtocolError,
}


class _HttpxErrors:
    """`with HTTPX_ERRORS:` raises httpcore's errors as httpx's (the most specific that fits)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, _: Any) -> None:
        for cls in kind.__mro__ if kind is not None else ():
            mapped = _ERRORS.get(cls)
            if mapped is not None:
                raise mapped(str(exc)) from exc


HTTPX_ERRORS = _HttpxErrors()


def _core_request(request: httpx.Request) -> httpcore.Request:
    url = request.url
    return httpcore.Request(
        method=request.method,
        url=httpcore.URL(
            scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
        ),
        headers=request.headers.raw,
        content=request.stream,
        extensions=request.extensions,
    )


def _pool_options(
    ssl_context: ssl.SSLContext | None, limits: httpx.Limits, proxy: httpx.Proxy | None
) -> dict[str, Any]:
    options: dict[str, Any] = {
        "ssl_context": ssl_context,
        "max_connections": limits.max_connections,
        "max_keepalive_connections": limits.max_keepalive_connections,
        "keepalive_expiry": limits.keepalive_expiry,
    }
    if proxy is not None:
        # For httpcore's HTTPProxy pool: http:// requests go to the proxy in absolute form,
        # https:// ones through a CONNECT tunnel, with TLS (`ssl_context`) to the server.
        options.update(proxy_url=str(proxy.url), proxy_auth=proxy.raw_auth)
    return options


# -- sync --


class _WatchedStream(httpcore.NetworkStream):
    """A connection's socket, noting whether anything was read since the last write."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream
        self.read_since_write = False
        self._closed = False

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        # A read (or write) woken by close() in another thread fails or reads nothing;
        # either way the error says what happened.
        try:
            data = self._stream.read(max_bytes, timeout)
        except httpcore.ReadError:
            if self._closed:
                raise httpcore.ReadError(CLOSED_WHILE_WAITING) from None
            raise
        if self._closed:
            raise httpcore.ReadError(CLOSED_WHILE_WAITING)
        self.read_since_write = True
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.read_since_write = False
        try:
            self._stream.write(buffer, timeout)
        except httpcore.WriteError:
            if self._closed:
                raise httpcore.WriteError(CLOSED_WHILE_WAITING) from None
            raise
        if self._closed:
            raise httpcore.WriteError(CLOSED_WHILE_WAITING)

    def close(self) -> None:
        self._closed = True
        # Another thread may be waiting in this socket's recv or send: httpcore closes a
        # pool's connections in use too (`client.close()` during a stream). Closing the
        # descriptor does not wake that thread, which would wait out its read timeout;
        # shutting the connection down does. Plain sockets only: an SSLSocket's
        # shutdown() drops its TLS state under the waiting thread.
        sock = self._stream.get_extra_info("socket")
        if type(sock) is socket.socket:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # no longer connected
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _WatchedStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _WatchedBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return _WatchedStream(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class _Body(httpx.SyncByteStream):
    def __init__(self, core: Iterable[bytes]) -> None:
        self._core = core

    def __iter__(self) -> Iterator[bytes]:
        with HTTPX_ERRORS:
            yield from self._core

    def close(self) -> None:
        self._core.close()  # type: ignore[attr-defined]  # httpcore's response streams have it


class PoolTransport(httpx.BaseTransport):
    """httpcore's pool behind httpx's transport interface, refusing misplaced answers."""

    def __init__(
        self,
        ssl_context: ssl.SSLContext | None,
        limits: httpx.Limits,
        proxy: httpx.Proxy | None = None,
    ) -> None:
        pool = httpcore.ConnectionPool if proxy is None else httpcore.HTTPProxy
        self.pool = pool(
            **_pool_options(ssl_context, limits, proxy), network_backend=_WatchedBackend()
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with HTTPX_ERRORS:
            answer = self.pool.handle_request(_core_request(request))
        stream = answer.extensions.get("network_stream")
        if isinstance(stream, _WatchedStream) and not stream.read_since_write:
            # Closed before its body is read, so httpcore drops the connection too.
            answer.close()
            raise httpx.RemoteProtocolError(STALE_ANSWER, request=request)
        return httpx.Response(
            answer.status,
            headers=answer.headers,
            stream=_Body(answer.stream),  # type: ignore[arg-type]
            extensions=answer.extensions,
        )

    def close(self) -> None:
        self.pool.close()


# -- async: the same, awaited --


class _AsyncWatchedStream(httpcore.AsyncNetworkStream):
    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self._stream = stream
        self.read_since_write = False
        self._closed = False

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            data = await self._stream.read(max_bytes, timeout)
        except httpcore.ReadError:
            if self._closed:
                raise httpcore.ReadError(CLOSED_WHILE_WAITING) from None
            raise
        if self._closed:
            raise httpcore.ReadError(CLOSED_WHILE_WAITING)
        self.read_since_write = True
        return data

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.read_since_write = False
        try:
            await self._stream.write(buffer, timeout)
        except httpcore.WriteError:
            if self._closed:
                raise httpcore.WriteError(CLOSED_WHILE_WAITING) from None
            raise
        if self._closed:
            raise httpcore.WriteError(CLOSED_WHILE_WAITING)

    async def aclose(self) -> None:
        # On asyncio, a call waiting on the socket is woken by _sockets.py, under trio
        # and on anyio's streams by the close itself.
        self._closed = True
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._stream.start_tls(ssl_context, server_hostname, timeout)
        return _AsyncWatchedStream(stream)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _AsyncWatchedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, plain: bool) -> None:
        # anyio's backend, which also runs under trio; on asyncio, a pool that never starts
        # TLS uses sockets of its own instead, so that an early answer survives (_sockets.py).
        self._backend = httpcore.AnyIOBackend()
        self._plain = plain

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        # Here, not at the top: _sockets imports asyncio (about 10 ms), which a sync
        # client never needs.
        from ._sockets import connect_tcp, on_asyncio

        stream: httpcore.AsyncNetworkStream
        if self._plain and on_asyncio():
            stream = await connect_tcp(host, port, timeout, local_address, socket_options)
        else:
            stream = await self._backend.connect_tcp(
                host, port, timeout, local_address, socket_options
            )
        return _AsyncWatchedStream(stream)

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


class _AsyncBody(httpx.AsyncByteStream):
    def __init__(self, core: AsyncIterator[bytes]) -> None:
        self._core = core

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with HTTPX_ERRORS:
            async for part in self._core:
                yield part

    async def aclose(self) -> None:
        await self._core.aclose()  # type: ignore[attr-defined]


class AsyncPoolTransport(httpx.AsyncBaseTransport):
    """The async `PoolTransport`."""

    def __init__(
        self,
        ssl_context: ssl.SSLContext | None,
        limits: httpx.Limits,
        proxy: httpx.Proxy | None = None,
    ) -> None:
        pool = httpcore.AsyncConnectionPool if proxy is None else httpcore.AsyncHTTPProxy
        # No TLS anywhere: not to the server, not to the proxy.
        plain = ssl_context is None and (proxy is None or proxy.url.scheme == "http")
        self.pool = pool(
            **_pool_options(ssl_context, limits, proxy),
            network_backend=_AsyncWatchedBackend(plain),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        with HTTPX_ERRORS:
            answer = await self.pool.handle_async_request(_core_request(request))
        stream = answer.extensions.get("network_stream")
        if isinstance(stream, _AsyncWatchedStream) and not stream.read_since_write:
            await answer.aclose()
            raise httpx.RemoteProtocolError(STALE_ANSWER, request=request)
        return httpx.Response(
            answer.status,
            headers=answer.headers,
            stream=_AsyncBody(answer.stream),  # type: ignore[arg-type]
            extensions=answer.extensions,
        )

    async def aclose(self) -> None:
        await self.pool.aclose()
