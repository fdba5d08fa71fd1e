"""openai-python programs ported by renaming run unchanged (issue 15).

Each program in tests/ported/ is written as an openai-python user writes it, with only
`openai` -> `edgen`, `OpenAI` -> `Edgen` and `model="default"` changed. Each runs as its own
process against the emulator, in both wire dialects where the server can answer it; the
`typing` tox env also runs `mypy --strict` over them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from edgen.testing import EdgenEmulator

PORTED = Path(__file__).parent / "ported"

pytestmark = pytest.mark.slow

# (program, dialect, lines its output must contain)
CASES = [
    ("structured_outputs", "edgen", ["step: ", "answer: "]),
    ("structured_outputs", "openai", ["step: ", "answer: "]),
    ("stream_events", "edgen", ["answer: ", "final: "]),
    ("stream_events", "openai", ["answer: ", "final: "]),
    # The Edgen server validates `tools` and then ignores them: no tool call to decode.
    ("forced_tool_call", "openai", ["function: Query", "table: "]),
    ("raw_response", "edgen", ["request id: ", "status: POST 200", "model request id: "]),
    ("raw_response", "openai", ["request id: ", "status: POST 200", "model request id: "]),
    ("async_streaming", "edgen", []),
    ("async_streaming", "openai", []),
]


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, EdgenEmulator]]:
    with EdgenEmulator() as edgen_server, EdgenEmulator(dialect="openai") as openai_server:
        yield {"edgen": edgen_server, "openai": openai_server}


@pytest.mark.parametrize(("program", "dialect", "expected"), CASES)
def test_ported_program_runs_unchanged(
    servers: dict[str, EdgenEmulator], program: str, dialect: str, expected: list[str]
) -> None:
    env = {**os.environ, "EDGEN_BASE_URL": servers[dialect].url}
    done = subprocess.run(
        [sys.executable, str(PORTED / f"{program}.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    for start in expected:
        assert any(line.startswith(start) for line in lines), (start, done.stdout)
    if program == "raw_response":
        # OpenAI-style servers name each answer in x-request-id; the Edgen server does not.
        ids = {line.split(": ", 1)[1] for line in lines if "request id: " in line}
        assert len(ids) == 1, done.stdout
        assert (ids == {"None"}) == (dialect == "edgen"), done.stdout
    if program == "async_streaming":
        assert done.stdout.strip(), "the stream printed nothing"


def test_every_ported_program_is_run() -> None:
    assert {p.stem for p in PORTED.glob("*.py")} == {case[0] for case in CASES}
