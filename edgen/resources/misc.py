"""`client.misc.version`: the server's version."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, overload

from .._client import RequestSpec
from .._resource import Resource, check_params, split_options
from ..types.version import Version as VersionInfo

if TYPE_CHECKING:
    from collections.abc import Coroutine

    from typing_extensions import Unpack

    from .._client import AsyncEdgen, BaseEdgen, Edgen
    from .._types import RequestOptions

__all__ = ["Misc", "Version"]

_C = TypeVar("_C", bound="BaseEdgen")
_NO_FIELDS: frozenset[str] = frozenset()


class Version(Resource[_C]):
    """`GET /misc/version`."""

    __slots__ = ()

    if TYPE_CHECKING:

        @overload
        def create(self: Version[Edgen], **options: Unpack[RequestOptions]) -> VersionInfo: ...
        @overload
        def create(
            self: Version[AsyncEdgen], **options: Unpack[RequestOptions]
        ) -> Coroutine[Any, Any, VersionInfo]: ...

    def create(self, **options: Any) -> Any:
        """Read the server's version (a GET, named `create` as in the original client)."""
        opts = split_options(options)
        check_params("version.create", options, _NO_FIELDS, ())
        return self._client._request(
            RequestSpec("GET", "misc/version", cast=VersionInfo, options=opts, mode=self._mode)
        )

    retrieve = create


class Misc(Resource[_C]):
    __slots__ = ("version",)

    def _init_children(self) -> None:
        self.version = Version(self._client, self._mode)
