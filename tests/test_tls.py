"""TLS of the pools edgen makes itself: built only for https://, and always verifying.

The server is a raw one on 127.0.0.1 behind a self-signed certificate made at test time
with the `openssl` command. By default the certificate is refused (also by a copy of an
http:// client pointed at https://); it is accepted through the user's own http_client, or
through SSL_CERT_FILE / SSL_CERT_DIR, which the default context reads on its first use
(once per process, so those cases run in a fresh interpreter).
"""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import httpcore
import httpx
import pytest
from conftest import REPO_ROOT, openai_completion
from rawserver import Conn, RawServer, Request

from edgen import APIConnectionError, AsyncEdgen, Edgen

MESSAGES = [{"role": "user", "content": "hi"}]
ANSWER = "served over TLS"


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A self-signed certificate (and its key beside it) for IP 127.0.0.1."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed")
    folder = tmp_path_factory.mktemp("tls")
    command = (
        "openssl req -x509 -nodes -days 2 -subj /CN=127.0.0.1"
        " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1"
        " -addext subjectAltName=IP:127.0.0.1 -addext basicConstraints=critical,CA:TRUE"
        " -addext keyUsage=critical,digitalSignature,keyCertSign"
    ).split()
    keys = ["-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")]
    subprocess.run([*command, *keys], check=True, capture_output=True)
    return folder / "cert.pem"


def _answer(conn: Conn, request: Request) -> None:
    conn.respond(200, json.dumps(openai_completion(ANSWER)).encode())


@pytest.fixture
def tls_server(cert: Path) -> Iterator[RawServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, cert.with_name("key.pem"))

    def script(conn: Conn) -> None:
        # A refused handshake raises ssl.SSLError here, which the server takes for a
        # client that went away: no request is recorded.
        conn.sock = context.wrap_socket(conn.sock, server_side=True)
        while (request := conn.read_request()) is not None:
            _answer(conn, request)

    with RawServer(script) as server:
        yield server


@pytest.fixture
def http_server() -> Iterator[RawServer]:
    def script(conn: Conn) -> None:
        while (request := conn.read_request()) is not None:
            _answer(conn, request)

    with RawServer(script) as server:
        yield server


def _https(server: RawServer) -> str:
    return server.url.replace("http://", "https://")


def _verify_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def test_default_client_refuses_a_self_signed_certificate(
    http_server: RawServer, tls_server: RawServer
) -> None:
    with Edgen(base_url=http_server.url, max_retries=0) as client:
        # The http:// pool is in use before the copy asks for https://.
        answer = client.chat.completions.create(model="m", messages=MESSAGES)
        assert answer.choices[0].message.content == ANSWER
        secure = client.with_options(base_url=_https(tls_server))
        with pytest.raises(APIConnectionError) as caught:
            secure.chat.completions.create(model="m", messages=MESSAGES)
    assert _verify_failure(caught.value), repr(caught.value)
    assert tls_server.requests == []
    assert len(http_server.requests) == 1


def test_https_base_url_refuses_a_self_signed_certificate(tls_server: RawServer) -> None:
    with Edgen(base_url=_https(tls_server), max_retries=0) as client:
        with pytest.raises(APIConnectionError) as caught:
            client.models.list()
    assert _verify_failure(caught.value), repr(caught.value)
    assert tls_server.requests == []


@pytest.mark.anyio
async def test_async_client_refuses_a_self_signed_certificate(
    http_server: RawServer, tls_server: RawServer
) -> None:
    async with AsyncEdgen(base_url=http_server.url, max_retries=0) as client:
        answer = await client.chat.completions.create(model="m", messages=MESSAGES)
        assert answer.choices[0].message.content == ANSWER
        secure = client.with_options(base_url=_https(tls_server))
        with pytest.raises(APIConnectionError) as caught:
            await secure.chat.completions.create(model="m", messages=MESSAGES)
    assert _verify_failure(caught.value), repr(caught.value)
    assert tls_server.requests == []


def test_user_http_client_trusting_the_certificate(cert: Path, tls_server: RawServer) -> None:
    trusting = ssl.create_default_context(cafile=str(cert))
    with httpx.Client(verify=trusting) as http:
        client = Edgen(base_url=_https(tls_server), http_client=http, max_retries=0)
        answer = client.chat.completions.create(model="m", messages=MESSAGES)
    assert answer.choices[0].message.content == ANSWER
    assert [r.target for r in tls_server.requests] == ["/v1/chat/completions"]


@pytest.mark.anyio
async def test_async_user_http_client_trusting_the_certificate(
    cert: Path, tls_server: RawServer
) -> None:
    trusting = ssl.create_default_context(cafile=str(cert))
    async with httpx.AsyncClient(verify=trusting) as http:
        client = AsyncEdgen(base_url=_https(tls_server), http_client=http, max_retries=0)
        answer = await client.chat.completions.create(model="m", messages=MESSAGES)
    assert answer.choices[0].message.content == ANSWER


# Counts every TLS context made in the child: httpx, httpcore and ssl's own helpers all
# make theirs through ssl.SSLContext, so the count shows which clients paid for one.
CHILD = """
import ssl, sys
made = []
plain_new = ssl.SSLContext.__new__
def counting_new(cls, *args, **kwargs):
    made.append(args)
    return plain_new(cls, *args, **kwargs)
ssl.SSLContext.__new__ = counting_new

import edgen
messages = [{"role": "user", "content": "hi"}]
http_url, https_url = sys.argv[1:3]
client = edgen.Edgen(base_url=http_url, max_retries=0)
client.chat.completions.create(model="m", messages=messages)
print("after http", len(made))
secure = client.with_options(base_url=https_url)
print(secure.chat.completions.create(model="m", messages=messages).choices[0].message.content)
print("after https", len(made))
other = edgen.Edgen(base_url=https_url, max_retries=0)
other.chat.completions.create(model="m", messages=messages)
print("after another client", len(made))
"""


def _run_child(env_update: dict[str, str], http: RawServer, tls: RawServer) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SSL_CERT", "PYTHON"))}
    env.update(env_update, PYTHONPATH=str(REPO_ROOT))
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CHILD), http.url, _https(tls)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_ssl_cert_file_is_trusted_and_one_context_is_shared(
    cert: Path, http_server: RawServer, tls_server: RawServer
) -> None:
    lines = _run_child({"SSL_CERT_FILE": str(cert)}, http_server, tls_server)
    # No context for http://; one, on the first https request, shared by the next client.
    assert lines == ["after http 0", ANSWER, "after https 1", "after another client 1"]
    assert len(tls_server.requests) == 2


def test_ssl_cert_dir_is_trusted(
    cert: Path, tmp_path: Path, http_server: RawServer, tls_server: RawServer
) -> None:
    # A CA directory holds each certificate under its subject hash, as `openssl rehash` names it.
    subject_hash = subprocess.run(
        ["openssl", "x509", "-hash", "-noout", "-in", str(cert)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    shutil.copy(cert, tmp_path / f"{subject_hash}.0")
    lines = _run_child({"SSL_CERT_DIR": str(tmp_path)}, http_server, tls_server)
    assert lines[1:3] == [ANSWER, "after https 1"]


def test_proxy_settings_still_apply(
    http_server: RawServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # httpx honours HTTP_PROXY only in a client without its own transport: with one set,
    # edgen's pool must still go through the proxy.
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", http_server.url.removesuffix("/v1/"))
    with Edgen(base_url="http://edgen.invalid/v1/", max_retries=0) as client:
        answer = client.chat.completions.create(model="m", messages=MESSAGES)
    assert answer.choices[0].message.content == ANSWER
    assert [r.target for r in http_server.requests] == ["http://edgen.invalid/v1/chat/completions"]


def test_https_through_an_http_proxy_is_tunnelled_and_verified(
    cert: Path, proxy_env: Callable[..., None]
) -> None:
    # The proxy accepts the CONNECT and then plays the server itself, with the self-signed
    # certificate: the tunnel is used, and the server's certificate is checked through it.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, cert.with_name("key.pem"))

    def script(conn: Conn) -> None:
        if conn.read_request() is not None:
            conn.send(b"HTTP/1.1 200 Connection established\r\n\r\n")
            conn.sock = context.wrap_socket(conn.sock, server_side=True)
            while (request := conn.read_request()) is not None:
                _answer(conn, request)

    with RawServer(script) as proxy:
        proxy_env(HTTPS_PROXY=proxy.url.removesuffix("/v1/"))
        with Edgen(base_url="https://edgen.invalid/v1/", max_retries=0) as client:
            pool = client._http._transport.transport_for(client.base_url).pool  # type: ignore[attr-defined]
            assert isinstance(pool, httpcore.HTTPProxy)
            with pytest.raises(APIConnectionError) as caught:
                client.models.list()
    assert _verify_failure(caught.value), repr(caught.value)
    # Only the CONNECT came in the clear; the request itself was never sent.
    assert [(r.method, r.target) for r in proxy.requests] == [("CONNECT", "edgen.invalid:443")]
