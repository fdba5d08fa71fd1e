"""Parameters of `client.embeddings.create()`, as a TypedDict."""

from collections.abc import Iterable
from typing import Annotated, Literal, Union

from .._typing import NonEmpty, Required, TypedDict


class EmbeddingCreateParams(TypedDict, total=False):
    input: Required[
        Union[
            str,
            Annotated[list[str], NonEmpty],
            Annotated[Iterable[int], NonEmpty],
            Annotated[Iterable[Iterable[int]], NonEmpty],
        ]
    ]
    """A string or a list of strings (token lists work on OpenAI-style servers, not Edgen)."""
    model: Required[str]
    """Edgen: "default" or a `gguf` model ("owner/repo/file" or a file name)."""
    encoding_format: Literal["float", "base64"] | None
    """Edgen ignores it; base64 answers from other servers are decoded to floats."""
    dimensions: int | None
    user: str


EMBEDDING_CREATE_FIELDS = frozenset(EmbeddingCreateParams.__annotations__)
