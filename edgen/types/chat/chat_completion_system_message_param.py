# openai-python's import path.
from .chat_completion_message_param import (
    ChatCompletionSystemMessageParam as ChatCompletionSystemMessageParam,
)
