"""Re-export at openai-python's import path (`openai.types.chat.chat_completion_system_message_param`)."""

from .chat_completion_message_param import ChatCompletionSystemMessageParam

__all__ = ["ChatCompletionSystemMessageParam"]
