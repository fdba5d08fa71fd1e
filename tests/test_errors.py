"""Errors: status mapping, error bodies, transport failures, stream failures, logging."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import httpx
import pytest
import respx
from conftest import BASE_URL, REPO_ROOT, SSE_HEADERS, edgen_chunk, sse_body
from faker import Faker

import edgen
from edgen import AsyncEdgen, Edgen

fake = Faker()
Faker.seed(404)

MESSAGES = [{"role": "user", "content": "hi"}]


@pytest.fixture
def client() -> Iterator[Edgen]:
    with Edgen(max_retries=0) as c:
        yield c


def create(client: Edgen, **kwargs: object):
    return client.chat.completions.create(model="default", messages=MESSAGES, **kwargs)  # type: ignore[call-overload]


# -- status codes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, edgen.BadRequestError),
        (401, edgen.AuthenticationError),
        (403, edgen.PermissionDeniedError),
        (404, edgen.NotFoundError),
        (409, edgen.ConflictError),
        (422, edgen.UnprocessableEntityError),
        (429, edgen.RateLimitError),
        (500, edgen.InternalServerError),
        (502, edgen.InternalServerError),
        (503, edgen.InternalServerError),
        (599, edgen.InternalServerError),
        (405, edgen.APIStatusError),
        (408, edgen.APIStatusError),
        (413, edgen.APIStatusError),
        (415, edgen.APIStatusError),
        (418, edgen.APIStatusError),
    ],
)
def test_status_maps_to_class(
    router: respx.MockRouter, client: Edgen, status: int, cls: type
) -> None:
    text = fake.sentence()
    router.post("chat/completions").respond(status, text=text)
    with pytest.raises(edgen.APIStatusError) as info:
        create(client)
    err = info.value
    assert type(err) is cls
    assert isinstance(err, edgen.APIError) and isinstance(err, edgen.EdgenError)
    assert err.status_code == status
    assert isinstance(err.response, httpx.Response) and err.response.status_code == status
    assert err.body == text
    assert err.message == f"Error code: {status} - {text} [POST {BASE_URL}chat/completions]"
    assert str(err) == err.message
    assert err.request.url == BASE_URL + "chat/completions"
    assert err.kind is None and err.code is None


@pytest.mark.parametrize(
    "body",
    [
        {
            "error": "unknown_model_kind",
            "model_name": "gpt-3.5-turbo",
            "reason": 'unknown model kind for model: ("gpt-3.5-turbo")',
        },
        {"error": "no_such_model", "model_name": "my-model.gguf"},
        {"error": "preload", "UnknownModel": "Whisper"},
        {"error": "endpoint", "SessionNotFound": None},
        {"error": "endpoint", "Load": "out of memory"},
    ],
    ids=lambda b: b["error"],
)
def test_edgen_tagged_error_keeps_every_field(
    router: respx.MockRouter, client: Edgen, body: dict
) -> None:
    router.post("chat/completions").respond(500, json=body)
    with pytest.raises(edgen.InternalServerError) as info:
        create(client)
    err = info.value
    assert err.body == body  # the whole object, not just the kind
    assert err.kind == body["error"]
    assert err.message.startswith(f"Error code: 500 - {body['error']}")
    for key, value in body.items():
        if key not in ("error", "reason") and value is not None:
            assert str(value) in err.message
    if "reason" in body:
        assert body["reason"] in err.message
    assert err.code is None and err.type is None


def test_openai_envelope(router: respx.MockRouter, client: Edgen) -> None:
    message = fake.sentence()
    body = {
        "error": {
            "message": message,
            "type": "invalid_request_error",
            "code": "model_not_found",
            "param": "model",
        }
    }
    router.post("chat/completions").respond(404, json=body)
    with pytest.raises(edgen.NotFoundError) as info:
        create(client)
    err = info.value
    assert err.message == f"Error code: 404 - {message} [POST {BASE_URL}chat/completions]"
    assert (err.code, err.type, err.param) == ("model_not_found", "invalid_request_error", "model")
    assert err.kind is None
    assert err.body == body


def test_openai_envelope_with_numeric_code_and_no_message(
    router: respx.MockRouter, client: Edgen
) -> None:
    body = {"error": {"code": 500, "type": "server_error"}}
    router.post("chat/completions").respond(500, json=body)
    with pytest.raises(edgen.InternalServerError) as info:
        create(client)
    assert info.value.code == "500"
    assert info.value.type == "server_error"
    assert "server_error" in info.value.message


def test_detail_body(router: respx.MockRouter, client: Edgen) -> None:
    detail = fake.sentence()
    router.post("chat/completions").respond(422, json={"detail": detail})
    with pytest.raises(edgen.UnprocessableEntityError) as info:
        create(client)
    assert info.value.message == f"Error code: 422 - {detail} [POST {BASE_URL}chat/completions]"
    assert info.value.body == {"detail": detail}


def test_message_body_and_other_json(router: respx.MockRouter, client: Edgen) -> None:
    router.post("chat/completions").respond(400, json={"message": "flat message"})
    with pytest.raises(edgen.BadRequestError, match="flat message"):
        create(client)
    router.post("chat/completions").respond(400, json=[1, 2])
    with pytest.raises(edgen.BadRequestError) as info:
        create(client)
    assert info.value.body == [1, 2]
    assert info.value.message == f"Error code: 400 - [1,2] [POST {BASE_URL}chat/completions]"


def test_empty_body(router: respx.MockRouter, client: Edgen) -> None:
    router.post("chat/completions").respond(500)
    with pytest.raises(edgen.InternalServerError) as info:
        create(client)
    assert info.value.body is None
    assert info.value.message == f"Error code: 500 [POST {BASE_URL}chat/completions]"
    assert info.value.kind is None


def test_text_plain_body_from_edgen_422(router: respx.MockRouter, client: Edgen) -> None:
    text = "Failed to deserialize the JSON body into the target type: missing field `model` at line 1 column 58"
    router.post("chat/completions").respond(
        422, text=text, headers={"content-type": "text/plain; charset=utf-8"}
    )
    with pytest.raises(edgen.UnprocessableEntityError) as info:
        create(client)
    assert info.value.body == text
    assert text in info.value.message


def test_error_response_is_read_and_closed(router: respx.MockRouter, client: Edgen) -> None:
    router.post("chat/completions").respond(400, json={"error": "x"})
    with pytest.raises(edgen.BadRequestError) as info:
        create(client)
    assert info.value.response.is_closed
    assert info.value.response.json() == {"error": "x"}


@pytest.mark.anyio
async def test_async_status_error(router: respx.MockRouter) -> None:
    body = {"error": "prohibited_name", "model_name": "", "reason": "empty"}
    router.post("chat/completions").respond(500, json=body)
    async with AsyncEdgen(max_retries=0) as client:
        with pytest.raises(edgen.InternalServerError) as info:
            await client.chat.completions.create(model="default", messages=MESSAGES)
    assert info.value.kind == "prohibited_name" and info.value.body == body


# -- 2xx bodies that do not fit --------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b'{"id": 1}',
        b"<html>oops</html>",
        b"",
        b'{"id":"a","choices":"no","created":1,"model":"m","object":"o"}',
    ],
)
def test_2xx_body_that_does_not_fit(
    router: respx.MockRouter, client: Edgen, content: bytes
) -> None:
    router.post("chat/completions").respond(
        200, content=content, headers={"content-type": "application/json"}
    )
    with pytest.raises(edgen.APIResponseValidationError) as info:
        create(client)
    err = info.value
    assert err.status_code == 200
    assert err.response.status_code == 200
    assert err.body == content.decode()
    assert "does not fit" in err.message
    assert not isinstance(err, edgen.APIStatusError)


def test_status_body_that_does_not_fit(router: respx.MockRouter, client: Edgen) -> None:
    router.get("chat/completions/status").respond(200, json={"active_model": 5})
    with pytest.raises(edgen.APIResponseValidationError, match="active_model"):
        client.chat.completions.status.create()


# -- transport failures ----------------------------------------------------------------------


def test_connection_refused(closed_port: int) -> None:
    with Edgen(base_url=f"http://127.0.0.1:{closed_port}/v1", max_retries=0, timeout=5.0) as client:
        with pytest.raises(edgen.APIConnectionError) as info:
            create(client)
    err = info.value
    assert type(err) is edgen.APIConnectionError
    assert isinstance(err.__cause__, httpx.ConnectError)
    assert err.request.url.port == closed_port
    assert err.body is None


@pytest.mark.anyio
async def test_async_connection_refused(closed_port: int) -> None:
    async with AsyncEdgen(base_url=f"http://127.0.0.1:{closed_port}/v1", max_retries=0) as client:
        with pytest.raises(edgen.APIConnectionError) as info:
            await client.chat.completions.create(model="default", messages=MESSAGES)
    assert isinstance(info.value.__cause__, httpx.ConnectError)


@pytest.mark.parametrize(
    ("exc", "message"),
    [
        (httpx.ReadTimeout, "Request timed out waiting for the server's answer."),
        (httpx.ConnectTimeout, "Request timed out while connecting."),
        (httpx.WriteTimeout, "Request timed out while sending."),
        (httpx.PoolTimeout, "Request timed out: no free connection in the pool"),
    ],
)
def test_timeouts(
    router: respx.MockRouter, client: Edgen, exc: type[Exception], message: str
) -> None:
    router.post("chat/completions").mock(side_effect=exc("timed out"))
    with pytest.raises(edgen.APITimeoutError) as info:
        create(client)
    assert isinstance(info.value, edgen.APIConnectionError)
    assert isinstance(info.value.__cause__, exc)
    assert info.value.message.startswith(message)
    assert str(info.value) == info.value.message


@pytest.mark.parametrize("exc", [httpx.ReadError, httpx.RemoteProtocolError, httpx.ConnectError])
def test_transport_errors(router: respx.MockRouter, client: Edgen, exc: type[Exception]) -> None:
    router.post("chat/completions").mock(side_effect=exc("boom"))
    with pytest.raises(edgen.APIConnectionError) as info:
        create(client)
    assert not isinstance(info.value, edgen.APITimeoutError)
    assert isinstance(info.value.__cause__, exc)


class _BrokenBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    """Yields some chunks, then fails like a dropped or stalled connection."""

    def __init__(self, chunks: list[bytes], exc: Exception) -> None:
        self.chunks = chunks
        self.exc = exc

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks
        raise self.exc

    async def __aiter__(self):  # type: ignore[override]
        for chunk in self.chunks:
            yield chunk
        raise self.exc


def test_body_read_failure_on_non_stream_request(router: respx.MockRouter, client: Edgen) -> None:
    router.post("chat/completions").respond(
        200, stream=_BrokenBody([b'{"id":'], httpx.ReadTimeout("slow"))
    )
    with pytest.raises(edgen.APITimeoutError):
        create(client)
    router.post("chat/completions").respond(
        200, stream=_BrokenBody([b'{"id":'], httpx.ReadError("reset"))
    )
    with pytest.raises(edgen.APIConnectionError) as info:
        create(client)
    assert isinstance(info.value.__cause__, httpx.ReadError)


# -- stream failures ---------------------------------------------------------------------------


def test_in_band_error_event(router: respx.MockRouter, client: Edgen) -> None:
    first = fake.word()
    message = fake.sentence()
    body = sse_body(
        edgen_chunk(first),
        {"error": {"message": message, "type": "server_error"}},
        edgen_chunk("never"),
    )
    router.post("chat/completions").respond(200, content=body, headers=SSE_HEADERS)
    stream = create(client, stream=True)
    assert next(stream).choices[0].delta.content == first
    with pytest.raises(edgen.APIError) as info:
        next(stream)
    err = info.value
    assert err.message == f"{message} [POST {BASE_URL}chat/completions]"
    assert err.body == {"error": {"message": message, "type": "server_error"}}
    assert err.type == "server_error"
    assert stream.response.is_closed


def test_in_band_flat_error_and_named_error_event(router: respx.MockRouter, client: Edgen) -> None:
    body = sse_body({"error": "endpoint", "reason": "generation failed"})
    router.post("chat/completions").respond(200, content=body, headers=SSE_HEADERS)
    with pytest.raises(edgen.APIError, match="generation failed") as info:
        list(create(client, stream=True))
    assert info.value.kind == "endpoint"

    named = b'event: error\ndata: {"error": {"message": "overloaded"}}\n\n'
    router.post("chat/completions").respond(200, content=named, headers=SSE_HEADERS)
    with pytest.raises(edgen.APIError, match="overloaded"):
        list(create(client, stream=True))


def test_malformed_chunk_carries_the_line(router: respx.MockRouter, client: Edgen) -> None:
    good = fake.word()
    body = sse_body(edgen_chunk(good), b'{"id": broken')
    router.post("chat/completions").respond(200, content=body, headers=SSE_HEADERS)
    got: list[str] = []
    with pytest.raises(edgen.APIResponseValidationError) as info:
        for chunk in create(client, stream=True):
            got.append(chunk.choices[0].delta.content)
    assert got == [good]
    assert info.value.body == '{"id": broken'
    assert '{"id": broken' in info.value.message
    assert info.value.status_code == 200


def test_chunk_of_wrong_shape(router: respx.MockRouter, client: Edgen) -> None:
    router.post("chat/completions").respond(
        200, content=sse_body({"id": "x", "choices": 5}), headers=SSE_HEADERS
    )
    with pytest.raises(edgen.APIResponseValidationError) as info:
        list(create(client, stream=True))
    assert info.value.body == '{"id":"x","choices":5}'


def test_connection_dropped_mid_stream(router: respx.MockRouter, client: Edgen) -> None:
    words = [fake.word() for _ in range(2)]
    body = _BrokenBody(
        [sse_body(edgen_chunk(words[0])), sse_body(edgen_chunk(words[1]))[:40]],
        httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
    )
    route = router.post("chat/completions").respond(200, stream=body, headers=SSE_HEADERS)
    client_retrying = client.with_options(max_retries=3)
    got: list[str] = []
    with pytest.raises(edgen.APIConnectionError) as info:
        for chunk in create(client_retrying, stream=True):
            got.append(chunk.choices[0].delta.content)
    assert got == words[:1]
    assert isinstance(info.value.__cause__, httpx.RemoteProtocolError)
    assert route.call_count == 1  # never retried once it yielded


def test_read_timeout_mid_stream(router: respx.MockRouter, client: Edgen) -> None:
    body = _BrokenBody([sse_body(edgen_chunk("a"))], httpx.ReadTimeout("stalled"))
    router.post("chat/completions").respond(200, stream=body, headers=SSE_HEADERS)
    stream = create(client, stream=True)
    assert next(stream).choices[0].delta.content == "a"
    with pytest.raises(edgen.APITimeoutError):
        next(stream)


@pytest.mark.anyio
async def test_async_stream_failures(router: respx.MockRouter) -> None:
    body = _BrokenBody([sse_body(edgen_chunk("a"))], httpx.ReadError("reset"))
    router.post("chat/completions").respond(200, stream=body, headers=SSE_HEADERS)
    async with AsyncEdgen(max_retries=0) as client:
        stream = await client.chat.completions.create(
            model="default", messages=MESSAGES, stream=True
        )
        assert (await stream.__anext__()).choices[0].delta.content == "a"
        with pytest.raises(edgen.APIConnectionError):
            await stream.__anext__()
        router.post("chat/completions").respond(
            200,
            content=sse_body(edgen_chunk("b"), {"error": {"message": "bad thing"}}),
            headers=SSE_HEADERS,
        )
        stream = await client.chat.completions.create(
            model="default", messages=MESSAGES, stream=True
        )
        got = []
        with pytest.raises(edgen.APIError, match="bad thing"):
            async for chunk in stream:
                got.append(chunk.choices[0].delta.content)
        assert got == ["b"]


def test_stream_error_status_before_streaming(router: respx.MockRouter, client: Edgen) -> None:
    body = {"error": "no_such_model", "model_name": "x.gguf"}
    router.post("chat/completions").respond(500, json=body)
    with pytest.raises(edgen.InternalServerError) as info:
        create(client, stream=True)
    assert info.value.body == body


# -- secrets stay out of errors and logs ---------------------------------------------------------


def test_api_key_not_in_exception_text(router: respx.MockRouter) -> None:
    key = "sk-" + fake.sha256()
    router.post("chat/completions").respond(
        401, json={"error": {"message": "bad key", "type": "auth"}}
    )
    with Edgen(api_key=key, max_retries=0) as client:
        with pytest.raises(edgen.AuthenticationError) as info:
            create(client)
    err = info.value
    for text in (
        str(err),
        repr(err),
        err.message,
        str(err.response),
        repr(err.request),
        str(err.body),
    ):
        assert key not in text
    # The key was really sent, so the checks above are meaningful.
    assert err.request.headers["authorization"] == f"Bearer {key}"


_LOG_SCRIPT = textwrap.dedent(
    """
    import sys
    import edgen
    from edgen.testing import EdgenEmulator

    KEY = sys.argv[1]
    with EdgenEmulator(host="127.0.0.1", seed=1, tokens=3) as server:
        client = edgen.Edgen(base_url=server.url, api_key=KEY, max_retries=1)
        client.chat.completions.create(model="default", messages=[{"role": "user", "content": "x"}])
        try:
            client.chat.completions.create(
                model="default",
                messages=[{"role": "user", "content": "x"}],
                extra_headers={"x-emulator-fault": "status=503"},
            )
        except edgen.InternalServerError as err:
            print("ERROR", err, err.response, err.request.headers.get("authorization") == "Bearer " + KEY)
        client.close()
    """
)


@pytest.mark.slow
def test_debug_logging_goes_to_stderr_without_the_key() -> None:
    key = "sk-live-" + fake.sha256()
    env = {**os.environ, "EDGEN_LOG": "debug", "PYTHONPATH": str(REPO_ROOT)}
    env.pop("EDGEN_API_KEY", None)
    proc = subprocess.run(
        [sys.executable, "-c", _LOG_SCRIPT, key],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
        cwd=str(REPO_ROOT),
    )
    assert proc.returncode == 0, proc.stderr
    assert "ERROR Error code: 503" in proc.stdout
    assert proc.stdout.rstrip().endswith("True")  # the key was sent
    assert "Request: POST" in proc.stderr and "chat/completions" in proc.stderr
    assert "(attempt 1)" in proc.stderr and "(attempt 2)" in proc.stderr
    assert "Retrying POST" in proc.stderr
    assert "<redacted>" in proc.stderr
    assert key not in proc.stderr
    assert key not in proc.stdout


@pytest.mark.slow
def test_no_logging_without_edgen_log() -> None:
    env = {k: v for k, v in os.environ.items() if k != "EDGEN_LOG"}
    env["PYTHONPATH"] = str(REPO_ROOT)
    proc = subprocess.run(
        [sys.executable, "-c", _LOG_SCRIPT, "k"],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
        cwd=str(REPO_ROOT),
    )
    assert proc.returncode == 0, proc.stderr
    assert "Request: POST" not in proc.stderr
    assert "ERROR Error code: 503" in proc.stdout


# -- every error names its request ---------------------------------------------------------------


def test_every_kind_of_error_names_the_request_with_credentials_masked(
    closed_port: int,
) -> None:
    from edgen.testing import EdgenEmulator

    base = f"http://user:hunter2@127.0.0.1:{closed_port}/v1/"
    with Edgen(base_url=base, max_retries=0, timeout=5.0) as client:
        with pytest.raises(edgen.APIConnectionError) as refused:
            client.models.list()
    shown = f"[GET http://***@127.0.0.1:{closed_port}/v1/models]"
    assert str(refused.value).endswith(shown)
    assert "hunter2" not in str(refused.value) and "hunter2" not in repr(refused.value)

    with EdgenEmulator() as server, Edgen(base_url=server.url, max_retries=0) as client:
        url = server.url
        with pytest.raises(edgen.APITimeoutError) as stalled:
            create(client, extra_headers={"x-emulator-fault": "stall=2"}, timeout=0.2)
        with pytest.raises(edgen.InternalServerError) as missing:  # Edgen's answer: a 500
            client.models.retrieve("no-such-model")
    assert str(stalled.value).endswith(f"[POST {url}chat/completions]")
    assert str(missing.value).endswith(f"[GET {url}models/no-such-model]")


def test_a_404_hints_at_a_base_url_without_v1() -> None:
    from edgen.testing import EdgenEmulator

    with EdgenEmulator() as server:
        root = server.url.removesuffix("v1/")
        with Edgen(base_url=root, max_retries=0) as client:
            with pytest.raises(edgen.NotFoundError) as info:
                create(client)
    assert "does the base URL end in /v1?" in str(info.value)
    assert str(info.value).endswith(f"[POST {root}chat/completions]")


@respx.mock(base_url="http://127.0.0.1:33322/edgen/v1/")
def test_no_v1_hint_when_the_path_has_v1_behind_a_prefix(respx_mock: respx.MockRouter) -> None:
    respx_mock.post("chat/completions").respond(404, json={"detail": "Not Found"})
    with Edgen(base_url="http://127.0.0.1:33322/edgen/v1/", max_retries=0) as client:
        with pytest.raises(edgen.NotFoundError) as info:
            create(client)
    assert "/v1?" not in str(info.value)
