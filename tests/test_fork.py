"""A client made before `os.fork()` and used on both sides (gunicorn --preload, Celery prefork,
multiprocessing with fork): parent and child must each read their own answers, never the other
one's through an inherited keep-alive socket."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from conftest import openai_completion
from rawserver import Conn, RawServer, Request, serve_each

import edgen
from edgen import AsyncEdgen, Edgen

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork"),
    # Python 3.12+ warns that forking a process with threads (the test server's) may deadlock.
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]

ROUNDS = 20
# Long enough that parent and child requests overlap on the server.
ANSWER_DELAY = 0.05


def echo(conn: Conn, request: Request) -> None:
    """Answers a chat completion whose content is the prompt, a little later."""
    prompt = request.json()["messages"][-1]["content"]
    time.sleep(ANSWER_DELAY)
    conn.respond(200, json.dumps(openai_completion(prompt)).encode())


@pytest.fixture
def server() -> Iterator[RawServer]:
    with RawServer(serve_each(echo)) as srv:
        yield srv


def ask(client: Edgen, prompt: str) -> str:
    completion = client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": prompt}]
    )
    return completion.choices[0].message.content or ""


async def aask(client: AsyncEdgen, prompt: str) -> str:
    completion = await client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": prompt}]
    )
    return completion.choices[0].message.content or ""


class Child:
    """`work()` run in a forked child; `result()` is what it returned, or its error as text."""

    def __init__(self, work: Callable[[], Any]) -> None:
        read_fd, write_fd = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: report, then leave without running pytest's cleanup
            try:
                os.close(read_fd)
                try:
                    outcome = {"value": work()}
                except BaseException as exc:
                    outcome = {"error": f"{type(exc).__name__}: {exc}"}
                os.write(write_fd, json.dumps(outcome).encode())
            finally:
                os._exit(0)
        os.close(write_fd)
        self._read_fd = read_fd

    def result(self) -> dict[str, Any]:
        data = b""
        while chunk := os.read(self._read_fd, 65536):
            data += chunk
        os.close(self._read_fd)
        os.waitpid(self.pid, 0)
        return json.loads(data)  # type: ignore[no-any-return]


def own_answers(client: Edgen, who: str) -> list[str]:
    """The prompts whose answer was not the prompt itself (should be none)."""
    wrong = []
    for i in range(ROUNDS):
        prompt = f"{who} {i}"
        answer = ask(client, prompt)
        if answer != prompt:
            wrong.append(f"{prompt!r} -> {answer!r}")
    return wrong


def test_parent_and_child_each_get_their_own_answers(server: RawServer) -> None:
    client = Edgen(base_url=server.url, max_retries=0, timeout=10.0)
    assert ask(client, "warm-up") == "warm-up"  # leaves a keep-alive connection in the pool
    child = Child(lambda: own_answers(client, "child"))
    parent_wrong = own_answers(client, "parent")
    outcome = child.result()
    assert outcome == {"value": []}, outcome
    assert parent_wrong == []
    # The child opened its own connection rather than writing on the parent's.
    assert server.connections >= 2
    by_connection: dict[int, set[str]] = {}
    for request in server.requests:
        who = request.json()["messages"][-1]["content"].split()[0]
        by_connection.setdefault(request.connection, set()).add(who)
    assert all(len(whos) == 1 or whos == {"warm-up", "parent"} for whos in by_connection.values())
    client.close()


def test_async_parent_and_child_each_get_their_own_answers(server: RawServer) -> None:
    client = AsyncEdgen(base_url=server.url, max_retries=0, timeout=10.0)
    loop = asyncio.new_event_loop()
    try:
        assert loop.run_until_complete(aask(client, "warm-up")) == "warm-up"

        async def answers(who: str) -> list[str]:
            wrong = []
            for i in range(ROUNDS):
                prompt = f"{who} {i}"
                answer = await aask(client, prompt)
                if answer != prompt:
                    wrong.append(f"{prompt!r} -> {answer!r}")
            return wrong

        # The child runs its own event loop, as a forked worker does.
        child = Child(lambda: asyncio.run(answers("child")))
        parent_wrong = loop.run_until_complete(answers("parent"))
        outcome = child.result()
        assert outcome == {"value": []}, outcome
        assert parent_wrong == []
        assert server.connections >= 2
        loop.run_until_complete(client.close())
    finally:
        loop.close()


def test_the_users_http_client_used_before_the_fork_is_refused_in_the_child(
    server: RawServer,
) -> None:
    http = httpx.Client(timeout=10.0)
    client = Edgen(base_url=server.url, max_retries=0, http_client=http)
    assert ask(client, "warm-up") == "warm-up"
    child = Child(lambda: ask(client, "child"))
    assert own_answers(client, "parent") == []  # the parent goes on as before
    outcome = child.result()
    assert outcome["error"].startswith("ForkedClientError: ")
    assert "before it forked" in outcome["error"]
    assert "http_client" in outcome["error"]
    # Nothing went out from the child.
    assert not any(r.json()["messages"][-1]["content"] == "child" for r in server.requests)
    assert issubclass(edgen.ForkedClientError, edgen.EdgenError)
    http.close()


def test_the_users_http_client_not_used_before_the_fork_works_in_the_child(
    server: RawServer,
) -> None:
    http = httpx.Client(timeout=10.0)
    client = Edgen(base_url=server.url, max_retries=0, http_client=http)
    child = Child(lambda: own_answers(client, "child"))
    assert child.result() == {"value": []}
    http.close()


def test_a_client_closed_before_the_fork_stays_closed_in_the_child(server: RawServer) -> None:
    client = Edgen(base_url=server.url, max_retries=0)
    assert ask(client, "warm-up") == "warm-up"
    client.close()
    child = Child(lambda: ask(client, "child"))
    assert child.result()["error"].startswith("ClientClosedError: ")


def test_close_in_the_child_leaves_the_parents_connection_alone(server: RawServer) -> None:
    client = Edgen(base_url=server.url, max_retries=0)
    assert ask(client, "warm-up") == "warm-up"
    child = Child(lambda: (ask(client, "child"), client.close())[0])
    assert child.result() == {"value": "child"}
    # The parent's pooled connection still works: the child closed only its own pool.
    before = server.connections
    assert ask(client, "parent") == "parent"
    assert server.connections == before
    client.close()
