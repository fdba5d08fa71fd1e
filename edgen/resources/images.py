# `client.image.generations`: Edgen's experimental image generation (`/image/generations`).

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

import httpx
import msgspec

from .. import _pipeline as pipeline
from .._endpoint import endpoint
from .._resource import _IO, _M, Raw, Resource, Streaming, checked
from .._types import must_be
from .._validate import check
from ..types.image_generate_params import (
    DEFAULT_IMAGE_MODEL,
    IMAGE_GENERATE_FIELDS,
    ImageGenerateParams,
)
from ..types.image_generation_response import ImageGenerationResponse

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._types import RequestOptions

    class _Create(ImageGenerateParams, RequestOptions, total=False): ...


_RIGHT_FILES = ("unet_weights", "vae_weights", "clip_weights", "tokenizer")
_U64 = 2**64 - 1


class _ImagesWire(msgspec.Struct):
    images: list[list[Annotated[int, msgspec.Meta(ge=0, le=255)]]]


# The JSON arrays of byte values as PNG file bytes.
def parse_images(response: httpx.Response) -> ImageGenerationResponse:
    wire = pipeline.decode_response(response, _ImagesWire)
    return ImageGenerationResponse(images=list(map(bytes, wire.images)))


# The externally tagged `model` the server wants: `{"Left": name}` or `{"Right": files}`.
def image_model(model: Any) -> dict[str, Any]:
    if model is None:
        model = DEFAULT_IMAGE_MODEL
    if isinstance(model, str):
        if not model:
            raise ValueError("model must not be empty")
        return {"Left": model}
    must_be("model", model, Mapping, "a str or a Left/Right dict")
    if len(model) != 1 or next(iter(model)) not in ("Left", "Right"):
        raise ValueError(
            f'model must be {{"Left": name}} or {{"Right": {{...files}}}}, got keys {list(model)}'
        )
    if "Left" in model:
        must_be("model['Left']", model["Left"], str)
    else:
        files = must_be("model['Right']", model["Right"], Mapping, "a dict")
        missing = [name for name in _RIGHT_FILES if not files.get(name)]
        if missing:
            raise ValueError(f"model['Right'] needs {', '.join(missing)}")
    return dict(model)


class Generations(Resource[_IO, _M]):
    __slots__ = ()
    with_raw_response: Generations[_IO, Raw]
    with_streaming_response: Generations[_IO, Streaming]

    @endpoint
    def create(self, **params: Unpack[_Create]) -> ImageGenerationResponse:
        """Generate images from `prompt` (slow: minutes); `.images[n]` is a PNG file's bytes."""
        # `model` (default "stable-diffusion-2-1"): a name, `{"Left": name}` or `{"Right": files}`.
        options, body = checked("create", params, IMAGE_GENERATE_FIELDS, ("prompt",))
        check("create", ImageGenerateParams, body)
        if body.get("seed") is not None and body["seed"] > _U64:
            raise ValueError(f"create(): seed must be an int <= {_U64}, got {body['seed']}")
        body["model"] = model = image_model(body.get("model"))
        if "Right" in model and body.get("vae_scale") is None:
            # The server answers this with an unhelpful 500 text; say it here instead.
            raise ValueError('vae_scale is required with a {"Right": ...} model')
        return self._send(
            "POST",
            "image/generations",
            ImageGenerationResponse,
            options,
            body=body,
            parse=parse_images,
        )


class Image(Resource[_IO, _M]):
    __slots__ = ("generations",)
    _children = {"generations": (Generations, "")}
    generations: Generations[_IO, _M]
    with_raw_response: Image[_IO, Raw]
    with_streaming_response: Image[_IO, Streaming]
