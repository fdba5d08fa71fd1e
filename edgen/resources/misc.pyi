from typing_extensions import Unpack

from .._endpoint import Raw, Streaming, endpoint
from .._resource import _C, _M, Resource
from .._types import RequestOptions
from ..types.status import AIStatus
from ..types.version import Version as VersionInfo

class Status(Resource[_C, _M]):
    with_raw_response: Status[_C, Raw]
    with_streaming_response: Status[_C, Streaming]
    @endpoint
    def create(self, **options: Unpack[RequestOptions]) -> AIStatus: ...
    retrieve = create

class Version(Resource[_C, _M]):
    with_raw_response: Version[_C, Raw]
    with_streaming_response: Version[_C, Streaming]
    @endpoint
    def create(self, **options: Unpack[RequestOptions]) -> VersionInfo: ...
    retrieve = create

class Misc(Resource[_C, _M]):
    version: Version[_C, _M]
    with_raw_response: Misc[_C, Raw]
    with_streaming_response: Misc[_C, Streaming]
