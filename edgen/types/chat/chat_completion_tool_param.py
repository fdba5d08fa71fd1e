"""Re-export at openai-python's import path (`openai.types.chat.chat_completion_tool_param`)."""

from .completion_create_params import ChatCompletionToolParam

__all__ = ["ChatCompletionToolParam"]
