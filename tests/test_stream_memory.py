"""What an open stream holds: the request headers encoded once per client, no per-object dicts."""

from __future__ import annotations

import gc
import json
import weakref

import httpx
import respx
from conftest import BASE_URL, edgen_completion

from edgen import Edgen
from edgen._sse import SSEDecoder
from edgen._streaming import Stream

MESSAGES = [{"role": "user", "content": "hi"}]
CHUNK = {
    "id": "c1",
    "object": "chat.completion.chunk",
    "created": 1,
    "model": "m",
    "choices": [{"index": 0, "delta": {"content": "x"}, "finish_reason": None}],
}


def _sse(*events: bytes) -> httpx.Response:
    body = b"".join(b"data: " + e + b"\n\n" for e in events)
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)


def test_each_request_gets_its_own_copy_of_the_shared_headers(router: respx.MockRouter) -> None:
    route = router.post("chat/completions").respond(200, json=edgen_completion("ok"))
    touched: list[httpx.Request] = []

    def hook(request: httpx.Request) -> None:
        if not touched:  # the first request only: nothing of it may reach the second
            request.headers["x-hook"] = "1"
            request.headers["accept"] = "text/plain"
        touched.append(request)

    http = httpx.Client(event_hooks={"request": [hook]})
    client = Edgen(http_client=http, default_headers={"x-team": "blue"}, api_key="k")
    for _ in range(2):
        client.chat.completions.create(model="m", messages=MESSAGES)
    first, second = (call.request for call in route.calls)
    assert first.headers["x-hook"] == "1" and first.headers["accept"] == "text/plain"
    assert "x-hook" not in second.headers
    for request in (first, second):
        assert request.headers["content-type"] == "application/json"
        assert request.headers["x-team"] == "blue"
        assert request.headers["authorization"] == "Bearer k"
        assert request.headers["user-agent"].startswith("Edgen/Python ")
        assert json.loads(request.content)["messages"] == MESSAGES
    assert second.headers["accept"] == "application/json"
    assert client.default_headers["accept"] == "application/json"


def test_extra_headers_and_copies_still_build_their_own(router: respx.MockRouter) -> None:
    route = router.post("chat/completions").respond(200, json=edgen_completion("ok"))
    client = Edgen(default_headers={"x-team": "blue"})
    client.chat.completions.create(model="m", messages=MESSAGES)
    client.chat.completions.create(
        model="m", messages=MESSAGES, extra_headers={"content-type": "application/vnd.x+json"}
    )
    client.with_options(default_headers={"x-team": "red"}).chat.completions.create(
        model="m", messages=MESSAGES
    )
    plain, extra, copied = (call.request for call in route.calls)
    assert plain.headers["content-type"] == "application/json"
    assert extra.headers.get_list("content-type") == ["application/json"]
    assert plain.headers["x-team"] == "blue" and copied.headers["x-team"] == "red"
    assert copied.headers["content-type"] == "application/json"


def test_open_stream_objects_carry_no_instance_dict(router: respx.MockRouter) -> None:
    router.post("chat/completions").mock(return_value=_sse(json.dumps(CHUNK).encode(), b"[DONE]"))
    client = Edgen(base_url=BASE_URL)
    stream = client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
    assert isinstance(stream, Stream)
    assert next(stream).choices[0].delta.content == "x"
    # A __dict__ on any of these costs every open stream more than its fields.
    for obj in (stream, stream._state, stream._state.decoder, SSEDecoder()):
        assert not hasattr(obj, "__dict__"), type(obj).__name__
    ref = weakref.ref(stream)  # still weak-referenceable, as before
    assert list(stream) == []
    assert stream.response.is_closed
    del stream
    gc.collect()
    assert ref() is None
