"""Response models: msgspec Structs with the pydantic-style helpers."""

from __future__ import annotations

import copy
import json
import pickle
import types
import typing
from typing import Any, ClassVar

import msgspec
import pytest
from conftest import edgen_chunk, openai_chunk
from faker import Faker

from edgen import BaseModel
from edgen.types import AIStatus, CompletionUsage
from edgen.types.chat import ChatCompletion, ChatCompletionChunk
from edgen.types.chat.chat_completion import ChoiceLogprobs
from edgen.types.chat.chat_completion_chunk import Choice, ChoiceDelta, ChoiceDeltaToolCall
from edgen.types.chat.chat_completion_message_tool_call import (
    ChatCompletionMessageToolCall,
    Function,
)
from edgen.types.chat.parsed_chat_completion import ParsedChatCompletionMessage

fake = Faker()
Faker.seed(7)

# edgen-api.md §8, byte for byte.
EDGEN_COMPLETION = (
    b'{"id":"3f0c2a9e-6d1b-4c55-9a7e-1b2f8d4e6a10","choices":[{"message":{"role":"assistant",'
    b'"content":"1 + 2 = 3.","name":null,"tool_calls":null},"finish_reason":null,"index":0}],'
    b'"created":1714998000,"model":"main","system_fingerprint":"edgen-0.1.5",'
    b'"object":"text_completion","usage":{"completion_tokens":0,"prompt_tokens":0,"total_tokens":0}}'
)
EDGEN_CHUNK = (
    b'{"id":"0c1f5e2a-7b3d-4f6e-8a9b-1c2d3e4f5a6b","choices":[{"delta":{"content":"The","role":null},'
    b'"finish_reason":null,"index":0}],"created":1714998001,"model":"main",'
    b'"system_fingerprint":"edgen-0.1.5","object":"text_completion"}'
)


def chunk(obj: dict) -> ChatCompletionChunk:
    return ChatCompletionChunk.model_validate_json(json.dumps(obj))


# -- decoding ----------------------------------------------------------------------


def test_edgen_completion_example() -> None:
    completion = ChatCompletion.model_validate_json(EDGEN_COMPLETION)
    assert completion.id == "3f0c2a9e-6d1b-4c55-9a7e-1b2f8d4e6a10"
    assert completion.object == "text_completion"
    assert completion.model == "main"
    assert completion.created == 1714998000
    assert completion.system_fingerprint == "edgen-0.1.5"
    (choice,) = completion.choices
    assert choice.index == 0
    assert choice.finish_reason is None
    assert choice.message.role == "assistant"
    assert choice.message.content == "1 + 2 = 3."
    assert choice.message.tool_calls is None
    assert choice.message.model_fields_set == {"role", "content", "name", "tool_calls"}
    assert completion.usage == CompletionUsage(completion_tokens=0, prompt_tokens=0, total_tokens=0)
    assert "service_tier" not in completion.model_fields_set


def test_edgen_chunk_example() -> None:
    c = ChatCompletionChunk.model_validate_json(EDGEN_CHUNK)
    assert c.choices[0].delta.content == "The"
    assert c.choices[0].delta.role is None
    assert c.choices[0].delta.model_fields_set == {"content", "role"}
    assert c.usage is None and "usage" not in c.model_fields_set


def test_faker_payload_roundtrip() -> None:
    content, cid = fake.paragraph(), fake.uuid4()
    c = chunk(edgen_chunk(content, chunk_id=cid))
    assert (c.id, c.choices[0].delta.content) == (cid, content)
    assert json.loads(c.model_dump_json(exclude_unset=True)) == edgen_chunk(content, chunk_id=cid)


def test_llamacpp_role_only_first_chunk() -> None:
    c = chunk(openai_chunk({"role": "assistant"}))
    delta = c.choices[0].delta
    assert delta.role == "assistant"
    assert delta.content is None
    assert delta.model_fields_set == {"role"}
    assert c.choices[0].model_fields_set == {"delta", "index", "logprobs", "finish_reason"}


def test_llamacpp_final_chunk_with_empty_delta() -> None:
    c = chunk(openai_chunk({}, finish_reason="stop"))
    assert c.choices[0].finish_reason == "stop"
    assert c.choices[0].delta.model_fields_set == set()
    assert c.choices[0].delta.content is None
    assert c.model_dump(exclude_unset=True)["choices"][0]["delta"] == {}


def test_usage_chunk_with_empty_choices() -> None:
    c = chunk(
        openai_chunk(
            {}, choices=[], usage={"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12}
        )
    )
    assert c.choices == []
    assert c.usage is not None
    assert (c.usage.prompt_tokens, c.usage.completion_tokens, c.usage.total_tokens) == (5, 7, 12)
    assert c.usage.completion_tokens_details is None


@pytest.mark.parametrize("reason", ["content_filter_v2", "tool_calls", "length", "something_new"])
def test_new_finish_reasons_are_accepted(reason: str) -> None:
    assert chunk(openai_chunk({}, finish_reason=reason)).choices[0].finish_reason == reason


def test_unknown_extra_fields_are_kept_at_every_level() -> None:
    # Fuller coverage of extras is in test_model_extras.py.
    raw = openai_chunk({"content": "hi", "new_delta_field": [1]}, timings={"predicted_ms": 3.5})
    raw["choices"][0]["future"] = {"x": 1}
    c = chunk(raw)
    assert c.choices[0].delta.content == "hi"
    assert c.model_extra == {"timings": {"predicted_ms": 3.5}}
    assert c.choices[0].model_extra == {"future": {"x": 1}}
    assert c.model_dump()["choices"][0]["delta"]["new_delta_field"] == [1]


def test_tool_call_deltas() -> None:
    tc = {
        "index": 0,
        "id": "call_1",
        "type": "function",
        "function": {"name": "f", "arguments": '{"a"'},
    }
    c = chunk(openai_chunk({"tool_calls": [tc]}))
    (call,) = c.choices[0].delta.tool_calls or []
    assert isinstance(call, ChoiceDeltaToolCall)
    assert call.function is not None and call.function.arguments == '{"a"'
    assert call.function.model_fields_set == {"name", "arguments"}


def test_wrong_types_raise_validation_error() -> None:
    with pytest.raises(msgspec.ValidationError, match=r"\$\.created"):
        chunk({**edgen_chunk("x"), "created": "yesterday"})
    with pytest.raises(msgspec.ValidationError, match="choices"):
        ChatCompletionChunk.model_validate_json(b'{"id":"a","created":1,"model":"m","object":"o"}')


# -- null vs missing -----------------------------------------------------------------


def test_model_fields_set_null_versus_missing_nested() -> None:
    c = chunk(openai_chunk({"content": None}))
    assert c.choices[0].delta.content is None
    assert c.choices[0].delta.model_fields_set == {"content"}
    c2 = chunk(openai_chunk({}))
    assert c2.choices[0].delta.content is None
    assert c2.choices[0].delta.model_fields_set == set()
    assert c.choices[0].delta != c2.choices[0].delta


def test_top_level_null_versus_missing() -> None:
    raw = edgen_chunk("x")
    raw["system_fingerprint"] = None
    assert "system_fingerprint" in chunk(raw).model_fields_set
    del raw["system_fingerprint"]
    c = chunk(raw)
    assert "system_fingerprint" not in c.model_fields_set
    assert c.system_fingerprint is None


# -- dumping ---------------------------------------------------------------------------


def test_model_dump_default_fills_every_field() -> None:
    c = ChatCompletionChunk.model_validate_json(EDGEN_CHUNK)
    dumped = c.model_dump()
    assert set(dumped) == {
        "id",
        "choices",
        "created",
        "model",
        "object",
        "system_fingerprint",
        "service_tier",
        "usage",
    }
    assert dumped["service_tier"] is None and dumped["usage"] is None
    delta = dumped["choices"][0]["delta"]
    assert delta == {
        "content": "The",
        "role": None,
        "refusal": None,
        "tool_calls": None,
        "function_call": None,
        "reasoning_content": None,
    }
    assert dumped["choices"][0]["logprobs"] is None
    # Plain builtins only, and a fresh structure each time.
    dumped["choices"][0]["delta"]["content"] = "changed"
    assert c.choices[0].delta.content == "The"
    assert c.model_dump(mode="json") == c.model_dump()


def test_model_dump_exclude_unset_is_exactly_what_was_sent() -> None:
    c = ChatCompletionChunk.model_validate_json(EDGEN_CHUNK)
    assert c.model_dump(exclude_unset=True) == json.loads(EDGEN_CHUNK)
    completion = ChatCompletion.model_validate_json(EDGEN_COMPLETION)
    assert completion.model_dump(exclude_unset=True) == json.loads(EDGEN_COMPLETION)


def test_model_dump_exclude_none() -> None:
    c = ChatCompletionChunk.model_validate_json(EDGEN_CHUNK)
    assert c.model_dump(exclude_none=True) == {
        "id": "0c1f5e2a-7b3d-4f6e-8a9b-1c2d3e4f5a6b",
        "choices": [{"delta": {"content": "The"}, "index": 0}],
        "created": 1714998001,
        "model": "main",
        "object": "text_completion",
        "system_fingerprint": "edgen-0.1.5",
    }


def test_model_dump_exclude_defaults_drops_none_and_default_lists() -> None:
    usage = CompletionUsage(completion_tokens=1, prompt_tokens=2, total_tokens=3)
    assert usage.model_dump(exclude_defaults=True) == {
        "completion_tokens": 1,
        "prompt_tokens": 2,
        "total_tokens": 3,
    }
    c = ChatCompletionChunk.model_validate_json(EDGEN_CHUNK)
    assert c.model_dump(exclude_defaults=True)["choices"] == [
        {"delta": {"content": "The"}, "index": 0}
    ]


def test_model_dump_include_and_exclude() -> None:
    c = ChatCompletionChunk.model_validate_json(EDGEN_CHUNK)
    assert c.model_dump(include={"id", "created"}) == {
        "id": "0c1f5e2a-7b3d-4f6e-8a9b-1c2d3e4f5a6b",
        "created": 1714998001,
    }
    out = c.model_dump(exclude={"choices": {0: {"delta"}}, "usage": True, "service_tier": ...})
    assert "usage" not in out and "service_tier" not in out
    assert out["choices"] == [{"index": 0, "finish_reason": None, "logprobs": None}]
    nested = c.model_dump(
        include={"choices": {"__all__": {"delta": {"content"}}}}, exclude_unset=True
    )
    assert nested == {"choices": [{"delta": {"content": "The"}}]}
    with pytest.raises(TypeError):
        c.model_dump(include="id")  # type: ignore[arg-type]


def test_model_dump_bad_mode() -> None:
    with pytest.raises(ValueError, match="mode"):
        ChatCompletionChunk.model_validate_json(EDGEN_CHUNK).model_dump(mode="xml")


def test_model_dump_json_indent_exclude_unset_exact() -> None:
    c = ChatCompletionChunk.model_validate_json(EDGEN_CHUNK)
    expected = """{
  "id": "0c1f5e2a-7b3d-4f6e-8a9b-1c2d3e4f5a6b",
  "choices": [
    {
      "delta": {
        "content": "The",
        "role": null
      },
      "index": 0,
      "finish_reason": null
    }
  ],
  "created": 1714998001,
  "model": "main",
  "object": "text_completion",
  "system_fingerprint": "edgen-0.1.5"
}"""
    assert c.model_dump_json(indent=2, exclude_unset=True) == expected


def test_model_dump_json_variants_agree_with_model_dump() -> None:
    c = chunk(openai_chunk({"role": "assistant"}))
    for kwargs in (
        {},
        {"exclude_unset": True},
        {"exclude_none": True},
        {"exclude_defaults": True},
        {"include": {"id"}},
        {"exclude": {"choices"}, "exclude_unset": True},
    ):
        assert json.loads(c.model_dump_json(**kwargs)) == c.model_dump(**kwargs), kwargs
    assert "\n" not in c.model_dump_json()


def test_to_dict_and_to_json_leave_out_unsent_fields() -> None:
    c = chunk(openai_chunk({"role": "assistant"}))
    assert c.to_dict() == c.model_dump(exclude_unset=True)
    assert "usage" not in c.to_dict()
    assert c.to_dict(exclude_unset=False)["usage"] is None
    text = c.to_json()
    assert text.startswith("{\n  ")
    assert json.loads(text) == c.to_dict()
    assert json.loads(c.to_json(indent=None, exclude_none=True)) == c.model_dump(exclude_none=True)


# -- building --------------------------------------------------------------------------


def test_model_validate_from_dict_and_errors() -> None:
    data = edgen_chunk(fake.word())
    c = ChatCompletionChunk.model_validate(data)
    assert c.choices[0].delta.content == data["choices"][0]["delta"]["content"]
    assert c.choices[0].delta.model_fields_set == {"content", "role"}
    assert ChatCompletionChunk.model_validate(c) is c
    with pytest.raises(ValueError, match="id"):
        ChatCompletionChunk.model_validate({**data, "id": 5})
    with pytest.raises(ValueError):
        ChatCompletionChunk.model_validate({"id": "x"})


def test_model_validate_json_errors() -> None:
    with pytest.raises(msgspec.DecodeError):
        ChatCompletionChunk.model_validate_json(b'{"id":')
    with pytest.raises(ValueError):
        ChatCompletionChunk.model_validate_json("[]")


def test_construct_with_wire_names() -> None:
    delta = ChoiceDelta(content="x")
    assert delta.content == "x"
    assert delta.model_fields_set == {"content"}
    assert ChoiceDelta(content=None).model_fields_set == {"content"}
    assert ChoiceDelta().model_fields_set == set()
    c = ChatCompletionChunk(
        id="a", choices=[Choice(delta=delta, index=0)], created=1, model="m", object="o"
    )
    assert c.model_dump(exclude_unset=True) == {
        "id": "a",
        "choices": [{"delta": {"content": "x"}, "index": 0}],
        "created": 1,
        "model": "m",
        "object": "o",
    }
    built = ChoiceDelta.model_construct(role="assistant")
    assert built.role == "assistant" and built.model_fields_set == {"role"}


def test_constructors_refuse_storage_names() -> None:
    with pytest.raises(
        TypeError, match=r"^ChoiceDelta\(\) got an unexpected keyword argument 'content_'; "
    ) as caught:
        ChoiceDelta(content_="x")
    assert "content=" in str(caught.value)
    with pytest.raises(TypeError, match="'system_fingerprint_'"):
        ChatCompletionChunk(
            id="a", choices=[], created=1, model="m", object="o", system_fingerprint_="f"
        )
    # Inherited tracked fields too, and next to valid public names.
    with pytest.raises(TypeError, match="'parsed_'"):
        ParsedChatCompletionMessage(role="assistant", content="{}", parsed_={})
    message = ParsedChatCompletionMessage(role="assistant", content="{}", parsed={})
    assert message.parsed == {} and message.model_fields_set == {"role", "content", "parsed"}
    # In a wire dict a storage name is an unknown key, ignored like any other.
    assert ChoiceDelta.model_validate({"content_": "x"}).model_fields_set == set()


def test_equality() -> None:
    a = ChatCompletionChunk.model_validate_json(EDGEN_CHUNK)
    b = ChatCompletionChunk.model_validate_json(EDGEN_CHUNK)
    assert a == b
    assert a != chunk({**json.loads(EDGEN_CHUNK), "created": 2})
    assert ChoiceDelta(content="x") == ChoiceDelta(content="x")
    assert ChoiceDelta(content="x") != ChoiceDelta(content="y")


def test_repr_uses_wire_names_and_hides_unset() -> None:
    c = ChatCompletionChunk.model_validate_json(EDGEN_CHUNK)
    text = repr(c)
    assert text.startswith("ChatCompletionChunk(id='0c1f5e2a")
    assert "content='The'" in text and "role=None" in text
    assert "content_" not in text and "role_" not in text and "system_fingerprint_" not in text
    assert "UNSET" not in text and "usage" not in text
    assert repr(ChoiceDelta()) == "ChoiceDelta()"


def test_unset_fields_read_as_none() -> None:
    delta = ChoiceDelta()
    for name in ChoiceDelta.model_fields_names():
        assert getattr(delta, name) is None
    assert set(ChoiceDelta.model_fields_names()) == {
        "content",
        "role",
        "refusal",
        "tool_calls",
        "function_call",
        "reasoning_content",
    }


def test_aistatus_and_custom_subclass() -> None:
    status = AIStatus.model_validate_json(
        b'{"active_model":"neural-chat-7b-v3-3.Q4_K_M.gguf","download_ongoing":true,'
        b'"download_progress":42,"last_errors":[]}'
    )
    assert (status.download_ongoing, status.download_progress, status.last_errors) == (True, 42, [])

    class Thing(BaseModel):
        name: str
        note: str | None = None

    thing = Thing.model_validate({"name": "n"})
    assert thing.model_fields_set == {"name"}
    assert thing.model_dump() == {"name": "n", "note": None}
    assert msgspec.json.encode(thing) == b'{"name":"n"}'


def test_exclude_defaults_keeps_required_empty_lists() -> None:
    usage_chunk = chunk(
        openai_chunk(
            {}, choices=[], usage={"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
        )
    )
    assert usage_chunk.model_dump(exclude_defaults=True)["choices"] == []
    status = AIStatus(
        active_model="m", download_ongoing=False, download_progress=100, last_errors=[]
    )
    assert status.model_dump(exclude_defaults=True)["last_errors"] == []


# -- assignment ------------------------------------------------------------------------


def test_assigning_a_sent_optional_field_replaces_it_everywhere() -> None:
    # What an SDK redacting content does to a decoded completion.
    completion = ChatCompletion.model_validate_json(EDGEN_COMPLETION)
    message = completion.choices[0].message
    message.content = "[redacted]"
    message.role = "user"  # a required field
    assert (message.content, message.role) == ("[redacted]", "user")
    assert message.model_fields_set == {"role", "content", "name", "tool_calls"}
    expected = json.loads(EDGEN_COMPLETION)
    expected["choices"][0]["message"].update(role="user", content="[redacted]")
    assert completion.model_dump(exclude_unset=True) == expected
    assert json.loads(completion.model_dump_json(exclude_unset=True)) == expected
    assert json.loads(msgspec.json.encode(completion)) == expected
    assert completion.model_dump()["choices"][0]["message"]["content"] == "[redacted]"
    assert "1 + 2 = 3." not in completion.model_dump_json(indent=2)
    assert "1 + 2 = 3." not in repr(completion)


def test_assigning_an_unsent_field_marks_it_set_in_declared_order() -> None:
    c = ChatCompletionChunk.model_validate_json(EDGEN_CHUNK)
    delta = c.choices[0].delta
    delta.refusal = "no"
    c.service_tier = "default"
    assert delta.refusal == "no" and c.service_tier == "default"
    assert delta.model_fields_set == {"content", "role", "refusal"}
    assert c.model_fields_set == {
        "id",
        "choices",
        "created",
        "model",
        "object",
        "system_fingerprint",
        "service_tier",
    }
    expected = (
        b'{"id":"0c1f5e2a-7b3d-4f6e-8a9b-1c2d3e4f5a6b","choices":[{"delta":{"content":"The",'
        b'"role":null,"refusal":"no"},"index":0,"finish_reason":null}],"created":1714998001,'
        b'"model":"main","object":"text_completion","system_fingerprint":"edgen-0.1.5",'
        b'"service_tier":"default"}'
    )
    assert msgspec.json.encode(c) == expected
    assert c.model_dump_json(exclude_unset=True) == expected.decode()
    assert ChatCompletionChunk.model_validate_json(expected) == c


def test_assigning_none_sets_the_field_to_null() -> None:
    # As in pydantic: None is a value like any other, so the field counts as set.
    c = ChatCompletionChunk.model_validate_json(EDGEN_CHUNK)
    delta = c.choices[0].delta
    delta.content = None  # sent as "The"
    delta.reasoning_content = None  # not sent
    assert delta.content is None and delta.reasoning_content is None
    assert delta.model_fields_set == {"content", "role", "reasoning_content"}
    assert msgspec.json.encode(delta) == b'{"content":null,"role":null,"reasoning_content":null}'
    assert delta.model_dump(exclude_unset=True) == {
        "content": None,
        "role": None,
        "reasoning_content": None,
    }
    assert delta.model_dump(exclude_none=True) == {}
    assert c.model_dump(exclude_none=True)["choices"] == [{"delta": {}, "index": 0}]


def test_assigning_models_and_lists_into_optional_fields() -> None:
    completion = ChatCompletion.model_validate_json(EDGEN_COMPLETION)
    choice = completion.choices[0]
    call = ChatCompletionMessageToolCall(
        id="call_1", type="function", function=Function(name="f", arguments='{"a":1}')
    )
    choice.message.tool_calls = [call]  # sent as null
    choice.logprobs = ChoiceLogprobs(content=[])  # not sent; its `refusal` stays unset
    completion.usage = None
    sent = completion.model_dump(exclude_unset=True)
    assert sent["choices"][0]["message"]["tool_calls"] == [
        {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": '{"a":1}'}}
    ]
    assert sent["choices"][0]["logprobs"] == {"content": []}
    assert sent["usage"] is None
    # A full dump fills the unset fields inside the assigned model too.
    assert completion.model_dump()["choices"][0]["logprobs"] == {"content": [], "refusal": None}
    text = completion.model_dump_json(exclude_unset=True)
    assert ChatCompletion.model_validate_json(text) == completion


def test_deleting_an_optional_field_makes_it_unset_again() -> None:
    completion = ChatCompletion.model_validate_json(EDGEN_COMPLETION)
    message = completion.choices[0].message
    del message.content
    del message.name
    assert message.content is None and message.name is None
    assert message.model_fields_set == {"role", "tool_calls"}
    assert msgspec.json.encode(message) == b'{"role":"assistant","tool_calls":null}'
    assert message.model_dump()["content"] is None
    del message.content  # already unset: nothing changes
    assert message.model_fields_set == {"role", "tool_calls"}
    message.content = "back"
    assert message.model_dump(exclude_unset=True) == {
        "role": "assistant",
        "content": "back",
        "tool_calls": None,
    }


def test_assigned_values_survive_copy_and_pickle() -> None:
    delta = ChatCompletionChunk.model_validate_json(EDGEN_CHUNK).choices[0].delta
    delta.refusal = "no"
    for twin in (copy.copy(delta), copy.deepcopy(delta), pickle.loads(pickle.dumps(delta))):
        assert twin == delta
        assert twin.refusal == "no"
        assert twin.model_fields_set == {"content", "role", "refusal"}


# -- class variables -------------------------------------------------------------------


class ClassVarNote(BaseModel):  # only its name begins like ClassVar's
    text: str


class _WithClassVars(BaseModel):
    registry: ClassVar[dict[str, int] | None] = None
    limit: typing.ClassVar[int | None] = None
    note: ClassVarNote | None = None


def test_class_variables_are_recognised_by_what_they_name() -> None:
    assert _WithClassVars.model_fields_names() == ("note",)
    assert _WithClassVars.registry is None and _WithClassVars.limit is None
    absent = _WithClassVars.model_validate_json(b"{}")
    assert absent.note is None and absent.model_fields_set == set()
    sent = _WithClassVars.model_validate_json(b'{"note":{"text":"t"},"limit":3}')
    assert sent.note == ClassVarNote(text="t") and sent.model_fields_set == {"note"}
    assert msgspec.json.encode(absent) == b"{}"

    # Annotations given as objects, as in a module without `from __future__ import annotations`.
    def body(ns: dict[str, Any]) -> None:
        ns["__annotations__"] = {"hidden": ClassVar[int | None], "shown": int | None}
        ns.update(hidden=None, shown=None)

    built: Any = types.new_class("Built", (BaseModel,), exec_body=body)
    assert built.model_fields_names() == ("shown",) and built.hidden is None
    assert built.model_validate_json(b'{"hidden":1}').model_fields_set == set()
