"""`x-request-id`: on raw responses, on errors with an answer, and on returned models."""

from __future__ import annotations

import copy
import json
import pickle

import httpx
import msgspec
import pytest
from conftest import SSE_HEADERS, openai_chunk, sse_body

from edgen import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    AsyncEdgen,
    BadRequestError,
    Edgen,
)
from edgen.testing import EdgenEmulator

MESSAGES = [{"role": "user", "content": "hi"}]


def completion(content: str = "hello", **extra: object) -> dict[str, object]:
    message = {"role": "assistant", "content": content}
    return {
        "id": "x",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "created": 1,
        "model": "m",
        "object": "chat.completion",
        **extra,
    }


def answer(body: object, request_id: str | None = "req_123", status: int = 200) -> httpx.Response:
    headers = {} if request_id is None else {"x-request-id": request_id}
    return httpx.Response(status, json=body, headers=headers)


def create(client: Edgen) -> object:
    return client.chat.completions.create(model="m", messages=MESSAGES)


def test_a_whole_completion_carries_the_header_on_its_top_model_only(router) -> None:
    router.post("chat/completions").mock(return_value=answer(completion()))
    result = Edgen(max_retries=0).chat.completions.create(model="m", messages=MESSAGES)
    assert result._request_id == "req_123"
    assert result.choices[0]._request_id is None
    assert result.choices[0].message._request_id is None


def test_the_request_id_is_not_a_field_or_an_extra(router) -> None:
    router.post("chat/completions").mock(return_value=answer(completion()))
    result = Edgen(max_retries=0).chat.completions.create(model="m", messages=MESSAGES)
    assert result._request_id == "req_123"
    assert result.model_extra == {}
    assert "_request_id" not in result.model_fields_set
    assert "_request_id" not in result.model_dump()
    assert "_request_id" not in result.model_dump(exclude_unset=True)
    assert "_request_id" not in json.loads(result.model_dump_json())
    assert "_request_id" not in result.to_json()
    assert "req_123" not in repr(result)
    assert b"_request_id" not in msgspec.json.encode(result)


def test_extras_stay_beside_the_request_id(router) -> None:
    # With an extension field, the model is dumped through its __dict__: the id must not leak.
    body = completion(timings={"predicted_ms": 12.5}, _request_id="from-the-body")
    router.post("chat/completions").mock(return_value=answer(body))
    result = Edgen(max_retries=0).chat.completions.create(model="m", messages=MESSAGES)
    assert result._request_id == "req_123"  # the header, not a body key of that name
    assert result.model_extra == {"timings": {"predicted_ms": 12.5}}
    assert result.timings == {"predicted_ms": 12.5}
    assert "timings" in result.model_fields_set
    assert "_request_id" not in result.model_fields_set
    dumped = result.model_dump()
    assert dumped["timings"] == {"predicted_ms": 12.5} and "_request_id" not in dumped
    assert "_request_id" not in json.loads(result.model_dump_json())
    assert "timings=" in repr(result) and "req_123" not in repr(result)
    assert copy.copy(result)._request_id == "req_123"
    assert pickle.loads(pickle.dumps(result)).model_extra == result.model_extra


def test_without_the_header_everything_is_none(router) -> None:
    router.post("chat/completions").mock(return_value=answer(completion(), request_id=None))
    client = Edgen(max_retries=0)
    result = client.chat.completions.create(model="m", messages=MESSAGES)
    assert result._request_id is None
    assert result.model_extra == {}
    raw = client.chat.completions.with_raw_response.create(model="m", messages=MESSAGES)
    assert raw.request_id is None
    assert raw.parse()._request_id is None


def test_raw_response_and_its_parsed_model(router) -> None:
    router.post("chat/completions").mock(return_value=answer(completion(), "req_raw"))
    raw = Edgen(max_retries=0).chat.completions.with_raw_response.create(
        model="m", messages=MESSAGES
    )
    assert raw.request_id == "req_raw"
    assert raw.parse()._request_id == "req_raw"


def test_other_endpoints_and_parse(router) -> None:
    router.get("models").mock(return_value=answer({"object": "list", "data": []}, "req_list"))
    router.post("chat/completions").mock(return_value=answer(completion('{"a": 1}'), "req_p"))
    client = Edgen(max_retries=0)
    assert client.models.list()._request_id == "req_list"

    class A(msgspec.Struct):
        a: int

    parsed = client.chat.completions.parse(model="m", messages=MESSAGES, response_format=A)
    assert parsed._request_id == "req_p"
    assert parsed.choices[0].message.parsed == A(a=1)


def test_stream_chunks_have_none_but_the_raw_response_has_it(router) -> None:
    body = sse_body(
        openai_chunk({"content": "Hel"}),
        openai_chunk({"content": "lo"}, finish_reason="stop"),
        done=True,
    )
    headers = {**SSE_HEADERS, "x-request-id": "req_stream"}
    router.post("chat/completions").mock(
        return_value=httpx.Response(200, content=body, headers=headers)
    )
    client = Edgen(max_retries=0)
    chunks = list(client.chat.completions.create(model="m", messages=MESSAGES, stream=True))
    assert [chunk.choices[0].delta.content for chunk in chunks] == ["Hel", "lo"]
    assert all(chunk._request_id is None for chunk in chunks)
    raw = client.chat.completions.with_raw_response.create(
        model="m", messages=MESSAGES, stream=True
    )
    assert raw.request_id == "req_stream"
    list(raw.parse())


def test_status_errors_carry_it(router) -> None:
    error = {"error": {"message": "bad", "type": "invalid_request_error"}}
    router.post("chat/completions").mock(return_value=answer(error, "req_err", status=400))
    with pytest.raises(BadRequestError) as info:
        create(Edgen(max_retries=0))
    assert info.value.request_id == "req_err"
    router.post("chat/completions").mock(return_value=answer(error, None, status=500))
    with pytest.raises(APIStatusError) as missing:
        create(Edgen(max_retries=0))
    assert missing.value.request_id is None


def test_a_body_that_does_not_fit_names_the_request(router) -> None:
    router.post("chat/completions").mock(return_value=answer({"id": 3}, "req_bad"))
    with pytest.raises(APIResponseValidationError) as info:
        create(Edgen(max_retries=0))
    assert info.value.request_id == "req_bad"


def test_no_answer_no_request_id(closed_port: int) -> None:
    client = Edgen(base_url=f"http://127.0.0.1:{closed_port}/v1", max_retries=0)
    with pytest.raises(APIConnectionError) as info:
        create(client)
    assert info.value.request_id is None


@pytest.mark.anyio
async def test_async_client(router) -> None:
    router.post("chat/completions").mock(return_value=answer(completion(), "req_async"))
    async with AsyncEdgen(max_retries=0) as client:
        result = await client.chat.completions.create(model="m", messages=MESSAGES)
        assert result._request_id == "req_async"
        raw = await client.chat.completions.with_raw_response.create(model="m", messages=MESSAGES)
        assert raw.request_id == "req_async"
        assert (await raw.parse())._request_id == "req_async"


def test_emulator_openai_dialect_names_each_answer() -> None:
    with EdgenEmulator(dialect="openai", seed=3) as server:
        client = Edgen(base_url=server.url, max_retries=0)
        first = client.chat.completions.create(model="default", messages=MESSAGES)
        raw = client.chat.completions.with_raw_response.create(model="default", messages=MESSAGES)
        second = raw.parse()
        assert first._request_id is not None and first._request_id.startswith("req_")
        assert raw.request_id == second._request_id
        assert second._request_id != first._request_id
        server.inject("status=429", times=1)
        with pytest.raises(APIStatusError) as info:
            client.chat.completions.create(model="default", messages=MESSAGES)
        assert info.value.status_code == 429
        assert info.value.request_id is not None
        assert info.value.request_id not in (first._request_id, second._request_id)


def test_emulator_edgen_dialect_sends_none(emulator: EdgenEmulator) -> None:
    client = Edgen(base_url=emulator.url, max_retries=0)
    raw = client.chat.completions.with_raw_response.create(model="default", messages=MESSAGES)
    assert raw.request_id is None
    assert raw.parse()._request_id is None


def test_a_raw_response_names_the_request_it_answers(respx_mock) -> None:
    respx_mock.post("http://127.0.0.1:33322/v1/chat/completions").mock(
        return_value=answer(completion())
    )
    client = Edgen(max_retries=0)
    raw = client.chat.completions.with_raw_response.create(model="m", messages=MESSAGES)
    assert raw.http_request.method == "POST"
    assert raw.http_request.url == "http://127.0.0.1:33322/v1/chat/completions"
    assert json.loads(raw.http_request.content)["model"] == "m"
    client.close()
