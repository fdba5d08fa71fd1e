"""Stream accumulation: ChatCompletionAccumulator and client.chat.completions.stream()."""

from __future__ import annotations

import json

import httpx
import msgspec
import pytest
from conftest import SSE_HEADERS, edgen_chunk, openai_chunk, sse_body
from faker import Faker

from edgen import AsyncEdgen, ChatCompletionAccumulator, Edgen
from edgen.testing import EdgenEmulator
from edgen.types.chat import ChatCompletion, ChatCompletionChunk

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


def test_stream_helper_yields_raw_chunks_and_the_final_completion(router) -> None:
    words = [" " + fake.word() for _ in range(15)]
    route = router.post("chat/completions").mock(
        return_value=httpx.Response(
            200, headers=SSE_HEADERS, content=sse_body(*(edgen_chunk(w) for w in words))
        )
    )
    client = Edgen(max_retries=0)
    with client.chat.completions.stream(model="m", messages=MESSAGES) as stream:
        seen = [c.choices[0].delta.content for c in stream]
        final = stream.get_final_completion()
    assert seen == words
    assert final.choices[0].message.content == "".join(words)
    assert json.loads(route.calls[0].request.content)["stream"] is True
    assert stream.response.is_closed


def test_breaking_out_keeps_the_rest_for_get_final_text(router) -> None:
    words = [" " + fake.word() for _ in range(10)]
    router.post("chat/completions").mock(
        return_value=httpx.Response(
            200, headers=SSE_HEADERS, content=sse_body(*(edgen_chunk(w) for w in words))
        )
    )
    with Edgen(max_retries=0).chat.completions.stream(model="m", messages=MESSAGES) as stream:
        for _ in stream:
            break
        assert stream.get_final_text() == "".join(words)


def test_stream_false_is_refused() -> None:
    with pytest.raises(TypeError, match="always streams"):
        Edgen().chat.completions.stream(model="m", messages=MESSAGES, stream=False)


@pytest.mark.anyio
async def test_async_stream_helper_is_awaitable(router) -> None:
    words = [" " + fake.word() for _ in range(12)]
    router.post("chat/completions").mock(
        return_value=httpx.Response(
            200, headers=SSE_HEADERS, content=sse_body(*(edgen_chunk(w) for w in words))
        )
    )
    async with AsyncEdgen(max_retries=0) as client:
        async with client.chat.completions.stream(model="m", messages=MESSAGES) as stream:
            first = await stream.__anext__()
            text = await stream.get_final_text()
            final = await stream.get_final_completion()
    assert first.choices[0].delta.content == words[0]
    assert text == "".join(words) == final.choices[0].message.content


@pytest.mark.parametrize("dialect", ["edgen", "openai"])
def test_against_the_emulator_final_equals_the_whole_completion(dialect: str) -> None:
    with (
        EdgenEmulator(dialect=dialect, seed=11, tokens=30) as server,
        Edgen(base_url=server.url) as client,
    ):
        whole = client.chat.completions.create(model="m", messages=MESSAGES)
        with client.chat.completions.stream(model="m", messages=MESSAGES) as stream:
            final = stream.get_final_completion()
    assert final.choices[0].message.content == whole.choices[0].message.content
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
                n_chunks = 0
                async for _ in stream:
                    n_chunks += 1
                final = await stream.get_final_completion()
    call = final.choices[0].message.tool_calls[0]
    assert n_chunks > 4  # arguments arrived in pieces
    assert call.function.name == "lookup"
    assert set(json.loads(call.function.arguments)) == {"q", "n"}
    assert final.choices[0].finish_reason == "tool_calls"
