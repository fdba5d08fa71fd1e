from typing_extensions import Unpack

from .._endpoint import Raw, Streaming, endpoint
from .._resource import _C, _M, Resource
from .._types import RequestOptions
from ..types.create_embedding_response import CreateEmbeddingResponse
from ..types.embedding_create_params import EmbeddingCreateParams
from .misc import Status

class _Create(EmbeddingCreateParams, RequestOptions, total=False): ...

class Embeddings(Resource[_C, _M]):
    status: Status[_C, _M]
    with_raw_response: Embeddings[_C, Raw]
    with_streaming_response: Embeddings[_C, Streaming]
    @endpoint
    def create(self, **params: Unpack[_Create]) -> CreateEmbeddingResponse: ...
