# Structured outputs: JSON schemas from types, and answers decoded into them.
# Any type msgspec can decode works as a `response_format` or a tool: a
# msgspec.Struct, a dataclass, a TypedDict, a NamedTuple. So does a pydantic model class,
# recognised by its methods: pydantic is never imported here, so it stays out of
# `sys.modules` for users who do not import it themselves.

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

import msgspec

from ._exceptions import EdgenError
from ._models import decoder_for

if TYPE_CHECKING:
    from .types.chat.completion_create_params import ChatCompletionToolParam


class StructuredOutputError(EdgenError):
    """The model's answer does not fit the requested type (`content`: the raw text)."""

    # `completion` is the whole answer, when there is one.

    def __init__(self, message: str, *, content: str | None, completion: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.content = content
        self.completion = completion


class StructTool(dict[str, Any]):
    """A function tool definition (a plain dict on the wire) that remembers its type."""

    struct_type: Any


def _type_name(tp: Any) -> str:
    return str(getattr(tp, "__name__", None) or "response")


def is_pydantic_model(tp: Any) -> bool:
    # pydantic's model API. edgen's own models (msgspec Structs) have methods of the same
    # names but take msgspec's faster path.
    return (
        isinstance(tp, type)
        and not issubclass(tp, msgspec.Struct)
        and callable(getattr(tp, "model_json_schema", None))
        and callable(getattr(tp, "model_validate_json", None))
    )


@functools.lru_cache(maxsize=256)
def json_schema(tp: Any) -> dict[str, Any]:
    # The JSON schema for `tp`, root inlined (servers want an object at the top), strict:
    # every schema edgen sends asks for strict mode, which wants closed objects.
    if is_pydantic_model(tp):
        schema: dict[str, Any] = closed_objects(tp.model_json_schema())
        return schema
    try:
        schema = msgspec.json.schema(tp)
    except TypeError as exc:
        raise TypeError(
            f"{_type_name(tp)} has no JSON schema ({exc}): use a msgspec.Struct, a dataclass, "
            "a TypedDict, a NamedTuple, or a class with pydantic's model_json_schema() and "
            "model_validate_json()"
        ) from None
    ref = schema.get("$ref")
    if ref is not None:
        defs = schema["$defs"]  # a new schema each call: free to rearrange
        schema = defs.pop(ref.rpartition("/")[2])
        if defs:
            schema["$defs"] = defs
    closed: dict[str, Any] = closed_objects(schema)
    return closed


# Where a JSON schema holds further schemas: in maps of them, in lists of them, or as one.
_SCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SCHEMA_VALUES = ("items", "additionalProperties", "not")


def closed_objects(schema: Any) -> Any:
    """A copy of `schema` with `"additionalProperties": false` on each object with properties.

    OpenAI's strict mode refuses a schema whose objects leave that out. An object that
    already says what extra properties may hold (a `dict[str, int]`) keeps its rule.
    """
    if not isinstance(schema, dict):
        return schema
    closed = dict(schema)
    for key in _SCHEMA_MAPS:
        if isinstance(closed.get(key), dict):
            closed[key] = {name: closed_objects(sub) for name, sub in closed[key].items()}
    for key in _SCHEMA_LISTS:
        if isinstance(closed.get(key), list):
            closed[key] = [closed_objects(sub) for sub in closed[key]]
    for key in _SCHEMA_VALUES:
        if isinstance(closed.get(key), dict):
            closed[key] = closed_objects(closed[key])
    if "properties" in closed and closed.get("type", "object") == "object":
        closed.setdefault("additionalProperties", False)
    return closed


def is_structured_type(value: Any) -> bool:
    # True for a class to decode into (a TypedDict too), rather than a `response_format` dict.
    return isinstance(value, type) and (not issubclass(value, dict) or hasattr(value, "__total__"))


# How a client sends a schema: OpenAI's `json_schema` response format, or the
# `{"type": "json_object", "schema": ...}` that llama-cpp-python's server takes instead.
STRUCTURED_OUTPUTS = ("json_schema", "json_object")


def response_format_for(tp: Any, structured_outputs: str = "json_schema") -> dict[str, Any]:
    # The `response_format` body field that asks for JSON fitting `tp`.
    schema = json_schema(tp)
    if structured_outputs == "json_object":
        return {"type": "json_object", "schema": schema}
    return {
        "type": "json_schema",
        "json_schema": {"name": _type_name(tp), "schema": schema, "strict": True},
    }


def in_dialect(fmt: Any, structured_outputs: str) -> Any:
    # A `response_format` dict the user wrote in the json_schema form, rewritten for a
    # server that takes only json_object; anything else as it is.
    if structured_outputs != "json_object" or not isinstance(fmt, Mapping):
        return fmt
    if fmt.get("type") != "json_schema" or not isinstance(fmt.get("json_schema"), Mapping):
        return fmt
    schema = fmt["json_schema"].get("schema")
    return {"type": "json_object"} if schema is None else {"type": "json_object", "schema": schema}


def function_tool(
    tp: type, *, name: str | None = None, description: str | None = None
) -> ChatCompletionToolParam:
    """A function tool whose parameters are `tp`'s JSON schema, for `tools=`."""
    # With chat.completions.parse() the calls' arguments come back decoded as
    # `tool_call.function.parsed_arguments`.
    schema = json_schema(tp)
    function: dict[str, Any] = {"name": name or _type_name(tp), "parameters": schema}
    doc = description if description is not None else (tp.__doc__ or "").strip()
    if doc:
        function["description"] = doc
    function["strict"] = True
    tool = StructTool(type="function", function=function)
    tool.struct_type = tp
    # Typed as the TypedDict that `tools=` takes; it is still a StructTool, whose type
    # parse() and stream() find again.
    return cast("ChatCompletionToolParam", tool)


def pydantic_function_tool(
    model: type, *, name: str | None = None, description: str | None = None
) -> ChatCompletionToolParam:
    """openai's `pydantic_function_tool`: a function tool whose parameters are `model`'s schema.

    `model` is a pydantic model class (pydantic itself is not needed by edgen). With
    chat.completions.parse() or stream(), a call's arguments come back decoded into `model`
    as `tool_call.function.parsed_arguments`.
    """
    if not is_pydantic_model(model):
        raise TypeError(
            f"pydantic_function_tool() needs a pydantic model class, got {model!r}; "
            "use edgen.function_tool() for msgspec types, dataclasses and TypedDicts"
        )
    return function_tool(model, name=name, description=description)


# Decodes JSON text into `tp`, and the errors that mean the text does not fit.
@functools.lru_cache(maxsize=256)
def _decoder(tp: Any) -> tuple[Callable[[str], Any], type[Exception]]:
    if is_pydantic_model(tp):
        # pydantic's ValidationError is a ValueError: caught without importing pydantic.
        decode: Callable[[str], Any] = tp.model_validate_json
        return decode, ValueError
    return decoder_for(tp).decode, msgspec.DecodeError  # ValidationError is a DecodeError


def decode_as(tp: Any, text: str | None, what: str, completion: Any) -> Any:
    if text is None:
        problem = f"the answer has no {what} to decode into {_type_name(tp)}"
    else:
        decode, errors = _decoder(tp)
        try:
            return decode(text)  # an edgen model as `tp` keeps extras too
        except errors as exc:
            problem = f"the {what} does not fit {_type_name(tp)}: {exc}; raw text: {text[:500]!r}"
    raise StructuredOutputError(problem, content=text, completion=completion)


def fill_parsed(completion: Any, content_type: Any, tools: dict[str, Any]) -> Any:
    # Decode each choice's content and tool-call arguments in place; returns `completion`.
    for choice in completion.choices:
        message = choice.message
        if content_type is not None and message.refusal is None:
            message.parsed = decode_as(content_type, message.content, "content", completion)
        for call in message.tool_calls or ():
            tp = tools.get(call.function.name)
            if tp is not None:
                call.function.parsed_arguments = decode_as(
                    tp, call.function.arguments, f"arguments of {call.function.name}", completion
                )
    return completion


def tool_types(tools: Any) -> dict[str, Any]:
    # Tool name -> type, for the tools made by `function_tool()`.
    return {t["function"]["name"]: t.struct_type for t in tools or () if isinstance(t, StructTool)}
