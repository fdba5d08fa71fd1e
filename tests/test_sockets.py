"""The asyncio sockets of AsyncEdgen's plain-http connections (edgen/_sockets.py).

What they promise beyond the suites that run through them (reliability, hostile servers):
a host's addresses are tried in turn, as the sync client does; what fails is the connect
error httpx would raise, and no socket is left open.
"""

from __future__ import annotations

import asyncio
import errno
import gc
import socket
import sys
import warnings
from typing import Any

import pytest
from rawserver import Conn, RawServer, serve_each

import edgen
from edgen import AsyncEdgen

VERSION = b'{"major":0,"minor":4,"patch":1,"build":"x"}'


def answer(conn: Conn, request: Any) -> None:
    conn.respond(200, VERSION)


def addresses_of(*ports: int) -> list[Any]:
    return [
        (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", port))
        for port in ports
    ]


@pytest.mark.anyio
async def test_the_next_address_is_tried_when_one_refuses(
    closed_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    with RawServer(serve_each(answer)) as server:
        asked: list[tuple[str, int]] = []

        async def getaddrinfo(host: str, port: int, **kwargs: Any) -> list[Any]:
            asked.append((host, port))
            return addresses_of(closed_port, server.port)

        monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", getaddrinfo)
        async with AsyncEdgen(base_url="http://edgen.invalid:8080/v1/", max_retries=0) as client:
            version = await client.misc.version.create()
    assert (version.major, version.minor) == (0, 4)
    assert asked == [("edgen.invalid", 8080)] and server.connections == 1


@pytest.mark.anyio
async def test_when_every_address_refuses_it_is_a_connection_error_and_nothing_leaks(
    closed_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def getaddrinfo(host: str, port: int, **kwargs: Any) -> list[Any]:
        return addresses_of(closed_port, closed_port)

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", getaddrinfo)
    gc.collect()  # what earlier tests left behind is not this test's to report
    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    with warnings.catch_warnings():
        # An unclosed socket warns when collected; as an error, the hook above sees it.
        warnings.simplefilter("error", ResourceWarning)
        async with AsyncEdgen(base_url="http://edgen.invalid/v1/", max_retries=0) as client:
            with pytest.raises(edgen.APIConnectionError) as caught:
                await client.misc.version.create()
        gc.collect()
    assert [hook.exc_value for hook in unraisable] == []
    assert not isinstance(caught.value, edgen.APITimeoutError)
    assert f"[Errno {errno.ECONNREFUSED}]" in str(caught.value)  # the last address's error


@pytest.mark.anyio
async def test_a_name_that_does_not_resolve_is_a_connection_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def getaddrinfo(host: str, port: int, **kwargs: Any) -> list[Any]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", getaddrinfo)
    async with AsyncEdgen(base_url="http://edgen.invalid/v1/", max_retries=0) as client:
        with pytest.raises(edgen.APIConnectionError, match="Connection error"):
            await client.misc.version.create()
