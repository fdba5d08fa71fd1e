# `client.chat.completions`: chat completions, streamed or whole.

from collections.abc import Mapping

from .._pipeline import decode_response
from .._resource import _C, _M, Resource, checked
from .._types import must_be
from ..types.chat.chat_completion import ChatCompletion
from ..types.chat.chat_completion_chunk import ChatCompletionChunk
from ..types.chat.completion_create_params import CHAT_CREATE_FIELDS
from .misc import Status


class Completions(Resource[_C, _M]):
    __slots__ = ("status",)
    _children = {"status": (Status, "chat/completions/status")}

    def create(self, **params):
        """Create a chat completion; with `stream=True`, iterate the chunks as they come."""
        options, body = _checked("create", params)
        stream = bool(body.get("stream"))
        cast = ChatCompletionChunk if stream else ChatCompletion
        return self._send("POST", "chat/completions", cast, options, body=body, stream=stream)

    def stream(self, **params):
        """`with ...stream(...) as s:` iterate the chunks, then `s.get_final_completion()`."""
        # `async with` on AsyncEdgen. `response_format` may be a type, as with parse().
        from .._accumulate import AsyncChatCompletionStreamManager, ChatCompletionStreamManager

        if params.get("stream") is False:
            raise TypeError("stream() always streams; use create() for a whole completion")
        content_type, tools = _structured(params)
        params["stream"] = True
        # Always parsed mode: a stream helper over a raw response makes no sense.
        create = Completions(self._client).create
        manager = (
            AsyncChatCompletionStreamManager
            if self._client._is_async
            else ChatCompletionStreamManager
        )
        # The request starts on enter.
        return manager(lambda: create(**params), content_type=content_type, tools=tools)

    def parse(self, **params):
        """Create a completion whose `message.parsed` is decoded into `response_format`."""
        # `response_format`: a type msgspec decodes; its JSON schema is sent. Tools made with
        # `edgen.function_tool(MyStruct)` get `function.parsed_arguments`.
        from .._structured import fill_parsed
        from ..types.chat.parsed_chat_completion import ParsedChatCompletion

        if params.get("stream"):
            raise TypeError("parse() does not stream; use stream() with a response_format type")
        content_type, tools = _structured(params)
        options, body = _checked("parse", params)

        def parse_response(response):
            completion = decode_response(response, ParsedChatCompletion)
            return fill_parsed(completion, content_type, tools)

        return self._send(
            "POST",
            "chat/completions",
            ParsedChatCompletion,
            options,
            body=body,
            parse=parse_response,
        )


# The `response_format` type (swapped for its json_schema form; else None), the tools' types.
def _structured(params):
    from .._structured import is_structured_type, response_format_for, tool_types

    fmt = params.get("response_format")
    if fmt is not None and is_structured_type(fmt):
        params["response_format"] = response_format_for(fmt)
    else:
        fmt = None
    return fmt, tool_types(params.get("tools"))


def _checked(method, params):
    options, body = checked(method, params, CHAT_CREATE_FIELDS, ("messages", "model"))
    messages = body["messages"]
    if isinstance(messages, (str, bytes, Mapping)) or not hasattr(messages, "__iter__"):
        raise TypeError(f"messages must be a list of message dicts, not {type(messages).__name__}")
    if not isinstance(messages, list):
        body["messages"] = messages = list(messages)  # a generator can only be read once
    for i, message in enumerate(messages):
        if not isinstance(message, Mapping):
            raise TypeError(f"messages[{i}] must be a dict, not {type(message).__name__}")
        if not isinstance(message.get("role"), str):
            if "role" not in message:
                raise ValueError(f"messages[{i}] has no 'role'")
            must_be(f"messages[{i}]['role']", message["role"], str)
    must_be("model", body["model"], str)
    if body.get("stream") is not None:
        must_be("stream", body["stream"], bool, "a bool")
    return options, body


class Chat(Resource[_C, _M]):
    __slots__ = ("completions",)
    _children = {"completions": (Completions, "")}
