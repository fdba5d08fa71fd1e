from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._client import RequestSpec
from .._resource import _C, _M, Resource, check_params, endpoint, split_options
from ..types.status import AIStatus

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._endpoint import Raw, Streaming
    from .._types import RequestOptions

    # What `create` takes and gives, for type checkers (see _endpoint.py).
    def _create(**options: Unpack[RequestOptions]) -> AIStatus: ...

else:
    _create = None

__all__ = ["Status"]

_NO_FIELDS: frozenset[str] = frozenset()


class Status(Resource[_C, _M]):
    """`GET <endpoint>/status`: the endpoint's model and download progress."""

    __slots__ = ("_path",)
    path = ""

    def __init__(self, client: _C, mode: _M = "parsed", path: str = "") -> None:  # type: ignore[assignment]
        self._path = path
        super().__init__(client, mode)

    @property
    def with_raw_response(self) -> Status[_C, Raw]:
        return Status(self._client, "raw", self._path)

    @property
    def with_streaming_response(self) -> Status[_C, Streaming]:
        return Status(self._client, "streaming", self._path)

    @endpoint(_create)
    def create(self, **options: Any) -> Any:
        """Read the status (a GET, named `create` as in the original client)."""
        opts = split_options(options)
        check_params("status.create", options, _NO_FIELDS, ())
        return self._client._request(
            RequestSpec("GET", self._path, cast=AIStatus, options=opts, mode=self._mode)
        )

    retrieve = create
