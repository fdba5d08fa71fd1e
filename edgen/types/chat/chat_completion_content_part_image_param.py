from .chat_completion_message_param import (
    ChatCompletionContentPartImageParam as ChatCompletionContentPartImageParam,
)
