"""Structured outputs: parse() with msgspec types, function_tool(), parsed_arguments."""

from __future__ import annotations

import dataclasses
import json
from typing import TypedDict

import httpx
import msgspec
import pytest
from conftest import SSE_HEADERS, edgen_chunk, openai_completion, sse_body

from edgen import AsyncEdgen, Edgen, InternalServerError, StructuredOutputError, function_tool
from edgen._structured import json_schema
from edgen.testing import EdgenEmulator

MESSAGES = [{"role": "user", "content": "report"}]


class Location(msgspec.Struct):
    city: str
    lat: float


class Weather(msgspec.Struct):
    """Today's weather."""

    where: Location
    highs: list[int]
    note: str | None = None


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Pair(TypedDict):
    a: str
    b: bool


completion = openai_completion


def test_parse_sends_the_schema_and_decodes_content(router) -> None:
    answer = {"where": {"city": "Oslo", "lat": 59.9}, "highs": [3, 5]}
    route = router.post("chat/completions").mock(
        return_value=httpx.Response(200, json=completion(json.dumps(answer)))
    )
    result = Edgen(max_retries=0).chat.completions.parse(
        model="m", messages=MESSAGES, response_format=Weather
    )
    sent = json.loads(route.calls[0].request.content)
    fmt = sent["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["name"] == "Weather"
    schema = fmt["json_schema"]["schema"]
    assert schema["type"] == "object" and schema["required"] == ["where", "highs"]
    assert schema["$defs"]["Location"]["properties"]["lat"] == {"type": "number"}
    parsed = result.choices[0].message.parsed
    assert parsed == Weather(where=Location(city="Oslo", lat=59.9), highs=[3, 5])
    assert "parsed" in result.choices[0].message.model_fields_set


def test_content_that_does_not_fit_raises_with_the_raw_text(router) -> None:
    router.post("chat/completions").mock(
        return_value=httpx.Response(200, json=completion('{"where": "nowhere"}'))
    )
    with pytest.raises(StructuredOutputError) as info:
        Edgen(max_retries=0).chat.completions.parse(
            model="m", messages=MESSAGES, response_format=Weather
        )
    assert info.value.content == '{"where": "nowhere"}'
    assert "Weather" in str(info.value) and "nowhere" in str(info.value)
    router.post("chat/completions").mock(
        return_value=httpx.Response(200, json=completion("not json at all"))
    )
    with pytest.raises(StructuredOutputError, match="not json at all"):
        Edgen(max_retries=0).chat.completions.parse(
            model="m", messages=MESSAGES, response_format=Weather
        )


def test_function_tool_and_parsed_arguments(router) -> None:
    tool = function_tool(Weather)
    assert tool["function"]["name"] == "Weather"
    assert tool["function"]["description"] == "Today's weather."
    assert tool["function"]["parameters"] == json_schema(Weather)
    args = json.dumps({"where": {"city": "Rome", "lat": 41.9}, "highs": [20]})
    call = {"id": "c1", "type": "function", "function": {"name": "Weather", "arguments": args}}
    other = {"id": "c2", "type": "function", "function": {"name": "unknown", "arguments": "{}"}}
    route = router.post("chat/completions").mock(
        return_value=httpx.Response(200, json=completion(None, [call, other]))
    )
    result = Edgen(max_retries=0).chat.completions.parse(model="m", messages=MESSAGES, tools=[tool])
    assert json.loads(route.calls[0].request.content)["tools"][0]["function"]["name"] == "Weather"
    calls = result.choices[0].message.tool_calls
    assert calls[0].function.parsed_arguments == Weather(
        where=Location(city="Rome", lat=41.9), highs=[20]
    )
    assert calls[1].function.parsed_arguments is None  # not a function_tool: left as text


def test_bad_arguments_raise(router) -> None:
    call = {
        "id": "c1",
        "type": "function",
        "function": {"name": "Weather", "arguments": '{"highs": "hot"}'},
    }
    router.post("chat/completions").mock(
        return_value=httpx.Response(200, json=completion(None, [call]))
    )
    with pytest.raises(StructuredOutputError, match="arguments of Weather"):
        Edgen(max_retries=0).chat.completions.parse(
            model="m", messages=MESSAGES, tools=[function_tool(Weather)]
        )


def test_parse_refuses_stream_and_plain_dict_formats_pass_through(router) -> None:
    with pytest.raises(TypeError, match="does not stream"):
        Edgen().chat.completions.parse(
            model="m", messages=MESSAGES, response_format=Weather, stream=True
        )
    route = router.post("chat/completions").mock(
        return_value=httpx.Response(200, json=completion('{"k": 1}'))
    )
    result = Edgen(max_retries=0).chat.completions.parse(
        model="m", messages=MESSAGES, response_format={"type": "json_object"}
    )
    assert json.loads(route.calls[0].request.content)["response_format"] == {"type": "json_object"}
    assert result.choices[0].message.parsed is None


@pytest.mark.parametrize("dialect", ["edgen", "openai"])
@pytest.mark.parametrize("tp", [Weather, Point, Pair])
def test_emulator_answers_with_json_that_fits(dialect: str, tp: type) -> None:
    with EdgenEmulator(dialect=dialect, seed=2) as server, Edgen(base_url=server.url) as client:
        result = client.chat.completions.parse(model="m", messages=MESSAGES, response_format=tp)
        sent = server.requests[-1].json()["response_format"]
    assert sent["json_schema"]["schema"] == json_schema(tp)
    parsed = result.choices[0].message.parsed
    assert parsed is not None
    assert msgspec.json.decode(result.choices[0].message.content, type=tp) == parsed


@pytest.mark.anyio
async def test_async_parse_and_tools_against_the_emulator() -> None:
    with EdgenEmulator(dialect="openai", seed=9) as server:
        async with AsyncEdgen(base_url=server.url) as client:
            result = await client.chat.completions.parse(
                model="m", messages=MESSAGES, response_format=Weather
            )
            called = await client.chat.completions.parse(
                model="m",
                messages=MESSAGES,
                tools=[function_tool(Location)],
                tool_choice="required",
            )
    assert isinstance(result.choices[0].message.parsed, Weather)
    assert isinstance(called.choices[0].message.tool_calls[0].function.parsed_arguments, Location)


def test_stream_with_a_response_format_type_gives_a_parsed_final_completion() -> None:
    with EdgenEmulator(dialect="openai", seed=3) as server, Edgen(base_url=server.url) as client:
        with client.chat.completions.stream(
            model="m", messages=MESSAGES, response_format=Weather
        ) as stream:
            events = list(stream)
            final = stream.get_final_completion()
    deltas = [e for e in events if e.type == "content.delta"]
    assert len(deltas) > 3  # the JSON arrived in pieces
    # Each piece brings the JSON so far, completed and decoded; the last one is whole.
    assert all(d.parsed is None or isinstance(d.parsed, dict) for d in deltas)
    assert msgspec.convert(deltas[-1].parsed, Weather) == final.choices[0].message.parsed
    (done,) = [e for e in events if e.type == "content.done"]
    assert isinstance(done.parsed, Weather) and done.parsed == final.choices[0].message.parsed
    assert done.content == deltas[-1].snapshot == final.choices[0].message.content


def test_stream_parse_failure_carries_the_text(router) -> None:
    router.post("chat/completions").mock(
        return_value=httpx.Response(
            200, headers=SSE_HEADERS, content=sse_body(edgen_chunk('{"where":'), edgen_chunk(" 1}"))
        )
    )
    with Edgen(max_retries=0).chat.completions.stream(
        model="m", messages=MESSAGES, response_format=Weather
    ) as stream:
        with pytest.raises(StructuredOutputError) as info:
            stream.get_final_completion()
    assert info.value.content == '{"where": 1}'


def test_parse_checks_its_arguments_like_create(router) -> None:
    route = router.post("chat/completions")
    client = Edgen(max_retries=0)
    with pytest.raises(TypeError, match="model must be a str, not int"):
        client.chat.completions.parse(model=5, messages=MESSAGES, response_format=Weather)
    with pytest.raises(TypeError, match=r"parse\(\) missing required keyword argument: 'messages'"):
        client.chat.completions.parse(model="m", response_format=Weather)
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        client.chat.completions.parse(model="m", messages=MESSAGES, colour="red")
    assert not route.called


def test_parsed_completion_dumps_like_a_plain_one(router) -> None:
    # Unsent fields inside the generic choices show as None, as in ChatCompletion's dump.
    body = completion('{"a": "x", "b": true}')
    router.post("chat/completions").mock(return_value=httpx.Response(200, json=body))
    client = Edgen(max_retries=0)
    parsed = client.chat.completions.parse(model="m", messages=MESSAGES, response_format=Pair)
    plain = client.chat.completions.create(model="m", messages=MESSAGES)
    parsed_dump, plain_dump = parsed.model_dump(), plain.model_dump()
    message = parsed_dump["choices"][0]["message"]
    assert message.pop("parsed") == {"a": "x", "b": True}
    assert message["refusal"] is None and message["tool_calls"] is None
    assert parsed_dump == plain_dump
    assert json.loads(parsed.model_dump_json())["choices"][0]["message"]["refusal"] is None


# -- strict schemas: closed objects


def test_every_object_in_a_sent_schema_is_closed() -> None:
    class Counts(msgspec.Struct):
        by_name: dict[str, int]
        where: Location | None = None

    schema = json_schema(Counts)
    assert schema["additionalProperties"] is False
    assert schema["$defs"]["Location"]["additionalProperties"] is False
    # A mapping keeps its own rule for extra keys: closing it would forbid every key.
    assert schema["properties"]["by_name"] == {
        "type": "object",
        "additionalProperties": {"type": "integer"},
    }
    assert function_tool(Weather)["function"]["parameters"]["additionalProperties"] is False
    assert json_schema(Point)["additionalProperties"] is False
    assert json_schema(Pair)["additionalProperties"] is False


# -- structured_outputs="json_object": the schema as llama-cpp-python's server takes it


def test_structured_outputs_is_checked_and_kept_by_copies() -> None:
    with pytest.raises(
        ValueError, match="structured_outputs must be 'json_schema' or 'json_object'"
    ):
        Edgen(structured_outputs="json")  # type: ignore[arg-type]
    client = Edgen(structured_outputs="json_object")
    assert client.structured_outputs == "json_object"
    assert client.copy(max_retries=1).structured_outputs == "json_object"
    assert client.with_options(timeout=3).structured_outputs == "json_object"
    assert client.copy(structured_outputs="json_schema").structured_outputs == "json_schema"
    assert Edgen().structured_outputs == "json_schema"
    with pytest.raises(ValueError, match="structured_outputs"):
        client.copy(structured_outputs="text")  # type: ignore[arg-type]


def test_json_object_client_sends_the_schema_under_json_object(router) -> None:
    answer = {"where": {"city": "Oslo", "lat": 59.9}, "highs": [3]}
    route = router.post("chat/completions").mock(
        return_value=httpx.Response(200, json=completion(json.dumps(answer)))
    )
    client = Edgen(max_retries=0, structured_outputs="json_object")
    result = client.chat.completions.parse(model="m", messages=MESSAGES, response_format=Weather)
    assert json.loads(route.calls[0].request.content)["response_format"] == {
        "type": "json_object",
        "schema": json_schema(Weather),
    }
    assert result.choices[0].message.parsed == Weather(Location("Oslo", 59.9), [3])
    # A json_schema dict written by hand is rewritten too; other formats go as they are.
    own = {"type": "json_schema", "json_schema": {"name": "n", "schema": {"type": "object"}}}
    for fmt, expected in [
        (own, {"type": "json_object", "schema": {"type": "object"}}),
        ({"type": "json_schema", "json_schema": {"name": "n"}}, {"type": "json_object"}),
        ({"type": "text"}, {"type": "text"}),
    ]:
        client.chat.completions.parse(model="m", messages=MESSAGES, response_format=fmt)
        assert json.loads(route.calls[-1].request.content)["response_format"] == expected
    assert own["type"] == "json_schema"  # the caller's dict is left alone


def test_json_object_client_streams_with_the_schema_under_json_object(router) -> None:
    route = router.post("chat/completions").mock(
        return_value=httpx.Response(
            200,
            headers=SSE_HEADERS,
            content=sse_body(edgen_chunk('{"a": "x",'), edgen_chunk(' "b": true}')),
        )
    )
    client = Edgen(max_retries=0, structured_outputs="json_object")
    with client.chat.completions.stream(model="m", messages=MESSAGES, response_format=Pair) as s:
        final = s.get_final_completion()
    sent = json.loads(route.calls[0].request.content)
    assert sent["response_format"] == {"type": "json_object", "schema": json_schema(Pair)}
    assert sent["stream"] is True
    assert final.choices[0].message.parsed == {"a": "x", "b": True}


def test_emulator_as_llama_cpp_python_refuses_json_schema_with_a_500() -> None:
    with (
        EdgenEmulator(dialect="openai", structured_outputs="json_object") as server,
        Edgen(base_url=server.url, max_retries=0) as client,
    ):
        with pytest.raises(InternalServerError) as info:
            client.chat.completions.parse(model="m", messages=MESSAGES, response_format=Weather)
        plain = client.chat.completions.create(
            model="m", messages=MESSAGES, response_format={"type": "text"}
        )
    assert info.value.status_code == 500
    assert info.value.type == "internal_server_error"
    assert "Input should be 'text' or 'json_object'" in info.value.message
    assert "input_value='json_schema'" in info.value.message
    assert plain.choices[0].message.content


@pytest.mark.parametrize("tp", [Weather, Point, Pair])
def test_json_object_client_parses_against_the_llama_cpp_python_emulator(tp: type) -> None:
    with (
        EdgenEmulator(dialect="openai", structured_outputs="json_object", seed=5) as server,
        Edgen(base_url=server.url, structured_outputs="json_object") as client,
    ):
        result = client.chat.completions.parse(model="m", messages=MESSAGES, response_format=tp)
        with client.chat.completions.stream(
            model="m", messages=MESSAGES, response_format=tp
        ) as stream:
            final = stream.get_final_completion()
        sent = server.requests[-1].json()["response_format"]
    assert sent == {"type": "json_object", "schema": json_schema(tp)}
    parsed = result.choices[0].message.parsed
    assert parsed is not None
    assert msgspec.json.decode(result.choices[0].message.content, type=tp) == parsed
    assert final.choices[0].message.parsed == parsed  # same seed and messages: same answer


@pytest.mark.anyio
async def test_async_json_object_client_against_the_llama_cpp_python_emulator() -> None:
    with EdgenEmulator(dialect="openai", structured_outputs="json_object", seed=6) as server:
        async with AsyncEdgen(base_url=server.url, structured_outputs="json_object") as client:
            result = await client.chat.completions.parse(
                model="m", messages=MESSAGES, response_format=Weather
            )
    assert isinstance(result.choices[0].message.parsed, Weather)


def test_emulator_refuses_an_unknown_structured_outputs() -> None:
    with pytest.raises(ValueError, match="structured_outputs must be"):
        EdgenEmulator(structured_outputs="xml")  # type: ignore[arg-type]


# -- rich shows nested models as themselves


def test_rich_repr_yields_nested_models_as_they_are(router) -> None:
    args = json.dumps({"city": "Rome", "lat": 41.9})
    call = {"id": "c1", "type": "function", "function": {"name": "Location", "arguments": args}}
    body = completion('{"where": {"city": "Oslo", "lat": 59.9}, "highs": [3]}', [call])
    router.post("chat/completions").mock(return_value=httpx.Response(200, json=body))
    result = Edgen(max_retries=0).chat.completions.parse(
        model="m", messages=MESSAGES, response_format=Weather, tools=[function_tool(Location)]
    )
    message = result.choices[0].message
    fields = dict(message.__rich_repr__())
    assert fields["parsed"] == Weather(Location("Oslo", 59.9), [3])
    assert type(fields["parsed"]) is Weather
    function = dict(fields["tool_calls"][0].__rich_repr__())["function"]
    assert type(dict(function.__rich_repr__())["parsed_arguments"]) is Location
    extra = msgspec.convert({"role": "assistant", "content": "x"}, type(message))
    extra.__dict__["seen_by"] = "proxy"  # an unknown key the server sent
    assert ("seen_by", "proxy") in list(extra.__rich_repr__())


def test_rich_prints_nested_models_by_their_type(router) -> None:
    pretty = pytest.importorskip("rich.pretty")
    body = completion('{"where": {"city": "Oslo", "lat": 59.9}, "highs": [3]}')
    router.post("chat/completions").mock(return_value=httpx.Response(200, json=body))
    result = Edgen(max_retries=0).chat.completions.parse(
        model="m", messages=MESSAGES, response_format=Weather
    )
    shown = pretty.pretty_repr(result, max_width=200)
    assert "parsed=Weather(where=Location(city='Oslo', lat=59.9)" in shown
    assert "ParsedChoice(" in shown and "ParsedChatCompletionMessage(" in shown
