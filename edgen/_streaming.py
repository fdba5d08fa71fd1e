# Streams of server-sent events decoded straight into response types.

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator
from typing import Any, Generic, TypeVar

import httpx
import msgspec

from ._compat import HTTPX, HTTPPackage
from ._exceptions import APIError, APIResponseValidationError
from ._models import JSONDecoder
from ._pipeline import connection_error, decoder_for, error_detail, json_or
from ._sse import DEFAULT_MAX_EVENT_SIZE, EventTooLarge, ServerSentEvent, SSEDecoder

_T = TypeVar("_T")

# How long an async stream waits for the end of the body after `[DONE]` (see _adrain).
DRAIN_TIMEOUT = 1.0
# How much of a body that is not an event stream is read for the error message.
PEEK_SIZE = 64 * 1024


class _State(Generic[_T]):
    """What a stream shares with its event generator: decoding, and the errors it raises.

    The generator holds this, never the stream: dropping a half-read stream then drops the
    generator at once, and its `finally` gives the connection back. (A generator holding
    the stream that holds it would wait for the garbage collector.)
    """

    # Slots here and on the streams: each open stream holds these objects, and a __dict__
    # apiece cost more than the fields in them.
    __slots__ = (
        "response",
        "json_decoder",
        "decoder",
        "package",
        "is_event_stream",
        "closed",
        "done",
        "some",
    )

    def __init__(
        self,
        response: httpx.Response,
        json_decoder: JSONDecoder[_T],  # shared by every stream of its type
        max_event_size: int | None,
        package: HTTPPackage,  # the one `response` comes from: its read errors are caught
    ) -> None:
        self.response = response
        self.json_decoder = json_decoder
        self.decoder = SSEDecoder(max_event_size)
        self.package = package
        media_type = response.headers.get("content-type", "").partition(";")[0]
        self.is_event_stream = media_type.strip().lower() == "text/event-stream"
        self.closed = False
        self.done = False  # the server sent `[DONE]` (the OpenAI dialect's end)
        self.some = False  # a chunk was decoded

    # One event as an item; None for `[DONE]` (then `done` is set) and for an event that is
    # no chunk; raises for error events.
    def convert(self, event: ServerSentEvent) -> _T | None:
        raw = event.raw
        if raw == b"[DONE]":
            self.done = True
            return None
        name = event.event
        if name is not None and name != "message":  # `is` first: None != str is slow
            if name == "error":
                raise self._event_error(event, None)
            # Chunks are `message` events (the type of an event that names none). Another
            # type, such as a gateway's `event: ping` keep-alive, is no chunk: the SSE
            # format hands each listener only the events of its type.
            return None
        try:
            item = self.json_decoder.decode(raw)
        except (msgspec.ValidationError, msgspec.DecodeError, UnicodeDecodeError) as exc:
            if raw.strip() == b"[DONE]":  # spaces around it: still the end, as openai-python has it
                self.done = True
                return None
            raise self._event_error(event, exc) from None
        self.some = True
        return item

    def _event_error(self, event: ServerSentEvent, cause: Exception | None) -> APIError:
        body = json_or(event.raw, event.data)
        if cause is None or _is_error(body):
            return APIError(error_detail(body), self.response.request, body=body)
        message = f"Could not decode a stream chunk ({cause}): {event.data[:500]!r}"
        return APIResponseValidationError(self.response, event.data, message=message)

    # The end of the body: an event it left without a blank line, if any (at most one).
    def rest(self) -> list[_T]:
        items = []
        if not self.done:
            for event in self.decoder.flush():
                item = self.convert(event)
                if item is not None:
                    items.append(item)
        if not (self.some or items):
            # llama.cpp answers a prompt that does not fit its context with an empty stream.
            how = "ended with [DONE]" if self.done else "ended"
            message = (
                f"The event stream {how} without a single chunk: the server took the request but "
                "gave no answer (a prompt too long for the model's context does this on llama.cpp)"
            )
            raise APIResponseValidationError(self.response, None, message=message)
        return items

    # A 2xx answer to stream=True that is no event stream: a JSON error, a proxy's login
    # page, a whole completion from a server that ignored `stream`. `head`: its first bytes.
    def not_a_stream_error(self, head: bytes) -> APIError:
        text = head.decode("utf-8", errors="replace")
        body = json_or(head, text)
        if _is_error(body):
            return APIError(error_detail(body), self.response.request, body=body)
        content_type = self.response.headers.get("content-type")
        got = f"content type {content_type!r}" if content_type else "no content type"
        got += f" and a body starting {text[:500]!r}" if text else " and an empty body"
        message = f"Expected an event stream (text/event-stream) for stream=True, got {got}"
        return APIResponseValidationError(self.response, body, message=message)

    # What an event over max_event_size, or a failed read, is raised as.
    def stream_error(self, exc: Exception) -> APIError:
        if isinstance(exc, EventTooLarge):
            message = (
                f"{exc}; the stream was closed. If the server means to send events that large, "
                "raise the client's max_event_size"
            )
            return APIResponseValidationError(self.response, None, message=message)
        what = "Connection error while reading the stream"
        timeout_errors = self.package.timeout_errors
        return connection_error(self.response.request, exc, what, timeout_errors=timeout_errors)


# An error body: OpenAI's and Edgen's shapes hold an "error" key; some vLLM releases sent
# `{"object": "error", "message": ...}` in a stream instead.
def _is_error(body: Any) -> bool:
    return isinstance(body, dict) and ("error" in body or body.get("object") == "error")


def _events(state: _State[_T]) -> Generator[_T, None, None]:
    if state.closed:
        return
    # Methods are called through their objects, not kept bound in locals: a suspended
    # generator would hold the bound methods, for no gain in speed.
    response, decoder = state.response, state.decoder
    try:
        if not state.is_event_stream:
            raise state.not_a_stream_error(next(response.iter_bytes(PEEK_SIZE), b""))
        for chunk in response.iter_bytes():
            # Taken off the list as they are handed out: a stream waiting for its next chunk
            # keeps neither the bytes nor the events it already gave (memory per open stream).
            events = decoder.feed(chunk)
            del chunk
            events.reverse()
            while events:
                item = state.convert(events.pop())
                if item is None:  # `[DONE]`, or an event that carries no chunk
                    if state.done:
                        break
                    continue
                yield item
            if state.done:
                break  # the connection is closed below, not drained: see _adrain
        yield from state.rest()
    except state.package.read_errors as exc:
        raise state.stream_error(exc) from exc
    except EventTooLarge as exc:
        raise state.stream_error(exc) from None
    finally:
        state.closed = True
        response.close()


async def _aevents(state: _State[_T]) -> AsyncGenerator[_T, None]:
    if state.closed:
        return
    response, decoder = state.response, state.decoder  # no bound methods: see _events
    try:
        if not state.is_event_stream:
            raise state.not_a_stream_error(await anext(response.aiter_bytes(PEEK_SIZE), b""))
        chunks = response.aiter_bytes()
        async for chunk in chunks:
            events = decoder.feed(chunk)  # popped as they go: see _events
            del chunk
            events.reverse()
            while events:
                item = state.convert(events.pop())
                if item is None:  # `[DONE]`, or an event that carries no chunk
                    if state.done:
                        break
                    continue
                yield item
            if state.done:
                await _adrain(chunks, state.package.read_errors)
                break
        for item in state.rest():
            yield item
    except state.package.read_errors as exc:
        raise state.stream_error(exc) from exc
    except EventTooLarge as exc:
        raise state.stream_error(exc) from None
    finally:
        state.closed = True
        await response.aclose()


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


class _StreamBase(Generic[_T]):
    __slots__ = ("response", "_state", "_iterator", "_handed_out", "__weakref__")

    def __init__(
        self,
        *,
        cast_to: type[_T],
        response: httpx.Response,
        max_event_size: int | None = DEFAULT_MAX_EVENT_SIZE,
        http_package: HTTPPackage = HTTPX,
    ) -> None:
        # Set before anything can fail: Stream.__del__ reads them.
        self._iterator: Any = None  # the generator `next()` reads, once asked for
        self._handed_out = False  # Stream.__iter__ gave a generator away
        self.response = response
        self._state = _State(response, decoder_for(cast_to), max_event_size, http_package)


class Stream(_StreamBase[_T]):
    """Iterate for decoded chunks; `close()` or a `with` block releases the connection."""

    __slots__ = ()
    _iterator: Generator[_T, None, None] | None

    def __iter__(self) -> Iterator[_T]:
        # Only the for-loop holds it: leaving early collects it, releasing the connection.
        self._handed_out = True
        return self._iterator or _events(self._state)

    def __next__(self) -> _T:
        return next(self._started())

    def _started(self) -> Iterator[_T]:
        if self._iterator is None:
            self._iterator = _events(self._state)
        return self._iterator

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

    __slots__ = ()
    _iterator: AsyncGenerator[_T, None] | None

    def __aiter__(self) -> AsyncIterator[_T]:
        return self._iterator or _aevents(self._state)

    async def __anext__(self) -> _T:
        return await self._started().__anext__()

    def _started(self) -> AsyncIterator[_T]:
        if self._iterator is None:
            self._iterator = _aevents(self._state)
        return self._iterator

    async def close(self) -> None:
        self._state.closed = True
        await self.response.aclose()
        if self._iterator is not None:
            await self._iterator.aclose()

    async def __aenter__(self) -> AsyncStream[_T]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
