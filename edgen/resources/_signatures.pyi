# What each endpoint takes and gives, for type checkers (a stub: see _endpoint.pyi).

from typing import Any

from typing_extensions import Unpack

from .._endpoint import AsyncParsed, SyncAsync
from .._streaming import AsyncStream, Stream
from .._types import RequestOptions
from ..types.audio.transcription import Transcription
from ..types.audio.transcription_create_params import (
    TranscriptionCreateParamsBase,
    TranscriptionCreateParamsJson,
    TranscriptionCreateParamsText,
)
from ..types.chat.chat_completion import ChatCompletion
from ..types.chat.chat_completion_chunk import ChatCompletionChunk
from ..types.chat.completion_create_params import (
    CompletionCreateParamsBase,
    CompletionCreateParamsNonStreaming,
    CompletionCreateParamsStreaming,
)
from ..types.chat.parsed_chat_completion import ParsedChatCompletion
from ..types.create_embedding_response import CreateEmbeddingResponse
from ..types.embedding_create_params import EmbeddingCreateParams
from ..types.image_generate_params import ImageGenerateParams
from ..types.image_generation_response import ImageGenerationResponse
from ..types.model import Model
from ..types.model_deleted import ModelDeleted
from ..types.models_page import ModelsPage
from ..types.status import AIStatus
from ..types.version import Version
from .models import AsyncModelsList

class _ChatStreaming(CompletionCreateParamsStreaming, RequestOptions, total=False): ...
class _ChatWhole(CompletionCreateParamsNonStreaming, RequestOptions, total=False): ...

class _ChatEither(CompletionCreateParamsBase, RequestOptions, total=False):
    stream: bool | None

class ChatStructured(_ChatWhole, total=False):
    response_format: Any  # a dict as in create(), or a type to decode into

def chat_stream(
    **params: Unpack[_ChatStreaming],
) -> SyncAsync[Stream[ChatCompletionChunk], AsyncStream[ChatCompletionChunk]]: ...
def chat_whole(**params: Unpack[_ChatWhole]) -> SyncAsync[ChatCompletion, ChatCompletion]: ...
def chat_either(
    **params: Unpack[_ChatEither],
) -> SyncAsync[
    ChatCompletion | Stream[ChatCompletionChunk], ChatCompletion | AsyncStream[ChatCompletionChunk]
]: ...
def chat_parse(**params: Unpack[ChatStructured]) -> ParsedChatCompletion[Any]: ...

class _TranscribeText(TranscriptionCreateParamsText, RequestOptions, total=False): ...
class _TranscribeJson(TranscriptionCreateParamsJson, RequestOptions, total=False): ...

class _TranscribeEither(TranscriptionCreateParamsBase, RequestOptions, total=False):
    response_format: str | None  # a format known only at run time

def transcribe_text(**params: Unpack[_TranscribeText]) -> SyncAsync[str, str]: ...
def transcribe_json(
    **params: Unpack[_TranscribeJson],
) -> SyncAsync[Transcription, Transcription]: ...
def transcribe_either(
    **params: Unpack[_TranscribeEither],
) -> SyncAsync[Transcription | str, Transcription | str]: ...

class _Embed(EmbeddingCreateParams, RequestOptions, total=False): ...
class _Generate(ImageGenerateParams, RequestOptions, total=False): ...

def embed(**params: Unpack[_Embed]) -> CreateEmbeddingResponse: ...
def generate_images(**params: Unpack[_Generate]) -> ImageGenerationResponse: ...
def list_models(**options: Unpack[RequestOptions]) -> AsyncParsed[ModelsPage, AsyncModelsList]: ...
def retrieve_model(model: str, **options: Unpack[RequestOptions]) -> Model: ...
def delete_model(model: str, **options: Unpack[RequestOptions]) -> ModelDeleted: ...
def read_status(**options: Unpack[RequestOptions]) -> AIStatus: ...
def read_version(**options: Unpack[RequestOptions]) -> Version: ...
