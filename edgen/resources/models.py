"""`client.models`: list, retrieve and delete the models the server has cached."""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from .._resource import _C, _M, Resource, checked, endpoint
from ..types.model import Model
from ..types.model_deleted import ModelDeleted
from ..types.models_page import ModelsPage

if TYPE_CHECKING:
    from .._endpoint import Raw, Streaming
    from ._signatures import delete_model, list_models, retrieve_model
else:
    list_models = retrieve_model = delete_model = None

__all__ = ["Models", "AsyncModelsList", "model_path"]


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

    @endpoint(list_models)
    def list(self, **options: Any) -> Any:
        """All cached models; the page iterates like a list (`for m in client.models.list()`)."""
        options = checked("list", options)[0]
        if self._mode == "parsed" and self._client._is_async:
            return AsyncModelsList(lambda: self._send("GET", "models", ModelsPage, options))
        return self._send("GET", "models", ModelsPage, options)

    @endpoint(retrieve_model)
    def retrieve(self, model: str, **options: Any) -> Any:
        """One model by id, e.g. "TheBloke/neural-chat-7B-v3-3-GGUF"."""
        path = model_path(model)
        return self._send("GET", path, Model, checked("retrieve", options)[0])

    @endpoint(delete_model)
    def delete(self, model: str, **options: Any) -> Any:
        """Remove a model's cache folder from the server's disk."""
        path = model_path(model)
        return self._send("DELETE", path, ModelDeleted, checked("delete", options)[0])
