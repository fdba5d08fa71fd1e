"""`edgen.DefaultAioHttpClient`: the aiohttp transport (`edgen[aiohttp]`), and the failures whose
mapping differs there. Tests taking `async_edgen` run on the transport under test (both, under tox)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import pytest
from conftest import REPO_ROOT
from rawserver import Conn, RawServer, Request, serve_each

import edgen
from edgen import AsyncEdgen

pytestmark = pytest.mark.usefixtures("transport")

MESSAGES = [{"role": "user", "content": "hi"}]
CHUNK = {
    "id": "c",
    "object": "chat.completion.chunk",
    "created": 1,
    "model": "m",
    "choices": [{"index": 0, "delta": {"content": "one"}, "finish_reason": None}],
}


def _python(code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, env=env
    )


def test_import_edgen_loads_neither_aiohttp_nor_httpx_aiohttp() -> None:
    proc = _python(
        "import json, sys, edgen\n"
        "edgen.AsyncEdgen()\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.partition('.')[0]"
        " in ('aiohttp', 'httpx_aiohttp', 'edgen._aiohttp'))))"
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


def test_without_httpx_aiohttp_it_says_what_to_install() -> None:
    # None in sys.modules makes an import fail as if the package were not installed.
    proc = _python(
        "import sys\n"
        "sys.modules['httpx_aiohttp'] = None\n"
        "import edgen\n"
        "try:\n"
        "    edgen.DefaultAioHttpClient()\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    assert proc.returncode == 0, proc.stderr
    assert 'pip install "edgen[aiohttp]"' in proc.stdout


@pytest.mark.anyio
async def test_default_aiohttp_client_has_edgens_defaults_and_stays_the_callers() -> None:
    pytest.importorskip("httpx_aiohttp")
    from edgen._client import DEFAULT_CONNECTION_LIMITS, DEFAULT_TIMEOUT

    def version(conn: Conn, request: Request) -> None:
        conn.respond(200, b'{"major":0,"minor":4,"patch":1,"build":"x"}')

    with RawServer(serve_each(version)) as server:
        async with edgen.DefaultAioHttpClient() as http:
            assert isinstance(http, httpx.AsyncClient)
            assert http.timeout == DEFAULT_TIMEOUT and not http.follow_redirects
            async with AsyncEdgen(base_url=server.url, http_client=http) as client:
                assert (await client.misc.version.create()).minor == 4
                assert client.timeout == DEFAULT_TIMEOUT
            assert not http.is_closed  # closing the AsyncEdgen leaves the caller's pool open
            connector = http._transport.client.connector  # type: ignore[attr-defined]
            assert connector.limit == DEFAULT_CONNECTION_LIMITS.max_connections
        assert http.is_closed
    assert server.requests[0].headers["user-agent"].startswith("Edgen/Python")


def _garbage(conn: Conn) -> None:
    conn.read_request()
    conn.send(b"HELLO\r\n\r\n")


def _stall_mid_stream(conn: Conn, request: Request) -> None:
    conn.start_chunked()
    conn.chunk(b"data: " + json.dumps(CHUNK).encode() + b"\n\n")
    conn.stall(5)


@pytest.mark.anyio
async def test_an_answer_that_is_not_http_is_a_connection_error(async_edgen) -> None:
    # aiohttp's own ClientResponseError must not reach the caller.
    with RawServer(_garbage) as server:
        async with async_edgen(base_url=server.url, max_retries=0) as client:
            with pytest.raises(edgen.APIConnectionError) as info:
                await client.misc.version.create()
    assert not isinstance(info.value, edgen.APITimeoutError)
    assert isinstance(info.value.__cause__, httpx.RemoteProtocolError)


@pytest.mark.anyio
async def test_a_stall_mid_stream_is_a_read_timeout(async_edgen) -> None:
    with RawServer(serve_each(_stall_mid_stream)) as server:
        timeout = httpx.Timeout(5.0, read=0.2)
        async with async_edgen(base_url=server.url, max_retries=2, timeout=timeout) as client:
            stream = await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
            got = []
            with pytest.raises(edgen.APITimeoutError) as info:
                async for chunk in stream:
                    got.append(chunk.choices[0].delta.content)
    assert got == ["one"] and len(server.requests) == 1  # never retried once it yielded
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)
