from typing_extensions import Unpack

from .._endpoint import Raw, Streaming, endpoint
from .._resource import _C, _M, Resource
from .._types import RequestOptions
from ..types.image_generate_params import ImageGenerateParams
from ..types.image_generation_response import ImageGenerationResponse

class _Create(ImageGenerateParams, RequestOptions, total=False): ...

class Generations(Resource[_C, _M]):
    with_raw_response: Generations[_C, Raw]
    with_streaming_response: Generations[_C, Streaming]
    @endpoint
    def create(self, **params: Unpack[_Create]) -> ImageGenerationResponse: ...

class Image(Resource[_C, _M]):
    generations: Generations[_C, _M]
    with_raw_response: Image[_C, Raw]
    with_streaming_response: Image[_C, Streaming]
