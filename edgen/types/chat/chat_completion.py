from __future__ import annotations

from ..._models import BaseModel
from ..completion_usage import CompletionUsage
from .chat_completion_message import ChatCompletionMessage
from .chat_completion_token_logprob import ChatCompletionTokenLogprob


class ChoiceLogprobs(BaseModel):
    content: list[ChatCompletionTokenLogprob] | None = None
    refusal: list[ChatCompletionTokenLogprob] | None = None


class Choice(BaseModel):
    index: int
    message: ChatCompletionMessage
    # A str, not a Literal: a newer server may add reasons. Edgen sends null.
    finish_reason: str | None = None
    logprobs: ChoiceLogprobs | None = None


class ChatCompletion(BaseModel):
    """A whole chat completion."""

    # Edgen sends object="text_completion" and model="main"; OpenAI-compatible
    # servers send "chat.completion" and the model name.

    id: str
    choices: list[Choice]
    created: int
    model: str
    object: str
    system_fingerprint: str | None = None
    service_tier: str | None = None
    usage: CompletionUsage | None = None
