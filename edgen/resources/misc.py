"""`client.misc.version`: the server's version."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._client import RequestSpec
from .._resource import _C, _M, Resource, check_params, endpoint, split_options
from ..types.version import Version as VersionInfo

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._endpoint import Raw, Streaming
    from .._types import RequestOptions

    # What `create` takes and gives, for type checkers (see _endpoint.py).
    def _create(**options: Unpack[RequestOptions]) -> VersionInfo: ...

else:
    _create = None

__all__ = ["Misc", "Version"]

_NO_FIELDS: frozenset[str] = frozenset()


class Version(Resource[_C, _M]):
    """`GET /misc/version`."""

    __slots__ = ()
    if TYPE_CHECKING:
        with_raw_response: Version[_C, Raw]
        with_streaming_response: Version[_C, Streaming]

    @endpoint(_create)
    def create(self, **options: Any) -> Any:
        """Read the server's version (a GET, named `create` as in the original client)."""
        opts = split_options(options)
        check_params("version.create", options, _NO_FIELDS, ())
        return self._client._request(
            RequestSpec("GET", "misc/version", cast=VersionInfo, options=opts, mode=self._mode)
        )

    retrieve = create


class Misc(Resource[_C, _M]):
    __slots__ = ("version",)
    if TYPE_CHECKING:
        version: Version[_C, _M]
        with_raw_response: Misc[_C, Raw]
        with_streaming_response: Misc[_C, Streaming]

    def _init_children(self) -> None:
        self.version = Version(self._client, self._mode)
