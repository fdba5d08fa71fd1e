"""The base of every resource (`client.chat`, `client.chat.completions`, ...).

A resource is declared once and serves both clients: its methods build a
`RequestSpec` and hand it to `client._request`, which returns the result on
`Edgen` and an awaitable on `AsyncEdgen`. `with_raw_response` and
`with_streaming_response` are the same resource in another response mode.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Generic

from ._types import NOT_GIVEN

if TYPE_CHECKING:
    from typing_extensions import TypeVar

    from ._client import BaseEdgen
    from ._endpoint import Parsed, Raw, Streaming, endpoint

    # The client a resource belongs to, and its response mode (type-only: see _endpoint.py).
    _C = TypeVar("_C", bound="BaseEdgen[Any]", covariant=True)
    _M = TypeVar("_M", bound=str, covariant=True, default=Parsed)
else:
    from typing import TypeVar

    _C = TypeVar("_C")
    _M = TypeVar("_M")

    def endpoint(*signatures: Any) -> Any:
        """Types a method for type checkers (see _endpoint.py); leaves it as it is."""
        return _unchanged

    def _unchanged(method: Any) -> Any:
        return method


__all__ = ["Resource", "endpoint", "split_options", "check_params"]

OPTION_NAMES = ("extra_headers", "extra_query", "extra_body", "timeout")


class Resource(Generic[_C, _M]):
    __slots__ = ("_client", "_mode")

    def __init__(self, client: _C, mode: _M = "parsed") -> None:  # type: ignore[assignment]
        self._client = client
        self._mode = mode
        self._init_children()

    def _init_children(self) -> None:
        """Create sub-resources; they inherit this resource's response mode."""

    # Subclasses narrow these two to their own class under TYPE_CHECKING.
    @property
    def with_raw_response(self) -> Resource[_C, Raw]:
        """The same methods, returning an `APIResponse` (headers, status, `.parse()`)."""
        return type(self)(self._client, "raw")  # type: ignore[arg-type,return-value]

    @property
    def with_streaming_response(self) -> Resource[_C, Streaming]:
        """The same methods as context managers over the unread response."""
        return type(self)(self._client, "streaming")  # type: ignore[arg-type,return-value]


def split_options(params: dict[str, Any]) -> dict[str, Any]:
    """Take the per-call request options out of a method's keyword arguments."""
    options: dict[str, Any] = {}
    for name in OPTION_NAMES:
        if name in params:
            value = params.pop(name)
            if value is not NOT_GIVEN:
                options[name] = value
    return options


def check_params(
    method: str,
    params: Mapping[str, Any],
    allowed: frozenset[str],
    required: Iterable[str],
) -> None:
    """Raise the TypeError Python itself would, before anything is sent."""
    unknown = params.keys() - allowed
    if unknown:
        name = sorted(unknown)[0]
        raise TypeError(f"{method}() got an unexpected keyword argument {name!r}")
    for name in required:
        if name not in params or params[name] is NOT_GIVEN:
            raise TypeError(f"{method}() missing required keyword argument: {name!r}")


def drop_not_given(params: dict[str, Any]) -> dict[str, Any]:
    """Remove NOT_GIVEN values (None stays: it is sent as JSON null)."""
    if any(v is NOT_GIVEN for v in params.values()):
        return {k: v for k, v in params.items() if v is not NOT_GIVEN}
    return params
