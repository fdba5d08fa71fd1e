"""The built wheel: only the `edgen` package, two run-time dependencies, importable alone.

Builds the wheel with pip (hatchling comes from the package index unless it is
already installed), checks its file list and metadata, then installs it into a
fresh virtualenv and imports it there. Skipped, with the reason, when the wheel
cannot be built or its dependencies cannot be installed (no index reachable).
"""

from __future__ import annotations

import email.parser
import importlib.util
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.version import Version

from edgen import __version__

REPO_ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120

# Run in the fresh venv: every installed distribution, and everything edgen's run-time
# requirements can pull in (extras left out; other markers counted as true).
_CLOSURE_SCRIPT = r"""
import json, re
from importlib import metadata

def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()

seen, todo = set(), ["edgen"]
while todo:
    name = todo.pop()
    if name in seen:
        continue
    seen.add(name)
    try:
        requires = metadata.requires(name) or []
    except metadata.PackageNotFoundError:  # a marker that is false here
        continue
    for req in requires:
        if "extra ==" not in req.partition(";")[2]:
            todo.append(norm(re.split(r"[\s<>=!~\[;(]", req.strip(), maxsplit=1)[0]))
installed = {norm(d.metadata["Name"]) for d in metadata.distributions()}
print(json.dumps({"closure": sorted(seen), "installed": sorted(installed)}))
"""


def _run(
    *args: str | os.PathLike[str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def test_version_sorts_above_the_client_it_replaces() -> None:
    # The index's `edgen` 0.1.2 (and `edgen-client` 0.1.2) is the older pydantic-based
    # client under the same name: with a version below it, `pip install -U edgen` would
    # swap this package for it.
    assert Version(__version__) >= Version("0.2.0") > Version("0.1.2")


def _readme_section(title: str) -> str:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    return text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_readme_installs_this_package_not_the_old_one() -> None:
    # Until this version is on the index, `pip install edgen` fetches the old client.
    installation = _readme_section("Installation")
    blocks = "".join(re.findall(r"```sh\n(.*?)```", installation, re.DOTALL))
    commands = re.findall(r"pip install ([^\n#]*)", blocks)
    assert commands, installation
    for arguments in commands:
        assert not re.fullmatch(r"(-U\s+)?['\"]?edgen['\"]?\s*", arguments), arguments
    assert "python -m pip install ." in installation
    assert f"dist/edgen-{__version__}-py3-none-any.whl" in installation
    assert f'"edgen>={Version(__version__).major}.{Version(__version__).minor}"' in installation


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    args = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out]
    if importlib.util.find_spec("hatchling") is not None:
        args.append("--no-build-isolation")  # offline: the installed backend is enough
    result = _run(*args, REPO_ROOT)
    wheels = list(out.glob("edgen-*.whl"))
    if result.returncode != 0 or len(wheels) != 1:
        pytest.skip(
            f"cannot build the wheel here (no hatchling, no index?): {result.stderr[-500:]}"
        )
    return wheels[0]


@pytest.mark.slow
def test_wheel_holds_only_the_package(wheel: Path) -> None:
    assert wheel.name == f"edgen-{__version__}-py3-none-any.whl"
    dist_info = f"edgen-{__version__}.dist-info/"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    strays = [n for n in names if not (n.startswith("edgen/") or n.startswith(dist_info))]
    assert strays == []
    assert "edgen/__init__.py" in names
    assert "edgen/py.typed" in names
    assert "edgen/types/chat/chat_completion.py" in names
    assert "edgen/testing/__init__.py" in names
    assert "edgen/_endpoint.py" in names
    # Types live in the code they describe: no stub shadows a module.
    assert [n for n in names if n.endswith(".pyi")] == []
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in names if n.startswith(("edgen/tests", "tests/", "bench/"))]


@pytest.mark.slow
def test_wheel_metadata(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(f"edgen-{__version__}.dist-info/METADATA").decode()
        entry_points = archive.read(f"edgen-{__version__}.dist-info/entry_points.txt").decode()
    meta = email.parser.Parser().parsestr(text)
    assert meta["Name"] == "edgen"
    assert meta["Version"] == __version__
    assert meta["Requires-Python"] == ">=3.10"
    requires = meta.get_all("Requires-Dist") or []
    base = sorted(r.split(";")[0].strip() for r in requires if "extra ==" not in r)
    names = sorted(r.split(">")[0].split("<")[0].split("=")[0].strip() for r in base)
    assert names == ["httpx", "msgspec"], base
    assert "Typing :: Typed" in (meta.get_all("Classifier") or [])
    assert "edgen = edgen._cli:main" in entry_points
    # The pytest plugin is opt-in: no entry point loads it into every test session.
    assert "pytest11" not in entry_points


# Our own package, sources plus the bytecode pip compiles. The limit was half a mebibyte
# until it started to cost readability; a mebibyte is still 30x less than openai adds.
INSTALLED_LIMIT = 1024 * 1024


@pytest.mark.slow
def test_installed_size_with_bytecode_is_at_most_one_mebibyte(wheel: Path, tmp_path: Path) -> None:
    # Installed as a user's `pip install` leaves it: the bytecode for this interpreter
    # is compiled too (tox runs this on every supported version; 3.11's is the largest).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index"]
        + ["--target", str(target), str(wheel)],
        env=env,
        check=True,
        timeout=TIMEOUT,
    )
    files = [p for p in (target / "edgen").rglob("*") if p.is_file()]
    assert any(p.suffix == ".pyc" for p in files), "pip compiled no bytecode"
    total = sum(p.stat().st_size for p in files)
    assert total <= INSTALLED_LIMIT, f"installed edgen is {total / 1024:.0f} KiB"


@pytest.mark.slow
def test_wheel_installs_and_imports_alone(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    created = _run(sys.executable, "-m", "venv", venv)
    assert created.returncode == 0, created.stderr
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    installed = _run(python, "-m", "pip", "install", "-q", wheel)
    if installed.returncode != 0:
        pytest.skip(f"cannot install httpx/msgspec into a fresh venv: {installed.stderr[-500:]}")

    code = (
        "import sys, edgen; "
        "from edgen import Edgen; from edgen.types.chat import ChatCompletion; "
        "assert 'pydantic' not in sys.modules; "
        "print(edgen.__version__, edgen.__file__)"
    )
    imported = _run(python, "-I", "-c", code, cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    version, location = imported.stdout.split()
    assert version == __version__
    assert Path(location).is_relative_to(venv)  # the installed copy, not the checkout

    report = _run(python, "-I", "-c", _CLOSURE_SCRIPT, cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    found = json.loads(report.stdout)
    closure, everything = set(found["closure"]), set(found["installed"])
    assert {"edgen", "httpx", "msgspec"} <= closure
    assert "pydantic" not in everything
    extra = everything - closure - {"pip", "setuptools", "wheel"}
    assert extra == set(), f"installed beyond httpx, msgspec and their dependencies: {extra}"


@pytest.mark.slow
def test_user_agent_and_platform_headers_cost_nothing_per_request() -> None:
    # The headers come from sys.* once, at import: a request imports nothing
    # (httpx itself may import `platform` via uuid; sending must not add anything).
    code = (
        "import sys, httpx, edgen\n"
        "seen = []\n"
        "def handler(request):\n"
        "    seen.append(request.headers)\n"
        "    return httpx.Response(200, json={'major': 0, 'minor': 1, 'patch': 5})\n"
        "client = edgen.Edgen(http_client=httpx.Client(transport=httpx.MockTransport(handler)))\n"
        "client.misc.version.create()\n"
        "before = set(sys.modules)\n"
        "client.misc.version.create()\n"
        "assert set(sys.modules) == before, set(sys.modules) - before\n"
        "h = seen[-1]\n"
        "runtime = '%s %d.%d.%d' % (sys.implementation.name, *sys.version_info[:3])\n"
        "assert h['user-agent'] == f'Edgen/Python {edgen.__version__} ({runtime})', h\n"
    )
    result = _run(sys.executable, "-c", code, cwd=REPO_ROOT)
    assert result.returncode == 0, result.stderr
    client_source = (REPO_ROOT / "edgen" / "_client.py").read_text()
    assert "import platform" not in client_source
    assert "platform." not in client_source
