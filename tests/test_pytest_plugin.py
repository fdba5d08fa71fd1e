"""The opt-in pytest plugin: a user's test files run by pytester, with and without opting in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

REPO_ROOT = Path(__file__).resolve().parents[1]
PLUGIN = "edgen.testing.pytest_plugin"
OPT_IN = f"pytest_plugins = [{PLUGIN!r}]\n"

# A user's tests of their own code against the emulator, in both dialects, with faults.
USER_TESTS = """
import pytest

from edgen import Edgen, InternalServerError, RateLimitError

MESSAGES = [{"role": "user", "content": "hi"}]
seen = []


def chat(server, **options):
    with Edgen(base_url=server.url, max_retries=0) as client:
        return client.chat.completions.create(model="default", messages=MESSAGES, **options)


def test_default_is_the_edgen_dialect(edgen_emulator):
    seen.append(edgen_emulator)
    assert edgen_emulator.running and edgen_emulator.dialect == "edgen"
    assert edgen_emulator.host == "127.0.0.1" and edgen_emulator.port > 0
    answer = chat(edgen_emulator)
    assert answer.choices[0].message.content
    assert [r.route for r in edgen_emulator.requests] == ["/chat/completions"]


def test_each_test_gets_a_fresh_emulator_and_the_last_one_stopped(edgen_emulator):
    assert seen and not seen[0].running
    assert edgen_emulator is not seen[0] and edgen_emulator.requests == []


@pytest.mark.edgen_emulator(dialect="openai", seed=3, tokens=5)
def test_marker_settings(edgen_emulator):
    assert (edgen_emulator.dialect, edgen_emulator.seed, edgen_emulator.tokens) == ("openai", 3, 5)
    with Edgen(base_url=edgen_emulator.url, max_retries=0) as client:
        stream = client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
        with stream:
            chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"  # llama.cpp's role-only chunk
    assert edgen_emulator.requests[-1].json()["stream"] is True


@pytest.mark.edgen_emulator(tokens=2)
@pytest.mark.parametrize("edgen_emulator", ["edgen", "openai"], indirect=True)
def test_both_dialects(edgen_emulator, request):
    assert edgen_emulator.dialect == request.node.callspec.id
    assert edgen_emulator.tokens == 2  # the marker still applies
    # Edgen's server sends no finish_reason; OpenAI-compatible ones do.
    finish = {"edgen": None, "openai": "stop"}[edgen_emulator.dialect]
    assert chat(edgen_emulator).choices[0].finish_reason == finish


@pytest.mark.parametrize("edgen_emulator", [{"dialect": "openai", "seed": 9}], indirect=True)
def test_indirect_dict(edgen_emulator):
    assert (edgen_emulator.dialect, edgen_emulator.seed) == ("openai", 9)


def test_fault_injection(edgen_emulator):
    edgen_emulator.inject("status=503", times=1, path="/chat/completions")
    with pytest.raises(InternalServerError) as failed:
        chat(edgen_emulator)
    assert failed.value.status_code == 503
    assert chat(edgen_emulator).choices  # one time only
    with pytest.raises(RateLimitError):
        chat(edgen_emulator, extra_headers={"x-emulator-fault": "status=429"})
"""


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    # Without the unrelated plugins that this environment has installed: quicker.
    unrelated = ["randomly", "benchmark", "faker", "hypothesispytest", "anyio", "respx"]
    blocked = [arg for name in unrelated for arg in ("-p", f"no:{name}")]
    return pytester.runpytest(*blocked, "--strict-markers", *args)


def test_opted_in_user_tests_get_the_fixture(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(OPT_IN)
    pytester.makepyfile(test_user=USER_TESTS)
    result = _run(pytester, "-v")
    result.assert_outcomes(passed=7)
    result.stdout.fnmatch_lines(["*test_both_dialects?edgen? PASSED*"])
    result.stdout.fnmatch_lines(["*test_both_dialects?openai? PASSED*"])


def test_opting_in_with_dash_p(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_TESTS)
    _run(pytester, "-p", PLUGIN).assert_outcomes(passed=7)


def test_the_readme_example_runs(pytester: pytest.Pytester) -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### In your pytest suite", 1)[1]
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    conftest, tests = example.split("# test_my_app.py\n")
    assert 'pytest_plugins = ["edgen.testing.pytest_plugin"]' in conftest
    pytester.makeconftest(conftest)
    pytester.makepyfile(test_my_app=tests)
    _run(pytester).assert_outcomes(passed=5)


def test_without_opting_in_the_plugin_is_not_loaded(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_user=f"""
        def test_no_plugin(request):
            assert not request.config.pluginmanager.has_plugin({PLUGIN!r})
            markers = request.config.getini("markers")
            assert not [line for line in markers if line.startswith("edgen_emulator")]

        def test_no_fixture(edgen_emulator):
            pass
        """
    )
    result = _run(pytester)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*fixture 'edgen_emulator' not found*"])


@pytest.mark.parametrize(
    ("test", "message"),
    [
        pytest.param(
            '@pytest.mark.edgen_emulator("openai")\ndef test_it(edgen_emulator): pass',
            "*TypeError: the edgen_emulator marker takes keywords only*",
            id="positional-marker-argument",
        ),
        pytest.param(
            "@pytest.mark.edgen_emulator(dialekt='openai')\ndef test_it(edgen_emulator): pass",
            "*TypeError: *unexpected keyword argument 'dialekt'*",
            id="unknown-setting",
        ),
        pytest.param(
            "@pytest.mark.edgen_emulator(dialect='llama')\ndef test_it(edgen_emulator): pass",
            "*ValueError: dialect must be 'edgen' or 'openai', not 'llama'*",
            id="unknown-dialect",
        ),
        pytest.param(
            "@pytest.mark.parametrize('edgen_emulator', [3], indirect=True)\n"
            "def test_it(edgen_emulator): pass",
            "*TypeError: an indirect parameter of edgen_emulator must be a dialect name*",
            id="indirect-number",
        ),
    ],
)
def test_bad_settings_name_the_problem(pytester: pytest.Pytester, test: str, message: str) -> None:
    pytester.makeconftest(OPT_IN)
    pytester.makepyfile(test_user="import pytest\n\n" + test + "\n")
    result = _run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([message])


def test_no_pytest11_entry_point() -> None:
    # Opt-in only: an entry point would load the plugin into every session with edgen.
    assert "pytest11" not in (REPO_ROOT / "pyproject.toml").read_text()


def test_importing_edgen_testing_does_not_import_pytest() -> None:
    code = (
        "import sys, edgen, edgen.testing\n"
        "assert 'pytest' not in sys.modules and '_pytest' not in sys.modules, 'pytest'\n"
        f"assert {PLUGIN!r} not in sys.modules\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
