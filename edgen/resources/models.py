# `client.models`: list, retrieve and delete the models the server has cached.

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote, unquote

from .._endpoint import AsyncParsed, endpoint
from .._resource import _IO, _M, Raw, Resource, Streaming, checked
from ..types.model import Model
from ..types.model_deleted import ModelDeleted
from ..types.models_page import ModelsPage

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._types import RequestOptions


def model_path(model: object) -> str:
    """`models/<id>` with the id as one path segment.

    Unquoted first: "owner%2Frepo" and "owner/repo" name one model, and `%` is not
    encoded twice.
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

    def __init__(self, send: Callable[[], Awaitable[ModelsPage]]) -> None:
        self._send = send  # makes the request only when awaited or iterated

    def __await__(self) -> Generator[Any, None, ModelsPage]:
        return self._send().__await__()

    async def __aiter__(self) -> AsyncIterator[Model]:
        page = await self._send()
        for model in page.data:
            yield model


class Models(Resource[_IO, _M]):
    """`/models`: the Hugging Face repos Edgen downloaded (chat and audio models)."""

    __slots__ = ()
    with_raw_response: Models[_IO, Raw]
    with_streaming_response: Models[_IO, Streaming]

    @endpoint
    def list(self, **options: Unpack[RequestOptions]) -> AsyncParsed[ModelsPage, AsyncModelsList]:
        """All cached models; the page iterates like a list (`for m in client.models.list()`)."""
        page = self._send("GET", "models", ModelsPage, checked("list", options)[0], listing=True)
        # The page, as written here; AsyncParsed tells checkers what AsyncEdgen gives instead.
        return cast("AsyncParsed[ModelsPage, AsyncModelsList]", page)

    @endpoint
    def retrieve(self, model: str, **options: Unpack[RequestOptions]) -> Model:
        """One model by id, e.g. "TheBloke/neural-chat-7B-v3-3-GGUF"."""
        return self._send("GET", model_path(model), Model, checked("retrieve", options)[0])

    @endpoint
    def delete(self, model: str, **options: Unpack[RequestOptions]) -> ModelDeleted:
        """Remove a model's cache folder from the server's disk."""
        return self._send("DELETE", model_path(model), ModelDeleted, checked("delete", options)[0])
