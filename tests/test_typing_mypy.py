"""`mypy --strict`, run through its API, on programs that use edgen.

test_typing_usage.py shows what must pass; the first program here also holds mistakes that
fail at run time, which must fail the checker too, each on its own line. The second is the
README's structured-output examples, which must pass as written.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import edgen

mypy_api = pytest.importorskip("mypy.api")

pytestmark = pytest.mark.slow  # a cold mypy run over the package takes seconds

REPO_ROOT = Path(__file__).resolve().parents[1]

# Every name edgen exports, read as `edgen.<name>`: each must type-check.
GOOD = [f"edgen.{name}" for name in [*edgen.__all__, "DefaultAioHttpClient"]]

# A name edgen lacks, read or set (openai-python's module-level client settings among
# them): each line must be an error.
BAD = [
    "edgen.chat",
    "edgen.api_key = 'sk-1'",
    "edgen.base_url = 'http://127.0.0.1:33322/v1'",
    "edgen.Edgn()",
    "from edgen import chat as _chat",
]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy-cache")  # shared: edgen is checked once


def mypy(program: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, int]:
    # This checkout's edgen, ahead of any installed copy.
    monkeypatch.setenv("MYPYPATH", str(REPO_ROOT))
    stdout, stderr, status = mypy_api.run(
        ["--strict", "--config-file=", f"--cache-dir={cache_dir}", str(program)]
    )
    assert stderr == ""
    return stdout, status


def test_unknown_names_are_errors_and_exported_ones_are_not(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = ["import edgen", *GOOD, *BAD]
    program = tmp_path / "program.py"
    program.write_text("\n".join(lines) + "\n")
    stdout, status = mypy(program, cache_dir, monkeypatch)
    errors: dict[int, list[str]] = {}
    for match in re.finditer(r"^.*program\.py:(\d+): error: (.*)$", stdout, re.MULTILINE):
        errors.setdefault(int(match[1]), []).append(match[2])
    first_bad = 1 + 1 + len(GOOD)  # line numbers start at 1, after `import edgen`
    assert sorted(errors) == list(range(first_bad, first_bad + len(BAD))), stdout
    assert status == 1
    assert any('has no attribute "chat"' in message for message in errors[first_bad])
    assert any('has no attribute "api_key"' in message for message in errors[first_bad + 1])


def test_the_readme_structured_output_examples_pass(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, re.DOTALL)
    structured = [b for b in blocks if "response_format=" in b or "function_tool(" in b]
    assert len(structured) >= 2  # parse() into a type; a tool from function_tool()
    for number, block in enumerate(structured):
        program = tmp_path / f"example{number}.py"
        program.write_text(block)
        stdout, status = mypy(program, cache_dir, monkeypatch)
        assert status == 0, f"{stdout}\n{block}"
