# `client.misc.version`, and the `status` of chat, audio and embeddings: small GETs.

from typing import Any

from .._resource import _C, _M, Resource, checked
from ..types.status import AIStatus
from ..types.version import Version as VersionInfo


class Status(Resource[_C, _M]):
    """`GET <endpoint>/status`: the endpoint's model and download progress."""

    __slots__ = ()
    _cast: Any = AIStatus  # what the answer decodes into

    def create(self, **options):
        """Read it (a GET, named `create` as in the original client)."""
        options = checked("create", options)[0]
        return self._send("GET", self._path, self._cast, options)

    retrieve = create


class Version(Status[_C, _M]):
    """`GET /misc/version`: the server's version."""

    __slots__ = ()
    _cast = VersionInfo


class Misc(Resource[_C, _M]):
    __slots__ = ("version",)
    _children = {"version": (Version, "misc/version")}
