from __future__ import annotations

from collections.abc import Iterator
from typing import overload

from .._models import BaseModel
from .model import Model


class ModelsPage(BaseModel):
    """The list of models; iterate it, index it or take `len()` as with a list."""

    # Edgen sends everything in one page (`page` 1, `per_page` = the count);
    # OpenAI-compatible servers leave both out.

    data: list[Model]
    object: str = "list"
    page: int | None = None
    per_page: int | None = None

    def __iter__(self) -> Iterator[Model]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def __bool__(self) -> bool:
        return True  # a page is a result, even when it lists no models

    @overload
    def __getitem__(self, index: int) -> Model: ...
    @overload
    def __getitem__(self, index: slice) -> list[Model]: ...
    def __getitem__(self, index: int | slice) -> Model | list[Model]:
        return self.data[index]

    def has_next_page(self) -> bool:
        """Always False: neither Edgen nor OpenAI-style servers page this list."""
        return False
