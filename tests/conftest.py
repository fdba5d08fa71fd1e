"""Shared fixtures for the edgen test suite.

- `anyio_backend`: async tests run with `@pytest.mark.anyio` on asyncio.
- `frost_wav`: path of the test recording (tests/data/frost.wav).
- `emulator`: a running `edgen.testing.EdgenEmulator` (Edgen dialect, fixed seed).
- `sse_body(*payloads, ...)`: build an SSE body from JSON-able payloads.
- `edgen_chunk(...)` / `openai_chunk(...)`: chunk dicts in either wire dialect.
- `closed_port`: a 127.0.0.1 port with nothing listening.
- `router`: respx mocking the default base URL.
- `sleeps`: retry waits recorded instead of slept.
- `proxy_env(HTTP_PROXY=..., NO_PROXY=...)`: exactly these proxy variables set for the test.
- Every test runs with EDGEN_API_KEY and EDGEN_BASE_URL unset.
- `transport`, `async_edgen(**options)`, `async_http(**kwargs)`: async clients on the HTTP
  transport under test, httpx's own or aiohttp's (EDGEN_TEST_TRANSPORT=aiohttp, `tox -e aiohttp`).
  With aiohttp, only the tests that use these fixtures run.
- `busy(client)`: connections a client has checked out of its pool, on either transport.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

import edgen
from edgen import AsyncEdgen
from edgen._transport import AsyncLazyTransport, LazyTransport
from edgen.testing import EdgenEmulator

REPO_ROOT = Path(__file__).resolve().parents[1]
FROST_WAV = Path(__file__).resolve().parent / "data" / "frost.wav"

BASE_URL = "http://127.0.0.1:33322/v1/"
FINGERPRINT = "edgen-0.1.5"


TRANSPORTS = ("httpx", "aiohttp")
TRANSPORT = os.environ.get("EDGEN_TEST_TRANSPORT") or "httpx"
if TRANSPORT not in TRANSPORTS:
    raise pytest.UsageError(f"EDGEN_TEST_TRANSPORT must be one of {TRANSPORTS}, not {TRANSPORT!r}")


def pytest_report_header() -> str:
    return f"edgen async transport: {TRANSPORT}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # A run on aiohttp is for what differs there: the rest already ran on httpx.
    if TRANSPORT == "httpx":
        return
    kept = [item for item in items if "transport" in getattr(item, "fixturenames", ())]
    config.hook.pytest_deselected(items=[item for item in items if item not in kept])
    items[:] = kept


@pytest.fixture
def transport(anyio_backend: str) -> str:
    """The HTTP transport the async clients of this test run on."""
    if TRANSPORT == "aiohttp":
        pytest.importorskip("httpx_aiohttp", reason='needs pip install "edgen[aiohttp]"')
        if anyio_backend != "asyncio":
            pytest.skip("aiohttp runs on asyncio only")
    return TRANSPORT


@pytest.fixture
def async_http(transport: str) -> Callable[..., httpx.AsyncClient]:
    """`async_http(**kwargs)`: an httpx.AsyncClient on the transport under test."""

    def make(**kwargs: Any) -> httpx.AsyncClient:
        if transport == "aiohttp":
            return edgen.DefaultAioHttpClient(**kwargs)
        return httpx.AsyncClient(**kwargs)

    return make


@pytest.fixture
def async_edgen(
    transport: str, async_http: Callable[..., httpx.AsyncClient]
) -> Callable[..., AbstractAsyncContextManager[AsyncEdgen]]:
    """`async with async_edgen(**options) as client`: an AsyncEdgen on the transport under
    test; on httpx, the pool edgen makes itself; both pools are closed on exit."""

    @asynccontextmanager
    async def make(**options: Any) -> AsyncIterator[AsyncEdgen]:
        if transport == "httpx":
            async with AsyncEdgen(**options) as client:
                yield client
        else:
            async with async_http() as http, AsyncEdgen(http_client=http, **options) as client:
                yield client

    return make


def busy(client: edgen.Edgen | AsyncEdgen) -> int:
    """Connections checked out of the client's pool, plus requests waiting for one."""
    transport = client._http._transport
    pool: Any = None
    if isinstance(transport, (LazyTransport, AsyncLazyTransport)):  # edgen's own pool
        pool = transport.transport_for(client.base_url).pool
    elif isinstance(transport, (httpx.HTTPTransport, httpx.AsyncHTTPTransport)):
        pool = transport._pool
    if pool is not None:
        active = [c for c in pool.connections if not c.is_idle() and not c.is_closed()]
        return len(active) + len(pool._requests)
    session = transport.client  # aiohttp's, made at the first request
    return 0 if session is None else len(session.connector._acquired)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # A developer's own EDGEN_* settings must not change what the tests see.
    monkeypatch.delenv("EDGEN_API_KEY", raising=False)
    monkeypatch.delenv("EDGEN_BASE_URL", raising=False)


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as mock:
        yield mock


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record every retry wait of the sync and async clients instead of waiting."""
    delays: list[float] = []

    def fake_sleep(seconds: float) -> None:
        delays.append(seconds)

    async def fake_async_sleep(seconds: float) -> None:
        delays.append(seconds)

    monkeypatch.setattr("edgen._client._sleep", fake_sleep)
    monkeypatch.setattr("edgen._client._async_sleep", fake_async_sleep)
    return delays


PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture
def proxy_env(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """`proxy_env(NAME=value, ...)`: only these proxy variables are set (any other, in either
    case, is removed), until the test ends."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)

    def set_only(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return set_only


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def frost_wav() -> Path:
    return FROST_WAV


@pytest.fixture
def emulator() -> Iterator[EdgenEmulator]:
    """A running EdgenEmulator on 127.0.0.1 (dialect "edgen", seed 1234, 6 tokens)."""
    with EdgenEmulator(host="127.0.0.1", dialect="edgen", seed=1234, tokens=6) as server:
        yield server


@pytest.fixture
def closed_port() -> int:
    """A loopback port that refuses connections (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sse_body(
    *payloads: Any,
    done: bool = False,
    eol: str = "\n",
    comments: tuple[str, ...] = (),
    compact: bool = True,
) -> bytes:
    """An SSE body: one `data:` event per payload (dicts are JSON-encoded, str/bytes
    go in verbatim), optional leading comment lines and a final `data: [DONE]`."""
    out: list[bytes] = []
    for comment in comments:
        out.append(f": {comment}{eol}{eol}".encode())
    for payload in payloads:
        if isinstance(payload, bytes):
            data = payload
        elif isinstance(payload, str):
            data = payload.encode()
        else:
            seps = (",", ":") if compact else (", ", ": ")
            data = json.dumps(payload, separators=seps, ensure_ascii=False).encode()
        out.append(b"data: " + data + (eol * 2).encode())
    if done:
        out.append(f"data: [DONE]{eol}{eol}".encode())
    return b"".join(out)


def edgen_chunk(content: str, *, created: int = 1714998001, chunk_id: str | None = None) -> dict:
    """A chunk exactly as the Edgen server sends it (edgen-api.md §3 R1 / §8)."""
    return {
        "id": chunk_id or str(uuid.uuid4()),
        "choices": [
            {"delta": {"content": content, "role": None}, "finish_reason": None, "index": 0}
        ],
        "created": created,
        "model": "main",
        "system_fingerprint": FINGERPRINT,
        "object": "text_completion",
    }


def openai_chunk(
    delta: dict,
    *,
    finish_reason: str | None = None,
    chunk_id: str = "chatcmpl-abc",
    model: str = "llama",
    choices: list | None = None,
    **extra: Any,
) -> dict:
    """A llama.cpp / OpenAI-style chunk."""
    body: dict[str, Any] = {
        "id": chunk_id,
        "object": "chat.completion.chunk",
        "created": 1714998001,
        "model": model,
        "system_fingerprint": "b1234",
    }
    if choices is None:
        choices = [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}]
    body["choices"] = choices
    body.update(extra)
    return body


def edgen_completion(content: str, *, completion_id: str | None = None) -> dict:
    """A non-streamed ChatCompletion exactly as the Edgen server sends it."""
    return {
        "id": completion_id or str(uuid.uuid4()),
        "choices": [
            {
                "message": {
                    "role": "assistant",
                    "content": content,
                    "name": None,
                    "tool_calls": None,
                },
                "finish_reason": None,
                "index": 0,
            }
        ],
        "created": 1714998000,
        "model": "main",
        "system_fingerprint": FINGERPRINT,
        "object": "text_completion",
        "usage": {"completion_tokens": 0, "prompt_tokens": 0, "total_tokens": 0},
    }


def openai_completion(content: str | None, tool_calls: list | None = None) -> dict:
    """A minimal non-streamed ChatCompletion in the OpenAI shape, finished with "stop"."""
    message: dict = {"role": "assistant", "content": content}
    if tool_calls is not None:
        message["tool_calls"] = tool_calls
    return {
        "id": "x",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "created": 1,
        "model": "m",
        "object": "chat.completion",
    }


SSE_HEADERS = {"content-type": "text/event-stream", "cache-control": "no-cache"}


@pytest.fixture(name="sse_body")
def _sse_body_fixture() -> Any:
    return sse_body
