# How endpoint methods look to type checkers. A resource stub marks a method `@endpoint`:
# read from a `Resource[client, mode]`, its result `T` becomes T, APIResponse[T] or
# ResponseContextManager[T] on Edgen, and their async forms on AsyncEdgen (`AsyncParsed[T, L]`
# gives `L` for a parsed async call). `endpoint3` types three overloads (`stream=True` /
# `False` / `bool`), each returning `SyncAsync[S, A]`: `S` on Edgen, `A` on AsyncEdgen.

from collections.abc import Callable, Coroutine
from typing import Any, Concatenate, Generic, Literal, Protocol, overload

from typing_extensions import ParamSpec, TypeVar

from ._client import AsyncEdgen, Edgen
from ._resource import Resource
from ._response import (
    APIResponse,
    AsyncAPIResponse,
    AsyncResponseContextManager,
    ResponseContextManager,
)

Parsed = Literal["parsed"]
Raw = Literal["raw"]
Streaming = Literal["streaming"]

_P = ParamSpec("_P")
_P1 = ParamSpec("_P1")
_P2 = ParamSpec("_P2")
_P3 = ParamSpec("_P3")
_T = TypeVar("_T")
_S1 = TypeVar("_S1")
_A1 = TypeVar("_A1")
_S2 = TypeVar("_S2")
_A2 = TypeVar("_A2")
_S3 = TypeVar("_S3")
_A3 = TypeVar("_A3")
_R1 = TypeVar("_R1", covariant=True)
_R2 = TypeVar("_R2", covariant=True)
_R3 = TypeVar("_R3", covariant=True)
_L = TypeVar("_L")

_Co = Coroutine[Any, Any, _T]

class SyncAsync(Generic[_S1, _A1]):
    """The result of a signature: `_S1` on `Edgen`, `_A1` on `AsyncEdgen`."""

class AsyncParsed(Generic[_T, _L]):
    """The result of a signature: `_T`, but `_L` for a parsed call on `AsyncEdgen`."""

class Endpoint(Generic[_P, _T, _L]):
    """A method taking `_P` and giving `_T`; `_L` for a parsed call on `AsyncEdgen`."""

    @overload
    def __get__(self, obj: None, owner: Any) -> Endpoint[_P, _T, _L]: ...
    @overload
    def __get__(self, obj: Resource[Edgen, Parsed], owner: Any) -> Callable[_P, _T]: ...
    @overload
    def __get__(self, obj: Resource[Edgen, Raw], owner: Any) -> Callable[_P, APIResponse[_T]]: ...
    @overload
    def __get__(
        self, obj: Resource[Edgen, Streaming], owner: Any
    ) -> Callable[_P, ResponseContextManager[_T]]: ...
    @overload
    def __get__(self, obj: Resource[AsyncEdgen, Parsed], owner: Any) -> Callable[_P, _L]: ...
    @overload
    def __get__(
        self, obj: Resource[AsyncEdgen, Raw], owner: Any
    ) -> Callable[_P, _Co[AsyncAPIResponse[_T]]]: ...
    @overload
    def __get__(
        self, obj: Resource[AsyncEdgen, Streaming], owner: Any
    ) -> Callable[_P, AsyncResponseContextManager[_T]]: ...
    @overload  # client or mode not known (a `Resource[Any, Any]`)
    def __get__(self, obj: Resource[Any, Any], owner: Any) -> Callable[..., Any]: ...

class Overloads3(Protocol[_P1, _R1, _P2, _R2, _P3, _R3]):
    """A callable with three overloads, tried in order."""

    @overload
    def __call__(self, *args: _P1.args, **kwargs: _P1.kwargs) -> _R1: ...
    @overload
    def __call__(self, *args: _P2.args, **kwargs: _P2.kwargs) -> _R2: ...
    @overload
    def __call__(self, *args: _P3.args, **kwargs: _P3.kwargs) -> _R3: ...

class Endpoint3(Generic[_P1, _S1, _A1, _P2, _S2, _A2, _P3, _S3, _A3]):
    """`Endpoint` for a method with three overloads."""

    @overload
    def __get__(
        self, obj: None, owner: Any
    ) -> Endpoint3[_P1, _S1, _A1, _P2, _S2, _A2, _P3, _S3, _A3]: ...
    @overload
    def __get__(
        self, obj: Resource[Edgen, Parsed], owner: Any
    ) -> Overloads3[_P1, _S1, _P2, _S2, _P3, _S3]: ...
    @overload
    def __get__(
        self, obj: Resource[Edgen, Raw], owner: Any
    ) -> Overloads3[_P1, APIResponse[_S1], _P2, APIResponse[_S2], _P3, APIResponse[_S3]]: ...
    @overload
    def __get__(
        self, obj: Resource[Edgen, Streaming], owner: Any
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
        self, obj: Resource[AsyncEdgen, Parsed], owner: Any
    ) -> Overloads3[_P1, _Co[_A1], _P2, _Co[_A2], _P3, _Co[_A3]]: ...
    @overload
    def __get__(
        self, obj: Resource[AsyncEdgen, Raw], owner: Any
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
        self, obj: Resource[AsyncEdgen, Streaming], owner: Any
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

@overload
def endpoint(  # type: ignore[overload-overlap]
    method: Callable[Concatenate[Any, _P], AsyncParsed[_T, _L]], /
) -> Endpoint[_P, _T, _L]: ...
@overload
def endpoint(method: Callable[Concatenate[Any, _P], _T], /) -> Endpoint[_P, _T, _Co[_T]]: ...
def endpoint3(
    first: Callable[_P1, SyncAsync[_S1, _A1]],
    second: Callable[_P2, SyncAsync[_S2, _A2]],
    third: Callable[_P3, SyncAsync[_S3, _A3]],
    /,
) -> Endpoint3[_P1, _S1, _A1, _P2, _S2, _A2, _P3, _S3, _A3]: ...
