# Adding streamed chunks up into the completion they make: ChatCompletionAccumulator for
# any iterable of chunks, wrapped around a live stream for chat.completions.stream().
# Per chunk it reads the models' storage slots (`content_` and friends: UNSET when
# absent, which is falsy like None) rather than calling their properties.

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import msgspec

from ._exceptions import IncompleteStreamError
from ._structured import fill_parsed
from .types.chat.chat_completion import ChatCompletion
from .types.chat.chat_completion_chunk import ChatCompletionChunk

if TYPE_CHECKING:
    from .types.chat.parsed_chat_completion import ParsedChatCompletion

_T = TypeVar("_T")
_LEGACY_FUNCTION_CALL = None  # its slot among the tool calls, which have int indexes


class _ChoiceState:
    __slots__ = ("parts", "role", "finish_reason", "refusal", "reasoning", "tools", "logprobs")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.role: str | None = None
        self.finish_reason: str | None = None
        self.refusal: list[str] = []
        self.reasoning: list[str] = []
        # index -> [id, type, name, argument parts]; the legacy function_call has its own key.
        self.tools: dict[Any, list[Any]] = {}
        self.logprobs: list[Any] = []


class ChatCompletionAccumulator:
    """Feed it chunks with `add()`; `final_completion()` is the `ChatCompletion` they make."""

    # Text is concatenated, the first role and last finish_reason kept, tool calls merged
    # by `index`. Both dialects: Edgen's new id per chunk (the first is kept), OpenAI's
    # role-only first chunk, empty final delta and usage-only last chunk.

    __slots__ = ("_choices", "_first", "_usage", "_fingerprint")

    def __init__(self) -> None:
        self._choices: dict[int, _ChoiceState] = {}
        self._first: ChatCompletionChunk | None = None
        self._usage: Any = None
        self._fingerprint: str | None = None

    def add(self, chunk: ChatCompletionChunk) -> ChatCompletionChunk:
        """Take one chunk into account; returns it, so `map(acc.add, stream)` reads well."""
        raw: Any = chunk  # its storage slots are not declared for type checkers
        if self._first is None:
            self._first = chunk
        if raw.usage_:
            self._usage = raw.usage_
        if raw.system_fingerprint_:
            self._fingerprint = raw.system_fingerprint_
        states = self._choices
        for choice in raw.choices:
            state = states.get(choice.index)
            if state is None:
                state = states[choice.index] = _ChoiceState()
            delta = choice.delta
            content = delta.content_
            if content:
                state.parts.append(content)
            if state.role is None and delta.role_:
                state.role = delta.role_
            if delta.tool_calls_:
                for call in delta.tool_calls_:
                    _merge_call(state, call.index, call.id, call.type, call.function)
            if delta.function_call_:
                _merge_call(state, _LEGACY_FUNCTION_CALL, None, None, delta.function_call_)
            if delta.refusal_:
                state.refusal.append(delta.refusal_)
            if delta.reasoning_content_:
                state.reasoning.append(delta.reasoning_content_)
            if choice.finish_reason_:
                state.finish_reason = choice.finish_reason_
            if choice.logprobs_ and choice.logprobs_.content:
                state.logprobs.extend(choice.logprobs_.content)
        return chunk

    def add_all(self, chunks: Any) -> ChatCompletionAccumulator:
        """Take every chunk of an iterable; returns self."""
        for chunk in chunks:
            self.add(chunk)
        return self

    @property
    def text(self) -> str:
        """The first choice's content so far."""
        state = self._choices.get(0)
        return "".join(state.parts) if state is not None else ""

    def final_completion(self) -> ChatCompletion:
        """The completion the chunks seen so far add up to."""
        first = self._first
        if first is None:
            raise ValueError("no chunk was added, so there is no completion yet")
        choices = []
        for index, state in sorted(self._choices.items()):
            message: dict[str, Any] = {
                "role": state.role or "assistant",
                "content": "".join(state.parts) if state.parts else None,
            }
            if state.refusal:
                message["refusal"] = "".join(state.refusal)
            if state.reasoning:
                message["reasoning_content"] = "".join(state.reasoning)
            calls = {
                key: {
                    "id": call_id or "",
                    "type": call_type or "function",
                    "function": {"name": name or "", "arguments": "".join(parts)},
                }
                for key, (call_id, call_type, name, parts) in state.tools.items()
            }
            if _LEGACY_FUNCTION_CALL in calls:
                message["function_call"] = calls.pop(_LEGACY_FUNCTION_CALL)["function"]
            if calls:
                message["tool_calls"] = [call for _, call in sorted(calls.items())]
            choice = {"index": index, "message": message, "finish_reason": state.finish_reason}
            if state.logprobs:
                choice["logprobs"] = {"content": state.logprobs}
            choices.append(choice)
        completion = {
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
        return msgspec.convert(completion, ChatCompletion)


def _merge_call(
    state: _ChoiceState, index: int | None, call_id: Any, call_type: Any, function: Any
) -> None:
    slot = state.tools.get(index)
    if slot is None:
        slot = state.tools[index] = [None, None, None, []]
    if call_id:
        slot[0] = call_id
    if call_type:
        slot[1] = call_type
    if function is not None:
        if function.name:
            slot[2] = function.name
        if function.arguments:
            slot[3].append(function.arguments)


class _StreamHelpers:  # what the sync and async chat streams share
    def __init__(self, stream: Any, content_type: Any, tools: dict[str, Any]) -> None:
        self._stream = stream
        self.response = stream.response
        self.accumulator = ChatCompletionAccumulator()
        self._content_type = content_type
        self._tools = tools
        # Keep one underlying iterator: leaving a for-loop here must not end
        # the stream, since until_done() may still want the rest.
        self._source = stream._started()

    def current_completion_snapshot(self) -> ChatCompletion:
        """The completion so far, without waiting for the rest."""
        return self.accumulator.final_completion()

    # The completion of a stream that has ended; one the server cut short is refused.
    def _finished(self) -> ChatCompletion:
        completion = self.accumulator.final_completion()
        # OpenAI-style servers end every choice with a finish_reason before `[DONE]`; one
        # that sent `[DONE]` without them stopped early (llama.cpp, when a newer request
        # interrupts this one). Edgen's own dialect has neither, so nothing can be told there.
        if self._stream._state.done and (
            not completion.choices or any(c.finish_reason is None for c in completion.choices)
        ):
            raise IncompleteStreamError(
                self.response,
                completion,
                message=(
                    "The stream ended with [DONE] before a finish_reason: the server cut the "
                    "answer short (llama.cpp does when another request interrupts it). What "
                    "arrived is in this error's .completion"
                ),
            )
        return completion

    def _final(self) -> Any:
        completion = self._finished()
        if self._content_type is None and not self._tools:
            return completion
        from .types.chat.parsed_chat_completion import ParsedChatCompletion

        parsed: Any = ParsedChatCompletion.model_validate(completion.to_dict())
        return fill_parsed(parsed, self._content_type, self._tools)


# `_T`: the `response_format` type that `message.parsed` holds.
class ChatCompletionStream(_StreamHelpers, Generic[_T]):
    """A chat stream that yields its chunks and remembers what they add up to."""

    _source: Iterator[ChatCompletionChunk]

    def __iter__(self) -> Iterator[ChatCompletionChunk]:
        add = self.accumulator.add
        for chunk in self._source:
            yield add(chunk)

    def __next__(self) -> ChatCompletionChunk:
        return self.accumulator.add(next(self._source))

    def until_done(self) -> ChatCompletionStream[_T]:
        """Read the rest of the stream; returns self."""
        for _ in self:
            pass
        return self

    def get_final_completion(self) -> ParsedChatCompletion[_T]:
        """The whole `ChatCompletion` (a `ParsedChatCompletion` when a type was requested)."""
        return self.until_done()._final()  # type: ignore[no-any-return]

    def get_final_text(self) -> str:
        """The first choice's whole content."""
        self.until_done()._finished()  # refuses a stream cut short
        return self.accumulator.text

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> ChatCompletionStream[_T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncChatCompletionStream(_StreamHelpers, Generic[_T]):
    """The async twin of `ChatCompletionStream`; the getters are awaitable."""

    _source: AsyncIterator[ChatCompletionChunk]

    async def __aiter__(self) -> AsyncIterator[ChatCompletionChunk]:
        add = self.accumulator.add
        async for chunk in self._source:
            yield add(chunk)

    async def __anext__(self) -> ChatCompletionChunk:
        return self.accumulator.add(await self._source.__anext__())

    async def until_done(self) -> AsyncChatCompletionStream[_T]:
        async for _ in self:
            pass
        return self

    async def get_final_completion(self) -> ParsedChatCompletion[_T]:
        return (await self.until_done())._final()  # type: ignore[no-any-return]

    async def get_final_text(self) -> str:
        (await self.until_done())._finished()
        return self.accumulator.text

    async def close(self) -> None:
        await self._stream.close()

    async def __aenter__(self) -> AsyncChatCompletionStream[_T]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


class _StreamManager(Generic[_T]):
    def __init__(self, start: Callable[[], Any], **kwargs: Any) -> None:
        self._start = start  # makes the request
        self._kwargs = kwargs


class ChatCompletionStreamManager(_StreamManager[_T]):
    """`with client.chat.completions.stream(...) as stream:` — the request starts on enter."""

    def __enter__(self) -> ChatCompletionStream[_T]:
        self._stream: ChatCompletionStream[_T] = ChatCompletionStream(self._start(), **self._kwargs)
        return self._stream

    def __exit__(self, *exc_info: object) -> None:
        self._stream.close()


class AsyncChatCompletionStreamManager(_StreamManager[_T]):
    """`async with client.chat.completions.stream(...) as stream:`."""

    async def __aenter__(self) -> AsyncChatCompletionStream[_T]:
        self._stream: AsyncChatCompletionStream[_T] = AsyncChatCompletionStream(
            await self._start(), **self._kwargs
        )
        return self._stream

    async def __aexit__(self, *exc_info: object) -> None:
        await self._stream.close()
