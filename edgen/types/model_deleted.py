from __future__ import annotations

from .._models import BaseModel


class ModelDeleted(BaseModel):
    """The answer of `DELETE /models/{id}`; Edgen removes the whole repo cache folder."""

    id: str
    deleted: bool
    object: str = "model"
