"""`client.misc.version`, and the `status` of chat, audio and embeddings: small GETs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._resource import _C, _M, Resource, checked, endpoint
from ..types.status import AIStatus
from ..types.version import Version as VersionInfo

if TYPE_CHECKING:
    from .._endpoint import Raw, Streaming
    from ._signatures import read_status, read_version
else:
    read_status = read_version = None

__all__ = ["Misc", "Version", "Status"]


class Status(Resource[_C, _M]):
    """`GET <endpoint>/status`: the endpoint's model and download progress."""

    __slots__ = ()
    if TYPE_CHECKING:
        with_raw_response: Status[_C, Raw]
        with_streaming_response: Status[_C, Streaming]

    @endpoint(read_status)
    def create(self, **options: Any) -> Any:
        """Read the status (a GET, named `create` as in the original client)."""
        return self._send("GET", self._path, AIStatus, checked("status.create", options)[0])

    retrieve = create


class Version(Resource[_C, _M]):
    """`GET /misc/version`."""

    __slots__ = ()
    if TYPE_CHECKING:
        with_raw_response: Version[_C, Raw]
        with_streaming_response: Version[_C, Streaming]

    @endpoint(read_version)
    def create(self, **options: Any) -> Any:
        """Read the server's version (a GET, named `create` as in the original client)."""
        options = checked("version.create", options)[0]
        return self._send("GET", "misc/version", VersionInfo, options)

    retrieve = create


class Misc(Resource[_C, _M]):
    __slots__ = ("version",)
    if TYPE_CHECKING:
        version: Version[_C, _M]
        with_raw_response: Misc[_C, Raw]
        with_streaming_response: Misc[_C, Streaming]

    def _init_children(self) -> None:
        self.version = Version(self._client, self._mode)
