# Adding streamed chunks up into the completion they make: ChatCompletionAccumulator for
# any iterable of chunks, wrapped around a live stream for chat.completions.stream(), whose
# iteration gives openai-python's events (see types/chat/chat_completion_stream_event.py).
# Per chunk it reads the models' storage slots (`content_` and friends: UNSET when
# absent, which is falsy like None) rather than calling their properties.

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar

import msgspec
from msgspec import UNSET

from ._exceptions import IncompleteStreamError
from ._structured import StructuredOutputError, decode_as, fill_parsed, tool_types
from .types.chat.chat_completion import ChatCompletion
from .types.chat.chat_completion_chunk import ChatCompletionChunk
from .types.chat.chat_completion_stream_event import (
    ChatCompletionStreamEvent,
    ChunkEvent,
    ContentDeltaEvent,
    ContentDoneEvent,
    FunctionToolCallArgumentsDeltaEvent,
    FunctionToolCallArgumentsDoneEvent,
    LogprobsContentDeltaEvent,
    LogprobsContentDoneEvent,
    LogprobsRefusalDeltaEvent,
    LogprobsRefusalDoneEvent,
    RefusalDeltaEvent,
    RefusalDoneEvent,
)
from .types.chat.parsed_chat_completion import ParsedChatCompletion

_T = TypeVar("_T")
_C = TypeVar("_C", bound=ChatCompletion)
_LEGACY_FUNCTION_CALL = None  # its slot among the tool calls, which have int indexes


class _PartialJSON:
    """The JSON text seen so far, decoded as if what is still open were closed."""

    # It reads each piece once, keeping what is open (brackets, a string) and the last
    # place a cut leaves only whole values: after `{`, `[`, `}` or `]`, before `,`.
    # `{"a": 1, "b": tr` cannot be completed as it stands, but the cut `{"a": 1}` can.

    __slots__ = ("text", "closers", "in_string", "escaped", "cut", "cut_closers")

    def __init__(self) -> None:
        self.text = ""
        self.closers: list[str] = []
        self.in_string = False
        self.escaped = False
        self.cut = 0
        self.cut_closers = ""

    def feed(self, piece: str) -> Any:
        start = len(self.text)
        self.text += piece
        closers = self.closers
        for offset, char in enumerate(piece):
            if self.in_string:
                if self.escaped:
                    self.escaped = False
                elif char == "\\":
                    self.escaped = True
                elif char == '"':
                    self.in_string = False
            elif char == '"':
                self.in_string = True
            elif char in "{[,}]":
                if char == "{" or char == "[":
                    closers.append("}" if char == "{" else "]")
                elif char != "," and closers:
                    closers.pop()
                self.cut = start + offset + (char != ",")
                self.cut_closers = "".join(reversed(closers))
        return self.value()

    def value(self) -> Any:
        text = self.text
        if not text or text.isspace():
            return None
        whole = text + ('"' if self.in_string else "") + "".join(reversed(self.closers))
        for candidate in (whole, text[: self.cut] + self.cut_closers):
            try:
                return msgspec.json.decode(candidate)
            except msgspec.DecodeError:
                pass
        return None


class _CallState:
    __slots__ = ("id", "type", "name", "parts", "partial", "parsed")

    def __init__(self) -> None:
        self.id: str | None = None
        self.type: str | None = None
        self.name: str | None = None
        self.parts: list[str] = []
        self.partial: _PartialJSON | None = None  # for a tool with a type
        self.parsed: Any = None


class _ChoiceState:
    __slots__ = (
        "parts",
        "role",
        "finish_reason",
        "refusal",
        "reasoning",
        "tools",
        "moved",
        "logprobs",
        "refusal_logprobs",
        "partial",
        "parsed",
        "current_tool",
        "done",
        "done_tools",
    )

    def __init__(self, typed: bool) -> None:
        self.parts: list[str] = []
        self.role: str | None = None
        self.finish_reason: str | None = None
        self.refusal: list[str] = []
        self.reasoning: list[str] = []
        # key -> the call so far. The key is the call's `index`, unless another call held
        # that index first (see _call_key); the legacy function_call has a key of its own.
        self.tools: dict[Any, _CallState] = {}
        self.moved: dict[int, int] = {}  # index -> the key of the call that took it over
        self.logprobs: list[Any] = []
        self.refusal_logprobs: list[Any] = []
        self.partial = _PartialJSON() if typed else None  # with a response_format type
        self.parsed: Any = None  # the content decoded: partly as it comes, then whole
        self.current_tool: int | None = None  # the tool call being streamed
        self.done: set[str] = set()  # "content", "refusal", ... whose done event was given
        self.done_tools: set[int] = set()


# Where a tool call delta goes among the choice's calls: to the call at its `index`, unless
# that call has another id. Some servers (Ollama behind LiteLLM, gateways translating other
# APIs) send parallel calls all at index 0, each with an id of its own: merged by index, the
# last call's name would get every call's arguments run together (`{"a": 1}{"city": ...}`)
# and the others would be lost. Such a call takes the next free key instead, and the later
# deltas at its index, which carry no id, follow it there.
def _call_key(state: _ChoiceState, call: Any) -> int:
    index: int = call.index
    key = state.moved.get(index, index)
    held = state.tools.get(key)
    if held is not None and held.id and call.id and call.id != held.id:
        key = max(k for k in state.tools if k is not _LEGACY_FUNCTION_CALL) + 1
        state.moved[index] = key
    return key


class ChatCompletionAccumulator(Generic[_T]):
    """Feed it chunks with `add()`; `final_completion()` is the `ChatCompletion` they make."""

    # Text is concatenated, the first role and last finish_reason kept, tool calls merged
    # by `index`. Both dialects: Edgen's new id per chunk (the first is kept), OpenAI's
    # role-only first chunk, empty final delta and usage-only last chunk.
    # `handle_chunk()` also returns the events the chunk makes, as `stream()` yields them;
    # `response_format` (a type) and `tools` (made by `function_tool()`) give them
    # `parsed` and `parsed_arguments` values.

    __slots__ = (
        "_choices",
        "_first",
        "_usage",
        "_fingerprint",
        "_content_type",
        "_tool_types",
        "_snapshot",
        "_plain",
    )

    def __init__(
        self, *, response_format: type[_T] | None = None, tools: Iterable[Any] | None = None
    ) -> None:
        self._choices: dict[int, _ChoiceState] = {}
        self._first: ChatCompletionChunk | None = None
        self._usage: Any = None
        self._fingerprint: str | None = None
        self._content_type: Any = response_format
        self._tool_types: dict[str, Any] = tool_types(tools)
        self._snapshot: ParsedChatCompletion[object] | None = None
        # index -> state of the choices whose plain content chunks _take_plain() takes: no
        # response_format type (whose `parsed` must keep up) and no finish_reason yet (after
        # which a chunk may end things).
        self._plain: dict[int, _ChoiceState] = {}

    def add(self, chunk: ChatCompletionChunk) -> ChatCompletionChunk:
        """Take one chunk into account; returns it, so `map(acc.add, stream)` reads well."""
        self.handle_chunk(chunk)
        return chunk

    def add_all(self, chunks: Iterable[ChatCompletionChunk]) -> ChatCompletionAccumulator[_T]:
        """Take every chunk of an iterable; returns self."""
        for chunk in chunks:
            self.handle_chunk(chunk)
        return self

    def handle_chunk(self, chunk: ChatCompletionChunk) -> list[ChatCompletionStreamEvent[_T]]:
        """Take one chunk into account; returns the events it makes, its `chunk` event first."""
        raw: Any = chunk  # its storage slots are not declared for type checkers
        if self._first is None:
            self._first = chunk
        self._snapshot = None
        if raw.usage_:
            self._usage = raw.usage_
        if raw.system_fingerprint_:
            self._fingerprint = raw.system_fingerprint_
        events: list[Any] = [ChunkEvent(chunk, self)]
        states = self._choices
        for choice in raw.choices:
            state = states.get(choice.index)
            if state is None:
                typed = self._content_type is not None
                state = states[choice.index] = _ChoiceState(typed)
                if not typed:
                    self._plain[choice.index] = state
            delta = choice.delta
            if state.role is None and delta.role_:
                state.role = delta.role_
            content = delta.content_
            if content is not None and content is not UNSET:  # "" too, as openai-python
                parts = state.parts
                parts.append(content)
                if state.partial is not None and not state.refusal:
                    state.parsed = state.partial.feed(content)
                events.append(ContentDeltaEvent(content, parts, len(parts), state.parsed))
            # Most chunks carry content alone: one test passes over the rest.
            calls = delta.tool_calls_
            logprobs = choice.logprobs_
            keys: Sequence[int] = ()  # of the tool calls in `calls`
            if calls or logprobs or delta.refusal_ is not UNSET or delta.reasoning_content_:
                keys = self._take_others(state, delta, calls, logprobs, events)
            if delta.function_call_:
                self._merge_call(state, _LEGACY_FUNCTION_CALL, delta.function_call_)
            if choice.finish_reason_:
                state.finish_reason = choice.finish_reason_
                self._plain.pop(choice.index, None)
            if calls or state.finish_reason:
                self._done_events(state, keys, events)
        return events

    # What handle_chunk() does with a chunk that is one choice's next piece of content, minus
    # the chunk event (the stream makes it): nearly every chunk of a stream is one, so this
    # decides what a stream() chunk costs over a plain stream's. None, having taken nothing,
    # for any other chunk.
    def _take_plain(self, chunk: ChatCompletionChunk) -> ContentDeltaEvent | None:
        raw: Any = chunk
        choices = raw.choices
        if len(choices) != 1 or raw.usage_:
            return None
        choice = choices[0]
        state = self._plain.get(choice.index)
        delta = choice.delta
        content = delta.content_
        refusal = delta.refusal_
        if (
            state is None
            or not content  # "" is content too, and None/UNSET is none: handle_chunk
            or choice.finish_reason_
            or choice.logprobs_
            or delta.tool_calls_
            or delta.function_call_
            or delta.reasoning_content_
            or (refusal is not UNSET and refusal is not None)
            or (delta.role_ and state.role is None)
        ):
            return None
        fingerprint = raw.system_fingerprint_
        if fingerprint:
            self._fingerprint = fingerprint
        self._snapshot = None
        parts = state.parts
        parts.append(content)
        return ContentDeltaEvent(content, parts, len(parts))

    # Returns the keys of the tool calls in `calls`.
    def _take_others(
        self, state: _ChoiceState, delta: Any, calls: Any, logprobs: Any, events: list[Any]
    ) -> list[int]:
        refusal = delta.refusal_
        if refusal is not None and refusal is not UNSET:
            state.refusal.append(refusal)
            events.append(RefusalDeltaEvent(refusal, state.refusal, len(state.refusal)))
        if delta.reasoning_content_:
            state.reasoning.append(delta.reasoning_content_)
        keys = []
        for call in calls or ():
            key = _call_key(state, call)  # before the next call's: this one may take a key
            keys.append(key)
            events.append(self._merge_call(state, key, call))
        if logprobs:
            if logprobs.content:
                every = state.logprobs
                every.extend(logprobs.content)
                events.append(LogprobsContentDeltaEvent(logprobs.content, every, len(every)))
            if logprobs.refusal:
                every = state.refusal_logprobs
                every.extend(logprobs.refusal)
                events.append(LogprobsRefusalDeltaEvent(logprobs.refusal, every, len(every)))
        return keys

    def _merge_call(self, state: _ChoiceState, index: int | None, call: Any) -> Any:
        slot = state.tools.get(index)
        if slot is None:
            slot = state.tools[index] = _CallState()
        function = call  # the legacy function_call is the function itself
        if index is not _LEGACY_FUNCTION_CALL:
            function = call.function
            if call.id:
                slot.id = call.id
            if call.type:
                slot.type = call.type
        piece = ""
        if function is not None:
            if function.name:
                slot.name = function.name
                if slot.partial is None and slot.name in self._tool_types:
                    slot.partial = _PartialJSON()
            if function.arguments:
                piece = function.arguments
                slot.parts.append(piece)
                if slot.partial is not None:
                    slot.parsed = slot.partial.feed(piece)
        if index is _LEGACY_FUNCTION_CALL:
            return None
        return FunctionToolCallArgumentsDeltaEvent(
            slot.name or "", index, slot.parsed, piece, slot.parts, len(slot.parts)
        )

    # Content and refusal end with the finish_reason or when a tool call starts; a tool
    # call ends when the next one starts or with the finish_reason.
    def _done_events(self, state: _ChoiceState, keys: Sequence[int], events: list[Any]) -> None:
        for key in keys:
            if state.current_tool != key:
                self._text_done(state, events)
                if state.current_tool is not None:
                    self._tool_done(state, state.current_tool, events)
                state.current_tool = key
        if state.finish_reason:
            self._text_done(state, events)
            if state.current_tool is not None:
                self._tool_done(state, state.current_tool, events)

    def _text_done(self, state: _ChoiceState, events: list[Any]) -> None:
        done = state.done
        if state.parts and "content" not in done:
            content = "".join(state.parts)
            if content:
                done.add("content")
                parsed = None
                if self._content_type is not None and not state.refusal:
                    parsed = state.parsed = self._decode(self._content_type, content, "content")
                events.append(ContentDoneEvent(content, parsed))
        if state.refusal and "refusal" not in done:
            done.add("refusal")
            events.append(RefusalDoneEvent("".join(state.refusal)))
        if state.logprobs and "logprobs" not in done:
            done.add("logprobs")
            events.append(LogprobsContentDoneEvent(list(state.logprobs)))
        if state.refusal_logprobs and "refusal_logprobs" not in done:
            done.add("refusal_logprobs")
            events.append(LogprobsRefusalDoneEvent(list(state.refusal_logprobs)))

    def _tool_done(self, state: _ChoiceState, index: int, events: list[Any]) -> None:
        if index in state.done_tools:
            return
        state.done_tools.add(index)
        call = state.tools[index]
        name = call.name or ""
        arguments = "".join(call.parts)
        tp = self._tool_types.get(name)
        if tp is not None:
            call.parsed = self._decode(tp, arguments, f"arguments of {name}")
        events.append(FunctionToolCallArgumentsDoneEvent(name, index, arguments, call.parsed))

    def _decode(self, tp: Any, text: str, what: str) -> Any:
        try:
            return decode_as(tp, text, what, None)
        except StructuredOutputError as exc:
            exc.completion = self.completion_snapshot()
            raise

    def pending_done_events(self) -> list[ChatCompletionStreamEvent[_T]]:
        """The done events not given yet, as if every choice had its finish_reason now."""
        # For a stream that ended well without finish_reasons: Edgen's own dialect sends none.
        events: list[Any] = []
        for state in self._choices.values():
            self._text_done(state, events)
            if state.current_tool is not None:
                self._tool_done(state, state.current_tool, events)
        return events

    @property
    def text(self) -> str:
        """The first choice's content so far."""
        state = self._choices.get(0)
        return "".join(state.parts) if state is not None else ""

    @property
    def finished(self) -> bool:
        """Whether every choice seen so far has its finish_reason."""
        states = self._choices.values()
        return bool(states) and all(state.finish_reason for state in states)

    def final_completion(self) -> ChatCompletion:
        """The completion the chunks seen so far add up to."""
        return self._build(ChatCompletion, with_parsed=False)

    def completion_snapshot(self) -> ParsedChatCompletion[object]:
        """The completion so far, with `parsed` values as decoded so far."""
        if self._snapshot is None:
            self._snapshot = self._build(ParsedChatCompletion, with_parsed=True)
        return self._snapshot

    def _build(self, cls: type[_C], with_parsed: bool) -> _C:
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
            if with_parsed and state.parsed is not None:
                message["parsed"] = state.parsed
            calls: dict[Any, dict[str, Any]] = {}
            for key, call in state.tools.items():
                function: dict[str, Any] = {
                    "name": call.name or "",
                    "arguments": "".join(call.parts),
                }
                if with_parsed and call.parsed is not None:
                    function["parsed_arguments"] = call.parsed
                calls[key] = {
                    "id": call.id or "",
                    "type": call.type or "function",
                    "function": function,
                }
            if _LEGACY_FUNCTION_CALL in calls:
                function = calls.pop(_LEGACY_FUNCTION_CALL)["function"]
                function.pop("parsed_arguments", None)
                message["function_call"] = function
            if calls:
                message["tool_calls"] = [call for _, call in sorted(calls.items())]
            choice = {"index": index, "message": message, "finish_reason": state.finish_reason}
            if state.logprobs or state.refusal_logprobs:
                choice["logprobs"] = {
                    "content": state.logprobs or None,
                    "refusal": state.refusal_logprobs or None,
                }
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
        return msgspec.convert(completion, cls)


class _StreamHelpers(Generic[_T]):  # what the sync and async chat streams share
    def __init__(self, stream: Any, content_type: Any, tools: dict[str, Any]) -> None:
        self._stream = stream
        self.response = stream.response
        self.accumulator: ChatCompletionAccumulator[_T] = ChatCompletionAccumulator(
            response_format=content_type
        )
        self.accumulator._tool_types = tools
        self._content_type = content_type
        self._tools = tools
        # Keep one underlying iterator: leaving a for-loop here must not end
        # the stream, since until_done() may still want the rest.
        self._source = stream._started()

    @property
    def current_completion_snapshot(self) -> ParsedChatCompletion[object]:
        """The completion so far, without waiting for the rest."""
        return self.accumulator.completion_snapshot()

    # OpenAI-style servers end every choice with a finish_reason before `[DONE]`; one
    # that sent `[DONE]` without them stopped early (llama.cpp, when a newer request
    # interrupts this one). Edgen's own dialect has neither, so nothing can be told there.
    def _cut_short(self) -> bool:
        return bool(self._stream._state.done) and not self.accumulator.finished

    # After the last chunk: the done events a finish_reason would have brought, unless
    # the stream was cut short (then get_final_completion() says so).
    def _last_events(self) -> list[ChatCompletionStreamEvent[_T]]:
        return [] if self._cut_short() else self.accumulator.pending_done_events()

    # The completion of a stream that has ended; one the server cut short is refused.
    def _finished(self) -> ParsedChatCompletion[_T]:
        self._refuse_cut_short()
        completion: ParsedChatCompletion[_T] = self.accumulator._build(
            ParsedChatCompletion, with_parsed=False
        )
        return completion

    def _refuse_cut_short(self) -> None:
        if self._cut_short():
            completion = self.accumulator._build(ParsedChatCompletion, with_parsed=False)
            raise IncompleteStreamError(
                self.response,
                completion,
                message=(
                    "The stream ended with [DONE] before a finish_reason: the server cut the "
                    "answer short (llama.cpp does when another request interrupts it). What "
                    "arrived is in this error's .completion"
                ),
            )

    def _final(self) -> ParsedChatCompletion[_T]:
        completion = self._finished()
        if self._content_type is None and not self._tools:
            return completion
        filled: ParsedChatCompletion[_T] = fill_parsed(completion, self._content_type, self._tools)
        return filled


class ChatCompletionStream(_StreamHelpers[_T]):
    """A chat stream that yields events (`event.type`) and remembers what the chunks add up to."""

    _source: Iterator[ChatCompletionChunk]

    def __init__(self, stream: Any, content_type: Any, tools: dict[str, Any]) -> None:
        super().__init__(stream, content_type, tools)
        self._events = self._generate()

    def _generate(self) -> Iterator[ChatCompletionStreamEvent[_T]]:
        accumulator = self.accumulator
        take_plain, handle = accumulator._take_plain, accumulator.handle_chunk
        for chunk in self._source:
            delta = take_plain(chunk)
            if delta is None:
                yield from handle(chunk)
            else:
                yield ChunkEvent(chunk, accumulator)
                yield delta
        yield from self._last_events()

    # The same iterator each time, so a loop left with `break` resumes where it stopped.
    def __iter__(self) -> Iterator[ChatCompletionStreamEvent[_T]]:
        return self._events

    def __next__(self) -> ChatCompletionStreamEvent[_T]:
        return next(self._events)

    def until_done(self) -> ChatCompletionStream[_T]:
        """Read the rest of the stream; returns self."""
        for _ in self._events:
            pass
        return self

    def get_final_completion(self) -> ParsedChatCompletion[_T]:
        """The whole completion; `parsed` filled when a type was requested."""
        return self.until_done()._final()

    def get_final_text(self) -> str:
        """The first choice's whole content."""
        self.until_done()._refuse_cut_short()
        return self.accumulator.text

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> ChatCompletionStream[_T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncChatCompletionStream(_StreamHelpers[_T]):
    """The async twin of `ChatCompletionStream`; the getters are awaitable."""

    _source: AsyncIterator[ChatCompletionChunk]

    def __init__(self, stream: Any, content_type: Any, tools: dict[str, Any]) -> None:
        super().__init__(stream, content_type, tools)
        self._events = self._generate()

    async def _generate(self) -> AsyncIterator[ChatCompletionStreamEvent[_T]]:
        accumulator = self.accumulator
        take_plain, handle = accumulator._take_plain, accumulator.handle_chunk
        async for chunk in self._source:
            delta = take_plain(chunk)
            if delta is None:
                for event in handle(chunk):
                    yield event
            else:
                yield ChunkEvent(chunk, accumulator)
                yield delta
        for event in self._last_events():
            yield event

    def __aiter__(self) -> AsyncIterator[ChatCompletionStreamEvent[_T]]:
        return self._events

    async def __anext__(self) -> ChatCompletionStreamEvent[_T]:
        return await self._events.__anext__()

    async def until_done(self) -> AsyncChatCompletionStream[_T]:
        async for _ in self._events:
            pass
        return self

    async def get_final_completion(self) -> ParsedChatCompletion[_T]:
        return (await self.until_done())._final()

    async def get_final_text(self) -> str:
        (await self.until_done())._refuse_cut_short()
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
