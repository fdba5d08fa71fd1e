"""pydantic models as `response_format` and tools, accepted by duck typing.

The duck-typed `Forecast` (tests/duck_models.py) stands in for a pydantic model where
pydantic must stay unimported; the `real_pydantic` tests use pydantic itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import msgspec
import pytest
from conftest import REPO_ROOT, openai_completion
from duck_models import Forecast

import edgen
from edgen import Edgen, StructuredOutputError, pydantic_function_tool
from edgen.testing import EdgenEmulator

MESSAGES = [{"role": "user", "content": "forecast"}]
FITS = json.dumps({"city": "Oslo", "days": [{"high": 3}, {"high": 5}]})


completion = openai_completion


def test_parse_sends_the_models_own_schema_closed_and_decodes_with_it(router) -> None:
    route = router.post("chat/completions").mock(
        return_value=httpx.Response(200, json=completion(FITS))
    )
    result = Edgen(max_retries=0).chat.completions.parse(
        model="m", messages=MESSAGES, response_format=Forecast
    )
    fmt = json.loads(route.calls[0].request.content)["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "Forecast" and fmt["json_schema"]["strict"] is True
    schema = fmt["json_schema"]["schema"]
    expected = Forecast.model_json_schema()
    expected["additionalProperties"] = False
    expected["$defs"]["Day"]["additionalProperties"] = False
    assert schema == expected
    assert result.choices[0].message.parsed == Forecast("Oslo", [{"high": 3}, {"high": 5}])


def test_the_models_validation_error_becomes_a_structured_output_error(router) -> None:
    router.post("chat/completions").mock(
        return_value=httpx.Response(200, json=completion('{"days": []}'))
    )
    with pytest.raises(StructuredOutputError) as info:
        Edgen(max_retries=0).chat.completions.parse(
            model="m", messages=MESSAGES, response_format=Forecast
        )
    assert info.value.content == '{"days": []}'
    assert "does not fit Forecast" in str(info.value)
    assert "city\n  Field required" in str(info.value)
    assert info.value.completion.choices[0].message.content == '{"days": []}'


def test_pydantic_function_tool_as_openai_builds_it(router) -> None:
    tool = pydantic_function_tool(Forecast, name="get_forecast", description="Look it up.")
    closed = Forecast.model_json_schema()
    closed["additionalProperties"] = False
    closed["$defs"]["Day"]["additionalProperties"] = False
    assert tool == {
        "type": "function",
        "function": {
            "name": "get_forecast",
            "parameters": closed,
            "description": "Look it up.",
            "strict": True,
        },
    }
    assert pydantic_function_tool(Forecast)["function"]["name"] == "Forecast"
    call = {"id": "c1", "type": "function", "function": {"name": "get_forecast", "arguments": FITS}}
    route = router.post("chat/completions").mock(
        return_value=httpx.Response(200, json=completion(None, [call]))
    )
    result = Edgen(max_retries=0).chat.completions.parse(
        model="m", messages=MESSAGES, tools=[tool], tool_choice="required"
    )
    sent = json.loads(route.calls[0].request.content)["tools"][0]
    assert sent["function"]["name"] == "get_forecast" and sent["function"]["strict"] is True
    parsed = result.choices[0].message.tool_calls[0].function.parsed_arguments
    assert parsed == Forecast("Oslo", [{"high": 3}, {"high": 5}])


def test_pydantic_function_tool_refuses_what_is_not_a_pydantic_model() -> None:
    class Plain(msgspec.Struct):
        a: int

    for bad in (Plain, dict, "Forecast", Forecast("x", [])):
        with pytest.raises(TypeError, match="pydantic_function_tool.. needs a pydantic model"):
            pydantic_function_tool(bad)  # type: ignore[arg-type]


def test_a_type_without_a_schema_names_the_field_and_what_works(router) -> None:
    class Opaque:
        pass

    route = router.post("chat/completions")
    with pytest.raises(
        TypeError, match=r"(?s)response_format: Opaque has no JSON schema .*pydantic"
    ):
        Edgen(max_retries=0).chat.completions.parse(
            model="m", messages=MESSAGES, response_format=Opaque
        )
    assert not route.called


def test_edgen_models_stay_on_msgspec() -> None:
    # edgen's models have methods named like pydantic's; they are msgspec Structs all the same.
    from edgen._structured import is_pydantic_model

    assert not is_pydantic_model(edgen.types.chat.ChatCompletion)
    assert is_pydantic_model(Forecast)


# Every call that takes a model, in a fresh interpreter: pydantic must not appear in
# sys.modules after any of them (this process may have imported it through openai).
_NO_PYDANTIC = """
import json, sys
from duck_models import Forecast
import edgen
from edgen.testing import EdgenEmulator

def pydantic_loaded():
    return sorted(m for m in sys.modules if m.split(".")[0] in ("pydantic", "pydantic_core"))

seen = {"import": pydantic_loaded()}
messages = [{"role": "user", "content": "forecast"}]
tool = edgen.pydantic_function_tool(Forecast)
seen["tool"] = pydantic_loaded()
with EdgenEmulator(dialect="openai") as server:
    for dialect in ("json_schema", "json_object"):
        client = edgen.Edgen(base_url=server.url, structured_outputs=dialect)
        parsed = client.chat.completions.parse(
            model="m", messages=messages, response_format=Forecast
        ).choices[0].message.parsed
        assert isinstance(parsed, Forecast), parsed
        seen["parse " + dialect] = pydantic_loaded()
        with client.chat.completions.stream(
            model="m", messages=messages, response_format=Forecast
        ) as stream:
            parsed = stream.get_final_completion().choices[0].message.parsed
        assert isinstance(parsed, Forecast), parsed
        seen["stream " + dialect] = pydantic_loaded()
        call = client.chat.completions.parse(
            model="m", messages=messages, tools=[tool], tool_choice="required"
        ).choices[0].message.tool_calls[0]
        assert isinstance(call.function.parsed_arguments, Forecast)
        seen["tool call " + dialect] = pydantic_loaded()
print(json.dumps(seen))
"""


def test_no_call_imports_pydantic() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "tests")])}
    env.pop("EDGEN_LOG", None)
    proc = subprocess.run(
        [sys.executable, "-c", _NO_PYDANTIC],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=str(REPO_ROOT),
    )
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert len(seen) == 8  # every step ran
    assert seen == dict.fromkeys(seen, [])


# -- with pydantic itself (in the `test` extra; skipped where it is missing)


@pytest.fixture
def models() -> tuple[type, type]:
    pydantic = pytest.importorskip("pydantic")

    class Step(pydantic.BaseModel):
        explanation: str
        output: str

    class MathResponse(pydantic.BaseModel):
        """Worked steps and the answer."""

        steps: list[Step]
        final_answer: str

    return Step, MathResponse


@pytest.mark.parametrize("structured_outputs", ["json_schema", "json_object"])
@pytest.mark.parametrize("dialect", ["edgen", "openai"])
def test_real_pydantic_models_parse_and_stream_against_the_emulator(
    models: tuple[type, type], dialect: str, structured_outputs: str
) -> None:
    step, math_response = models
    with (
        EdgenEmulator(dialect=dialect, structured_outputs=structured_outputs, seed=4) as server,
        Edgen(base_url=server.url, structured_outputs=structured_outputs) as client,  # type: ignore[arg-type]
    ):
        result = client.chat.completions.parse(
            model="m", messages=MESSAGES, response_format=math_response
        )
        sent = server.requests[-1].json()["response_format"]
        with client.chat.completions.stream(
            model="m", messages=MESSAGES, response_format=math_response
        ) as stream:
            final = stream.get_final_completion()
    schema = (
        sent["schema"] if structured_outputs == "json_object" else sent["json_schema"]["schema"]
    )
    assert sent["type"] == structured_outputs
    assert schema["additionalProperties"] is False
    assert schema["$defs"]["Step"]["additionalProperties"] is False
    message = result.choices[0].message
    assert isinstance(message.parsed, math_response)
    assert message.parsed == math_response.model_validate_json(message.content)
    assert all(isinstance(s, step) for s in message.parsed.steps)
    assert isinstance(final.choices[0].message.parsed, math_response)


def test_real_pydantic_tool_call(models: tuple[type, type]) -> None:
    step, _ = models
    with EdgenEmulator(dialect="openai", seed=1) as server, Edgen(base_url=server.url) as client:
        tool = pydantic_function_tool(step, name="show_step")
        result = client.chat.completions.parse(
            model="m", messages=MESSAGES, tools=[tool], tool_choice="required"
        )
    call = result.choices[0].message.tool_calls[0]
    assert call.function.name == "show_step"
    assert isinstance(call.function.parsed_arguments, step)
    assert call.function.parsed_arguments == step.model_validate_json(call.function.arguments)


def test_real_pydantic_validation_error(models: tuple[type, type], router) -> None:
    step, _ = models
    router.post("chat/completions").mock(
        return_value=httpx.Response(200, json=completion('{"explanation": 1}'))
    )
    with pytest.raises(StructuredOutputError, match="does not fit Step") as info:
        Edgen(max_retries=0).chat.completions.parse(
            model="m", messages=MESSAGES, response_format=step
        )
    assert "validation error" in str(info.value) and "output" in str(info.value)
