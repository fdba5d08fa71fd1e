"""Answers on a kept-alive connection belong to the request they follow, even when a server
(or a proxy in front of it) sends bytes beyond the answer it declared.

HTTP/1.1 pairs an answer with its request only by its place on the connection. A server that
glues a second answer behind the first (a wrong Content-Length, a proxy mixing connections)
leaves it waiting there; httpx's own pool hands it out as the answer to the *next* request
on that connection. These tests run a raw server on 127.0.0.1 that does exactly that, and
check that no call ever returns an answer that was waiting before it was sent.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import httpx
import pytest
from conftest import openai_completion
from rawserver import Conn, RawServer

from edgen import APIConnectionError, AsyncEdgen, Edgen

MESSAGES = [{"role": "user", "content": "hi"}]


def answer(content: str) -> bytes:
    body = json.dumps(openai_completion(content)).encode()
    head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n"
    return head % len(body) + body


def glued_extra_answer(conn: Conn) -> None:
    """Each answer names its connection and its place there; the first comes with an
    unsolicited second answer glued behind it, in the same write."""
    count = 0
    while conn.read_request() is not None:
        count += 1
        own = answer(f"connection {conn.number}, request {count}")
        conn.send(own + answer("STALE") if count == 1 else own)


def ask(client: Edgen) -> str | None:
    completion = client.chat.completions.create(model="m", messages=MESSAGES)
    return completion.choices[0].message.content


def test_an_answer_glued_behind_another_is_never_the_next_ones() -> None:
    with RawServer(glued_extra_answer) as server, Edgen(base_url=server.url) as client:
        first = ask(client)
        second = ask(client)
    assert (first, second) == ("connection 0, request 1", "connection 1, request 1")
    # The second call was written on the first connection, refused there, and sent again.
    assert [request.connection for request in server.requests] == [0, 0, 1]


def test_without_retries_the_misplaced_answer_is_a_connection_error() -> None:
    with RawServer(glued_extra_answer) as server:
        with Edgen(base_url=server.url, max_retries=0) as client:
            ask(client)
            with pytest.raises(APIConnectionError) as caught:
                ask(client)
            assert "already waiting before the request was sent" in str(caught.value)
            assert isinstance(caught.value.__cause__, httpx.RemoteProtocolError)
            # The connection it came on is not used again.
            assert ask(client) == "connection 1, request 1"


@pytest.mark.anyio
async def test_async_an_answer_glued_behind_another_is_never_the_next_ones(
    async_edgen: Callable[..., AbstractAsyncContextManager[AsyncEdgen]],
) -> None:
    with RawServer(glued_extra_answer) as server:
        async with async_edgen(base_url=server.url) as client:
            contents = []
            for _ in range(3):
                completion = await client.chat.completions.create(model="m", messages=MESSAGES)
                contents.append(completion.choices[0].message.content)
    # Whichever transport: each answer is the first on a fresh connection (httpx's pool
    # refuses the waiting one and retries; aiohttp drops a connection with extra bytes).
    assert contents == [f"connection {n}, request 1" for n in range(3)]


def test_a_well_behaved_connection_is_kept() -> None:
    # The check must not cost a sound connection anything: every call goes out on the first.
    def script(conn: Conn) -> None:
        count = 0
        while conn.read_request() is not None:
            count += 1
            conn.send(answer(f"request {count}"))

    with (
        RawServer(script) as server,
        Edgen(base_url=server.url, max_retries=0) as client,
    ):
        assert [ask(client) for _ in range(3)] == ["request 1", "request 2", "request 3"]
    assert server.connections == 1


def late_extra_answer(conn: Conn) -> None:
    """Each request answered; after the first answer, a pause, then one nobody asked for."""
    count = 0
    while conn.read_request() is not None:
        count += 1
        conn.send(answer(f"connection {conn.number}, request {count}"))
        if count == 1:
            time.sleep(0.05)
            conn.send(answer("STALE"))


def test_an_extra_answer_arriving_later_is_not_taken_either() -> None:
    # Sent after a pause, the extra answer waits in the socket rather than behind the first
    # one: the idle connection is seen to be readable and is not used again.
    with (
        RawServer(late_extra_answer) as server,
        Edgen(base_url=server.url, max_retries=0) as client,
    ):
        first = ask(client)
        time.sleep(0.3)
        assert (first, ask(client)) == ("connection 0, request 1", "connection 1, request 1")


@pytest.mark.anyio
async def test_async_an_extra_answer_arriving_later_is_not_taken_either(
    async_edgen: Callable[..., AbstractAsyncContextManager[AsyncEdgen]],
) -> None:
    with RawServer(late_extra_answer) as server:
        async with async_edgen(base_url=server.url, max_retries=0) as client:
            contents = []
            for _ in range(2):
                completion = await client.chat.completions.create(model="m", messages=MESSAGES)
                contents.append(completion.choices[0].message.content)
                await asyncio.sleep(0.3)
    assert contents == ["connection 0, request 1", "connection 1, request 1"]


# -- behind a proxy (HTTP_PROXY): the same check, on the pools edgen makes for it --

# Never resolved: the proxy is asked for it.
PROXIED_URL = "http://edgen.invalid/v1/"
PROXIED_TARGET = "http://edgen.invalid/v1/chat/completions"


def test_behind_a_proxy_a_glued_answer_is_never_the_next_ones(
    proxy_env: Callable[..., None],
) -> None:
    with RawServer(glued_extra_answer) as proxy:
        proxy_env(HTTP_PROXY=proxy.url.replace("http://", "http://user:s%40cret@"))
        with Edgen(base_url=PROXIED_URL) as client:
            first = ask(client)
            second = ask(client)
    assert (first, second) == ("connection 0, request 1", "connection 1, request 1")
    # Requests in absolute form, with the proxy's credentials taken out of its URL.
    sent = [(r.connection, r.method, r.target) for r in proxy.requests]
    assert sent == [
        (0, "POST", PROXIED_TARGET),
        (0, "POST", PROXIED_TARGET),
        (1, "POST", PROXIED_TARGET),
    ]
    credentials = base64.b64encode(b"user:s@cret").decode()
    assert {r.headers["proxy-authorization"] for r in proxy.requests} == {f"Basic {credentials}"}


def test_behind_a_proxy_without_retries_the_misplaced_answer_is_an_error(
    proxy_env: Callable[..., None],
) -> None:
    with RawServer(glued_extra_answer) as proxy:
        proxy_env(http_proxy=proxy.url.removesuffix("/v1/"))  # the lower-case name too
        with Edgen(base_url=PROXIED_URL, max_retries=0) as client:
            ask(client)
            with pytest.raises(APIConnectionError, match="already waiting before the request"):
                ask(client)
            # The connection it came on is not used again.
            assert ask(client) == "connection 1, request 1"
    assert {r.target for r in proxy.requests} == {PROXIED_TARGET}


@pytest.mark.anyio
async def test_async_behind_a_proxy_a_glued_answer_is_never_the_next_ones(
    proxy_env: Callable[..., None],
) -> None:
    # edgen's own async pool; an aiohttp client keeps aiohttp's handling of proxies.
    with RawServer(glued_extra_answer) as proxy:
        proxy_env(ALL_PROXY=proxy.url.removesuffix("/v1/"))
        async with AsyncEdgen(base_url=PROXIED_URL) as client:
            contents = []
            for _ in range(3):
                completion = await client.chat.completions.create(model="m", messages=MESSAGES)
                contents.append(completion.choices[0].message.content)
    assert contents == [f"connection {n}, request 1" for n in range(3)]
    assert [r.target for r in proxy.requests] == [PROXIED_TARGET] * 5


@pytest.mark.anyio
@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
async def test_no_proxy_hosts_go_direct_and_are_checked_too(
    proxy_env: Callable[..., None], use_async: bool
) -> None:
    def proxy_script(conn: Conn) -> None:
        while conn.read_request() is not None:
            conn.send(answer("through the proxy"))

    with RawServer(proxy_script) as proxy, RawServer(glued_extra_answer) as server:
        proxy_env(HTTP_PROXY=proxy.url, NO_PROXY="example.com, 127.0.0.1")
        contents = []
        if use_async:
            async with AsyncEdgen(base_url=server.url) as async_client:
                for _ in range(2):
                    got = await async_client.chat.completions.create(model="m", messages=MESSAGES)
                    contents.append(got.choices[0].message.content)
        else:
            with Edgen(base_url=server.url) as client:
                contents = [ask(client), ask(client)]
    assert contents == ["connection 0, request 1", "connection 1, request 1"]
    assert proxy.requests == []
    assert [r.target for r in server.requests] == ["/v1/chat/completions"] * 3
