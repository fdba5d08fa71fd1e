"""Secrets and the wire: the API key stays out of logs (debug level, including httpx's and
httpcore's loggers), reprs and errors; it is not sent across origins on a redirect; header
values cannot inject header lines. Only 127.0.0.1."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator

import httpx
import pytest
from conftest import REPO_ROOT

import edgen
from edgen import AsyncEdgen, Edgen

KEY = "sk-secret-0123456789abcdef"
MESSAGES = [{"role": "user", "content": "hi"}]

_SCRIPT = textwrap.dedent(
    """
    import asyncio, logging, sys
    import httpx
    import edgen
    from edgen.testing import EdgenEmulator

    logging.basicConfig(level=logging.DEBUG)  # httpx and httpcore log at debug too
    KEY = sys.argv[1]
    M = [{"role": "user", "content": "x"}]
    out = []
    with EdgenEmulator(seed=1, tokens=3) as server:
        client = edgen.Edgen(base_url=server.url, api_key=KEY, max_retries=1)
        out.append(repr(client))
        out.append(repr(client.with_options(timeout=3)))
        client.chat.completions.create(model="default", messages=M)
        stream = client.chat.completions.create(model="default", messages=M, stream=True)
        out.append(repr(stream))
        list(stream)
        for spec in ("status=401", "status=503", "drop_after=1", "malformed_after=0", "error_event_after=0"):
            try:
                for _ in client.chat.completions.create(
                    model="default", messages=M, stream=True, extra_headers={"x-emulator-fault": spec}
                ):
                    pass
            except edgen.APIError as err:
                out += [str(err), repr(err), repr(err.request), str(err.body), repr(err.__cause__)]
                if hasattr(err, "response"):
                    out += [str(err.response), repr(err.response)]
        raw = client.chat.completions.with_raw_response.create(model="default", messages=M)
        out += [repr(raw), repr(raw.http_response)]
        dead = edgen.Edgen(base_url="http://127.0.0.1:9/v1/", api_key=KEY, max_retries=1)
        try:
            dead.models.list()
        except edgen.APIConnectionError as err:
            out += [str(err), repr(err), repr(err.__cause__)]

        async def main():
            async with edgen.AsyncEdgen(base_url=server.url, api_key=KEY, max_retries=0) as ac:
                out.append(repr(ac))
                async for _ in await ac.chat.completions.create(model="default", messages=M, stream=True):
                    pass
        asyncio.run(main())
        sent = [r.headers.get("authorization") for r in server.requests]
    print("\\n".join(out))
    print("SENT", sum(h == "Bearer " + KEY for h in sent), len(sent))
    """
)


@pytest.mark.slow
def test_key_never_in_debug_logs_reprs_or_errors() -> None:
    env = {**os.environ, "EDGEN_LOG": "debug", "PYTHONPATH": str(REPO_ROOT)}
    env.pop("EDGEN_API_KEY", None)
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT, KEY], capture_output=True, text=True, timeout=60, env=env
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    sent = proc.stdout.strip().splitlines()[-1].split()
    assert sent[0] == "SENT" and int(sent[1]) == int(sent[2]) > 8  # the key really went out
    assert "Request: POST" in proc.stderr and "<redacted>" in proc.stderr
    assert "httpcore" in proc.stderr  # the third-party debug loggers were on
    assert KEY not in proc.stderr
    assert KEY not in proc.stdout
    assert KEY[3:] not in proc.stderr + proc.stdout  # nor a trimmed form of it


def test_key_not_in_client_reprs_or_str() -> None:
    client = Edgen(api_key=KEY)
    for text in (repr(client), str(client), repr(client.copy()), repr(AsyncEdgen(api_key=KEY))):
        assert KEY not in text
    assert "api_key=set" in repr(client)


# -- redirects ------------------------------------------------------------------------------


class _Redirect(http.server.BaseHTTPRequestHandler):
    target = ""
    seen: list[dict[str, str]] = []

    def do_POST(self) -> None:  # noqa: N802
        type(self).seen.append({k.lower(): v for k, v in self.headers.items()})
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(307)
        self.send_header("location", self.target + self.path[len("/v1/") :])
        self.send_header("content-length", "0")
        self.end_headers()

    do_GET = do_POST  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def redirector(emulator) -> Iterator[tuple[str, type[_Redirect]]]:
    """127.0.0.1:<port A> answers every request with 307 to the emulator on port B."""
    handler = type("Handler", (_Redirect,), {"target": emulator.url, "seen": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/", handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.slow
def test_redirect_is_not_followed_by_default(redirector, emulator, sleeps) -> None:
    url, handler = redirector
    client = Edgen(base_url=url, api_key=KEY, max_retries=3)
    with pytest.raises(edgen.APIStatusError) as info:
        client.chat.completions.create(model="default", messages=MESSAGES)
    assert info.value.status_code == 307
    assert info.value.response.headers["location"].startswith(emulator.url)
    assert len(handler.seen) == 1 and sleeps == []
    assert emulator.requests == []  # nothing reached the other origin
    assert KEY not in str(info.value) + str(info.value.response)


@pytest.mark.slow
def test_followed_redirect_to_another_origin_drops_the_key(redirector, emulator) -> None:
    url, handler = redirector
    http_client = httpx.Client(follow_redirects=True)
    client = Edgen(base_url=url, api_key=KEY, max_retries=0, http_client=http_client)
    completion = client.chat.completions.create(model="default", messages=MESSAGES)
    assert completion.choices[0].message.content
    assert handler.seen[0]["authorization"] == f"Bearer {KEY}"  # the first origin got it
    (arrived,) = emulator.requests
    assert "authorization" not in arrived.headers  # the other port did not
    assert arrived.json()["messages"] == MESSAGES  # 307: same method and body
    http_client.close()


@pytest.mark.anyio
@pytest.mark.slow
async def test_async_followed_redirect_drops_the_key(redirector, emulator) -> None:
    url, _ = redirector
    async with httpx.AsyncClient(follow_redirects=True) as http_client:
        client = AsyncEdgen(base_url=url, api_key=KEY, max_retries=0, http_client=http_client)
        async for _ in await client.chat.completions.create(
            model="default", messages=MESSAGES, stream=True
        ):
            pass
    assert all("authorization" not in r.headers for r in emulator.requests)
    assert len(emulator.requests) == 1


# -- header injection ------------------------------------------------------------------------

_BAD_VALUES = [
    "1\r\nx-injected: yes",
    "1\nx-injected: yes",
    "1\rx",
    "a\x00b",
    "caf\u00e9",
    "\u2028",
]
_BAD_NAMES = ["x-a\r\nx-injected", "x a", "x-a:", "", "x-a\n", "(x)"]


@pytest.mark.parametrize("value", _BAD_VALUES)
def test_bad_header_values_rejected_before_sending(emulator, value: str) -> None:
    client = Edgen(base_url=emulator.url, max_retries=0)
    with pytest.raises(ValueError, match="'x-a'"):
        client.chat.completions.create(model="m", messages=MESSAGES, extra_headers={"x-a": value})
    with pytest.raises(ValueError, match="'x-a'"):
        Edgen(base_url=emulator.url, default_headers={"x-a": value})
    with pytest.raises(ValueError, match="'x-a'"):
        client.with_options(default_headers={"x-a": value})
    with pytest.raises(ValueError, match="'x-a'"):
        client.models.list(extra_headers={"x-a": value})
    with pytest.raises(ValueError, match="authorization"):
        Edgen(base_url=emulator.url, api_key="k" + value)
    assert emulator.requests == []


@pytest.mark.parametrize("name", _BAD_NAMES)
def test_bad_header_names_rejected_before_sending(emulator, name: str, sleeps) -> None:
    client = Edgen(base_url=emulator.url, max_retries=2)
    with pytest.raises(ValueError, match="invalid header name"):
        client.chat.completions.create(model="m", messages=MESSAGES, extra_headers={name: "v"})
    with pytest.raises(ValueError, match="invalid header name"):
        Edgen(base_url=emulator.url, default_headers={name: "v"})
    assert emulator.requests == [] and sleeps == []


def test_non_str_header_names_and_values_are_type_errors(emulator) -> None:
    client = Edgen(base_url=emulator.url)
    with pytest.raises(TypeError, match="header names must be str"):
        client.chat.completions.create(model="m", messages=MESSAGES, extra_headers={1: "v"})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="'x-a' must be a str"):
        client.chat.completions.create(model="m", messages=MESSAGES, extra_headers={"x-a": b"v"})  # type: ignore[dict-item]
    assert emulator.requests == []


def test_query_values_cannot_inject_either(emulator) -> None:
    client = Edgen(base_url=emulator.url, max_retries=0)
    client.models.list(extra_query={"a": "1\r\nx-injected: yes", "b": "&c=d"})
    (req,) = emulator.requests
    assert "x-injected" not in req.headers
    assert "\r" not in req.query and "\n" not in req.query
    assert dict(httpx.QueryParams(req.query)) == {"a": "1\r\nx-injected: yes", "b": "&c=d"}
