"""Streams of server-sent events decoded straight into response types."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from types import TracebackType
from typing import Any, Generic, TypeVar

import httpx
import msgspec

from . import _compat
from ._exceptions import APIConnectionError, APIError, APIResponseValidationError, APITimeoutError
from ._pipeline import decoder_for
from ._sse import ServerSentEvent, SSEDecoder

__all__ = ["Stream", "AsyncStream"]

_T = TypeVar("_T")

_DONE = b"[DONE]"


def event_error(event: ServerSentEvent, response: httpx.Response, cause: Exception) -> APIError:
    """The error for an event that did not decode: an in-band error or a malformed chunk."""
    try:
        body = msgspec.json.decode(event.raw)
    except (msgspec.DecodeError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict) and "error" in body:
        err = body["error"]
        if isinstance(err, dict):
            message = str(err.get("message") or err)
        else:
            message = str(body.get("message") or body.get("reason") or err)
        return APIError(message, response.request, body=body)
    line = event.data
    return APIResponseValidationError(
        response,
        line,
        message=f"Could not decode a stream chunk ({cause}): {line[:500]!r}",
    )


def not_a_stream_error(response: httpx.Response) -> APIError:
    """A 2xx JSON answer where an event stream was expected (body already read)."""
    try:
        body: Any = msgspec.json.decode(response.content)
    except (msgspec.DecodeError, UnicodeDecodeError):
        body = response.text
    if isinstance(body, dict) and "error" in body:
        err = body["error"]
        message = err.get("message", err) if isinstance(err, dict) else err
        return APIError(str(message), response.request, body=body)
    return APIResponseValidationError(
        response,
        body,
        message="Expected an event stream (text/event-stream), got "
        f"{response.headers.get('content-type')!r}: {response.text[:500]!r}",
    )


def _is_json(response: httpx.Response) -> bool:
    return response.headers.get("content-type", "").startswith("application/json")  # type: ignore[no-any-return]


def named_event_error(event: ServerSentEvent, response: httpx.Response) -> APIError:
    try:
        body: Any = msgspec.json.decode(event.raw)
    except (msgspec.DecodeError, UnicodeDecodeError):
        body = event.data
    message = body
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message", inner) if isinstance(inner, dict) else inner
    return APIError(str(message), response.request, body=body)


def transport_error(exc: Exception, request: httpx.Request) -> APIConnectionError:
    """The error for a transport or stream-state failure while reading a stream."""
    if isinstance(exc, _compat.TIMEOUT_ERRORS):
        return APITimeoutError(request)
    if isinstance(exc, _compat.STREAM_ERRORS):  # e.g. the body was already read or closed
        return APIConnectionError(message=str(exc), request=request)
    return APIConnectionError(
        message=f"Connection error while reading the stream: {exc}", request=request
    )


# After `[DONE]` the body normally ends at once; a server that keeps it open
# must not hold the caller until the read timeout (600 s by default).
DRAIN_TIMEOUT = 1.0


def _cap_reads(response: httpx.Response, is_async: bool) -> Any:
    """Make the socket reads of `response` give up DRAIN_TIMEOUT seconds from now.

    Patches `read` on the connection's network stream (httpx's documented
    `network_stream` extension) for the drain only; returns the stream to
    uncap, or None when there is none to cap (e.g. a mocked transport).
    """
    stream: Any = response.extensions.get("network_stream")
    read = getattr(stream, "read", None)
    if read is None:
        return None
    deadline = time.monotonic() + DRAIN_TIMEOUT

    def left(timeout: float | None) -> float:
        rest = max(deadline - time.monotonic(), 0.0)
        return rest if timeout is None else min(timeout, rest)

    if is_async:

        async def capped_async(max_bytes: int, timeout: float | None = None) -> bytes:
            return await read(max_bytes, left(timeout))  # type: ignore[no-any-return]

        capped: Any = capped_async
    else:

        def capped(max_bytes: int, timeout: float | None = None) -> bytes:
            return read(max_bytes, left(timeout))  # type: ignore[no-any-return]

    try:
        stream.read = capped
    except AttributeError:  # a stream type with __slots__: drain uncapped
        return None
    return stream


def _uncap_reads(stream: Any) -> None:
    if stream is not None:
        try:
            del stream.read
        except AttributeError:
            pass


def _drain(chunks: Iterator[bytes], response: httpx.Response) -> None:
    """Read what follows `[DONE]` (normally just the end of the chunked body).

    Closing a response that was not read to its end makes httpcore drop the
    connection instead of returning it to the pool. Bounded by DRAIN_TIMEOUT:
    past that the connection is dropped instead.
    """
    capped = _cap_reads(response, False)
    try:
        for _ in chunks:
            pass
    except _compat.READ_ERRORS:
        pass  # the answer is complete; a broken tail only costs the connection
    finally:
        _uncap_reads(capped)


async def _adrain(chunks: AsyncIterator[bytes], response: httpx.Response) -> None:
    capped = _cap_reads(response, True)
    try:
        async for _ in chunks:
            pass
    except _compat.READ_ERRORS:
        pass
    finally:
        _uncap_reads(capped)


class _StreamBase(Generic[_T]):
    def __init__(self, *, cast_to: type[_T], response: httpx.Response) -> None:
        self.response = response
        self._decode = decoder_for(cast_to).decode
        self._closed = False

    def _convert(self, event: ServerSentEvent) -> _T | None:
        """Decode one event; None means the stream is done."""
        raw = event.raw
        if raw == _DONE:
            return None
        if event.event is not None and event.event == "error":
            raise named_event_error(event, self.response)
        try:
            return self._decode(raw)
        # msgspec raises UnicodeDecodeError for invalid UTF-8 inside a JSON string
        except (msgspec.ValidationError, msgspec.DecodeError, UnicodeDecodeError) as exc:
            raise event_error(event, self.response, exc) from None


class Stream(_StreamBase[_T]):
    """Iterate to receive decoded chunks.

    Leaving a `for` loop early, `close()`, or leaving a `with` block releases
    the connection. A broken connection raises `APIConnectionError`; a stream
    is never retried once it has yielded.
    """

    def __init__(self, *, cast_to: type[_T], response: httpx.Response) -> None:
        super().__init__(cast_to=cast_to, response=response)
        self._iterator: Iterator[_T] | None = None

    def __iter__(self) -> Iterator[_T]:
        # A fresh generator that only the for-loop holds: when the loop is left
        # early the generator is collected, its `finally` runs and the
        # connection goes back. Once next() was used, keep going with that one.
        if self._iterator is not None:
            return self._iterator
        return self._events()

    def __next__(self) -> _T:
        if self._iterator is None:
            self._iterator = self._events()
        return next(self._iterator)

    def _events(self) -> Iterator[_T]:
        response = self.response
        decoder = SSEDecoder()
        feed = decoder.feed
        convert = self._convert
        if self._closed:  # close() came before iteration began
            return
        try:
            try:
                if _is_json(response):
                    response.read()
                    raise not_a_stream_error(response)
                chunks = response.iter_bytes()
                for chunk in chunks:
                    for event in feed(chunk):
                        item = convert(event)
                        if item is None:
                            # read the body's end so the connection is reused
                            _drain(chunks, response)
                            return
                        yield item
                for event in decoder.flush():
                    item = convert(event)
                    if item is None:
                        return
                    yield item
            except _compat.READ_ERRORS as exc:
                raise transport_error(exc, response.request) from exc
        finally:
            self._closed = True  # a later loop over the same stream ends at once
            response.close()

    def close(self) -> None:
        """Release the connection; further iteration stops."""
        self._closed = True
        self.response.close()
        if self._iterator is not None:
            self._iterator.close()  # type: ignore[attr-defined]

    def __enter__(self) -> Stream[_T]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncStream(_StreamBase[_T]):
    """The async twin of `Stream`: `async for`, `await stream.close()`, `async with`."""

    def __init__(self, *, cast_to: type[_T], response: httpx.Response) -> None:
        super().__init__(cast_to=cast_to, response=response)
        self._iterator: AsyncIterator[_T] | None = None

    def __aiter__(self) -> AsyncIterator[_T]:
        if self._iterator is not None:
            return self._iterator
        return self._events()

    async def __anext__(self) -> _T:
        if self._iterator is None:
            self._iterator = self._events()
        return await self._iterator.__anext__()

    async def _events(self) -> AsyncIterator[_T]:
        response = self.response
        decoder = SSEDecoder()
        feed = decoder.feed
        convert = self._convert
        if self._closed:
            return
        try:
            try:
                if _is_json(response):
                    await response.aread()
                    raise not_a_stream_error(response)
                chunks = response.aiter_bytes()
                async for chunk in chunks:
                    for event in feed(chunk):
                        item = convert(event)
                        if item is None:
                            # read the body's end so the connection is reused
                            await _adrain(chunks, response)
                            return
                        yield item
                for event in decoder.flush():
                    item = convert(event)
                    if item is None:
                        return
                    yield item
            except _compat.READ_ERRORS as exc:
                raise transport_error(exc, response.request) from exc
        finally:
            self._closed = True
            await response.aclose()

    async def close(self) -> None:
        self._closed = True
        await self.response.aclose()
        if self._iterator is not None:
            await self._iterator.aclose()  # type: ignore[attr-defined]

    async def __aenter__(self) -> AsyncStream[_T]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
