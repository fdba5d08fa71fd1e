"""Cold start: what a client costs to make, and a whole fresh process's first answer.

Serverless handlers and SDKs that embed edgen often make a client per invocation or per
tenant. Three figures, each against the same work done with `httpx.Client()` (+ msgspec):

- a client made after the first in a process (in-process, pytest-benchmark median);
- the first client in a fresh process: timed inside the child around the construction only;
- the whole cold start: a fresh process importing, making a client and getting one chat
  completion from the emulator on 127.0.0.1, timed inside the child from its first import
  (the interpreter's own start is the same for all and shown apart, whole-process wall).

Fresh-process samples are interleaved between the candidates, so drift hits all alike.
"""

from __future__ import annotations

import inspect
import statistics
import subprocess
import sys
import time

import httpx
import pytest
from _common import (
    FloorChoice,
    FloorCompletion,
    FloorLogprobs,
    FloorMessage,
    FloorTokenLogprob,
    FloorTopLogprob,
    FloorUsage,
    openai,
    skip_without_openai,
    subprocess_env,
)

import edgen

SAMPLES = 15
NEXT_CLIENT = "client made after the first in a process"
FIRST_CLIENT = "first client in a fresh process (construction only)"
COLD = "cold start: import + client + 1 chat completion"
COLD_WALL = "cold start: wall time, whole process"

# The child prints the seconds between its two perf_counter() calls and its own wall time
# from the interpreter's start is taken by the parent.
PROBE = """\
from __future__ import annotations
import time
{setup}
t = time.perf_counter()
{timed}
print(time.perf_counter() - t)
"""

FIRST_CLIENT_CASES = {
    "floor": ("import httpx, msgspec", "httpx.Client()"),
    "edgen": ("import edgen", "edgen.Edgen()"),
    "openai": ("import openai", "openai.OpenAI(api_key='sk-bench')"),
}

# The floor decodes into the same plain Structs as the other benches' floors.
FLOOR_TYPES = "\n".join(
    inspect.getsource(cls)
    for cls in (
        FloorTopLogprob,
        FloorTokenLogprob,
        FloorLogprobs,
        FloorMessage,
        FloorChoice,
        FloorUsage,
        FloorCompletion,
    )
)
MESSAGES = "[{'role': 'user', 'content': 'Say hello.'}]"
COLD_CASES = {
    "floor": f"""\
import httpx, msgspec
from typing import Any
{FLOOR_TYPES}
http = httpx.Client()
body = msgspec.json.encode({{'model': 'default', 'messages': {MESSAGES}}})
response = http.post(URL + 'chat/completions', content=body,
                     headers={{'content-type': 'application/json'}})
response.raise_for_status()
completion = msgspec.json.Decoder(FloorCompletion).decode(response.content)
assert completion.choices[0].message.content
""",
    "edgen": f"""\
import edgen
client = edgen.Edgen(base_url=URL)
completion = client.chat.completions.create(model='default', messages={MESSAGES})
assert completion.choices[0].message.content
""",
    "openai": f"""\
import openai
client = openai.OpenAI(api_key='sk-bench', base_url=URL)
completion = client.chat.completions.create(model='default', messages={MESSAGES})
assert completion.choices[0].message.content
""",
}


def _roles(cases: dict[str, object]) -> list[str]:
    return [role for role in cases if role != "openai" or openai is not None]


def _run_child(setup: str, timed: str, env: dict[str, str]) -> tuple[float, float]:
    """(whole-process wall s, in-child s) of one fresh interpreter."""
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(setup=setup, timed=timed)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    return time.perf_counter() - start, float(out)


def _medians(cases: dict[str, tuple[str, str]]) -> dict[str, tuple[float, float]]:
    env = subprocess_env()
    roles = _roles(cases)
    for role in roles:  # warm the bytecode caches
        _run_child(*cases[role], env)
    samples: dict[str, list[tuple[float, float]]] = {role: [] for role in roles}
    for _ in range(SAMPLES):
        for role in roles:
            samples[role].append(_run_child(*cases[role], env))
    return {
        role: (statistics.median(s[0] for s in got), statistics.median(s[1] for s in got))
        for role, got in samples.items()
    }


@pytest.fixture(scope="module")
def server_url():
    proc = subprocess.Popen(
        [sys.executable, "-m", "edgen.testing", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env=subprocess_env(),
    )
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def test_next_client_floor(benchmark, record) -> None:
    httpx.Client().close()  # the first one pays for one-time setup
    benchmark(httpx.Client)
    record(NEXT_CLIENT, "floor", target=0.1)


def test_next_client_edgen(benchmark, record) -> None:
    edgen.Edgen().close()
    client = benchmark(edgen.Edgen)
    assert str(client.base_url) == edgen.DEFAULT_BASE_URL
    record(NEXT_CLIENT, "edgen")


def test_next_client_openai(benchmark, record) -> None:
    skip_without_openai()
    openai.OpenAI(api_key="sk-bench").close()
    benchmark(lambda: openai.OpenAI(api_key="sk-bench"))
    record(NEXT_CLIENT, "openai")


def test_first_client(record_value) -> None:
    for role, (_, inner) in _medians(FIRST_CLIENT_CASES).items():
        record_value(FIRST_CLIENT, role, inner, target=0.6)


def test_cold_start(record_value, server_url) -> None:
    cases = {role: (f"URL = {server_url!r}", code) for role, code in COLD_CASES.items()}
    bare = _medians({"bare": ("pass", "pass")})["bare"][0]
    for role, (wall, inner) in _medians(cases).items():
        record_value(COLD, role, inner, target=0.85)
        record_value(
            COLD_WALL, role, wall, note=f"a bare interpreter's start and exit: {bare * 1e3:.1f} ms"
        )


def test_cold_start_measures_a_fresh_interpreter() -> None:
    # Each sample must pay its imports: a child that found edgen already imported (or
    # timed nothing) would make every figure above meaningless.
    setup, timed = "import sys", "assert 'edgen' not in sys.modules and 'httpx' not in sys.modules"
    _run_child(setup, timed, subprocess_env())
