from typing import Any, overload

from typing_extensions import Unpack

from .._accumulate import AsyncChatCompletionStreamManager, ChatCompletionStreamManager
from .._client import AsyncEdgen, Edgen
from .._endpoint import Raw, Streaming, SyncAsync, endpoint, endpoint3
from .._resource import _C, _M, Resource
from .._streaming import AsyncStream, Stream
from .._types import RequestOptions
from ..types.chat.chat_completion import ChatCompletion
from ..types.chat.chat_completion_chunk import ChatCompletionChunk
from ..types.chat.completion_create_params import (
    CompletionCreateParamsBase,
    CompletionCreateParamsNonStreaming,
    CompletionCreateParamsStreaming,
)
from ..types.chat.parsed_chat_completion import ParsedChatCompletion
from .misc import Status

class _Streaming(CompletionCreateParamsStreaming, RequestOptions, total=False): ...
class _Whole(CompletionCreateParamsNonStreaming, RequestOptions, total=False): ...

class _Either(CompletionCreateParamsBase, RequestOptions, total=False):
    stream: bool | None

class _Structured(_Whole, total=False):
    response_format: Any  # a dict as in create(), or a type to decode into

def _stream(
    **params: Unpack[_Streaming],
) -> SyncAsync[Stream[ChatCompletionChunk], AsyncStream[ChatCompletionChunk]]: ...
def _whole(**params: Unpack[_Whole]) -> SyncAsync[ChatCompletion, ChatCompletion]: ...
def _either(
    **params: Unpack[_Either],
) -> SyncAsync[
    ChatCompletion | Stream[ChatCompletionChunk], ChatCompletion | AsyncStream[ChatCompletionChunk]
]: ...

class Completions(Resource[_C, _M]):
    status: Status[_C, _M]
    with_raw_response: Completions[_C, Raw]
    with_streaming_response: Completions[_C, Streaming]
    create = endpoint3(_stream, _whole, _either)
    @overload
    def stream(
        self: Completions[Edgen, Any], **params: Unpack[_Structured]
    ) -> ChatCompletionStreamManager[Any]: ...
    @overload
    def stream(
        self: Completions[AsyncEdgen, Any], **params: Unpack[_Structured]
    ) -> AsyncChatCompletionStreamManager[Any]: ...
    @endpoint
    def parse(self, **params: Unpack[_Structured]) -> ParsedChatCompletion[Any]: ...

class Chat(Resource[_C, _M]):
    completions: Completions[_C, _M]
    with_raw_response: Chat[_C, Raw]
    with_streaming_response: Chat[_C, Streaming]
