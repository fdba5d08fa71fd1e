from collections.abc import AsyncIterator, Callable, Generator
from typing import Any

from typing_extensions import Unpack

from .._endpoint import AsyncParsed, Raw, Streaming, endpoint
from .._resource import _C, _M, Resource
from .._types import RequestOptions
from ..types.model import Model
from ..types.model_deleted import ModelDeleted
from ..types.models_page import ModelsPage

def model_path(model: object) -> str: ...

class AsyncModelsList:
    def __init__(self, send: Callable[[], Any]) -> None: ...
    def __await__(self) -> Generator[Any, None, ModelsPage]: ...
    def __aiter__(self) -> AsyncIterator[Model]: ...

class Models(Resource[_C, _M]):
    with_raw_response: Models[_C, Raw]
    with_streaming_response: Models[_C, Streaming]
    @endpoint
    def list(
        self, **options: Unpack[RequestOptions]
    ) -> AsyncParsed[ModelsPage, AsyncModelsList]: ...
    @endpoint
    def retrieve(self, model: str, **options: Unpack[RequestOptions]) -> Model: ...
    @endpoint
    def delete(self, model: str, **options: Unpack[RequestOptions]) -> ModelDeleted: ...
