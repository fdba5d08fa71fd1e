"""The events `client.chat.completions.stream()` yields, with openai-python's names and fields.

Each chunk gives a `chunk` event, then per choice the deltas it carried (`content.delta`,
`refusal.delta`, `tool_calls.function.arguments.delta`, `logprobs.*.delta`), then the
`*.done` events of whatever it finished: content and refusal end with the choice's
finish_reason or when a tool call starts; a tool call ends when the next one starts or
with the finish_reason.
"""

# msgspec Structs, as they are the cheapest objects to make: a stream makes one or two
# per chunk. The running `snapshot` / `arguments` texts are joined only when read, from
# the parts so far and how many of them belonged to this event (the underscored fields),
# which keeps the per-chunk cost flat as the answer grows.

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Generic, Literal, Protocol, TypeVar, Union

import msgspec

from .chat_completion_chunk import ChatCompletionChunk
from .chat_completion_token_logprob import ChatCompletionTokenLogprob

if TYPE_CHECKING:
    from .parsed_chat_completion import ParsedChatCompletion

ResponseFormatT = TypeVar("ResponseFormatT")


class _Snapshots(Protocol):
    # What a chunk event asks for its snapshot: the stream's accumulator.
    def completion_snapshot(self) -> ParsedChatCompletion[object]: ...


class _Event(msgspec.Struct):
    type: ClassVar[str]
    _shown: ClassVar[tuple[str, ...]] = ()  # what repr() shows, the running texts included

    def __repr__(self) -> str:
        fields = "".join(f", {name}={getattr(self, name)!r}" for name in self._shown)
        return f"{type(self).__name__}(type={self.type!r}{fields})"


class ChunkEvent(_Event):
    """Every chunk, as it came, with the completion accumulated so far."""

    type: ClassVar[Literal["chunk"]] = "chunk"
    _shown: ClassVar[tuple[str, ...]] = ("chunk",)
    chunk: ChatCompletionChunk
    _source: _Snapshots

    @property
    def snapshot(self) -> ParsedChatCompletion[object]:
        """The completion so far (built when read, then kept until the next chunk arrives)."""
        # openai-python's snapshot is one object updated in place, so an old event shows
        # the newest state there too.
        return self._source.completion_snapshot()


class ContentDeltaEvent(_Event):
    """A choice's `delta.content`; `snapshot` is its content so far."""

    # `parsed`: with a `response_format` type, the JSON so far, completed and decoded
    # into dicts and lists; otherwise None.

    type: ClassVar[Literal["content.delta"]] = "content.delta"
    _shown: ClassVar[tuple[str, ...]] = ("delta", "snapshot", "parsed")
    delta: str
    _parts: list[str]
    _count: int
    parsed: object = None

    @property
    def snapshot(self) -> str:
        return "".join(self._parts[: self._count])


class ContentDoneEvent(_Event, Generic[ResponseFormatT]):
    """A choice's whole content; `parsed` is it decoded into the `response_format` type."""

    type: ClassVar[Literal["content.done"]] = "content.done"
    _shown: ClassVar[tuple[str, ...]] = ("content", "parsed")
    content: str
    parsed: ResponseFormatT | None = None


class RefusalDeltaEvent(_Event):
    type: ClassVar[Literal["refusal.delta"]] = "refusal.delta"
    _shown: ClassVar[tuple[str, ...]] = ("delta", "snapshot")
    delta: str
    _parts: list[str]
    _count: int

    @property
    def snapshot(self) -> str:
        return "".join(self._parts[: self._count])


class RefusalDoneEvent(_Event):
    type: ClassVar[Literal["refusal.done"]] = "refusal.done"
    _shown: ClassVar[tuple[str, ...]] = ("refusal",)
    refusal: str


class FunctionToolCallArgumentsDeltaEvent(_Event):
    """A piece of a tool call's arguments; `arguments` is their JSON text so far."""

    # `parsed_arguments`: for a tool made with `function_tool()`, the JSON so far,
    # completed and decoded into dicts and lists; otherwise None.

    type: ClassVar[Literal["tool_calls.function.arguments.delta"]] = (
        "tool_calls.function.arguments.delta"
    )
    _shown: ClassVar[tuple[str, ...]] = (
        "name",
        "index",
        "arguments",
        "parsed_arguments",
        "arguments_delta",
    )
    name: str
    index: int
    parsed_arguments: object
    arguments_delta: str
    _parts: list[str]
    _count: int

    @property
    def arguments(self) -> str:
        return "".join(self._parts[: self._count])


class FunctionToolCallArgumentsDoneEvent(_Event):
    """A tool call's whole arguments; `parsed_arguments` as with `parse()` (else None)."""

    type: ClassVar[Literal["tool_calls.function.arguments.done"]] = (
        "tool_calls.function.arguments.done"
    )
    _shown: ClassVar[tuple[str, ...]] = ("name", "index", "arguments", "parsed_arguments")
    name: str
    index: int
    arguments: str
    parsed_arguments: object


class LogprobsContentDeltaEvent(_Event):
    type: ClassVar[Literal["logprobs.content.delta"]] = "logprobs.content.delta"
    _shown: ClassVar[tuple[str, ...]] = ("content",)
    content: list[ChatCompletionTokenLogprob]
    _every: list[ChatCompletionTokenLogprob]
    _count: int

    @property
    def snapshot(self) -> list[ChatCompletionTokenLogprob]:
        return self._every[: self._count]


class LogprobsContentDoneEvent(_Event):
    type: ClassVar[Literal["logprobs.content.done"]] = "logprobs.content.done"
    _shown: ClassVar[tuple[str, ...]] = ("content",)
    content: list[ChatCompletionTokenLogprob]


class LogprobsRefusalDeltaEvent(_Event):
    type: ClassVar[Literal["logprobs.refusal.delta"]] = "logprobs.refusal.delta"
    _shown: ClassVar[tuple[str, ...]] = ("refusal",)
    refusal: list[ChatCompletionTokenLogprob]
    _every: list[ChatCompletionTokenLogprob]
    _count: int

    @property
    def snapshot(self) -> list[ChatCompletionTokenLogprob]:
        return self._every[: self._count]


class LogprobsRefusalDoneEvent(_Event):
    type: ClassVar[Literal["logprobs.refusal.done"]] = "logprobs.refusal.done"
    _shown: ClassVar[tuple[str, ...]] = ("refusal",)
    refusal: list[ChatCompletionTokenLogprob]


ChatCompletionStreamEvent = Union[
    ChunkEvent,
    ContentDeltaEvent,
    ContentDoneEvent[ResponseFormatT],
    RefusalDeltaEvent,
    RefusalDoneEvent,
    FunctionToolCallArgumentsDeltaEvent,
    FunctionToolCallArgumentsDoneEvent,
    LogprobsContentDeltaEvent,
    LogprobsContentDoneEvent,
    LogprobsRefusalDeltaEvent,
    LogprobsRefusalDoneEvent,
]
"""Any event of `chat.completions.stream()`; tell them apart by `.type`."""
