# The transport of the pools edgen makes itself (no `http_client=` given).
#
# `httpx.Client()` builds a verifying TLS context in its constructor, loading the whole CA
# bundle (about 20 ms), and imports httpcore (more when trio is installed); a client for
# the usual local `http://` server needs neither. This transport builds the connection
# pool of a scheme on that scheme's first request: `http://` without any TLS, `https://`
# with one verifying context per process, shared by every client edgen makes. The pools
# themselves are in _pool.py, imported with httpcore on the first request.
#
# httpx reads HTTP_PROXY and the like only for a client without a transport of its own, so
# this one reads them itself (`EnvironmentProxies`), when the client is made, and keeps one
# pool per scheme and route (direct or through the proxy), each with the same check.

from __future__ import annotations

import ipaddress
import ssl
import threading
import urllib.request
from collections.abc import Callable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Generic, Literal, TypeVar

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


def _sync_pool(
    ssl_context: ssl.SSLContext | None, limits: httpx.Limits, proxy: httpx.Proxy | None
) -> PoolTransport:
    from ._pool import PoolTransport

    return PoolTransport(ssl_context, limits, proxy)


def _async_pool(
    ssl_context: ssl.SSLContext | None, limits: httpx.Limits, proxy: httpx.Proxy | None
) -> AsyncPoolTransport:
    from ._pool import AsyncPoolTransport

    return AsyncPoolTransport(ssl_context, limits, proxy)


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


# Plain classes rather than dataclasses: `import edgen` should not pay for the dataclasses
# module and the code it generates per class (about 1.5 ms of a cold start).
class _Bypass:
    """One NO_PROXY entry, matched as httpx matches it.

    `example.com` is that name and its subdomains, `.example.com` its subdomains only,
    `localhost` or an address (`127.0.0.1`, `::1`) itself only; `host:port` needs that
    port, and an entry with a scheme (`http://example.com`) that scheme.
    """

    __slots__ = ("scheme", "host", "port", "subdomains")

    def __init__(
        self, scheme: str, host: str, port: int | None, subdomains: Literal["no", "also", "only"]
    ) -> None:
        self.scheme = scheme  # "all" for any
        self.host = host  # "" for any
        self.port = port
        self.subdomains = subdomains

    @classmethod
    def parse(cls, entry: str) -> _Bypass:
        address = entry.split("/")[0]  # httpx reads `10.0.0.0/8` as that one address
        if "://" in entry:
            pattern = entry
        elif _is_address(address) or entry.lower() == "localhost":
            pattern = f"all://[{entry}]" if ":" in address else f"all://{entry}"
        else:
            pattern = f"all://*{entry}"
        url = httpx.URL(pattern)
        host = url.host
        if host == "*":
            return cls(url.scheme, "", url.port, "no")
        if host.startswith("*."):
            return cls(url.scheme, host[1:], url.port, "only")
        if host.startswith("*"):
            return cls(url.scheme, host[1:], url.port, "also")
        return cls(url.scheme, host, url.port, "no")

    def matches(self, url: httpx.URL) -> bool:
        if self.scheme not in ("all", url.scheme) or self.port not in (None, url.port):
            return False
        host = url.host
        if self.subdomains == "only":  # self.host starts with "."
            return host.endswith(self.host) and host != self.host
        if self.subdomains == "also":
            return host == self.host or host.endswith("." + self.host)
        return self.host in ("", host)


class EnvironmentProxies:
    """The proxies a plain `httpx.Client()` would use, as the environment names them."""

    __slots__ = ("by_scheme", "bypass")

    def __init__(self, by_scheme: Mapping[str, httpx.Proxy], bypass: tuple[_Bypass, ...]) -> None:
        self.by_scheme = by_scheme  # "http", "https" and "all" (the fallback)
        self.bypass = bypass

    @classmethod
    def read(cls) -> EnvironmentProxies:
        """HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY (lower-case names win, as in
        urllib and httpx; on macOS and Windows the system settings when none is set)."""
        found = urllib.request.getproxies()
        entries = [entry.strip() for entry in found.get("no", "").split(",")]
        if "*" in entries:
            return cls({}, ())
        by_scheme = {
            scheme: httpx.Proxy(url if "://" in url else f"http://{url}")
            for scheme in ("http", "https", "all")
            if (url := found.get(scheme))
        }
        return cls(by_scheme, tuple(_Bypass.parse(entry) for entry in entries if entry))

    @property
    def has_socks_proxy(self) -> bool:
        """A SOCKS proxy, which httpcore reaches only with the `socksio` package."""
        return any(p.url.scheme in ("socks5", "socks5h") for p in self.by_scheme.values())

    def for_url(self, url: httpx.URL) -> httpx.Proxy | None:
        """The proxy that `url` goes through, or None to connect directly."""
        if not self.by_scheme or any(rule.matches(url) for rule in self.bypass):
            return None
        return self.by_scheme.get(url.scheme) or self.by_scheme.get("all")


_MakePool = Callable[[ssl.SSLContext | None, httpx.Limits, httpx.Proxy | None], _T]


class _Pools(Generic[_T]):
    """One pool per scheme and route (direct, or through the proxy), each made on first use."""

    def __init__(
        self, make: _MakePool[_T], limits: httpx.Limits, proxies: EnvironmentProxies
    ) -> None:
        self._make: _MakePool[_T] = make
        self._limits = limits
        self._proxies = proxies
        self._pools: dict[tuple[str, bool], _T] = {}
        # Two threads sending their first request together must not make two pools
        # (the loser's would never be closed).
        self._lock = threading.Lock()
        self._closed = False

    def for_url(self, url: httpx.URL) -> _T:
        scheme = url.scheme
        proxy = self._proxies.for_url(url)
        key = (scheme, proxy is not None)
        pool = self._pools.get(key)
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
            pool = self._pools.get(key)
            if pool is None:
                pool = self._pools[key] = self._make(ssl_context, self._limits, proxy)
        return pool

    def take_all(self) -> list[_T]:
        with self._lock:
            self._closed = True
            pools = list(self._pools.values())
            self._pools.clear()
        return pools


class LazyTransport(httpx.BaseTransport):
    """`http://` and `https://` pools of a sync client, each made on its first request."""

    def __init__(self, limits: httpx.Limits, proxies: EnvironmentProxies) -> None:
        self._pools = _Pools(_sync_pool, limits, proxies)

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

    def __init__(self, limits: httpx.Limits, proxies: EnvironmentProxies) -> None:
        self._pools = _Pools(_async_pool, limits, proxies)

    def transport_for(self, url: httpx.URL) -> AsyncPoolTransport:
        """The pool that `url`'s requests go through (made now if it is not yet)."""
        return self._pools.for_url(url)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.transport_for(request.url).handle_async_request(request)

    async def aclose(self) -> None:
        for pool in self._pools.take_all():
            await pool.aclose()
