"""Route handlers for both wire dialects, request recording and fault selection."""

from __future__ import annotations

import collections
import fnmatch
import functools
import hashlib
import json
import math
import os
import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal, TypeGuard
from urllib.parse import unquote

import msgspec

from ._faults import Fault, FaultSpecError
from ._http import Reply, Request, Response, StreamResponse, reason_phrase
from ._png import make_png
from ._records import RecordedRequest, UploadedFile
from ._schema import split_text, value_for_schema

__all__ = ["FROST_TEXT", "App", "Dialect"]

Dialect = Literal["edgen", "openai"]

FROST_TEXT = (
    " The woods are lovely, dark and deep, but I have promises to keep and miles to go"
    " before I sleep, and miles to go before I sleep."
)
EDGEN_VERSION = {"major": 0, "minor": 1, "patch": 5, "build": ""}
_FINGERPRINT = "edgen-0.1.5"
_OPENAI_FINGERPRINT = "b0000-emulator"
_MAX_EDGEN_TOKENS = 4096  # the real server caps output at 4096 tokens
_MAX_IMAGES = 16
_U32 = 2**32 - 1
_U64 = 2**64 - 1
_SESSION_TTL = 120.0
_JSON_CT = "application/json"
_TEXT_CT = "text/plain; charset=utf-8"
_SERDE_PREFIX = "Failed to deserialize the JSON body into the target type: "

DEFAULT_MODELS: dict[str, int] = {
    "TheBloke/neural-chat-7B-v3-3-GGUF": 1708333035,
    "distil-whisper/distil-small.en": 1708333030,
}
DEFAULT_STATUS: dict[str, str] = {
    "chat": "neural-chat-7b-v3-3.Q4_K_M.gguf",
    "embeddings": "nomic-embed-text-v1.5.f16.gguf",
    "audio": "ggml-distil-small.en.bin",
}

_WORDS = (  # noqa: SIM905 - easier to read as prose
    "the quick brown fox jumps over lazy dog a model answers every question with care and "
    "some light humor while woods are lovely dark deep but I have promises to keep miles go "
    "before sleep local inference runs on your own machine fast private simple small tokens "
    "stream one by until done edge server client library"
).split()

# Every token the generator can emit, JSON-encoded once: no per-chunk encoding work.
_ENCODED: dict[str, bytes] = {
    token: msgspec.json.encode(token)
    for word in _WORDS
    for token in (word, " " + word, word.capitalize())
}

_json_encode = msgspec.json.encode
_json_decode = msgspec.json.decode


def _encode_token(token: str) -> bytes:
    encoded = _ENCODED.get(token)
    return encoded if encoded is not None else _json_encode(token)


_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


def _uuid4_batch(count: int) -> list[str]:
    """``count`` random UUIDv4 strings; cheaper than ``str(uuid.uuid4())`` per chunk."""
    raw = os.urandom(16 * count).hex()
    out: list[str] = []
    for i in range(0, 32 * count, 32):
        h = raw[i : i + 32]
        out.append(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}")
    return out


@functools.lru_cache(maxsize=4096)
def _vector_bytes(seed: int, dim: int, text: str) -> bytes:
    """A deterministic unit vector for ``text``, JSON-encoded (cached: benchmarks repeat inputs)."""
    rng = random.Random(hashlib.sha256(f"{seed}:{dim}:{text}".encode()).digest())
    values = [rng.random() * 2.0 - 1.0 for _ in range(dim)]
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return _json_encode([round(v / norm, 7) for v in values])


@functools.lru_cache(maxsize=1024)
def _tokens_for(seed: int, messages_json: bytes, count: int) -> tuple[str, ...]:
    """The generated tokens (cached: load tests send the same request over and over)."""
    rng = random.Random(hashlib.sha256(b"%d:%s" % (seed, messages_json)).digest())
    words = rng.choices(_WORDS, k=count)
    return (words[0].capitalize(), *(" " + w for w in words[1:]))


# -- responses --------------------------------------------------------------------


def _is_list(value: object) -> TypeGuard[list[Any]]:
    return isinstance(value, list)


def _is_dict(value: object) -> TypeGuard[dict[str, Any]]:
    return isinstance(value, dict)


def _json(status: int, obj: object, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(status, _json_encode(obj), _JSON_CT, headers or [])


def _text(status: int, text: str, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(status, text.encode(), _TEXT_CT, headers or [])


def _spaced(obj: object) -> bytes:
    """JSON with spaces after ``,`` and ``:``, as llama.cpp writes its stream chunks."""
    return json.dumps(obj, ensure_ascii=False).encode()


_OPENAI_ERROR_TYPES: dict[int, tuple[str, str | None]] = {
    400: ("invalid_request_error", None),
    401: ("authentication_error", "invalid_api_key"),
    403: ("permission_error", None),
    404: ("not_found_error", None),
    405: ("invalid_request_error", "method_not_allowed"),
    409: ("conflict_error", None),
    413: ("invalid_request_error", "request_too_large"),
    415: ("invalid_request_error", "unsupported_media_type"),
    422: ("invalid_request_error", None),
    429: ("rate_limit_error", "rate_limit_exceeded"),
}


def _openai_error(
    status: int,
    message: str,
    type_: str | None = None,
    code: str | None = None,
    headers: list[tuple[str, str]] | None = None,
) -> Response:
    default_type, default_code = _OPENAI_ERROR_TYPES.get(
        status, ("server_error", None) if status >= 500 else ("invalid_request_error", None)
    )
    envelope = {
        "error": {
            "message": message,
            "type": type_ or default_type,
            "code": code if code is not None else default_code,
        }
    }
    return _json(status, envelope, headers)


def _edgen_tagged(kind: str, model_name: str) -> dict[str, object]:
    """A flat tagged Edgen error object of the given kind, filled with plausible members."""
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


# -- validation -------------------------------------------------------------------


class _Invalid(Exception):
    """A body of the wrong shape; rendered as 422 (edgen) or 400 (openai)."""

    def __init__(self, path: str, detail: str) -> None:
        super().__init__(f"{path}: {detail}" if path else detail)
        self.path = path
        self.detail = detail


class _Reject(Exception):
    """Abort a handler with a ready response."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def _describe(value: object) -> str:
    """Serde's wording for an unexpected JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean `{'true' if value else 'false'}`"
    if isinstance(value, int):
        return f"integer `{value}`"
    if isinstance(value, float):
        return f"floating point `{value}`"
    if isinstance(value, str):
        return f"string {json.dumps(value)}"
    if _is_list(value):
        return "sequence"
    return "map"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _wrong(path: str, value: object, expected: str) -> _Invalid:
    return _Invalid(path, f"invalid type: {_describe(value)}, expected {expected}")


def _obj(value: object, path: str, name: str) -> dict[str, Any]:
    if not _is_dict(value):
        raise _wrong(path, value, f"struct {name}")
    return value


def _field(obj: dict[str, Any], key: str, path: str, *, required: bool = False) -> Any:
    value = obj.get(key)
    if required and key not in obj:
        raise _Invalid(path, f"missing field `{key}`")
    return value


def _opt_str(obj: dict[str, Any], key: str, path: str, *, required: bool = False) -> str | None:
    value = _field(obj, key, path, required=required)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise _wrong(_join(path, key), value, "a string")
    return value


def _opt_bool(obj: dict[str, Any], key: str, path: str) -> bool | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, bool):
        raise _wrong(_join(path, key), value, "a boolean")
    return value


def _opt_uint(obj: dict[str, Any], key: str, path: str, bits: int = 32) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    limit = _U32 if bits == 32 else _U64
    if isinstance(value, bool) or not isinstance(value, int):
        raise _wrong(_join(path, key), value, f"u{bits}")
    if not 0 <= value <= limit:
        raise _Invalid(_join(path, key), f"invalid value: integer `{value}`, expected u{bits}")
    return value


def _opt_number(obj: dict[str, Any], key: str, path: str) -> float | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _wrong(_join(path, key), value, "f32")
    return float(value)


_RUST_FLOAT = re.compile(
    r"[+-]?(?:inf|infinity|nan|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\Z", re.IGNORECASE
)

_EDGEN_ROLES = ("system", "user", "assistant", "tool")
_OPENAI_ROLES = ("system", "developer", "user", "assistant", "tool", "function")
_TRANSCRIPTION_FIELDS = (
    "file",
    "model",
    "language",
    "prompt",
    "response_format",
    "temperature",
    "create_session",
    "session",
)


@dataclass
class _PendingFault:
    fault: Fault
    remaining: int
    path: str | None

    def matches(self, route: str, path: str) -> bool:
        if self.path is None:
            return True
        pattern = self.path
        if any(c in pattern for c in "*?["):
            return fnmatch.fnmatchcase(route, pattern) or fnmatch.fnmatchcase(path, pattern)
        return pattern in (route, path)


Handler = Callable[[Request, str], "Response | StreamResponse"]


class App:
    """The emulated Edgen server: shared state plus one handler per route.

    ``handle`` runs on the server's event loop thread; the public mutators used by
    tests (faults, the request log, models) take ``lock``.
    """

    def __init__(
        self,
        *,
        dialect: Dialect,
        seed: int,
        tokens: int,
        token_delay: float,
        strict_models: bool,
        embedding_dim: int,
        max_recorded: int | None,
    ) -> None:
        if dialect not in ("edgen", "openai"):
            raise ValueError(f"dialect must be 'edgen' or 'openai', not {dialect!r}")
        self.dialect: Dialect = dialect
        self.seed = seed
        self.tokens = tokens
        self.token_delay = token_delay
        self.strict_models = strict_models
        self.embedding_dim = embedding_dim
        self.models: dict[str, int] = dict(DEFAULT_MODELS)
        self.status: dict[str, dict[str, object]] = {
            name: {
                "active_model": model,
                "download_ongoing": False,
                "download_progress": 100,
                "last_errors": [],
            }
            for name, model in DEFAULT_STATUS.items()
        }
        self.sessions: dict[str, float] = {}
        self.lock = threading.Lock()
        self.recorded_changed = threading.Condition(self.lock)
        self.recorded: collections.deque[RecordedRequest] = collections.deque(maxlen=max_recorded)
        self.pending_faults: list[_PendingFault] = []
        self._fault_counts: dict[str, int] = {}
        self._fault_cache: dict[str, Fault] = {}
        self._routes: dict[str, dict[str, Handler]] = {
            "/v1/chat/completions": {"POST": self._chat},
            "/v1/chat/completions/status": {"GET": self._status_route("chat")},
            "/v1/embeddings": {"POST": self._embeddings},
            "/v1/embeddings/status": {"GET": self._status_route("embeddings")},
            "/v1/audio/transcriptions": {"POST": self._transcriptions},
            "/v1/audio/transcriptions/status": {"GET": self._status_route("audio")},
            "/v1/image/generations": {"POST": self._images},
            "/v1/models": {"GET": self._list_models},
            "/v1/misc/version": {"GET": self._version},
        }
        self._model_routes: dict[str, Handler] = {
            "GET": self._get_model,
            "DELETE": self._delete_model,
        }

    # -- public helpers (called from any thread) ----------------------------------------

    def inject(self, fault: Fault, times: int, path: str | None) -> None:
        """Queue ``fault`` for the next ``times`` requests matching ``path``."""
        if path is not None and path.startswith("/v1/"):
            path = path[3:]
        with self.lock:
            self.pending_faults.append(_PendingFault(fault, times, path))

    def clear_faults(self) -> None:
        """Forget queued faults and the per-key counters of header faults."""
        with self.lock:
            self.pending_faults.clear()
            self._fault_counts.clear()

    # -- entry point --------------------------------------------------------------------

    def handle(self, request: Request) -> Reply:
        """Record ``request``, pick its fault (if any) and build the reply."""
        self._record(request)
        try:
            fault = self._select_fault(request)
        except FaultSpecError as exc:
            return Reply(_text(400, f"invalid x-emulator-fault header: {exc}"))
        if fault is None:
            return Reply(self._dispatch(request, None))
        if fault.close:
            return Reply(None, stall=fault.stall)
        if fault.is_error:
            response: Response | StreamResponse = self._fault_response(request, fault)
        else:
            response = self._dispatch(request, fault)
        return Reply(response, stall=fault.stall, drop_after=fault.drop_after)

    def _record(self, request: Request) -> None:
        form: dict[str, str | UploadedFile] = {}
        files: dict[str, UploadedFile] = {}
        for part in request.parts or ():
            name = part.name
            if not name or name in form:
                continue
            if part.is_file:
                upload = UploadedFile(part.filename, part.size, part.sha256)
                form[name] = files[name] = upload
            else:
                form[name] = bytes(part.data or b"").decode("utf-8", "replace")
        entry = RecordedRequest(
            method=request.method,
            path=request.path,
            query=request.query,
            headers=request.headers,
            body=request.body,
            body_size=request.body_size,
            form=form,
            files=files,
            timestamp=time.time(),
        )
        with self.recorded_changed:
            self.recorded.append(entry)
            self.recorded_changed.notify_all()

    def _select_fault(self, request: Request) -> Fault | None:
        spec = request.headers.get("x-emulator-fault")
        if spec:
            fault = self._fault_cache.get(spec)
            if fault is None:
                fault = self._fault_cache[spec] = Fault.parse(spec)
            if fault.times is None:
                return fault
            key = fault.key or spec
            with self.lock:
                used = self._fault_counts.get(key, 0)
                if used >= fault.times:
                    return None
                self._fault_counts[key] = used + 1
            return fault
        if not self.pending_faults:
            return None
        path = request.path
        route = path[3:] if path.startswith("/v1/") else path
        with self.lock:
            for index, pending in enumerate(self.pending_faults):
                if pending.matches(route, path):
                    pending.remaining -= 1
                    if pending.remaining <= 0:
                        del self.pending_faults[index]
                    return pending.fault
        return None

    def _fault_response(self, request: Request, fault: Fault) -> Response:
        status = fault.status if fault.status is not None else 500
        headers: list[tuple[str, str]] = []
        if fault.retry_after is not None:
            headers.append(("retry-after", fault.retry_after))
        if fault.retry_after_ms is not None:
            headers.append(("retry-after-ms", str(fault.retry_after_ms)))
        if fault.body is not None:
            try:
                json.loads(fault.body)
                content_type = _JSON_CT
            except ValueError:
                content_type = _TEXT_CT
            return Response(status, fault.body.encode(), content_type, headers)
        if self.dialect == "openai":
            message = f"injected {status} {reason_phrase(status)}"
            return _openai_error(status, message, fault.kind, headers=headers)
        if fault.kind is not None:
            return _json(status, _edgen_tagged(fault.kind, self._model_name(request)), headers)
        if status == 500:
            if request.path.startswith(("/v1/models", "/v1/misc/")):
                return Response(500, b"", None, headers)  # R8-R11 fail with an empty body
            return _json(500, {"error": "endpoint", "Load": "injected"}, headers)
        return _text(status, f"injected {status} {reason_phrase(status)}", headers)

    @staticmethod
    def _model_name(request: Request) -> str:
        """The request's ``model`` (for tagged errors), or ``"injected"``."""
        if request.parts is not None:
            for part in request.parts:
                if part.name == "model" and part.data is not None:
                    return bytes(part.data).decode("utf-8", "replace")
            return "injected"
        try:
            body = _json_decode(request.body)
        except msgspec.DecodeError:
            return "injected"
        if _is_dict(body) and isinstance(body.get("model"), str):
            return str(body["model"])
        return "injected"

    # -- routing ------------------------------------------------------------------------

    def _dispatch(self, request: Request, fault: Fault | None) -> Response | StreamResponse:
        path = request.path
        methods = self._routes.get(path)
        model_id = ""
        if methods is None and path.startswith("/v1/models/"):
            model_id = path[len("/v1/models/") :]
            if model_id and "/" not in model_id:
                methods = self._model_routes
        if methods is None:
            if self.dialect == "openai":
                return _openai_error(404, f"Unknown route: {request.method} {path}")
            return Response(404)
        method = "GET" if request.method == "HEAD" else request.method
        handler = methods.get(method)
        if handler is None:
            allow = ",".join(m + (",HEAD" if m == "GET" else "") for m in methods)
            headers = [("allow", allow)]
            if self.dialect == "openai":
                return _openai_error(405, "Method Not Allowed", headers=headers)
            return Response(405, headers=headers)
        try:
            response = handler(request, model_id)
        except _Reject as exc:
            return exc.response
        except _Invalid as exc:
            return self._invalid_response(request, exc)
        if fault is not None and isinstance(response, StreamResponse):
            response = self._apply_stream_fault(response, fault)
        return response

    def _invalid_response(self, request: Request, exc: _Invalid) -> Response:
        if self.dialect == "openai":
            return _openai_error(400, f"Invalid request: {exc}")
        text = request.body.decode("utf-8", "replace")
        line = text.count("\n") + 1
        column = len(text) - (text.rfind("\n") + 1)
        return _text(422, f"{_SERDE_PREFIX}{exc} at line {line} column {column}")

    _MALFORMED_EVENT = b'data: {"id": broken\n\n'
    _ERROR_EVENT = b'data: {"error": {"message": "injected failure", "type": "server_error"}}\n\n'

    def _apply_stream_fault(self, response: StreamResponse, fault: Fault) -> StreamResponse:
        events = response.events
        # [DONE] is not a chunk: faults count content chunks and keep it last.
        done = events[-1:] if events and events[-1] == b"data: [DONE]\n\n" else []
        chunks = events[: len(events) - len(done)]
        if fault.malformed_after is not None:
            chunks.insert(min(fault.malformed_after, len(chunks)), self._MALFORMED_EVENT)
        if fault.error_event_after is not None:
            chunks = chunks[: fault.error_event_after] + [self._ERROR_EVENT]
            done = []
        response.events = chunks + done
        return response

    def _read_json(self, request: Request) -> dict[str, Any]:
        """Check the content type and decode a JSON object body (edgen or openai rules)."""
        openai = self.dialect == "openai"
        if request.too_large:
            if openai:
                raise _Reject(_openai_error(413, "Request body too large"))
            raise _Reject(_text(413, "Failed to buffer the request body: length limit exceeded"))
        content_type = request.headers.get("content-type", "")
        mime = content_type.partition(";")[0].strip().lower()
        is_json = mime == _JSON_CT or (mime.startswith("application/") and mime.endswith("+json"))
        if not is_json and not openai:
            raise _Reject(_text(415, "Expected request with `Content-Type: application/json`"))
        try:
            body = _json_decode(request.body)
        except msgspec.DecodeError:
            detail = self._json_error_detail(request.body)
            if openai:
                raise _Reject(_openai_error(400, f"Invalid JSON body: {detail}")) from None
            raise _Reject(
                _text(400, f"Failed to parse the request body as JSON: {detail}")
            ) from None
        return _obj(body, "", "request")

    @staticmethod
    def _json_error_detail(body: bytes) -> str:
        if not body.strip():
            return "EOF while parsing a value at line 1 column 0"
        try:
            json.loads(body)
        except json.JSONDecodeError as exc:
            return f"{exc.msg[:1].lower()}{exc.msg[1:]} at line {exc.lineno} column {exc.colno}"
        except UnicodeDecodeError:
            return "invalid unicode code point at line 1 column 1"
        return "invalid JSON value at line 1 column 1"

    def _check_model_kind(self, name: str, kinds: Sequence[str]) -> None:
        """With ``strict_models``, apply the server's substring rule for backends."""
        if not self.strict_models or name.lower() in ("default", ""):
            return
        lowered = name.lower()
        if any(kind in lowered for kind in kinds):
            return
        if self.dialect == "openai":
            message = f"The model `{name}` does not exist"
            raise _Reject(_openai_error(404, message, "invalid_request_error", "model_not_found"))
        raise _Reject(_json(500, _edgen_tagged("unknown_model_kind", name)))

    # -- R1 chat ------------------------------------------------------------------------

    def _chat(self, request: Request, _: str) -> Response | StreamResponse:
        body = self._read_json(request)
        openai = self.dialect == "openai"
        if openai and body.get("model") is None:
            raise _Reject(_openai_error(400, "you must provide a model parameter"))
        model = _opt_str(body, "model", "", required=True)
        assert model is not None
        raw_messages: object = body.get("messages")
        if raw_messages is None and openai:
            raise _Reject(_openai_error(400, "'messages' is a required property"))
        messages: list[Any] = []
        if raw_messages is not None:
            if not _is_list(raw_messages):
                raise _wrong("messages", raw_messages, "a sequence")
            messages = raw_messages
        for index, message in enumerate(messages):
            self._check_message(message, f"messages[{index}]")
        stream = _opt_bool(body, "stream", "")
        max_tokens = _opt_uint(body, "max_tokens", "")
        if openai and max_tokens is None:
            max_tokens = _opt_uint(body, "max_completion_tokens", "")
        for key in ("n", "seed", "context_hint"):
            _opt_uint(body, key, "")
        for key in ("temperature", "top_p", "frequency_penalty", "presence_penalty"):
            _opt_number(body, key, "")
        _opt_bool(body, "one_shot", "")
        _opt_str(body, "user", "")
        self._check_stop(body.get("stop"))
        logit_bias = body.get("logit_bias")
        if logit_bias is not None and not _is_dict(logit_bias):
            raise _wrong("logit_bias", logit_bias, "a map")
        self._check_tools(body)
        self._check_model_kind(model, ("gguf", "fake"))

        count = self._token_count(request)
        finish_reason = "stop"
        if max_tokens is not None and max_tokens < count:
            count = max_tokens
            finish_reason = "length"
        if not openai:
            count = min(count, _MAX_EDGEN_TOKENS)
        tokens = self._generate(messages, count)
        structured = self._structured_text(body, messages)
        if structured is not None:
            tokens = split_text(structured)
        tool_call = self._tool_call(body, messages) if openai else None
        if tool_call is not None:
            finish_reason = "tool_calls"
        delay = self._token_delay(request)
        if openai:
            include_usage = False
            options = body.get("stream_options")
            if _is_dict(options):
                include_usage = bool(options.get("include_usage"))
            usage = self._usage(messages, count)
            if stream:
                return self._openai_stream(
                    model, tokens, finish_reason, usage, include_usage, delay, tool_call
                )
            return self._openai_completion(model, tokens, finish_reason, usage, tool_call)
        if stream:
            return self._edgen_stream(tokens, delay)
        return self._edgen_completion(tokens)

    def _rng(self, messages: list[Any], salt: bytes) -> random.Random:
        seed = b"%d:%s:%s" % (self.seed, salt, _json_encode(messages, order="sorted"))
        return random.Random(hashlib.sha256(seed).digest())

    def _structured_text(self, body: dict[str, Any], messages: list[Any]) -> str | None:
        """JSON text that fits the request's response_format, or None for free text."""
        fmt = body.get("response_format")
        if not _is_dict(fmt):
            return None
        if fmt.get("type") == "json_schema":
            spec = fmt.get("json_schema")
            schema = spec.get("schema") if _is_dict(spec) else None
            value = value_for_schema(schema or {}, self._rng(messages, b"schema"))
            return _json_encode(value).decode()
        if fmt.get("type") == "json_object":
            words = " ".join(self._generate(messages, 4)).strip()
            return _json_encode({"answer": words}).decode()
        return None

    def _tool_call(self, body: dict[str, Any], messages: list[Any]) -> tuple[str, str] | None:
        """(name, arguments JSON) when tool_choice forces a call (OpenAI dialect only).

        "required" calls the first tool; an object choice calls the named one;
        "auto" or no choice answers with text, so tests decide when tools run.
        """
        tools = body.get("tools")
        choice = body.get("tool_choice")
        if not _is_list(tools) or not tools:
            return None
        functions: list[dict[str, Any]] = [
            t["function"] for t in tools if _is_dict(t) and _is_dict(t.get("function"))
        ]
        if not functions:
            return None
        chosen: dict[str, Any] | None = None
        if choice == "required":
            chosen = functions[0]
        elif _is_dict(choice) and _is_dict(choice.get("function")):
            wanted = choice["function"].get("name")
            chosen = next((f for f in functions if f.get("name") == wanted), None)
        if chosen is None:
            return None
        arguments = value_for_schema(chosen.get("parameters") or {}, self._rng(messages, b"tool"))
        return str(chosen.get("name", "")), _json_encode(arguments).decode()

    def _check_message(self, message: object, path: str) -> None:
        openai = self.dialect == "openai"
        if not _is_dict(message):
            raise _wrong(path, message, "internally tagged enum ChatMessage")
        msg = message
        if "role" not in msg:
            raise _Invalid(path, "missing field `role`")
        role = msg["role"]
        roles = _OPENAI_ROLES if openai else _EDGEN_ROLES
        if not isinstance(role, str) or role not in roles:
            if not isinstance(role, str):
                raise _wrong(_join(path, "role"), role, "a string")
            expected = ", ".join(f"`{r}`" for r in roles)
            raise _Invalid(path, f"unknown variant `{role}`, expected one of {expected}")
        _opt_str(msg, "name", path)
        if role == "user":
            if "content" not in msg:
                raise _Invalid(path, "missing field `content`")
            self._check_user_content(msg["content"], _join(path, "content"))
            return
        if not openai:
            _opt_str(msg, "content", path)
        if role == "tool" and not openai:
            _opt_str(msg, "tool_call_id", path, required=True)
        if role == "assistant":
            calls = msg.get("tool_calls")
            if calls is not None:
                if not _is_list(calls):
                    raise _wrong(_join(path, "tool_calls"), calls, "a sequence")
                for i, call in enumerate(calls):
                    call_path = f"{path}.tool_calls[{i}]"
                    call_obj = _obj(call, call_path, "ToolCall")
                    _opt_str(call_obj, "id", call_path, required=True)
                    _opt_str(call_obj, "type", call_path, required=True)
                    function = _obj(
                        _field(call_obj, "function", call_path, required=True),
                        _join(call_path, "function"),
                        "FunctionCall",
                    )
                    _opt_str(function, "name", _join(call_path, "function"), required=True)
                    _opt_str(function, "arguments", _join(call_path, "function"), required=True)

    def _check_user_content(self, content: object, path: str) -> None:
        if isinstance(content, str):
            return
        if self.dialect == "openai":
            if not _is_list(content):
                raise _wrong(path, content, "a string or an array of content parts")
            return
        if not _is_list(content):
            raise _Invalid(path, "data did not match any variant of untagged enum UserContent")
        for i, part in enumerate(content):
            part_path = f"{path}[{i}]"
            obj = _obj(part, part_path, "ContentPart")
            kind = obj.get("type")
            if "type" not in obj:
                raise _Invalid(part_path, "missing field `type`")
            if kind == "text":
                _opt_str(obj, "text", part_path, required=True)
            elif kind == "image_url":
                _opt_str(obj, "url", part_path, required=True)
                _opt_str(obj, "detail", part_path)
            else:
                detail = f"unknown variant `{kind}`, expected `text` or `image_url`"
                raise _Invalid(part_path, detail)

    @staticmethod
    def _check_stop(stop: object) -> None:
        if stop is None or isinstance(stop, str):
            return
        if _is_list(stop) and all(isinstance(s, str) for s in stop):
            return
        raise _Invalid("stop", "data did not match any variant of untagged enum StopSequences")

    def _check_tools(self, body: dict[str, Any]) -> None:
        strict = self.dialect == "edgen"
        tools = body.get("tools")
        if tools is not None:
            if not _is_list(tools):
                raise _wrong("tools", tools, "a sequence")
            for i, tool in enumerate(tools):
                self._check_tool(tool, f"tools[{i}]", strict)
        choice = body.get("tool_choice")
        if strict and choice is not None and not isinstance(choice, str):
            self._check_tool(choice, "tool_choice", strict)

    @staticmethod
    def _check_tool(tool: object, path: str, strict: bool) -> None:
        obj = _obj(tool, path, "ChatCompletionTool")
        _opt_str(obj, "type", path, required=strict)
        function_path = _join(path, "function")
        function = _obj(_field(obj, "function", path, required=True), function_path, "Function")
        _opt_str(function, "name", function_path, required=True)
        _opt_str(function, "description", function_path)
        if strict and "parameters" not in function:
            raise _Invalid(function_path, "missing field `parameters`")

    def _token_count(self, request: Request) -> int:
        raw = request.headers.get("x-emulator-tokens")
        if raw is not None:
            try:
                return max(0, int(raw))
            except ValueError:
                raise _Reject(_text(400, f"invalid x-emulator-tokens header: {raw!r}")) from None
        return self.tokens

    def _token_delay(self, request: Request) -> float:
        raw = request.headers.get("x-emulator-token-delay")
        if raw is not None:
            try:
                return max(0.0, float(raw))
            except ValueError:
                detail = f"invalid x-emulator-token-delay header: {raw!r}"
                raise _Reject(_text(400, detail)) from None
        return self.token_delay

    def _generate(self, messages: list[Any], count: int) -> tuple[str, ...]:
        """Deterministic llama-style tokens for (seed, messages): leading spaces but the first."""
        if count <= 0:
            return ()
        return _tokens_for(self.seed, _json_encode(messages, order="sorted"), count)

    @staticmethod
    def _usage(messages: list[Any], completion_tokens: int) -> dict[str, int]:
        prompt = 0
        for message in messages:
            content = message.get("content") if _is_dict(message) else None
            prompt += 4 + (len(content.split()) if isinstance(content, str) else 0)
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt + completion_tokens,
        }

    def _edgen_completion(self, tokens: Sequence[str]) -> Response:
        return _json(
            200,
            {
                "id": str(uuid.uuid4()),
                "choices": [
                    {
                        "message": {
                            "role": "assistant",
                            "content": "".join(tokens),
                            "name": None,
                            "tool_calls": None,
                        },
                        "finish_reason": None,
                        "index": 0,
                    }
                ],
                "created": int(time.time()),
                "model": "main",
                "system_fingerprint": _FINGERPRINT,
                "object": "text_completion",
                "usage": {"completion_tokens": 0, "prompt_tokens": 0, "total_tokens": 0},
            },
        )

    @staticmethod
    def _edgen_stream(tokens: Sequence[str], delay: float) -> StreamResponse:
        suffix = (
            b',"role":null},"finish_reason":null,"index":0}],"created":%d,"model":"main",'
            b'"system_fingerprint":"%s","object":"text_completion"}\n\n'
            % (int(time.time()), _FINGERPRINT.encode())
        )
        ids = _uuid4_batch(len(tokens))
        events = [
            b'data: {"id":"%s","choices":[{"delta":{"content":%s%s'
            % (chunk_id.encode(), _encode_token(token), suffix)
            for chunk_id, token in zip(ids, tokens)
        ]
        return StreamResponse(events, delay=delay)

    @staticmethod
    def _openai_id() -> str:
        return "chatcmpl-" + os.urandom(15).hex()

    def _openai_completion(
        self,
        model: str,
        tokens: Sequence[str],
        finish_reason: str,
        usage: dict[str, int],
        tool_call: tuple[str, str] | None = None,
    ) -> Response:
        message: dict[str, object] = {"role": "assistant", "content": "".join(tokens)}
        if tool_call is not None:
            name, arguments = tool_call
            message = {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_" + os.urandom(8).hex(),
                        "type": "function",
                        "function": {"name": name, "arguments": arguments},
                    }
                ],
            }
        return _json(
            200,
            {
                "id": self._openai_id(),
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "system_fingerprint": _OPENAI_FINGERPRINT,
                "choices": [
                    {
                        "index": 0,
                        "message": message,
                        "logprobs": None,
                        "finish_reason": finish_reason,
                    }
                ],
                "usage": usage,
            },
        )

    def _openai_stream(
        self,
        model: str,
        tokens: Sequence[str],
        finish_reason: str,
        usage: dict[str, int],
        include_usage: bool,
        delay: float,
        tool_call: tuple[str, str] | None = None,
    ) -> StreamResponse:
        head: dict[str, object] = {
            "id": self._openai_id(),
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
            "system_fingerprint": _OPENAI_FINGERPRINT,
        }

        def chunk(delta: dict[str, object], finish: str | None) -> dict[str, object]:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
            return {**head, "choices": [choice]}

        # Encode one content chunk with a placeholder, then splice each token into it.
        template = _spaced(chunk({"content": "\x00"}, None))
        prefix, _, suffix = template.partition(b'"\\u0000"')
        prefix = b"data: " + prefix
        suffix += b"\n\n"
        events = [b"data: " + _spaced(chunk({"role": "assistant"}, None)) + b"\n\n"]
        if tool_call is None:
            events.extend(prefix + _encode_token(token) + suffix for token in tokens)
        else:
            # A tool call streams like a real server's: id and name first, then the
            # arguments a few characters per chunk.
            name, arguments = tool_call
            first: dict[str, object] = {"index": 0, "id": "call_" + os.urandom(8).hex()}
            first["type"] = "function"
            first["function"] = {"name": name, "arguments": ""}
            events.append(b"data: " + _spaced(chunk({"tool_calls": [first]}, None)) + b"\n\n")
            for piece in split_text(arguments, 5):
                delta: dict[str, object] = {
                    "tool_calls": [{"index": 0, "function": {"arguments": piece}}]
                }
                events.append(b"data: " + _spaced(chunk(delta, None)) + b"\n\n")
        events.append(b"data: " + _spaced(chunk({}, finish_reason)) + b"\n\n")
        if include_usage:
            events.append(b"data: " + _spaced({**head, "choices": [], "usage": usage}) + b"\n\n")
        events.append(b"data: [DONE]\n\n")
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
        return StreamResponse(events, prelude=f": ping - {stamp}\n\n".encode(), delay=delay)

    # -- R2/R4/R6 status ----------------------------------------------------------------

    def _status_route(self, name: str) -> Handler:
        def handler(request: Request, _: str) -> Response:
            return _json(200, self.status[name])

        return handler

    # -- R3 embeddings ------------------------------------------------------------------

    def _embeddings(self, request: Request, _: str) -> Response:
        body = self._read_json(request)
        openai = self.dialect == "openai"
        if openai and body.get("model") is None:
            raise _Reject(_openai_error(400, "you must provide a model parameter"))
        model = _opt_str(body, "model", "", required=True)
        assert model is not None
        if "input" not in body:
            if openai:
                raise _Reject(_openai_error(400, "'input' is a required property"))
            raise _Invalid("", "missing field `input`")
        raw = body["input"]
        if isinstance(raw, str):
            inputs: list[str] = [raw]
        elif _is_list(raw) and all(isinstance(s, str) for s in raw):
            inputs = raw
        elif openai and _is_list(raw):
            inputs = [_json_encode(item).decode() for item in raw]
        else:
            raise _Invalid("input", "data did not match any variant of untagged enum Input")
        _opt_str(body, "encoding_format", "")
        _opt_uint(body, "dimensions", "")
        self._check_model_kind(model, ("gguf",))

        items = b",".join(
            b'{"object":"embedding","embedding":%s,"index":%d}'
            % (_vector_bytes(self.seed, self.embedding_dim, text), index)
            for index, text in enumerate(inputs)
        )
        if openai:
            prompt = sum(len(text.split()) for text in inputs)
            tail = _json_encode({"prompt_tokens": prompt, "total_tokens": prompt})
            body_bytes = b'{"object":"list","data":[%s],"model":%s,"usage":%s}' % (
                items,
                _json_encode(model),
                tail,
            )
        else:
            body_bytes = (
                b'{"object":"list","embeddings":[%s],"model":%s,'
                b'"usage":{"prompt_tokens":0,"total_tokens":0}}' % (items, _json_encode(model))
            )
        return Response(200, body_bytes, _JSON_CT)

    # -- R5 transcriptions --------------------------------------------------------------

    def _transcriptions(self, request: Request, _: str) -> Response:
        openai = self.dialect == "openai"

        def bad(status: int, message: str) -> _Reject:
            if openai:
                return _Reject(_openai_error(status, message))
            return _Reject(_text(status, message))

        if request.too_large:
            raise bad(413, "request body is malformed (length limit exceeded)")
        if request.parts is None:
            raise bad(
                400, "request is malformed (Invalid `boundary` for `multipart/form-data` request)"
            )
        if request.multipart_error is not None:
            raise bad(400, f"request body is malformed ({request.multipart_error})")

        fields: dict[str, str] = {}
        file_seen = False
        for part in request.parts:
            name = part.name or ""
            if not name:
                if openai:
                    continue
                raise bad(400, "field name is empty")
            if name not in _TRANSCRIPTION_FIELDS:
                if openai:
                    continue
                raise bad(400, f"field '{name}' is not expected")
            if name == "file":
                if file_seen and not openai:
                    raise bad(400, "field 'file' is already present")
                file_seen = True
                continue
            if name in fields:
                if openai:
                    continue
                raise bad(400, f"field '{name}' is already present")
            try:
                value = part.text() if part.data is not None else None
            except UnicodeDecodeError:
                value = None
            if value is None:
                raise bad(400, f"field '{name}' must be of type 'String': invalid utf-8 sequence")
            self._check_transcription_field(name, value, bad)
            fields[name] = value
        if not file_seen:
            raise bad(400, "field 'file' is required")
        if "model" not in fields:
            raise bad(400, "field 'model' is required")
        self._check_model_kind(fields["model"], ("whisper", "distil"))

        create_session = fields.get("create_session") == "true"
        session = fields.get("session")
        now = time.monotonic()
        with self.lock:
            for sid, last_used in list(self.sessions.items()):
                if now - last_used > _SESSION_TTL:
                    del self.sessions[sid]
            if session is not None:
                sid = str(uuid.UUID(session))
                if sid not in self.sessions:
                    if openai:
                        raise _Reject(_openai_error(404, f"session {sid} not found"))
                    raise _Reject(_json(500, {"error": "endpoint", "SessionNotFound": None}))
            else:
                sid = str(uuid.uuid4())
            if session is not None or create_session:
                self.sessions[sid] = now
        result: dict[str, str] = {"text": FROST_TEXT}
        if create_session:
            result["session"] = sid
        return _json(200, result)

    @staticmethod
    def _check_transcription_field(
        name: str, value: str, bad: Callable[[int, str], _Reject]
    ) -> None:
        if name == "temperature" and not _RUST_FLOAT.match(value):
            raise bad(400, "field 'temperature' must be of type 'f32': invalid float literal")
        if name == "create_session" and value not in ("true", "false"):
            message = "provided string was not `true` or `false`"
            raise bad(400, f"field 'create_session' must be of type 'bool': {message}")
        if name == "session":
            try:
                uuid.UUID(value)
            except ValueError:
                raise bad(400, "field 'session' must be of type 'Uuid': invalid UUID") from None

    # -- R7 images ----------------------------------------------------------------------

    def _images(self, request: Request, _: str) -> Response:
        body = self._read_json(request)
        prompt = _opt_str(body, "prompt", "", required=True)
        assert prompt is not None
        if "model" not in body:
            raise _Invalid("", "missing field `model`")
        self._check_image_model(body["model"])
        width = _opt_uint(body, "width", "", 64) or 768
        height = _opt_uint(body, "height", "", 64) or 768
        _opt_uint(body, "steps", "", 64)
        _opt_str(body, "uncond_prompt", "")
        count = _opt_uint(body, "images", "")
        seed = _opt_uint(body, "seed", "", 64)
        _opt_number(body, "guidance_scale", "")
        vae_scale = _opt_number(body, "vae_scale", "")
        model = body["model"]
        if _is_dict(model) and "Right" in model and vae_scale is None:
            detail = "cannot serialize tagged newtype variant ImageGenerationError::MissingParam"
            raise _Reject(_text(500, f"{detail} containing a string"))
        count = 1 if count is None else min(count, _MAX_IMAGES)
        base_seed = self.seed if seed is None else seed
        images = [
            list(make_png(width, height, f"{base_seed}:{index}:{prompt}".encode()))
            for index in range(count)
        ]
        return _json(200, {"images": images})

    def _check_image_model(self, model: object) -> None:
        if isinstance(model, str):
            raise _Invalid("model", f"unknown variant `{model}`, expected `Left` or `Right`")
        if not _is_dict(model) or len(model) != 1:
            raise _wrong("model", model, "enum Either")
        ((tag, value),) = model.items()
        if tag == "Left":
            if not isinstance(value, str):
                raise _wrong("model.Left", value, "a string")
        elif tag == "Right":
            files = _obj(value, "model.Right", "ModelFiles")
            for key in ("unet_weights", "vae_weights", "clip_weights", "tokenizer"):
                _opt_str(files, key, "model.Right", required=True)
            _opt_str(files, "clip2_weights", "model.Right")
        else:
            raise _Invalid("model", f"unknown variant `{tag}`, expected `Left` or `Right`")

    # -- R8-R11 models and version ------------------------------------------------------

    def _model_object(self, model_id: str, created: int) -> dict[str, object]:
        owner = model_id.partition("/")[0]
        if self.dialect == "openai":
            return {"id": model_id, "object": "model", "owned_by": owner}
        return {"id": model_id, "created": created, "object": "model", "owned_by": owner}

    def _list_models(self, request: Request, _: str) -> Response:
        data = [self._model_object(mid, created) for mid, created in list(self.models.items())]
        if self.dialect == "openai":
            return _json(200, {"object": "list", "data": data})
        return _json(200, {"object": "list", "data": data, "page": 1, "per_page": len(data)})

    def _lookup_model(self, raw_id: str) -> str:
        try:
            model_id = unquote(raw_id, errors="strict")
        except UnicodeDecodeError:
            model_id = ""
        if model_id not in self.models:
            if self.dialect == "openai":
                message = f"The model `{model_id}` does not exist"
                raise _Reject(
                    _openai_error(404, message, "invalid_request_error", "model_not_found")
                )
            raise _Reject(Response(500))
        return model_id

    def _get_model(self, request: Request, raw_id: str) -> Response:
        model_id = self._lookup_model(raw_id)
        return _json(200, self._model_object(model_id, self.models.get(model_id, 0)))

    def _delete_model(self, request: Request, raw_id: str) -> Response:
        model_id = self._lookup_model(raw_id)
        self.models.pop(model_id, None)
        return _json(200, {"id": model_id, "object": "model", "deleted": True})

    def _version(self, request: Request, _: str) -> Response:
        return _json(200, EDGEN_VERSION)
