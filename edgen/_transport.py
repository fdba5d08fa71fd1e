# The transport of the pools edgen makes itself (no `http_client=` given).
#
# `httpx.Client()` builds a verifying TLS context in its constructor, loading the whole CA
# bundle (about 20 ms), and imports httpcore (more when trio is installed); a client for
# the usual local `http://` server needs neither. This transport builds the connection
# pool of a scheme on that scheme's first request: `http://` without any TLS, `https://`
# with one verifying context per process, shared by every client edgen makes. The pools
# themselves are in _pool.py, imported with httpcore on the first request.

from __future__ import annotations

import ssl
import threading
import urllib.request
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Generic, TypeVar

import httpx

if TYPE_CHECKING:
    from ._pool import AsyncPoolTransport, PoolTransport

_T = TypeVar("_T", "PoolTransport", "AsyncPoolTransport")


@cache
def default_ssl_context() -> ssl.SSLContext:
    """The context of edgen's own https pools, made on the process's first https request.

    httpx's own helper, so SSL_CERT_FILE / SSL_CERT_DIR (read then) and certifi's bundle
    behave as with a plain `httpx.Client()`.
    """
    return httpx.create_ssl_context()


def _sync_pool(ssl_context: ssl.SSLContext | None, limits: httpx.Limits) -> PoolTransport:
    from ._pool import PoolTransport

    return PoolTransport(ssl_context, limits)


def _async_pool(ssl_context: ssl.SSLContext | None, limits: httpx.Limits) -> AsyncPoolTransport:
    from ._pool import AsyncPoolTransport

    return AsyncPoolTransport(ssl_context, limits)


def environment_has_proxies() -> bool:
    """True when HTTP_PROXY, HTTPS_PROXY or ALL_PROXY (or the OS settings) name a proxy.

    httpx ignores those for a client given its own transport, so such a process keeps
    httpx's default pool, proxies and all.
    """
    proxies = urllib.request.getproxies()
    return any(proxies.get(scheme) for scheme in ("http", "https", "all"))


class _Pools(Generic[_T]):
    """One pool per scheme, each made on first use."""

    def __init__(
        self, make: Callable[[ssl.SSLContext | None, httpx.Limits], _T], limits: httpx.Limits
    ) -> None:
        self._make: Callable[[ssl.SSLContext | None, httpx.Limits], _T] = make
        self._limits = limits
        self._pools: dict[str, _T] = {}
        # Two threads sending their first request together must not make two pools
        # (the loser's would never be closed).
        self._lock = threading.Lock()
        self._closed = False

    def for_url(self, url: httpx.URL) -> _T:
        scheme = url.scheme
        pool = self._pools.get(scheme)
        if pool is not None:
            return pool
        # The plain-http pool gets no context: it never makes a TLS connection (the routing
        # here sends it none), and if it did, httpcore would build a verifying one.
        if scheme == "https":
            ssl_context: ssl.SSLContext | None = default_ssl_context()
        elif scheme == "http":
            ssl_context = None
        else:
            raise httpx.UnsupportedProtocol(f"edgen sends http:// and https:// only, not {url}")
        with self._lock:
            if self._closed:
                # httpx refuses requests on a closed client before they get here; a pool
                # made now would stay open.
                raise RuntimeError("Cannot send a request, as the client has been closed.")
            pool = self._pools.get(scheme)
            if pool is None:
                pool = self._pools[scheme] = self._make(ssl_context, self._limits)
        return pool

    def take_all(self) -> list[_T]:
        with self._lock:
            self._closed = True
            pools = list(self._pools.values())
            self._pools.clear()
        return pools


class LazyTransport(httpx.BaseTransport):
    """`http://` and `https://` pools of a sync client, each made on its first request."""

    def __init__(self, limits: httpx.Limits) -> None:
        self._pools = _Pools(_sync_pool, limits)

    def transport_for(self, url: httpx.URL) -> PoolTransport:
        """The pool that `url`'s requests go through (made now if it is not yet)."""
        return self._pools.for_url(url)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.transport_for(request.url).handle_request(request)

    def close(self) -> None:
        for pool in self._pools.take_all():
            pool.close()


class AsyncLazyTransport(httpx.AsyncBaseTransport):
    """`http://` and `https://` pools of an async client, each made on its first request."""

    def __init__(self, limits: httpx.Limits) -> None:
        self._pools = _Pools(_async_pool, limits)

    def transport_for(self, url: httpx.URL) -> AsyncPoolTransport:
        """The pool that `url`'s requests go through (made now if it is not yet)."""
        return self._pools.for_url(url)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.transport_for(request.url).handle_async_request(request)

    async def aclose(self) -> None:
        for pool in self._pools.take_all():
            await pool.aclose()
