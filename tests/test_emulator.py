"""Tests of ``edgen.testing.EdgenEmulator`` using raw httpx (not the edgen client)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import tracemalloc
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pytest

from edgen.testing import (
    EdgenEmulator,
    Fault,
    FaultSpecError,
    RecordedRequest,
    UploadedFile,
    _routes,
    serve_forever,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
FROST = REPO_ROOT / "tests" / "data" / "frost.wav"
FROST_TEXT = (
    " The woods are lovely, dark and deep, but I have promises to keep and miles to go"
    " before I sleep, and miles to go before I sleep."
)
MODEL_ID = "TheBloke/neural-chat-7B-v3-3-GGUF"
MODEL_PATH = "models/TheBloke%2Fneural-chat-7B-v3-3-GGUF"
MESSAGES = [{"role": "user", "content": "Say this is a test"}]
CHAT = {"model": "default", "messages": MESSAGES}
SERDE = "Failed to deserialize the JSON body into the target type: "


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def server() -> Iterator[EdgenEmulator]:
    with EdgenEmulator() as emulator:
        yield emulator


@pytest.fixture
def openai_server() -> Iterator[EdgenEmulator]:
    with EdgenEmulator(dialect="openai") as emulator:
        yield emulator


@pytest.fixture
def client(server: EdgenEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        yield http


@pytest.fixture
def oclient(openai_server: EdgenEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=openai_server.url, timeout=10) as http:
        yield http


def sse_events(raw: bytes) -> list[bytes]:
    """Split a raw SSE body into events (the text between blank lines)."""
    assert raw.endswith(b"\n\n")
    return raw[:-2].split(b"\n\n")


def chunk_json(event: bytes) -> dict[str, Any]:
    assert event.startswith(b"data: ")
    data: dict[str, Any] = json.loads(event[6:])
    return data


def is_uuid4(value: str) -> bool:
    parsed = uuid.UUID(value)
    return parsed.version == 4 and str(parsed) == value


# -- lifecycle -------------------------------------------------------------------------


def test_url_and_fast_start_stop() -> None:
    started = time.perf_counter()
    emulator = EdgenEmulator()
    emulator.start()
    emulator.start()  # idempotent
    assert emulator.url == f"http://127.0.0.1:{emulator.port}/v1/"
    assert emulator.host == "127.0.0.1" and emulator.port > 0
    # An open stream must not delay stopping.
    http = httpx.Client(base_url=emulator.url, timeout=5)
    with http.stream(
        "POST",
        "chat/completions",
        json={**CHAT, "stream": True},
        headers={"x-emulator-token-delay": "0.5", "x-emulator-tokens": "100"},
    ) as response:
        assert response.status_code == 200
        before_stop = time.perf_counter()
        emulator.stop()
        assert time.perf_counter() - before_stop < 1.0
        with pytest.raises(httpx.HTTPError):
            response.read()
    http.close()
    emulator.stop()  # idempotent
    assert not emulator.running
    assert time.perf_counter() - started < 2.0
    with pytest.raises(RuntimeError):
        _ = emulator.url


@pytest.mark.anyio
async def test_async_context_manager() -> None:
    async with EdgenEmulator() as emulator, httpx.AsyncClient(base_url=emulator.url) as http:
        response = await http.get("misc/version")
    assert response.json() == {"major": 0, "minor": 1, "patch": 5, "build": ""}
    assert not emulator.running


def test_restart_gets_a_new_port_and_keeps_state() -> None:
    emulator = EdgenEmulator()
    with emulator:
        httpx.get(emulator.url + "models")
    with emulator:
        assert httpx.get(emulator.url + "misc/version").status_code == 200
    assert [r.path for r in emulator.requests] == ["/v1/models", "/v1/misc/version"]


def test_port_in_use_raises() -> None:
    with EdgenEmulator() as first, pytest.raises(OSError):
        EdgenEmulator(port=first.port).start()


# -- R1 chat, edgen dialect -----------------------------------------------------------------


def test_chat_completion_edgen_shape(server: EdgenEmulator, client: httpx.Client) -> None:
    response = client.post("chat/completions", json=CHAT)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == [
        "id",
        "choices",
        "created",
        "model",
        "system_fingerprint",
        "object",
        "usage",
    ]
    assert is_uuid4(body["id"])
    assert body["model"] == "main"
    assert body["object"] == "text_completion"
    assert body["system_fingerprint"] == "edgen-0.1.5"
    assert abs(body["created"] - time.time()) < 5
    assert body["usage"] == {"completion_tokens": 0, "prompt_tokens": 0, "total_tokens": 0}
    [choice] = body["choices"]
    assert choice["finish_reason"] is None and choice["index"] == 0
    message = choice["message"]
    assert list(message) == ["role", "content", "name", "tool_calls"]
    assert message["role"] == "assistant" and message["name"] is None
    assert message["tool_calls"] is None
    words = message["content"].split(" ")
    assert len(words) == 8 and all(words)
    # Compact JSON, as the server writes it.
    assert b", " not in response.content and b'": ' not in response.content


def test_chat_stream_edgen_framing(client: httpx.Client) -> None:
    complete = client.post("chat/completions", json=CHAT).json()
    response = client.post("chat/completions", json={**CHAT, "stream": True})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream"
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["transfer-encoding"] == "chunked"
    raw = response.content
    assert b"[DONE]" not in raw and b"\r" not in raw
    assert not raw.startswith(b":")
    events = sse_events(raw)
    assert len(events) == 8
    chunks = [chunk_json(event) for event in events]
    for event, chunk in zip(events, chunks):
        assert b"\n" not in event
        assert list(chunk) == ["id", "choices", "created", "model", "system_fingerprint", "object"]
        assert chunk["choices"] == [
            {
                "delta": {"content": chunk["choices"][0]["delta"]["content"], "role": None},
                "finish_reason": None,
                "index": 0,
            }
        ]
        assert chunk["model"] == "main" and chunk["object"] == "text_completion"
        assert chunk["system_fingerprint"] == "edgen-0.1.5"
        assert is_uuid4(chunk["id"])
        # The exact bytes the server writes: compact JSON in the documented key order.
        assert event == b"data: " + json.dumps(chunk, separators=(",", ":")).encode()
    assert len({chunk["id"] for chunk in chunks}) == 8  # a new id per chunk
    contents = [chunk["choices"][0]["delta"]["content"] for chunk in chunks]
    assert not contents[0].startswith(" ")
    assert all(c.startswith(" ") for c in contents[1:])
    assert "".join(contents) == complete["choices"][0]["message"]["content"]


def test_chat_token_count_controls(server: EdgenEmulator, client: httpx.Client) -> None:
    def count(extra: dict[str, Any], headers: dict[str, str] | None = None) -> int:
        response = client.post("chat/completions", json={**CHAT, **extra}, headers=headers)
        return len(response.json()["choices"][0]["message"]["content"].split())

    assert count({}) == 8
    assert count({"max_tokens": 3}) == 3
    assert count({"max_tokens": 30}) == 8
    assert count({}, {"x-emulator-tokens": "20"}) == 20
    assert count({"max_tokens": 5}, {"x-emulator-tokens": "20"}) == 5
    server.tokens = 2
    assert count({}) == 2
    response = client.post(
        "chat/completions", json={**CHAT, "stream": True}, headers={"x-emulator-tokens": "0"}
    )
    assert response.status_code == 200 and response.content == b""


def test_token_delay_paces_chunks(client: httpx.Client) -> None:
    headers = {"x-emulator-token-delay": "0.05", "x-emulator-tokens": "4"}
    arrivals: list[float] = []
    with client.stream(
        "POST", "chat/completions", json={**CHAT, "stream": True}, headers=headers
    ) as response:
        for line in response.iter_lines():
            if line.startswith("data: "):
                arrivals.append(time.perf_counter())
    assert len(arrivals) == 4
    assert arrivals[-1] - arrivals[0] >= 0.14


@pytest.mark.slow
def test_determinism_by_seed_and_messages() -> None:
    def content(seed: int, messages: list[dict[str, str]], stream: bool = False) -> str:
        with EdgenEmulator(seed=seed) as emulator:
            body = {"model": "default", "messages": messages, "stream": stream}
            response = httpx.post(emulator.url + "chat/completions", json=body)
            if stream:
                chunks = [chunk_json(e) for e in sse_events(response.content)]
                return "".join(c["choices"][0]["delta"]["content"] for c in chunks)
            text: str = response.json()["choices"][0]["message"]["content"]
            return text

    first = content(7, MESSAGES)
    assert content(7, MESSAGES) == first
    assert content(7, MESSAGES, stream=True) == first
    assert content(8, MESSAGES) != first
    assert content(7, [{"role": "user", "content": "something else"}]) != first

    with EdgenEmulator(seed=3) as a, EdgenEmulator(seed=3) as b:
        body = {"model": "default", "input": ["x", "y"]}
        va = httpx.post(a.url + "embeddings", json=body).json()
        vb = httpx.post(b.url + "embeddings", json=body).json()
        assert va["embeddings"] == vb["embeddings"]
        image = {"prompt": "p", "model": {"Left": "stable-diffusion-2-1"}}
        assert httpx.post(a.url + "image/generations", json=image).content == (
            httpx.post(b.url + "image/generations", json=image).content
        )


# -- R1 chat, openai dialect ----------------------------------------------------------------


def test_chat_completion_openai_shape(oclient: httpx.Client) -> None:
    body = oclient.post("chat/completions", json={**CHAT, "max_tokens": 100}).json()
    assert body["id"].startswith("chatcmpl-")
    assert body["object"] == "chat.completion"
    assert body["model"] == "default"
    [choice] = body["choices"]
    assert choice["finish_reason"] == "stop"
    assert choice["message"]["role"] == "assistant"
    assert len(choice["message"]["content"].split()) == 8
    usage = body["usage"]
    assert usage["completion_tokens"] == 8 and usage["prompt_tokens"] > 0
    assert usage["total_tokens"] == usage["prompt_tokens"] + 8

    capped = oclient.post("chat/completions", json={**CHAT, "max_tokens": 2}).json()
    assert capped["choices"][0]["finish_reason"] == "length"
    assert capped["usage"]["completion_tokens"] == 2


def test_chat_stream_openai_framing(oclient: httpx.Client) -> None:
    complete = oclient.post("chat/completions", json=CHAT).json()
    response = oclient.post("chat/completions", json={**CHAT, "stream": True})
    assert response.headers["content-type"] == "text/event-stream"
    events = sse_events(response.content)
    assert events[0].startswith(b": ping - ")
    assert events[-1] == b"data: [DONE]"
    chunks = [chunk_json(e) for e in events[1:-1]]
    assert len(chunks) == 1 + 8 + 1
    assert len({c["id"] for c in chunks}) == 1 and chunks[0]["id"].startswith("chatcmpl-")
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant"}
    assert all(c["choices"][0]["finish_reason"] is None for c in chunks[:-1])
    assert chunks[-1]["choices"][0] == {
        "index": 0,
        "delta": {},
        "logprobs": None,
        "finish_reason": "stop",
    }
    text = "".join(c["choices"][0]["delta"]["content"] for c in chunks[1:-1])
    assert text == complete["choices"][0]["message"]["content"]
    # llama.cpp writes stream JSON with spaces after ',' and ':'.
    assert b'{"id": "chatcmpl-' in events[1] and b'"index": 0, ' in events[1]
    assert b"usage" not in response.content


def test_chat_stream_openai_usage_and_length(oclient: httpx.Client) -> None:
    body = {**CHAT, "stream": True, "max_tokens": 3, "stream_options": {"include_usage": True}}
    events = sse_events(oclient.post("chat/completions", json=body).content)
    chunks = [chunk_json(e) for e in events[1:-1]]
    assert chunks[-2]["choices"][0]["finish_reason"] == "length"
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"]["completion_tokens"] == 3
    assert events[-1] == b"data: [DONE]"


def test_openai_errors(oclient: httpx.Client) -> None:
    missing = oclient.post("chat/completions", json={"messages": MESSAGES})
    assert missing.status_code == 400
    error = missing.json()["error"]
    assert set(error) == {"message", "type", "code"}
    assert error["type"] == "invalid_request_error"
    bad_role = oclient.post("chat/completions", json={"model": "m", "messages": [{"role": "x"}]})
    assert bad_role.status_code == 400
    assert "Invalid enum value 'x' - at `$.messages[0].role`" in bad_role.json()["error"]["message"]
    assert oclient.post("chat/completions", content=b"{nope").status_code == 400
    not_found = oclient.get("models/nope")
    assert not_found.status_code == 404
    assert not_found.json()["error"]["code"] == "model_not_found"
    assert oclient.get("nowhere").status_code == 404
    method = oclient.delete("chat/completions")
    assert method.status_code == 405 and method.headers["allow"] == "POST"
    injected = oclient.post(
        "chat/completions", json=CHAT, headers={"x-emulator-fault": "status=503"}
    )
    assert injected.status_code == 503
    assert injected.json() == {
        "error": {
            "message": "injected 503 Service Unavailable",
            "type": "server_error",
            "code": None,
        }
    }


def test_openai_other_routes(oclient: httpx.Client) -> None:
    embeddings = oclient.post("embeddings", json={"model": "m", "input": "hello"}).json()
    assert embeddings["object"] == "list" and "embeddings" not in embeddings
    assert len(embeddings["data"][0]["embedding"]) == 768
    models = oclient.get("models").json()
    assert models["object"] == "list" and "page" not in models
    assert all("created" not in m for m in models["data"])
    assert oclient.get(MODEL_PATH).json() == {
        "id": MODEL_ID,
        "object": "model",
        "owned_by": "TheBloke",
    }
    transcription = oclient.post(
        "audio/transcriptions",
        files={"file": ("a.wav", b"RIFF")},
        data={"model": "whisper-1", "timestamp_granularities[]": "word"},
    )
    assert transcription.json() == {"text": FROST_TEXT}


# -- R2/R4/R6/R11 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "model"),
    [
        ("chat/completions/status", "neural-chat-7b-v3-3.Q4_K_M.gguf"),
        ("embeddings/status", "nomic-embed-text-v1.5.f16.gguf"),
        ("audio/transcriptions/status", "ggml-distil-small.en.bin"),
    ],
)
def test_status_routes(client: httpx.Client, route: str, model: str) -> None:
    response = client.get(route)
    assert response.status_code == 200
    assert response.content == (
        b'{"active_model":"%s","download_ongoing":false,"download_progress":100,'
        b'"last_errors":[]}' % model.encode()
    )


def test_status_is_mutable(server: EdgenEmulator, client: httpx.Client) -> None:
    server.status["chat"].update(download_ongoing=True, download_progress=42)
    body = client.get("chat/completions/status").json()
    assert body["download_ongoing"] is True and body["download_progress"] == 42


def test_version(client: httpx.Client) -> None:
    response = client.get("misc/version")
    assert response.content == b'{"major":0,"minor":1,"patch":5,"build":""}'
    assert client.head("misc/version").status_code == 200


# -- R3 embeddings ----------------------------------------------------------------------


def test_embeddings_edgen(client: httpx.Client) -> None:
    response = client.post("embeddings", json={"model": "default", "input": ["a", "b", "a"]})
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["object", "embeddings", "model", "usage"]
    assert body["model"] == "default"
    assert body["usage"] == {"prompt_tokens": 0, "total_tokens": 0}
    items = body["embeddings"]
    assert [item["index"] for item in items] == [0, 1, 2]
    assert all(list(item) == ["object", "embedding", "index"] for item in items)
    assert all(len(item["embedding"]) == 768 for item in items)
    assert items[0]["embedding"] == items[2]["embedding"] != items[1]["embedding"]
    norm = sum(v * v for v in items[0]["embedding"]) ** 0.5
    assert abs(norm - 1) < 1e-3
    single = client.post("embeddings", json={"model": "m", "input": "a"}).json()
    assert single["embeddings"][0]["embedding"] == items[0]["embedding"]


def test_embeddings_dim_and_validation() -> None:
    with EdgenEmulator(embedding_dim=16) as emulator:
        url = emulator.url + "embeddings"
        body = httpx.post(url, json={"model": "m", "input": "x"}).json()
        assert len(body["embeddings"][0]["embedding"]) == 16
        tokens = httpx.post(url, json={"model": "m", "input": [1, 2]})
        assert tokens.status_code == 422 and tokens.text.startswith(SERDE)
        assert tokens.text.endswith("at `$.input[0]`")
        missing = httpx.post(url, json={"model": "m"})
        assert missing.status_code == 422 and "missing required field `input`" in missing.text


# -- R5 transcriptions ----------------------------------------------------------------------


def test_transcription_with_frost_and_sessions(server: EdgenEmulator, client: httpx.Client) -> None:
    audio = FROST.read_bytes()
    response = client.post(
        "audio/transcriptions",
        files={"file": ("frost.wav", audio, "audio/wav")},
        data={"model": "default", "language": "en", "temperature": "0.5"},
    )
    assert response.status_code == 200
    assert response.content == b'{"text":%s}' % json.dumps(FROST_TEXT).encode()

    created = client.post(
        "audio/transcriptions",
        files={"file": ("a.wav", b"abc")},
        data={"model": "distil", "create_session": "true"},
    ).json()
    assert list(created) == ["text", "session"] and is_uuid4(created["session"])
    session = created["session"]
    assert session in server.sessions

    continued = client.post(
        "audio/transcriptions",
        files={"file": ("a.wav", b"abc")},
        data={"model": "distil", "session": session},
    ).json()
    assert continued == {"text": FROST_TEXT}  # echoed only with create_session=true
    echoed = client.post(
        "audio/transcriptions",
        files={"file": ("a.wav", b"abc")},
        data={"model": "distil", "session": session, "create_session": "true"},
    ).json()
    assert echoed["session"] == session

    unknown = client.post(
        "audio/transcriptions",
        files={"file": ("a.wav", b"abc")},
        data={"model": "distil", "session": str(uuid.uuid4())},
    )
    assert unknown.status_code == 500
    assert unknown.content == b'{"error":"endpoint","SessionNotFound":null}'

    recorded = server.requests[0]
    assert recorded.form["model"] == "default" and recorded.form["language"] == "en"
    upload = recorded.files["file"]
    assert isinstance(upload, UploadedFile) and recorded.form["file"] == upload
    assert upload == ("frost.wav", len(audio), hashlib.sha256(audio).hexdigest())


def _multipart(parts: list[tuple[str, bytes, str | None]], boundary: str = "b0und") -> bytes:
    out = b""
    for name, value, filename in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        out += value + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


FILE = ("file", b"RIFF....", "a.wav")
MODEL = ("model", b"default", None)


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ([FILE, MODEL, ("foo", b"1", None)], "field 'foo' is not expected"),
        ([FILE, MODEL, MODEL], "field 'model' is already present"),
        ([FILE, FILE, MODEL], "field 'file' is already present"),
        ([MODEL], "field 'file' is required"),
        ([FILE], "field 'model' is required"),
        (
            [FILE, MODEL, ("create_session", b"True", None)],
            "field 'create_session' must be of type 'bool'",
        ),
        (
            [FILE, MODEL, ("create_session", b"1", None)],
            "field 'create_session' must be of type 'bool'",
        ),
        (
            [FILE, MODEL, ("temperature", b"warm", None)],
            "field 'temperature' must be of type 'f32'",
        ),
        ([FILE, MODEL, ("session", b"not-a-uuid", None)], "field 'session' must be of type"),
        ([FILE, MODEL, ("", b"x", None)], "field name is empty"),
        (
            [FILE, MODEL, ("timestamp_granularities[]", b"word", None)],
            "field 'timestamp_granularities[]' is not expected",
        ),
    ],
)
def test_transcription_strict_parsing(
    client: httpx.Client, parts: list[tuple[str, bytes, str | None]], message: str
) -> None:
    response = client.post(
        "audio/transcriptions",
        content=_multipart(parts),
        headers={"content-type": "multipart/form-data; boundary=b0und"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.startswith(message)


@pytest.mark.parametrize("value", ["0", "1.5", "-2e3", ".5", "inf", "NaN"])
def test_transcription_float_literals(client: httpx.Client, value: str) -> None:
    response = client.post(
        "audio/transcriptions",
        content=_multipart([FILE, MODEL, ("temperature", value.encode(), None)]),
        headers={"content-type": "multipart/form-data; boundary=b0und"},
    )
    assert response.status_code == 200


def test_transcription_malformed_requests(client: httpx.Client) -> None:
    not_multipart = client.post("audio/transcriptions", json={"model": "default"})
    assert not_multipart.status_code == 400
    assert not_multipart.text.startswith("request is malformed (")
    truncated = client.post(
        "audio/transcriptions",
        content=_multipart([FILE, MODEL])[:-10],
        headers={"content-type": "multipart/form-data; boundary=b0und"},
    )
    assert truncated.status_code == 400
    assert truncated.text.startswith("request body is malformed (")


def test_chunked_multipart_upload(server: EdgenEmulator, client: httpx.Client) -> None:
    payload = os.urandom(3 * 65536 + 17)
    body = _multipart([("file", payload, "big.wav"), MODEL])

    def pieces() -> Iterator[bytes]:
        for start in range(0, len(body), 4093):  # odd sizes split boundaries across chunks
            yield body[start : start + 4093]

    response = client.post(
        "audio/transcriptions",
        content=pieces(),
        headers={"content-type": "multipart/form-data; boundary=b0und"},
    )
    assert response.status_code == 200
    recorded = server.requests[-1]
    assert recorded.headers["transfer-encoding"] == "chunked"
    assert recorded.body == body and recorded.body_size == len(body)
    assert recorded.files["file"] == ("big.wav", len(payload), hashlib.sha256(payload).hexdigest())
    assert recorded.form["model"] == "default"


def test_chunked_json_body(server: EdgenEmulator, client: httpx.Client) -> None:
    raw = json.dumps(CHAT).encode()
    response = client.post(
        "chat/completions",
        content=iter([raw[:10], raw[10:]]),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 200
    assert server.requests[-1].json() == CHAT


def test_body_limit_and_200mb_upload(server: EdgenEmulator, client: httpx.Client) -> None:
    piece = b"\0" * (1 << 20)

    def huge() -> Iterator[bytes]:
        for _ in range(200):
            yield piece

    response = client.post(
        "audio/transcriptions",
        content=huge(),
        headers={"content-type": "multipart/form-data; boundary=b0und"},
    )
    assert response.status_code == 413
    recorded = server.requests[-1]
    assert recorded.body == b"" and recorded.body_size == 200 << 20
    # The connection and the server are still usable.
    assert client.get("misc/version").status_code == 200

    with EdgenEmulator(max_body=1000) as small:
        over = httpx.post(small.url + "chat/completions", json={**CHAT, "pad": "x" * 2000})
        assert over.status_code == 413 and over.headers["content-type"].startswith("text/plain")


# -- R7 images --------------------------------------------------------------------------


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset = 8
    size = (0, 0)
    tag = b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        tag = data[offset + 4 : offset + 8]
        chunk = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(tag + chunk)
        if tag == b"IHDR":
            size = struct.unpack(">II", chunk[:8])
        if tag == b"IDAT":
            width, height = size
            assert len(zlib.decompress(chunk)) == height * (1 + 3 * width)
        offset += 12 + length
    assert tag == b"IEND"
    return size


def test_image_generation(client: httpx.Client) -> None:
    body = {
        "prompt": "A rusty robot",
        "model": {"Left": "stable-diffusion-2-1"},
        "width": 16,
        "height": 24,
        "images": 2,
        "seed": 42,
    }
    response = client.post("image/generations", json=body)
    assert response.status_code == 200
    images = response.json()["images"]
    assert len(images) == 2
    pngs = [bytes(image) for image in images]
    assert [_png_size(png) for png in pngs] == [(16, 24), (16, 24)]
    assert pngs[0] != pngs[1]
    default = client.post("image/generations", json={"prompt": "p", "model": {"Left": "x"}})
    assert _png_size(bytes(default.json()["images"][0])) == (64, 64)  # 768 clamped


def test_image_generation_errors(client: httpx.Client) -> None:
    bare = client.post("image/generations", json={"prompt": "p", "model": "stable-diffusion-2-1"})
    assert bare.status_code == 422 and bare.text.startswith(SERDE)
    assert bare.text.endswith("at `$.model`")
    files = {"unet_weights": "u", "vae_weights": "v", "clip_weights": "c", "tokenizer": "t"}
    right = client.post("image/generations", json={"prompt": "p", "model": {"Right": files}})
    assert right.status_code == 500
    assert right.text.startswith("cannot serialize tagged newtype variant")
    ok = {"prompt": "p", "model": {"Right": files}, "vae_scale": 0.18, "width": 8, "height": 8}
    assert client.post("image/generations", json=ok).status_code == 200
    missing = client.post("image/generations", json={"model": {"Left": "x"}})
    assert missing.status_code == 422 and "missing required field `prompt`" in missing.text


# -- R8-R10 models ------------------------------------------------------------------------


def test_models_list_retrieve_delete(server: EdgenEmulator, client: httpx.Client) -> None:
    listing = client.get("models")
    assert listing.content == (
        b'{"object":"list","data":[{"id":"TheBloke/neural-chat-7B-v3-3-GGUF","created":1708333035,'
        b'"object":"model","owned_by":"TheBloke"},{"id":"distil-whisper/distil-small.en",'
        b'"created":1708333030,"object":"model","owned_by":"distil-whisper"}],"page":1,"per_page":2}'
    )
    retrieved = client.get(MODEL_PATH)
    assert retrieved.json() == {
        "id": MODEL_ID,
        "created": 1708333035,
        "object": "model",
        "owned_by": "TheBloke",
    }
    raw_slash = client.get("models/TheBloke/neural-chat-7B-v3-3-GGUF")
    assert raw_slash.status_code == 404 and raw_slash.content == b""

    deleted = client.delete(MODEL_PATH)
    assert (
        deleted.content
        == b'{"id":"TheBloke/neural-chat-7B-v3-3-GGUF","object":"model","deleted":true}'
    )
    assert MODEL_ID not in server.models
    assert server.requests[-1].path == "/v1/" + MODEL_PATH  # percent-encoding kept
    gone = client.get(MODEL_PATH)
    assert gone.status_code == 500 and gone.content == b""
    assert client.delete(MODEL_PATH).status_code == 500
    assert client.get("models").json()["per_page"] == 1

    server.add_model("acme/tiny-GGUF", created=5)
    assert client.get("models/acme%2Ftiny-GGUF").json()["owned_by"] == "acme"
    assert client.put(MODEL_PATH).headers["allow"] == "GET,HEAD,DELETE"


# -- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["nope", "chat/completions/", "completions", "images/generations"])
def test_unknown_paths_are_empty_404(client: httpx.Client, path: str) -> None:
    response = client.post(path, json=CHAT)
    assert response.status_code == 404 and response.content == b""


def test_missing_v1_prefix_is_404(server: EdgenEmulator) -> None:
    response = httpx.post(server.base_url + "/chat/completions", json=CHAT)
    assert response.status_code == 404 and response.content == b""


def test_wrong_method_is_405(client: httpx.Client) -> None:
    post_route = client.get("chat/completions")
    assert post_route.status_code == 405 and post_route.content == b""
    assert post_route.headers["allow"] == "POST"
    get_route = client.post("misc/version")
    assert get_route.status_code == 405 and get_route.headers["allow"] == "GET,HEAD"


def test_json_route_errors(client: httpx.Client) -> None:
    no_type = client.post("chat/completions", content=json.dumps(CHAT))
    assert no_type.status_code == 415
    assert no_type.text == "Expected request with `Content-Type: application/json`"
    plus_json = client.post(
        "chat/completions",
        content=json.dumps(CHAT),
        headers={"content-type": "application/vnd.api+json; charset=utf-8"},
    )
    assert plus_json.status_code == 200
    invalid = client.post(
        "chat/completions", content=b"{oops", headers={"content-type": "application/json"}
    )
    assert invalid.status_code == 400
    assert invalid.text.startswith("Failed to parse the request body as JSON: ")
    assert invalid.headers["content-type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"messages": MESSAGES}, "Object missing required field `model`"),
        ({"model": 5}, "Expected `str`, got `int` - at `$.model`"),
        (
            {"model": "m", "messages": [{"role": "developer", "content": "x"}]},
            "Invalid value 'developer' - at `$.messages[0].role`",
        ),
        (
            {"model": "m", "messages": [{"role": "user"}]},
            "missing required field `content` - at `$.messages[0]`",
        ),
        (
            {"model": "m", "messages": [{"role": "tool", "content": "x"}]},
            "missing required field `tool_call_id` - at `$.messages[0]`",
        ),
        (
            {"model": "m", "tools": [{"type": "function", "function": {"name": "f"}}]},
            "missing required field `parameters` - at `$.tools[0].function`",
        ),
        (
            {"model": "m", "tool_choice": {"type": "function", "function": {"name": "f"}}},
            "missing required field `parameters` - at `$.tool_choice.function`",
        ),
        ({"model": "m", "max_tokens": -1}, "Expected `int` >= 0 - at `$.max_tokens`"),
        ({"model": "m", "stream": "yes"}, "got `str` - at `$.stream`"),
        (
            {"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url"}]}]},
            "missing required field `url` - at `$.messages[0].content[0]`",
        ),
    ],
)
def test_chat_validation_422(client: httpx.Client, body: dict[str, Any], detail: str) -> None:
    response = client.post("chat/completions", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text.startswith(SERDE)
    assert detail in response.text


def test_chat_accepts_edgen_extensions_and_nulls(client: httpx.Client) -> None:
    body: dict[str, Any] = {
        "model": "default",
        "messages": [
            {"role": "system", "content": None},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "hi"},
                    {"type": "image_url", "url": "u", "detail": None},
                ],
            },
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
                ],
            },
            {"role": "tool", "content": "r", "tool_call_id": "1"},
        ],
        "one_shot": True,
        "context_hint": 2048,
        "temperature": None,
        "stop": ["x"],
        "unknown_field": 1,
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}],
    }
    assert client.post("chat/completions", json=body).status_code == 200


def test_strict_models() -> None:
    with EdgenEmulator(strict_models=True) as emulator:
        url = emulator.url
        rejected = httpx.post(url + "chat/completions", json={**CHAT, "model": "gpt-4"})
        assert rejected.status_code == 500
        assert rejected.json() == {
            "error": "unknown_model_kind",
            "model_name": "gpt-4",
            "reason": 'unknown model kind for model: ("gpt-4")',
        }
        for model in ("default", "", "DEFAULT", "a/b/model.Q4.gguf"):
            response = httpx.post(url + "chat/completions", json={**CHAT, "model": model})
            assert response.status_code == 200
        embed = httpx.post(url + "embeddings", json={"model": "fake", "input": "x"})
        assert embed.status_code == 500
        audio = httpx.post(
            url + "audio/transcriptions", files={"file": b"x"}, data={"model": "whisper-1"}
        )
        assert audio.status_code == 200
    with EdgenEmulator() as lenient:
        response = httpx.post(lenient.url + "chat/completions", json={**CHAT, "model": "gpt-4"})
        assert response.status_code == 200


# -- request log ---------------------------------------------------------------------------


def test_request_log(server: EdgenEmulator, client: httpx.Client) -> None:
    client.post("chat/completions?x=1&y=%2F", json=CHAT, headers={"X-Custom": "Yes"})
    client.get(MODEL_PATH)
    [chat, model] = server.requests
    assert isinstance(chat, RecordedRequest)
    assert chat.method == "POST" and chat.path == "/v1/chat/completions"
    assert chat.query == "x=1&y=%2F" and chat.route == "/chat/completions"
    assert chat.headers["x-custom"] == "Yes"
    assert chat.headers["content-type"] == "application/json"
    assert chat.json() == CHAT and chat.form == {} and chat.body_size == len(chat.body)
    assert model.path == "/v1/models/TheBloke%2Fneural-chat-7B-v3-3-GGUF" and model.body == b""
    with pytest.raises(AttributeError):
        chat.method = "GET"  # type: ignore[misc]
    server.clear_requests()
    assert server.requests == []
    client.get("misc/version")
    assert len(server.wait_for_requests(1, timeout=1)) == 1
    with pytest.raises(TimeoutError):
        server.wait_for_requests(2, timeout=0.05)


# -- faults --------------------------------------------------------------------------------


def test_fault_parse() -> None:
    fault = Fault.parse("status=429; retry_after=1.5;retry_after_ms=1500;times=2;key=k;body=a;b")
    assert fault == Fault(
        status=429, retry_after="1.5", retry_after_ms=1500, times=2, key="k", body="a;b"
    )
    assert Fault.parse("close").close
    assert Fault.parse("stall=0.25;drop_after=3").stall == 0.25
    for bad in ("status=abc", "nope=1", "status", "times=0", "stall=-1"):
        with pytest.raises(FaultSpecError):
            Fault.parse(bad)


def test_fault_status_edgen(client: httpx.Client) -> None:
    def fault(spec: str, path: str = "chat/completions") -> httpx.Response:
        if path.startswith(("models", "misc")):
            return client.get(path, headers={"x-emulator-fault": spec})
        return client.post(path, json=CHAT, headers={"x-emulator-fault": spec})

    server_error = fault("status=500")
    assert server_error.status_code == 500
    assert server_error.content == b'{"error":"endpoint","Load":"injected"}'
    limited = fault("status=429;retry_after=2;retry_after_ms=1500")
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "2" and limited.headers["retry-after-ms"] == "1500"
    assert limited.headers["content-type"].startswith("text/plain")
    kind = fault("kind=unknown_model_kind")
    assert kind.status_code == 500
    assert kind.json()["error"] == "unknown_model_kind" and kind.json()["model_name"] == "default"
    custom = fault('status=418;body={"detail": "teapot"}')
    assert custom.status_code == 418 and custom.json() == {"detail": "teapot"}
    models = fault("status=500", "models")
    assert models.status_code == 500 and models.content == b""  # R8-R11 fail with empty bodies
    assert fault("status=nope").status_code == 400


def test_fault_times_and_key(client: httpx.Client) -> None:
    headers = {"x-emulator-fault": "status=429;retry_after=0;times=2;key=abc"}
    statuses = [
        client.post("chat/completions", json=CHAT, headers=headers).status_code for _ in range(4)
    ]
    assert statuses == [429, 429, 200, 200]
    other_key = {"x-emulator-fault": "status=429;times=1;key=other"}
    assert client.get("models", headers=other_key).status_code == 429
    assert client.get("models", headers=other_key).status_code == 200
    always = {"x-emulator-fault": "status=503"}
    assert [client.get("models", headers=always).status_code for _ in range(3)] == [503] * 3


def test_inject_queue(server: EdgenEmulator, client: httpx.Client) -> None:
    server.inject("status=503", times=2, path="/chat/completions")
    server.inject("status=500", path="/models/*")
    assert client.get("models").status_code == 200  # path does not match either
    assert client.post("chat/completions", json=CHAT).status_code == 503
    assert client.get(MODEL_PATH).status_code == 500
    assert client.post("chat/completions", json=CHAT).status_code == 503
    assert client.post("chat/completions", json=CHAT).status_code == 200
    server.inject("status=502", times=5)
    assert client.get("misc/version").status_code == 502
    server.clear_faults()
    assert client.get("misc/version").status_code == 200


@pytest.mark.slow
def test_fault_stall_times_out_without_blocking_others(
    server: EdgenEmulator, client: httpx.Client
) -> None:
    started = time.perf_counter()
    with pytest.raises(httpx.ReadTimeout):
        client.get("misc/version", headers={"x-emulator-fault": "stall=1"}, timeout=0.2)
    assert time.perf_counter() - started < 0.9
    # Other connections are served while a request stalls.
    server.inject("stall=0.6", path="/misc/version")

    async def both() -> tuple[float, float]:
        async with httpx.AsyncClient(base_url=server.url) as http:

            async def timed(path: str) -> float:
                t0 = time.perf_counter()
                assert (await http.get(path)).status_code == 200
                return time.perf_counter() - t0

            slow, fast = await asyncio.gather(timed("misc/version"), timed("models"))
            return slow, fast

    slow, fast = asyncio.run(both())
    assert slow >= 0.55 and fast < 0.3


def test_fault_drop_after(client: httpx.Client) -> None:
    received: list[str] = []
    with (
        pytest.raises(httpx.RemoteProtocolError),
        client.stream(
            "POST",
            "chat/completions",
            json={**CHAT, "stream": True},
            headers={"x-emulator-fault": "drop_after=3"},
        ) as response,
    ):
        assert response.status_code == 200
        for line in response.iter_lines():
            if line:
                received.append(line)
    assert len(received) == 3
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("models", headers={"x-emulator-fault": "drop_after=10"})
    assert client.get("models").status_code == 200


def test_fault_malformed_and_error_event(client: httpx.Client) -> None:
    def events(spec: str) -> list[bytes]:
        headers = {"x-emulator-fault": spec}
        response = client.post("chat/completions", json={**CHAT, "stream": True}, headers=headers)
        assert response.status_code == 200
        return sse_events(response.content)

    malformed = events("malformed_after=2")
    assert len(malformed) == 9 and malformed[2] == b'data: {"id": broken'
    assert all(chunk_json(e) for e in malformed[:2] + malformed[3:])
    errored = events("error_event_after=1")
    assert len(errored) == 2
    assert json.loads(errored[1][6:]) == {
        "error": {"message": "injected failure", "type": "server_error"}
    }


def test_openai_stream_faults(oclient: httpx.Client) -> None:
    headers = {"x-emulator-fault": "error_event_after=2"}
    response = oclient.post("chat/completions", json={**CHAT, "stream": True}, headers=headers)
    events = sse_events(response.content)
    assert events[0].startswith(b": ping")
    assert b"[DONE]" not in response.content and b'"injected failure"' in events[-1]
    assert len(events) == 1 + 2 + 1


def test_fault_close(client: httpx.Client) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("models", headers={"x-emulator-fault": "close"})
    assert client.get("models").status_code == 200


# -- HTTP details --------------------------------------------------------------------------


def test_keep_alive_and_pipelining_raw_socket(server: EdgenEmulator) -> None:
    request = (f"GET /v1/misc/version HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n").encode()
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(request * 2 + request.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data.count(b"HTTP/1.1 200 OK") == 3
    assert data.count(b'{"major":0,"minor":1,"patch":5,"build":""}') == 3
    assert b"connection: close" in data


def test_http10_and_expect_continue(server: EdgenEmulator) -> None:
    body = json.dumps(CHAT).encode()
    request = (
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Expect: 100-continue\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(body)
    )
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(request)
        assert sock.recv(25).startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(body)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert b"HTTP/1.1 200 OK" in data
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(b"GET /v1/models HTTP/1.0\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk  # HTTP/1.0 without keep-alive: the server closes
    assert data.startswith(b"HTTP/1.1 200 OK")


def test_client_disconnects_are_quiet(capfd: pytest.CaptureFixture[str]) -> None:
    with EdgenEmulator(tokens=50, token_delay=0.01) as emulator:
        for _ in range(3):  # leave streams half-read
            with (
                httpx.Client(base_url=emulator.url) as http,
                http.stream("POST", "chat/completions", json={**CHAT, "stream": True}) as response,
            ):
                next(response.iter_raw())
        with socket.create_connection((emulator.host, emulator.port)) as sock:
            sock.sendall(b"POST /v1/embeddings HTTP/1.1\r\nContent-Length: 99\r\n\r\n{")
        with socket.create_connection((emulator.host, emulator.port)) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.sendall(b"GET /v1/models HTTP/1.1\r\nx-emulator-fault: stall=0.1\r\n\r\n")
        time.sleep(0.3)
    assert "Traceback" not in capfd.readouterr().err


def test_garbage_request_gets_400(server: EdgenEmulator) -> None:
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(b"NONSENSE\r\n\r\n")
        assert sock.recv(100).startswith(b"HTTP/1.1 400")


@pytest.mark.anyio
@pytest.mark.slow
async def test_200_concurrent_streams() -> None:
    async with EdgenEmulator(tokens=20, token_delay=0.005) as emulator:
        limits = httpx.Limits(max_connections=250, max_keepalive_connections=250)
        async with httpx.AsyncClient(base_url=emulator.url, limits=limits, timeout=20) as http:

            async def one() -> str:
                parts: list[str] = []
                async with http.stream(
                    "POST", "chat/completions", json={**CHAT, "stream": True}
                ) as response:
                    assert response.status_code == 200
                    async for line in response.aiter_lines():
                        if line.startswith("data: "):
                            parts.append(json.loads(line[6:])["choices"][0]["delta"]["content"])
                return "".join(parts)

            expected = (await http.post("chat/completions", json=CHAT)).json()
            text = expected["choices"][0]["message"]["content"]
            started = time.perf_counter()
            results = await asyncio.wait_for(asyncio.gather(*(one() for _ in range(200))), 20)
            elapsed = time.perf_counter() - started
        assert results == [text] * 200
        assert elapsed < 10
        assert len(emulator.requests) == 201


def test_many_sequential_streams(client: httpx.Client) -> None:
    started = time.perf_counter()
    for _ in range(300):
        response = client.post("chat/completions", json={**CHAT, "stream": True})
        assert response.content.count(b"data: ") == 8
    assert time.perf_counter() - started < 10


# -- command line --------------------------------------------------------------------------


def test_cli_subprocess() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "edgen.testing",
            "--port",
            "0",
            "--dialect",
            "openai",
            "--tokens",
            "3",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=REPO_ROOT,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().decode().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v1/")
        response = httpx.post(url + "chat/completions", json=CHAT, timeout=5)
        assert response.json()["usage"]["completion_tokens"] == 3
    finally:
        process.terminate()
        try:
            _, stderr = process.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 0
    assert b"Traceback" not in stderr


# -- bad input, stop() and pacing (review findings) ------------------------------------------


def _handler_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if "process_request" in t.name}


def test_bad_input_gets_an_http_error_not_a_dropped_connection(
    client: httpx.Client, oclient: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    for body in (
        {**CHAT, "tools": [1], "tool_choice": "required"},
        {**CHAT, "tools": [{"function": 1}], "tool_choice": {"function": "f"}},
    ):
        assert oclient.post("chat/completions", json=body).status_code == 200
    for schema in ({"anyOf": [1]}, {"type": "array", "minItems": "2", "items": 5}):
        fmt = {"type": "json_schema", "json_schema": {"schema": schema}}
        response = client.post("chat/completions", json={**CHAT, "response_format": fmt})
        assert response.status_code == 200
    for spec in ("stall=inf", "stall=1e300", "stall=nan"):
        response = client.get("models", headers={"x-emulator-fault": spec})
        assert response.status_code == 400 and "invalid x-emulator-fault" in response.text
    for delay in ("inf", "1e300"):
        headers = {"x-emulator-token-delay": delay}
        response = client.post("chat/completions", json={**CHAT, "stream": True}, headers=headers)
        assert response.status_code == 400 and "x-emulator-token-delay" in response.text

    def broken(app: object, request: RecordedRequest) -> NoReturn:
        raise RuntimeError("boom")

    monkeypatch.setitem(_routes._ROUTES, ("GET", "/v1/misc/version"), broken)
    response = client.get("misc/version")
    assert response.status_code == 500 and "RuntimeError('boom')" in response.text
    assert client.get("models").status_code == 200


def test_delete_of_a_model_taken_meanwhile(server: EdgenEmulator, client: httpx.Client) -> None:
    class Racing(dict[str, int]):
        def __contains__(self, key: object) -> bool:
            return True  # it was there when checked, and another DELETE took it

    server.models = Racing()
    assert client.delete("models/gone").json()["deleted"] is True


@pytest.mark.parametrize("headers", [{"x-emulator-fault": "stall=5"}, {}])
def test_stop_ends_stalls_and_paced_streams(headers: dict[str, str]) -> None:
    before = _handler_threads()
    emulator = EdgenEmulator(tokens=50, token_delay=3).start()
    body = json.dumps({**CHAT, "stream": True}).encode()
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    with socket.create_connection((emulator.host, emulator.port), timeout=5) as sock:
        sock.sendall(
            b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
            b"%scontent-length: %d\r\n\r\n%s" % (head.encode(), len(body), body)
        )
        time.sleep(0.3)
        emulator.stop()
        deadline = time.perf_counter() + 1
        while _handler_threads() - before and time.perf_counter() < deadline:
            time.sleep(0.02)
        assert not _handler_threads() - before  # the handler has finished


def test_stop_closes_a_connection_accepted_but_not_yet_handled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from edgen.testing import _emulator

    gate, setup = threading.Event(), _emulator._Handler.setup

    def late_setup(handler: Any) -> None:
        gate.wait(5)
        setup(handler)

    monkeypatch.setattr(_emulator._Handler, "setup", late_setup)
    emulator = EdgenEmulator().start()
    with socket.create_connection((emulator.host, emulator.port), timeout=5) as sock:
        sock.sendall(b"GET /v1/misc/version HTTP/1.1\r\nhost: x\r\n\r\n")
        time.sleep(0.2)  # accepted, its handler waiting
        emulator.stop()
        gate.set()
        try:
            assert sock.recv(1000) == b""
        except ConnectionResetError:
            pass


def _multipart_size(size: int) -> bytes:
    return _multipart([("file", b"\1" * size, "a.wav"), MODEL])


def test_large_upload_is_not_kept_and_not_copied(server: EdgenEmulator) -> None:
    headers = {"content-type": "multipart/form-data; boundary=b0und"}
    small = _multipart_size(1000)
    url = server.url + "audio/transcriptions"
    assert httpx.post(url, content=small, headers=headers).status_code == 200
    assert server.requests[-1].body == small
    big = _multipart_size(30 << 20)
    head = (
        b"POST /v1/audio/transcriptions HTTP/1.1\r\nhost: x\r\nconnection: close\r\n"
        b"content-type: multipart/form-data; boundary=b0und\r\ncontent-length: %d\r\n\r\n"
    )
    tracemalloc.start()
    try:  # a raw socket, as httpx would copy the body on this side
        with socket.create_connection((server.host, server.port), timeout=30) as sock:
            sock.sendall(head % len(big))
            sock.sendall(big)
            assert sock.recv(100).startswith(b"HTTP/1.1 200 OK")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    recorded = server.requests[-1]
    assert recorded.body == b"" and recorded.body_size == len(big)  # over 10 MiB: not kept
    assert recorded.files["file"].size == 30 << 20 and recorded.form["model"] == "default"
    assert peak < 1.5 * len(big)  # the body once, not copies of it


@pytest.mark.slow
def test_pacing_only_between_content_chunks(client: httpx.Client, oclient: httpx.Client) -> None:
    headers = {"x-emulator-token-delay": "0.2", "x-emulator-tokens": "3"}
    for http in client, oclient:
        started = time.perf_counter()
        arrivals = []
        with http.stream(
            "POST", "chat/completions", json={**CHAT, "stream": True}, headers=headers
        ) as response:
            for line in response.iter_lines():
                if line.startswith("data: "):
                    arrivals.append(time.perf_counter() - started)
        assert arrivals[0] < 0.15  # the first event comes with the headers
        assert 0.38 < arrivals[-1] < 0.55  # two gaps between three tokens, then the rest


def test_empty_model_id_is_404(client: httpx.Client) -> None:
    for method in ("GET", "DELETE"):
        response = client.request(method, "models/")
        assert response.status_code == 404 and response.content == b""


def test_oversized_transcription_gets_r5_text() -> None:
    with EdgenEmulator(max_body=1000) as small:
        response = httpx.post(
            small.url + "audio/transcriptions",
            content=_multipart_size(2000),
            headers={"content-type": "multipart/form-data; boundary=b0und"},
        )
    assert response.status_code == 413
    assert response.text == "request body is malformed (length limit exceeded)"


@pytest.mark.parametrize("model", [{}, {"Left": None}, {"Left": "x", "Right": None}])
def test_image_model_needs_left_or_right(client: httpx.Client, model: dict[str, Any]) -> None:
    response = client.post("image/generations", json={"prompt": "p", "model": model})
    assert response.status_code == 422 and response.text.startswith(SERDE)
    assert client.post("image/generations", json={"prompt": "p", "model": {"Left": "x"}}).is_success


def test_transcription_sessions_expire(server: EdgenEmulator, client: httpx.Client) -> None:
    files = {"file": ("a.wav", b"abc")}
    stale, fresh = str(uuid.uuid4()), str(uuid.uuid4())
    server.sessions.update({stale: time.monotonic() - 121, fresh: time.monotonic() - 100})
    expired = client.post(
        "audio/transcriptions", files=files, data={"model": "m", "session": stale}
    )
    assert expired.status_code == 500 and expired.json()["SessionNotFound"] is None
    assert stale not in server.sessions and fresh in server.sessions
    with EdgenEmulator(dialect="openai") as openai:
        unknown = httpx.post(
            openai.url + "audio/transcriptions", files=files, data={"model": "m", "session": stale}
        )
    assert unknown.status_code == 404 and "not found" in unknown.json()["error"]["message"]


def test_cli_options_and_signal_handler(capsys: pytest.CaptureFixture[str]) -> None:
    def mine(signum: int, frame: object) -> None:
        pass

    seen: list[httpx.Response] = []

    def probe() -> None:
        output, deadline = "", time.perf_counter() + 5
        while not output and time.perf_counter() < deadline:
            output = capsys.readouterr().out
            time.sleep(0.05)
        if output:
            url = output.strip()
            seen.append(httpx.post(url + "embeddings", json={"model": "e.gguf", "input": "hi"}))
            seen.append(httpx.post(url + "chat/completions", json={**CHAT, "model": "w.bin"}))
            os.kill(os.getpid(), signal.SIGTERM)  # stops it as Ctrl+C would

    previous = signal.signal(signal.SIGTERM, mine)
    thread = threading.Thread(target=probe)
    thread.start()
    try:
        assert serve_forever(["--port", "0", "--strict-models", "--embedding-dim", "4"]) == 0
        assert signal.getsignal(signal.SIGTERM) is mine  # restored
    finally:
        thread.join()
        signal.signal(signal.SIGTERM, previous)
    assert len(seen[0].json()["embeddings"][0]["embedding"]) == 4
    assert seen[1].json()["error"] == "unknown_model_kind"


def test_chunked_trailers(server: EdgenEmulator) -> None:
    body = json.dumps(CHAT).encode()
    request = (
        b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
        b"transfer-encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\nx-trailer: 1\r\n\r\n"
        % (len(body), body)
    )
    closing = b"GET /v1/misc/version HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(request + closing)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data.count(b"HTTP/1.1 200 OK") == 2
