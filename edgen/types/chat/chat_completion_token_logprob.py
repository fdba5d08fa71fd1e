from __future__ import annotations

import msgspec

from ..._models import BaseModel


# Log-probabilities are the bulk of large responses (one object per token and
# per alternative), so these leaf types keep plain defaults: no per-field
# property, and model_dump() need not walk them.
class TopLogprob(BaseModel, track_unset=False):
    token: str
    logprob: float
    bytes: list[int] | None = None


class ChatCompletionTokenLogprob(BaseModel, track_unset=False):
    token: str
    logprob: float
    bytes: list[int] | None = None
    top_logprobs: list[TopLogprob] = msgspec.field(default_factory=list)
