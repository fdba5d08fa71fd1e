"""Import cost in fresh interpreters: `import edgen` against `import httpx, msgspec`.

Each sample is a new `python -c ...` process (bytecode caches warm, samples of
the candidates interleaved so drift hits all alike); the figure is the median.
Wall time is measured two ways: the whole process as the shell sees it, and the
import (or import + client + first `.chat.completions`) timed inside the child,
i.e. above a bare interpreter's start. Peak RSS is the child's VmHWM (Linux).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

from _common import openai, subprocess_env

SAMPLES = 20
# Peak RSS from VmHWM: ru_maxrss would carry the parent's peak over fork + exec.
PROBE = (
    "import time; t = time.perf_counter(); {code}; t = time.perf_counter() - t; "
    "print(t, [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"
)
CASES = {
    "import": {
        "bare": "pass",
        "floor": "import httpx, msgspec",
        "edgen": "import edgen",
        "openai": "import openai",
    },
    "import + client + .chat.completions": {
        "bare": "pass",
        "floor": "import httpx, msgspec; httpx.Client()",
        "edgen": "import edgen; edgen.Edgen().chat.completions",
        "openai": "import openai; openai.OpenAI(api_key='x').chat.completions",
    },
}


def _sample(code: str, env: dict[str, str]) -> tuple[float, float, float]:
    """(process wall s, in-child s, peak RSS bytes) of one fresh interpreter."""
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(code=code)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        cwd=os.path.dirname(os.path.abspath(__file__)) + "/..",
    ).stdout
    wall = time.perf_counter() - start
    inner, rss_kib = out.split()
    return wall, float(inner), float(rss_kib) * 1024


def _measure(case: dict[str, str]) -> dict[str, tuple[float, float, float]]:
    env = subprocess_env()
    roles = [r for r in case if r != "openai" or openai is not None]
    for role in roles:  # warm the bytecode caches
        _sample(case[role], env)
        _sample(case[role], env)
    samples: dict[str, list[tuple[float, float, float]]] = {r: [] for r in roles}
    for _ in range(SAMPLES):
        for role in roles:
            samples[role].append(_sample(case[role], env))
    return {
        role: tuple(statistics.median(s[i] for s in got) for i in range(3))  # type: ignore[misc]
        for role, got in samples.items()
    }


def _report(record_value, name: str, medians) -> None:
    bare = medians.pop("bare")
    for role, (wall, inner, rss) in medians.items():
        record_value(f"{name}: wall time, whole process", role, wall, target=1.15)
        record_value(f"{name}: wall time above bare interpreter", role, inner, target=1.15)
        record_value(f"{name}: peak RSS, whole process", role, rss, unit="B", target=1.15)
        record_value(f"{name}: peak RSS above bare interpreter", role, rss - bare[2], unit="B")


def test_import(record_value) -> None:
    _report(record_value, "import", _measure(CASES["import"]))


def test_import_client(record_value) -> None:
    name = "import + client + .chat.completions"
    _report(record_value, name, _measure(CASES[name]))
