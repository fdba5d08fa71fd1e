# Server-sent events, sans-IO. Bytes end to end: a chunk may end inside a UTF-8
# character, and `data` goes to the JSON decoder without a text round trip.

import msgspec


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


# Call `feed()` per chunk, then `flush()` at end of body.
class SSEDecoder:
    __slots__ = ("_pending", "_skip_lf", "_data", "_event", "last_event_id", "_retry")

    def __init__(self) -> None:
        self._pending = b""  # an unfinished last line
        self._skip_lf = False
        self._data: list[bytes] = []
        self._event: str | None = None
        self.last_event_id: str | None = None
        self._retry: int | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        if self._skip_lf and chunk:
            self._skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        if self._pending:
            chunk = self._pending + chunk
        if not chunk:
            return []
        lines = chunk.splitlines()
        last = chunk[-1]
        if last in b"\r\n":
            self._pending = b""
            self._skip_lf = last == 13  # CR: a leading LF in the next chunk completes a CRLF
        else:
            self._pending = lines.pop()
        return self._lines(lines)

    # Dispatch what is left, even with no blank line.
    def flush(self) -> list[ServerSentEvent]:
        lines, self._pending = [self._pending, b""], b""
        return self._lines(lines)

    def _lines(self, lines: list[bytes]) -> list[ServerSentEvent]:
        events: list[ServerSentEvent] = []
        for line in lines:
            if not line:
                event = self._dispatch()
                if event is not None:
                    events.append(event)
            else:
                self._field(line)
        return events

    def _field(self, line: bytes) -> None:
        if line[:6] == b"data: ":
            self._data.append(line[6:])
            return
        name, colon, value = line.partition(b":")  # a comment (": ping") has no name
        if colon and value[:1] == b" ":
            value = value[1:]
        if name == b"data":
            self._data.append(value)
        elif name == b"event":
            self._event = value.decode("utf-8", errors="replace")
        elif name == b"id":
            if b"\x00" not in value:
                self.last_event_id = value.decode("utf-8", errors="replace")
        elif name == b"retry":
            if value.isdigit():
                self._retry = int(value)

    def _dispatch(self) -> ServerSentEvent | None:
        data, event = self._data, self._event
        self._event = None
        if not data:
            return None
        self._data = []
        raw = data[0] if len(data) == 1 else b"\n".join(data)
        return ServerSentEvent(raw, event, self.last_event_id, self._retry)
