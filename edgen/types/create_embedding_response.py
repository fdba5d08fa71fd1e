from __future__ import annotations

from typing import Any

from msgspec import UNSET

from .._models import BaseModel
from .embedding import Embedding


class Usage(BaseModel):
    prompt_tokens: int = 0
    total_tokens: int = 0


class _EmbeddingsWire(BaseModel):
    # Edgen lists the vectors under "embeddings", OpenAI-compatible servers under
    # "data": decode both keys as optional, then pick one in a property.
    object: str = "list"
    model: str | None = None
    usage: Usage | None = None
    data: list[Embedding] | None = None
    embeddings: list[Embedding] | None = None


class CreateEmbeddingResponse(_EmbeddingsWire):
    """The answer of `client.embeddings.create()`: one `Embedding` per input, in order."""

    @property  # type: ignore[misc]
    def data(self) -> list[Embedding]:  # type: ignore[override]
        """The vectors, whichever key the server listed them under."""
        raw: Any = self  # its stored values, UNSET when the server left a key out
        for vectors in (raw.data_, raw.embeddings_):
            if vectors is not UNSET and vectors is not None:
                return vectors  # type: ignore[no-any-return]
        return []

    @property  # type: ignore[misc]
    def embeddings(self) -> list[Embedding]:  # type: ignore[override]
        """Alias of `data`, the key the Edgen server uses."""
        return self.data
