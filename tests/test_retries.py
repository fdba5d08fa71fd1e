"""Retries: which failures are retried, how often, and how long the client waits."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Iterator

import httpx
import pytest
import respx
from conftest import BASE_URL, SSE_HEADERS, edgen_chunk, edgen_completion, sse_body

import edgen
from edgen import AsyncEdgen, Edgen
from edgen._pipeline import (
    INITIAL_RETRY_DELAY,
    MAX_RETRY_DELAY,
    RetryPolicy,
    retry_delay,
    should_retry,
)

MESSAGES = [{"role": "user", "content": "hi"}]


def create(client: Edgen, **kwargs: object):
    return client.chat.completions.create(model="default", messages=MESSAGES, **kwargs)  # type: ignore[call-overload]


def fail_then_succeed(router: respx.MockRouter, failures: list[httpx.Response]) -> respx.Route:
    return router.post("chat/completions").mock(
        side_effect=[*failures, httpx.Response(200, json=edgen_completion("finally"))]
    )


# -- which statuses -------------------------------------------------------------------------


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
def test_retryable_status_retried_default_twice(
    router: respx.MockRouter, sleeps: list[float], status: int
) -> None:
    route = router.post("chat/completions").respond(status)
    with pytest.raises(edgen.APIStatusError) as info:
        create(Edgen())
    assert info.value.status_code == status
    assert route.call_count == 3  # 1 + default 2 retries
    assert len(sleeps) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 413, 415, 422])
def test_client_errors_not_retried(
    router: respx.MockRouter, sleeps: list[float], status: int
) -> None:
    route = router.post("chat/completions").respond(status)
    with pytest.raises(edgen.APIStatusError):
        create(Edgen(max_retries=5))
    assert route.call_count == 1
    assert sleeps == []


def test_retry_then_success(router: respx.MockRouter, sleeps: list[float]) -> None:
    route = fail_then_succeed(router, [httpx.Response(503), httpx.Response(429)])
    raw = Edgen().chat.completions.with_raw_response.create(model="default", messages=MESSAGES)
    assert raw.parse().choices[0].message.content == "finally"
    assert route.call_count == 3
    assert raw.retries_taken == 2
    # Every attempt sent the same request.
    bodies = {call.request.content for call in route.calls}
    assert len(bodies) == 1


def test_max_retries_zero(router: respx.MockRouter, sleeps: list[float]) -> None:
    route = router.post("chat/completions").respond(503)
    with pytest.raises(edgen.InternalServerError):
        create(Edgen(max_retries=0))
    assert route.call_count == 1
    assert sleeps == []


def test_with_options_max_retries(router: respx.MockRouter, sleeps: list[float]) -> None:
    route = router.post("chat/completions").respond(500, json={"error": "endpoint", "Load": "busy"})
    client = Edgen(max_retries=0)
    with pytest.raises(edgen.InternalServerError):
        create(client.with_options(max_retries=5))
    assert route.call_count == 6
    assert len(sleeps) == 5
    route.reset()
    with pytest.raises(edgen.InternalServerError):
        create(client)  # the original is unchanged
    assert route.call_count == 1


@pytest.mark.parametrize("kind", ["unknown_model_kind", "prohibited_name"])
def test_deterministic_edgen_kinds_not_retried(
    router: respx.MockRouter, sleeps: list[float], kind: str
) -> None:
    route = router.post("chat/completions").respond(
        500, json={"error": kind, "model_name": "gpt-4", "reason": "r"}
    )
    with pytest.raises(edgen.InternalServerError) as info:
        create(Edgen())
    assert info.value.kind == kind
    assert route.call_count == 1


@pytest.mark.parametrize("kind", ["no_such_model", "endpoint", "preload", "model", "unreachable"])
def test_other_edgen_kinds_retried(
    router: respx.MockRouter, sleeps: list[float], kind: str
) -> None:
    route = router.post("chat/completions").respond(500, json={"error": kind})
    with pytest.raises(edgen.InternalServerError):
        create(Edgen())
    assert route.call_count == 3


def test_x_should_retry_header(router: respx.MockRouter, sleeps: list[float]) -> None:
    route = router.post("chat/completions").respond(400, headers={"x-should-retry": "true"})
    with pytest.raises(edgen.BadRequestError):
        create(Edgen())
    assert route.call_count == 3
    router.reset()
    route = router.post("chat/completions").respond(503, headers={"x-should-retry": "false"})
    with pytest.raises(edgen.InternalServerError):
        create(Edgen())
    assert route.call_count == 1


def test_connection_errors_retried(router: respx.MockRouter, sleeps: list[float]) -> None:
    route = router.post("chat/completions").mock(
        side_effect=[
            httpx.ConnectError("refused"),
            httpx.ReadTimeout("slow"),
            httpx.Response(200, json=edgen_completion("ok")),
        ]
    )
    assert create(Edgen()).choices[0].message.content == "ok"
    assert route.call_count == 3
    router.reset()
    route = router.post("chat/completions").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(edgen.APIConnectionError):
        create(Edgen())
    assert route.call_count == 3
    router.reset()
    route = router.post("chat/completions").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(edgen.APITimeoutError):
        create(Edgen(max_retries=1))
    assert route.call_count == 2


def test_per_call_max_retries_is_validated(router: respx.MockRouter) -> None:
    route = router.post("chat/completions").respond(200, json=edgen_completion("x"))
    with pytest.raises(ValueError):
        Edgen().with_options(max_retries=-1)
    with pytest.raises(TypeError):
        Edgen().with_options(max_retries="3")  # type: ignore[arg-type]
    assert route.call_count == 0


# -- how long ------------------------------------------------------------------------------


def test_backoff_delays_grow(router: respx.MockRouter, sleeps: list[float]) -> None:
    router.post("chat/completions").respond(503)
    with pytest.raises(edgen.InternalServerError):
        create(Edgen(max_retries=6))
    bounds = [min(INITIAL_RETRY_DELAY * 2**i, MAX_RETRY_DELAY) for i in range(6)]
    assert len(sleeps) == 6
    for delay, upper in zip(sleeps, bounds):
        assert 0.75 * upper <= delay <= upper


def test_retry_after_seconds(router: respx.MockRouter, sleeps: list[float]) -> None:
    fail_then_succeed(
        router,
        [
            httpx.Response(429, headers={"retry-after": "3"}),
            httpx.Response(503, headers={"retry-after": "0.25"}),
        ],
    )
    create(Edgen())
    assert sleeps == [3.0, 0.25]


def test_retry_after_ms_wins(router: respx.MockRouter, sleeps: list[float]) -> None:
    fail_then_succeed(
        router, [httpx.Response(429, headers={"retry-after-ms": "1500", "retry-after": "9"})]
    )
    create(Edgen())
    assert sleeps == [1.5]


def test_retry_after_http_date(router: respx.MockRouter, sleeps: list[float]) -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    fail_then_succeed(router, [httpx.Response(503, headers={"retry-after": when})])
    create(Edgen())
    (delay,) = sleeps
    assert 27.0 <= delay <= 30.0


@pytest.mark.parametrize("value", ["120", "-5", "soon", "Wed, 21 Oct 2015 07:28:00 GMT"])
def test_unusable_retry_after_falls_back_to_backoff(
    router: respx.MockRouter, sleeps: list[float], value: str
) -> None:
    fail_then_succeed(router, [httpx.Response(503, headers={"retry-after": value})])
    create(Edgen())
    (delay,) = sleeps
    assert 0.375 <= delay <= 0.5


@pytest.mark.anyio
async def test_async_retries_and_delays(router: respx.MockRouter, sleeps: list[float]) -> None:
    route = fail_then_succeed(
        router, [httpx.Response(429, headers={"retry-after": "2"}), httpx.Response(500)]
    )
    async with AsyncEdgen() as client:
        completion = await client.chat.completions.create(model="default", messages=MESSAGES)
        assert completion.choices[0].message.content == "finally"
        assert route.call_count == 3
        assert sleeps[0] == 2.0 and 0.75 <= sleeps[1] <= 1.0
        router.reset()
        route = router.post("chat/completions").respond(404)
        with pytest.raises(edgen.NotFoundError):
            await client.with_options(max_retries=4).chat.completions.create(
                model="default", messages=MESSAGES
            )
        assert route.call_count == 1
        router.reset()
        route = router.post("chat/completions").respond(502)
        with pytest.raises(edgen.InternalServerError):
            await client.with_options(max_retries=4).chat.completions.create(
                model="default", messages=MESSAGES
            )
        assert route.call_count == 5


# -- streams -------------------------------------------------------------------------------


def test_stream_initial_request_is_retried(router: respx.MockRouter, sleeps: list[float]) -> None:
    body = sse_body(edgen_chunk("a"), edgen_chunk("b"))
    route = router.post("chat/completions").mock(
        side_effect=[httpx.Response(503), httpx.Response(200, content=body, headers=SSE_HEADERS)]
    )
    stream = create(Edgen(), stream=True)
    assert [c.choices[0].delta.content for c in stream] == ["a", "b"]
    assert route.call_count == 2


class _DropAfter(httpx.SyncByteStream):
    def __init__(self, first: bytes) -> None:
        self.first = first

    def __iter__(self) -> Iterator[bytes]:
        yield self.first
        raise httpx.ReadError("connection reset")


def test_stream_never_retried_once_it_yielded(
    router: respx.MockRouter, sleeps: list[float]
) -> None:
    route = router.post("chat/completions").mock(
        side_effect=lambda request: httpx.Response(
            200, stream=_DropAfter(sse_body(edgen_chunk("a"))), headers=SSE_HEADERS
        )
    )
    stream = create(Edgen(max_retries=5), stream=True)
    assert next(stream).choices[0].delta.content == "a"
    with pytest.raises(edgen.APIConnectionError):
        next(stream)
    assert route.call_count == 1
    assert sleeps == []


# -- pure policy functions -------------------------------------------------------------------


def _response(status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status, headers=headers, request=httpx.Request("POST", BASE_URL + "chat/completions")
    )


def test_retry_delay_backoff_and_cap() -> None:
    assert [retry_delay(n, jitter=0.0) for n in range(7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert retry_delay(50, jitter=0.0) == MAX_RETRY_DELAY == 8.0
    assert [retry_delay(n, jitter=1.0) for n in range(5)] == [0.375, 0.75, 1.5, 3.0, 6.0]


def test_retry_delay_random_jitter_is_bounded() -> None:
    for n in range(6):
        upper = min(0.5 * 2**n, 8.0)
        values = [retry_delay(n) for _ in range(200)]
        assert all(0.75 * upper <= v <= upper for v in values)
        assert len(set(values)) > 1  # it really is jittered


def test_retry_delay_server_hints() -> None:
    assert retry_delay(3, {"retry-after": "7"}, jitter=0.0) == 7.0
    assert retry_delay(0, {"retry-after": "0"}, jitter=0.0) == 0.0
    assert retry_delay(0, {"retry-after-ms": "250"}, jitter=0.0) == 0.25
    assert retry_delay(0, {"retry-after-ms": "x", "retry-after": "2"}, jitter=0.0) == 2.0
    assert retry_delay(0, {"retry-after": "61"}, jitter=0.0) == 0.5
    assert retry_delay(1, {"retry-after": "-1"}, jitter=0.0) == 1.0
    date = "Wed, 21 Oct 2015 07:28:10 GMT"
    now = email.utils.mktime_tz(email.utils.parsedate_tz("Wed, 21 Oct 2015 07:28:00 GMT"))  # type: ignore[arg-type]
    assert retry_delay(0, {"retry-after": date}, now=now, jitter=0.0) == 10.0
    assert retry_delay(0, {"retry-after": date}, now=None, jitter=0.0) == 0.5  # no clock: backoff
    assert retry_delay(2, httpx.Headers({"Retry-After": "4"}), jitter=0.0) == 4.0


@pytest.mark.parametrize(
    ("status", "headers", "body", "expected"),
    [
        (408, None, None, True),
        (409, None, None, True),
        (429, None, None, True),
        (500, None, None, True),
        (503, None, "text", True),
        (500, None, {"error": "endpoint", "Load": "x"}, True),
        (500, None, {"error": "unknown_model_kind"}, False),
        (500, None, {"error": "prohibited_name"}, False),
        (500, None, {"error": {"message": "unknown_model_kind"}}, True),
        (400, None, None, False),
        (404, None, None, False),
        (422, None, None, False),
        (400, {"x-should-retry": "true"}, None, True),
        (500, {"x-should-retry": "false"}, None, False),
        (500, {"x-should-retry": "false"}, {"error": "endpoint"}, False),
        (429, {"x-should-retry": "maybe"}, None, True),
    ],
)
def test_should_retry(status: int, headers, body, expected: bool) -> None:
    assert should_retry(_response(status, headers), body) is expected


def test_retry_policy_counts_and_raises() -> None:
    policy = RetryPolicy(2)
    request = httpx.Request("POST", BASE_URL + "chat/completions")
    assert 0.375 <= policy.after_transport_error(request, httpx.ConnectError("x")) <= 0.5
    assert 0.75 <= policy.after_status(_response(503), None) <= 1.0
    assert policy.retries_taken == 2
    with pytest.raises(edgen.InternalServerError):
        policy.after_status(_response(503), None)
    with pytest.raises(edgen.APITimeoutError):
        policy.after_transport_error(request, httpx.ReadTimeout("x"))
    with pytest.raises(edgen.BadRequestError):
        RetryPolicy(5).after_status(_response(400), None)


@pytest.mark.parametrize("broken", ["x", "nan", "inf", "-5", "120000", ""])
def test_a_broken_retry_after_ms_leaves_retry_after_in_charge(broken: str) -> None:
    # Each header is judged on its own: an unusable `retry-after-ms` is skipped, not obeyed
    # as "no hint" (which would hide the valid seconds next to it).
    headers = {"retry-after-ms": broken, "retry-after": "2"}
    assert retry_delay(0, headers, jitter=0.0) == 2.0
    date = "Wed, 21 Oct 2015 07:28:10 GMT"
    now = email.utils.mktime_tz(email.utils.parsedate_tz("Wed, 21 Oct 2015 07:28:07 GMT"))  # type: ignore[arg-type]
    assert (
        retry_delay(0, {"retry-after-ms": broken, "retry-after": date}, now=now, jitter=0.0) == 3.0
    )
