"""Every endpoint mocked with respx, and a way to make one call on either client.

Shared by the tests that check what is refused before sending (test_validate, test_json_body):
a refused call must leave its route uncalled, on `Edgen` and `AsyncEdgen` alike.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import respx
from conftest import BASE_URL

from edgen import AsyncEdgen, Edgen
from edgen._accumulate import AsyncChatCompletionStreamManager, ChatCompletionStreamManager

M = [{"role": "user", "content": "hi"}]
COMPLETION = {
    "id": "c1",
    "object": "chat.completion",
    "created": 1,
    "model": "m",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "{}"}, "finish_reason": "stop"}
    ],
}
EMBEDDINGS = {
    "object": "list",
    "data": [{"object": "embedding", "embedding": [0.5], "index": 0}],
    "model": "m",
    "usage": {"prompt_tokens": 1, "total_tokens": 1},
}


@contextmanager
def mocked_routes() -> Iterator[dict[str, respx.Route]]:
    """Each endpoint's route, answering with a valid body, by name."""
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as mock:
        yield {
            "chat": mock.post("chat/completions").respond(json=COMPLETION),
            "embeddings": mock.post("embeddings").respond(json=EMBEDDINGS),
            "images": mock.post("image/generations").respond(json={"images": [[1, 2]]}),
            "transcriptions": mock.post("audio/transcriptions").respond(json={"text": "x"}),
            "models": mock.route(path__startswith="/v1/models").respond(json={}),
        }


def make_client(kind: str) -> Edgen | AsyncEdgen:
    return Edgen(max_retries=0) if kind == "sync" else AsyncEdgen(max_retries=0)


async def run(call: Callable[[Any], Any], client: Edgen | AsyncEdgen) -> Any:
    """The call's result; stream() managers send their request on enter, async calls when awaited."""
    result = call(client)
    if isinstance(result, ChatCompletionStreamManager):
        with result:
            pass
    elif isinstance(result, AsyncChatCompletionStreamManager):
        async with result:
            pass
    elif inspect.isawaitable(result):
        result = await result
    return result


async def refused(
    routes: dict[str, respx.Route],
    kind: str,
    route: str,
    call: Callable[[Any], Any],
    error: type[Exception],
    message: str,
) -> Edgen | AsyncEdgen:
    """Makes the call on a new client of `kind`, which must raise exactly `error` with exactly
    `message` and send nothing on `route`; returns the client."""
    client = make_client(kind)
    with pytest.raises(error) as info:
        await run(call, client)
    assert type(info.value) is error
    assert str(info.value) == message
    assert not routes[route].called
    return client
