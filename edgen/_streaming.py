# Streams of server-sent events decoded straight into response types.

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Generic, TypeVar

import httpx
import msgspec

from ._compat import HTTPX, HTTPPackage
from ._exceptions import APIError, APIResponseValidationError
from ._pipeline import connection_error, decoder_for, error_detail, json_or
from ._sse import DEFAULT_MAX_EVENT_SIZE, EventTooLarge, ServerSentEvent, SSEDecoder

_T = TypeVar("_T")

_DONE = b"[DONE]"

# How long an async stream waits for the end of the body after `[DONE]` (see _adrain).
DRAIN_TIMEOUT = 1.0
# How much of a body that is not an event stream is read for the error message.
PEEK_SIZE = 64 * 1024


class _State:
    """What a stream shares with its event generator.

    The generator holds this, never the stream: dropping a half-read stream then drops the
    generator at once, and its `finally` gives the connection back. (A generator holding
    the stream that holds it would wait for the garbage collector.)
    """

    __slots__ = ("closed", "done")

    def __init__(self) -> None:
        self.closed = False
        self.done = False  # the server sent `[DONE]` (the OpenAI dialect's end)


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


# A 2xx answer to stream=True that is no event stream: a JSON error, a proxy's login page,
# a whole completion from a server that ignored `stream`. `head` is the start of its body.
def not_a_stream_error(response: httpx.Response, head: bytes) -> APIError:
    text = head.decode("utf-8", errors="replace")
    body = json_or(head, text)
    if _is_error(body):
        return APIError(error_detail(body), response.request, body=body)
    content_type = response.headers.get("content-type")
    got = f"content type {content_type!r}" if content_type else "no content type"
    got += f" and a body starting {text[:500]!r}" if text else " and an empty body"
    message = f"Expected an event stream (text/event-stream) for stream=True, got {got}"
    return APIResponseValidationError(response, body, message=message)


# llama.cpp answers a prompt that does not fit its context with an empty event stream.
def empty_stream_error(response: httpx.Response, done: bool) -> APIResponseValidationError:
    how = "ended with [DONE]" if done else "ended"
    message = (
        f"The event stream {how} without a single chunk: the server took the request but "
        "gave no answer (a prompt too long for the model's context does this on llama.cpp)"
    )
    return APIResponseValidationError(response, None, message=message)


def _too_large_error(response: httpx.Response, exc: EventTooLarge) -> APIResponseValidationError:
    message = (
        f"{exc}; the stream was closed. If the server means to send events that large, "
        "raise the client's max_event_size"
    )
    return APIResponseValidationError(response, None, message=message)


def _read_error(response: httpx.Response, exc: Exception, package: HTTPPackage) -> APIError:
    what = "Connection error while reading the stream"
    return connection_error(response.request, exc, what, timeout_errors=package.timeout_errors)


def _is_event_stream(response: httpx.Response) -> bool:
    media_type = response.headers.get("content-type", "").partition(";")[0]
    return media_type.strip().lower() == "text/event-stream"  # type: ignore[no-any-return]


# Turns one event into an item, or None for `[DONE]`; raises for error events.
def _converter(
    decode: Callable[[bytes], _T], response: httpx.Response, state: _State
) -> Callable[[ServerSentEvent], _T | None]:
    def convert(event: ServerSentEvent) -> _T | None:
        raw = event.raw
        if raw == _DONE:
            state.done = True
            return None
        if event.event is not None and event.event == "error":
            raise event_error(event, response, None)
        try:
            return decode(raw)
        except (msgspec.ValidationError, msgspec.DecodeError, UnicodeDecodeError) as exc:
            raise event_error(event, response, exc) from None

    return convert


# After `[DONE]`, an async stream reads what is left of the body (normally just its end,
# sent together with `[DONE]`): httpcore pools a connection only if its body was read to the
# end. A server that keeps the body open must not hold the caller, so the reading stops after
# DRAIN_TIMEOUT and the connection is closed instead.
#
# A sync stream does not wait at all: its reads run with the request's read timeout (10
# minutes by default), set before the body began, and nothing public can shorten one read
# or interrupt it. It closes the connection at `[DONE]`; the next request opens another.
async def _adrain(chunks: AsyncIterator[bytes], read_errors: tuple[type[Exception], ...]) -> None:
    import anyio  # httpx depends on it; imported here, as only the end of a stream needs it

    with anyio.move_on_after(DRAIN_TIMEOUT):  # cancels the read in progress, then goes on
        try:
            async for _ in chunks:
                pass
        except read_errors:
            pass  # broken after the last event: nothing the caller needed was lost


def _peek(response: httpx.Response) -> bytes:
    head = b""
    for part in response.iter_bytes():
        head += part
        if len(head) >= PEEK_SIZE:
            break
    return head


async def _apeek(response: httpx.Response) -> bytes:
    head = b""
    async for part in response.aiter_bytes():
        head += part
        if len(head) >= PEEK_SIZE:
            break
    return head


def _events(
    response: httpx.Response,
    decode: Callable[[bytes], _T],
    state: _State,
    max_event_size: int | None,
    package: HTTPPackage,
) -> Iterator[_T]:
    if state.closed:
        return
    read_errors = package.read_errors
    convert = _converter(decode, response, state)
    decoder = SSEDecoder(max_event_size)
    feed = decoder.feed
    some = False  # a chunk was yielded
    try:
        if not _is_event_stream(response):
            raise not_a_stream_error(response, _peek(response))
        chunks = response.iter_bytes()
        for chunk in chunks:
            for event in feed(chunk):
                item = convert(event)
                if item is None:
                    break
                some = True
                yield item
            if state.done:
                break  # the connection is closed below, not drained: see _adrain
        if not state.done:
            for event in decoder.flush():
                item = convert(event)
                if item is None:
                    break
                some = True
                yield item
        if not some:
            raise empty_stream_error(response, state.done)
    except read_errors as exc:
        raise _read_error(response, exc, package) from exc
    except EventTooLarge as exc:
        raise _too_large_error(response, exc) from None
    finally:
        state.closed = True
        response.close()


async def _aevents(
    response: httpx.Response,
    decode: Callable[[bytes], _T],
    state: _State,
    max_event_size: int | None,
    package: HTTPPackage,
) -> AsyncIterator[_T]:
    if state.closed:
        return
    read_errors = package.read_errors
    convert = _converter(decode, response, state)
    decoder = SSEDecoder(max_event_size)
    feed = decoder.feed
    some = False
    try:
        if not _is_event_stream(response):
            raise not_a_stream_error(response, await _apeek(response))
        chunks = response.aiter_bytes()
        async for chunk in chunks:
            for event in feed(chunk):
                item = convert(event)
                if item is None:
                    break
                some = True
                yield item
            if state.done:
                await _adrain(chunks, read_errors)
                break
        if not state.done:
            for event in decoder.flush():
                item = convert(event)
                if item is None:
                    break
                some = True
                yield item
        if not some:
            raise empty_stream_error(response, state.done)
    except read_errors as exc:
        raise _read_error(response, exc, package) from exc
    except EventTooLarge as exc:
        raise _too_large_error(response, exc) from None
    finally:
        state.closed = True
        await response.aclose()


class _StreamBase(Generic[_T]):
    def __init__(
        self,
        *,
        cast_to: type[_T],
        response: httpx.Response,
        max_event_size: int | None = DEFAULT_MAX_EVENT_SIZE,
        http_package: HTTPPackage = HTTPX,
    ) -> None:
        self.response = response
        self._decode = decoder_for(cast_to).decode
        self._max_event_size = max_event_size
        # The package `response` comes from: its read errors are caught mid-stream.
        self._http_package = http_package
        self._state = _State()
        self._iterator: Any = None


class Stream(_StreamBase[_T]):
    """Iterate for decoded chunks; `close()` or a `with` block releases the connection."""

    _handed_out = False  # __iter__ gave a generator away (a class default for __del__)

    def __iter__(self) -> Iterator[_T]:
        # Only the for-loop holds it: leaving early collects it, releasing the connection.
        self._handed_out = True
        return self._iterator or self._events()

    def __next__(self) -> _T:
        if self._iterator is None:
            self._iterator = self._events()
        return next(self._iterator)  # type: ignore[no-any-return]

    def _events(self) -> Iterator[_T]:
        return _events(
            self.response, self._decode, self._state, self._max_event_size, self._http_package
        )

    # Once iterated, the generator owns the connection and gives it back when it is
    # collected. A stream dropped before that has nothing else that would.
    def __del__(self) -> None:
        if self._iterator is None and not self._handed_out:
            self.response.close()

    def close(self) -> None:
        """Release the connection; further iteration stops."""
        self._state.closed = True
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

    def _events(self) -> AsyncIterator[_T]:
        return _aevents(
            self.response, self._decode, self._state, self._max_event_size, self._http_package
        )

    async def close(self) -> None:
        self._state.closed = True
        await self.response.aclose()
        if self._iterator is not None:
            await self._iterator.aclose()

    async def __aenter__(self) -> AsyncStream[_T]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
