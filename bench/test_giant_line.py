"""`SSEDecoder` on one 20 MB line against 20 MB of ordinary events, both in 64 KiB pieces.

A guard on the decoder's cost being linear in the bytes fed, however they are framed:
the "floor" is 20 MB of chat chunks (`stream_events`, one small JSON per event), the
"edgen" figure one `data:` line of the same size with no line end until the last
piece (the limit raised above 20 MB so that it completes). Samples of the two are
interleaved so drift hits both alike; the figure is the median. Unlike the other
figures, the ratio is asserted (under 2x): the decoder that joined the pending line
with each chunk took over 40x.
"""

from __future__ import annotations

import statistics
import time

from _common import stream_events

from edgen._sse import SSEDecoder

FIGURE = "20 MB SSE line vs 20 MB of events (64 KiB pieces)"
SIZE = 20_000_000
PIECE = 64 * 1024
SAMPLES = 11
TARGET = 2.0


def _pieces(body: bytes) -> list[bytes]:
    return [body[i : i + PIECE] for i in range(0, len(body), PIECE)]


def _feed(pieces: list[bytes], max_event_size: int) -> tuple[int, float]:
    """(events dispatched, seconds) for one decoder fed every piece, then flushed."""
    start = time.perf_counter()
    decoder = SSEDecoder(max_event_size)
    n = 0
    for piece in pieces:
        n += len(decoder.feed(piece))
    n += len(decoder.flush())
    return n, time.perf_counter() - start


def test_giant_line(record_value) -> None:
    events = stream_events()[:-1]  # without [DONE]: every event is a chat chunk
    body = b"".join(events)
    small = body * (SIZE // len(body))
    giant = b"data: " + b"x" * (len(small) - 8) + b"\n\n"
    assert len(giant) == len(small) >= SIZE * 0.95
    small_pieces, giant_pieces = _pieces(small), _pieces(giant)
    limit = 2 * len(giant)
    times: dict[str, list[float]] = {"floor": [], "edgen": []}
    for _ in range(SAMPLES):
        n, seconds = _feed(small_pieces, limit)
        assert n == len(events) * (SIZE // len(body))
        times["floor"].append(seconds)
        n, seconds = _feed(giant_pieces, limit)
        assert n == 1
        times["edgen"].append(seconds)
    floor, ours = (statistics.median(times[role]) for role in ("floor", "edgen"))
    record_value(FIGURE, "floor", floor)
    record_value(FIGURE, "edgen", ours, target=TARGET)
    assert ours / floor < TARGET, (ours, floor)
