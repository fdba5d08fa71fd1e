"""Response models (msgspec Structs) and request parameter TypedDicts."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .completion_usage import CompletionUsage
    from .create_embedding_response import CreateEmbeddingResponse
    from .embedding import Embedding
    from .embedding_create_params import EmbeddingCreateParams
    from .image_generate_params import ImageGenerateParams, ImageModelFiles, ImageModelParam
    from .image_generation_response import ImageGenerationResponse
    from .model import Model
    from .model_deleted import ModelDeleted
    from .models_page import ModelsPage
    from .status import AIStatus
    from .version import Version

__all__ = [
    "AIStatus",
    "CompletionUsage",
    "CreateEmbeddingResponse",
    "Embedding",
    "EmbeddingCreateParams",
    "ImageGenerateParams",
    "ImageGenerationResponse",
    "ImageModelFiles",
    "ImageModelParam",
    "Model",
    "ModelDeleted",
    "ModelsPage",
    "Version",
]


# Each module is imported when one of its names is first asked for: importing any type
# (`edgen.types.chat.chat_completion`, say) runs this file first, and a chat call should
# not pay for the embedding, image and model types. Hidden from type checkers, which see
# the imports above instead.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        if name == "AIStatus":
            from .status import AIStatus

            return AIStatus
        if name == "CompletionUsage":
            from .completion_usage import CompletionUsage

            return CompletionUsage
        if name == "CreateEmbeddingResponse":
            from .create_embedding_response import CreateEmbeddingResponse

            return CreateEmbeddingResponse
        if name == "Embedding":
            from .embedding import Embedding

            return Embedding
        if name == "EmbeddingCreateParams":
            from .embedding_create_params import EmbeddingCreateParams

            return EmbeddingCreateParams
        if name == "ImageGenerateParams":
            from .image_generate_params import ImageGenerateParams

            return ImageGenerateParams
        if name == "ImageModelFiles":
            from .image_generate_params import ImageModelFiles

            return ImageModelFiles
        if name == "ImageModelParam":
            from .image_generate_params import ImageModelParam

            return ImageModelParam
        if name == "ImageGenerationResponse":
            from .image_generation_response import ImageGenerationResponse

            return ImageGenerationResponse
        if name == "Model":
            from .model import Model

            return Model
        if name == "ModelDeleted":
            from .model_deleted import ModelDeleted

            return ModelDeleted
        if name == "ModelsPage":
            from .models_page import ModelsPage

            return ModelsPage
        if name == "Version":
            from .version import Version

            return Version
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})
