"""Request-side message shapes (TypedDicts: plain dicts at run time)."""

from collections.abc import Iterable
from typing import Literal, Union

from ..._typing import Required, TypedDict


class ChatCompletionContentPartTextParam(TypedDict):
    type: Literal["text"]
    text: str


class ImageURL(TypedDict, total=False):
    url: Required[str]
    detail: str | None


class ChatCompletionContentPartImageParam(TypedDict, total=False):
    """An image part, flat (Edgen) or with a nested `image_url` (OpenAI); sent as given."""

    # Edgen takes {"type": "image_url", "url": ..., "detail": ...} and only renders it
    # into the prompt as text; OpenAI-compatible servers take {"image_url": {"url": ...}}.
    type: Required[Literal["image_url"]]
    url: str
    detail: str | None
    image_url: ImageURL


ChatCompletionContentPartParam = Union[
    ChatCompletionContentPartTextParam, ChatCompletionContentPartImageParam
]


class ChatCompletionSystemMessageParam(TypedDict, total=False):
    role: Required[Literal["system"]]
    content: str | None
    name: str | None


class ChatCompletionUserMessageParam(TypedDict, total=False):
    role: Required[Literal["user"]]
    content: Required[str | Iterable[ChatCompletionContentPartParam]]
    name: str | None


class FunctionCallParam(TypedDict):
    name: str
    arguments: str


class ChatCompletionMessageToolCallParam(TypedDict):
    id: str
    type: Literal["function"]
    function: FunctionCallParam


class ChatCompletionAssistantMessageParam(TypedDict, total=False):
    role: Required[Literal["assistant"]]
    content: str | None
    name: str | None
    tool_calls: Iterable[ChatCompletionMessageToolCallParam] | None


class ChatCompletionToolMessageParam(TypedDict, total=False):
    role: Required[Literal["tool"]]
    content: str | None
    tool_call_id: Required[str]


ChatCompletionMessageParam = Union[
    ChatCompletionSystemMessageParam,
    ChatCompletionUserMessageParam,
    ChatCompletionAssistantMessageParam,
    ChatCompletionToolMessageParam,
]
