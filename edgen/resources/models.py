# `client.models`: list, retrieve and delete the models the server has cached.

from urllib.parse import quote, unquote

from .._resource import _C, _M, Resource, checked
from ..types.model import Model
from ..types.model_deleted import ModelDeleted
from ..types.models_page import ModelsPage


# `models/<id>` with the id as one path segment. Unquoted first: "owner%2Frepo" and
# "owner/repo" name one model, and `%` is not encoded twice.
def model_path(model):
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

    def __init__(self, send):
        self._send = send  # makes the request only when awaited or iterated

    def __await__(self):
        return self._send().__await__()

    async def __aiter__(self):
        page = await self._send()
        for model in page.data:
            yield model


class Models(Resource[_C, _M]):
    """`/models`: the Hugging Face repos Edgen downloaded (chat and audio models)."""

    __slots__ = ()

    def list(self, **options):
        """All cached models; the page iterates like a list (`for m in client.models.list()`)."""
        options = checked("list", options)[0]
        if self._mode == "parsed" and self._client._is_async:
            return AsyncModelsList(lambda: self._send("GET", "models", ModelsPage, options))
        return self._send("GET", "models", ModelsPage, options)

    def retrieve(self, model, **options):
        """One model by id, e.g. "TheBloke/neural-chat-7B-v3-3-GGUF"."""
        path = model_path(model)
        return self._send("GET", path, Model, checked("retrieve", options)[0])

    def delete(self, model, **options):
        """Remove a model's cache folder from the server's disk."""
        path = model_path(model)
        return self._send("DELETE", path, ModelDeleted, checked("delete", options)[0])
