"""A large non-streamed completion (500 tokens x 5 top_logprobs, ~235 kB of JSON).

Decoding, `model_dump_json()` and `model_dump()` against msgspec doing the same with
plain Structs (`Decoder.decode`, `msgspec.json.encode`, `msgspec.to_builtins`), and the
whole `create()` through httpx.MockTransport against `httpx.Client.post` + decode.
"""

from __future__ import annotations

import httpx
import msgspec
import pytest
from _common import (
    OA_HTTPX,
    URL,
    FloorCompletion,
    json_transport,
    large_completion,
    openai,
    openai_client,
    skip_without_openai,
)

import edgen
from edgen.types.chat import ChatCompletion

BODY = large_completion()
ARGS = {"model": "default", "messages": [{"role": "user", "content": "hi"}], "logprobs": True}
DECODE = f"decode {len(BODY) // 1000} kB completion"
CREATE = f"create() of a {len(BODY) // 1000} kB completion (mock transport)"
DUMP_JSON = "model_dump_json() of it vs msgspec.json.encode"
DUMP = "model_dump() of it vs msgspec.to_builtins"


@pytest.fixture(scope="module")
def objects():
    floor = msgspec.json.decode(BODY, type=FloorCompletion)
    ours = msgspec.json.decode(BODY, type=ChatCompletion)
    theirs = openai.types.chat.ChatCompletion.model_validate_json(BODY) if openai else None
    assert len(ours.choices[0].logprobs.content) == 500
    return floor, ours, theirs


def test_decode_floor(benchmark, record) -> None:
    decode = msgspec.json.Decoder(FloorCompletion).decode
    benchmark(decode, BODY)
    record(DECODE, "floor", target=1.2)


def test_decode_edgen(benchmark, record) -> None:
    # What the client runs on a response body: one reused decoder per type.
    from edgen._pipeline import decoder_for

    decode = decoder_for(ChatCompletion).decode
    benchmark(decode, BODY)
    record(DECODE, "edgen")


def test_decode_edgen_model_validate_json(benchmark, record) -> None:
    benchmark(ChatCompletion.model_validate_json, BODY)
    record(DECODE + " (model_validate_json)", "edgen")


def test_decode_openai(benchmark, record) -> None:
    skip_without_openai()
    benchmark(openai.types.chat.ChatCompletion.model_validate_json, BODY)
    record(DECODE, "openai")


def test_create_floor(benchmark, record) -> None:
    http = httpx.Client(transport=json_transport(httpx, BODY))
    decode = msgspec.json.Decoder(FloorCompletion).decode
    payload = msgspec.json.encode(ARGS)
    headers = {"content-type": "application/json"}
    benchmark(lambda: decode(http.post(URL, content=payload, headers=headers).content))
    record(CREATE, "floor", target=1.2)


def test_create_edgen(benchmark, record) -> None:
    client = edgen.Edgen(http_client=httpx.Client(transport=json_transport(httpx, BODY)))
    result = benchmark(lambda: client.chat.completions.create(**ARGS))
    assert len(result.choices[0].logprobs.content) == 500
    record(CREATE, "edgen")


def test_create_openai(benchmark, record) -> None:
    skip_without_openai()
    client = openai_client(json_transport(OA_HTTPX, BODY))
    result = benchmark.pedantic(lambda: client.chat.completions.create(**ARGS), rounds=30)
    assert len(result.choices[0].logprobs.content) == 500
    record(CREATE, "openai")


def test_dump_json_floor(benchmark, record, objects) -> None:
    benchmark(msgspec.json.encode, objects[0])
    record(DUMP_JSON, "floor", target=1.5)


def test_dump_json_edgen(benchmark, record, objects) -> None:
    out = benchmark(objects[1].model_dump_json)
    assert msgspec.json.decode(out) == objects[1].model_dump()
    record(DUMP_JSON, "edgen")


def test_dump_json_openai(benchmark, record, objects) -> None:
    skip_without_openai()
    benchmark(objects[2].model_dump_json)
    record(DUMP_JSON, "openai")


def test_dump_floor(benchmark, record, objects) -> None:
    benchmark(msgspec.to_builtins, objects[0])
    record(DUMP, "floor", target=2.0)


def test_dump_edgen(benchmark, record, objects) -> None:
    out = benchmark(objects[1].model_dump)
    assert out["choices"][0]["message"]["content"] == objects[1].choices[0].message.content
    record(DUMP, "edgen")


def test_dump_openai(benchmark, record, objects) -> None:
    skip_without_openai()
    benchmark(objects[2].model_dump)
    record(DUMP, "openai")
