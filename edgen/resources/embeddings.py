"""`client.embeddings`: vectors for strings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._client import RequestSpec
from .._resource import _C, _M, Resource, check_params, drop_not_given, endpoint, split_options
from ..types.create_embedding_response import CreateEmbeddingResponse
from ..types.embedding_create_params import EMBEDDING_CREATE_FIELDS
from ._status import Status

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._endpoint import Raw, Streaming
    from .._types import RequestOptions
    from ..types.embedding_create_params import EmbeddingCreateParams

    class _Create(EmbeddingCreateParams, RequestOptions, total=False): ...

    # What `create` takes and gives, for type checkers (see _endpoint.py).
    def _create(**params: Unpack[_Create]) -> CreateEmbeddingResponse: ...

else:
    _create = None


__all__ = ["Embeddings"]

_REQUIRED = ("input", "model")


class Embeddings(Resource[_C, _M]):
    __slots__ = ("status",)
    if TYPE_CHECKING:
        status: Status[_C, _M]
        with_raw_response: Embeddings[_C, Raw]
        with_streaming_response: Embeddings[_C, Streaming]

    def _init_children(self) -> None:
        self.status = Status(self._client, self._mode, "embeddings/status")

    @endpoint(_create)
    def create(self, **params: Any) -> Any:
        """Embed `input` (a string or a list of strings) with `model`.

        The vectors are in `.data[i].embedding` whether the server listed them
        under `embeddings` (Edgen) or `data` (OpenAI-compatible servers).
        """
        options = split_options(params)
        body = drop_not_given(params)
        check_params("create", body, EMBEDDING_CREATE_FIELDS, _REQUIRED)
        body["input"] = _check_input(body["input"])
        if not isinstance(body["model"], str):
            raise TypeError(f"model must be a str, not {type(body['model']).__name__}")
        return self._client._request(
            RequestSpec(
                "POST",
                "embeddings",
                body=body,
                cast=CreateEmbeddingResponse,
                options=options,
                mode=self._mode,
            )
        )


def _check_input(value: Any) -> Any:
    """A str, or a non-empty list of strs, of ints (tokens) or of int lists."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, Mapping)) or not hasattr(value, "__iter__"):
        raise TypeError(f"input must be a str or a list of str, not {type(value).__name__}")
    items = value if isinstance(value, list) else list(value)  # a generator reads once
    if not items:
        raise ValueError("input must not be empty")
    first = items[0]
    if isinstance(first, str):
        kind: Any = str
    elif isinstance(first, int) and not isinstance(first, bool):
        kind = int
    else:
        kind = list
    for i, item in enumerate(items):
        if kind is list:
            if not isinstance(item, (list, tuple)) or not all(
                isinstance(t, int) and not isinstance(t, bool) for t in item
            ):
                raise TypeError(f"input[{i}] must be a list of int token ids")
        elif not isinstance(item, kind) or isinstance(item, bool):
            raise TypeError(
                f"input[{i}] is a {type(item).__name__}, but input[0] is a {kind.__name__}"
            )
    return items
