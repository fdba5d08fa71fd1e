"""Chat completion types, at the same import paths as in openai-python."""

from .chat_completion import ChatCompletion
from .chat_completion_chunk import ChatCompletionChunk
from .chat_completion_message import ChatCompletionMessage
from .chat_completion_message_param import (
    ChatCompletionAssistantMessageParam,
    ChatCompletionContentPartImageParam,
    ChatCompletionContentPartParam,
    ChatCompletionContentPartTextParam,
    ChatCompletionMessageParam,
    ChatCompletionMessageToolCallParam,
    ChatCompletionSystemMessageParam,
    ChatCompletionToolMessageParam,
    ChatCompletionUserMessageParam,
)
from .chat_completion_message_tool_call import ChatCompletionMessageToolCall
from .chat_completion_token_logprob import ChatCompletionTokenLogprob
from .completion_create_params import (
    ChatCompletionNamedToolChoiceParam,
    ChatCompletionStreamOptionsParam,
    ChatCompletionToolChoiceOptionParam,
    ChatCompletionToolParam,
    CompletionCreateParams,
    FunctionDefinition,
)

__all__ = [
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatCompletionMessage",
    "ChatCompletionMessageToolCall",
    "ChatCompletionTokenLogprob",
    "ChatCompletionMessageParam",
    "ChatCompletionSystemMessageParam",
    "ChatCompletionUserMessageParam",
    "ChatCompletionAssistantMessageParam",
    "ChatCompletionToolMessageParam",
    "ChatCompletionContentPartParam",
    "ChatCompletionContentPartTextParam",
    "ChatCompletionContentPartImageParam",
    "ChatCompletionMessageToolCallParam",
    "ChatCompletionToolParam",
    "ChatCompletionToolChoiceOptionParam",
    "ChatCompletionNamedToolChoiceParam",
    "ChatCompletionStreamOptionsParam",
    "CompletionCreateParams",
    "FunctionDefinition",
]
