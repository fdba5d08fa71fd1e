# `client.chat.completions`: chat completions, streamed or whole.

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, overload

import httpx

from .._endpoint import SyncAsync, endpoint, endpoint3
from .._pipeline import decode_response
from .._resource import _IO, _M, Async, Parsed, Raw, Resource, Streaming, Sync, checked
from .._validate import check
from ..types.chat.chat_completion import ChatCompletion
from ..types.chat.completion_create_params import (
    CHAT_CREATE_FIELDS,
    CompletionCreateParamsBase,
    CompletionCreateParamsEither,
    CompletionCreateParamsNonStreaming,
    CompletionCreateParamsStreaming,
)
from .misc import Status

_F = TypeVar("_F")  # the `response_format` type of parse() and stream()

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._accumulate import AsyncChatCompletionStreamManager, ChatCompletionStreamManager
    from .._response import (
        APIResponse,
        AsyncAPIResponse,
        AsyncResponseContextManager,
        ResponseContextManager,
    )
    from .._streaming import AsyncStream, Stream
    from .._types import RequestOptions
    from .._typing import Required
    from ..types.chat.chat_completion_chunk import ChatCompletionChunk
    from ..types.chat.parsed_chat_completion import ParsedChatCompletion

    class _Streaming(CompletionCreateParamsStreaming, RequestOptions, total=False): ...

    class _Whole(CompletionCreateParamsNonStreaming, RequestOptions, total=False): ...

    class _Either(CompletionCreateParamsBase, RequestOptions, total=False):
        stream: bool | None

    class _Structured(_Whole, total=False):
        response_format: Any  # a dict as in create(), or a type to decode into

    # parse() and stream() with a type to decode into: `message.parsed` is a `_F`.
    class _Typed(_Whole, Generic[_F], total=False):
        response_format: Required[type[_F]]  # type: ignore[misc]  # narrows the dict form


# create()'s overloads, for `endpoint3`: `stream=True` gives a stream of chunks, `False`
# (or no `stream`) a whole completion, and a bool known only at run time either.
class _Create(Protocol):
    def streaming(
        self, **params: Unpack[_Streaming]
    ) -> SyncAsync[Stream[ChatCompletionChunk], AsyncStream[ChatCompletionChunk]]: ...
    def whole(self, **params: Unpack[_Whole]) -> SyncAsync[ChatCompletion, ChatCompletion]: ...
    def either(
        self, **params: Unpack[_Either]
    ) -> SyncAsync[
        ChatCompletion | Stream[ChatCompletionChunk],
        ChatCompletion | AsyncStream[ChatCompletionChunk],
    ]: ...


class Completions(Resource[_IO, _M]):
    __slots__ = ("status",)
    _children = {"status": (Status, "chat/completions/status")}
    status: Status[_IO, _M]
    with_raw_response: Completions[_IO, Raw]
    with_streaming_response: Completions[_IO, Streaming]

    @endpoint3(_Create.streaming, _Create.whole, _Create.either)
    def create(self, **params: Unpack[_Either]) -> Any:
        """Create a chat completion; with `stream=True`, iterate the chunks as they come."""
        options, body = _checked("create", params)
        stream = bool(body.get("stream"))
        cast: type[ChatCompletion | ChatCompletionChunk] = ChatCompletion
        if stream:  # imported here: a whole completion does not need it
            from ..types.chat.chat_completion_chunk import ChatCompletionChunk

            cast = ChatCompletionChunk
        return self._send("POST", "chat/completions", cast, options, body=body, stream=stream)

    # A `response_format` type makes the final completion's `message.parsed` one of it; a
    # dict (or none) leaves `parsed` None.
    @overload
    def stream(
        self: Completions[Sync, Any], **params: Unpack[_Typed[_F]]
    ) -> ChatCompletionStreamManager[_F]: ...
    @overload
    def stream(
        self: Completions[Sync, Any], **params: Unpack[_Whole]
    ) -> ChatCompletionStreamManager[None]: ...
    @overload
    def stream(
        self: Completions[Async, Any], **params: Unpack[_Typed[_F]]
    ) -> AsyncChatCompletionStreamManager[_F]: ...
    @overload
    def stream(
        self: Completions[Async, Any], **params: Unpack[_Whole]
    ) -> AsyncChatCompletionStreamManager[None]: ...
    def stream(self, **params: Unpack[_Structured]) -> Any:
        """`with ...stream(...) as s:` iterate the chunks, then `s.get_final_completion()`."""
        # `async with` on AsyncEdgen. `response_format` may be a type, as with parse().
        if params.get("stream") is False:
            raise TypeError("stream() always streams; use create() for a whole completion")
        sent = dict(params)
        content_type, tools = _structured(sent, self._client.structured_outputs)
        sent["stream"] = True
        # Checked now, so bad arguments fail at this call rather than at `with`.
        sent.update(_checked("stream", sent)[1])
        # Always parsed mode: a stream helper over a raw response makes no sense.
        create: Callable[..., Any] = Completions(self._client).create
        # The request starts when the helper's `with` block is entered.
        return self._client._stream_helper(lambda: create(**sent), content_type, tools)

    # As create() returns, per client and mode, with `message.parsed` typed as the
    # `response_format` type (None for a dict or none). `@endpoint` alone cannot carry the
    # type variable through, hence one overload per client and mode.
    @overload
    def parse(
        self: Completions[Sync, Parsed], **params: Unpack[_Typed[_F]]
    ) -> ParsedChatCompletion[_F]: ...
    @overload
    def parse(
        self: Completions[Sync, Parsed], **params: Unpack[_Whole]
    ) -> ParsedChatCompletion[None]: ...
    @overload
    def parse(
        self: Completions[Sync, Raw], **params: Unpack[_Typed[_F]]
    ) -> APIResponse[ParsedChatCompletion[_F]]: ...
    @overload
    def parse(
        self: Completions[Sync, Raw], **params: Unpack[_Whole]
    ) -> APIResponse[ParsedChatCompletion[None]]: ...
    @overload
    def parse(
        self: Completions[Sync, Streaming], **params: Unpack[_Typed[_F]]
    ) -> ResponseContextManager[ParsedChatCompletion[_F]]: ...
    @overload
    def parse(
        self: Completions[Sync, Streaming], **params: Unpack[_Whole]
    ) -> ResponseContextManager[ParsedChatCompletion[None]]: ...
    @overload
    def parse(
        self: Completions[Async, Parsed], **params: Unpack[_Typed[_F]]
    ) -> Coroutine[Any, Any, ParsedChatCompletion[_F]]: ...
    @overload
    def parse(
        self: Completions[Async, Parsed], **params: Unpack[_Whole]
    ) -> Coroutine[Any, Any, ParsedChatCompletion[None]]: ...
    @overload
    def parse(
        self: Completions[Async, Raw], **params: Unpack[_Typed[_F]]
    ) -> Coroutine[Any, Any, AsyncAPIResponse[ParsedChatCompletion[_F]]]: ...
    @overload
    def parse(
        self: Completions[Async, Raw], **params: Unpack[_Whole]
    ) -> Coroutine[Any, Any, AsyncAPIResponse[ParsedChatCompletion[None]]]: ...
    @overload
    def parse(
        self: Completions[Async, Streaming], **params: Unpack[_Typed[_F]]
    ) -> AsyncResponseContextManager[ParsedChatCompletion[_F]]: ...
    @overload
    def parse(
        self: Completions[Async, Streaming], **params: Unpack[_Whole]
    ) -> AsyncResponseContextManager[ParsedChatCompletion[None]]: ...
    @endpoint
    def parse(self, **params: Unpack[_Structured]) -> ParsedChatCompletion[Any]:
        """Create a completion whose `message.parsed` is decoded into `response_format`."""
        # `response_format`: a type msgspec decodes; its JSON schema is sent. Tools made with
        # `edgen.function_tool(MyStruct)` get `function.parsed_arguments`.
        from .._structured import fill_parsed
        from ..types.chat.parsed_chat_completion import ParsedChatCompletion

        if params.get("stream"):
            raise TypeError("parse() does not stream; use stream() with a response_format type")
        sent = dict(params)
        content_type, tools = _structured(sent, self._client.structured_outputs)
        options, body = _checked("parse", sent)

        def parse_response(response: httpx.Response) -> ParsedChatCompletion[Any]:
            completion = decode_response(response, ParsedChatCompletion)
            parsed: ParsedChatCompletion[Any] = fill_parsed(completion, content_type, tools)
            return parsed

        return self._send(
            "POST",
            "chat/completions",
            ParsedChatCompletion,
            options,
            body=body,
            parse=parse_response,
        )


# The `response_format` type (swapped for its schema in the client's form; else None), the
# tools' types.
def _structured(params: dict[str, Any], structured_outputs: str) -> tuple[Any, dict[str, Any]]:
    from .._structured import in_dialect, is_structured_type, response_format_for, tool_types

    fmt = params.get("response_format")
    if fmt is not None and is_structured_type(fmt):
        try:
            params["response_format"] = response_format_for(fmt, structured_outputs)
        except TypeError as exc:
            raise TypeError(f"response_format: {exc}") from None
    else:
        if fmt is not None:
            params["response_format"] = in_dialect(fmt, structured_outputs)
        fmt = None
    return fmt, tool_types(params.get("tools"))


def _checked(method: str, params: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    options, body = checked(method, params, CHAT_CREATE_FIELDS, ("messages", "model"))
    check(method, CompletionCreateParamsEither, body)
    choice = body.get("tool_choice")
    if isinstance(choice, Mapping) and "parameters" not in choice["function"]:
        body["tool_choice"] = _named_tool(choice, body.get("tools"))
    return options, body


# OpenAI's `{"type": "function", "function": {"name": ...}}` completed into the whole
# function from `tools`, which the Edgen server requires (it answers 422 to the name alone).
def _named_tool(choice: Mapping[str, Any], tools: Any) -> Mapping[str, Any]:
    name = choice["function"]["name"]
    # check() has made a one-shot iterable of tools a list; anything else has no names.
    for tool in tools if isinstance(tools, (list, tuple)) else ():
        if tool.get("function", {}).get("name") == name:
            return {"type": choice["type"], "function": tool["function"]}
    return choice  # not among the tools: the server says so


class Chat(Resource[_IO, _M]):
    __slots__ = ("completions",)
    _children = {"completions": (Completions, "")}
    completions: Completions[_IO, _M]
    with_raw_response: Chat[_IO, Raw]
    with_streaming_response: Chat[_IO, Streaming]
