# The emulated routes in both wire dialects: request shapes, fake output and faults.

from __future__ import annotations

import collections
import fnmatch
import functools
import hashlib
import itertools
import math
import random
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.client import responses
from json import dumps
from typing import Annotated, Any, Literal
from urllib.parse import unquote

import msgspec
from msgspec import Struct

from ._records import RecordedRequest as Request  # the handlers get the logged request
from ._records import UploadedFile

FROST_TEXT = (
    " The woods are lovely, dark and deep, but I have promises to keep and miles to go"
    " before I sleep, and miles to go before I sleep."
)
_ACTIVE_MODELS = {
    "chat": "neural-chat-7b-v3-3.Q4_K_M.gguf",
    "embeddings": "nomic-embed-text-v1.5.f16.gguf",
    "audio": "ggml-distil-small.en.bin",
}
_JSON = ("content-type", "application/json")
_TEXT = ("content-type", "text/plain; charset=utf-8")
_WORDS = (
    "the quick brown fox jumps over a lazy dog while local models answer every question "
    "on your own machine fast private and small token by token until done"
).split()

_encode = msgspec.json.encode
_MAX_WAIT = 86_400.0  # seconds; a longer stall or token delay is a mistake

# -- JSON that fits a schema (the parts msgspec.json.schema() and tool schemas use)


def value_for_schema(schema: Any, rng: random.Random, root: Any = None, depth: int = 0) -> Any:
    if not isinstance(schema, dict) or depth > 12:
        return None
    root = schema if root is None else root
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if isinstance(kind, list):
        kind = rng.choice([k for k in kind if k != "null"] or ["null"])
    if "$ref" in schema:
        target = root
        for key in schema["$ref"].lstrip("#/").split("/"):
            target = _dict(target).get(key)
        options = [target]
    else:
        # Prefer a non-null branch: an answer of nulls tests little.
        options = schema.get("anyOf") or schema.get("oneOf") or []
        options = [o for o in options if _dict(o).get("type") != "null"] or options
    if options:
        return value_for_schema(rng.choice(options), rng, root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return rng.choice(schema["enum"])
    if kind == "object":
        properties = _dict(schema.get("properties")).items()
        return {k: value_for_schema(v, rng, root, depth + 1) for k, v in properties}
    if kind == "array":
        least = int(_bound(schema, "minItems", 1))
        count = rng.randint(least, int(max(least, _bound(schema, "maxItems", 3))))
        items = schema.get("items", {})
        return [value_for_schema(items, rng, root, depth + 1) for _ in range(count)]
    if kind in ("integer", "number"):
        low = _bound(schema, "minimum", 0)
        high = max(low, _bound(schema, "maximum", low + 100))
        return rng.randint(int(low), int(high)) if kind == "integer" else rng.uniform(low, high)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "null":
        return None
    return " ".join(rng.choices(_WORDS, k=rng.randint(1, 3)))


def _dict(value: Any) -> dict[str, Any]:
    # What is not an object counts as an empty one.
    return value if isinstance(value, dict) else {}


def _bound(schema: dict[str, Any], key: str, default: float) -> float:
    # A schema may hold any JSON where a number belongs.
    value = schema.get(key)
    return value if isinstance(value, (int, float)) and abs(value) < 1e18 else default


def split_text(text: str) -> list[str]:
    # Stream-sized pieces, as a model emits JSON a few characters at a time.
    return [text[i : i + 6] for i in range(0, len(text), 6)] or [""]


# -- faults

_Count = Annotated[int, msgspec.Meta(ge=0)]


class FaultSpecError(ValueError):
    """Raised for a fault spec that cannot be parsed."""


# The keys of a spec such as "status=429;retry_after=1;times=2;key=a":
# - status=<code>: the dialect's error body, plus retry_after=<s>, retry_after_ms=<n>,
#   kind=<Edgen error kind> (tagged JSON, status 500 by default) or body=<text> (verbatim,
#   last: it may hold ";").
# - times=<n>;key=<k> (header form): only the first n requests with that key get it.
# - stall=<s>: wait before answering. close: close without a response.
# - drop_after=<n>: close after n SSE events (or body bytes).
# - malformed_after=<n>: insert `data: {"id": broken` after n events.
# - error_event_after=<n>: end the stream with an in-band {"error": ...} event.


class Fault(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One fault to inject into a response (its keys are listed in this module)."""

    status: Annotated[int, msgspec.Meta(ge=100, le=999)] | None = None
    retry_after: str | None = None
    retry_after_ms: _Count | None = None
    body: str | None = None
    kind: str | None = None
    stall: Annotated[float, msgspec.Meta(ge=0, le=_MAX_WAIT)] = 0.0
    drop_after: _Count | None = None
    malformed_after: _Count | None = None
    error_event_after: _Count | None = None
    close: bool = False
    times: Annotated[int, msgspec.Meta(ge=1)] | None = None
    key: str | None = None

    @classmethod
    def parse(cls, spec: str) -> Fault:
        """Parse a spec such as ``"status=429;times=2"``."""
        items, found, body = spec.partition("body=")  # the body is the rest: it may hold ";"
        values = {"body": body} if found else {}
        for item in items.split(";"):
            name, eq, value = item.partition("=")
            name = name.strip().lower().replace("-", "_")
            if name and not eq and name != "close":
                raise FaultSpecError(f"fault item {item!r} has no '=' (spec {spec!r})")
            if name:
                values[name] = value.strip() if eq else "true"
        try:
            return msgspec.convert(values, cls, strict=False)
        except msgspec.ValidationError as exc:
            raise FaultSpecError(f"{exc} (spec {spec!r})") from None

    @property
    def is_error(self) -> bool:
        """True when the fault replaces the response with an error response."""
        return self.status is not None or self.kind is not None or self.body is not None


# -- request bodies: each Struct only validates (422, or openai's 400, on a mismatch); the
# handlers read the decoded JSON.

U32 = Annotated[int, msgspec.Meta(ge=0, le=2**32 - 1)]
U64 = Annotated[int, msgspec.Meta(ge=0)]  # msgspec cannot bound it; JSON caps it anyway


class _Function(Struct):
    name: str
    parameters: Any  # required by Edgen, unlike OpenAI
    description: str | None = None


class _Tool(Struct):
    type: str
    function: _Function


class _TextPart(Struct, tag="text"):
    text: str


class _ImagePart(Struct, tag="image_url"):  # flat, unlike OpenAI's nested image_url
    url: str
    detail: str | None = None


class _Message(Struct, tag_field="role", kw_only=True):
    content: str | None = None
    name: str | None = None


class _System(_Message, tag="system"):
    pass


class _User(_Message, tag="user"):
    content: str | list[_TextPart | _ImagePart]  # type: ignore[assignment]  # required here


class _Assistant(_Message, tag="assistant"):
    tool_calls: list[dict[str, Any]] | None = None


class _ToolResult(_Message, tag="tool"):
    tool_call_id: str


class _Chat(Struct):
    model: str
    messages: list[_System | _User | _Assistant | _ToolResult] = []
    stream: bool | None = None
    max_tokens: U32 | None = None
    n: U32 | None = None
    seed: U32 | None = None
    context_hint: U32 | None = None
    one_shot: bool | None = None
    temperature: float | None = None
    top_p: float | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    stop: str | list[str] | None = None
    logit_bias: dict[str, float] | None = None
    user: str | None = None
    tools: list[_Tool] | None = None
    tool_choice: str | _Tool | None = None


class _OpenAIMessage(Struct):
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]


class _OpenAIChat(Struct):
    model: str
    messages: list[_OpenAIMessage]
    stream: bool | None = None
    max_tokens: U32 | None = None
    max_completion_tokens: U32 | None = None


class _Embeddings(Struct):
    model: str
    input: str | list[str]
    encoding_format: str | None = None
    dimensions: U32 | None = None


class _ImageFiles(Struct):
    unet_weights: str
    vae_weights: str
    clip_weights: str
    tokenizer: str
    clip2_weights: str | None = None


class _Images(Struct):
    prompt: str
    # Externally tagged: {"Left": name} or {"Right": files}
    model: Annotated[
        dict[Literal["Left", "Right"], str | _ImageFiles], msgspec.Meta(min_length=1, max_length=1)
    ]
    width: U64 | None = None
    height: U64 | None = None
    steps: U64 | None = None
    uncond_prompt: str | None = None
    images: U32 | None = None
    seed: U64 | None = None
    guidance_scale: float | None = None
    vae_scale: float | None = None


def _true_or_false(value: str) -> None:
    if value not in ("true", "false"):
        raise ValueError("provided string was not `true` or `false`")


# Transcription form fields -> (the Rust type in errors, a parser raising ValueError).
_FORM_FIELDS: dict[str, tuple[str, Callable[[str], object]]] = {
    **dict.fromkeys(("file", "model", "language", "prompt", "response_format"), ("String", str)),
    "temperature": ("f32", float),
    "create_session": ("bool", _true_or_false),
    "session": ("Uuid", uuid.UUID),
}

# -- responses


@dataclass
class Response:
    # With events: a 200 SSE stream, sent chunked.
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    events: list[bytes] | None = None
    prelude: bytes = b""  # first; faults do not count it (": ping")
    epilogue: bytes = b""  # last; faults do not count it ("[DONE]")
    delay: float = 0.0  # seconds before each paced event
    paced: range = range(0)  # the events that wait for it
    drop_after: int | None = None  # close after this many events (or body bytes)


class _Reject(Exception):
    pass  # aborts a handler with the Response in args[0]


def _json(status: int, obj: object) -> Response:
    return Response(status, _encode(obj), [_JSON])


def _text(status: int, text: str) -> Response:
    return Response(status, text.encode(), [_TEXT])


def _openai_error(
    status: int, message: str, type_: str | None = None, code: str | None = None
) -> Response:
    if type_ is None:
        type_ = "server_error" if status >= 500 else "invalid_request_error"
    return _json(status, {"error": {"message": message, "type": type_, "code": code}})


def _model_not_found(name: str) -> _Reject:
    return _Reject(_openai_error(404, f"The model `{name}` does not exist", code="model_not_found"))


def _edgen_error(kind: str, model_name: str) -> dict[str, object]:
    # A flat tagged Edgen error, with plausible members.
    reason = f'unknown model kind for model: ("{model_name}")'
    members: dict[str, dict[str, object]] = {
        "no_such_model": {"model_name": model_name},
        "unknown_model_kind": {"model_name": model_name, "reason": reason},
        "prohibited_name": {"model_name": model_name, "reason": "injected"},
        "endpoint": {"Load": "injected"},
        "preload": {"API": "injected"},
        "model": {"NotFound": None},
    }
    return {"error": kind, **members.get(kind, {})}


def _png(width: int, height: int, seed: bytes) -> bytes:
    # One colour, at most 64 pixels a side (real ones are 768).
    width, height = max(1, min(width, 64)), max(1, min(height, 64))
    rows = (b"\0" + hashlib.sha256(seed).digest()[:3] * width) * height  # filter byte 0: None
    png = b"\x89PNG\r\n\x1a\n"
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x08\x02\0\0\0"
    for tag, data in (b"IHDR", ihdr), (b"IDAT", zlib.compress(rows)), (b"IEND", b""):
        crc = zlib.crc32(tag + data).to_bytes(4, "big")
        png += len(data).to_bytes(4, "big") + tag + data + crc
    return png


@functools.lru_cache(maxsize=4096)
def _vector(seed: int, dim: int, text: str) -> list[float]:
    # A unit vector (cached: benchmarks repeat the inputs).
    rng = random.Random(hashlib.sha256(f"{seed}:{dim}:{text}".encode()).digest())
    values = [rng.random() * 2.0 - 1.0 for _ in range(dim)]
    norm = math.hypot(*values) or 1.0
    return [round(v / norm, 7) for v in values]


@functools.lru_cache(maxsize=1024)
def _tokens_for(seed: int, messages_json: bytes, count: int) -> tuple[str, ...]:
    # Llama-style: a leading space on all but the first (cached for load tests).
    rng = random.Random(hashlib.sha256(b"%d:%s" % (seed, messages_json)).digest())
    words = rng.choices(_WORDS, k=count)
    return tuple(w.capitalize() if i == 0 else " " + w for i, w in enumerate(words))


# -- R1 chat: an answer planned once, then framed for the dialect, whole or streamed


@dataclass
class _ChatAnswer:
    tokens: Sequence[str]  # the content, in the pieces a stream sends
    finish: str  # the finish_reason the openai dialect sends
    call: dict[str, Any] | None  # a tool call, sent instead of the content
    usage: dict[str, int]


def _setting_header(
    request: Request, name: str, default: float, parse: Callable[[str], float]
) -> float:
    # A per-request override of a setting: below 0 counts as 0, above _MAX_WAIT or not a
    # number of that kind is a 400.
    raw = request.headers.get(name)
    try:
        value = default if raw is None else max(0, parse(raw))
        if not value <= _MAX_WAIT:  # inf too
            raise ValueError
    except ValueError:
        raise _Reject(_text(400, f"invalid {name} header: {raw!r}")) from None
    return value


def _chat_answer(body: dict[str, Any], seed: int, count: int, openai: bool) -> _ChatAnswer:
    # Deterministic for the seed and the messages, as a seeded model is.
    limit = body.get("max_tokens", body.get("max_completion_tokens") if openai else None)
    finish = "stop"
    if limit is not None and limit < count:
        count, finish = limit, "length"
    key = _encode(body.get("messages") or [], order="sorted")
    tokens: Sequence[str] = _tokens_for(seed, key, min(count, 4096))  # Edgen's cap
    rng = random.Random(hashlib.sha256(b"%d:%s" % (seed, key)).digest())
    json_tokens = _json_tokens(body, rng)  # before the tool call: both draw from rng
    if json_tokens is not None:
        tokens = json_tokens
    call = _tool_call(body, rng) if openai else None
    if call is not None:
        finish = "tool_calls"
    prompt = len(key.split())  # a rough count: the words of the messages' JSON
    counts = [len(tokens), prompt, len(tokens) + prompt] if openai else [0, 0, 0]
    usage = dict(zip(("completion_tokens", "prompt_tokens", "total_tokens"), counts))
    return _ChatAnswer(tokens, finish, call, usage)


def _json_tokens(body: dict[str, Any], rng: random.Random) -> list[str] | None:
    # For a JSON response_format: a value that fits its schema ({"answer": ...} without one).
    # The schema comes as OpenAI's json_schema, or as json_object's `schema` (llama.cpp's
    # servers).
    fmt = _dict(body.get("response_format"))
    if fmt.get("type") == "json_schema":
        schema = _dict(fmt.get("json_schema")).get("schema")
    elif fmt.get("type") == "json_object":
        schema = fmt.get("schema")
    else:
        return None
    value = value_for_schema(schema or {"properties": {"answer": {}}}, rng)
    return split_text(_encode(value).decode())


def _tool_call(body: dict[str, Any], rng: random.Random) -> dict[str, Any] | None:
    # A call when tool_choice is "required" (the first tool) or names a function;
    # "auto" or no choice answers with text, so tests decide when tools run.
    choice = body.get("tool_choice")
    if choice != "required" and not isinstance(choice, dict):
        return None
    name = _dict(_dict(choice).get("function")).get("name")
    for tool in body.get("tools") or []:
        function = _dict(_dict(tool).get("function"))
        if choice == "required" or function.get("name") == name:
            arguments = _encode(value_for_schema(function.get("parameters") or {}, rng))
            function = {"name": function.get("name"), "arguments": arguments.decode()}
            return {"id": "call_" + uuid.uuid4().hex[:16], "type": "function", "function": function}
    return None


def _check_llama_cpp_python_format(body: dict[str, Any]) -> None:
    # llama-cpp-python validates the body with pydantic, and its route handler turns the
    # validation error into a 500 in the OpenAI error envelope.
    kind = _dict(body.get("response_format")).get("type", "text")
    if "response_format" not in body or kind in ("text", "json_object"):
        return
    message = (
        "1 validation error for CreateChatCompletionRequest\n"
        "response_format.type\n"
        "  Input should be 'text' or 'json_object' "
        f"[type=literal_error, input_value={kind!r}, input_type={type(kind).__name__}]"
    )
    error = {"message": message, "type": "internal_server_error", "param": None, "code": None}
    raise _Reject(_json(500, {"error": error}))


def _chat_head(model: str, openai: bool) -> dict[str, Any]:
    # Edgen's keys in its order; the values differ by dialect.
    return {
        "id": "chatcmpl-" + uuid.uuid4().hex if openai else str(uuid.uuid4()),
        "choices": [],
        "created": int(time.time()),
        "model": model if openai else "main",
        "system_fingerprint": "b0000-emulator" if openai else "edgen-0.1.5",
        "object": "chat.completion" if openai else "text_completion",
    }


def _choice(openai: bool, key: str, value: dict[str, Any], finish: str | None) -> dict[str, Any]:
    # Edgen sends no finish reason; OpenAI adds logprobs.
    extra = {"logprobs": None} if openai else {}
    return {key: value, "finish_reason": finish if openai else None, "index": 0, **extra}


def _completion(answer: _ChatAnswer, head: dict[str, Any], openai: bool) -> dict[str, Any]:
    message: dict[str, Any] = {
        "role": "assistant",
        "content": "".join(answer.tokens),
        "name": None,
        "tool_calls": None,
    }
    if answer.call is not None:
        message.update(content=None, tool_calls=[answer.call])
    choice = _choice(openai, "message", message, answer.finish)
    return {**head, "choices": [choice], "usage": answer.usage}


def _edgen_stream(answer: _ChatAnswer, head: dict[str, Any], delay: float) -> Response:
    events = []
    for token in answer.tokens:
        choice = _choice(False, "delta", {"content": token, "role": None}, None)
        chunk = {**head, "id": str(uuid.uuid4()), "choices": [choice]}  # Edgen: an id per chunk
        events.append(b"data: %s\n\n" % _encode(chunk))
    # The first token comes with the headers.
    return Response(200, events=events, delay=delay, paced=range(1, len(events)))


def _openai_deltas(answer: _ChatAnswer) -> list[dict[str, Any]]:
    # The role, then the content, or like a real server, the tool call's id and name and
    # then its arguments in pieces.
    deltas: list[dict[str, Any]] = [{"role": "assistant"}]
    if answer.call is None:
        deltas += [{"content": token} for token in answer.tokens]
        return deltas
    function = answer.call["function"]
    first = {**answer.call, "function": {**function, "arguments": ""}}
    deltas.append({"tool_calls": [{"index": 0, **first}]})
    for piece in split_text(function["arguments"]):
        deltas.append({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]})
    return deltas


def _openai_stream(
    answer: _ChatAnswer, head: dict[str, Any], delay: float, include_usage: bool
) -> Response:
    head = {**head, "object": "chat.completion.chunk"}
    deltas = _openai_deltas(answer)
    chunks = [{**head, "choices": [_choice(True, "delta", delta, None)]} for delta in deltas]
    chunks.append({**head, "choices": [_choice(True, "delta", {}, answer.finish)]})
    if include_usage:
        chunks.append({**head, "usage": answer.usage})
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    return Response(
        200,
        # llama.cpp writes its stream JSON with spaces after "," and ":".
        events=[b"data: %s\n\n" % dumps(chunk).encode() for chunk in chunks],
        prelude=b": ping - %s\n\n" % stamp.encode(),
        epilogue=b"data: [DONE]\n\n",
        delay=delay,
        # The role comes with the first token, the finish and usage with the last.
        paced=range(2, len(deltas)),
    )


@dataclass(kw_only=True, eq=False)
class App:
    # The settings, state and route handlers of EdgenEmulator.

    dialect: Literal["edgen", "openai"] = "edgen"
    seed: int = 0
    tokens: int = 8
    token_delay: float = 0.0
    strict_models: bool = False
    embedding_dim: int = 768
    max_body: int = 103_833_600  # the real server's default max_request_size
    max_recorded: int | None = 100_000
    # "json_object": response formats as llama-cpp-python's server takes them, `text` or
    # `json_object` (with an optional `schema`); a `json_schema` one fails as it does there.
    structured_outputs: Literal["json_schema", "json_object"] = "json_schema"

    def __post_init__(self) -> None:
        if self.dialect not in ("edgen", "openai"):
            raise ValueError(f"dialect must be 'edgen' or 'openai', not {self.dialect!r}")
        if self.structured_outputs not in ("json_schema", "json_object"):
            raise ValueError(
                "structured_outputs must be 'json_schema' or 'json_object', "
                f"not {self.structured_outputs!r}"
            )
        self.models = {  # id -> created (unix seconds)
            "TheBloke/neural-chat-7B-v3-3-GGUF": 1708333035,
            "distil-whisper/distil-small.en": 1708333030,
        }
        self.status: dict[str, dict[str, object]] = {}  # the AIStatus objects
        for key, model in _ACTIVE_MODELS.items():
            status = {"download_ongoing": False, "download_progress": 100, "last_errors": []}
            self.status[key] = {"active_model": model, **status}
        self.sessions: dict[str, float] = {}  # transcription session -> last use
        self._lock = threading.Condition()
        self._recorded: collections.deque[Request] = collections.deque(maxlen=self.max_recorded)
        self._pending: list[tuple[Fault, str | None]] = []  # one per time, with a route glob
        self._fault_counts: dict[str, int] = {}
        self._request_ids = itertools.count(1)

    def handle(self, request: Request, stopping: threading.Event) -> Response | None:
        # OpenAI names each answer in `x-request-id`; Edgen sends no such header.
        response = self._answer(request, stopping)
        if response is not None and self.dialect == "openai":
            response.headers.append(("x-request-id", f"req_{next(self._request_ids)}"))
        return response

    def _answer(self, request: Request, stopping: threading.Event) -> Response | None:
        # Log the request and answer it; None closes the connection unanswered.
        with self._lock:
            self._recorded.append(request)
            self._lock.notify_all()
        try:
            fault = self._select_fault(request)
        except FaultSpecError as exc:
            return _text(400, f"invalid x-emulator-fault header: {exc}")
        if fault is None:
            return self._dispatch(request)
        if stopping.wait(fault.stall) or fault.close:
            return None
        response = (
            self._fault_response(request, fault) if fault.is_error else self._dispatch(request)
        )
        events = response.events or []
        if fault.malformed_after is not None:
            events.insert(fault.malformed_after, b'data: {"id": broken\n\n')
        if fault.error_event_after is not None:
            error = b'data: {"error": {"message": "injected failure", "type": "server_error"}}\n\n'
            events[fault.error_event_after :] = [error]
            response.epilogue = b""
        response.drop_after = fault.drop_after
        return response

    def _select_fault(self, request: Request) -> Fault | None:
        spec = request.headers.get("x-emulator-fault")
        with self._lock:
            if spec:
                fault = Fault.parse(spec)
                key = fault.key or spec
                used = self._fault_counts[key] = self._fault_counts.get(key, 0) + 1
                return fault if fault.times is None or used <= fault.times else None
            for pending in self._pending:
                if pending[1] is None or fnmatch.fnmatchcase(request.route, pending[1]):
                    self._pending.remove(pending)
                    return pending[0]
        return None

    def _fault_response(self, request: Request, fault: Fault) -> Response:
        status = fault.status or 500
        message = f"injected {status} {responses.get(status, '')}"
        if fault.body is not None:
            try:
                msgspec.json.decode(fault.body)
                response = Response(status, fault.body.encode(), [_JSON])
            except msgspec.DecodeError:
                response = _text(status, fault.body)
        elif self.dialect == "openai":
            response = _openai_error(status, message, fault.kind)
        elif fault.kind is not None:
            try:
                model = request.form.get("model") or msgspec.json.decode(request.body)["model"]
            except (msgspec.DecodeError, LookupError, TypeError):
                model = "injected"
            response = _json(status, _edgen_error(fault.kind, str(model)))
        elif status != 500:
            response = _text(status, message)
        elif request.path.startswith(("/v1/models", "/v1/misc/")):
            response = Response(500)  # R8-R11 fail with an empty body
        else:
            response = _json(500, _edgen_error("endpoint", ""))
        for name, value in (
            ("retry-after", fault.retry_after),
            ("retry-after-ms", fault.retry_after_ms),
        ):
            if value is not None:
                response.headers.append((name, str(value)))
        return response

    # -- routing and request bodies

    def _dispatch(self, request: Request) -> Response:
        pattern = _route_pattern(request.path)
        method = "GET" if request.method == "HEAD" else request.method  # HEAD: GET without a body
        handler = _ROUTES.get((method, pattern))
        if handler is None:
            return self._no_route(pattern)
        try:
            if request.body_size > self.max_body:
                message = "Failed to buffer the request body: length limit exceeded"
                if handler is App._transcriptions:  # R5 words it its own way
                    message = "request body is malformed (length limit exceeded)"
                raise self._error(413, message)
            return handler(self, request)
        except _Reject as exc:
            return exc.args[0]  # type: ignore[no-any-return]
        except Exception as exc:  # an emulator bug: tell the client
            return _text(500, f"emulator error: {exc!r}")

    def _no_route(self, pattern: str) -> Response:
        # 405 with the allowed methods for a known path, else 404.
        allowed = [method for method, route in _ROUTES if route == pattern]
        status = 405 if allowed else 404
        response = Response(status)
        if self.dialect == "openai":
            response = _openai_error(status, responses[status])
        if allowed:
            allow = ",".join(allowed).replace("GET", "GET,HEAD")
            response.headers.append(("allow", allow))
        return response

    def _error(self, status: int, message: str) -> _Reject:
        # A text/plain error, or the openai dialect's envelope (where 422 is 400).
        if self.dialect == "openai":
            return _Reject(_openai_error(400 if status == 422 else status, message))
        return _Reject(_text(status, message))

    def _body(self, request: Request, edgen_type: type, openai_type: type) -> dict[str, Any]:
        # The JSON object body, checked against the route's Struct for the dialect.
        openai = self.dialect == "openai"
        mime = request.headers.get("content-type", "").partition(";")[0].strip().lower()
        is_json = mime == _JSON[1] or (mime.startswith("application/") and mime.endswith("+json"))
        if not openai and not is_json:
            raise self._error(415, "Expected request with `Content-Type: application/json`")
        try:
            body: dict[str, Any] = msgspec.json.decode(request.body)
            msgspec.convert(body, openai_type if openai else edgen_type)
        except msgspec.ValidationError as exc:
            message = f"Failed to deserialize the JSON body into the target type: {exc}"
            raise self._error(422, message) from None
        except msgspec.DecodeError as exc:
            raise self._error(400, f"Failed to parse the request body as JSON: {exc}") from None
        return body

    def _check_model_kind(self, name: str, kinds: Sequence[str]) -> None:
        # With strict_models, Edgen's rule: a substring of the name picks the backend.
        lowered = name.lower()
        if not self.strict_models or lowered in ("default", "") or any(k in lowered for k in kinds):
            return
        if self.dialect == "openai":
            raise _model_not_found(name)
        raise _Reject(_json(500, _edgen_error("unknown_model_kind", name)))

    # -- R1 chat

    def _chat(self, request: Request) -> Response:
        body = self._body(request, _Chat, _OpenAIChat)
        self._check_model_kind(body["model"], ("gguf", "fake"))
        if self.structured_outputs == "json_object":
            _check_llama_cpp_python_format(body)
        count = int(_setting_header(request, "x-emulator-tokens", self.tokens, int))
        delay = _setting_header(request, "x-emulator-token-delay", self.token_delay, float)
        openai = self.dialect == "openai"
        answer = _chat_answer(body, self.seed, count, openai)
        head = _chat_head(body["model"], openai)
        if not body.get("stream"):
            return _json(200, _completion(answer, head, openai))
        if openai:
            usage = bool(_dict(body.get("stream_options")).get("include_usage"))
            return _openai_stream(answer, head, delay, usage)
        return _edgen_stream(answer, head, delay)

    # -- R2-R4, R6, R11

    def _status(self, request: Request) -> Response:
        return _json(200, self.status[request.path.split("/")[2]])  # chat, embeddings, audio

    def _version(self, request: Request) -> Response:
        return _json(200, {"major": 0, "minor": 1, "patch": 5, "build": ""})

    def _embeddings(self, request: Request) -> Response:
        body = self._body(request, _Embeddings, _Embeddings)
        model, inputs = body["model"], body["input"]
        self._check_model_kind(model, ("gguf",))
        inputs = [inputs] if isinstance(inputs, str) else inputs
        dim = self.embedding_dim
        data = [
            {"object": "embedding", "embedding": _vector(self.seed, dim, text), "index": index}
            for index, text in enumerate(inputs)
        ]
        openai = self.dialect == "openai"
        words = len(" ".join(inputs).split()) if openai else 0
        usage = {"prompt_tokens": words, "total_tokens": words}
        key = "data" if openai else "embeddings"
        return _json(200, {"object": "list", key: data, "model": model, "usage": usage})

    # -- R5 transcriptions

    def _transcriptions(self, request: Request) -> Response:
        parts = request._parts  # parsed as it was recorded
        if isinstance(parts, str):
            raise self._error(400, f"request body is malformed ({parts})")
        if parts is None:
            detail = "Invalid `boundary` for `multipart/form-data` request"
            raise self._error(400, f"request is malformed ({detail})")
        fields: dict[str, str | UploadedFile] = {}
        for name, value in parts:
            if not name:
                problem = "field name is empty"
            elif name not in _FORM_FIELDS:
                problem = f"field '{name}' is not expected"
            elif name in fields:
                problem = f"field '{name}' is already present"
            else:
                rust_type, parse = _FORM_FIELDS[name]
                try:
                    parse(str(value))
                    fields[name] = value
                    continue
                except ValueError as exc:
                    problem = f"field '{name}' must be of type '{rust_type}': {exc}"
            if self.dialect == "edgen":  # OpenAI-compatible servers ignore the unknown
                raise self._error(400, problem)
        for name in ("file", "model"):
            if name not in fields:
                raise self._error(400, f"field '{name}' is required")
        self._check_model_kind(str(fields["model"]), ("whisper", "distil"))
        session = fields.get("session")
        created = fields.get("create_session") == "true"
        sid = str(uuid.uuid4() if session is None else uuid.UUID(str(session)))
        now = time.monotonic()
        if session is not None and now - self.sessions.get(sid, -1e9) > 120:  # unknown or idle
            self.sessions.pop(sid, None)  # Edgen's sessions expire after 2 idle minutes
            if self.dialect == "openai":
                raise self._error(404, f"session {sid} not found")
            raise _Reject(_json(500, {"error": "endpoint", "SessionNotFound": None}))
        if session is not None or created:
            self.sessions[sid] = now
        return _json(200, {"text": FROST_TEXT, "session": sid} if created else {"text": FROST_TEXT})

    # -- R7 images

    def _images(self, request: Request) -> Response:
        body = self._body(request, _Images, _Images)
        if "Right" in body["model"] and body.get("vae_scale") is None:
            detail = "cannot serialize tagged newtype variant ImageGenerationError::MissingParam"
            raise _Reject(_text(500, f"{detail} containing a string"))
        seed = self.seed if body.get("seed") is None else body["seed"]
        prompt = body["prompt"]
        size = body.get("width") or 768, body.get("height") or 768
        count = min(body.get("images") or 1, 16)
        images = [list(_png(*size, f"{seed}:{i}:{prompt}".encode())) for i in range(count)]
        return _json(200, {"images": images})

    # -- R8-R10 models

    def _model_object(self, model_id: str) -> dict[str, object]:
        model = {"id": model_id, "created": self.models.get(model_id, 0), "object": "model"}
        model["owned_by"] = model_id.partition("/")[0]
        if self.dialect == "openai":
            del model["created"]
        return model

    def _list_models(self, request: Request) -> Response:
        data = list(map(self._model_object, list(self.models)))
        page = {} if self.dialect == "openai" else {"page": 1, "per_page": len(data)}
        return _json(200, {"object": "list", "data": data, **page})

    def _model(self, request: Request) -> Response:
        model_id = unquote(request.path[11:])  # after /v1/models/; bad UTF-8 matches none
        if model_id not in self.models:
            raise _model_not_found(model_id) if self.dialect == "openai" else _Reject(Response(500))
        if request.method == "DELETE":
            self.models.pop(model_id, None)  # another DELETE may have just taken it
            return _json(200, {"id": model_id, "object": "model", "deleted": True})
        return _json(200, self._model_object(model_id))


# -- the routes: (method, path pattern) -> handler

_ROUTES: dict[tuple[str, str], Callable[[App, Request], Response]] = {
    ("POST", "/v1/chat/completions"): App._chat,
    ("GET", "/v1/chat/completions/status"): App._status,
    ("POST", "/v1/embeddings"): App._embeddings,
    ("GET", "/v1/embeddings/status"): App._status,
    ("POST", "/v1/audio/transcriptions"): App._transcriptions,
    ("GET", "/v1/audio/transcriptions/status"): App._status,
    ("POST", "/v1/image/generations"): App._images,
    ("GET", "/v1/models"): App._list_models,
    ("GET", "/v1/models/{id}"): App._model,
    ("DELETE", "/v1/models/{id}"): App._model,
    ("GET", "/v1/misc/version"): App._version,
}


def _route_pattern(path: str) -> str:
    # A model id is the one segment after /v1/models/ (a "/" in it comes encoded).
    model_id = path.removeprefix("/v1/models/")
    if model_id and model_id != path and "/" not in model_id:
        return "/v1/models/{id}"
    return path
