"""EDGEN_LOG output, through real processes against an emulator."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

# One request to an emulator, with the application's logging.basicConfig() called before
# the client is made, after it, after it with a log file, or not at all.
_APP = textwrap.dedent(
    """
    import logging, sys
    from edgen import Edgen
    from edgen.testing import EdgenEmulator

    when, *log_file = sys.argv[1:]
    if when == "before":
        logging.basicConfig()
    with EdgenEmulator("127.0.0.1", 0) as server:
        with Edgen(base_url=server.url, max_retries=0) as client:
            if when == "after":
                logging.basicConfig(filename=log_file[0] if log_file else None)
            client.misc.version.create()
    """
)

_REQUEST = "/misc/version (attempt 1) headers="  # logged at DEBUG
_RESPONSE = '/misc/version "200 OK"'  # logged at INFO


def _app(*args: str, edgen_log: str = "debug") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDGEN_")}
    env.update(EDGEN_LOG=edgen_log, PYTHONPATH=str(REPO_ROOT), PYTHONIOENCODING="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", _APP, *args],
        check=False,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    return result


def _lines(text: str, part: str) -> list[str]:
    return [line for line in text.splitlines() if part in line]


# The request's line and the response's line, each printed exactly once.
def _once(stderr: str) -> tuple[str, str]:
    requests, responses = _lines(stderr, _REQUEST), _lines(stderr, _RESPONSE)
    assert (len(requests), len(responses)) == (1, 1), stderr
    return requests[0], responses[0]


def test_edgen_log_prints_to_stderr_without_logging_configured() -> None:
    stderr = _app("never").stderr
    request, response = _once(stderr)
    edgen_format = r"\[\d{4}-\d\d-\d\d [\d:,]+ - edgen:\d+ - %s\] %s GET http://127.0.0.1:"
    assert re.match(edgen_format % ("DEBUG", "Request:"), request)
    assert re.match(edgen_format % ("INFO", "HTTP Request:"), response)


def test_edgen_log_info_leaves_out_debug_lines() -> None:
    stderr = _app("never", edgen_log="info").stderr
    assert len(_lines(stderr, _RESPONSE)) == 1
    assert not _lines(stderr, _REQUEST)


@pytest.mark.parametrize("when", ["before", "after"])
def test_edgen_log_prints_once_with_the_apps_logging(when: str) -> None:
    # Printed by the application's handler, in its format, and not again by edgen's.
    stderr = _app(when).stderr
    request, response = _once(stderr)
    assert request.startswith("DEBUG:edgen:Request: GET http://127.0.0.1:")
    assert response.startswith("INFO:edgen:HTTP Request: GET http://127.0.0.1:")


def test_edgen_log_goes_to_the_apps_log_file(tmp_path: Path) -> None:
    log_file = tmp_path / "app.log"
    stderr = _app("after", str(log_file)).stderr
    logged = log_file.read_text(encoding="utf-8")
    assert len(_lines(logged, "DEBUG:edgen:Request: GET")) == 1
    assert len(_lines(logged, "INFO:edgen:HTTP Request: GET")) == 1
    assert not _lines(stderr, _REQUEST) and not _lines(stderr, _RESPONSE)
