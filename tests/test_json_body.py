"""JSON request bodies go out as passed, or not at all (issue 12, item 9).

msgspec writes a NaN or infinite float as `null` and bytes as base64 text. Every JSON
endpoint refuses them before sending, naming where they are; a Decimal goes out as a
number with its exact digits; every other body is sent byte for byte as before.
Multipart uploads (transcriptions) check their own fields: tested at the end.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import keyword
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import msgspec
import pytest
import respx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mocked import M, make_client, mocked_routes, refused, run

import edgen
from edgen._types import json_body

NAN, INF = float("nan"), float("inf")
BYTES_HINT = "but JSON has no bytes: decode it to a str, or base64-encode it yourself"
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture
def routes() -> Iterator[dict[str, respx.Route]]:
    with mocked_routes() as routes:
        yield routes


def nonfinite(where: str, value: float | Decimal) -> tuple[type[Exception], str]:
    return ValueError, f"{where} must be a finite number, got {value!r}"


def binary(where: str, value: bytes | bytearray | memoryview) -> tuple[type[Exception], str]:
    return TypeError, f"{where} is {type(value).__name__}, {BYTES_HINT}"


def typed(where: str, expected: str, value: Any) -> tuple[type[Exception], str]:
    # A documented parameter's declared type is checked first (edgen/_validate.py).
    return TypeError, f"create(): {where} must be {expected}, not {type(value).__name__}"


def chat(**params: Any) -> Callable[[Any], Any]:
    return lambda c: c.chat.completions.create(**{"model": "m", "messages": M, **params})


def message(content: Any) -> Callable[[Any], Any]:
    return chat(messages=[{"role": "system", "content": "s"}, {"role": "user", "content": content}])


def tool(parameters: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"type": "function", "function": {"name": "f", "parameters": parameters}}]


@dataclasses.dataclass
class Options:
    ratio: float
    label: str = "x"


class Sampling(msgspec.Struct):
    temperature: float
    seed: Any = None


# (id, endpoint, call on a client, exception, the whole message)
REFUSED: list[tuple[str, str, Callable[[Any], Any], type[Exception], str]] = [
    ("temperature nan", "chat", chat(temperature=NAN), *nonfinite("temperature", NAN)),
    ("temperature inf", "chat", chat(temperature=INF), *nonfinite("temperature", INF)),
    ("top_p -inf", "chat", chat(top_p=-INF), *nonfinite("top_p", -INF)),
    (
        "logit_bias int key",
        "chat",
        chat(extra_body={"logit_bias": {50256: -INF}}),
        *nonfinite("logit_bias[50256]", -INF),
    ),
    (
        "content bytes",
        "chat",
        message(b"hi"),
        *typed("messages[1]['content']", "a str or a list", b"hi"),
    ),
    (
        "content bytearray",
        "chat",
        message(bytearray(b"hi")),
        *typed("messages[1]['content']", "a str or a list", bytearray(b"hi")),
    ),
    (
        "content part memoryview",
        "chat",
        message([{"type": "text", "text": "a"}, {"type": "text", "text": memoryview(b"b")}]),
        *typed("messages[1]['content'][1]['text']", "a str", memoryview(b"b")),
    ),
    (
        "content part nan",
        "chat",
        message([{"type": "text", "text": "a"}, {"type": "text", "text": "b", "x": [1.5, NAN]}]),
        *nonfinite("messages[1]['content'][1]['x'][1]", NAN),
    ),
    (
        "image url bytes",
        "chat",
        message([{"type": "image_url", "image_url": {"url": b"data:image/png;base64,AA"}}]),
        *typed(
            "messages[1]['content'][0]['image_url']['url']", "a str", b"data:image/png;base64,AA"
        ),
    ),
    (
        "tool schema inf",
        "chat",
        chat(tools=tool({"type": "number", "maximum": INF})),
        *nonfinite("tools[0]['function']['parameters']['maximum']", INF),
    ),
    (
        "tool name bytes",
        "chat",
        chat(tools=[{"type": "function", "function": {"name": b"f"}}]),
        *typed("tools[0]['function']['name']", "a str", b"f"),
    ),
    ("stop tuple bytes", "chat", chat(stop=("a", b"b")), *typed("stop[1]", "a str", b"b")),
    (
        "extra_body nested nan",
        "chat",
        chat(extra_body={"mirostat": {"tau": NAN}}),
        *nonfinite("mirostat['tau']", NAN),
    ),
    (
        "extra_body replaces a finite temperature",
        "chat",
        chat(temperature=0.5, extra_body={"temperature": INF}),
        *nonfinite("temperature", INF),
    ),
    (
        "extra_body dataclass",
        "chat",
        chat(extra_body={"options": Options(ratio=-INF)}),
        *nonfinite("options['ratio']", -INF),
    ),
    (
        "extra_body Struct",
        "chat",
        chat(extra_body={"sampling": Sampling(0.5, seed=b"\x00")}),
        *binary("sampling['seed']", b"\x00"),
    ),
    (
        "stream=True",
        "chat",
        chat(stream=True, temperature=NAN),
        *nonfinite("temperature", NAN),
    ),
    (
        "stream()",
        "chat",
        lambda c: c.chat.completions.stream(model="m", messages=M, presence_penalty=INF),
        *nonfinite("presence_penalty", INF),
    ),
    (
        "parse()",
        "chat",
        lambda c: c.chat.completions.parse(
            model="m", messages=M, response_format=Options, temperature=NAN
        ),
        *nonfinite("temperature", NAN),
    ),
    (
        "embeddings user bytes",
        "embeddings",
        lambda c: c.embeddings.create(input="x", model="m", user=b"me"),
        *typed("user", "a str", b"me"),
    ),
    (
        "embeddings dimensions nan",
        "embeddings",
        lambda c: c.embeddings.create(input=["x"], model="m", dimensions=NAN),
        *typed("dimensions", "an int or None", NAN),
    ),
    (
        "embeddings extra_body",
        "embeddings",
        lambda c: c.embeddings.create(input="x", model="m", extra_body={"w": [[0.5, -INF]]}),
        *nonfinite("w[0][1]", -INF),
    ),
    (
        "images guidance_scale inf",
        "images",
        lambda c: c.image.generations.create(prompt="x", guidance_scale=INF),
        *nonfinite("guidance_scale", INF),
    ),
    (
        "images vae_scale nan",
        "images",
        lambda c: c.image.generations.create(prompt="x", vae_scale=NAN),
        *nonfinite("vae_scale", NAN),
    ),
    (
        "images uncond_prompt bytearray",
        "images",
        lambda c: c.image.generations.create(prompt="x", uncond_prompt=bytearray(b"no")),
        *typed("uncond_prompt", "a str or None", bytearray(b"no")),
    ),
    (
        "images Right model file bytes",
        "images",
        lambda c: c.image.generations.create(
            prompt="x",
            vae_scale=0.2,
            model={
                "Right": {
                    "unet_weights": "u",
                    "vae_weights": b"v",
                    "clip_weights": "c",
                    "tokenizer": "t",
                }
            },
        ),
        *binary("model['Right']['vae_weights']", b"v"),
    ),
    (
        "images extra_body memoryview",
        "images",
        lambda c: c.image.generations.create(prompt="x", extra_body={"mask": memoryview(b"m")}),
        *binary("mask", memoryview(b"m")),
    ),
]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(
    ("endpoint", "call", "error", "message"),
    [case[1:] for case in REFUSED],
    ids=[case[0] for case in REFUSED],
)
async def test_refused_before_sending(
    routes: dict[str, respx.Route],
    kind: str,
    endpoint: str,
    call: Callable[[Any], Any],
    error: type[Exception],
    message: str,
) -> None:
    client = await refused(routes, kind, endpoint, call, error, message)
    assert await run(chat(), client) is not None  # the client is unharmed
    assert routes["chat"].call_count == 1


# -- Decimal: a JSON number with its exact digits; a non-finite one is refused ---------


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_decimal_sent_as_exact_number(routes: dict[str, respx.Route], kind: str) -> None:
    client = make_client(kind)
    extra = {"a": [Decimal("1E+2"), Decimal("-0"), Decimal("0.1000000000000000055511151231")]}
    await run(chat(temperature=Decimal("0.70"), extra_body=extra), client)
    assert routes["chat"].calls.last.request.content == (
        b'{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":0.70,'
        b'"a":[1E+2,-0,0.1000000000000000055511151231]}'
    )
    await run(lambda c: c.image.generations.create(prompt="x", seed=1, extra_body=extra), client)
    assert routes["images"].calls.last.request.content == (
        b'{"prompt":"x","seed":1,"model":{"Left":"stable-diffusion-2-1"},'
        b'"a":[1E+2,-0,0.1000000000000000055511151231]}'
    )


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("value", ["NaN", "sNaN", "Infinity", "-Infinity"])
async def test_decimal_not_finite_refused(
    routes: dict[str, respx.Route], kind: str, value: str
) -> None:
    number = Decimal(value)
    client = make_client(kind)
    with pytest.raises(ValueError) as info:
        await run(chat(temperature=number), client)
    assert str(info.value) == f"temperature must be a finite number, got {number!r}"
    with pytest.raises(ValueError) as info:
        await run(chat(extra_body={"x": {"y": [Options(1.0, "z"), number]}}), client)
    assert str(info.value) == f"x['y'][1] must be a finite number, got {number!r}"
    assert not routes["chat"].called


# -- Everything else is sent exactly as before ---------------------------------------


class Color(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


ORDINARY: list[dict[str, Any]] = [
    {"temperature": 0.0, "top_p": 1, "seed": 2**63, "max_tokens": None, "stream": False},
    {"x": [5e-324, -0.0, 1.7976931348623157e308, -1e-7, 1e22, 0.1 + 0.2]},
    {"x": ("tuple", 1), "y": {"set"}, "z": frozenset({2})},
    {"x": {"nested": [{"deep": [[[{"k": "v"}]]]}]}, "empty": [{}, [], ""]},
    {"unicode": 'é ✓ 😀 \u2028 \x00 "quoted" \\', "keys": {"é": 1, "": 2}},
    {"logit_bias": {50256: -100, 7: 0.5}},
    {"color": Color.RED, "level": Level.HIGH, "flag": True},
    {"id": uuid.UUID(int=7), "at": datetime.datetime(2024, 1, 2, 3, 4, 5)},
    {"options": Options(0.5), "sampling": Sampling(0.25)},
    {"tools": [edgen.function_tool(Options)]},
]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("extra", ORDINARY)
async def test_ordinary_bodies_unchanged(
    routes: dict[str, respx.Route], kind: str, extra: dict[str, Any]
) -> None:
    client = make_client(kind)
    await run(chat(extra_body=extra), client)
    sent = routes["chat"].calls.last.request.content
    assert sent == msgspec.json.encode({"model": "m", "messages": M, **extra})
    await run(lambda c: c.embeddings.create(input=["a", "b"], model="m", extra_body=extra), client)
    sent = routes["embeddings"].calls.last.request.content
    assert sent == msgspec.json.encode({"input": ["a", "b"], "model": "m", **extra})


def test_not_serializable_still_says_so() -> None:
    # What msgspec cannot encode at all keeps its error, even next to a NaN.
    with pytest.raises(TypeError, match="^request body is not JSON-serializable: .*object"):
        json_body({"a": object(), "b": NAN})
    with pytest.raises(TypeError, match="^request body is not JSON-serializable"):
        json_body({"a": [1, {"b": {1, object()}}]})


def test_cycle_is_still_a_recursion_error() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(RecursionError):
        json_body({"a": loop})
    with pytest.raises(RecursionError):
        json_body({"b": b"x", "a": loop})


# -- Properties: any JSON-like body; a bad value anywhere is found where it is ---------

NAMES = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True).filter(
    lambda name: not keyword.iskeyword(name)
)
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
VALUES = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=24,
)
BODIES = st.dictionaries(NAMES, VALUES, max_size=5)
BAD = st.sampled_from([NAN, INF, -INF, b"b", bytearray(b"ba"), memoryview(b"mv")])


@SETTINGS
@given(body=BODIES)
@pytest.mark.slow
def test_json_like_bodies_encode_as_before(body: dict[str, Any]) -> None:
    assert json_body(body) == msgspec.json.encode(body)


@SETTINGS
@given(body=BODIES, bad=BAD, data=st.data())
@pytest.mark.slow
def test_the_path_indexes_the_bad_value(body: dict[str, Any], bad: Any, data: Any) -> None:
    # Put `bad` at a random place, then evaluate the path in the error as Python.
    container: Any = body
    while True:
        values = container.values() if isinstance(container, dict) else container
        inner = [value for value in values if isinstance(value, (dict, list))]
        if not inner or data.draw(st.booleans()):
            break
        container = data.draw(st.sampled_from(inner))
    if container is body:
        body[data.draw(NAMES)] = bad
    elif isinstance(container, dict):
        container[data.draw(st.text(max_size=5) | st.integers(-3, 3))] = bad
    else:
        container.insert(data.draw(st.integers(0, len(container))), bad)

    with pytest.raises((ValueError, TypeError)) as info:
        json_body(body)
    message = str(info.value)
    if isinstance(bad, float):
        where = message.removesuffix(f" must be a finite number, got {bad!r}")
    else:
        where = message.removesuffix(f" is {type(bad).__name__}, {BYTES_HINT}")
    assert where != message
    assert eval(where, {}, body) is bad  # the path is a Python expression for it


# -- Transcriptions (multipart form fields, checked by audio.form_fields) --------------


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("temperature", [NAN, INF, -INF])
@pytest.mark.anyio
async def test_transcription_temperature_not_finite(
    routes: dict[str, respx.Route], kind: str, temperature: float
) -> None:
    client = make_client(kind)
    with pytest.raises(
        ValueError, match=f"^temperature must be a finite number, got {temperature!r}$"
    ):
        await run(
            lambda c: c.audio.transcriptions.create(
                file=b"RIFF", model="m", temperature=temperature
            ),
            client,
        )
    assert not routes["transcriptions"].called


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("field", ["model", "language", "prompt", "response_format"])
@pytest.mark.parametrize("value", [b"en", bytearray(b"en"), memoryview(b"en")])
@pytest.mark.anyio
async def test_transcription_text_field_bytes(
    routes: dict[str, respx.Route], kind: str, field: str, value: Any
) -> None:
    client = make_client(kind)
    params = {"file": b"RIFF", "model": "m", field: value}
    name = type(value).__name__
    with pytest.raises(
        TypeError, match=rf"^create\(\): {field} must be a str( or None)?, not {name}$"
    ):
        await run(lambda c: c.audio.transcriptions.create(**params), client)
    assert not routes["transcriptions"].called


def _form_fields(request: Any) -> dict[str, str]:
    # The text parts of a multipart body, by name (the file part left out).
    content_type = request.headers["content-type"]
    boundary = content_type.split("boundary=")[1].encode()
    fields = {}
    for part in request.content.split(b"--" + boundary)[1:-1]:
        head, _, value = part.partition(b"\r\n\r\n")
        if b"filename=" in head:
            continue
        name = head.split(b'name="')[1].split(b'"')[0].decode()
        fields[name] = value.removesuffix(b"\r\n").decode()
    return fields


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.anyio
async def test_transcription_extra_body_fields_go_out_as_their_text(
    routes: dict[str, respx.Route], kind: str
) -> None:
    class Level(enum.IntEnum):
        HIGH = 3

    extra = {"seed": 7, "level": Level.HIGH, "stream": False, "beam": 0.5, "top": Decimal("0.70")}
    await run(
        lambda c: c.audio.transcriptions.create(file=b"RIFF", model="m", extra_body=extra),
        make_client(kind),
    )
    sent = _form_fields(routes["transcriptions"].calls.last.request)
    assert sent == {
        "model": "m",
        "seed": "7",
        "level": "3",
        "stream": "false",
        "beam": "0.5",
        "top": "0.70",
    }


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (NAN, ValueError, "^extra_body\\['x'\\] must be a finite number, got nan$"),
        (INF, ValueError, "^extra_body\\['x'\\] must be a finite number, got inf$"),
        (Decimal("NaN"), ValueError, "^extra_body\\['x'\\] must be a finite number"),
        (None, TypeError, "^extra_body\\['x'\\] is NoneType, but a form field is text"),
        (b"raw", TypeError, "^extra_body\\['x'\\] is bytes, but a form field is text"),
        ({"a": 1}, TypeError, "^extra_body\\['x'\\] is dict, but a form field is text"),
        ([1, 2], TypeError, "^extra_body\\['x'\\] is list, but a form field is text"),
    ],
)
@pytest.mark.anyio
async def test_transcription_extra_body_field_without_one_text_is_refused(
    routes: dict[str, respx.Route], kind: str, value: Any, error: type, message: str
) -> None:
    # httpx would send these as "nan", "" or "b'raw'" (or fail deep inside itself).
    with pytest.raises(error, match=message):
        await run(
            lambda c: c.audio.transcriptions.create(
                file=b"RIFF", model="m", extra_body={"x": value}
            ),
            make_client(kind),
        )
    assert not routes["transcriptions"].called


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("value", [bytearray(b"hi"), memoryview(b"hi")])
@pytest.mark.anyio
async def test_embedding_input_of_raw_bytes_is_not_taken_for_token_ids(
    routes: dict[str, respx.Route], kind: str, value: Any
) -> None:
    # Iterating bytes gives ints, which would pass as the token ids [104, 105].
    name = type(value).__name__
    with pytest.raises(
        TypeError, match=rf"^create\(\): input must be a str or a list, not {name}$"
    ):
        await run(lambda c: c.embeddings.create(input=value, model="m"), make_client(kind))
    assert not routes["embeddings"].called
