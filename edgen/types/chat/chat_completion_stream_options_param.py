from .completion_create_params import (
    ChatCompletionStreamOptionsParam as ChatCompletionStreamOptionsParam,
)
