# `DefaultAioHttpClient`: an httpx.AsyncClient whose HTTP/1.1 is parsed by aiohttp (in C)
# instead of h11 (in Python), for async clients that stream a lot. Needs `edgen[aiohttp]`;
# `import edgen` never loads this module, so aiohttp stays out of everyone else's import.

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from typing import Any

import httpx

from ._client import DEFAULT_CONNECTION_LIMITS, DEFAULT_TIMEOUT
from ._types import Timeout

try:
    import aiohttp
    from httpx_aiohttp import AiohttpTransport
except ImportError as exc:
    raise ImportError(
        'edgen.DefaultAioHttpClient needs the httpx-aiohttp package: pip install "edgen[aiohttp]"'
    ) from exc


class DefaultAioHttpClient(httpx.AsyncClient):
    """An `httpx.AsyncClient` on aiohttp's transport, with edgen's default timeout and
    connection limits: `AsyncEdgen(http_client=edgen.DefaultAioHttpClient())`.

    Like any `http_client`, it is yours to close (`async with` or `await aclose()`);
    closing the `AsyncEdgen` leaves it open. Other keyword arguments go to
    httpx.AsyncClient, except `transport`, `mounts` and `proxy`, which would bypass aiohttp.
    """

    def __init__(
        self,
        *,
        timeout: Timeout = DEFAULT_TIMEOUT,
        limits: httpx.Limits = DEFAULT_CONNECTION_LIMITS,
        verify: ssl.SSLContext | str | bool = True,
        follow_redirects: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            timeout=timeout,
            follow_redirects=follow_redirects,
            transport=_Transport(limits=limits, verify=verify),
            **kwargs,
        )


# httpx-aiohttp (0.2.0) turns every aiohttp.ClientConnectionError into httpx.ConnectTimeout:
# a refused, reset or closed connection would reach callers as APITimeoutError. Here a
# timeout stays a timeout; anything else becomes the error httpx's own transport raises.
def _corrected(exc: httpx.TransportError) -> httpx.TransportError:
    cause = exc.__cause__
    if isinstance(cause, (TimeoutError, asyncio.TimeoutError)):
        return exc
    if isinstance(cause, aiohttp.ClientConnectorError):
        return httpx.ConnectError(str(exc))
    if isinstance(exc, httpx.TimeoutException):
        return httpx.ReadError(str(exc))
    return exc


_MAX_DIRTY_CONNECTIONS = 8  # connections tried for one request before giving up


# aiohttp drops a connection whose answer came with extra bytes, when it is given back. Bytes
# that arrive later, while the connection waits in the pool (a second answer sent after a
# pause), are parsed there as an answer and would be handed to the next request on it:
# someone else's completion. So a connection taken from the pool that holds anything is
# closed and another one taken (edgen's own pools do the same, see _pool.py).
class _CheckedConnector(aiohttp.TCPConnector):
    async def connect(
        self, req: aiohttp.ClientRequest, traces: list[Any], timeout: aiohttp.ClientTimeout
    ) -> aiohttp.connector.Connection:
        # Bounded: a server that talks first on every new connection gets refused, not looped.
        for _ in range(_MAX_DIRTY_CONNECTIONS):
            connection = await super().connect(req, traces, timeout)
            protocol = connection.protocol
            if protocol is None or not protocol.should_close:
                return connection
            connection.close()
        raise aiohttp.ServerConnectionError(
            "every connection to the server held bytes no request had asked for yet"
        )


class _Transport(AiohttpTransport):
    def __init__(self, *, limits: httpx.Limits, verify: ssl.SSLContext | str | bool) -> None:
        super().__init__(limits=limits, verify=verify, client=self._session)

    # The session httpx-aiohttp would make (same limits, keep-alive and TLS context), on
    # the connector above. Called on the first request.
    def _session(self) -> aiohttp.ClientSession:
        limit = self.limits.max_connections
        connector = _CheckedConnector(
            keepalive_timeout=self.limits.keepalive_expiry,
            ssl=self.ssl_context,
            limit=0 if limit is None else limit,  # aiohttp's 0 is httpx's None: no limit
        )
        return aiohttp.ClientSession(connector=connector)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await super().handle_async_request(request)
        except httpx.TransportError as exc:
            corrected = _corrected(exc)
            if corrected is exc:
                raise
            raise corrected from exc.__cause__
        except aiohttp.ClientResponseError as exc:
            # An answer aiohttp could not parse: httpx's own transport says the same this way.
            raise httpx.RemoteProtocolError(str(exc)) from exc
        response.stream = _Body(response.stream)
        return response


class _Body(httpx.AsyncByteStream):
    def __init__(self, chunks: Any) -> None:
        self._chunks = chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._chunks:
                yield chunk
        except httpx.TransportError as exc:
            corrected = _corrected(exc)
            if corrected is exc:
                raise
            raise corrected from exc.__cause__

    async def aclose(self) -> None:
        await self._chunks.aclose()
