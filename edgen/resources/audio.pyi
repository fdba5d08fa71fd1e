from typing import Any, BinaryIO

from typing_extensions import Unpack

from .._endpoint import Raw, Streaming, SyncAsync, endpoint3
from .._resource import _C, _M, Resource
from .._types import RequestOptions
from ..types.audio.transcription import Transcription
from ..types.audio.transcription_create_params import (
    TranscriptionCreateParamsBase,
    TranscriptionCreateParamsJson,
    TranscriptionCreateParamsText,
)
from .misc import Status

def form_fields(params: dict[str, Any]) -> dict[str, str]: ...
def file_part(file: Any) -> tuple[tuple[Any, ...], BinaryIO | None]: ...

class _Text(TranscriptionCreateParamsText, RequestOptions, total=False): ...
class _Json(TranscriptionCreateParamsJson, RequestOptions, total=False): ...

class _Either(TranscriptionCreateParamsBase, RequestOptions, total=False):
    response_format: str | None  # a format known only at run time

def _text(**params: Unpack[_Text]) -> SyncAsync[str, str]: ...
def _json(**params: Unpack[_Json]) -> SyncAsync[Transcription, Transcription]: ...
def _either(**params: Unpack[_Either]) -> SyncAsync[Transcription | str, Transcription | str]: ...

class Transcriptions(Resource[_C, _M]):
    status: Status[_C, _M]
    with_raw_response: Transcriptions[_C, Raw]
    with_streaming_response: Transcriptions[_C, Streaming]
    create = endpoint3(_text, _json, _either)

class Audio(Resource[_C, _M]):
    transcriptions: Transcriptions[_C, _M]
    with_raw_response: Audio[_C, Raw]
    with_streaming_response: Audio[_C, Streaming]
