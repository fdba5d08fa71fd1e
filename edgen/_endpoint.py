# Endpoint methods are written once, as `Edgen` would return them when parsed:
#
#     @endpoint
#     def retrieve(self, model: str, **options: Unpack[RequestOptions]) -> Model: ...
#
# and that one body serves both clients in all three modes, because the client's `_request`
# decides what a call gives back. `endpoint` tells type checkers what that is, per
# `Resource[io, mode]`: T, APIResponse[T] or ResponseContextManager[T] on `Edgen`, their
# async forms on `AsyncEdgen`; `AsyncParsed[T, L]` says "`L` for a parsed call on AsyncEdgen".
# A method with three overloads (create() with `stream=True` / `False` / a bool) uses
# `endpoint3`, given one signature per overload returning `SyncAsync[S, A]`: `S` on Edgen,
# `A` on AsyncEdgen. (A decorator cannot carry overloads through, so they are passed in.)

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import (
    TYPE_CHECKING,
    Any,
    Concatenate,
    Generic,
    ParamSpec,
    Protocol,
    TypeVar,
    cast,
    overload,
)

from ._resource import Async, Parsed, Raw, Resource, Streaming, Sync

if TYPE_CHECKING:
    from ._response import (
        APIResponse,
        AsyncAPIResponse,
        AsyncResponseContextManager,
        ResponseContextManager,
    )

_P = ParamSpec("_P")
_P1 = ParamSpec("_P1")
_P2 = ParamSpec("_P2")
_P3 = ParamSpec("_P3")

_T = TypeVar("_T")
_L = TypeVar("_L")
_S1 = TypeVar("_S1")
_A1 = TypeVar("_A1")
_S2 = TypeVar("_S2")
_A2 = TypeVar("_A2")
_S3 = TypeVar("_S3")
_A3 = TypeVar("_A3")
_R1 = TypeVar("_R1", covariant=True)
_R2 = TypeVar("_R2", covariant=True)
_R3 = TypeVar("_R3", covariant=True)

_Co = Coroutine[Any, Any, _T]


class SyncAsync(Generic[_S1, _A1]):
    """A signature's result: `_S1` on `Edgen`, `_A1` on `AsyncEdgen` (see `endpoint3`)."""


class AsyncParsed(Generic[_T, _L]):
    """A method's result: `_T`, but `_L` for a parsed call on `AsyncEdgen`."""


# The run-time half of both descriptors: the method itself, bound as any method is.
class _Method:
    def __init__(self, method: Callable[..., Any]) -> None:
        self._method = method
        # Its name, docstring and signature, for help() and inspect.signature().
        functools.update_wrapper(cast(Any, self), method)

    # Read from the class, it is still the plain function (`Completions.create(resource)`).
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._method(*args, **kwargs)


class Endpoint(_Method, Generic[_P, _T, _L]):
    """A method taking `_P` and giving `_T`; `_L` for a parsed call on `AsyncEdgen`."""

    @overload
    def __get__(self, obj: None, owner: Any) -> Endpoint[_P, _T, _L]: ...
    @overload
    def __get__(self, obj: Resource[Sync, Parsed], owner: Any) -> Callable[_P, _T]: ...
    @overload
    def __get__(self, obj: Resource[Sync, Raw], owner: Any) -> Callable[_P, APIResponse[_T]]: ...
    @overload
    def __get__(
        self, obj: Resource[Sync, Streaming], owner: Any
    ) -> Callable[_P, ResponseContextManager[_T]]: ...
    @overload
    def __get__(self, obj: Resource[Async, Parsed], owner: Any) -> Callable[_P, _L]: ...
    @overload
    def __get__(
        self, obj: Resource[Async, Raw], owner: Any
    ) -> Callable[_P, _Co[AsyncAPIResponse[_T]]]: ...
    @overload
    def __get__(
        self, obj: Resource[Async, Streaming], owner: Any
    ) -> Callable[_P, AsyncResponseContextManager[_T]]: ...
    @overload  # client or mode not known (a `Resource[Any, Any]`)
    def __get__(self, obj: Resource[Any, Any], owner: Any) -> Callable[..., Any]: ...
    def __get__(self, obj: object, owner: Any) -> Any:
        return self if obj is None else self._method.__get__(obj, owner)


class Overloads3(Protocol[_P1, _R1, _P2, _R2, _P3, _R3]):
    """A callable with three overloads, tried in order."""

    @overload
    def __call__(self, *args: _P1.args, **kwargs: _P1.kwargs) -> _R1: ...
    @overload
    def __call__(self, *args: _P2.args, **kwargs: _P2.kwargs) -> _R2: ...
    @overload
    def __call__(self, *args: _P3.args, **kwargs: _P3.kwargs) -> _R3: ...


class Endpoint3(_Method, Generic[_P1, _S1, _A1, _P2, _S2, _A2, _P3, _S3, _A3]):
    """`Endpoint` for a method with three overloads."""

    @overload
    def __get__(
        self, obj: None, owner: Any
    ) -> Endpoint3[_P1, _S1, _A1, _P2, _S2, _A2, _P3, _S3, _A3]: ...
    @overload
    def __get__(
        self, obj: Resource[Sync, Parsed], owner: Any
    ) -> Overloads3[_P1, _S1, _P2, _S2, _P3, _S3]: ...
    @overload
    def __get__(
        self, obj: Resource[Sync, Raw], owner: Any
    ) -> Overloads3[_P1, APIResponse[_S1], _P2, APIResponse[_S2], _P3, APIResponse[_S3]]: ...
    @overload
    def __get__(
        self, obj: Resource[Sync, Streaming], owner: Any
    ) -> Overloads3[
        _P1,
        ResponseContextManager[_S1],
        _P2,
        ResponseContextManager[_S2],
        _P3,
        ResponseContextManager[_S3],
    ]: ...
    @overload
    def __get__(
        self, obj: Resource[Async, Parsed], owner: Any
    ) -> Overloads3[_P1, _Co[_A1], _P2, _Co[_A2], _P3, _Co[_A3]]: ...
    @overload
    def __get__(
        self, obj: Resource[Async, Raw], owner: Any
    ) -> Overloads3[
        _P1,
        _Co[AsyncAPIResponse[_A1]],
        _P2,
        _Co[AsyncAPIResponse[_A2]],
        _P3,
        _Co[AsyncAPIResponse[_A3]],
    ]: ...
    @overload
    def __get__(
        self, obj: Resource[Async, Streaming], owner: Any
    ) -> Overloads3[
        _P1,
        AsyncResponseContextManager[_A1],
        _P2,
        AsyncResponseContextManager[_A2],
        _P3,
        AsyncResponseContextManager[_A3],
    ]: ...
    @overload
    def __get__(self, obj: Resource[Any, Any], owner: Any) -> Callable[..., Any]: ...
    def __get__(self, obj: object, owner: Any) -> Any:
        return self if obj is None else self._method.__get__(obj, owner)


@overload
def endpoint(  # type: ignore[overload-overlap]
    method: Callable[Concatenate[Any, _P], AsyncParsed[_T, _L]], /
) -> Endpoint[_P, _T, _L]: ...
@overload
def endpoint(method: Callable[Concatenate[Any, _P], _T], /) -> Endpoint[_P, _T, _Co[_T]]: ...
def endpoint(method: Callable[..., Any], /) -> Any:
    """Mark a resource method as an endpoint (see the top of this module)."""
    return Endpoint(method)


def endpoint3(
    first: Callable[Concatenate[Any, _P1], SyncAsync[_S1, _A1]],
    second: Callable[Concatenate[Any, _P2], SyncAsync[_S2, _A2]],
    third: Callable[Concatenate[Any, _P3], SyncAsync[_S3, _A3]],
    /,
) -> Callable[[Callable[..., Any]], Endpoint3[_P1, _S1, _A1, _P2, _S2, _A2, _P3, _S3, _A3]]:
    """Mark a method whose three overloads are the signatures given (see the top)."""
    return Endpoint3
