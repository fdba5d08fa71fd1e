"""Chat completion types, at the same import paths as in openai-python."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
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

# The names of the two modules of request parameters, which give many each.
_MESSAGE_PARAMS = frozenset(
    {
        "ChatCompletionAssistantMessageParam",
        "ChatCompletionContentPartImageParam",
        "ChatCompletionContentPartParam",
        "ChatCompletionContentPartTextParam",
        "ChatCompletionMessageParam",
        "ChatCompletionMessageToolCallParam",
        "ChatCompletionSystemMessageParam",
        "ChatCompletionToolMessageParam",
        "ChatCompletionUserMessageParam",
    }
)
_CREATE_PARAMS = frozenset(
    {
        "ChatCompletionNamedToolChoiceParam",
        "ChatCompletionStreamOptionsParam",
        "ChatCompletionToolChoiceOptionParam",
        "ChatCompletionToolParam",
        "CompletionCreateParams",
        "FunctionDefinition",
    }
)


# As in `edgen.types`: each module is imported when one of its names is first asked for,
# so that `create()` does not load the stream chunk or the parse() types. Hidden from type
# checkers, which see the imports above instead.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        if name == "ChatCompletion":
            from .chat_completion import ChatCompletion

            return ChatCompletion
        if name == "ChatCompletionChunk":
            from .chat_completion_chunk import ChatCompletionChunk

            return ChatCompletionChunk
        if name == "ChatCompletionMessage":
            from .chat_completion_message import ChatCompletionMessage

            return ChatCompletionMessage
        if name == "ChatCompletionMessageToolCall":
            from .chat_completion_message_tool_call import ChatCompletionMessageToolCall

            return ChatCompletionMessageToolCall
        if name == "ChatCompletionTokenLogprob":
            from .chat_completion_token_logprob import ChatCompletionTokenLogprob

            return ChatCompletionTokenLogprob
        if name in _MESSAGE_PARAMS:
            from . import chat_completion_message_param

            return getattr(chat_completion_message_param, name)
        if name in _CREATE_PARAMS:
            from . import completion_create_params

            return getattr(completion_create_params, name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})
