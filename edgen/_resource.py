# What a resource is made of: the description of one request (`RequestSpec`), the narrow
# interface a resource sends it through (`Requester`), and the base class of every resource.
# It does not import the clients: resources import it, and the client imports resources,
# without a cycle.

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, Protocol

import msgspec

from ._types import NOT_GIVEN

# How a call answers: the decoded result, an `APIResponse` (`with_raw_response`), or a
# context manager over the unread response (`with_streaming_response`).
Parsed = Literal["parsed"]
Raw = Literal["raw"]
Streaming = Literal["streaming"]


if TYPE_CHECKING:
    from typing_extensions import TypeVar

    _IO = TypeVar("_IO", covariant=True)
    _M = TypeVar("_M", bound=str, covariant=True, default=Parsed)
else:  # typing_extensions is not a run-time dependency; defaults only matter to checkers
    from typing import TypeVar

    _IO = TypeVar("_IO", covariant=True)
    _M = TypeVar("_M", covariant=True)

_T = TypeVar("_T")


class Sync:
    """Marks a resource of `Edgen` for type checkers: calls return their result."""


class Async:
    """Marks a resource of `AsyncEdgen` for type checkers: calls return awaitables."""


class RequestSpec(msgspec.Struct):
    """Everything one endpoint call needs, built once and sent by either client."""

    method: str
    path: str
    cast: Any  # the type the answer decodes into
    body: Mapping[str, Any] | None = None
    files: Any = None
    stream: bool = False
    options: Mapping[str, Any] = {}
    mode: str = "parsed"
    parse: Any = None  # parser(response) for non-JSON answers
    cleanup: Any = None  # closes files opened for the request
    can_resend: Any = None  # () -> bool, for a body that can be read only once
    listing: bool = False  # a list whose async form can also be iterated with `async for`


class Requester(Protocol):
    """What a resource needs of its client (`Edgen` or `AsyncEdgen`)."""

    # How parse() and stream() send a schema: "json_schema" or "json_object".
    @property
    def structured_outputs(self) -> str: ...

    def _request(self, spec: RequestSpec) -> Any: ...

    def _stream_helper(
        self, create: Callable[[], Any], content_type: Any, tools: dict[str, Any]
    ) -> Any: ...


OPTION_NAMES = ("extra_headers", "extra_query", "extra_body", "timeout")


class Resource(Generic[_IO, _M]):
    """Methods for one part of the API, on one client, in one response mode."""

    __slots__ = ("_client", "_mode", "_path")
    # Sub-resources: {attribute: (class, path)}.
    _children: ClassVar[dict[str, tuple[type[Resource[Any, Any]], str]]] = {}

    def __init__(self, client: Requester, mode: _M = "parsed", path: str = "") -> None:  # type: ignore[assignment]
        self._client = client
        self._mode = mode
        self._path = path
        for name, (cls, child_path) in self._children.items():
            setattr(self, name, cls(client, mode, child_path))

    # Each resource class narrows these two to its own class in an annotation.
    @property
    def with_raw_response(self) -> Resource[_IO, Raw]:
        """The same methods, returning an `APIResponse` (headers, status, `.parse()`)."""
        return type(self)(self._client, "raw", self._path)  # type: ignore[arg-type,return-value]

    @property
    def with_streaming_response(self) -> Resource[_IO, Streaming]:
        """The same methods as context managers over the unread response."""
        return type(self)(self._client, "streaming", self._path)  # type: ignore[arg-type,return-value]

    # Typed as the decoded result, as an endpoint's body is written; `endpoint` in
    # _endpoint.py says what the call really gives for each client and mode.
    def _send(
        self,
        method: str,
        path: str,
        cast: type[_T],
        options: Mapping[str, Any],
        **spec: Any,
    ) -> _T:
        request = RequestSpec(method, path, cast=cast, options=options, mode=self._mode, **spec)
        return self._client._request(request)  # type: ignore[no-any-return]


def checked(
    method: str,
    params: Mapping[str, Any],
    fields: Collection[str] = (),
    required: tuple[str, ...] = (),
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(request options, body) from keyword arguments, refused as Python would refuse them.

    The annotations only guide type checkers; at run time `**params` takes any keyword.
    """
    options = {}
    body = {}
    for name, value in params.items():
        if name in OPTION_NAMES:
            if value is not NOT_GIVEN:
                options[name] = value
        elif name not in fields:
            unknown = sorted(params.keys() - fields - set(OPTION_NAMES))
            raise TypeError(f"{method}() got an unexpected keyword argument {unknown[0]!r}")
        elif value is not NOT_GIVEN:
            body[name] = value
    for name in required:
        if name not in body:
            raise TypeError(f"{method}() missing required keyword argument: {name!r}")
    return options, body
