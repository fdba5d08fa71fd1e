from .chat_completion_message_param import (
    ChatCompletionSystemMessageParam as ChatCompletionSystemMessageParam,
)
