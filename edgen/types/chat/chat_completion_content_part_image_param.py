"""Re-export at openai-python's import path (`openai.types.chat.chat_completion_content_part_image_param`)."""

from .chat_completion_message_param import ChatCompletionContentPartImageParam

__all__ = ["ChatCompletionContentPartImageParam"]
