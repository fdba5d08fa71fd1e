"""Re-export at openai-python's import path (`openai.types.chat.chat_completion_assistant_message_param`)."""

from .chat_completion_message_param import ChatCompletionAssistantMessageParam

__all__ = ["ChatCompletionAssistantMessageParam"]
