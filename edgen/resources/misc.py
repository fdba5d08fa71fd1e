# `client.misc.version`, and the `status` of chat, audio and embeddings: small GETs.

from .._resource import _C, _M, Resource, checked
from ..types.status import AIStatus
from ..types.version import Version as VersionInfo

__all__ = ["Misc", "Version", "Status"]


class Status(Resource[_C, _M]):
    """`GET <endpoint>/status`: the endpoint's model and download progress."""

    __slots__ = ()

    def create(self, **options):
        """Read the status (a GET, named `create` as in the original client)."""
        return self._send("GET", self._path, AIStatus, checked("status.create", options)[0])

    retrieve = create


class Version(Resource[_C, _M]):
    """`GET /misc/version`."""

    __slots__ = ()

    def create(self, **options):
        """Read the server's version (a GET, named `create` as in the original client)."""
        return self._send("GET", "misc/version", VersionInfo, checked("version.create", options)[0])

    retrieve = create


class Misc(Resource[_C, _M]):
    __slots__ = ("version",)
    _children = {"version": (Version, "")}
