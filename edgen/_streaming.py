# Streams of server-sent events decoded straight into response types.

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from typing import Any, Generic, TypeVar

import httpx
import msgspec

from . import _compat
from ._exceptions import APIError, APIResponseValidationError
from ._pipeline import connection_error, decoder_for, error_detail, json_or
from ._sse import ServerSentEvent, SSEDecoder

_T = TypeVar("_T")

_DONE = b"[DONE]"

# A server that keeps the body open after `[DONE]` must not hold the caller.
DRAIN_TIMEOUT = 1.0


def _is_error(body: Any) -> bool:
    return isinstance(body, dict) and "error" in body


def event_error(
    event: ServerSentEvent, response: httpx.Response, cause: Exception | None
) -> APIError:
    body = json_or(event.raw, event.data)
    if cause is None or _is_error(body):
        return APIError(error_detail(body), response.request, body=body)
    line = event.data
    message = f"Could not decode a stream chunk ({cause}): {line[:500]!r}"
    return APIResponseValidationError(response, line, message=message)


def not_a_stream_error(response: httpx.Response) -> APIError:
    body = json_or(response.content, response.text)
    if _is_error(body):
        return APIError(error_detail(body), response.request, body=body)
    got = f"{response.headers.get('content-type')!r}: {response.text[:500]!r}"
    message = f"Expected an event stream (text/event-stream), got {got}"
    return APIResponseValidationError(response, body, message=message)


def _is_json(response: httpx.Response) -> bool:
    return response.headers.get("content-type", "").startswith("application/json")  # type: ignore[no-any-return]


# Make the socket reads of `response` give up DRAIN_TIMEOUT seconds from now; returns the
# dict to pop "read" from to undo it (under HTTP/2 an overlapping drain may have done so).
def _cap_reads(response: httpx.Response) -> dict[str, Any]:
    stream: Any = response.extensions.get("network_stream")
    read = getattr(stream, "read", None)
    if read is None:  # e.g. a mocked transport
        return {}
    deadline = time.monotonic() + DRAIN_TIMEOUT

    def capped(max_bytes: int, timeout: float | None = None) -> Any:
        left = max(deadline - time.monotonic(), 0.0)
        return read(max_bytes, left if timeout is None else min(timeout, left))

    try:
        stream.read = capped
    except AttributeError:  # a stream type with __slots__: drain uncapped
        return {}
    return stream.__dict__  # type: ignore[no-any-return]


# Read what follows `[DONE]`: httpcore drops, rather than pools, an unfinished connection.
def _drain(chunks: Iterator[bytes], response: httpx.Response) -> None:
    capped = _cap_reads(response)
    try:
        for _ in chunks:
            pass
    except _compat.READ_ERRORS:
        pass
    finally:
        capped.pop("read", None)


async def _adrain(chunks: AsyncIterator[bytes], response: httpx.Response) -> None:
    capped = _cap_reads(response)
    try:
        async for _ in chunks:
            pass
    except _compat.READ_ERRORS:
        pass
    finally:
        capped.pop("read", None)


class _StreamBase(Generic[_T]):
    def __init__(self, *, cast_to: type[_T], response: httpx.Response) -> None:
        self.response = response
        self._decode = decoder_for(cast_to).decode
        self._closed = False
        self._iterator: Any = None

    # None means the stream is done.
    def _convert(self, event: ServerSentEvent) -> _T | None:
        raw = event.raw
        if raw == _DONE:
            return None
        if event.event is not None and event.event == "error":
            raise event_error(event, self.response, None)
        try:
            return self._decode(raw)
        except (msgspec.ValidationError, msgspec.DecodeError, UnicodeDecodeError) as exc:
            raise event_error(event, self.response, exc) from None

    def _read_error(self, exc: Exception) -> APIError:
        message = f"Connection error while reading the stream: {exc}"
        return connection_error(self.response.request, exc, message)


class Stream(_StreamBase[_T]):
    """Iterate for decoded chunks; `close()` or a `with` block releases the connection."""

    def __iter__(self) -> Iterator[_T]:
        # Only the for-loop holds it: leaving early collects it, releasing the connection.
        return self._iterator or self._events()

    def __next__(self) -> _T:
        if self._iterator is None:
            self._iterator = self._events()
        return next(self._iterator)  # type: ignore[no-any-return]

    def _events(self) -> Iterator[_T]:
        response = self.response
        decoder = SSEDecoder()
        feed = decoder.feed
        convert = self._convert
        if self._closed:
            return
        try:
            if _is_json(response):
                response.read()
                raise not_a_stream_error(response)
            chunks = response.iter_bytes()
            for chunk in chunks:
                for event in feed(chunk):
                    item = convert(event)
                    if item is None:
                        _drain(chunks, response)
                        return
                    yield item
            for event in decoder.flush():
                item = convert(event)
                if item is None:
                    return
                yield item
        except _compat.READ_ERRORS as exc:
            raise self._read_error(exc) from exc
        finally:
            self._closed = True
            response.close()

    def close(self) -> None:
        """Release the connection; further iteration stops."""
        self._closed = True
        self.response.close()
        if self._iterator is not None:
            self._iterator.close()

    def __enter__(self) -> Stream[_T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncStream(_StreamBase[_T]):
    """`Stream` for `async for` and `async with`."""

    def __aiter__(self) -> AsyncIterator[_T]:
        return self._iterator or self._events()

    async def __anext__(self) -> _T:
        if self._iterator is None:
            self._iterator = self._events()
        return await self._iterator.__anext__()  # type: ignore[no-any-return]

    async def _events(self) -> AsyncIterator[_T]:
        response = self.response
        decoder = SSEDecoder()
        feed = decoder.feed
        convert = self._convert
        if self._closed:
            return
        try:
            if _is_json(response):
                await response.aread()
                raise not_a_stream_error(response)
            chunks = response.aiter_bytes()
            async for chunk in chunks:
                for event in feed(chunk):
                    item = convert(event)
                    if item is None:
                        await _adrain(chunks, response)
                        return
                    yield item
            for event in decoder.flush():
                item = convert(event)
                if item is None:
                    return
                yield item
        except _compat.READ_ERRORS as exc:
            raise self._read_error(exc) from exc
        finally:
            self._closed = True
            await response.aclose()

    async def close(self) -> None:
        self._closed = True
        await self.response.aclose()
        if self._iterator is not None:
            await self._iterator.aclose()

    async def __aenter__(self) -> AsyncStream[_T]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
