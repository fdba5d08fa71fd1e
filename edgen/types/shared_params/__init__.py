"""Request parameter types shared between endpoints, at openai-python's import paths."""

from .function_definition import FunctionDefinition

__all__ = ["FunctionDefinition"]
