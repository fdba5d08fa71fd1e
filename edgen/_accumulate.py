"""Adding streamed chunks up into the completion they make.

`ChatCompletionAccumulator` works on any iterable of `ChatCompletionChunk`s;
`ChatCompletionStream` / `AsyncChatCompletionStream` wrap a live stream with
one, for `client.chat.completions.stream()`.

The per-chunk work reads the models' storage slots directly (`content_` and
friends hold `msgspec.UNSET` when absent, which is falsy, like None), so
accumulating costs a few attribute reads per chunk rather than property calls.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from types import TracebackType
from typing import Any, Generic, TypeVar

from ._streaming import AsyncStream, Stream
from ._structured import fill_parsed
from .types.chat.chat_completion import ChatCompletion
from .types.chat.chat_completion_chunk import ChatCompletionChunk

__all__ = [
    "ChatCompletionAccumulator",
    "ChatCompletionStream",
    "AsyncChatCompletionStream",
    "ChatCompletionStreamManager",
    "AsyncChatCompletionStreamManager",
]

_T = TypeVar("_T")


class _ChoiceState:
    __slots__ = (
        "parts",
        "role",
        "finish_reason",
        "refusal",
        "reasoning",
        "tools",
        "logprobs",
        "function",
    )

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.role: str | None = None
        self.finish_reason: str | None = None
        self.refusal: list[str] = []
        self.reasoning: list[str] = []
        self.tools: dict[int, list[Any]] = {}  # index -> [id, type, name, [argument parts]]
        self.logprobs: list[Any] | None = None
        self.function: list[Any] | None = None  # legacy function_call: [name, [parts]]


class ChatCompletionAccumulator:
    """Feed it chunks with `add()`; `final_completion()` is the `ChatCompletion` they make.

    Content, refusal and reasoning text are concatenated, the first role and
    the last finish_reason kept, log-probabilities appended, and tool calls
    merged by `index` with their `arguments` concatenated. Works for both
    dialects: Edgen's new id per chunk (the first id is kept) and OpenAI's
    role-only first chunk, empty final delta and usage-only last chunk.
    """

    __slots__ = ("_choices", "_first", "_usage", "_fingerprint")

    def __init__(self) -> None:
        self._choices: dict[int, _ChoiceState] = {}
        self._first: ChatCompletionChunk | None = None
        self._usage: Any = None
        self._fingerprint: str | None = None

    def add(self, chunk: ChatCompletionChunk) -> ChatCompletionChunk:
        """Take one chunk into account; returns it, so `for c in map(acc.add, stream)` reads well."""
        if self._first is None:
            self._first = chunk
        if chunk.usage_:  # type: ignore[attr-defined]
            self._usage = chunk.usage_  # type: ignore[attr-defined]
        states = self._choices
        for choice in chunk.choices:
            state = states.get(choice.index)
            if state is None:
                state = states[choice.index] = _ChoiceState()
            delta = choice.delta
            content = delta.content_  # type: ignore[attr-defined]
            if content:
                state.parts.append(content)
            if state.role is None and delta.role_:  # type: ignore[attr-defined]
                state.role = delta.role_  # type: ignore[attr-defined]
            if delta.tool_calls_:  # type: ignore[attr-defined]
                _merge_tool_calls(state, delta.tool_calls_)  # type: ignore[attr-defined]
            if delta.refusal_:  # type: ignore[attr-defined]
                state.refusal.append(delta.refusal_)  # type: ignore[attr-defined]
            if delta.reasoning_content_:  # type: ignore[attr-defined]
                state.reasoning.append(delta.reasoning_content_)  # type: ignore[attr-defined]
            if delta.function_call_:  # type: ignore[attr-defined]
                _merge_function_call(state, delta.function_call_)  # type: ignore[attr-defined]
            if choice.finish_reason_:  # type: ignore[attr-defined]
                state.finish_reason = choice.finish_reason_  # type: ignore[attr-defined]
            if choice.logprobs_:  # type: ignore[attr-defined]
                content_lp = choice.logprobs_.content  # type: ignore[attr-defined]
                if content_lp:
                    if state.logprobs is None:
                        state.logprobs = []
                    state.logprobs.extend(content_lp)
        if chunk.system_fingerprint_:  # type: ignore[attr-defined]
            self._fingerprint = chunk.system_fingerprint_  # type: ignore[attr-defined]
        return chunk

    def add_all(self, chunks: Any) -> ChatCompletionAccumulator:
        """Take every chunk of an iterable; returns self."""
        add = self.add
        for chunk in chunks:
            add(chunk)
        return self

    @property
    def text(self) -> str:
        """The first choice's content so far."""
        state = self._choices.get(0)
        return "".join(state.parts) if state is not None else ""

    def final_completion(self) -> ChatCompletion:
        """The completion the chunks seen so far add up to."""
        from .types.chat.chat_completion import Choice, ChoiceLogprobs
        from .types.chat.chat_completion_message import ChatCompletionMessage, FunctionCall
        from .types.chat.chat_completion_message_tool_call import (
            ChatCompletionMessageToolCall,
            Function,
        )

        first = self._first
        if first is None:
            raise ValueError("no chunk was added, so there is no completion yet")
        choices = []
        for index in sorted(self._choices):
            state = self._choices[index]
            message: dict[str, Any] = {"role": state.role or "assistant"}
            message["content"] = "".join(state.parts) if state.parts else None
            if state.refusal:
                message["refusal"] = "".join(state.refusal)
            if state.reasoning:
                message["reasoning_content"] = "".join(state.reasoning)
            if state.tools:
                message["tool_calls"] = [
                    ChatCompletionMessageToolCall(
                        id=call[0] or "",
                        type=call[1] or "function",
                        function=Function(name=call[2] or "", arguments="".join(call[3])),
                    )
                    for _, call in sorted(state.tools.items())
                ]
            if state.function is not None:
                message["function_call"] = FunctionCall(
                    name=state.function[0] or "", arguments="".join(state.function[1])
                )
            fields: dict[str, Any] = {
                "index": index,
                "message": ChatCompletionMessage(**message),
                "finish_reason": state.finish_reason,
            }
            if state.logprobs is not None:
                fields["logprobs"] = ChoiceLogprobs(content=state.logprobs)
            choices.append(Choice(**fields))
        completion: dict[str, Any] = {
            "id": first.id,
            "choices": choices,
            "created": first.created,
            "model": first.model,
            "object": "chat.completion",
        }
        if self._fingerprint is not None:
            completion["system_fingerprint"] = self._fingerprint
        if self._usage is not None:
            completion["usage"] = self._usage
        return ChatCompletion(**completion)


def _merge_tool_calls(state: _ChoiceState, calls: list[Any]) -> None:
    for call in calls:
        slot = state.tools.get(call.index)
        if slot is None:
            slot = state.tools[call.index] = [None, None, None, []]
        if call.id:
            slot[0] = call.id
        if call.type:
            slot[1] = call.type
        function = call.function
        if function is not None:
            if function.name:
                slot[2] = function.name
            if function.arguments:
                slot[3].append(function.arguments)


def _merge_function_call(state: _ChoiceState, call: Any) -> None:
    if state.function is None:
        state.function = [None, []]
    if call.name:
        state.function[0] = call.name
    if call.arguments:
        state.function[1].append(call.arguments)


class _StreamHelpers:
    """What the sync and async chat streams share: the accumulator and its results."""

    def __init__(self, content_type: Any = None, tools: dict[str, Any] | None = None) -> None:
        self._accumulator = ChatCompletionAccumulator()
        self._content_type = content_type
        self._tools = tools or {}

    @property
    def accumulator(self) -> ChatCompletionAccumulator:
        return self._accumulator

    def current_completion_snapshot(self) -> ChatCompletion:
        """The completion so far, without waiting for the rest."""
        return self._accumulator.final_completion()

    def _final(self) -> Any:
        completion = self._accumulator.final_completion()
        if self._content_type is None and not self._tools:
            return completion
        from .types.chat.parsed_chat_completion import ParsedChatCompletion

        parsed: ParsedChatCompletion[Any] = ParsedChatCompletion.model_validate(
            completion.to_dict()
        )
        return fill_parsed(parsed, self._content_type, self._tools)


class ChatCompletionStream(_StreamHelpers):
    """A chat stream that yields its chunks and remembers what they add up to."""

    def __init__(self, stream: Stream[ChatCompletionChunk], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._stream = stream
        # Keep one underlying iterator: leaving a for-loop here must not end
        # the stream, since until_done() may still want the rest.
        if stream._iterator is None:
            stream._iterator = stream._events()
        self._source: Iterator[ChatCompletionChunk] = stream._iterator

    @property
    def response(self) -> Any:
        return self._stream.response

    def __iter__(self) -> Iterator[ChatCompletionChunk]:
        add = self._accumulator.add
        for chunk in self._source:
            yield add(chunk)

    def __next__(self) -> ChatCompletionChunk:
        return self._accumulator.add(next(self._source))

    def until_done(self) -> ChatCompletionStream:
        """Read the rest of the stream; returns self."""
        add = self._accumulator.add
        for chunk in self._source:
            add(chunk)
        return self

    def get_final_completion(self) -> Any:
        """The whole `ChatCompletion` (a `ParsedChatCompletion` when a type was requested)."""
        self.until_done()
        return self._final()

    def get_final_text(self) -> str:
        """The first choice's whole content."""
        self.until_done()
        return self._accumulator.text

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> ChatCompletionStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncChatCompletionStream(_StreamHelpers):
    """The async twin of `ChatCompletionStream`; the getters are awaitable."""

    def __init__(self, stream: AsyncStream[ChatCompletionChunk], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._stream = stream
        if stream._iterator is None:
            stream._iterator = stream._events()
        self._source: AsyncIterator[ChatCompletionChunk] = stream._iterator

    @property
    def response(self) -> Any:
        return self._stream.response

    async def __aiter__(self) -> AsyncIterator[ChatCompletionChunk]:
        add = self._accumulator.add
        async for chunk in self._source:
            yield add(chunk)

    async def __anext__(self) -> ChatCompletionChunk:
        return self._accumulator.add(await self._source.__anext__())

    async def until_done(self) -> AsyncChatCompletionStream:
        add = self._accumulator.add
        async for chunk in self._source:
            add(chunk)
        return self

    async def get_final_completion(self) -> Any:
        await self.until_done()
        return self._final()

    async def get_final_text(self) -> str:
        await self.until_done()
        return self._accumulator.text

    async def close(self) -> None:
        await self._stream.close()

    async def __aenter__(self) -> AsyncChatCompletionStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


class ChatCompletionStreamManager(Generic[_T]):
    """`with client.chat.completions.stream(...) as stream:` — the request starts on enter."""

    def __init__(self, start: Callable[[], Stream[ChatCompletionChunk]], **kwargs: Any) -> None:
        self._start = start
        self._kwargs = kwargs
        self._stream: ChatCompletionStream | None = None

    def __enter__(self) -> ChatCompletionStream:
        self._stream = ChatCompletionStream(self._start(), **self._kwargs)
        return self._stream

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._stream is not None:
            self._stream.close()


class AsyncChatCompletionStreamManager(Generic[_T]):
    """`async with client.chat.completions.stream(...) as stream:`."""

    def __init__(
        self, start: Callable[[], Awaitable[AsyncStream[ChatCompletionChunk]]], **kwargs: Any
    ) -> None:
        self._start = start
        self._kwargs = kwargs
        self._stream: AsyncChatCompletionStream | None = None

    async def __aenter__(self) -> AsyncChatCompletionStream:
        self._stream = AsyncChatCompletionStream(await self._start(), **self._kwargs)
        return self._stream

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._stream is not None:
            await self._stream.close()
