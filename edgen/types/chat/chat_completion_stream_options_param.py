"""Re-export at openai-python's import path (`openai.types.chat.chat_completion_stream_options_param`)."""

from .completion_create_params import ChatCompletionStreamOptionsParam

__all__ = ["ChatCompletionStreamOptionsParam"]
