"""Installed size: a real `pip install` of the built wheel into a fresh venv.

edgen's figure is site-packages/edgen after installation (pip compiles the
bytecode), with and without __pycache__; the emulator (edgen/testing) is part of
it. The floor column is what httpx + msgspec and their dependencies occupy in
this environment; the openai column is openai plus the dependencies it adds on
top of those. The target is absolute: at most 1 MiB on top of httpx + msgspec.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from _common import openai

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 1024 * 1024
FLOOR_DISTS = ["httpx", "msgspec"]


def _tree_size(path: Path, *, pycache: bool) -> int:
    total = 0
    for dirpath, dirnames, filenames in os.walk(path):
        if not pycache and "__pycache__" in dirnames:
            dirnames.remove("__pycache__")
        total += sum(os.path.getsize(os.path.join(dirpath, f)) for f in filenames)
    return total


def _closure(names: list[str]) -> set[str]:
    """The installed distributions `names` pull in (markers with extras skipped)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = re.split(r"[^A-Za-z0-9._-]", todo.pop(), maxsplit=1)[0].lower()
        if name in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen.add(name)
        for req in dist.requires or []:
            if "extra ==" not in req and 'python_version < "3.1' not in req:
                todo.append(req)
    return seen


def _dists_size(names: set[str]) -> int:
    total = 0
    for name in names:
        for f in metadata.distribution(name).files or []:
            p = f.locate()
            if os.path.isfile(p):
                total += os.path.getsize(p)
    return total


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("footprint")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp), str(ROOT)],
        check=True,
    )
    wheel = next(tmp.glob("edgen-*.whl"))
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    )
    site = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return Path(site) / "edgen"


def test_footprint(record_value, installed, tmp_path) -> None:
    assert (installed / "testing" / "_emulator.py").is_file()
    floor_dists = _closure(FLOOR_DISTS)
    floor = _dists_size(floor_dists)
    with_pyc = _tree_size(installed, pycache=True)
    source = _tree_size(installed, pycache=False)
    assert with_pyc > source  # pip compiled the bytecode
    oa = None
    if openai is not None:
        oa = _dists_size(_closure(["openai"]) - floor_dists)
    note = f"floor = {', '.join(sorted(floor_dists))}"
    name = "installed size on top of httpx + msgspec"
    record_value(f"{name}, with __pycache__", "floor", floor, unit="B")
    record_value(f"{name}, with __pycache__", "edgen", with_pyc, unit="B", target=LIMIT, kind="abs")
    record_value(f"{name}, sources only", "floor", floor, unit="B")
    record_value(f"{name}, sources only", "edgen", source, unit="B", target=LIMIT, kind="abs")
    if oa is not None:
        record_value(f"{name}, with __pycache__", "openai", oa, unit="B", note=note)
    testing = _tree_size(installed / "testing", pycache=True)
    record_value(
        "  of which edgen/testing (emulator), with __pycache__", "edgen", testing, unit="B"
    )
