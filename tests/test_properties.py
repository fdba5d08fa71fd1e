"""Property-based tests (hypothesis) not covered by test_sse.py / test_streaming.py:

- SSE: valid streams with every field kind (event/id/retry/comments, all line endings)
  decode to the same events however the bytes are split; and through the whole client
  (respx, random chunking, sync and async) arbitrary bodies raise only EdgenError.
- Response decoding: random valid ChatCompletion / ChatCompletionChunk payloads
  round-trip through model_dump; random invalid ones raise APIResponseValidationError
  through the client, never KeyError/AttributeError/TypeError.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest
import respx
from conftest import BASE_URL, SSE_HEADERS
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import edgen
from edgen import AsyncEdgen, Edgen
from edgen._sse import ServerSentEvent, SSEDecoder
from edgen.types.chat import ChatCompletion, ChatCompletionChunk

MESSAGES = [{"role": "user", "content": "hi"}]
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))


def split(body: bytes, points: list[int]) -> list[bytes]:
    cuts = sorted({min(p, len(body)) for p in points})
    out, last = [], 0
    for cut in cuts:
        out.append(body[last:cut])
        last = cut
    out.append(body[last:])
    return out


def decode(*chunks: bytes) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events = [e for chunk in chunks for e in decoder.feed(chunk)]
    return events + decoder.flush()


# -- SSE: a valid stream with every field kind --------------------------------------------------

_value = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x00"),
    max_size=12,
)
_event = st.fixed_dictionaries(
    {"data": st.lists(_value, min_size=1, max_size=3)},
    optional={
        "event": _value.filter(lambda v: v == v.lstrip(" ")),
        "id": _value.filter(lambda v: v == v.lstrip(" ")),
        "retry": st.integers(0, 10**6),
        "comment": _value,
    },
)


def render(events: list[dict[str, Any]], eol: str) -> bytes:
    out = []
    for ev in events:
        if "comment" in ev:
            out.append(f":{ev['comment']}{eol}")
        if "event" in ev:
            out.append(f"event: {ev['event']}{eol}")
        if "id" in ev:
            out.append(f"id: {ev['id']}{eol}")
        if "retry" in ev:
            out.append(f"retry:{ev['retry']}{eol}")
        out.extend(f"data: {line}{eol}" for line in ev["data"])
        out.append(eol)
    return "".join(out).encode()


@SETTINGS
@given(
    events=st.lists(_event, max_size=6),
    eol=st.sampled_from(["\n", "\r\n", "\r"]),
    points=st.lists(st.integers(0, 2000), max_size=10),
)
def test_valid_stream_any_split_same_events(events, eol: str, points: list[int]) -> None:
    body = render(events, eol)
    whole = decode(body)
    assert decode(*split(body, points)) == whole
    assert decode(*[body[i : i + 1] for i in range(len(body))]) == whole
    # what was sent is what is decoded; `id` and `retry` persist across events, `event` does not
    last_id, retry = None, None
    assert len(whole) == len(events)
    for ev, got in zip(events, whole):
        last_id = ev.get("id", last_id)
        retry = ev.get("retry", retry)
        assert got.data == "\n".join(ev["data"])
        assert got.event == ev.get("event")
        assert (got.id, got.retry) == (last_id, retry)


# -- SSE through the full client: only our own errors -----------------------------------------------


def _chunk(text: str) -> bytes:
    body = {
        "id": "x",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": text}}],
    }
    return b"data: " + json.dumps(body).encode() + b"\n\n"


_EDGEN_ERROR = b'{"error":"no_such_model","model_name":"x.gguf"}'
_VALID = _chunk("a") + _chunk("é") + b"data: [DONE]\n\n"
_noise = st.one_of(
    st.binary(max_size=300),
    st.lists(
        st.sampled_from(
            [
                b"data: ",
                b"data:",
                b"event: error",
                b": ping",
                b"\n",
                b"\r\n",
                b"\r",
                b"{",
                b"}",
                b'"error"',
                b'{"error":1}',
                b"[DONE]",
                b"\xff",
                b"null",
                _chunk("z"),
            ]
        ),
        max_size=30,
    ).map(b"".join),
    st.tuples(st.integers(0, len(_VALID)), st.binary(max_size=30)).map(
        lambda t: _VALID[: t[0]] + t[1] + _VALID[t[0] :]
    ),
)


class Pieces(httpx.SyncByteStream, httpx.AsyncByteStream):
    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces = pieces

    def __iter__(self) -> Iterator[bytes]:
        yield from self.pieces

    async def __aiter__(self):  # type: ignore[override]
        for piece in self.pieces:
            yield piece


def _check_only_our_errors(chunks: list[Any], exc: BaseException | None) -> None:
    assert all(isinstance(c, ChatCompletionChunk) for c in chunks)
    if exc is not None:
        assert isinstance(exc, edgen.EdgenError), repr(exc)


@SETTINGS
@given(body=_noise, points=st.lists(st.integers(0, 400), max_size=6))
@example(body=_VALID[:14] + b"\x80" + _VALID[14:], points=[])  # was a bare UnicodeDecodeError
@pytest.mark.slow
def test_any_body_through_the_sync_client_raises_only_edgen_errors(body: bytes, points) -> None:
    with respx.mock(base_url=BASE_URL) as router:
        router.post("chat/completions").respond(
            200, stream=Pieces(split(body, points)), headers=SSE_HEADERS
        )
        client = Edgen(max_retries=0)
        chunks: list[Any] = []
        error = None
        try:
            for chunk in client.chat.completions.create(model="m", messages=MESSAGES, stream=True):
                chunks.append(chunk)
        except Exception as exc:  # noqa: BLE001 - checked below
            error = exc
        _check_only_our_errors(chunks, error)


@SETTINGS
@given(body=_noise, points=st.lists(st.integers(0, 400), max_size=6))
@pytest.mark.slow
def test_any_body_through_the_async_client_raises_only_edgen_errors(body: bytes, points) -> None:
    async def main() -> None:
        with respx.mock(base_url=BASE_URL) as router:
            router.post("chat/completions").respond(
                200, stream=Pieces(split(body, points)), headers=SSE_HEADERS
            )
            async with AsyncEdgen(max_retries=0) as client:
                chunks: list[Any] = []
                error = None
                try:
                    stream = await client.chat.completions.create(
                        model="m", messages=MESSAGES, stream=True
                    )
                    async for chunk in stream:
                        chunks.append(chunk)
                except Exception as exc:  # noqa: BLE001
                    error = exc
                _check_only_our_errors(chunks, error)

    anyio.run(main)


@SETTINGS
@given(
    body=st.one_of(
        st.binary(max_size=200),
        st.tuples(st.integers(0, 40), st.binary(min_size=1, max_size=4)).map(
            lambda t: _EDGEN_ERROR[: t[0]] + t[1] + _EDGEN_ERROR[t[0] :]
        ),
    ),
    status=st.sampled_from([200, 201, 400, 404, 429, 500, 503]),
)
@example(body=b'{"id": "\x80"}', status=200)  # msgspec: UnicodeDecodeError, not DecodeError
@example(body=b'{"error": "\xff"}', status=500)
@pytest.mark.slow
def test_any_non_stream_body_raises_only_edgen_errors(body: bytes, status: int) -> None:
    with respx.mock(base_url=BASE_URL) as router:
        router.post("chat/completions").respond(
            status, content=body, headers={"content-type": "application/json"}
        )
        try:
            result = Edgen(max_retries=0).chat.completions.create(model="m", messages=MESSAGES)
        except Exception as exc:  # noqa: BLE001
            assert isinstance(exc, edgen.EdgenError), repr(exc)
        else:
            assert isinstance(result, ChatCompletion)


# -- response decoding ----------------------------------------------------------------------------

_s = st.text(max_size=8)
_os = st.none() | _s
_i = st.integers(-(2**53), 2**53)
_logprob = st.fixed_dictionaries(
    {
        "token": _s,
        "logprob": st.floats(allow_nan=False, allow_infinity=False),
        "bytes": st.none() | st.lists(st.integers(0, 255), max_size=4),
        "top_logprobs": st.lists(
            st.fixed_dictionaries(
                {
                    "token": _s,
                    "logprob": st.floats(allow_nan=False, allow_infinity=False),
                    "bytes": st.none() | st.lists(st.integers(0, 255), max_size=3),
                }
            ),
            max_size=2,
        ),
    }
)
_logprobs = st.none() | st.fixed_dictionaries(
    {}, optional={"content": st.none() | st.lists(_logprob, max_size=2), "refusal": st.none()}
)
_usage = st.fixed_dictionaries(
    {"completion_tokens": _i, "prompt_tokens": _i, "total_tokens": _i},
    optional={
        "completion_tokens_details": st.none()
        | st.fixed_dictionaries(
            {}, optional={"reasoning_tokens": st.none() | _i, "audio_tokens": _i}
        ),
        "prompt_tokens_details": st.none()
        | st.fixed_dictionaries({}, optional={"cached_tokens": st.none() | _i}),
    },
)
_top_optional = {"system_fingerprint": _os, "service_tier": _os, "usage": st.none() | _usage}
_function = st.fixed_dictionaries({"name": _s, "arguments": _s})
_message = st.fixed_dictionaries(
    {"role": _s},
    optional={
        "content": _os,
        "refusal": _os,
        "name": _os,
        "tool_calls": st.none()
        | st.lists(
            st.fixed_dictionaries({"id": _s, "type": _s, "function": _function}), max_size=2
        ),
        "function_call": st.none() | _function,
        "reasoning_content": _os,
    },
)
COMPLETION = st.fixed_dictionaries(
    {
        "id": _s,
        "created": _i,
        "model": _s,
        "object": _s,
        "choices": st.lists(
            st.fixed_dictionaries(
                {"index": _i, "message": _message},
                optional={"finish_reason": _os, "logprobs": _logprobs},
            ),
            max_size=3,
        ),
    },
    optional=_top_optional,
)
_opt_fn = st.fixed_dictionaries({}, optional={"name": _os, "arguments": _os})
_delta = st.fixed_dictionaries(
    {},
    optional={
        "content": _os,
        "role": _os,
        "refusal": _os,
        "tool_calls": st.none()
        | st.lists(
            st.fixed_dictionaries(
                {"index": _i}, optional={"id": _os, "type": _os, "function": st.none() | _opt_fn}
            ),
            max_size=2,
        ),
        "function_call": st.none() | _opt_fn,
        "reasoning_content": _os,
    },
)
CHUNK = st.fixed_dictionaries(
    {
        "id": _s,
        "created": _i,
        "model": _s,
        "object": _s,
        "choices": st.lists(
            st.fixed_dictionaries(
                {"index": _i, "delta": _delta},
                optional={"finish_reason": _os, "logprobs": _logprobs},
            ),
            max_size=3,
        ),
    },
    optional=_top_optional,
)


@SETTINGS
@given(
    data=st.one_of(
        COMPLETION.map(lambda d: (ChatCompletion, d)), CHUNK.map(lambda d: (ChatCompletionChunk, d))
    )
)
def test_valid_payloads_round_trip(data) -> None:
    cls, payload = data
    obj = cls.model_validate(payload)
    assert obj.model_dump(exclude_unset=True) == payload
    assert cls.model_validate(obj.model_dump(exclude_unset=True)) == obj
    # model_dump() fills absent keys with None, and re-validating it marks them as sent:
    # the values are equal, `model_fields_set` (and so msgspec's ==) is not.
    again = cls.model_validate(obj.model_dump())
    assert again.model_dump() == obj.model_dump()
    assert cls.model_validate_json(obj.model_dump_json(exclude_unset=True)) == obj
    assert cls.model_validate_json(obj.model_dump_json()).model_dump() == obj.model_dump()
    assert cls.model_validate_json(json.dumps(payload)) == obj
    assert json.loads(obj.model_dump_json(exclude_unset=True)) == payload


@SETTINGS
@given(payload=COMPLETION)
@pytest.mark.slow
def test_valid_completion_through_the_client(payload) -> None:
    with respx.mock(base_url=BASE_URL) as router:
        router.post("chat/completions").respond(200, json=payload)
        got = Edgen(max_retries=0).chat.completions.create(model="m", messages=MESSAGES)
    assert got.model_dump(exclude_unset=True) == payload


# Invalid payloads: a valid one with one value somewhere replaced by a wrong type, or a
# required key removed.
_wrong = st.one_of(
    st.integers(),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.just({"x": 1}),
    st.text(max_size=3),
)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _set(value: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _set(value[head], rest, new)}
    copy = list(value)
    copy[head] = _set(copy[head], rest, new)
    return copy


def _drop(value: Any, path: tuple) -> Any:
    head, rest = path[0], path[1:]
    if not rest:
        return {k: v for k, v in value.items() if k != head}
    if isinstance(value, dict):
        return {**value, head: _drop(value[head], rest)}
    copy = list(value)
    copy[head] = _drop(copy[head], rest)
    return copy


@st.composite
def invalid(draw, strategy, cls):
    payload = draw(strategy)
    for _ in range(20):
        paths = _paths(payload)
        path = draw(st.sampled_from(paths))
        if draw(st.booleans()) and isinstance(path[-1], str):
            bad = _drop(payload, path)
        else:
            bad = _set(payload, path, draw(_wrong))
        try:
            cls.model_validate(bad)
        except Exception:  # noqa: BLE001 - the decoder says it does not fit
            return bad
    return draw(st.sampled_from([[], 1, "x", None, {"id": 1}]))


@SETTINGS
@given(
    case=st.one_of(
        invalid(COMPLETION, ChatCompletion).map(lambda d: (False, d)),
        invalid(CHUNK, ChatCompletionChunk).map(lambda d: (True, d)),
    )
)
@pytest.mark.slow
def test_invalid_payloads_raise_validation_error_through_the_client(case) -> None:
    stream, payload = case
    with respx.mock(base_url=BASE_URL) as router:
        if stream:
            body = b"data: " + json.dumps(payload).encode() + b"\n\n"
            router.post("chat/completions").respond(200, content=body, headers=SSE_HEADERS)
        else:
            router.post("chat/completions").respond(200, json=payload)
        client = Edgen(max_retries=3)
        with pytest.raises(edgen.APIResponseValidationError) as info:
            result = client.chat.completions.create(model="m", messages=MESSAGES, stream=stream)
            if stream:
                list(result)
        assert router.routes[0].call_count == 1  # a bad 2xx body is not retried
    err = info.value
    assert err.status_code == 200
    assert json.loads(err.body) == payload if isinstance(err.body, str) else True
