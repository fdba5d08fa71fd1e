# Structured outputs on msgspec: JSON schemas from types, and answers decoded into them.
# Any type msgspec can decode works as a `response_format` or a tool: a
# msgspec.Struct, a dataclass, a TypedDict, a NamedTuple.

from __future__ import annotations

import functools
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


@functools.lru_cache(maxsize=256)
def json_schema(tp: Any) -> dict[str, Any]:
    # msgspec's JSON schema for `tp`, with the root inlined (servers want an object at the top).
    schema = msgspec.json.schema(tp)  # a TypeError names a type it cannot describe
    ref = schema.get("$ref")
    if ref is None:
        return schema
    defs = schema["$defs"]  # a new schema each call: free to rearrange
    root: dict[str, Any] = defs.pop(ref.rpartition("/")[2])
    if defs:
        root["$defs"] = defs
    return root


def is_structured_type(value: Any) -> bool:
    # True for a class to decode into (a TypedDict too), rather than a `response_format` dict.
    return isinstance(value, type) and (not issubclass(value, dict) or hasattr(value, "__total__"))


def response_format_for(tp: Any) -> dict[str, Any]:
    # The `response_format` body field that asks for JSON fitting `tp`.
    return {
        "type": "json_schema",
        "json_schema": {"name": _type_name(tp), "schema": json_schema(tp), "strict": True},
    }


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


def decode_as(tp: Any, text: str | None, what: str, completion: Any) -> Any:
    if text is None:
        problem = f"the answer has no {what} to decode into {_type_name(tp)}"
    else:
        try:
            return decoder_for(tp).decode(text)  # a model as `tp` keeps extras too
        except msgspec.DecodeError as exc:  # ValidationError is one too
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
