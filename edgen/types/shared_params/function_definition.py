"""Re-export at openai-python's import path (`openai.types.shared_params.function_definition`)."""

from ..chat.completion_create_params import FunctionDefinition

__all__ = ["FunctionDefinition"]
