"""Bad input is refused before anything is sent, with an error that names the problem.
Checked against the emulator's request log (nothing may arrive), sync and async."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from edgen import AsyncEdgen, Edgen

M = [{"role": "user", "content": "hi"}]

# (call on a client, exception, message pattern)
CASES = [
    (
        "missing model",
        lambda c: c.chat.completions.create(messages=M),
        TypeError,
        "missing required keyword argument: 'model'",
    ),
    ("missing messages", lambda c: c.chat.completions.create(model="m"), TypeError, "'messages'"),
    (
        "messages str",
        lambda c: c.chat.completions.create(model="m", messages="hi"),
        TypeError,
        "messages must be a list",
    ),
    (
        "messages dict",
        lambda c: c.chat.completions.create(model="m", messages={"role": "user"}),
        TypeError,
        "messages must be a list",
    ),
    (
        "messages item str",
        lambda c: c.chat.completions.create(model="m", messages=["hi"]),
        TypeError,
        r"messages\[0\] must be a dict",
    ),
    (
        "message without role",
        lambda c: c.chat.completions.create(model="m", messages=[{"content": "x"}]),
        ValueError,
        r"messages\[0\] has no 'role'",
    ),
    (
        "model not str",
        lambda c: c.chat.completions.create(model=3, messages=M),
        TypeError,
        "model must be a str",
    ),
    (
        "unknown kwarg",
        lambda c: c.chat.completions.create(model="m", messages=M, temprature=1),
        TypeError,
        "unexpected keyword argument 'temprature'",
    ),
    (
        "temperature not a number",
        lambda c: c.chat.completions.create(model="m", messages=M, temperature=object()),
        TypeError,
        "temperature must be a number or None, not object",
    ),
    (
        "extra_body not serializable",
        lambda c: c.chat.completions.create(model="m", messages=M, extra_body={"x": {1, object()}}),
        TypeError,
        "not JSON-serializable",
    ),
    (
        "negative timeout",
        lambda c: c.chat.completions.create(model="m", messages=M, timeout=-1),
        ValueError,
        "timeout must not be negative",
    ),
    (
        "negative read timeout",
        lambda c: c.chat.completions.create(
            model="m", messages=M, timeout=httpx.Timeout(5, read=-0.5)
        ),
        ValueError,
        "timeout must not be negative",
    ),
    (
        "timeout wrong type",
        lambda c: c.chat.completions.create(model="m", messages=M, timeout="5"),
        TypeError,
        "timeout must be a number",
    ),
    (
        "negative max_retries",
        lambda c: c.with_options(max_retries=-1).models.list(),
        ValueError,
        "max_retries must be >= 0",
    ),
    (
        "max_retries float",
        lambda c: c.with_options(max_retries=1.5).models.list(),
        TypeError,
        "max_retries must be an int",
    ),
    (
        "negative timeout option",
        lambda c: c.with_options(timeout=-3).models.list(),
        ValueError,
        "timeout must not be negative",
    ),
    (
        "transcription missing file",
        lambda c: c.audio.transcriptions.create(file=Path("/nonexistent/a.wav"), model="m"),
        FileNotFoundError,
        "/nonexistent/a.wav",
    ),
    (
        "transcription str path",
        lambda c: c.audio.transcriptions.create(file="/nonexistent/b.wav", model="m"),
        FileNotFoundError,
        "/nonexistent/b.wav",
    ),
    (
        "transcription directory",
        lambda c: c.audio.transcriptions.create(file=Path("/"), model="m"),
        IsADirectoryError,
        "Cannot read file to upload: Is a directory: '/'",
    ),
    (
        "transcription file None",
        lambda c: c.audio.transcriptions.create(file=None, model="m"),
        TypeError,
        "file must be a path, bytes or a binary file",
    ),
    (
        "embeddings input int",
        lambda c: c.embeddings.create(input=5, model="m"),
        TypeError,
        r"^create\(\): input must be a str or a list, not int$",
    ),
    (
        "embeddings model int",
        lambda c: c.embeddings.create(input="x", model=5),
        TypeError,
        "model must be a str",
    ),
    (
        "empty model id",
        lambda c: c.models.retrieve(""),
        ValueError,
        "model id must be a non-empty string",
    ),
    (
        "stream not a bool",
        lambda c: c.chat.completions.create(model="m", messages=M, stream="yes"),
        TypeError,
        r"^create\(\): stream must be a bool or None, not str$",
    ),
    (
        "role not a str",
        lambda c: c.chat.completions.create(model="m", messages=[{"role": 1, "content": "x"}]),
        TypeError,
        r"messages\[0\]\['role'\] must be a str, not int",
    ),
    (
        "image width negative",
        lambda c: c.image.generations.create(prompt="x", width=-1),
        ValueError,
        r"^create\(\): width must be an int >= 0, got -1$",
    ),
    # JSON has no NaN, infinity or bytes: msgspec would send null or base64 text instead.
    (
        "temperature nan",
        lambda c: c.chat.completions.create(model="m", messages=M, temperature=float("nan")),
        ValueError,
        "^temperature must be a finite number, got nan$",
    ),
    (
        "content bytes",
        lambda c: c.chat.completions.create(
            model="m", messages=[{"role": "user", "content": b"hi"}]
        ),
        TypeError,
        r"^create\(\): messages\[0\]\['content'\] must be a str or a list, not bytes$",
    ),
    (
        "stream with an infinite top_p",
        lambda c: c.chat.completions.create(model="m", messages=M, stream=True, top_p=float("inf")),
        ValueError,
        "^top_p must be a finite number, got inf$",
    ),
    (
        "embeddings extra_body -inf",
        lambda c: c.embeddings.create(input="x", model="m", extra_body={"scale": [float("-inf")]}),
        ValueError,
        r"^scale\[0\] must be a finite number, got -inf$",
    ),
    (
        "image guidance_scale nan",
        lambda c: c.image.generations.create(prompt="x", guidance_scale=float("nan")),
        ValueError,
        "^guidance_scale must be a finite number, got nan$",
    ),
]


@pytest.mark.parametrize(("what", "call", "exc", "match"), CASES, ids=[c[0] for c in CASES])
def test_refused_before_sending(emulator, what, call, exc, match) -> None:
    client = Edgen(base_url=emulator.url, max_retries=2)
    with pytest.raises(exc, match=match):
        call(client)
    assert emulator.requests == []
    assert client.models.list() is not None  # the client is unharmed by the refusal
    assert len(emulator.requests) == 1


@pytest.mark.anyio
async def test_async_refused_before_sending(emulator) -> None:
    async with AsyncEdgen(base_url=emulator.url, max_retries=2) as client:
        for _what, call, exc, match in CASES:
            with pytest.raises(exc, match=match):
                await call(client)
        assert emulator.requests == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read any file")
def test_transcription_unreadable_file(emulator, tmp_path: Path) -> None:
    path = tmp_path / "locked.wav"
    path.write_bytes(b"RIFF")
    path.chmod(0)
    with pytest.raises(PermissionError, match="locked.wav"):
        Edgen(base_url=emulator.url).audio.transcriptions.create(file=path, model="m")
    assert emulator.requests == []


@pytest.mark.parametrize(
    ("base_url", "match"),
    [
        ("ftp://127.0.0.1/v1/", "absolute http:// or https:// URL"),
        ("/v1/", "absolute http:// or https:// URL"),
        ("127.0.0.1:33322/v1/", "absolute http:// or https:// URL"),
        ("http://", "absolute http:// or https:// URL"),
        ("http://[::1", "is not a valid URL"),
        ("http://local host/v1/", "contains whitespace"),
        ("http://127.0.0.1/v1/\n", "contains whitespace"),
        ("http://127.0.0.1:99999/v1/", "outside 1-65535"),
        ("http://127.0.0.1:33322/v1?tenant=a", "must not have a query or fragment"),
        ("http://127.0.0.1:33322/v1#top", "must not have a query or fragment"),
    ],
)
def test_invalid_base_url(base_url: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Edgen(base_url=base_url)
    with pytest.raises(ValueError, match=match):
        AsyncEdgen(base_url=base_url)


def test_invalid_base_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDGEN_BASE_URL", "localhost:33322")
    with pytest.raises(ValueError, match="'localhost:33322'"):
        Edgen()


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"timeout": -1}, ValueError, "timeout must not be negative"),
        ({"timeout": httpx.Timeout(1.0, connect=-1)}, ValueError, "timeout must not be negative"),
        ({"max_retries": -1}, ValueError, "max_retries must be >= 0"),
        ({"max_retries": True}, TypeError, "max_retries must be an int"),
        ({"api_key": 123}, TypeError, "api_key must be a str"),
        ({"http_client": httpx.AsyncClient()}, TypeError, "needs an httpx.Client"),
        ({"http_client": object()}, TypeError, "needs an httpx.Client"),
        ({"http_client": httpx.Response(200)}, TypeError, "needs an httpx.Client"),
        ({"timeout": "5"}, TypeError, r"timeout must be a number, an httpx\.Timeout or None"),
    ],
)
def test_bad_client_arguments(kwargs, exc, match) -> None:
    with pytest.raises(exc, match=match):
        Edgen(**kwargs)
