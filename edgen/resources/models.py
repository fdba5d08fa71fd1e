"""`client.models`: list, retrieve and delete the models the server has cached."""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator
from typing import TYPE_CHECKING, Any, overload
from urllib.parse import quote, unquote

from .._client import AsyncEdgen, RequestSpec
from .._resource import _C, _M, Resource, check_params, endpoint, split_options
from ..types.model import Model
from ..types.model_deleted import ModelDeleted
from ..types.models_page import ModelsPage

if TYPE_CHECKING:
    from collections.abc import Coroutine

    from typing_extensions import Unpack

    from .._client import Edgen
    from .._endpoint import Parsed, Raw, Streaming
    from .._response import (
        APIResponse,
        AsyncAPIResponse,
        AsyncResponseContextManager,
        ResponseContextManager,
    )
    from .._types import RequestOptions

    # What `retrieve` and `delete` take and give, for type checkers (see _endpoint.py).
    def _retrieve(model: str, **options: Unpack[RequestOptions]) -> Model: ...
    def _delete(model: str, **options: Unpack[RequestOptions]) -> ModelDeleted: ...

else:
    _retrieve = _delete = None

__all__ = ["Models", "AsyncModelsList", "model_path"]

_NO_FIELDS: frozenset[str] = frozenset()


def model_path(model: object) -> str:
    """`models/<id>` with the id as one percent-encoded path segment.

    The id is unquoted first, so "owner%2Frepo" and "owner/repo" name the same
    model and the `%` is never encoded twice.
    """
    if not isinstance(model, str):
        raise TypeError(f"model id must be a str, not {type(model).__name__}")
    decoded = unquote(model)
    if not decoded.strip():
        raise ValueError(f"model id must be a non-empty string, got {model!r}")
    if decoded in (".", ".."):
        # URL normalisation would turn these into another route.
        raise ValueError(f"{model!r} is not a valid model id")
    return "models/" + quote(decoded, safe="")


class AsyncModelsList:
    """What `AsyncEdgen().models.list()` returns: `await` it for the page, or `async for` it."""

    __slots__ = ("_send",)

    def __init__(self, send: Any) -> None:
        self._send = send  # makes the request only when awaited or iterated

    def __await__(self) -> Generator[Any, None, ModelsPage]:
        return self._send().__await__()  # type: ignore[no-any-return]

    async def __aiter__(self) -> AsyncIterator[Model]:
        page: ModelsPage = await self._send()
        for model in page.data:
            yield model


class Models(Resource[_C, _M]):
    """`/models`: the Hugging Face repos Edgen downloaded (chat and audio models)."""

    __slots__ = ()

    if TYPE_CHECKING:
        with_raw_response: Models[_C, Raw]
        with_streaming_response: Models[_C, Streaming]

    if TYPE_CHECKING:
        # Spelled out: on AsyncEdgen the parsed result is an AsyncModelsList, not a coroutine.
        @overload
        def list(self: Models[Edgen, Parsed], **options: Unpack[RequestOptions]) -> ModelsPage: ...
        @overload
        def list(
            self: Models[Edgen, Raw], **options: Unpack[RequestOptions]
        ) -> APIResponse[ModelsPage]: ...
        @overload
        def list(
            self: Models[Edgen, Streaming], **options: Unpack[RequestOptions]
        ) -> ResponseContextManager[ModelsPage]: ...
        @overload
        def list(
            self: Models[AsyncEdgen, Parsed], **options: Unpack[RequestOptions]
        ) -> AsyncModelsList: ...
        @overload
        def list(
            self: Models[AsyncEdgen, Raw], **options: Unpack[RequestOptions]
        ) -> Coroutine[Any, Any, AsyncAPIResponse[ModelsPage]]: ...
        @overload
        def list(
            self: Models[AsyncEdgen, Streaming], **options: Unpack[RequestOptions]
        ) -> AsyncResponseContextManager[ModelsPage]: ...

    def list(self, **options: Any) -> Any:
        """All cached models; the page iterates like a list (`for m in client.models.list()`)."""
        opts = split_options(options)
        check_params("list", options, _NO_FIELDS, ())
        spec = RequestSpec("GET", "models", cast=ModelsPage, options=opts, mode=self._mode)
        if self._mode == "parsed" and isinstance(self._client, AsyncEdgen):
            return AsyncModelsList(lambda: self._client._request(spec))
        return self._client._request(spec)

    @endpoint(_retrieve)
    def retrieve(self, model: str, **options: Any) -> Any:
        """One model by id, e.g. "TheBloke/neural-chat-7B-v3-3-GGUF"."""
        path = model_path(model)
        opts = split_options(options)
        check_params("retrieve", options, _NO_FIELDS, ())
        return self._client._request(
            RequestSpec("GET", path, cast=Model, options=opts, mode=self._mode)
        )

    @endpoint(_delete)
    def delete(self, model: str, **options: Any) -> Any:
        """Remove a model's cache folder from the server's disk."""
        path = model_path(model)
        opts = split_options(options)
        check_params("delete", options, _NO_FIELDS, ())
        return self._client._request(
            RequestSpec("DELETE", path, cast=ModelDeleted, options=opts, mode=self._mode)
        )
