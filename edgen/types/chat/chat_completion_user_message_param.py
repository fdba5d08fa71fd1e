from .chat_completion_message_param import (
    ChatCompletionUserMessageParam as ChatCompletionUserMessageParam,
)
