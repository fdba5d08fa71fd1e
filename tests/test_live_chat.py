"""Chat completions against a real HTTP server on 127.0.0.1 (edgen.testing.EdgenEmulator)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest
from faker import Faker

import edgen
from edgen import AsyncEdgen, AsyncStream, Edgen, Stream
from edgen.testing import EdgenEmulator

fake = Faker()
Faker.seed(2024)

TOKENS = 12


@pytest.fixture(params=["edgen", "openai"])
def server(request: pytest.FixtureRequest) -> Iterator[Any]:
    seed = fake.random_int(1, 10**6)
    with EdgenEmulator(host="127.0.0.1", dialect=request.param, seed=seed, tokens=TOKENS) as emu:
        yield emu


@pytest.fixture
def messages() -> list[dict[str, str]]:
    return [
        {"role": "system", "content": fake.sentence()},
        {"role": "user", "content": fake.paragraph()},
    ]


def text_of(chunks: list[Any]) -> str:
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


# -- streaming content matches the whole answer ------------------------------------------------


def test_stream_matches_non_stream_sync(server: Any, messages: list) -> None:
    with Edgen(base_url=server.url, max_retries=0) as client:
        whole = client.chat.completions.create(model="default", messages=messages)
        stream = client.chat.completions.create(model="default", messages=messages, stream=True)
        assert isinstance(stream, Stream)
        chunks = list(stream)
    answer = whole.choices[0].message.content
    assert answer and len(answer.split()) == TOKENS
    assert text_of(chunks) == answer
    assert stream.response.is_closed
    content_chunks = [c for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(content_chunks) == TOKENS
    if server.dialect == "edgen":
        assert len(chunks) == TOKENS
        assert len({c.id for c in chunks}) == TOKENS  # a new id per chunk
        assert whole.object == "text_completion" and whole.model == "main"
        assert all(c.choices[0].delta.model_fields_set == {"content", "role"} for c in chunks)
    else:
        assert chunks[0].choices[0].delta.model_fields_set == {"role"}
        assert chunks[-1].choices[0].finish_reason == "stop"
        assert chunks[-1].choices[0].delta.model_fields_set == set()
        assert len({c.id for c in chunks}) == 1
    recorded = server.requests
    assert [r.json()["messages"] for r in recorded] == [messages, messages]
    assert recorded[1].json()["stream"] is True and "stream" not in recorded[0].json()


@pytest.mark.anyio
async def test_stream_matches_non_stream_async(server: Any, messages: list) -> None:
    async with AsyncEdgen(base_url=server.url, max_retries=0) as client:
        whole = await client.chat.completions.create(model="default", messages=messages)
        stream = await client.chat.completions.create(
            model="default", messages=messages, stream=True
        )
        assert isinstance(stream, AsyncStream)
        chunks = [c async for c in stream]
        assert stream.response.is_closed
        # __anext__ and async with on a second stream give the same text.
        again = await client.chat.completions.create(
            model="default", messages=messages, stream=True
        )
        pieces: list[Any] = []
        async with again:
            pieces.append(await again.__anext__())
            pieces.extend([c async for c in again])
        assert again.response.is_closed
    assert text_of(chunks) == whole.choices[0].message.content == text_of(pieces)


@pytest.mark.anyio
async def test_async_break_releases_the_connection(server: Any, messages: list) -> None:
    async with AsyncEdgen(base_url=server.url, max_retries=0) as client:
        stream = await client.chat.completions.create(
            model="default", messages=messages, stream=True
        )
        async for _ in stream:
            break
        # Async generators are finalised by the event loop on its next turns.
        for _ in range(50):
            if stream.response.is_closed:
                break
            await anyio.sleep(0.01)
        assert stream.response.is_closed


def test_seed_changes_output(messages: list) -> None:
    answers = []
    for seed in (1, 2):
        with (
            EdgenEmulator(host="127.0.0.1", seed=seed, tokens=TOKENS) as emu,
            Edgen(base_url=emu.url) as client,
        ):
            answers.append(
                client.chat.completions.create(model="default", messages=messages)
                .choices[0]
                .message.content
            )
    assert answers[0] != answers[1]


# -- raw responses and status -----------------------------------------------------------------


def test_raw_response_live(server: Any, messages: list) -> None:
    with Edgen(base_url=server.url, max_retries=0) as client:
        raw = client.chat.completions.with_raw_response.create(model="default", messages=messages)
        assert raw.status_code == 200
        assert raw.headers["content-type"].startswith("application/json")
        parsed = raw.parse()
        assert parsed.choices[0].message.content == raw.json()["choices"][0]["message"]["content"]

        raw_stream = client.chat.completions.with_raw_response.create(
            model="default", messages=messages, stream=True
        )
        assert raw_stream.headers["content-type"].startswith("text/event-stream")
        assert text_of(list(raw_stream.parse())) == parsed.choices[0].message.content

        status = client.chat.completions.status.create()
        assert status.active_model == server.status["chat"]["active_model"]
        assert server.requests[-1].method == "GET"
        assert server.requests[-1].path == "/v1/chat/completions/status"


# -- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, edgen.BadRequestError),
        (401, edgen.AuthenticationError),
        (404, edgen.NotFoundError),
        (409, edgen.ConflictError),
        (422, edgen.UnprocessableEntityError),
        (429, edgen.RateLimitError),
        (503, edgen.InternalServerError),
    ],
)
def test_error_statuses_live(server: Any, messages: list, status: int, cls: type) -> None:
    with Edgen(base_url=server.url, max_retries=0) as client:
        with pytest.raises(cls) as info:
            client.chat.completions.create(
                model="default",
                messages=messages,
                extra_headers={"x-emulator-fault": f"status={status}"},
            )
    err = info.value
    assert err.status_code == status
    if server.dialect == "openai":
        assert isinstance(err.body, dict) and err.body["error"]["message"] in err.message
        assert err.type is not None
    elif status != 503:
        assert isinstance(err.body, str) and err.body in err.message
    assert len(server.requests) == 1


def test_real_edgen_error_not_retried(sleeps: list[float], messages: list) -> None:
    with (
        EdgenEmulator(host="127.0.0.1", strict_models=True) as emu,
        Edgen(base_url=emu.url) as client,
    ):
        with pytest.raises(edgen.InternalServerError) as info:
            client.chat.completions.create(model="gpt-3.5-turbo", messages=messages)
        assert info.value.kind == "unknown_model_kind"
        assert info.value.body["model_name"] == "gpt-3.5-turbo"  # type: ignore[index]
        assert len(emu.requests) == 1
        assert sleeps == []
        emu.inject("kind=no_such_model", times=1)
        completion = client.chat.completions.create(model="x.gguf", messages=messages)
        assert completion.choices[0].message.content
        assert len(emu.requests) == 3  # no_such_model may pass after a download: retried once


def test_retry_then_success_live(server: Any, messages: list, sleeps: list[float]) -> None:
    key = fake.uuid4()
    with Edgen(base_url=server.url) as client:
        raw = client.chat.completions.with_raw_response.create(
            model="default",
            messages=messages,
            extra_headers={"x-emulator-fault": f"status=503;retry_after_ms=1;times=2;key={key}"},
        )
        assert raw.parse().choices[0].message.content
        assert raw.retries_taken == 2
    assert sleeps == [0.001, 0.001]
    assert len(server.requests) == 3
    assert len({r.body for r in server.requests}) == 1


def test_retries_exhausted_live(server: Any, messages: list, sleeps: list[float]) -> None:
    server.inject("status=429;retry_after=2", times=10)
    with Edgen(base_url=server.url, max_retries=3) as client:
        with pytest.raises(edgen.RateLimitError):
            client.chat.completions.create(model="default", messages=messages)
    assert sleeps == [2.0, 2.0, 2.0]
    assert len(server.requests) == 4


@pytest.mark.anyio
async def test_async_retry_then_stream_live(
    server: Any, messages: list, sleeps: list[float]
) -> None:
    server.inject("status=502", times=1, path="/chat/completions")
    async with AsyncEdgen(base_url=server.url) as client:
        stream = await client.chat.completions.create(
            model="default", messages=messages, stream=True
        )
        chunks = [c async for c in stream]
    assert len(server.requests) == 2 and len(sleeps) == 1
    assert len(text_of(chunks).split()) == TOKENS


def test_drop_mid_stream(server: Any, messages: list, sleeps: list[float]) -> None:
    with Edgen(base_url=server.url) as client:
        whole = (
            client.chat.completions.create(model="default", messages=messages)
            .choices[0]
            .message.content
        )
        stream = client.chat.completions.create(
            model="default",
            messages=messages,
            stream=True,
            extra_headers={"x-emulator-fault": "drop_after=3"},
        )
        got: list[Any] = []
        with pytest.raises(edgen.APIConnectionError) as info:
            for chunk in stream:
                got.append(chunk)
    assert not isinstance(info.value, edgen.APITimeoutError)
    assert isinstance(info.value.__cause__, httpx.TransportError)
    assert len(got) == 3
    assert whole is not None and whole.startswith(text_of(got))
    assert len(server.requests) == 2  # the broken stream was not retried
    assert stream.response.is_closed


@pytest.mark.anyio
async def test_drop_mid_stream_async(server: Any, messages: list) -> None:
    async with AsyncEdgen(base_url=server.url) as client:
        stream = await client.chat.completions.create(
            model="default",
            messages=messages,
            stream=True,
            extra_headers={"x-emulator-fault": "drop_after=2"},
        )
        got = []
        with pytest.raises(edgen.APIConnectionError):
            async for chunk in stream:
                got.append(chunk)
    assert len(got) == 2


def test_malformed_and_error_event_live(server: Any, messages: list) -> None:
    with Edgen(base_url=server.url, max_retries=0) as client:
        stream = client.chat.completions.create(
            model="default",
            messages=messages,
            stream=True,
            extra_headers={"x-emulator-fault": "malformed_after=2"},
        )
        got = []
        with pytest.raises(edgen.APIResponseValidationError) as info:
            for chunk in stream:
                got.append(chunk)
        assert info.value.body == '{"id": broken'
        assert len([c for c in got if c.choices and c.choices[0].delta.content]) == 2 - (
            server.dialect == "openai"
        )

        stream = client.chat.completions.create(
            model="default",
            messages=messages,
            stream=True,
            extra_headers={"x-emulator-fault": "error_event_after=2"},
        )
        with pytest.raises(edgen.APIError) as err:
            list(stream)
        assert err.value.message == f"injected failure [POST {server.url}chat/completions]"
        assert type(err.value) is edgen.APIError


@pytest.mark.slow
def test_stall_versus_short_timeout(server: Any, messages: list) -> None:
    with Edgen(base_url=server.url, max_retries=0, timeout=0.3) as client:
        started = time.monotonic()
        with pytest.raises(edgen.APITimeoutError) as info:
            client.chat.completions.create(
                model="default", messages=messages, extra_headers={"x-emulator-fault": "stall=2"}
            )
        assert time.monotonic() - started < 1.5
        assert isinstance(info.value.__cause__, httpx.TimeoutException)
        # A per-request timeout long enough for the stall succeeds.
        ok = client.chat.completions.create(
            model="default",
            messages=messages,
            timeout=5.0,
            extra_headers={"x-emulator-fault": "stall=0.4"},
        )
        assert ok.choices[0].message.content


@pytest.mark.anyio
async def test_stall_versus_short_timeout_async(server: Any, messages: list) -> None:
    async with AsyncEdgen(base_url=server.url, max_retries=0) as client:
        with pytest.raises(edgen.APITimeoutError):
            await client.chat.completions.create(
                model="default",
                messages=messages,
                stream=True,
                timeout=0.3,
                extra_headers={"x-emulator-fault": "stall=2"},
            )


def test_connection_refused_live(messages: list) -> None:
    with EdgenEmulator(host="127.0.0.1") as emu:
        url = emu.url
    # The server has stopped: its port now refuses connections.
    with Edgen(base_url=url, max_retries=0) as client:
        with pytest.raises(edgen.APIConnectionError) as info:
            client.chat.completions.create(model="default", messages=messages)
    assert isinstance(info.value.__cause__, httpx.ConnectError)


# -- connection reuse ----------------------------------------------------------------------------


def _client_port(response: httpx.Response) -> Any:
    return response.extensions["network_stream"].get_extra_info("client_addr")


def test_connection_reuse(server: Any, messages: list) -> None:
    ports = []
    with Edgen(base_url=server.url) as client:
        for i in range(6):
            raw = client.chat.completions.with_raw_response.create(
                model="default", messages=messages, stream=bool(i % 2)
            )
            parsed = raw.parse()
            ports.append(_client_port(raw.http_response))
            if i % 2:
                list(parsed)  # a fully read stream gives its connection back
        raw = client.chat.completions.status.with_raw_response.create()
        raw.parse()
        ports.append(_client_port(raw.http_response))
        # with_options shares the pool, so the same connection again.
        raw = client.with_options(timeout=30.0).chat.completions.with_raw_response.create(
            model="default", messages=messages
        )
        raw.parse()
        ports.append(_client_port(raw.http_response))
    # A sync stream closes its connection at the OpenAI dialect's `[DONE]` (see the README's
    # Reliability section): the request after each of the three streams opens a new one.
    assert len(set(ports)) == (1 if server.dialect == "edgen" else 4), ports
    assert len(server.requests) == 8


def test_closed_early_stream_does_not_leak(server: Any, messages: list) -> None:
    with Edgen(base_url=server.url, max_retries=0, timeout=5.0) as client:
        for _ in range(5):
            with client.chat.completions.create(
                model="default", messages=messages, stream=True
            ) as stream:
                next(stream)
            assert stream.response.is_closed
        # The pool still works after streams were abandoned half-way.
        assert (
            client.chat.completions.create(model="default", messages=messages)
            .choices[0]
            .message.content
        )
    assert len(server.requests) == 6
