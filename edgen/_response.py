# Raw responses: what `.with_raw_response` and `.with_streaming_response` return.

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Generic, TypeVar

import httpx

from ._logs import redact_url

_T = TypeVar("_T")


class _BaseResponse(Generic[_T]):
    def __init__(
        self,
        http_response: httpx.Response,
        parser: Callable[[httpx.Response], Any],
        retries_taken: int,
    ) -> None:
        self.http_response = http_response
        self._parser = parser
        self._parsed: Any = _UNPARSED
        self.retries_taken = retries_taken
        # Fixed once the response has begun.
        self.headers = http_response.headers
        self.status_code = http_response.status_code
        self.url = http_response.url
        self.method = http_response.request.method
        self.http_version = http_response.http_version

    @property
    def http_request(self) -> httpx.Request:
        """The request this answers (as sent, after any retries)."""
        return self.http_response.request

    @property
    def request_id(self) -> str | None:
        """The server's `x-request-id` header, to quote in a bug report (None without it)."""
        request_id: str | None = self.http_response.headers.get("x-request-id")
        return request_id

    @property
    def elapsed(self) -> Any:
        return self.http_response.elapsed

    @property
    def is_closed(self) -> bool:
        return self.http_response.is_closed

    def __repr__(self) -> str:
        return f"<{type(self).__name__} [{self.status_code}] {self.method} {redact_url(self.url)}>"


_UNPARSED = object()


class APIResponse(_BaseResponse[_T]):
    """An HTTP response, and `.parse()` for the method's result."""

    def parse(self) -> _T:
        """What the plain method would have returned (for a stream: the `Stream`)."""
        if self._parsed is _UNPARSED:
            self._parsed = self._parser(self.http_response)
        return self._parsed  # type: ignore[no-any-return]

    def read(self) -> bytes:
        return self.http_response.read()

    @property
    def content(self) -> bytes:
        return self.http_response.read()

    def text(self) -> str:
        self.http_response.read()
        return self.http_response.text

    def json(self) -> Any:
        self.http_response.read()
        return self.http_response.json()

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        return self.http_response.iter_bytes(chunk_size)

    def iter_text(self, chunk_size: int | None = None) -> Iterator[str]:
        return self.http_response.iter_text(chunk_size)

    def iter_lines(self) -> Iterator[str]:
        return self.http_response.iter_lines()

    def close(self) -> None:
        self.http_response.close()


class AsyncAPIResponse(_BaseResponse[_T]):
    """`APIResponse` with awaitable reading and parsing."""

    async def parse(self) -> _T:
        if self._parsed is _UNPARSED:
            self._parsed = await self._parser(self.http_response)
        return self._parsed  # type: ignore[no-any-return]

    async def read(self) -> bytes:
        return await self.http_response.aread()

    async def text(self) -> str:
        await self.http_response.aread()
        return self.http_response.text

    async def json(self) -> Any:
        await self.http_response.aread()
        return self.http_response.json()

    def iter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        return self.http_response.aiter_bytes(chunk_size)

    def iter_text(self, chunk_size: int | None = None) -> AsyncIterator[str]:
        return self.http_response.aiter_text(chunk_size)

    def iter_lines(self) -> AsyncIterator[str]:
        return self.http_response.aiter_lines()

    async def close(self) -> None:
        await self.http_response.aclose()


class ResponseContextManager(Generic[_T]):
    """`with client.x.with_streaming_response.create(...) as response:`; closes on exit."""

    def __init__(self, send: Callable[[], APIResponse[_T]]) -> None:
        self._send = send

    def __enter__(self) -> APIResponse[_T]:
        self._response = self._send()
        return self._response

    def __exit__(self, *exc_info: object) -> None:
        self._response.close()


class AsyncResponseContextManager(Generic[_T]):
    """`async with client.x.with_streaming_response.create(...) as response:`."""

    def __init__(self, send: Callable[[], Awaitable[AsyncAPIResponse[_T]]]) -> None:
        self._send = send

    async def __aenter__(self) -> AsyncAPIResponse[_T]:
        self._response = await self._send()
        return self._response

    async def __aexit__(self, *exc_info: object) -> None:
        await self._response.close()
