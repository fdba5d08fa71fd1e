"""edgen: a fast Python client for the Edgen local inference server (`edgen.Edgen()`)."""

from typing import TYPE_CHECKING

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
from ._types import NOT_GIVEN, NotGiven, RequestOptions
from ._version import __version__

__all__ = [
    "ChatCompletionAccumulator",
    "StructuredOutputError",
    "function_tool",
    "pydantic_function_tool",
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
    from ._aiohttp import DefaultAioHttpClient as DefaultAioHttpClient
    from ._models import BaseModel
    from ._response import APIResponse, AsyncAPIResponse
    from ._streaming import AsyncStream, Stream
    from ._structured import StructuredOutputError, function_tool, pydantic_function_tool


# Loaded on first use, so `import edgen` stays close to httpx + msgspec. Hidden from type
# checkers, which see the imports above instead: else every `edgen.<anything>` would pass.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        if name == "types":
            # Not `from . import types`, which would ask this function for "types" again.
            import edgen.types

            return edgen.types
        if name == "APIResponse":
            from ._response import APIResponse

            return APIResponse
        if name == "AsyncAPIResponse":
            from ._response import AsyncAPIResponse

            return AsyncAPIResponse
        if name == "Stream":
            from ._streaming import Stream

            return Stream
        if name == "AsyncStream":
            from ._streaming import AsyncStream

            return AsyncStream
        if name == "BaseModel":
            from ._models import BaseModel

            return BaseModel
        if name == "ChatCompletionAccumulator":
            from ._accumulate import ChatCompletionAccumulator

            return ChatCompletionAccumulator
        if name == "StructuredOutputError":
            from ._structured import StructuredOutputError

            return StructuredOutputError
        if name == "DefaultAioHttpClient":
            # Raises ImportError (saying `pip install "edgen[aiohttp]"`) without httpx-aiohttp.
            from ._aiohttp import DefaultAioHttpClient

            return DefaultAioHttpClient
        if name == "function_tool":
            from ._structured import function_tool

            return function_tool
        if name == "pydantic_function_tool":
            from ._structured import pydantic_function_tool

            return pydantic_function_tool
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
