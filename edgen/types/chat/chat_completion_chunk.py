from __future__ import annotations

from ..._models import BaseModel
from ..completion_usage import CompletionUsage
from .chat_completion import ChoiceLogprobs as ChoiceLogprobs  # the same in both


class ChoiceDeltaToolCallFunction(BaseModel):
    name: str | None = None
    arguments: str | None = None
    """A fragment of the arguments' JSON text; concatenate across chunks."""


ChoiceDeltaFunctionCall = ChoiceDeltaToolCallFunction  # the legacy function_call's, alike


class ChoiceDeltaToolCall(BaseModel):
    index: int
    id: str | None = None
    type: str | None = None
    function: ChoiceDeltaToolCallFunction | None = None


class ChoiceDelta(BaseModel):
    content: str | None = None
    role: str | None = None
    refusal: str | None = None
    tool_calls: list[ChoiceDeltaToolCall] | None = None
    function_call: ChoiceDeltaFunctionCall | None = None
    reasoning_content: str | None = None


class Choice(BaseModel):
    delta: ChoiceDelta
    index: int
    finish_reason: str | None = None
    logprobs: ChoiceLogprobs | None = None


class ChatCompletionChunk(BaseModel):
    """One streamed piece of a chat completion."""

    # Edgen sends a new id per chunk and object="text_completion"; OpenAI-compatible
    # servers keep one id and send "chat.completion.chunk". A usage-only final chunk
    # has an empty `choices` list.

    id: str
    choices: list[Choice]
    created: int
    model: str
    object: str
    system_fingerprint: str | None = None
    service_tier: str | None = None
    usage: CompletionUsage | None = None
