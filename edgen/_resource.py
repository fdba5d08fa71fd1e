# The base of every resource. Its methods build a `RequestSpec` for `client._request`,
# so serve both clients and all modes; _endpoint.pyi types them.

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any, ClassVar, Generic

from ._client import RequestSpec
from ._types import NOT_GIVEN

if TYPE_CHECKING:
    from typing_extensions import TypeVar

    from ._client import BaseEdgen
    from ._endpoint import Parsed, Raw, Streaming

    _C = TypeVar("_C", bound="BaseEdgen[Any]", covariant=True)
    _M = TypeVar("_M", bound=str, covariant=True, default=Parsed)
else:
    from typing import TypeVar

    _C = TypeVar("_C")
    _M = TypeVar("_M")


OPTION_NAMES = ("extra_headers", "extra_query", "extra_body", "timeout")


class Resource(Generic[_C, _M]):
    """Methods for one part of the API, on one client, in one response mode."""

    __slots__ = ("_client", "_mode", "_path")
    # Sub-resources: {attribute: (class, path)}.
    _children: ClassVar[dict[str, tuple[type[Resource[Any, Any]], str]]] = {}

    def __init__(self, client: _C, mode: _M = "parsed", path: str = "") -> None:  # type: ignore[assignment]
        self._client = client
        self._mode = mode
        self._path = path
        for name, (cls, child_path) in self._children.items():
            setattr(self, name, cls(client, mode, child_path))

    @property
    def with_raw_response(self) -> Resource[_C, Raw]:
        """The same methods, returning an `APIResponse` (headers, status, `.parse()`)."""
        return type(self)(self._client, "raw", self._path)  # type: ignore[arg-type,return-value]

    @property
    def with_streaming_response(self) -> Resource[_C, Streaming]:
        """The same methods as context managers over the unread response."""
        return type(self)(self._client, "streaming", self._path)  # type: ignore[arg-type,return-value]

    def _send(self, method: str, path: str, cast: Any, options: dict[str, Any], **spec: Any) -> Any:
        return self._client._request(
            RequestSpec(method, path, cast=cast, options=options, mode=self._mode, **spec)
        )


def checked(
    method: str,
    params: dict[str, Any],
    fields: Collection[str] = (),
    required: tuple[str, ...] = (),
) -> tuple[dict[str, Any], dict[str, Any]]:
    # (request options, body) from keyword arguments, refused as Python would.
    options = {}
    for name in OPTION_NAMES:
        value = params.pop(name, NOT_GIVEN)
        if value is not NOT_GIVEN:
            options[name] = value
    unknown = params.keys() - fields
    if unknown:
        raise TypeError(f"{method}() got an unexpected keyword argument {min(unknown)!r}")
    body = {name: value for name, value in params.items() if value is not NOT_GIVEN}
    for name in required:
        if name not in body:
            raise TypeError(f"{method}() missing required keyword argument: {name!r}")
    return options, body
