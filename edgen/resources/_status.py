from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, overload

from .._client import RequestSpec
from .._resource import Resource, check_params, split_options
from ..types.status import AIStatus

if TYPE_CHECKING:
    from collections.abc import Coroutine

    from typing_extensions import Unpack

    from .._client import AsyncEdgen, BaseEdgen, Edgen
    from .._types import RequestOptions

__all__ = ["Status"]

_C = TypeVar("_C", bound="BaseEdgen")
_NO_FIELDS: frozenset[str] = frozenset()


class Status(Resource[_C]):
    """`GET <endpoint>/status`: the endpoint's model and download progress."""

    __slots__ = ("_path",)
    path = ""

    def __init__(self, client: _C, mode: str = "parsed", path: str = "") -> None:
        self._path = path
        super().__init__(client, mode)

    @property
    def with_raw_response(self) -> Status[_C]:
        return Status(self._client, "raw", self._path)

    @property
    def with_streaming_response(self) -> Status[_C]:
        return Status(self._client, "streaming", self._path)

    if TYPE_CHECKING:

        @overload
        def create(self: Status[Edgen], **options: Unpack[RequestOptions]) -> AIStatus: ...
        @overload
        def create(
            self: Status[AsyncEdgen], **options: Unpack[RequestOptions]
        ) -> Coroutine[Any, Any, AIStatus]: ...

    def create(self, **options: Any) -> Any:
        """Read the status (a GET, named `create` as in the original client)."""
        opts = split_options(options)
        check_params("status.create", options, _NO_FIELDS, ())
        return self._client._request(
            RequestSpec("GET", self._path, cast=AIStatus, options=opts, mode=self._mode)
        )

    retrieve = create
