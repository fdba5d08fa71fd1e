"""`http_client=` takes an httpx2 client (the maintained fork of httpx, same API).

Requests are built and sent by that client, and its exceptions map to ours as
httpx's do. Runs in `tox -e httpx2`; skipped where httpx2 is not installed.
respx does not mock httpx2, so these use the emulator or httpx2's MockTransport.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

import edgen
from edgen import AsyncEdgen, Edgen
from edgen.testing import EdgenEmulator

httpx2: Any = pytest.importorskip("httpx2")

MESSAGES: list[Any] = [{"role": "user", "content": "hi"}]
CHUNK = (
    b'data: {"id":"1","object":"chat.completion.chunk","created":1,"model":"m",'
    b'"choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n'
)


@pytest.fixture(scope="module")
def server() -> Iterator[EdgenEmulator]:
    with EdgenEmulator(seed=3, tokens=5) as emulator:
        yield emulator


def test_sync_client_sends_through_httpx2(server: EdgenEmulator) -> None:
    http = httpx2.Client()
    seen: list[Any] = []
    http.event_hooks["request"].append(seen.append)
    client = Edgen(base_url=server.url, http_client=http, max_retries=0)
    whole = client.chat.completions.create(model="default", messages=MESSAGES)
    parts = [
        c.choices[0].delta.content
        for c in client.chat.completions.create(model="default", messages=MESSAGES, stream=True)
    ]
    assert "".join(p or "" for p in parts) == whole.choices[0].message.content
    raw = client.misc.version.with_raw_response.create()
    assert isinstance(raw.http_response, httpx2.Response)
    assert raw.parse().major >= 0
    text = client.audio.transcriptions.create(
        file=("a.wav", b"RIFF0000WAVE"), model="default", response_format="text"
    )
    assert isinstance(text, str)
    assert len(client.models.list()) >= 1
    assert seen and all(isinstance(r, httpx2.Request) for r in seen)
    assert seen[0].headers["user-agent"].startswith(f"Edgen/Python {edgen.__version__} (")
    client.close()
    assert not http.is_closed  # a client passed in is the caller's to close
    http.close()


@pytest.mark.anyio
async def test_async_client_sends_through_httpx2(server: EdgenEmulator) -> None:
    async with httpx2.AsyncClient() as http:
        client = AsyncEdgen(base_url=server.url, http_client=http, max_retries=0)
        whole = await client.chat.completions.create(model="default", messages=MESSAGES)
        stream = await client.chat.completions.create(
            model="default", messages=MESSAGES, stream=True
        )
        parts = [c.choices[0].delta.content async for c in stream]
        assert "".join(p or "" for p in parts) == whole.choices[0].message.content
        async with client.models.with_streaming_response.list() as response:
            assert isinstance(response.http_response, httpx2.Response)
            assert len(await response.parse()) >= 1


def test_sync_and_async_clients_are_not_mixed_up() -> None:
    with pytest.raises(TypeError, match="http_client"):
        Edgen(http_client=httpx2.AsyncClient())
    with pytest.raises(TypeError, match="http_client"):
        AsyncEdgen(http_client=httpx2.Client())


@pytest.mark.parametrize(
    ("error", "expected"),
    [("ConnectError", edgen.APIConnectionError), ("ReadTimeout", edgen.APITimeoutError)],
)
def test_transport_errors_are_mapped_and_retried(error: str, expected: type[Exception]) -> None:
    calls: list[Any] = []

    def fail(request: Any) -> Any:
        calls.append(request)
        raise getattr(httpx2, error)("boom", request=request)

    client = Edgen(http_client=httpx2.Client(transport=httpx2.MockTransport(fail)), max_retries=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("edgen._client._sleep", lambda seconds: None)
        with pytest.raises(expected) as info:
            client.misc.version.create()
    assert type(info.value) is expected
    assert isinstance(info.value.__cause__, getattr(httpx2, error))
    assert len(calls) == 2  # retried once, as for httpx


def test_error_mid_stream_is_an_api_connection_error() -> None:
    def body() -> Iterator[bytes]:
        yield CHUNK
        raise httpx2.ReadError("connection reset")

    def handler(request: Any) -> Any:
        headers = {"content-type": "text/event-stream"}
        return httpx2.Response(200, headers=headers, content=body())

    client = Edgen(http_client=httpx2.Client(transport=httpx2.MockTransport(handler)))
    stream = client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
    got = []
    with pytest.raises(edgen.APIConnectionError) as info:
        for chunk in stream:
            got.append(chunk.choices[0].delta.content)
    assert got == ["Hel"]
    assert isinstance(info.value.__cause__, httpx2.ReadError)


@pytest.mark.anyio
async def test_async_error_mid_stream_is_an_api_connection_error() -> None:
    async def body() -> AsyncIterator[bytes]:
        yield CHUNK
        raise httpx2.ReadTimeout("slow")

    def handler(request: Any) -> Any:
        headers = {"content-type": "text/event-stream"}
        return httpx2.Response(200, headers=headers, content=body())

    transport = httpx2.MockTransport(handler)
    async with httpx2.AsyncClient(transport=transport) as http:
        client = AsyncEdgen(http_client=http)
        stream = await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
        with pytest.raises(edgen.APITimeoutError):
            async for _ in stream:
                pass


def test_timeouts_are_given_to_httpx2_in_its_own_type() -> None:
    seen: list[Any] = []

    def handler(request: Any) -> Any:
        seen.append(request.extensions["timeout"])
        return httpx2.Response(200, json={"major": 0, "minor": 1, "patch": 5, "build": ""})

    http = httpx2.Client(transport=httpx2.MockTransport(handler), timeout=7.0)
    assert Edgen(http_client=http).timeout == http.timeout  # the client's own default
    client = Edgen(http_client=http, timeout=httpx.Timeout(30.0, connect=2.0))
    assert isinstance(client.timeout, httpx2.Timeout)
    client.misc.version.create()
    client.misc.version.create(timeout=httpx.Timeout(4.0))
    client.misc.version.create(timeout=httpx2.Timeout(5.0))
    client.with_options(timeout=6.0).misc.version.create()
    assert [t["read"] for t in seen] == [30.0, 4.0, 5.0, 6.0]
    assert seen[0]["connect"] == 2.0


def test_each_client_decides_its_http_package_alone() -> None:
    """Making an httpx2 client changes nothing for httpx clients, made before it or after."""

    def httpx_client_refuses_an_httpx2_timeout() -> None:
        with pytest.raises(TypeError, match=r"must be a number, an httpx\.Timeout or None"):
            Edgen(timeout=httpx2.Timeout(5.0))

    httpx_client_refuses_an_httpx2_timeout()
    with httpx2.Client() as http:
        client = Edgen(http_client=http, timeout=httpx2.Timeout(5.0))
        assert isinstance(client.timeout, httpx2.Timeout)
        with pytest.raises(TypeError, match=r"an httpx\.Timeout, an httpx2\.Timeout or None"):
            Edgen(http_client=http, timeout="5")
    httpx_client_refuses_an_httpx2_timeout()  # was: accepted once an httpx2 client existed


def test_httpx_and_httpx2_clients_side_by_side_map_their_own_errors() -> None:
    def fail_httpx2(request: Any) -> Any:
        raise httpx2.ReadTimeout("slow", request=request)

    def fail_httpx(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    over_httpx2 = Edgen(http_client=httpx2.Client(transport=httpx2.MockTransport(fail_httpx2)))
    over_httpx = Edgen(http_client=httpx.Client(transport=httpx.MockTransport(fail_httpx)))
    for client, expected, cause in [
        (over_httpx, edgen.APIConnectionError, httpx.ConnectError),
        (over_httpx2, edgen.APITimeoutError, httpx2.ReadTimeout),
        (over_httpx, edgen.APIConnectionError, httpx.ConnectError),
    ]:
        with pytest.raises(expected) as info:
            client.with_options(max_retries=0).misc.version.create()
        assert type(info.value) is expected
        assert isinstance(info.value.__cause__, cause)
