"""Collects each figure (floor, edgen, openai) and prints ratios side by side at the end.

Timings come from pytest-benchmark's median; figures that pytest-benchmark cannot time
(client CPU over a socket, subprocess imports, RSS, installed size, memory) are recorded
directly with `record_value`. Ratios are reported, never asserted, unless `--check` is given: then the session fails
when a figure misses its target. Writes bench/results.json and, when matplotlib is
installed, bench/ratios.png.
"""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent

# figure -> {"floor": value, "edgen": value, "openai": value}
RESULTS: dict[str, dict[str, float]] = {}
# figure -> (target, kind): kind "ratio" (edgen/floor at most target) or "abs" (edgen at most)
TARGETS: dict[str, tuple[float, str]] = {}
UNITS: dict[str, str] = {}  # figure -> "s" (default), "B" or "x"
ORDER: list[str] = []
NOTES: dict[str, str] = {}


def pytest_addoption(parser: Any) -> None:
    parser.addoption(
        "--check",
        action="store_true",
        help="fail the session when a figure misses its target (off by default: shared "
        "machines are noisy)",
    )


def _put(figure: str, role: str, value: float, target: float | None, kind: str, unit: str) -> None:
    if figure not in RESULTS:
        ORDER.append(figure)
    RESULTS.setdefault(figure, {})[role] = value
    UNITS[figure] = unit
    if target is not None:
        TARGETS[figure] = (target, kind)


@pytest.fixture
def record(benchmark: Any) -> Any:
    """`record(figure, role, per=N, target=ratio)` after running `benchmark(...)`."""

    def _record(figure: str, role: str, *, per: int = 1, target: float | None = None) -> None:
        _put(figure, role, benchmark.stats.stats.median / per, target, "ratio", "s")

    return _record


@pytest.fixture
def record_value() -> Any:
    """`record_value(figure, role, value, unit="s", target=..., kind="ratio"|"abs", note=...)`."""

    def _record(
        figure: str,
        role: str,
        value: float,
        *,
        unit: str = "s",
        target: float | None = None,
        kind: str = "ratio",
        note: str | None = None,
    ) -> None:
        _put(figure, role, value, target, kind, unit)
        if note:
            NOTES[figure] = note

    return _record


def _rows() -> list[dict[str, Any]]:
    rows = []
    for figure in ORDER:
        roles = RESULTS[figure]
        floor, ours, oa = roles.get("floor"), roles.get("edgen"), roles.get("openai")
        ratio = ours / floor if floor and ours is not None else None
        oa_ratio = oa / floor if floor and oa is not None else None
        target, kind = TARGETS.get(figure, (None, "ratio"))
        met = None
        if target is not None:
            value = ratio if kind == "ratio" else ours
            met = value is not None and value <= target
        rows.append(
            {
                "figure": figure,
                "unit": UNITS.get(figure, "s"),
                "floor": floor,
                "edgen": ours,
                "openai": oa,
                "ratio": ratio,
                "openai_ratio": oa_ratio,
                "target": target,
                "target_kind": kind,
                "met": met,
                "note": NOTES.get(figure),
            }
        )
    return rows


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not RESULTS:
        return
    tr = terminalreporter
    tr.section("edgen vs floor (median per unit, same run)")
    tr.write_line(
        f"{'figure':<52} {'floor':>10} {'edgen':>10} {'openai':>10} "
        f"{'ratio':>7} {'openai':>8} {'target':>8} {'met':>4}"
    )
    for row in _rows():
        unit = row["unit"]
        tr.write_line(
            f"{row['figure']:<52} {fmt(row['floor'], unit):>10} {fmt(row['edgen'], unit):>10} "
            f"{fmt(row['openai'], unit):>10} {_x(row['ratio']):>7} {_x(row['openai_ratio']):>8} "
            f"{_target(row):>8} {_met(row['met']):>4}"
        )
    for row in _rows():
        if row["note"]:
            tr.write_line(f"  {row['figure']}: {row['note']}")
    if tr.config.getoption("check"):
        missed = _missed()
        for row in missed:
            tr.write_line(f"--check: missed its target: {row['figure']}", red=True, bold=True)
        if not missed:
            tr.write_line("--check: every figure met its target", green=True)


def _missed() -> list[dict[str, Any]]:
    return [row for row in _rows() if row["met"] is False]


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    if not RESULTS:
        return
    if session.config.getoption("check") and _missed() and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    rows = _rows()
    (HERE / "results.json").write_text(json.dumps({"machine": machine(), "rows": rows}, indent=2))
    try:
        _chart(rows)
    except ImportError:
        pass


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
        f"{platform.python_implementation()} {platform.python_version()}"
    )


def _chart(rows: list[dict[str, Any]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [r for r in rows if r["ratio"] is not None and r["target_kind"] == "ratio"]
    if not shown:
        return
    labels = [r["figure"] for r in shown]
    fig, ax = plt.subplots(figsize=(10, 0.42 * len(shown) + 1.6))
    ys = list(range(len(shown)))[::-1]
    colors = ["#2e7d32" if r["met"] is not False else "#c62828" for r in shown]
    ax.barh(ys, [r["ratio"] for r in shown], color=colors, height=0.6, label="edgen / floor")
    for y, r in zip(ys, shown):
        if r["target"]:
            ax.plot([r["target"]] * 2, [y - 0.4, y + 0.4], color="black", lw=1.5)
        ax.text(r["ratio"] + 0.02, y, f"{r['ratio']:.2f}x", va="center", fontsize=8)
        if r["openai_ratio"]:
            ax.text(
                max(r["ratio"], r["target"] or 0) + 0.35,
                y,
                f"openai {r['openai_ratio']:.1f}x",
                va="center",
                fontsize=8,
                color="#555",
            )
    ax.axvline(1.0, color="#888", lw=0.8, ls="--")
    ax.set_yticks(ys, labels, fontsize=8)
    ax.set_xlim(0, max(max(r["ratio"] for r in shown), 1.6) + 1.2)
    ax.set_xlabel("ratio to the floor (lower is better; black tick = target)")
    ax.set_title(f"edgen vs floor — {machine()}", fontsize=9)
    fig.tight_layout()
    fig.savefig(HERE / "ratios.png", dpi=110)
    plt.close(fig)


def fmt(value: float | None, unit: str = "s") -> str:
    if value is None:
        return "-"
    if unit == "B":
        if value >= 1 << 20:
            return f"{value / (1 << 20):.2f} MiB"
        if value >= 10 * 1024:
            return f"{value / 1024:.0f} KiB"
        return f"{value:.0f} B"
    if unit == "x":
        return f"{value:.2f}x"
    if value < 1e-3:
        return f"{value * 1e6:.2f} µs"
    return f"{value * 1e3:.2f} ms"


def _x(ratio: float | None) -> str:
    return f"{ratio:.2f}x" if ratio is not None else "-"


def _target(row: dict[str, Any]) -> str:
    if row["target"] is None:
        return "-"
    if row["target_kind"] == "abs":
        return "≤" + fmt(row["target"], row["unit"])
    return f"{row['target']:.2f}x"


def _met(met: bool | None) -> str:
    return "-" if met is None else ("yes" if met else "NO")
