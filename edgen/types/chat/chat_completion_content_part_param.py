"""Re-export at openai-python's import path (`openai.types.chat.chat_completion_content_part_param`)."""

from .chat_completion_message_param import ChatCompletionContentPartParam

__all__ = ["ChatCompletionContentPartParam"]
