"""Re-export at openai-python's import path (`openai.types.chat.chat_completion_tool_choice_option_param`)."""

from .completion_create_params import ChatCompletionToolChoiceOptionParam

__all__ = ["ChatCompletionToolChoiceOptionParam"]
