"""Shared payloads, floor types and mock transports for the benchmarks.

The floor is the same work done by hand with the same parts (httpx + msgspec):
plain Structs with the same fields, one reused decoder, no client around it.
Every payload is generated with Faker from a fixed seed, so runs are comparable.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import msgspec
from faker import Faker

BASE_URL = "http://127.0.0.1:33322/v1/"
URL = BASE_URL + "chat/completions"
N_CHUNKS = 2000  # events per benchmarked stream

try:  # the reference column; optional
    import openai
    import openai._base_client as _oa_base

    # openai 1.x/2.x speak httpx; 3.x speaks its fork httpx2 (same API).
    OA_HTTPX: Any = getattr(_oa_base, "httpx2", None) or _oa_base.httpx
except ImportError:  # pragma: no cover - openai not installed
    openai = None  # type: ignore[assignment]
    OA_HTTPX = None


# -- floor types: plain Structs, the same fields as edgen's ------------------


class FloorDelta(msgspec.Struct):
    content: str | None = None
    role: str | None = None
    refusal: str | None = None
    tool_calls: list[Any] | None = None
    function_call: Any = None
    reasoning_content: str | None = None


class FloorChunkChoice(msgspec.Struct):
    delta: FloorDelta
    index: int
    finish_reason: str | None = None
    logprobs: Any = None


class FloorUsage(msgspec.Struct):
    completion_tokens: int
    prompt_tokens: int
    total_tokens: int
    completion_tokens_details: dict[str, Any] | None = None
    prompt_tokens_details: dict[str, Any] | None = None


class FloorChunk(msgspec.Struct):
    id: str
    choices: list[FloorChunkChoice]
    created: int
    model: str
    object: str
    system_fingerprint: str | None = None
    service_tier: str | None = None
    usage: FloorUsage | None = None


class FloorTopLogprob(msgspec.Struct):
    token: str
    logprob: float
    bytes: list[int] | None = None


class FloorTokenLogprob(msgspec.Struct):
    token: str
    logprob: float
    bytes: list[int] | None = None
    top_logprobs: list[FloorTopLogprob] = []


class FloorLogprobs(msgspec.Struct):
    content: list[FloorTokenLogprob] | None = None
    refusal: list[FloorTokenLogprob] | None = None


class FloorMessage(msgspec.Struct):
    role: str
    content: str | None = None
    refusal: str | None = None
    name: str | None = None
    tool_calls: list[Any] | None = None
    function_call: Any = None
    reasoning_content: str | None = None


class FloorChoice(msgspec.Struct):
    index: int
    message: FloorMessage
    finish_reason: str | None = None
    logprobs: FloorLogprobs | None = None


class FloorCompletion(msgspec.Struct):
    id: str
    choices: list[FloorChoice]
    created: int
    model: str
    object: str
    system_fingerprint: str | None = None
    service_tier: str | None = None
    usage: FloorUsage | None = None


# -- payloads ------------------------------------------------------------------


def stream_events(n: int = N_CHUNKS, seed: int = 7) -> list[bytes]:
    """Edgen-dialect SSE events, one `data: <json>\\n\\n` per token, ending in [DONE].

    The last chunk carries `finish_reason: "stop"`, as a whole OpenAI-style stream does
    (without it, `stream()` rightly reports the answer as cut short)."""
    fake = Faker()
    fake.seed_instance(seed)
    out = []
    for i in range(n):
        chunk = {
            "id": fake.uuid4(),
            "choices": [
                {
                    "delta": {"content": " " + fake.word(), "role": None},
                    "finish_reason": "stop" if i == n - 1 else None,
                    "index": 0,
                }
            ],
            "created": 1714998001,
            "model": "main",
            "system_fingerprint": "edgen-0.1.5",
            "object": "text_completion",
        }
        out.append(b"data: " + msgspec.json.encode(chunk) + b"\n\n")
    out.append(b"data: [DONE]\n\n")
    return out


def large_completion(tokens: int = 500, top: int = 5, seed: int = 11) -> bytes:
    """A non-streamed completion with log-probabilities: about 235 kB of JSON."""
    fake = Faker()
    fake.seed_instance(seed)

    def logprob(token: str) -> dict[str, Any]:
        return {
            "token": token,
            "logprob": -fake.pyfloat(min_value=0, max_value=20, right_digits=6),
            "bytes": list(token.encode()),
        }

    content = []
    words = []
    for _ in range(tokens):
        word = " " + fake.word()
        words.append(word)
        entry = logprob(word)
        entry["top_logprobs"] = [logprob(" " + fake.word()) for _ in range(top)]
        content.append(entry)
    body = {
        "id": "chatcmpl-" + fake.hexify("^" * 30),
        "object": "chat.completion",
        "created": 1714998001,
        "model": "llama-3.1-8b-instruct",
        "system_fingerprint": "b3467-edgen",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "".join(words)},
                "logprobs": {"content": content},
                "finish_reason": "length",
            }
        ],
        "usage": {"prompt_tokens": 25, "completion_tokens": tokens, "total_tokens": tokens + 25},
    }
    return msgspec.json.encode(body)


def small_completion() -> bytes:
    return msgspec.json.encode(
        {
            "id": "chatcmpl-0",
            "object": "chat.completion",
            "created": 1714998001,
            "model": "main",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "This is a test."},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 60, "completion_tokens": 5, "total_tokens": 65},
        }
    )


def ten_messages(seed: int = 3) -> list[dict[str, str]]:
    fake = Faker()
    fake.seed_instance(seed)
    roles = ["system"] + ["user", "assistant"] * 4 + ["user"]
    return [{"role": role, "content": fake.sentence(nb_words=12)} for role in roles]


# -- mock transports -------------------------------------------------------------
# One handler per payload, built for a given httpx-like module (httpx, or openai's httpx2),
# so every client reads the very same bytes from the same kind of in-memory transport.


def sse_transport(hx: Any, events: list[bytes], *, is_async: bool = False) -> Any:
    class _Sync(hx.SyncByteStream):  # type: ignore[misc, name-defined]
        def __iter__(self) -> Iterator[bytes]:
            return iter(events)

    class _Async(hx.AsyncByteStream):  # type: ignore[misc, name-defined]
        async def __aiter__(self) -> AsyncIterator[bytes]:
            for event in events:
                yield event

    def handler(request: Any) -> Any:
        stream = _Async() if is_async else _Sync()
        return hx.Response(200, headers={"content-type": "text/event-stream"}, stream=stream)

    return hx.MockTransport(handler)


def json_transport(hx: Any, body: bytes) -> Any:
    headers = {"content-type": "application/json"}

    def handler(request: Any) -> Any:
        return hx.Response(200, headers=headers, content=body)

    return hx.MockTransport(handler)


def openai_client(transport: Any, *, is_async: bool = False) -> Any:
    """An openai client on the given transport (None when openai is not installed)."""
    if openai is None:
        return None
    if is_async:
        http = OA_HTTPX.AsyncClient(transport=transport)
        return openai.AsyncOpenAI(api_key="sk-bench", base_url=BASE_URL, http_client=http)
    http = OA_HTTPX.Client(transport=transport)
    return openai.OpenAI(api_key="sk-bench", base_url=BASE_URL, http_client=http)


def subprocess_env() -> dict[str, str]:
    """The environment for child interpreters: bytecode caching on, same sys.path for edgen."""
    import edgen

    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    root = os.path.dirname(os.path.dirname(os.path.abspath(edgen.__file__)))
    env["PYTHONPATH"] = root
    return env


def skip_without_openai() -> None:
    import pytest

    if openai is None:
        pytest.skip("openai is not installed")
