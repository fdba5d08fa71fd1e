"""Response models (msgspec Structs) and request parameter TypedDicts."""

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
