"""Re-export at openai-python's import path (`openai.types.chat.chat_completion_user_message_param`)."""

from .chat_completion_message_param import ChatCompletionUserMessageParam

__all__ = ["ChatCompletionUserMessageParam"]
