"""`client.chat.completions`: chat completions, streamed or whole."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, overload

from .._client import RequestSpec
from .._pipeline import decode_response
from .._resource import _C, _M, Resource, check_params, drop_not_given, endpoint, split_options
from ..types.chat.chat_completion import ChatCompletion
from ..types.chat.chat_completion_chunk import ChatCompletionChunk
from ..types.chat.completion_create_params import CHAT_CREATE_FIELDS
from ._status import Status

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._client import AsyncEdgen, Edgen
    from .._endpoint import Raw, Streaming, SyncAsync
    from .._streaming import AsyncStream, Stream
    from .._types import RequestOptions
    from ..types.chat.completion_create_params import (
        CompletionCreateParamsBase,
        CompletionCreateParamsNonStreaming,
        CompletionCreateParamsStreaming,
    )

    class _CreateStreaming(CompletionCreateParamsStreaming, RequestOptions, total=False): ...

    class _CreateNonStreaming(CompletionCreateParamsNonStreaming, RequestOptions, total=False): ...

    class _CreateEither(CompletionCreateParamsBase, RequestOptions, total=False):
        stream: bool | None

    # What `create` takes and gives, for type checkers (see _endpoint.py).
    def _create_stream(
        **params: Unpack[_CreateStreaming],
    ) -> SyncAsync[Stream[ChatCompletionChunk], AsyncStream[ChatCompletionChunk]]: ...
    def _create(
        **params: Unpack[_CreateNonStreaming],
    ) -> SyncAsync[ChatCompletion, ChatCompletion]: ...
    def _create_either(
        **params: Unpack[_CreateEither],
    ) -> SyncAsync[
        ChatCompletion | Stream[ChatCompletionChunk],
        ChatCompletion | AsyncStream[ChatCompletionChunk],
    ]: ...

    from .._accumulate import AsyncChatCompletionStreamManager, ChatCompletionStreamManager
    from ..types.chat.parsed_chat_completion import ParsedChatCompletion

    class _StreamParams(_CreateNonStreaming, total=False):
        response_format: Any  # a dict as in create(), or a type to decode into

    class _ParseParams(_CreateNonStreaming, total=False):
        response_format: Any

    def _parse(**params: Unpack[_ParseParams]) -> ParsedChatCompletion[Any]: ...

else:
    _create_stream = _create = _create_either = _parse = None


__all__ = ["Chat", "Completions"]

_REQUIRED = ("messages", "model")


class Completions(Resource[_C, _M]):
    __slots__ = ("status",)
    if TYPE_CHECKING:
        status: Status[_C, _M]
        with_raw_response: Completions[_C, Raw]
        with_streaming_response: Completions[_C, Streaming]

    def _init_children(self) -> None:
        self.status = Status(self._client, self._mode, "chat/completions/status")

    @endpoint(_create_stream, _create, _create_either)
    def create(self, **params: Any) -> Any:
        """Create a chat completion; with `stream=True`, iterate the chunks as they come.

        Takes the fields of `CompletionCreateParams` as keyword arguments (`model`
        and `messages` are required) plus `extra_headers`, `extra_query`,
        `extra_body` and `timeout`.
        """
        options, body = _checked("create", params)
        stream = body.get("stream")
        return self._client._request(
            RequestSpec(
                "POST",
                "chat/completions",
                body=body,
                cast=ChatCompletionChunk if stream else ChatCompletion,
                stream=bool(stream),
                options=options,
                mode=self._mode,
            )
        )

    if TYPE_CHECKING:

        @overload
        def stream(
            self: Completions[Edgen, Any], **params: Unpack[_StreamParams]
        ) -> ChatCompletionStreamManager[Any]: ...
        @overload
        def stream(
            self: Completions[AsyncEdgen, Any], **params: Unpack[_StreamParams]
        ) -> AsyncChatCompletionStreamManager[Any]: ...

    def stream(self, **params: Any) -> Any:
        """Stream a completion and add it up as it arrives.

        Use as `with client.chat.completions.stream(...) as stream:` (`async with`
        on AsyncEdgen): iterate `stream` for the chunks, then call
        `stream.get_final_completion()` / `get_final_text()` (awaitable on the
        async client). `response_format` may be a type, as with `parse()`.
        """
        from .._accumulate import AsyncChatCompletionStreamManager, ChatCompletionStreamManager
        from .._structured import tool_types

        if params.get("stream") is False:
            raise TypeError("stream() always streams; use create() for a whole completion")
        content_type = _structured_format(params)
        tools = tool_types(params.get("tools"))
        params["stream"] = True
        # Always a parsed-mode create(): a stream helper over a raw response makes no sense.
        create = self._client.chat.completions.create
        start = lambda: create(**params)  # noqa: E731 - the request starts on enter
        manager = (
            AsyncChatCompletionStreamManager
            if self._client._is_async
            else ChatCompletionStreamManager
        )
        return manager(start, content_type=content_type, tools=tools)

    @endpoint(_parse)
    def parse(self, **params: Any) -> Any:
        """Create a completion whose content is decoded into `response_format`.

        `response_format` is a type msgspec can decode (a `msgspec.Struct`, a
        dataclass, a TypedDict): its JSON schema is sent as a `json_schema`
        response format, and `choices[i].message.parsed` holds the decoded
        value. Tools made with `edgen.function_tool(MyStruct)` get their
        calls' arguments decoded into `function.parsed_arguments`. Content
        that does not fit raises `StructuredOutputError` with the raw text.
        """
        from .._structured import fill_parsed, tool_types
        from ..types.chat.parsed_chat_completion import ParsedChatCompletion

        if params.get("stream"):
            raise TypeError("parse() does not stream; use stream() with a response_format type")
        content_type = _structured_format(params)
        tools = tool_types(params.get("tools"))
        options, body = _checked("parse", params)

        def parse_response(response: Any) -> Any:
            completion = decode_response(response, ParsedChatCompletion)
            return fill_parsed(completion, content_type, tools)

        return self._client._request(
            RequestSpec(
                "POST",
                "chat/completions",
                body=body,
                cast=ParsedChatCompletion,
                options=options,
                mode=self._mode,
                parse=parse_response,
            )
        )


def _structured_format(params: dict[str, Any]) -> Any:
    """Swap a `response_format` type for its json_schema form; returns the type (or None)."""
    from .._structured import is_structured_type, response_format_for

    fmt = params.get("response_format")
    if fmt is None or not is_structured_type(fmt):
        return None
    params["response_format"] = response_format_for(fmt)
    return fmt


def _checked(method: str, params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(request options, body) from a chat method's keyword arguments, checked before sending."""
    options = split_options(params)
    body = drop_not_given(params)
    check_params(method, body, CHAT_CREATE_FIELDS, _REQUIRED)
    _check_messages(body["messages"], body)
    if not isinstance(body["model"], str):
        raise TypeError(f"model must be a str, not {type(body['model']).__name__}")
    stream = body.get("stream")
    if stream is not None and not isinstance(stream, bool):
        raise TypeError(f"stream must be a bool, not {type(stream).__name__}")
    return options, body


def _check_messages(messages: Any, body: dict[str, Any]) -> None:
    if isinstance(messages, (str, bytes, Mapping)) or not hasattr(messages, "__iter__"):
        raise TypeError(f"messages must be a list of message dicts, not {type(messages).__name__}")
    if not isinstance(messages, list):
        body["messages"] = messages = list(messages)  # a generator can only be read once
    for i, message in enumerate(messages):
        if not isinstance(message, Mapping):
            raise TypeError(f"messages[{i}] must be a dict, not {type(message).__name__}")
        role = message.get("role")
        if not isinstance(role, str):
            if "role" not in message:
                raise ValueError(f"messages[{i}] has no 'role'")
            raise TypeError(f"messages[{i}]['role'] must be a str, not {type(role).__name__}")


class Chat(Resource[_C, _M]):
    __slots__ = ("completions",)
    if TYPE_CHECKING:
        completions: Completions[_C, _M]
        with_raw_response: Chat[_C, Raw]
        with_streaming_response: Chat[_C, Streaming]

    def _init_children(self) -> None:
        self.completions = Completions(self._client, self._mode)
