"""Completions from `client.chat.completions.parse()`: the wire types plus parsed values."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from .chat_completion import ChatCompletion, Choice
from .chat_completion_message import ChatCompletionMessage
from .chat_completion_message_tool_call import ChatCompletionMessageToolCall, Function

ContentType = TypeVar("ContentType")


class ParsedFunction(Function):
    parsed_arguments: Any = None
    """`arguments` decoded into the tool's Struct, when the tool came from `function_tool()`."""


class ParsedFunctionToolCall(ChatCompletionMessageToolCall):
    function: ParsedFunction


class ParsedChatCompletionMessage(ChatCompletionMessage, Generic[ContentType]):
    parsed: ContentType | None = None
    """`content` decoded into the requested `response_format` type."""
    tool_calls: list[ParsedFunctionToolCall] | None = None  # type: ignore[assignment]


class ParsedChoice(Choice, Generic[ContentType]):
    message: ParsedChatCompletionMessage[ContentType]


class ParsedChatCompletion(ChatCompletion, Generic[ContentType]):
    choices: list[ParsedChoice[ContentType]]  # type: ignore[assignment]
