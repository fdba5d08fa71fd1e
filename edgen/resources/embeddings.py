# `client.embeddings`: vectors for strings.

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._endpoint import endpoint
from .._resource import _IO, _M, Raw, Resource, Streaming, checked
from .._validate import check
from ..types.create_embedding_response import CreateEmbeddingResponse
from ..types.embedding_create_params import EMBEDDING_CREATE_FIELDS, EmbeddingCreateParams
from .misc import Status

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._types import RequestOptions

    class _Create(EmbeddingCreateParams, RequestOptions, total=False): ...


class Embeddings(Resource[_IO, _M]):
    __slots__ = ("status",)
    _children = {"status": (Status, "embeddings/status")}
    status: Status[_IO, _M]
    with_raw_response: Embeddings[_IO, Raw]
    with_streaming_response: Embeddings[_IO, Streaming]

    @endpoint
    def create(self, **params: Unpack[_Create]) -> CreateEmbeddingResponse:
        """Embed `input` (a str or a list of str); the vectors are in `.data[i].embedding`."""
        options, body = checked("create", params, EMBEDDING_CREATE_FIELDS, ("input", "model"))
        check("create", EmbeddingCreateParams, body)
        _check_input_kind(body["input"])
        return self._send("POST", "embeddings", CreateEmbeddingResponse, options, body=body)


# str, int (a token id) or list (of token ids); None for anything else.
def _input_kind(item: object) -> type | None:
    if isinstance(item, str):
        return str
    if isinstance(item, int):
        return None if isinstance(item, bool) else int
    if isinstance(item, (list, tuple)) and all(_input_kind(t) is int for t in item):
        return list
    return None


# The type allows a list mixing strs, token ids and lists of them; the server does not.
def _check_input_kind(items: str | list[Any] | tuple[Any, ...]) -> None:
    if isinstance(items, str):
        return
    kind = _input_kind(items[0])
    for i, item in enumerate(items):
        if _input_kind(item) is not kind:
            raise TypeError(
                f"create(): input[{i}] must be a str, a token id (int) or a list of token ids, "
                "all of one kind"
            )
