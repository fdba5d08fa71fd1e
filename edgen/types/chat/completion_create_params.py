"""Parameters of `client.chat.completions.create()`, as TypedDicts."""

from collections.abc import Iterable
from typing import Annotated, Any, Literal, Union

from ..._typing import NonEmpty, Required, TypedDict
from .chat_completion_message_param import ChatCompletionMessageParam


class FunctionDefinition(TypedDict, total=False):
    name: Required[str]
    description: str | None
    parameters: Required[dict[str, Any]]
    """A JSON Schema; the Edgen server requires it (use `{}` for no arguments)."""
    strict: bool | None


class ChatCompletionToolParam(TypedDict):
    type: Literal["function"]
    function: FunctionDefinition


class ToolChoiceFunction(TypedDict, total=False):
    name: Required[str]
    description: str | None
    parameters: dict[str, Any]
    strict: bool | None


class ChatCompletionNamedToolChoiceParam(TypedDict):
    """Forces a call of the function `function["name"]`, one of `tools`.

    The Edgen server wants the whole function here (name and parameters); naming it alone,
    as OpenAI does, is enough: the client fills in the rest from `tools`.
    """

    type: Literal["function"]
    function: ToolChoiceFunction


ChatCompletionToolChoiceOptionParam = Union[
    Literal["none", "auto", "required"], ChatCompletionNamedToolChoiceParam
]


class ResponseFormatText(TypedDict):
    type: Literal["text"]


class ResponseFormatJSONObject(TypedDict):
    type: Literal["json_object"]


class JSONSchema(TypedDict, total=False):
    name: Required[str]
    description: str
    schema: dict[str, Any]
    strict: bool | None


class ResponseFormatJSONSchema(TypedDict):
    type: Literal["json_schema"]
    json_schema: JSONSchema


ResponseFormat = Union[ResponseFormatText, ResponseFormatJSONObject, ResponseFormatJSONSchema]


class ChatCompletionStreamOptionsParam(TypedDict, total=False):
    include_usage: bool


class CompletionCreateParamsBase(TypedDict, total=False):
    messages: Required[Annotated[Iterable[ChatCompletionMessageParam], NonEmpty]]
    model: Required[str]
    """Edgen: "default", an "owner/repo/file" reference, or a file name; see the README."""
    frequency_penalty: float | None
    logit_bias: dict[str, int] | None
    logprobs: bool | None
    top_logprobs: int | None
    max_tokens: int | None
    max_completion_tokens: int | None
    n: int | None
    parallel_tool_calls: bool
    presence_penalty: float | None
    response_format: ResponseFormat
    seed: int | None
    stop: str | list[str] | None
    stream_options: ChatCompletionStreamOptionsParam | None
    temperature: float | None
    tool_choice: ChatCompletionToolChoiceOptionParam
    tools: Iterable[ChatCompletionToolParam]
    top_p: float | None
    user: str
    one_shot: bool | None
    """Edgen: run in an isolated session with no cached context."""
    context_hint: int | None
    """Edgen: context size for one-shot sessions (default 4096)."""


class CompletionCreateParamsNonStreaming(CompletionCreateParamsBase, total=False):
    stream: Literal[False] | None


class CompletionCreateParamsStreaming(CompletionCreateParamsBase):
    stream: Required[Literal[True]]


CompletionCreateParams = Union[CompletionCreateParamsNonStreaming, CompletionCreateParamsStreaming]


class CompletionCreateParamsEither(CompletionCreateParamsBase, total=False):
    """create()'s parameters with a `stream` known only at run time: what is checked."""

    stream: bool | None


# Every body field create() accepts; anything else is a caller's typo, not data to drop or send.
CHAT_CREATE_FIELDS = frozenset(CompletionCreateParamsEither.__annotations__)
