# `client.misc.version`, and the `status` of chat, audio and embeddings: small GETs.

from __future__ import annotations

from typing import TYPE_CHECKING

from .._endpoint import endpoint
from .._resource import _IO, _M, Raw, Resource, Streaming, checked

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._types import RequestOptions
    from ..types.status import AIStatus
    from ..types.version import Version as VersionInfo

# Each answer's type is imported by the call that decodes it: chat, audio and embeddings
# all have a `status`, and making one should not cost its type.


class Status(Resource[_IO, _M]):
    """`GET <endpoint>/status`: the endpoint's model and download progress."""

    __slots__ = ()
    with_raw_response: Status[_IO, Raw]
    with_streaming_response: Status[_IO, Streaming]

    @endpoint
    def create(self, **options: Unpack[RequestOptions]) -> AIStatus:
        """Read it (a GET, named `create` as in the original client)."""
        from ..types.status import AIStatus

        return self._send("GET", self._path, AIStatus, checked("create", options)[0])

    retrieve = create


class Version(Resource[_IO, _M]):
    """`GET /misc/version`: the server's version."""

    __slots__ = ()
    with_raw_response: Version[_IO, Raw]
    with_streaming_response: Version[_IO, Streaming]

    @endpoint
    def create(self, **options: Unpack[RequestOptions]) -> VersionInfo:
        """Read it (a GET, named `create` as in the original client)."""
        from ..types.version import Version as VersionInfo

        return self._send("GET", self._path, VersionInfo, checked("create", options)[0])

    retrieve = create


class Misc(Resource[_IO, _M]):
    __slots__ = ("version",)
    _children = {"version": (Version, "misc/version")}
    version: Version[_IO, _M]
    with_raw_response: Misc[_IO, Raw]
    with_streaming_response: Misc[_IO, Streaming]
