from .chat_completion_message_param import (
    ChatCompletionToolMessageParam as ChatCompletionToolMessageParam,
)
