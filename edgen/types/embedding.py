from __future__ import annotations

import base64
import sys
from array import array
from typing import TYPE_CHECKING, Union

from .._models import BaseModel


def decode_base64_embedding(data: str) -> list[float]:
    """Floats from a base64 string of little-endian float32 values (no numpy needed)."""
    floats = array("f")
    try:
        floats.frombytes(base64.b64decode(data, validate=True))
    except ValueError as exc:  # binascii.Error is one; so is a length not a multiple of 4
        raise ValueError(f"not a base64 float32 embedding: {exc}") from None
    if sys.byteorder == "big":
        floats.byteswap()
    return floats.tolist()


class Embedding(BaseModel):
    """One vector; `embedding` is always a list of floats, even if the server sent base64."""

    if TYPE_CHECKING:
        embedding: list[float]
    else:  # the wire may carry base64; __post_init__ turns it into floats
        embedding: Union[list[float], str]
    index: int
    object: str = "embedding"

    def __post_init__(self) -> None:
        # Only servers asked for encoding_format="base64" send a str; the check is cheap.
        value: object = self.embedding
        if type(value) is str:
            self.embedding = decode_base64_embedding(value)
