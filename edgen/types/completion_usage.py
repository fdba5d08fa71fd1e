from __future__ import annotations

from .._models import BaseModel


class CompletionTokensDetails(BaseModel):
    reasoning_tokens: int | None = None
    accepted_prediction_tokens: int | None = None
    rejected_prediction_tokens: int | None = None
    audio_tokens: int | None = None


class PromptTokensDetails(BaseModel):
    cached_tokens: int | None = None
    audio_tokens: int | None = None


class CompletionUsage(BaseModel):
    """Token counts. The Edgen server always reports zeros."""

    completion_tokens: int
    prompt_tokens: int
    total_tokens: int
    completion_tokens_details: CompletionTokensDetails | None = None
    prompt_tokens_details: PromptTokensDetails | None = None
