"""Parameters of `client.image.generations.create()`, as TypedDicts."""

from typing import Annotated, Union

import msgspec

from .._typing import NotRequired, Required, TypedDict

DEFAULT_IMAGE_MODEL = "stable-diffusion-2-1"

# The server's unsigned integer fields: u32, and u64 for the seed (msgspec's bounds stop at
# int64, so the seed's upper one is checked by the endpoint).
_U32 = Annotated[int, msgspec.Meta(ge=0, le=2**32 - 1)]
_U64 = Annotated[int, msgspec.Meta(ge=0)]


class ImageModelFiles(TypedDict):
    """The files of a custom diffusion model: paths or "owner/repo/file" references."""

    unet_weights: str
    vae_weights: str
    clip_weights: str
    tokenizer: str
    clip2_weights: NotRequired[Union[str, None]]


class _Left(TypedDict):
    Left: str


class _Right(TypedDict):
    Right: ImageModelFiles


ImageModelParam = Union[str, _Left, _Right]
"""A built-in model name, `{"Left": name}`, or `{"Right": ImageModelFiles}`."""


class ImageGenerateParams(TypedDict, total=False):
    prompt: Required[str]
    model: ImageModelParam
    """Default "stable-diffusion-2-1"; a str is sent as `{"Left": name}`."""
    width: Union[_U32, None]
    height: Union[_U32, None]
    """Pixels (server default 768); use multiples of 8."""
    uncond_prompt: str | None
    """The negative prompt."""
    steps: Union[_U32, None]
    images: Union[_U32, None]
    """How many images to make (default 1)."""
    seed: Union[_U64, None]
    guidance_scale: float | None
    vae_scale: float | None
    """Required with a `Right` model."""


IMAGE_GENERATE_FIELDS = frozenset(ImageGenerateParams.__annotations__)
