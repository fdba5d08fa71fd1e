"""The sans-IO SSE decoder (edgen/_sse.py)."""

from __future__ import annotations

import json

import pytest
from faker import Faker
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edgen._sse import ServerSentEvent, SSEDecoder

fake = Faker()
Faker.seed(20240506)


def decode(*chunks: bytes, flush: bool = True) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
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


def _cuts(body: bytes, data: st.DataObject) -> list[bytes]:
    points = sorted(
        data.draw(st.lists(st.integers(0, len(body)), max_size=8), label="split points")
    )
    chunks, last = [], 0
    for point in points:
        chunks.append(body[last:point])  # may be empty: feed(b"") must be harmless
        last = point
    chunks.append(body[last:])
    return chunks


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    events=st.lists(st.lists(_line_text, min_size=1, max_size=3), max_size=6),
    eol=_eols,
    data=st.data(),
)
def test_random_events_random_splits(
    events: list[list[str]], eol: str, data: st.DataObject
) -> None:
    body = "".join("".join(f"data: {line}{eol}" for line in ev) + eol for ev in events).encode()
    expected = ["\n".join(ev) for ev in events]
    assert datas(decode(body)) == expected
    assert datas(decode(*_cuts(body, data))) == expected


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


@settings(max_examples=150, deadline=None)
@given(
    body=st.lists(
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
    ).map(b"".join),
    data=st.data(),
)
def test_sse_shaped_noise_split_invariance(body: bytes, data: st.DataObject) -> None:
    assert decode(*_cuts(body, data)) == decode(body)
