"""edgen: a fast Python client for the Edgen local inference server (`edgen.Edgen()`)."""

from typing import TYPE_CHECKING, Any

from ._client import (
    DEFAULT_BASE_URL,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    AsyncClient,
    AsyncEdgen,
    Client,
    Edgen,
)
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConflictError,
    EdgenError,
    ForkedClientError,
    IncompleteStreamError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from ._response import APIResponse, AsyncAPIResponse
from ._streaming import AsyncStream, Stream
from ._types import NOT_GIVEN, NotGiven, RequestOptions
from ._version import __version__

__all__ = [
    "ChatCompletionAccumulator",
    "StructuredOutputError",
    "function_tool",
    "types",
    "__version__",
    "Edgen",
    "AsyncEdgen",
    "Client",
    "AsyncClient",
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "DEFAULT_MAX_RETRIES",
    "Stream",
    "AsyncStream",
    "APIResponse",
    "AsyncAPIResponse",
    "BaseModel",
    "NOT_GIVEN",
    "NotGiven",
    "RequestOptions",
    "EdgenError",
    "APIError",
    "APIConnectionError",
    "APITimeoutError",
    "APIResponseValidationError",
    "IncompleteStreamError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "UnprocessableEntityError",
    "RateLimitError",
    "InternalServerError",
    "ClientClosedError",
    "ForkedClientError",
]

if TYPE_CHECKING:
    from . import types
    from ._accumulate import ChatCompletionAccumulator
    from ._models import BaseModel
    from ._structured import StructuredOutputError, function_tool

# Loaded on first use, so `import edgen` stays close to httpx + msgspec: name -> module.
_LAZY = {
    "types": ".types",
    "BaseModel": "._models",
    "ChatCompletionAccumulator": "._accumulate",
    "StructuredOutputError": "._structured",
    "function_tool": "._structured",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = importlib.import_module(module, __name__)
    if name != "types":
        value = globals()[name] = getattr(value, name)
    return value
