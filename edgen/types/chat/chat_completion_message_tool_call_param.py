from .chat_completion_message_param import (
    ChatCompletionMessageToolCallParam as ChatCompletionMessageToolCallParam,
)
