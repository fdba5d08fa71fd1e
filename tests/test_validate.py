"""Every documented parameter is checked against its declared type before anything is sent
(issue 14, item 4). The error is a TypeError (wrong type) or a ValueError (right type, value
not allowed: an empty list, an unknown choice, a bound) naming the method and the path of
the value in Python, e.g. `create(): messages[0]['content'] ...`. Keys that are not
parameters go through `extra_body` unchecked."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import msgspec
import pytest
import respx
from mocked import M, mocked_routes, refused

import edgen
from edgen import Edgen


class Answer(msgspec.Struct):
    text: str


@pytest.fixture
def routes() -> Iterator[dict[str, respx.Route]]:
    with mocked_routes() as routes:
        yield routes


def chat(**params: Any) -> Callable[[Any], Any]:
    return lambda c: c.chat.completions.create(**{"model": "m", "messages": M, **params})


def user(content: Any) -> Callable[[Any], Any]:
    return chat(messages=[{"role": "user", "content": content}])


def embed(**params: Any) -> Callable[[Any], Any]:
    return lambda c: c.embeddings.create(**{"model": "m", "input": "x", **params})


def transcribe(**params: Any) -> Callable[[Any], Any]:
    return lambda c: c.audio.transcriptions.create(**{"file": b"RIFF", "model": "m", **params})


def image(**params: Any) -> Callable[[Any], Any]:
    return lambda c: c.image.generations.create(**{"prompt": "x", **params})


# (id, route that must not be called, call, exception, the whole message)
REFUSED: list[tuple[str, str, Callable[[Any], Any], type[Exception], str]] = [
    # The cases of the issue.
    (
        "temperature str",
        "chat",
        chat(temperature="hot"),
        TypeError,
        "create(): temperature must be a number or None, not str",
    ),
    (
        "max_tokens str",
        "chat",
        chat(max_tokens="10"),
        TypeError,
        "create(): max_tokens must be an int or None, not str",
    ),
    (
        "content int",
        "chat",
        user(5),
        TypeError,
        "create(): messages[0]['content'] must be a str or a list, not int",
    ),
    (
        "messages empty",
        "chat",
        chat(messages=[]),
        ValueError,
        "create(): messages must not be empty",
    ),
    ("input empty", "embeddings", embed(input=[]), ValueError, "create(): input must not be empty"),
    (
        "transcription response_format xml",
        "transcriptions",
        transcribe(response_format="xml"),
        ValueError,
        "create(): response_format must be one of 'json', 'srt', 'text', 'verbose_json', 'vtt', "
        "got 'xml'",
    ),
    # Chat: nested paths, choices, tagged unions.
    (
        "role unknown",
        "chat",
        chat(messages=[{"role": "robot", "content": "x"}]),
        ValueError,
        "create(): messages[0]['role'] must be one of 'system', 'user', 'assistant', 'tool', "
        "got 'robot'",
    ),
    (
        "content part text int",
        "chat",
        user([{"type": "text", "text": "a"}, {"type": "text", "text": 3}]),
        TypeError,
        "create(): messages[0]['content'][1]['text'] must be a str, not int",
    ),
    (
        "content part type unknown",
        "chat",
        user([{"type": "video", "url": "v"}]),
        ValueError,
        "create(): messages[0]['content'][0]['type'] must be one of 'text', 'image_url', "
        "got 'video'",
    ),
    (
        "tool message without tool_call_id",
        "chat",
        chat(messages=[{"role": "tool", "content": "x"}]),
        ValueError,
        "create(): messages[0] has no 'tool_call_id'",
    ),
    (
        "response_format type unknown",
        "chat",
        chat(response_format={"type": "xml"}),
        ValueError,
        "create(): response_format['type'] must be one of 'text', 'json_object', 'json_schema', "
        "got 'xml'",
    ),
    (
        "tool_choice unknown",
        "chat",
        chat(tool_choice="sometimes"),
        ValueError,
        "create(): tool_choice must be one of 'auto', 'none', 'required', got 'sometimes'",
    ),
    (
        "tool without parameters",
        "chat",
        chat(tools=[{"type": "function", "function": {"name": "f"}}]),
        ValueError,
        "create(): tools[0]['function'] has no 'parameters'",
    ),
    (
        "logit_bias int key",
        "chat",
        chat(logit_bias={50256: -100}),
        TypeError,
        "create(): a key of logit_bias must be a str, not int",
    ),
    (
        "stream_options not a dict",
        "chat",
        chat(stream=True, stream_options=True),
        TypeError,
        "create(): stream_options must be a dict or None, not bool",
    ),
    (
        "temperature bool",
        "chat",
        chat(temperature=True),
        TypeError,
        "create(): temperature must be a number or None, not bool",
    ),
    (
        "parse() n str",
        "chat",
        lambda c: c.chat.completions.parse(model="m", messages=M, response_format=Answer, n="2"),
        TypeError,
        "parse(): n must be an int or None, not str",
    ),
    (
        "stream() top_p str",
        "chat",
        lambda c: c.chat.completions.stream(model="m", messages=M, top_p="high"),
        TypeError,
        "stream(): top_p must be a number or None, not str",
    ),
    (
        "stream() messages empty",
        "chat",
        lambda c: c.chat.completions.stream(model="m", messages=[]),
        ValueError,
        "stream(): messages must not be empty",
    ),
    # Embeddings.
    (
        "input bytes",
        "embeddings",
        embed(input=b"x"),
        TypeError,
        "create(): input must be a str or a list, not bytes",
    ),
    (
        "input token float",
        "embeddings",
        embed(input=[1, 2.5]),
        TypeError,
        "create(): input[1] must be an int, a str or a list, not float",
    ),
    (
        "encoding_format unknown",
        "embeddings",
        embed(encoding_format="hex"),
        ValueError,
        "create(): encoding_format must be one of 'base64', 'float', got 'hex'",
    ),
    # Transcriptions, including the session parameters.
    (
        "transcription temperature str",
        "transcriptions",
        transcribe(temperature="0.5"),
        TypeError,
        "create(): temperature must be a number or None, not str",
    ),
    (
        "create_session str",
        "transcriptions",
        transcribe(create_session="yes"),
        TypeError,
        "create(): create_session must be a bool or None, not str",
    ),
    (
        "session int",
        "transcriptions",
        transcribe(session=5),
        TypeError,
        "session must be a str or UUID, not int",
    ),
    # Images.
    (
        "steps str",
        "images",
        image(steps="20"),
        TypeError,
        "create(): steps must be an int or None, not str",
    ),
    (
        "height too big",
        "images",
        image(height=2**32),
        ValueError,
        "create(): height must be an int <= 4294967295, got 4294967296",
    ),
    (
        "guidance_scale str",
        "images",
        image(guidance_scale="7"),
        TypeError,
        "create(): guidance_scale must be a number or None, not str",
    ),
    # Models: the id is the one parameter.
    (
        "model id int",
        "models",
        lambda c: c.models.retrieve(5),
        TypeError,
        "model id must be a str, not int",
    ),
]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(
    ("route", "call", "error", "message"),
    [case[1:] for case in REFUSED],
    ids=[case[0] for case in REFUSED],
)
async def test_refused_before_sending(
    routes: dict[str, respx.Route],
    kind: str,
    route: str,
    call: Callable[[Any], Any],
    error: type[Exception],
    message: str,
) -> None:
    await refused(routes, kind, route, call, error, message)


def test_stream_refuses_when_called_not_when_entered(routes: dict[str, respx.Route]) -> None:
    with pytest.raises(TypeError, match=r"^stream\(\): temperature"):
        Edgen(max_retries=0).chat.completions.stream(model="m", messages=M, temperature="hot")
    assert not routes["chat"].called


# -- What fits the declared types is sent exactly as passed ----------------------------


def sent_json(route: respx.Route) -> Any:
    return msgspec.json.decode(route.calls.last.request.content)


def test_valid_nested_parameters_are_sent_as_passed(routes: dict[str, respx.Route]) -> None:
    client = Edgen(max_retries=0)
    messages = [
        {"role": "system", "content": "s", "name": None},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "a"},
                {"type": "image_url", "url": "u", "detail": "low"},
                {"type": "image_url", "image_url": {"url": "v"}},
            ],
        },
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
            ],
        },
        {"role": "tool", "content": "r", "tool_call_id": "1"},
    ]
    params = {
        "temperature": 1,  # an int is a number
        "max_tokens": None,
        "logit_bias": {"50256": -100},
        "stop": ("a", "b"),
        "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {}}},
        "tool_choice": {"type": "function", "function": {"name": "f", "parameters": {}}},
        "tools": [edgen.function_tool(Answer)],
        "stream_options": None,
    }
    client.chat.completions.create(model="m", messages=messages, **params)
    assert sent_json(routes["chat"]) == {
        "model": "m",
        "messages": messages,
        **params,
        "stop": ["a", "b"],
    }


def test_a_generator_of_messages_is_read_once_and_sent(routes: dict[str, respx.Route]) -> None:
    Edgen(max_retries=0).chat.completions.create(model="m", messages=(m for m in M))
    assert sent_json(routes["chat"])["messages"] == M


def test_token_ids_and_generators_as_embedding_input(routes: dict[str, respx.Route]) -> None:
    client = Edgen(max_retries=0)
    client.embeddings.create(model="m", input=(ids for ids in [[1, 2], [3]]))
    assert sent_json(routes["embeddings"])["input"] == [[1, 2], [3]]
    with pytest.raises(TypeError, match=r"^create\(\): input\[1\] must be .* all of one kind$"):
        client.embeddings.create(model="m", input=[1, "a"])
    assert routes["embeddings"].call_count == 1


def test_extra_body_is_not_checked(routes: dict[str, respx.Route]) -> None:
    client = Edgen(max_retries=0)
    client.chat.completions.create(model="m", messages=M, extra_body={"temperature": "hot"})
    assert sent_json(routes["chat"])["temperature"] == "hot"
    # Unknown keys inside a documented dict are the caller's to send, too.
    client.chat.completions.create(model="m", messages=[{**M[0], "mood": 3}])
    assert sent_json(routes["chat"])["messages"] == [{**M[0], "mood": 3}]


def test_transcription_session_uuid_and_decimal_free_form(routes: dict[str, respx.Route]) -> None:
    session = uuid.UUID(int=1)
    Edgen(max_retries=0).audio.transcriptions.create(
        file=b"RIFF", model="m", session=session, temperature=0, response_format="vtt"
    )
    body = routes["transcriptions"].calls.last.request.content
    assert str(session).encode() in body
    assert b'name="temperature"\r\n\r\n0.0\r\n' in body


def test_image_bounds_are_inclusive(routes: dict[str, respx.Route]) -> None:
    Edgen(max_retries=0).image.generations.create(prompt="x", width=2**32 - 1, seed=2**64 - 1)
    assert sent_json(routes["images"])["width"] == 2**32 - 1


# -- A forced tool call named as OpenAI names it ------------------------------------------


WEATHER = {
    "type": "function",
    "function": {"name": "weather", "parameters": {"type": "object", "properties": {}}},
}


@pytest.mark.parametrize(
    ("tools", "choice", "sent"),
    [
        # By name only: completed from `tools`, as the Edgen server requires.
        ([WEATHER], {"type": "function", "function": {"name": "weather"}}, WEATHER),
        # Already whole: sent as passed.
        ([WEATHER], WEATHER, WEATHER),
        # Not among the tools: sent as passed, for the server to refuse.
        (
            [WEATHER],
            {"type": "function", "function": {"name": "other"}},
            {"type": "function", "function": {"name": "other"}},
        ),
    ],
)
def test_a_named_tool_choice_is_sent_whole(
    routes: dict[str, respx.Route], tools: Any, choice: Any, sent: Any
) -> None:
    passed = msgspec.json.decode(msgspec.json.encode(choice))
    Edgen(max_retries=0).chat.completions.create(
        model="m", messages=M, tools=tools, tool_choice=choice
    )
    body = msgspec.json.decode(routes["chat"].calls.last.request.content)
    assert body["tool_choice"] == sent
    assert choice == passed  # the caller's dict is left alone
