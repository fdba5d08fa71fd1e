from __future__ import annotations

import msgspec

from ..._models import BaseModel


# The bulk of large responses (one per token and alternative): plain defaults, so
# no property per field and nothing for model_dump() to walk.
class TopLogprob(BaseModel, track_unset=False):
    token: str
    logprob: float
    bytes: list[int] | None = None


class ChatCompletionTokenLogprob(BaseModel, track_unset=False):
    token: str
    logprob: float
    bytes: list[int] | None = None
    top_logprobs: list[TopLogprob] = msgspec.field(default_factory=list)
