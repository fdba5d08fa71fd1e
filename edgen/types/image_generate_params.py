"""Parameters of `client.image.generations.create()`, as TypedDicts."""

from typing import Union

from .._typing import NotRequired, Required, TypedDict

DEFAULT_IMAGE_MODEL = "stable-diffusion-2-1"


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
    width: int | None
    height: int | None
    """Pixels (server default 768); use multiples of 8."""
    uncond_prompt: str | None
    """The negative prompt."""
    steps: int | None
    images: int | None
    """How many images to make (default 1)."""
    seed: int | None
    guidance_scale: float | None
    vae_scale: float | None
    """Required with a `Right` model."""


IMAGE_GENERATE_FIELDS = frozenset(ImageGenerateParams.__annotations__)
