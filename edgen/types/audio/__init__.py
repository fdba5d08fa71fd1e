"""Audio types, at the same import paths as in openai-python."""

from .transcription import Transcription
from .transcription_create_params import FileTypes, TranscriptionCreateParams

__all__ = ["Transcription", "TranscriptionCreateParams", "FileTypes"]
