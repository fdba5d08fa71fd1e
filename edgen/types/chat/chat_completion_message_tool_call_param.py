"""Re-export at openai-python's import path (`openai.types.chat.chat_completion_message_tool_call_param`)."""

from .chat_completion_message_param import ChatCompletionMessageToolCallParam

__all__ = ["ChatCompletionMessageToolCallParam"]
