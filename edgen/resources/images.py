"""`client.image.generations`: Edgen's experimental image generation (`/image/generations`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx
import msgspec

from .. import _pipeline as pipeline
from .._client import RequestSpec
from .._resource import _C, _M, Resource, check_params, drop_not_given, endpoint, split_options
from ..types.image_generate_params import DEFAULT_IMAGE_MODEL, IMAGE_GENERATE_FIELDS
from ..types.image_generation_response import ImageGenerationResponse

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._endpoint import Raw, Streaming
    from .._types import RequestOptions
    from ..types.image_generate_params import ImageGenerateParams

    class _Create(ImageGenerateParams, RequestOptions, total=False): ...

    # What `create` takes and gives, for type checkers (see _endpoint.py).
    def _create(**params: Unpack[_Create]) -> ImageGenerationResponse: ...

else:
    _create = None


__all__ = ["Image", "Generations"]

_REQUIRED = ("prompt",)
_RIGHT_FILES = ("unet_weights", "vae_weights", "clip_weights", "tokenizer")
# name -> largest value the server's unsigned field takes
_UINTS = {
    "width": 2**32 - 1,
    "height": 2**32 - 1,
    "steps": 2**32 - 1,
    "images": 2**32 - 1,
    "seed": 2**64 - 1,
}
_FLOATS = ("guidance_scale", "vae_scale")


class _ImagesWire(msgspec.Struct):
    images: list[list[int]]


_decode_images = msgspec.json.Decoder(_ImagesWire).decode


def parse_images(response: httpx.Response) -> ImageGenerationResponse:
    """Turn the JSON arrays of byte values into PNG file bytes."""
    try:
        wire = _decode_images(response.content)
        return ImageGenerationResponse(images=[bytes(values) for values in wire.images])
    except (msgspec.ValidationError, msgspec.DecodeError, ValueError) as exc:
        raise pipeline.validation_error(response, exc) from None


def image_model(model: Any) -> dict[str, Any]:
    """The externally tagged `model` the server wants: `{"Left": name}` or `{"Right": files}`."""
    if model is None:
        model = DEFAULT_IMAGE_MODEL
    if isinstance(model, str):
        if not model:
            raise ValueError("model must not be empty")
        return {"Left": model}
    if not isinstance(model, Mapping):
        raise TypeError(f"model must be a str or a Left/Right dict, not {type(model).__name__}")
    if len(model) != 1 or next(iter(model)) not in ("Left", "Right"):
        raise ValueError(
            f'model must be {{"Left": name}} or {{"Right": {{...files}}}}, got keys {list(model)}'
        )
    if "Right" in model:
        files = model["Right"]
        if not isinstance(files, Mapping):
            raise TypeError(f"model['Right'] must be a dict, not {type(files).__name__}")
        missing = [name for name in _RIGHT_FILES if not files.get(name)]
        if missing:
            raise ValueError(f"model['Right'] needs {', '.join(missing)}")
    elif not isinstance(model["Left"], str):
        raise TypeError(f"model['Left'] must be a str, not {type(model['Left']).__name__}")
    return dict(model)


def _check_numbers(body: Mapping[str, Any]) -> None:
    for name, top in _UINTS.items():
        value = body.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, not {type(value).__name__}")
        if not 0 <= value <= top:
            raise ValueError(f"{name} must be between 0 and {top}, got {value}")
    for name in _FLOATS:
        value = body.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise TypeError(f"{name} must be a number, not {type(value).__name__}")


class Generations(Resource[_C, _M]):
    __slots__ = ()
    if TYPE_CHECKING:
        with_raw_response: Generations[_C, Raw]
        with_streaming_response: Generations[_C, Streaming]

    @endpoint(_create)
    def create(self, **params: Any) -> Any:
        """Generate images from `prompt`; `.images[n]` is a PNG file's bytes.

        `model` defaults to "stable-diffusion-2-1"; a name is sent as
        `{"Left": name}`, a `{"Left": ...}` or `{"Right": {...}}` dict as given.
        Generation is slow: each call may take minutes.
        """
        options = split_options(params)
        body = drop_not_given(params)
        check_params("create", body, IMAGE_GENERATE_FIELDS, _REQUIRED)
        if not isinstance(body["prompt"], str):
            raise TypeError(f"prompt must be a str, not {type(body['prompt']).__name__}")
        body["model"] = model = image_model(body.get("model"))
        if "Right" in model and body.get("vae_scale") is None:
            # The server answers this with an unhelpful 500 text; say it here instead.
            raise ValueError('vae_scale is required with a {"Right": ...} model')
        _check_numbers(body)
        return self._client._request(
            RequestSpec(
                "POST",
                "image/generations",
                body=body,
                cast=ImageGenerationResponse,
                parse=parse_images,
                options=options,
                mode=self._mode,
            )
        )


class Image(Resource[_C, _M]):
    __slots__ = ("generations",)
    if TYPE_CHECKING:
        generations: Generations[_C, _M]
        with_raw_response: Image[_C, Raw]
        with_streaming_response: Image[_C, Streaming]

    def _init_children(self) -> None:
        self.generations = Generations(self._client, self._mode)
