# Server-sent events, sans-IO. Bytes end to end: a chunk may end inside a UTF-8
# character, and `data` goes to the JSON decoder without a text round trip.

import sys

import msgspec

from ._types import DEFAULT_MAX_EVENT_SIZE as DEFAULT_MAX_EVENT_SIZE
from ._types import UTF8_BOM

_PREFIX = len(b"data: ")  # a line may hold this much more than the limit: one full data line


class ServerSentEvent(msgspec.Struct, gc=False):
    """One dispatched event. `raw` holds the data bytes; `data` is their text."""

    raw: bytes
    event: str | None = None
    id: str | None = None
    retry: int | None = None

    @property
    def data(self) -> str:
        return self.raw.decode("utf-8", errors="replace")

    def __repr__(self) -> str:
        return f"ServerSentEvent(event={self.event!r}, data={self.data!r}, id={self.id!r}, retry={self.retry!r})"


class EventTooLarge(ValueError):
    """One event's data, or one line of the stream, grew past `max_event_size`.

    `size` is how many bytes were seen when it was noticed (at least that many), `limit`
    the `max_event_size` in force.
    """

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"a server-sent event exceeded {limit} bytes (max_event_size)")
        self.size = size
        self.limit = limit


class SSEDecoder:
    """Call `feed()` per chunk, then `flush()` at end of body.

    `max_event_size` caps one event: its data (the `raw` it would dispatch: its `data`
    values joined by newlines) may take at most that many bytes, and one line, finished or
    not, at most that many plus `len("data: ")`. Past either, `feed` or `flush` raises
    `EventTooLarge`, whatever the chunking; the decoder is not usable afterwards. Comments
    and the other fields do not count toward an event's data. None: no limit.
    """

    # Slots, not a __dict__: every open stream holds one of these.
    __slots__ = (
        "_head",
        "_pending",
        "_skip_lf",
        "_data",
        "_event",
        "last_event_id",
        "_retry",
        "_limit",
        "_data_size",
        "_counted",
    )

    def __init__(self, max_event_size: int | None = DEFAULT_MAX_EVENT_SIZE) -> None:
        if max_event_size is not None and max_event_size < 0:
            raise ValueError(f"max_event_size must be at least 0 or None, not {max_event_size}")
        # The stream's first bytes while they may still be a byte order mark; None after.
        self._head: bytes | None = b""
        # A bytearray, not bytes: appending to it is amortized O(1), where `pending + chunk`
        # copied the whole unfinished line per chunk (quadratic on one giant line).
        self._pending = bytearray()  # an unfinished last line
        self._skip_lf = False
        self._data: list[bytes] = []
        self._event: str | None = None
        self.last_event_id: str | None = None
        self._retry: int | None = None
        # None becomes a bound nothing reaches, so the checks need no None test.
        self._limit = sys.maxsize if max_event_size is None else max_event_size
        # Of the event being built, what `_check` has counted so far: the first `_counted`
        # items of `_data`, as their bytes plus one newline each.
        self._data_size = 0
        self._counted = 0

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        if self._head is not None:
            chunk = self._past_bom(chunk)
        if self._skip_lf and chunk:
            self._skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        if not chunk:
            return []
        lines = chunk.splitlines()  # only the new bytes are searched for line ends
        last = chunk[-1]
        rest = b"" if last in b"\r\n" else lines.pop()
        self._skip_lf = last == 13  # CR: a leading LF in the next chunk completes a CRLF
        pending = self._pending
        if pending and lines:  # the first line end of this chunk ends the pending line
            lines[0] = b"".join((pending, lines[0]))
            pending.clear()
        if rest:
            pending += rest
        events = self._lines(lines)
        if pending or self._data:  # something is unfinished: it must not grow without bound
            self._check()
        return events

    # A UTF-8 byte order mark may open the stream, and the SSE format drops it there. Kept,
    # it would make the first line an unknown field name, and its event would be lost
    # without a word. It may come split across chunks: the first bytes wait until it can
    # be told.
    def _past_bom(self, chunk: bytes) -> bytes:
        head = (self._head or b"") + chunk
        if len(head) < len(UTF8_BOM) and UTF8_BOM.startswith(head):
            self._head = head
            return b""
        self._head = None
        return head[len(UTF8_BOM) :] if head.startswith(UTF8_BOM) else head

    # Dispatch what is left, even with no blank line.
    def flush(self) -> list[ServerSentEvent]:
        if self._head:  # the body was a part of a byte order mark and nothing else
            self._pending[:0] = self._head
        self._head = None
        lines = [bytes(self._pending), b""]
        self._pending.clear()
        return self._lines(lines)

    def _lines(self, lines: list[bytes]) -> list[ServerSentEvent]:
        events: list[ServerSentEvent] = []
        for line in lines:
            if not line:  # a blank line dispatches the event, if it has data
                data = self._data
                if data:
                    self._data = []
                    self._data_size = self._counted = 0  # the next event counts from zero
                    raw = data[0] if len(data) == 1 else b"\n".join(data)
                    if len(raw) > self._limit:
                        raise EventTooLarge(len(raw), self._limit)
                    events.append(
                        ServerSentEvent(raw, self._event, self.last_event_id, self._retry)
                    )
                self._event = None
            elif line[:6] == b"data: ":  # the common case, without a call to `_field`
                self._data.append(line[6:])
            else:
                self._field(line)
        return events

    def _field(self, line: bytes) -> None:
        # Any line counts, so that a giant comment is refused whether it came in one chunk
        # or in many; a "data: " line (in `_lines`) is checked as the data of its event.
        if len(line) > self._limit + _PREFIX:
            raise EventTooLarge(len(line), self._limit)
        name, colon, value = line.partition(b":")  # a comment (": ping") has no name
        if colon and value[:1] == b" ":
            value = value[1:]
        if name == b"data":
            self._data.append(value)
        elif name == b"event":
            self._event = value.decode("utf-8", errors="replace")
        elif name == b"id" and b"\x00" not in value:
            self.last_event_id = value.decode("utf-8", errors="replace")
        elif name == b"retry" and value.isdigit():
            self._retry = int(value)
        elif name == b"error":
            # Not an SSE field: llama.cpp's server reports a failure mid-stream as a line
            # `error: {...}`, then ends the stream as if it were whole. Ignored, as the
            # format says, the failure would be lost; it is read as an `error` event.
            self._event = "error"
            self._data.append(value)

    # At the end of a feed that left a line or an event unfinished: what it holds so far is
    # at most what it will hold when finished, so raising now agrees with any chunking.
    def _check(self) -> None:
        limit, pending, data = self._limit, self._pending, self._data
        if len(pending) > limit + _PREFIX:
            raise EventTooLarge(len(pending), limit)
        if self._counted < len(data):  # each value is counted once, however many feeds
            # The lines since the last feed become one object: many short lines then cost
            # their bytes, not an object each (the dispatch joins them the same way).
            joined = b"\n".join(data[self._counted :])
            data[self._counted :] = [joined]
            self._data_size += len(joined) + 1
            self._counted = len(data)
        size = self._data_size  # the bytes of `raw` so far, plus one
        if pending[:5] == b"data:":  # counts as far as its value is known
            size += len(pending) - (_PREFIX if pending[:6] == b"data: " else _PREFIX - 1) + 1
        if size - 1 > limit:
            raise EventTooLarge(size - 1, limit)
