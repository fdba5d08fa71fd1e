# openai-python's import path.
from ..chat.completion_create_params import FunctionDefinition as FunctionDefinition
