"""Retries against the real emulator: exact attempt counts on the wire, waits taken from
the server's Retry-After (recorded by the `sleeps` fixture, never slept), and the errors
that must not be retried. The respx-level rules are in test_retries.py."""

from __future__ import annotations

import itertools

import httpx
import pytest

import edgen
from edgen import Edgen

MESSAGES = [{"role": "user", "content": "hi"}]
_keys = itertools.count()


def fault(spec: str) -> dict[str, str]:
    """Header form of an emulator fault, with a fresh `key` so `times=` counts from 0."""
    return {"x-emulator-fault": f"{spec};key=k{next(_keys)}"}


def chat_requests(server) -> int:
    return sum(1 for r in server.requests if r.route == "/chat/completions")


def create(client: Edgen, **kwargs: object):
    return client.chat.completions.create(model="default", messages=MESSAGES, **kwargs)  # type: ignore[call-overload]


# -- what is retried, and how long the client waits ---------------------------------------------


@pytest.mark.parametrize(
    ("spec", "waits"),
    [
        ("status=429;retry_after=2;times=1", [2.0]),
        ("status=429;retry_after=0;times=2", [0.0, 0.0]),
        ("status=503;retry_after_ms=1500;times=1", [1.5]),
        ("status=429;retry_after_ms=250;retry_after=9;times=1", [0.25]),  # ms wins
        ("status=408;retry_after=3;times=1", [3.0]),
    ],
)
def test_retry_after_from_the_server_is_the_wait(emulator, sleeps, spec: str, waits) -> None:
    client = Edgen(base_url=emulator.url)
    completion = create(client, extra_headers=fault(spec))
    assert completion.choices[0].message.content
    assert sleeps == waits
    assert chat_requests(emulator) == len(waits) + 1


def test_retry_after_above_60s_falls_back_to_backoff(emulator, sleeps) -> None:
    create(Edgen(base_url=emulator.url), extra_headers=fault("status=429;retry_after=3600;times=1"))
    assert len(sleeps) == 1 and 0.375 <= sleeps[0] <= 0.5
    assert chat_requests(emulator) == 2


@pytest.mark.parametrize("failures", [1, 2, 3, 5])
@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_n_times_exact_attempts(emulator, sleeps, status: int, failures: int) -> None:
    client = Edgen(base_url=emulator.url, max_retries=3)
    headers = fault(f"status={status};times={failures}")
    if failures <= 3:
        assert create(client, extra_headers=headers).choices[0].message.content
        assert chat_requests(emulator) == failures + 1
        assert len(sleeps) == failures
    else:
        with pytest.raises(edgen.InternalServerError) as info:
            create(client, extra_headers=headers)
        assert info.value.status_code == status
        assert chat_requests(emulator) == 4  # 1 + max_retries, not one more
        assert len(sleeps) == 3
    # exponential backoff: 0.5, 1, 2 s, each minus at most 25 % jitter
    for n, wait in enumerate(sleeps):
        assert 0.5 * 2**n * 0.75 <= wait <= 0.5 * 2**n


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, edgen.BadRequestError),
        (401, edgen.AuthenticationError),
        (403, edgen.PermissionDeniedError),
        (404, edgen.NotFoundError),
        (422, edgen.UnprocessableEntityError),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
def test_client_errors_sent_once(emulator, sleeps, status: int, error, stream: bool) -> None:
    client = Edgen(base_url=emulator.url, max_retries=5)
    with pytest.raises(error) as info:
        create(client, stream=stream, extra_headers=fault(f"status={status};retry_after=1"))
    assert info.value.status_code == status
    assert chat_requests(emulator) == 1
    assert sleeps == []


@pytest.mark.parametrize("kind", ["unknown_model_kind", "prohibited_name"])
def test_deterministic_edgen_500_kinds_sent_once(emulator, sleeps, kind: str) -> None:
    with pytest.raises(edgen.InternalServerError) as info:
        create(Edgen(base_url=emulator.url, max_retries=4), extra_headers=fault(f"kind={kind}"))
    assert info.value.kind == kind
    assert info.value.body["model_name"] == "default"  # type: ignore[index]
    assert chat_requests(emulator) == 1 and sleeps == []


def test_other_edgen_500_kind_is_retried(emulator, sleeps) -> None:
    create(Edgen(base_url=emulator.url), extra_headers=fault("kind=no_such_model;times=2"))
    assert chat_requests(emulator) == 3 and len(sleeps) == 2


# -- max_retries: per client, per request --------------------------------------------------------


def test_max_retries_per_client_and_per_request(emulator, sleeps) -> None:
    client = Edgen(base_url=emulator.url, max_retries=0)
    spec = "status=503"  # every time
    with pytest.raises(edgen.InternalServerError):
        create(client, extra_headers=fault(spec))
    assert chat_requests(emulator) == 1
    emulator.clear_requests()
    with pytest.raises(edgen.InternalServerError):
        create(client.with_options(max_retries=4), extra_headers=fault(spec))
    assert chat_requests(emulator) == 5
    assert len(sleeps) == 4
    emulator.clear_requests()
    with pytest.raises(edgen.InternalServerError):  # with_options did not change the original
        create(client, extra_headers=fault(spec))
    assert chat_requests(emulator) == 1
    assert client.max_retries == 0


@pytest.mark.parametrize("max_retries", [0, 1, 3])
def test_every_endpoint_obeys_max_retries(emulator, sleeps, max_retries: int) -> None:
    client = Edgen(base_url=emulator.url, max_retries=max_retries)
    emulator.inject("status=503", times=100)
    calls = [
        lambda: client.embeddings.create(input="x", model="default"),
        lambda: client.models.list(),
        lambda: client.misc.version.create(),
        lambda: client.chat.completions.status.create(),
        lambda: client.audio.transcriptions.create(file=b"RIFF", model="default"),
    ]
    for call in calls:
        emulator.clear_requests()
        with pytest.raises(edgen.InternalServerError):
            call()
        assert len(emulator.requests) == max_retries + 1
    emulator.clear_faults()


# -- transport failures ----------------------------------------------------------------------------


def test_connection_refused_is_retried_then_raised(closed_port: int, sleeps) -> None:
    client = Edgen(base_url=f"http://127.0.0.1:{closed_port}/v1/", max_retries=3)
    with pytest.raises(edgen.APIConnectionError) as info:
        create(client)
    assert not isinstance(info.value, edgen.APITimeoutError)
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert len(sleeps) == 3  # 4 attempts


def test_connection_closed_without_answer_is_retried(emulator, sleeps) -> None:
    client = Edgen(base_url=emulator.url, max_retries=2)
    assert create(client, extra_headers=fault("close;times=2")).choices[0].message.content
    assert chat_requests(emulator) == 3 and len(sleeps) == 2
    with pytest.raises(edgen.APIConnectionError):
        create(client, extra_headers=fault("close"))
    assert chat_requests(emulator) == 6


def test_read_timeout_is_retried_then_raised(emulator, sleeps) -> None:
    client = Edgen(base_url=emulator.url, max_retries=2, timeout=httpx.Timeout(5.0, read=0.05))
    with pytest.raises(edgen.APITimeoutError) as info:
        create(client, extra_headers=fault("stall=0.5"))
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)
    assert chat_requests(emulator) == 3 and len(sleeps) == 2
    # a stall shorter than the timeout, once: the retry succeeds
    emulator.clear_requests()
    create(client, extra_headers=fault("stall=0.5;times=1"))
    assert chat_requests(emulator) == 2


def test_per_request_timeout_applies_to_each_attempt(emulator, sleeps) -> None:
    client = Edgen(base_url=emulator.url, max_retries=1)
    with pytest.raises(edgen.APITimeoutError):
        create(client, timeout=0.05, extra_headers=fault("stall=0.5"))
    assert chat_requests(emulator) == 2


# -- streams: retried only until the response arrives ----------------------------------------------


@pytest.mark.parametrize(
    "spec", ["status=429;retry_after=1;times=2", "status=503;times=1", "close;times=1"]
)
def test_stream_is_retried_before_its_response(emulator, sleeps, spec: str) -> None:
    client = Edgen(base_url=emulator.url, max_retries=2)
    expected = create(client).choices[0].message.content
    emulator.clear_requests()
    stream = create(client, stream=True, extra_headers=fault(spec))
    assert "".join(c.choices[0].delta.content or "" for c in stream) == expected
    assert chat_requests(emulator) == int(spec.rsplit("times=", 1)[1]) + 1


# -- async -----------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_async_retry_after_and_attempt_counts(emulator, sleeps, async_edgen) -> None:
    async with async_edgen(base_url=emulator.url, max_retries=1) as client:
        completion = await client.chat.completions.create(
            model="default",
            messages=MESSAGES,
            extra_headers=fault("status=429;retry_after=2;times=1"),
        )
        assert completion.choices[0].message.content
        assert sleeps == [2.0] and chat_requests(emulator) == 2
        emulator.clear_requests()
        with pytest.raises(edgen.RateLimitError):
            await client.chat.completions.create(
                model="default", messages=MESSAGES, extra_headers=fault("status=429;retry_after=1")
            )
        assert chat_requests(emulator) == 2
        emulator.clear_requests()
        with pytest.raises(edgen.RateLimitError):
            await client.with_options(max_retries=3).chat.completions.create(
                model="default", messages=MESSAGES, extra_headers=fault("status=429;retry_after=1")
            )
        assert chat_requests(emulator) == 4
        assert sleeps == [2.0, 1.0, 1.0, 1.0, 1.0]
        emulator.clear_requests()
        for status in (400, 401, 403, 404, 422):
            with pytest.raises(edgen.APIStatusError):
                await client.with_options(max_retries=3).chat.completions.create(
                    model="default", messages=MESSAGES, extra_headers=fault(f"status={status}")
                )
        assert chat_requests(emulator) == 5


@pytest.mark.anyio
async def test_async_transport_failures(emulator, closed_port: int, sleeps, async_edgen) -> None:
    async with async_edgen(base_url=f"http://127.0.0.1:{closed_port}/v1/", max_retries=2) as client:
        with pytest.raises(edgen.APIConnectionError) as refused:
            await client.chat.completions.create(model="default", messages=MESSAGES)
    assert not isinstance(refused.value, edgen.APITimeoutError)
    assert isinstance(refused.value.__cause__, httpx.ConnectError)
    assert len(sleeps) == 2
    timeout = httpx.Timeout(5.0, read=0.05)
    async with async_edgen(base_url=emulator.url, max_retries=1, timeout=timeout) as client:
        with pytest.raises(edgen.APITimeoutError) as stalled:
            await client.chat.completions.create(
                model="default", messages=MESSAGES, extra_headers=fault("stall=0.5")
            )
        assert isinstance(stalled.value.__cause__, httpx.ReadTimeout)
        assert chat_requests(emulator) == 2 and len(sleeps) == 3
        # closed without an answer: a connection error, retried; the retry succeeds
        emulator.clear_requests()
        completion = await client.chat.completions.create(
            model="default", messages=MESSAGES, extra_headers=fault("close;times=1")
        )
        assert completion.choices[0].message.content and chat_requests(emulator) == 2
        with pytest.raises(edgen.APIConnectionError) as closed:
            await client.chat.completions.create(
                model="default", messages=MESSAGES, extra_headers=fault("close")
            )
        assert not isinstance(closed.value, edgen.APITimeoutError)
        # a stream is retried until its response arrives
        emulator.clear_requests()
        stream = await client.chat.completions.create(
            model="default", messages=MESSAGES, stream=True, extra_headers=fault("close;times=1")
        )
        assert [c async for c in stream] and chat_requests(emulator) == 2
