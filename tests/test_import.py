"""What `import edgen` pulls in, checked in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import REPO_ROOT

_PROBE = """
import json, sys
import edgen
client = edgen.Edgen()
_ = client.chat.completions
print(json.dumps({
    "pydantic": sorted(m for m in sys.modules if m == "pydantic" or m.startswith(("pydantic.", "pydantic_"))),
    "testing": sorted(m for m in sys.modules if m.startswith("edgen.testing")),
    "version": edgen.__version__,
    "all_ok": all(hasattr(edgen, name) for name in edgen.__all__),
}))
"""


def _run(code: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    env.pop("EDGEN_LOG", None)
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
        cwd=str(REPO_ROOT),
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_import_does_not_pull_in_pydantic_or_the_emulator() -> None:
    result = _run(_PROBE)
    assert result["pydantic"] == []
    assert result["testing"] == []
    assert result["all_ok"] is True


def test_the_probe_can_see_pydantic_when_it_is_imported() -> None:
    """Guards the test above: the same check does notice pydantic when something imports it."""
    try:
        import pydantic  # noqa: F401
    except ImportError:  # pragma: no cover - pydantic absent: nothing to guard
        return
    result = _run("import pydantic\n" + _PROBE)
    assert "pydantic" in result["pydantic"]


def test_version_matches_user_agent() -> None:
    import edgen

    assert _run(_PROBE)["version"] == edgen.__version__
    assert (
        edgen.Edgen()
        .default_headers["user-agent"]
        .startswith(f"Edgen/Python {edgen.__version__} (")
    )
