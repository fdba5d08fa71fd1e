"""Stream accumulation: ChatCompletionAccumulator and the events of chat.completions.stream()."""

from __future__ import annotations

import json

import httpx
import msgspec
import pytest
from conftest import SSE_HEADERS, edgen_chunk, openai_chunk, sse_body
from faker import Faker

import edgen
from edgen import AsyncEdgen, ChatCompletionAccumulator, Edgen, StructuredOutputError, function_tool
from edgen._accumulate import _PartialJSON
from edgen.testing import EdgenEmulator
from edgen.types.chat import ChatCompletion, ChatCompletionChunk
from edgen.types.chat.chat_completion_stream_event import ChunkEvent, ContentDeltaEvent
from edgen.types.chat.parsed_chat_completion import ParsedChatCompletion

fake = Faker()
Faker.seed(808)
MESSAGES = [{"role": "user", "content": "hello"}]
URL = "http://127.0.0.1:33322/v1/chat/completions"


def chunks(*payloads: dict) -> list[ChatCompletionChunk]:
    return [msgspec.convert(p, ChatCompletionChunk) for p in payloads]


def test_edgen_chunks_add_up_to_the_text_with_the_first_id() -> None:
    words = [fake.word() for _ in range(20)]
    parts = chunks(*(edgen_chunk(" " + w) for w in words))
    acc = ChatCompletionAccumulator().add_all(parts)
    done = acc.final_completion()
    assert isinstance(done, ChatCompletion)
    assert done.id == parts[0].id and done.id != parts[-1].id  # Edgen: a new id per chunk
    assert done.choices[0].message.content == "".join(" " + w for w in words)
    assert done.choices[0].message.role == "assistant"
    assert done.choices[0].finish_reason is None  # Edgen never sends one
    assert done.system_fingerprint == "edgen-0.1.5"
    assert acc.text == done.choices[0].message.content


def test_openai_dialect_role_finish_usage_and_tool_calls_split_across_chunks() -> None:
    args = json.dumps({"city": fake.city(), "days": 3, "units": "metric"})
    pieces = [args[i : i + 4] for i in range(0, len(args), 4)]
    payloads = [
        openai_chunk({"role": "assistant"}),
        openai_chunk(
            {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "weather", "arguments": ""},
                    }
                ]
            }
        ),
        *(
            openai_chunk({"tool_calls": [{"index": 0, "function": {"arguments": p}}]})
            for p in pieces
        ),
        openai_chunk(
            {
                "tool_calls": [
                    {
                        "index": 1,
                        "id": "call_2",
                        "type": "function",
                        "function": {"name": "time", "arguments": "{}"},
                    }
                ]
            }
        ),
        openai_chunk({}, finish_reason="tool_calls"),
        openai_chunk(
            {}, choices=[], usage={"prompt_tokens": 5, "completion_tokens": 9, "total_tokens": 14}
        ),
    ]
    done = ChatCompletionAccumulator().add_all(chunks(*payloads)).final_completion()
    choice = done.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    calls = choice.message.tool_calls
    assert [c.id for c in calls] == ["call_1", "call_2"]
    assert calls[0].function.name == "weather" and json.loads(
        calls[0].function.arguments
    ) == json.loads(args)
    assert calls[1].function.arguments == "{}"
    assert done.usage.total_tokens == 14
    assert len(pieces) > 5  # the arguments really were split


class Weather(msgspec.Struct):
    city: str


def tool_call(index: int, call_id: str | None, name: str | None, arguments: str) -> dict:
    call: dict = {"index": index, "function": {"arguments": arguments}}
    if call_id is not None:
        call.update(id=call_id, type="function")
    if name is not None:
        call["function"]["name"] = name
    return call


def test_parallel_calls_sent_at_one_index_stay_apart() -> None:
    # Ollama behind LiteLLM and some gateways send every parallel call at index 0, each
    # with its own id. Merged by index alone, `weather` got `{"a": 1}{"city": "Oslo"}` and
    # `add` was lost.
    payloads = [
        openai_chunk({"role": "assistant"}),
        openai_chunk({"tool_calls": [tool_call(0, "call_a", "add", '{"a": 1}')]}),
        openai_chunk({"tool_calls": [tool_call(0, "call_b", "weather", '{"city": ')]}),
        openai_chunk({"tool_calls": [tool_call(0, None, None, '"Oslo"}')]}),  # the latest
        # Two more in one chunk, at the index the moved call now holds and at index 0.
        openai_chunk(
            {"tool_calls": [tool_call(1, "call_c", "time", "{}"), tool_call(0, "call_d", "x", "")]}
        ),
        openai_chunk({}, finish_reason="tool_calls"),
    ]
    acc = ChatCompletionAccumulator(tools=[function_tool(Weather, name="weather")])
    events = [event for chunk in chunks(*payloads) for event in acc.handle_chunk(chunk)]
    calls = acc.final_completion().choices[0].message.tool_calls
    assert [(c.id, c.function.name, c.function.arguments) for c in calls] == [
        ("call_a", "add", '{"a": 1}'),
        ("call_b", "weather", '{"city": "Oslo"}'),
        ("call_c", "time", "{}"),
        ("call_d", "x", ""),
    ]
    done = [(e.index, e.name, e.arguments) for e in events if e.type.endswith("arguments.done")]
    assert done == [
        (0, "add", '{"a": 1}'),
        (1, "weather", '{"city": "Oslo"}'),
        (2, "time", "{}"),
        (3, "x", ""),
    ]
    weather = next(e for e in events if e.type.endswith("done") and e.name == "weather")
    assert weather.parsed_arguments == Weather(city="Oslo")

    # An id repeated on every piece, or first sent after the first piece: one call still.
    payloads = [
        openai_chunk({"tool_calls": [tool_call(0, None, "weather", '{"ci')]}),
        openai_chunk({"tool_calls": [tool_call(0, "call_a", None, 'ty": ')]}),
        openai_chunk({"tool_calls": [tool_call(0, "call_a", None, '"Oslo"}')]}),
        openai_chunk({}, finish_reason="tool_calls"),
    ]
    done = ChatCompletionAccumulator().add_all(chunks(*payloads)).final_completion()
    calls = done.choices[0].message.tool_calls
    assert [(c.id, c.function.name, c.function.arguments) for c in calls] == [
        ("call_a", "weather", '{"city": "Oslo"}')
    ]


def test_logprobs_refusal_and_several_choices_are_merged() -> None:
    def lp(tok: str) -> dict:
        entry = {"token": tok, "logprob": -0.5, "bytes": list(tok.encode()), "top_logprobs": []}
        return {"content": [entry]}

    payloads = [
        openai_chunk(
            {},
            choices=[
                {"index": 0, "delta": {"content": "Hi"}, "logprobs": lp("Hi")},
                {"index": 1, "delta": {"refusal": "No"}},
            ],
        ),
        openai_chunk(
            {},
            choices=[
                {"index": 0, "delta": {"content": "!"}, "logprobs": lp("!")},
                {"index": 1, "delta": {"refusal": "pe"}, "finish_reason": "stop"},
            ],
        ),
    ]
    done = ChatCompletionAccumulator().add_all(chunks(*payloads)).final_completion()
    assert done.choices[0].message.content == "Hi!"
    assert [t.token for t in done.choices[0].logprobs.content] == ["Hi", "!"]
    assert done.choices[1].message.refusal == "Nope" and done.choices[1].finish_reason == "stop"


def test_no_chunk_means_no_completion() -> None:
    with pytest.raises(ValueError, match="no chunk"):
        ChatCompletionAccumulator().final_completion()


class Place(msgspec.Struct):
    city: str
    days: int


def kinds(events: list) -> list[str]:
    return [e.type for e in events]


def sse_route(router, *payloads: dict, done: bool = False):
    body = sse_body(*payloads, done=done)
    return router.post("chat/completions").mock(
        return_value=httpx.Response(200, headers=SSE_HEADERS, content=body)
    )


def test_events_come_in_openai_order_with_tool_calls_parsed() -> None:
    args = json.dumps({"city": fake.city(), "days": 3})
    pieces = [args[i : i + 5] for i in range(0, len(args), 5)]

    def call(index: int, **function: str) -> dict:
        return {"tool_calls": [{"index": index, "id": f"call_{index}", "function": function}]}

    payloads = [
        openai_chunk({"role": "assistant"}),
        openai_chunk({"content": "Let me"}),
        openai_chunk({"content": " check"}),
        openai_chunk(call(0, name="Place", arguments="")),
        *(
            openai_chunk({"tool_calls": [{"index": 0, "function": {"arguments": p}}]})
            for p in pieces
        ),
        openai_chunk(call(1, name="time", arguments="{}")),
        openai_chunk({}, finish_reason="tool_calls"),
        openai_chunk(
            {}, choices=[], usage={"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}
        ),
    ]
    acc = ChatCompletionAccumulator(tools=[function_tool(Place)])
    per_chunk = [acc.handle_chunk(c) for c in chunks(*payloads)]
    assert all(isinstance(events[0], ChunkEvent) for events in per_chunk)
    assert [kinds(events[1:]) for events in per_chunk] == [
        [],
        ["content.delta"],
        ["content.delta"],
        # The first tool call ends the content; each next one ends the call before it.
        ["tool_calls.function.arguments.delta", "content.done"],
        *[["tool_calls.function.arguments.delta"]] * len(pieces),
        ["tool_calls.function.arguments.delta", "tool_calls.function.arguments.done"],
        ["tool_calls.function.arguments.done"],  # the finish_reason ends the last one
        [],
    ]
    flat = [e for events in per_chunk for e in events]
    content = [e for e in flat if e.type == "content.delta"]
    assert [(e.delta, e.snapshot) for e in content] == [
        ("Let me", "Let me"),
        (" check", "Let me check"),
    ]
    (done,) = [e for e in flat if e.type == "content.done"]
    assert done.content == "Let me check" and done.parsed is None
    deltas = [e for e in flat if e.type == "tool_calls.function.arguments.delta" and e.index == 0]
    assert "".join(d.arguments_delta for d in deltas) == args == deltas[-1].arguments
    assert deltas[2].arguments == "".join(pieces[:2])  # the text as it was at that event
    assert all(d.name == "Place" for d in deltas)
    # Partial arguments decode as far as they go; whole, they are the tool's type.
    assert deltas[-1].parsed_arguments == json.loads(args)
    first_done, second_done = [e for e in flat if e.type == "tool_calls.function.arguments.done"]
    assert (first_done.index, first_done.name, first_done.arguments) == (0, "Place", args)
    assert first_done.parsed_arguments == msgspec.json.decode(args, type=Place)
    assert (second_done.index, second_done.name, second_done.parsed_arguments) == (1, "time", None)
    snapshot = flat[-1].snapshot
    assert isinstance(snapshot, ParsedChatCompletion) and snapshot.usage.total_tokens == 3
    assert (
        snapshot.choices[0].message.tool_calls[0].function.parsed_arguments
        == first_done.parsed_arguments
    )


def test_refusal_and_logprobs_events() -> None:
    def lp(tok: str) -> dict:
        return {"content": [{"token": tok, "logprob": -0.5, "bytes": None, "top_logprobs": []}]}

    payloads = [
        openai_chunk({}, choices=[{"index": 0, "delta": {"content": "Hi"}, "logprobs": lp("Hi")}]),
        openai_chunk({}, choices=[{"index": 1, "delta": {"refusal": "No"}}]),
        openai_chunk(
            {}, choices=[{"index": 1, "delta": {"refusal": "pe"}, "finish_reason": "stop"}]
        ),
        openai_chunk(
            {},
            choices=[
                {
                    "index": 0,
                    "delta": {"content": "!"},
                    "logprobs": lp("!"),
                    "finish_reason": "stop",
                }
            ],
        ),
    ]
    acc = ChatCompletionAccumulator()
    flat = [e for c in chunks(*payloads) for e in acc.handle_chunk(c)]
    assert kinds(flat) == [
        "chunk", "content.delta", "logprobs.content.delta",
        "chunk", "refusal.delta",
        "chunk", "refusal.delta", "refusal.done",
        "chunk", "content.delta", "logprobs.content.delta", "content.done", "logprobs.content.done",
    ]  # fmt: skip
    refusals = [e for e in flat if e.type.startswith("refusal")]
    assert [getattr(e, "snapshot", None) for e in refusals] == ["No", "Nope", None]
    assert refusals[-1].refusal == "Nope"
    logprobs = [e for e in flat if e.type.startswith("logprobs")]
    assert [t.token for t in logprobs[1].content] == ["!"]
    assert [t.token for t in logprobs[1].snapshot] == ["Hi", "!"]
    assert [t.token for t in logprobs[2].content] == ["Hi", "!"]
    assert acc.pending_done_events() == []  # everything has ended already


def test_partial_json_decodes_every_prefix_as_far_as_it_goes() -> None:
    text = json.dumps({"steps": [{"e": 'a, "b"', "n": -1.5}, {"e": "c"}], "ok": True, "x": None})
    seen = []
    partial = _PartialJSON()
    for char in text:
        seen.append(partial.feed(char))
    assert seen[-1] == json.loads(text)
    assert seen[0] == {} and all(isinstance(value, dict) for value in seen)
    assert {"steps": [{"e": 'a, "b'}]} in seen  # an open string is closed as it stands
    assert {"steps": [{"e": 'a, "b"', "n": -1.5}, {}]} in seen
    assert _PartialJSON().feed("   ") is None and _PartialJSON().feed("nonsense") is None


def test_edgen_stream_gives_chunk_and_content_events_then_content_done(router) -> None:
    words = [" " + fake.word() for _ in range(15)]
    route = sse_route(router, *(edgen_chunk(w) for w in words))
    client = Edgen(max_retries=0)
    with client.chat.completions.stream(model="m", messages=MESSAGES) as stream:
        events = list(stream)
        final = stream.get_final_completion()
    # Edgen's dialect sends no finish_reason: its end brings the done event instead.
    assert kinds(events) == ["chunk", "content.delta"] * len(words) + ["content.done"]
    assert [e.chunk.choices[0].delta.content for e in events[:-1:2]] == words
    assert [e.delta for e in events[1::2]] == words
    assert events[-4].snapshot == "".join(words[:-1])  # as it was at that event
    assert events[-1].content == "".join(words) == final.choices[0].message.content
    assert isinstance(final, ParsedChatCompletion)
    assert json.loads(route.calls[0].request.content)["stream"] is True
    assert stream.response.is_closed


def test_chunk_event_snapshot_and_current_completion_snapshot(router) -> None:
    words = [" " + fake.word() for _ in range(5)]
    sse_route(router, *(edgen_chunk(w) for w in words))
    with Edgen(max_retries=0).chat.completions.stream(model="m", messages=MESSAGES) as stream:
        first = next(stream)
        assert isinstance(first, ChunkEvent)
        assert first.snapshot.choices[0].message.content == words[0]
        assert first.snapshot is stream.current_completion_snapshot  # kept until the next chunk
        assert isinstance(next(stream), ContentDeltaEvent)
        next(stream)
        assert stream.current_completion_snapshot.choices[0].message.content == "".join(words[:2])
        assert "ChunkEvent(type='chunk', chunk=ChatCompletionChunk(" in repr(first)


def test_breaking_out_resumes_where_it_stopped(router) -> None:
    words = [" " + fake.word() for _ in range(10)]
    sse_route(router, *(edgen_chunk(w) for w in words))
    with Edgen(max_retries=0).chat.completions.stream(model="m", messages=MESSAGES) as stream:
        for event in stream:
            if event.type == "content.delta":
                break
        rest = list(stream)  # no event lost in between
        assert kinds(rest)[:2] == ["chunk", "content.delta"] and len(rest) == 2 * 9 + 1
        assert stream.get_final_text() == "".join(words)
        assert stream.until_done() is stream


def test_a_stream_cut_short_gives_no_done_events(router) -> None:
    sse_route(
        router, openai_chunk({"content": "Once"}), openai_chunk({"content": " upon"}), done=True
    )
    with Edgen(max_retries=0).chat.completions.stream(model="m", messages=MESSAGES) as stream:
        events = list(stream)
        with pytest.raises(edgen.IncompleteStreamError) as info:
            stream.get_final_completion()
    assert kinds(events) == ["chunk", "content.delta"] * 2
    assert info.value.completion.choices[0].message.content == "Once upon"


def test_content_that_does_not_fit_raises_at_content_done(router) -> None:
    sse_route(
        router,
        openai_chunk({"content": '{"city": 5'}),
        openai_chunk({"content": "}"}, finish_reason="stop"),
    )
    with Edgen(max_retries=0).chat.completions.stream(
        model="m", messages=MESSAGES, response_format=Place
    ) as stream:
        seen = []
        with pytest.raises(StructuredOutputError) as info:
            for event in stream:
                seen.append(event)
    # As with openai-python, the chunk that ends the content raises instead of its events.
    assert kinds(seen) == ["chunk", "content.delta"]
    assert seen[1].parsed == {"city": 5}  # the partial value is not checked against the type
    assert info.value.content == '{"city": 5}'
    assert info.value.completion.choices[0].message.content == '{"city": 5}'


def test_stream_false_is_refused() -> None:
    with pytest.raises(TypeError, match="always streams"):
        Edgen().chat.completions.stream(model="m", messages=MESSAGES, stream=False)


@pytest.mark.anyio
async def test_async_stream_helper_gives_events_and_is_awaitable(router) -> None:
    words = [" " + fake.word() for _ in range(12)]
    sse_route(router, *(edgen_chunk(w) for w in words))
    async with AsyncEdgen(max_retries=0) as client:
        async with client.chat.completions.stream(model="m", messages=MESSAGES) as stream:
            first = await stream.__anext__()
            async for event in stream:
                if event.type == "content.delta":
                    break
            text = await stream.get_final_text()
            final = await stream.get_final_completion()
            rest = [e async for e in stream]
    assert first.type == "chunk" and first.chunk.choices[0].delta.content == words[0]
    assert event.delta == words[0] and event.snapshot == words[0]
    assert text == "".join(words) == final.choices[0].message.content
    assert rest == []


@pytest.mark.parametrize("dialect", ["edgen", "openai"])
def test_against_the_emulator_final_equals_the_whole_completion(dialect: str) -> None:
    with (
        EdgenEmulator(dialect=dialect, seed=11, tokens=30) as server,
        Edgen(base_url=server.url) as client,
    ):
        whole = client.chat.completions.create(model="m", messages=MESSAGES)
        with client.chat.completions.stream(model="m", messages=MESSAGES) as stream:
            events = list(stream)
            final = stream.get_final_completion()
    text = whole.choices[0].message.content
    assert "".join(e.delta for e in events if e.type == "content.delta") == text
    assert [e.content for e in events if e.type == "content.done"] == [text]
    assert final.choices[0].message.content == text
    assert final.choices[0].finish_reason == whole.choices[0].finish_reason


@pytest.mark.anyio
async def test_async_tool_call_stream_from_the_emulator() -> None:
    tool = {
        "type": "function",
        "function": {
            "name": "lookup",
            "parameters": {
                "type": "object",
                "properties": {"q": {"type": "string"}, "n": {"type": "integer"}},
                "required": ["q", "n"],
            },
        },
    }
    with EdgenEmulator(dialect="openai", seed=4) as server:
        async with AsyncEdgen(base_url=server.url) as client:
            async with client.chat.completions.stream(
                model="m", messages=MESSAGES, tools=[tool], tool_choice="required"
            ) as stream:
                events = [e async for e in stream]
                final = await stream.get_final_completion()
    call = final.choices[0].message.tool_calls[0]
    deltas = [e for e in events if e.type == "tool_calls.function.arguments.delta"]
    (done,) = [e for e in events if e.type == "tool_calls.function.arguments.done"]
    assert len(deltas) > 3  # arguments arrived in pieces
    assert "".join(d.arguments_delta for d in deltas) == done.arguments == call.function.arguments
    assert done.name == call.function.name == "lookup" and done.index == 0
    assert done.parsed_arguments is None  # a plain dict tool has no type to decode into
    assert set(json.loads(call.function.arguments)) == {"q", "n"}
    assert final.choices[0].finish_reason == "tool_calls"
