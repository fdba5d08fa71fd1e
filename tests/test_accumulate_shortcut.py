"""`stream()` takes plain content chunks itself (`_take_plain()`), without `handle_chunk()`.

Whatever the chunks, the events it yields (and what they show when yielded) and the final
completion must be the ones `ChatCompletionAccumulator.handle_chunk()` gives for the same
chunks. Sequences are drawn from chunk kinds of both dialects, the plain kind most often.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import msgspec
from conftest import SSE_HEADERS, sse_body
from hypothesis import given, settings
from hypothesis import strategies as st

from edgen import AsyncEdgen, ChatCompletionAccumulator, Edgen
from edgen.types.chat import ChatCompletionChunk

MESSAGES = [{"role": "user", "content": "hi"}]


def chunk(*choices: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 1714998001,
        "model": "m",
        "choices": list(choices),
        **extra,
    }


def choice(delta: dict[str, Any], index: int = 0, **extra: Any) -> dict[str, Any]:
    return {"index": index, "delta": delta, **extra}


LOGPROBS = {"content": [{"token": "a", "logprob": -0.5, "bytes": [97], "top_logprobs": []}]}
CALL = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "f", "arguments": ""}}
KINDS: dict[str, dict[str, Any]] = {
    "edgen": chunk(choice({"content": " word", "role": None}, finish_reason=None)),
    "openai": chunk(choice({"content": " word"}, logprobs=None, finish_reason=None)),
    "fingerprinted": chunk(choice({"content": " x"}), system_fingerprint="fp-2"),
    "role-each-time": chunk(choice({"role": "assistant", "content": " y"})),
    "role-first": chunk(choice({"role": "assistant", "content": ""})),
    "other-role": chunk(choice({"role": "developer", "content": " d"})),
    "empty-delta": chunk(choice({})),
    "refusal-null": chunk(choice({"content": " z", "refusal": None})),
    "empty-content": chunk(choice({"content": ""})),
    "null-content": chunk(choice({"content": None})),
    "second-choice": chunk(choice({"content": " two"}, index=1)),
    "both-choices": chunk(choice({"content": " a"}), choice({"content": " b"}, index=1)),
    "refusal": chunk(choice({"refusal": "no"})),
    "refusal-with-content": chunk(choice({"content": " c", "refusal": "no"})),
    "tool-call-with-content": chunk(choice({"content": " c", "tool_calls": [CALL]})),
    "function-call-with-content": chunk(choice({"content": " c", "function_call": {"name": "g"}})),
    "reasoning": chunk(choice({"content": " r", "reasoning_content": "hm"})),
    "logprobs": chunk(choice({"content": " a"}, logprobs=LOGPROBS)),
    "tool-call": chunk(choice({"tool_calls": [CALL]})),
    "tool-args": chunk(choice({"tool_calls": [{"index": 0, "function": {"arguments": "{}"}}]})),
    "function-call": chunk(choice({"function_call": {"name": "g", "arguments": "{}"}})),
    "usage-with-content": chunk(
        choice({"content": " u"}),
        usage={"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
    ),
    "finish": chunk(choice({}, finish_reason="stop")),
    "finish-with-content": chunk(choice({"content": " end"}, finish_reason="length")),
    "content-after-finish": chunk(choice({"content": " late"})),
    "usage-only": chunk(usage={"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}),
}
PLAIN = ["edgen", "openai", "fingerprinted"]
OTHERS = [kind for kind in KINDS if kind not in PLAIN]


def _view(event: Any) -> tuple[str, Any]:
    # What an event shows at the moment it is handed out; a chunk event's snapshot is
    # rebuilt when read, so it is read here.
    if event.type == "chunk":
        return repr(event), event.snapshot.model_dump()
    return repr(event), msgspec.to_builtins(getattr(event, "parsed", None))


def _by_handle_chunk(payloads: list[dict[str, Any]], done: bool) -> tuple[list[Any], Any, bool]:
    accumulator: ChatCompletionAccumulator[None] = ChatCompletionAccumulator()
    views = []
    for payload in payloads:
        decoded = msgspec.convert(payload, ChatCompletionChunk)
        views.extend(_view(event) for event in accumulator.handle_chunk(decoded))
    cut_short = done and not accumulator.finished
    if not cut_short:
        views.extend(_view(event) for event in accumulator.pending_done_events())
    return views, accumulator.final_completion().model_dump(), cut_short


def _by_sync_stream(payloads: list[dict[str, Any]], done: bool) -> tuple[list[Any], Any]:
    body = sse_body(*payloads, done=done)
    transport = httpx.MockTransport(
        lambda request: httpx.Response(200, headers=SSE_HEADERS, content=body)
    )
    client = Edgen(max_retries=0, http_client=httpx.Client(transport=transport))
    with client.chat.completions.stream(model="m", messages=MESSAGES) as stream:
        views = [_view(event) for event in stream]
        final = stream.accumulator.final_completion().model_dump()
    return views, final


def _by_async_stream(payloads: list[dict[str, Any]], done: bool) -> tuple[list[Any], Any]:
    body = sse_body(*payloads, done=done)

    async def main() -> tuple[list[Any], Any]:
        transport = httpx.MockTransport(
            lambda request: httpx.Response(200, headers=SSE_HEADERS, content=body)
        )
        http = httpx.AsyncClient(transport=transport)
        async with AsyncEdgen(max_retries=0, http_client=http) as client:
            async with client.chat.completions.stream(model="m", messages=MESSAGES) as stream:
                views = [_view(event) async for event in stream]
                final = stream.accumulator.final_completion().model_dump()
        await http.aclose()
        return views, final

    return asyncio.run(main())


@settings(max_examples=300, deadline=None)
@given(
    kinds=st.lists(
        st.one_of(st.sampled_from(PLAIN), st.sampled_from(OTHERS)), min_size=1, max_size=12
    ),
    done=st.booleans(),
)
def test_any_chunks_give_the_events_handle_chunk_gives(kinds: list[str], done: bool) -> None:
    payloads = [KINDS[kind] for kind in kinds]
    expected, expected_final, _ = _by_handle_chunk(payloads, done)
    got, final = _by_sync_stream(payloads, done)
    assert got == expected
    assert final == expected_final
    assert _by_async_stream(payloads, done) == (expected, expected_final)


def test_the_bench_like_stream_is_all_shortcut_and_still_right() -> None:
    # Edgen's dialect: a fingerprint and `role: null` on every chunk, a finish_reason last.
    payloads = [KINDS["edgen"]] * 50 + [chunk(choice({}, finish_reason="stop"))]
    expected, expected_final, cut_short = _by_handle_chunk(payloads, done=True)
    got, final = _by_sync_stream(payloads, done=True)
    assert not cut_short
    assert got == expected and final == expected_final
    assert [view[0].split("(")[0] for view in got[:4]] == ["ChunkEvent", "ContentDeltaEvent"] * 2
    assert final["choices"][0]["message"]["content"] == " word" * 50
