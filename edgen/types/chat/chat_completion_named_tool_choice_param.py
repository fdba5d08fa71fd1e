"""Re-export at openai-python's import path (`openai.types.chat.chat_completion_named_tool_choice_param`)."""

from .completion_create_params import ChatCompletionNamedToolChoiceParam

__all__ = ["ChatCompletionNamedToolChoiceParam"]
