"""The sans-IO SSE decoder (edgen/_sse.py)."""

from __future__ import annotations

import json
import time
import tracemalloc
from collections.abc import Iterator

import pytest
from faker import Faker
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edgen._sse import DEFAULT_MAX_EVENT_SIZE, EventTooLarge, ServerSentEvent, SSEDecoder

fake = Faker()
Faker.seed(20240506)


def decode(
    *chunks: bytes, flush: bool = True, max_event_size: int | None = DEFAULT_MAX_EVENT_SIZE
) -> list[ServerSentEvent]:
    decoder = SSEDecoder(max_event_size)
    events: list[ServerSentEvent] = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    if flush:
        events.extend(decoder.flush())
    return events


def datas(events: list[ServerSentEvent]) -> list[str]:
    return [e.data for e in events]


# -- fields ------------------------------------------------------------------------


def test_single_data_line_is_one_event_with_bytes_and_text() -> None:
    payload = json.dumps({"content": fake.sentence()})
    (event,) = decode(f"data: {payload}\n\n".encode())
    assert event.raw == payload.encode()
    assert event.data == payload
    assert event.event is None and event.id is None and event.retry is None


def test_event_is_dispatched_on_blank_line_not_before() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: one\n") == []
    (event,) = decoder.feed(b"\n")
    assert event.data == "one"
    assert decoder.flush() == []


def test_multi_line_data_is_joined_with_newline() -> None:
    lines = [fake.word() for _ in range(3)]
    body = "".join(f"data: {line}\n" for line in lines) + "\n"
    (event,) = decode(body.encode())
    assert event.data == "\n".join(lines)


def test_data_without_space_and_empty_data() -> None:
    events = decode(b"data:tight\n\ndata\n\ndata:\n\ndata:  two spaces\n\n")
    # Only one leading space is stripped; "data" with no colon is an empty value.
    assert datas(events) == ["tight", "", "", " two spaces"]


def test_comments_are_ignored() -> None:
    body = b": ping - 2024-05-06 12:00:00.000000\n\n:another\ndata: x\n: inside\n\n"
    assert datas(decode(body)) == ["x"]


def test_event_id_and_retry_fields() -> None:
    body = b"event: error\nid: 7\nretry: 1500\ndata: {}\n\ndata: next\n\n"
    first, second = decode(body)
    assert (first.event, first.id, first.retry, first.data) == ("error", "7", 1500, "{}")
    # The event type resets after dispatch; the last event id persists (WHATWG rule).
    assert second.event is None
    assert second.id == "7"


def test_id_with_nul_is_ignored_and_bad_retry_is_ignored() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b"id: a\x00b\nretry: soon\ndata: x\n\n")
    assert events[0].id is None
    assert events[0].retry is None
    assert decoder.last_event_id is None
    decoder.feed(b"id: 42\ndata: y\n\n")
    assert decoder.last_event_id == "42"


def test_event_without_data_is_not_dispatched_and_resets_type() -> None:
    events = decode(b"event: nothing\n\ndata: x\n\n")
    assert len(events) == 1
    assert events[0].event is None


def test_unknown_fields_are_ignored() -> None:
    assert datas(decode(b"foo: bar\nDATA: no\ndata: yes\n\n")) == ["yes"]


def test_done_marker_is_passed_through_as_data() -> None:
    assert [e.raw for e in decode(b"data: [DONE]\n\n")] == [b"[DONE]"]


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_line_endings(eol: str) -> None:
    words = [fake.word() for _ in range(4)]
    body = (
        f": comment{eol}"
        f"data: {words[0]}{eol}data: {words[1]}{eol}{eol}"
        f"event: e{eol}data: {words[2]}{eol}{eol}"
        f"data: {words[3]}{eol}{eol}"
    )
    events = decode(body.encode())
    assert datas(events) == [f"{words[0]}\n{words[1]}", words[2], words[3]]
    assert [e.event for e in events] == [None, "e", None]


def test_mixed_line_endings() -> None:
    assert datas(decode(b"data: a\r\ndata: b\rdata: c\n\r\ndata: d\r\r")) == ["a\nb\nc", "d"]


# -- flush at EOF ------------------------------------------------------------------


def test_flush_delivers_event_without_trailing_blank_line() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: first\n\ndata: last") == [decoder_event("first")]
    assert datas(decoder.flush()) == ["last"]
    assert decoder.flush() == []


def test_flush_delivers_complete_line_without_blank_line() -> None:
    assert datas(decode(b"data: a\ndata: b\n")) == ["a\nb"]


def test_flush_with_nothing_pending() -> None:
    assert decode(b"") == []
    assert decode(b"data: x\n\n", flush=True) == [decoder_event("x")]


def decoder_event(data: str) -> ServerSentEvent:
    return ServerSentEvent(data.encode())


# -- chunking ----------------------------------------------------------------------

SAMPLE = (
    ": ping - 2024\r\n\r\n"
    'data: {"content":"Grüße, 世界 🌍"}\n\n'
    "event: update\nid: 1\nretry: 10\ndata: line one\ndata: line two\n\n"
    'data: {"content":"naïve"}\r\n\r\n'
    "data: cr-only\r\r"
    "data: [DONE]\n\n"
).encode()


def test_sample_contains_multibyte_characters() -> None:
    # The split-point test below must cut inside multi-byte characters.
    assert any(b >= 0x80 for b in SAMPLE)


def test_every_split_point_gives_the_same_events() -> None:
    expected = decode(SAMPLE)
    assert datas(expected) == [
        '{"content":"Grüße, 世界 🌍"}',
        "line one\nline two",
        '{"content":"naïve"}',
        "cr-only",
        "[DONE]",
    ]
    assert expected[1].event == "update" and expected[1].id == "1" and expected[1].retry == 10
    for i in range(len(SAMPLE) + 1):
        assert decode(SAMPLE[:i], SAMPLE[i:]) == expected, f"split at {i}"


def test_every_pair_of_split_points_gives_the_same_events() -> None:
    expected = decode(SAMPLE)
    n = len(SAMPLE)
    for i in range(0, n + 1, 3):
        for j in range(i, n + 1, 7):
            assert decode(SAMPLE[:i], SAMPLE[i:j], SAMPLE[j:]) == expected, (i, j)


def test_one_byte_at_a_time() -> None:
    assert decode(*(SAMPLE[i : i + 1] for i in range(len(SAMPLE)))) == decode(SAMPLE)


BOM = "\ufeff".encode()


def test_a_byte_order_mark_opening_the_stream_is_dropped_however_it_is_split() -> None:
    # Kept, it would make `\ufeffdata` an unknown field and lose the first event.
    body = BOM + b"data: first\n\n" + SAMPLE
    expected = decode(b"data: first\n\n" + SAMPLE)
    assert datas(expected)[0] == "first"
    assert decode(body) == expected
    for i in range(len(BOM) + 3):
        assert decode(body[:i], body[i:]) == expected, f"split at {i}"
    assert decode(*(body[i : i + 1] for i in range(len(body)))) == expected
    assert decode(b"", BOM[:1], b"", BOM[1:], body[len(BOM) :]) == expected


def test_only_the_first_byte_order_mark_is_dropped() -> None:
    # Later in the stream it is a character of the line, as the SSE format says.
    assert datas(decode(BOM + BOM + b"data: x\n\n", b"data: y\n\n")) == ["y"]
    assert datas(decode(b"data: x\n\n", BOM + b"data: y\n\n")) == ["x"]
    assert datas(decode(b"data: \xef\xbb\xbfx\n\n")) == ["\ufeffx"]


def test_a_body_that_is_part_of_a_byte_order_mark_gives_nothing() -> None:
    assert decode(BOM[:2]) == []
    assert decode(BOM) == []
    assert datas(decode(BOM[:2] + b"data: x\n\n")) == []  # not a mark: an unknown field


def test_split_inside_multibyte_character_keeps_bytes_intact() -> None:
    text = "€" + fake.word() + "🌍"
    body = f"data: {text}\n\n".encode()
    start = body.index("€".encode())
    for cut in (start + 1, start + 2, len(body) - 4, len(body) - 3):
        (event,) = decode(body[:cut], body[cut:])
        assert event.raw == text.encode()
        assert event.data == text


def test_empty_chunks_are_harmless_even_between_cr_and_lf() -> None:
    expected = decode(b"data: a\r\ndata: b\r\n\r\n")
    assert datas(expected) == ["a\nb"]
    assert decode(b"data: a\r", b"", b"\ndata: b\r\n", b"", b"\r\n") == expected


def test_invalid_utf8_is_kept_in_raw_and_replaced_in_text() -> None:
    (event,) = decode(b"data: \xff\xfeok\n\n")
    assert event.raw == b"\xff\xfeok"
    assert event.data == "\ufffd\ufffdok"


def test_repr_and_equality() -> None:
    event = ServerSentEvent(b"x", event="e", id="1", retry=5)
    assert event == ServerSentEvent(b"x", event="e", id="1", retry=5)
    assert event != ServerSentEvent(b"y", event="e", id="1", retry=5)
    assert event.__eq__(object()) is NotImplemented
    assert "data='x'" in repr(event) and "event='e'" in repr(event)


# -- properties ---------------------------------------------------------------------

_line_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
    max_size=30,
)
_eols = st.sampled_from(["\n", "\r\n", "\r"])


_limits = st.one_of(st.none(), st.integers(0, 48))
TOO_LARGE = "too large"


def _split(body: bytes, points: list[int]) -> list[bytes]:
    chunks, last = [], 0
    for point in sorted(min(p, len(body)) for p in points):
        chunks.append(body[last:point])  # may be empty: feed(b"") must be harmless
        last = point
    chunks.append(body[last:])
    return chunks


def _cuts(body: bytes, data: st.DataObject) -> list[bytes]:
    points = data.draw(st.lists(st.integers(0, len(body)), max_size=8), label="split points")
    return _split(body, points)


def outcome(chunks: list[bytes], limit: int | None) -> list[ServerSentEvent] | str:
    """The events, or TOO_LARGE when the decoder refuses the body."""
    try:
        return decode(*chunks, max_event_size=limit)
    except EventTooLarge as exc:
        assert limit is not None and exc.limit == limit and exc.size > limit
        return TOO_LARGE


def expected_outcome(body: bytes, limit: int | None) -> list[ServerSentEvent] | str:
    """As documented: refused if an event's data is over the limit, or any line is over
    the limit plus len("data: "); otherwise the events of no limit."""
    events = decode(body, max_event_size=None)
    if limit is not None and (
        any(len(event.raw) > limit for event in events)
        or any(len(line) > limit + len("data: ") for line in body.splitlines())
    ):
        return TOO_LARGE
    return events


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    events=st.lists(st.lists(_line_text, min_size=1, max_size=3), max_size=6),
    eol=_eols,
    limit=_limits,
    data=st.data(),
)
@pytest.mark.slow
def test_random_events_random_splits(
    events: list[list[str]], eol: str, limit: int | None, data: st.DataObject
) -> None:
    body = "".join("".join(f"data: {line}{eol}" for line in ev) + eol for ev in events).encode()
    expected = ["\n".join(ev) for ev in events]
    assert datas(decode(body)) == expected
    chunks = _cuts(body, data)
    assert datas(decode(*chunks)) == expected
    # With a small limit: refused, or the same events, the same way however it is split.
    result = expected_outcome(body, limit)
    assert result == TOO_LARGE or datas(result) == expected
    assert outcome([body], limit) == outcome(chunks, limit) == result


@settings(max_examples=300, deadline=None)
@given(body=st.binary(max_size=300), data=st.data())
def test_arbitrary_bytes_never_raise_and_split_does_not_matter(
    body: bytes, data: st.DataObject
) -> None:
    whole = decode(body)
    assert decode(*_cuts(body, data)) == whole
    for event in whole:
        assert isinstance(event.raw, bytes)
        assert isinstance(event.data, str)


@settings(max_examples=300, deadline=None)
@given(body=st.binary(max_size=300), limit=_limits, data=st.data())
def test_arbitrary_bytes_with_a_small_limit_split_does_not_matter(
    body: bytes, limit: int | None, data: st.DataObject
) -> None:
    result = expected_outcome(body, limit)
    assert outcome([body], limit) == outcome(_cuts(body, data), limit) == result


_noise = st.lists(
    st.sampled_from(
        [
            b"data: ",
            b"data:",
            b"event: x",
            b"id: 1",
            b"retry: 9",
            b":c",
            b"\r",
            b"\n",
            b"\r\n",
            b"ab",
            b"\xe2\x82\xac",
            b"\xff",
        ]
    ),
    max_size=40,
).map(b"".join)


@settings(max_examples=150, deadline=None)
@given(body=_noise, data=st.data())
def test_sse_shaped_noise_split_invariance(body: bytes, data: st.DataObject) -> None:
    assert decode(*_cuts(body, data)) == decode(body)


@settings(max_examples=150, deadline=None)
@given(body=_noise, limit=_limits, data=st.data())
def test_sse_shaped_noise_with_a_small_limit(
    body: bytes, limit: int | None, data: st.DataObject
) -> None:
    result = expected_outcome(body, limit)
    assert outcome([body], limit) == outcome(_cuts(body, data), limit) == result


@settings(max_examples=100, deadline=None)
@given(
    field=st.sampled_from([b"data: ", b"data:", b": ", b"event: ", b"id: ", b"x"]),
    value=st.binary(max_size=3000).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")),
    slack=st.integers(-2, 2),
    points=st.lists(st.integers(0, 3100), max_size=100),
)
def test_a_long_line_in_many_pieces_is_the_same_line(
    field: bytes, value: bytes, slack: int, points: list[int]
) -> None:
    body = field + value + b"\n\n"
    chunks = _split(body, points)
    assert decode(*chunks, max_event_size=None) == decode(body, max_event_size=None)
    limit = max(len(value) + slack, 0)  # about the size of the value: either side of it
    result = expected_outcome(body, limit)
    assert outcome([body], limit) == outcome(chunks, limit) == result


# -- the limit on one event ------------------------------------------------------------

LIMIT = 10


def test_exception_carries_size_and_limit() -> None:
    with pytest.raises(EventTooLarge) as info:
        decode(b"data: 0123456789A\n\n", max_event_size=LIMIT)
    assert isinstance(info.value, ValueError)
    assert (info.value.size, info.value.limit) == (11, LIMIT)
    assert str(info.value) == "a server-sent event exceeded 10 bytes (max_event_size)"


def test_negative_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="max_event_size"):
        SSEDecoder(-1)


@pytest.mark.parametrize(
    ("at_limit", "over"),
    [
        (b"data: 0123456789\n\n", b"data: 0123456789A\n\n"),
        (b"data:0123456789\n\n", b"data:0123456789A\n\n"),
        (b"data:  123456789\r\n\r\n", b"data:  123456789A\r\n\r\n"),
        # The newlines that join data lines are data: 5 + 1 + 4 bytes.
        (b"data: 01234\ndata: 6789\n\n", b"data: 01234\ndata: 67890\n\n"),
        (b"data:\n" * 11 + b"\n", b"data:\n" * 12 + b"\n"),
        # Dispatched by flush at the end of the body.
        (b"data: 0123456789", b"data: 0123456789A"),
        # Any line may hold "data: " and the limit, whatever it is.
        (b": " + b"c" * 14 + b"\n", b": " + b"c" * 15 + b"\n"),
        (b": " + b"c" * 14, b": " + b"c" * 15),
    ],
    ids=["space", "tight", "two-spaces", "two-lines", "empty-lines", "flush", "comment", "eof"],
)
def test_exactly_at_limit_is_allowed_one_byte_over_is_refused(at_limit: bytes, over: bytes) -> None:
    for i in range(len(at_limit) + 1):
        assert outcome([at_limit[:i], at_limit[i:]], LIMIT) != TOO_LARGE, f"split at {i}"
    for i in range(len(over) + 1):
        assert outcome([over[:i], over[i:]], LIMIT) == TOO_LARGE, f"split at {i}"
    assert outcome([over[i : i + 1] for i in range(len(over))], LIMIT) == TOO_LARGE


def test_comments_and_other_fields_do_not_count_toward_the_data() -> None:
    body = (
        b": 0123456789abcd\n"
        b"event: 012345678\n"
        b"id: 0123456789ab\n"
        b"retry: 123456789\n"
        b"data: 0123456789\n"
        b": 0123456789abcd\n\n"
    )
    (event,) = decode(body, max_event_size=LIMIT)
    assert (event.raw, event.event, event.id) == (b"0123456789", "012345678", "0123456789ab")
    # Nor does an unfinished comment, after data already at the limit.
    decoder = SSEDecoder(LIMIT)
    assert decoder.feed(b"data: 0123456789\n: 0123456789abcd") == []
    assert datas(decoder.feed(b"\n\n")) == ["0123456789"]


def test_an_unfinished_line_counts_before_its_end_arrives() -> None:
    decoder = SSEDecoder(LIMIT)
    decoder.feed(b": " + b"c" * 14)
    with pytest.raises(EventTooLarge):
        decoder.feed(b"c")  # a comment may be long too, but not without bound
    decoder = SSEDecoder(LIMIT)
    assert decoder.feed(b"data: 01234\ndata: 0123") == []  # 5 + 1 + 4 bytes of data
    with pytest.raises(EventTooLarge) as info:
        decoder.feed(b"4")
    assert info.value.size == LIMIT + 1


def test_each_event_is_counted_from_its_start() -> None:
    # The first event is counted at the end of the first feed; the second starts mid-feed.
    decoder = SSEDecoder(LIMIT)
    assert decoder.feed(b"data: 0123456789\n") == []
    assert datas(decoder.feed(b"\ndata: 01234\ndata: 5")) == ["0123456789"]
    with pytest.raises(EventTooLarge):
        decoder.feed(b"6789")  # 5 + 1 + 5 bytes
    # The same after a flush, if the decoder is fed again.
    decoder = SSEDecoder(LIMIT)
    assert decoder.feed(b"data: 0123456789\n") == []
    assert datas(decoder.flush()) == ["0123456789"]
    assert decoder.feed(b"data: 01234\ndata: 5") == []
    assert datas(decoder.feed(b"\n\n")) == ["01234\n5"]


def test_an_event_dispatched_by_a_feed_of_its_own_leaves_no_count_behind() -> None:
    # The blank line comes alone, so no check runs in that feed: the dispatch itself must
    # forget the first event, or its 10 bytes would count toward the second one's 7.
    decoder = SSEDecoder(LIMIT)
    assert decoder.feed(b"data: 0123456789\n") == []
    assert datas(decoder.feed(b"\n")) == ["0123456789"]
    assert decoder.feed(b"data: 012\n") == []
    assert decoder.feed(b"data: 456\n") == []
    assert datas(decoder.feed(b"\n")) == ["012\n456"]


def _refused_after(decoder: SSEDecoder, pieces: Iterator[bytes]) -> tuple[EventTooLarge, int]:
    """Feeds pieces until the decoder refuses; the exception and the bytes fed by then."""
    fed = 0
    for piece in pieces:
        fed += len(piece)
        try:
            decoder.feed(piece)
        except EventTooLarge as exc:
            return exc, fed
    raise AssertionError(f"not refused after {fed} bytes")


def _giant(head: bytes, piece: bytes, count: int) -> Iterator[bytes]:
    yield head
    for _ in range(count):
        yield piece


@pytest.mark.parametrize("head", [b"data: ", b": ", b"x"], ids=["data", "comment", "unknown"])
def test_one_giant_line_is_refused_soon_after_the_default_limit(head: bytes) -> None:
    piece = b"x" * 65536
    exc, fed = _refused_after(SSEDecoder(), _giant(head, piece, 1600))  # up to 100 MiB
    assert exc.limit == DEFAULT_MAX_EVENT_SIZE
    assert exc.size > DEFAULT_MAX_EVENT_SIZE
    assert str(exc) == "a server-sent event exceeded 16777216 bytes (max_event_size)"
    assert fed <= DEFAULT_MAX_EVENT_SIZE + len(head) + len(piece)  # within one piece of it


def test_data_lines_without_a_blank_line_are_refused_soon_after_the_limit() -> None:
    limit = 1 << 20
    line = b"data: 0123456789\n"  # 11 bytes of data each, with its joining newline
    piece = line * (65536 // len(line))
    exc, fed = _refused_after(SSEDecoder(limit), _giant(b"", piece, 1600))
    assert exc.size > limit
    assert fed <= limit * len(line) / 11 + len(piece)


@pytest.mark.slow
def test_many_short_data_lines_cost_their_bytes_not_an_object_each() -> None:
    # Kept as one bytes object per line, "data: xy" lines would take about 50 bytes of
    # memory for each 3 bytes of data: 16x the limit before it is reached.
    limit = 1 << 20
    piece = b"data: xy\n" * (65536 // 9)
    tracemalloc.start()
    try:
        exc, _ = _refused_after(SSEDecoder(limit), _giant(b"", piece, 1600))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert exc.size > limit
    assert peak < 4 * limit, peak  # the data, one piece, its lines while they are parsed


def test_none_is_no_limit() -> None:
    piece = b"x" * 65536
    count = DEFAULT_MAX_EVENT_SIZE // len(piece) + 1
    decoder = SSEDecoder(None)
    for chunk in _giant(b"data: ", piece, count):
        assert decoder.feed(chunk) == []
    (event,) = decoder.feed(b"\n\n")
    assert event.raw == piece * count


# -- cost linear in the bytes fed -----------------------------------------------------------


def test_feeding_a_piece_does_not_copy_the_unfinished_line() -> None:
    # Joining the pending line with each chunk, as the decoder once did, copies the whole
    # line per chunk (quadratic time). Appended to a bytearray, it is copied only when the
    # buffer grows, by an eighth each time: here about once per 16 pieces.
    pending = 8 << 20
    decoder = SSEDecoder(None)
    decoder.feed(b"data: " + b"x" * pending)
    piece = b"y" * 65536
    growth = []
    tracemalloc.start()
    try:
        for _ in range(32):
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            assert decoder.feed(piece) == []
            growth.append(tracemalloc.get_traced_memory()[1] - before)
    finally:
        tracemalloc.stop()
    copies = [g for g in growth if g > pending / 2]
    assert len(copies) <= 4, growth
    (event,) = decoder.feed(b"\n\n")
    assert len(event.raw) == pending + 32 * len(piece)


def _feed_in_pieces(decoder: SSEDecoder, body: bytes, size: int = 65536) -> tuple[int, float]:
    start = time.perf_counter()
    n = 0
    for i in range(0, len(body), size):
        n += len(decoder.feed(body[i : i + size]))
    return n + len(decoder.flush()), time.perf_counter() - start


def test_a_20_mb_line_costs_no_more_than_20_mb_of_small_events() -> None:
    chunk = {
        "id": "chatcmpl-" + fake.uuid4(),
        "choices": [{"delta": {"content": " " + fake.word()}, "finish_reason": None, "index": 0}],
        "created": 1714998001,
        "model": "main",
        "object": "chat.completion.chunk",
    }
    event = b"data: " + json.dumps(chunk).encode() + b"\n\n"
    small = event * (20_000_000 // len(event))
    giant = b"data: " + b"x" * (len(small) - 8) + b"\n\n"
    events, small_time = _feed_in_pieces(SSEDecoder(), small)
    assert events == len(small) // len(event)
    events, giant_time = _feed_in_pieces(SSEDecoder(32 << 20), giant)
    assert events == 1
    # Generous: about 1x here; the quadratic decoder took over 40x.
    assert giant_time < 3 * small_time, (giant_time, small_time)


def test_a_llama_cpp_error_line_is_an_error_event() -> None:
    # Not an SSE field: llama.cpp's way of reporting a failure mid-stream.
    decoder = SSEDecoder()
    events = decoder.feed(b'data: {"a": 1}\n\nerror: {"message": "boom"}\n\ndata: [DONE]\n\n')
    assert [(e.event, e.raw) for e in events] == [
        (None, b'{"a": 1}'),
        ("error", b'{"message": "boom"}'),
        (None, b"[DONE]"),
    ]
