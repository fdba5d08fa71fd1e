from .chat_completion_message_param import (
    ChatCompletionContentPartParam as ChatCompletionContentPartParam,
)
