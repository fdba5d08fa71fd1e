"""`client.chat.completions`: chat completions, streamed or whole."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, overload

from .._client import RequestSpec
from .._resource import Resource, check_params, drop_not_given, split_options
from ..types.chat.chat_completion import ChatCompletion
from ..types.chat.chat_completion_chunk import ChatCompletionChunk
from ..types.chat.completion_create_params import CHAT_CREATE_FIELDS
from ._status import Status

if TYPE_CHECKING:
    from collections.abc import Coroutine

    from typing_extensions import Unpack

    from .._client import AsyncEdgen, BaseEdgen, Edgen
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


__all__ = ["Chat", "Completions"]

_C = TypeVar("_C", bound="BaseEdgen")
_REQUIRED = ("messages", "model")


class Completions(Resource[_C]):
    __slots__ = ("status",)

    def _init_children(self) -> None:
        self.status = Status(self._client, self._mode, "chat/completions/status")

    if TYPE_CHECKING:

        @overload
        def create(
            self: Completions[Edgen], **params: Unpack[_CreateStreaming]
        ) -> Stream[ChatCompletionChunk]: ...
        @overload
        def create(
            self: Completions[Edgen], **params: Unpack[_CreateNonStreaming]
        ) -> ChatCompletion: ...
        @overload
        def create(
            self: Completions[Edgen], **params: Unpack[_CreateEither]
        ) -> ChatCompletion | Stream[ChatCompletionChunk]: ...
        @overload
        def create(
            self: Completions[AsyncEdgen], **params: Unpack[_CreateStreaming]
        ) -> Coroutine[Any, Any, AsyncStream[ChatCompletionChunk]]: ...
        @overload
        def create(
            self: Completions[AsyncEdgen], **params: Unpack[_CreateNonStreaming]
        ) -> Coroutine[Any, Any, ChatCompletion]: ...
        @overload
        def create(
            self: Completions[AsyncEdgen], **params: Unpack[_CreateEither]
        ) -> Coroutine[Any, Any, ChatCompletion | AsyncStream[ChatCompletionChunk]]: ...

    def create(self, **params: Any) -> Any:
        """Create a chat completion; with `stream=True`, iterate the chunks as they come.

        Takes the fields of `CompletionCreateParams` as keyword arguments (`model`
        and `messages` are required) plus `extra_headers`, `extra_query`,
        `extra_body` and `timeout`.
        """
        options = split_options(params)
        body = drop_not_given(params)
        check_params("create", body, CHAT_CREATE_FIELDS, _REQUIRED)
        _check_messages(body["messages"], body)
        if not isinstance(body["model"], str):
            raise TypeError(f"model must be a str, not {type(body['model']).__name__}")
        stream = bool(body.get("stream"))
        return self._client._request(
            RequestSpec(
                "POST",
                "chat/completions",
                body=body,
                cast=ChatCompletionChunk if stream else ChatCompletion,
                stream=stream,
                options=options,
                mode=self._mode,
            )
        )


def _check_messages(messages: Any, body: dict[str, Any]) -> None:
    if isinstance(messages, (str, bytes, Mapping)) or not hasattr(messages, "__iter__"):
        raise TypeError(f"messages must be a list of message dicts, not {type(messages).__name__}")
    if not isinstance(messages, list):
        body["messages"] = messages = list(messages)  # a generator can only be read once
    for i, message in enumerate(messages):
        if not isinstance(message, Mapping):
            raise TypeError(f"messages[{i}] must be a dict, not {type(message).__name__}")
        if "role" not in message:
            raise ValueError(f"messages[{i}] has no 'role'")


class Chat(Resource[_C]):
    __slots__ = ("completions",)

    def _init_children(self) -> None:
        self.completions = Completions(self._client, self._mode)
