# `DefaultAioHttpClient`: an httpx.AsyncClient whose HTTP/1.1 is parsed by aiohttp (in C)
# instead of h11 (in Python), for async clients that stream a lot. Needs `edgen[aiohttp]`;
# `import edgen` never loads this module, so aiohttp stays out of everyone else's import.

from __future__ import annotations

from typing import Any

import httpx

from ._client import DEFAULT_CONNECTION_LIMITS, DEFAULT_TIMEOUT
from ._types import Timeout

try:
    from httpx_aiohttp import HttpxAiohttpClient
except ImportError as exc:
    raise ImportError(
        'edgen.DefaultAioHttpClient needs the httpx-aiohttp package: pip install "edgen[aiohttp]"'
    ) from exc


class DefaultAioHttpClient(HttpxAiohttpClient):
    """An `httpx.AsyncClient` on aiohttp's transport, with edgen's default timeout and
    connection limits: `AsyncEdgen(http_client=edgen.DefaultAioHttpClient())`.

    Like any `http_client`, it is yours to close (`async with` or `await aclose()`);
    closing the `AsyncEdgen` leaves it open. Other keyword arguments go to httpx.AsyncClient.
    """

    def __init__(
        self,
        *,
        timeout: Timeout = DEFAULT_TIMEOUT,
        limits: httpx.Limits = DEFAULT_CONNECTION_LIMITS,
        follow_redirects: bool = False,
        **kwargs: Any,
    ) -> None:
        # The transport is built by HttpxAiohttpClient from these arguments (and a proxy from
        # the environment gets one too), so `limits` and `verify` reach aiohttp's connector.
        super().__init__(timeout=timeout, limits=limits, follow_redirects=follow_redirects, **kwargs)
