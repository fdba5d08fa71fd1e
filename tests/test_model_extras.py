"""Issue 14 items 5 and 6: model_copy / model_fields / model_json_schema / model_extra, and
fields the types do not declare (servers' extensions) kept at every level."""

from __future__ import annotations

import copy
import json
import pickle
from typing import Any

import httpx
import msgspec
import pytest
import respx
from conftest import openai_chunk, sse_body

from edgen import APIResponseValidationError, BaseModel, Edgen
from edgen.types import CompletionUsage, Model
from edgen.types.chat import ChatCompletion, ChatCompletionChunk
from edgen.types.chat.chat_completion_chunk import ChoiceDelta
from edgen.types.chat.chat_completion_token_logprob import TopLogprob

MESSAGES = [{"role": "user", "content": "hi"}]
SSE_HEADERS = {"content-type": "text/event-stream"}
TIMINGS = {"prompt_n": 4, "prompt_ms": 12.5, "predicted_n": 2, "predicted_per_second": 80.1}


def completion_body(**top: Any) -> dict[str, Any]:
    # A llama.cpp / vLLM style answer, with an extension at each level.
    body: dict[str, Any] = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1714998000,
        "model": "llama",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "hi", "reasoning_tokens": 7},
                "finish_reason": "stop",
                "stop_reason": 128009,
                "logprobs": {
                    "content": [
                        {"id": 9, "token": "hi", "logprob": -0.5, "top_logprobs": []},
                        {"token": "!", "logprob": -1.0, "top_logprobs": []},
                    ]
                },
            }
        ],
        "usage": {"prompt_tokens": 4, "completion_tokens": 2, "total_tokens": 6},
        "timings": TIMINGS,
    }
    body.update(top)
    return body


def create(router: respx.MockRouter, body: Any) -> ChatCompletion:
    router.post("chat/completions").respond(200, json=body)
    return Edgen(max_retries=0).chat.completions.create(model="m", messages=MESSAGES)  # type: ignore[arg-type]


# -- item 6: extensions kept ---------------------------------------------------------


def test_completion_keeps_extensions_at_every_level(router: respx.MockRouter) -> None:
    completion = create(router, completion_body())
    choice = completion.choices[0]
    assert completion.model_extra == {"timings": TIMINGS}
    assert completion.timings == TIMINGS  # type: ignore[attr-defined]
    assert choice.model_extra == {"stop_reason": 128009}
    assert choice.message.model_extra == {"reasoning_tokens": 7}
    logprobs = choice.logprobs.content  # type: ignore[union-attr]
    assert [lp.model_extra for lp in logprobs] == [{"id": 9}, {}]  # type: ignore[union-attr]
    assert completion.usage is not None and completion.usage.model_extra == {}
    # the declared fields decode as without extensions
    assert choice.message.content == "hi" and choice.finish_reason == "stop"
    assert completion.usage.total_tokens == 6


def test_extensions_are_dumped_and_in_fields_set(router: respx.MockRouter) -> None:
    completion = create(router, completion_body())
    for dump in (
        completion.model_dump(),
        completion.model_dump(exclude_unset=True),
        json.loads(completion.model_dump_json()),
        json.loads(completion.to_json()),
    ):
        assert dump["timings"] == TIMINGS
        assert dump["choices"][0]["stop_reason"] == 128009
        assert dump["choices"][0]["message"]["reasoning_tokens"] == 7
        assert dump["choices"][0]["logprobs"]["content"][0]["id"] == 9
        assert "id" not in dump["choices"][0]["logprobs"]["content"][1]
    assert list(completion.model_dump())[-1] == "timings"  # after the declared fields
    assert completion.model_dump(exclude={"timings"}).keys() == completion.model_fields.keys()
    assert "timings" in completion.model_fields_set
    assert "stop_reason" in completion.choices[0].model_fields_set
    assert "timings={'prompt_n': 4" in repr(completion)


def test_stream_chunks_keep_extensions(router: respx.MockRouter) -> None:
    first = openai_chunk({"role": "assistant", "content": "a"})
    last = openai_chunk({}, finish_reason="stop", timings=TIMINGS)
    last["choices"][0]["stop_reason"] = "</s>"
    body = sse_body(first, last, done=True)
    router.post("chat/completions").respond(200, content=body, headers=SSE_HEADERS)
    client = Edgen(max_retries=0)
    chunks = list(client.chat.completions.create(model="m", messages=MESSAGES, stream=True))  # type: ignore[arg-type]
    assert [c.model_extra for c in chunks] == [{}, {"timings": TIMINGS}]
    assert chunks[1].choices[0].model_extra == {"stop_reason": "</s>"}
    assert chunks[1].choices[0].model_dump()["stop_reason"] == "</s>"
    assert chunks[0].choices[0].delta.content == "a"


@pytest.mark.anyio
async def test_async_stream_chunks_keep_extensions(router: respx.MockRouter) -> None:
    from edgen import AsyncEdgen

    raw = openai_chunk({"content": "a", "thinking": "b"})
    body = sse_body(raw, done=True)
    router.post("chat/completions").respond(200, content=body, headers=SSE_HEADERS)
    client = AsyncEdgen(max_retries=0)
    stream = await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)  # type: ignore[arg-type]
    chunks = [c async for c in stream]
    assert chunks[0].choices[0].delta.model_extra == {"thinking": "b"}


def test_parse_keeps_extensions(router: respx.MockRouter) -> None:
    class Answer(msgspec.Struct):
        word: str

    body = completion_body()
    body["choices"][0]["message"]["content"] = '{"word": "hi"}'
    router.post("chat/completions").respond(200, json=body)
    result = Edgen(max_retries=0).chat.completions.parse(
        model="m",
        messages=MESSAGES,  # type: ignore[arg-type]
        response_format=Answer,
    )
    assert result.choices[0].message.parsed == Answer(word="hi")
    assert result.timings == TIMINGS  # type: ignore[attr-defined]
    assert result.choices[0].message.model_extra == {"reasoning_tokens": 7}


def test_model_validate_and_construct_keep_extensions() -> None:
    usage = {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3, "cost": 0.5}
    assert CompletionUsage.model_validate(usage).model_extra == {"cost": 0.5}
    assert CompletionUsage.construct(**usage).model_extra == {"cost": 0.5}
    validated = ChatCompletion.model_validate_json(json.dumps(completion_body()))
    assert validated.model_extra == {"timings": TIMINGS}


def test_a_wrong_declared_field_still_fails_naming_it(router: respx.MockRouter) -> None:
    body = completion_body()
    body["choices"][0]["index"] = "zero"  # next to the extensions: the slow path checks too
    with pytest.raises(APIResponseValidationError, match=r"\$\.choices\[0\]\.index"):
        create(router, body)
    with pytest.raises(msgspec.ValidationError, match=r"\$\.choices\[0\]\.index"):
        ChatCompletion.model_validate(body)


def test_keys_naming_methods_or_storage_are_left_out() -> None:
    raw = openai_chunk({"content": "a", "content_": "b", "model_dump": 1}, model_dump=2)
    c = ChatCompletionChunk.model_validate_json(json.dumps(raw))
    assert c.model_extra == {} and c.choices[0].delta.model_extra == {}
    assert c.model_dump()["choices"][0]["delta"]["content"] == "a"  # still a method
    assert c.choices[0].delta.content == "a"


def test_copy_and_pickle_keep_extensions() -> None:
    c = ChatCompletion.model_validate(completion_body())
    for other in (copy.copy(c), copy.deepcopy(c), pickle.loads(pickle.dumps(c))):
        assert other.model_extra == {"timings": TIMINGS}
        assert other.choices[0].model_extra == {"stop_reason": 128009}
        assert other.model_dump() == c.model_dump()


def test_constructors_still_refuse_unknown_names() -> None:
    with pytest.raises(TypeError, match="stop_reason"):
        ChoiceDelta(stop_reason=1)  # type: ignore[call-arg]


# -- item 5: model_copy, model_fields, model_json_schema ----------------------------------


def test_model_copy_shallow_deep_and_update() -> None:
    c = ChatCompletion.model_validate(completion_body())
    shallow = c.model_copy()
    assert shallow is not c and shallow == c and shallow.choices is c.choices
    assert shallow.model_extra == c.model_extra and shallow.model_extra is not c.model_extra
    deep = c.model_copy(deep=True)
    assert deep == c and deep.choices is not c.choices
    assert deep.choices[0].message is not c.choices[0].message

    updated = c.model_copy(update={"model": "other", "service_tier": None, "timings": 1, "x": 2})
    assert updated.model == "other" and c.model == "llama"
    assert "service_tier" in updated.model_fields_set  # None, but given: set, as in pydantic
    assert "service_tier" not in c.model_fields_set
    assert updated.model_extra == {"timings": 1, "x": 2}
    assert c.model_extra == {"timings": TIMINGS}
    assert updated.model_dump()["x"] == 2


def test_model_copy_of_a_model_without_extras() -> None:
    delta = ChoiceDelta(content="a")
    copied = delta.model_copy(update={"role": "assistant"})
    assert (copied.content, copied.role) == ("a", "assistant")
    assert copied.model_fields_set == {"content", "role"} and delta.role is None


def test_model_fields() -> None:
    fields = ChatCompletion.model_fields
    assert list(fields) == [
        "id",
        "choices",
        "created",
        "model",
        "object",
        "system_fingerprint",
        "service_tier",
        "usage",
    ]
    assert fields["id"].annotation is str and fields["id"].is_required()
    assert fields["usage"].annotation == (CompletionUsage | None)
    assert fields["usage"].default is None and not fields["usage"].is_required()
    assert Model.model_fields["object"].default == "model"
    assert ChatCompletion.model_validate(completion_body()).model_fields is fields
    delta_fields = ChoiceDelta.model_fields
    assert "content" in delta_fields and "content_" not in delta_fields


def test_model_json_schema() -> None:
    schema = ChatCompletion.model_json_schema()
    assert schema["title"] == "ChatCompletion" and schema["type"] == "object"
    assert schema["required"] == ["id", "choices", "created", "model", "object"]
    assert schema["properties"]["choices"]["items"] == {"$ref": "#/$defs/Choice"}
    assert "ChatCompletion" not in schema["$defs"]
    assert set(schema["$defs"]) >= {"Choice", "ChatCompletionMessage", "CompletionUsage"}
    # servers' extensions are accepted, so the schema must not forbid them
    assert all("additionalProperties" not in d for d in [schema, *schema["$defs"].values()])
    content = schema["$defs"]["ChatCompletionMessage"]["properties"]["content"]
    assert content == {"anyOf": [{"type": "string"}, {"type": "null"}]}
    other = ChatCompletion.model_json_schema(ref_template="#/components/schemas/{model}")
    assert other["properties"]["choices"]["items"] == {"$ref": "#/components/schemas/Choice"}
    assert ChatCompletion.model_json_schema() is not ChatCompletion.model_json_schema()


def test_no_extras_without_extensions(router: respx.MockRouter) -> None:
    body = completion_body()
    del body["timings"], body["choices"][0]["stop_reason"]
    del body["choices"][0]["message"]["reasoning_tokens"]
    del body["choices"][0]["logprobs"]["content"][0]["id"]
    completion = create(router, body)
    assert completion.model_extra == {} and completion.choices[0].model_extra == {}
    assert "timings" not in completion.model_dump()
    with pytest.raises(AttributeError):
        completion.timings  # type: ignore[attr-defined]  # noqa: B018


def test_httpx_response_body_is_what_was_decoded(router: respx.MockRouter) -> None:
    # the extensions come from the bytes on the wire, untouched
    completion = create(router, completion_body(extra_list=[1, {"a": None}]))
    assert completion.model_extra["extra_list"] == [1, {"a": None}]
    assert isinstance(router.calls.last.response, httpx.Response)


def test_a_class_that_gets_extras_after_its_parent_was_dumped_still_shows_them() -> None:
    # Dump plans are made once per class; a nested class that only later receives extras
    # must be walked from then on (the plans are keyed by how many classes have extras).
    class Outer(BaseModel):
        inner: TopLogprob

    first = Outer.model_validate({"inner": {"token": "a", "logprob": 0.0}})
    assert first.model_dump()["inner"] == {"token": "a", "logprob": 0.0, "bytes": None}
    later = Outer.model_validate({"inner": {"token": "b", "logprob": 0.0, "rank": 3}})
    assert later.model_dump()["inner"]["rank"] == 3
    assert msgspec.json.decode(later.model_dump_json())["inner"]["rank"] == 3
