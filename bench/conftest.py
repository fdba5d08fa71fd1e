"""Collects each benchmark's median and prints ours/floor ratios at the end of the run."""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import Any

import pytest

# figure -> {"floor": seconds, "edgen": seconds, "openai": seconds, "per": units per round}
RESULTS: dict[str, dict[str, float]] = {}
TARGETS: dict[str, float] = {}


@pytest.fixture
def record(benchmark: Any) -> Any:
    """`record(figure, role, per=N, target=ratio)` after running `benchmark(...)`."""

    def _record(figure: str, role: str, *, per: int = 1, target: float | None = None) -> None:
        median = benchmark.stats.stats.median
        RESULTS.setdefault(figure, {})[role] = median / per
        if target is not None:
            TARGETS[figure] = target

    return _record


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not RESULTS:
        return
    tr = terminalreporter
    tr.section("edgen vs floor (median per unit, same run)")
    tr.write_line(f"{'figure':<44} {'floor':>11} {'edgen':>11} {'ratio':>7} {'target':>7}")
    rows = []
    for figure, roles in sorted(RESULTS.items()):
        floor, ours = roles.get("floor"), roles.get("edgen")
        ratio = ours / floor if floor and ours else None
        target = TARGETS.get(figure)
        rows.append({"figure": figure, **roles, "ratio": ratio, "target": target})
        tr.write_line(
            f"{figure:<44} {_fmt(floor):>11} {_fmt(ours):>11} "
            f"{(f'{ratio:.2f}x' if ratio else '-'):>7} {(f'{target:.2f}x' if target else '-'):>7}"
        )
    out = Path(__file__).with_name("results.json")
    out.write_text(
        json.dumps(
            {"machine": f"{platform.machine()} {platform.python_version()}", "rows": rows},
            indent=2,
        )
    )


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} µs"
    return f"{seconds * 1e3:.2f} ms"
