"""Re-export at openai-python's import path (`openai.types.chat.chat_completion_content_part_text_param`)."""

from .chat_completion_message_param import ChatCompletionContentPartTextParam

__all__ = ["ChatCompletionContentPartTextParam"]
