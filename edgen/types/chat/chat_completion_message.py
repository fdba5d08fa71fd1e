from __future__ import annotations

from ..._models import BaseModel
from .chat_completion_message_tool_call import ChatCompletionMessageToolCall, Function

FunctionCall = Function


class ChatCompletionMessage(BaseModel):
    """The assistant's message in a non-streamed completion."""

    role: str
    content: str | None = None
    refusal: str | None = None
    name: str | None = None
    tool_calls: list[ChatCompletionMessageToolCall] | None = None
    function_call: FunctionCall | None = None
    reasoning_content: str | None = None
