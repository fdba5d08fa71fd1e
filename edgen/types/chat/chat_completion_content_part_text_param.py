from .chat_completion_message_param import (
    ChatCompletionContentPartTextParam as ChatCompletionContentPartTextParam,
)
