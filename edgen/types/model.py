from __future__ import annotations

from .._models import BaseModel


class Model(BaseModel):
    """A model the server has (`GET /models`, `GET /models/{id}`)."""

    # On Edgen, `id` is a Hugging Face repo ("owner/repo"), not a file usable as a
    # request `model`. OpenAI-compatible servers may leave out `created` or `owned_by`.

    id: str
    object: str = "model"
    owned_by: str | None = None
    created: int | None = None
    """Unix seconds (Edgen: the cache folder's creation time, or 0)."""
