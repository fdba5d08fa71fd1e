"""Re-export at openai-python's import path (`openai.types.chat.chat_completion_tool_message_param`)."""

from .chat_completion_message_param import ChatCompletionToolMessageParam

__all__ = ["ChatCompletionToolMessageParam"]
