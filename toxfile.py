"""tox plugin: let tox find the pyenv interpreters 3.10-3.13 without `pyenv global`.

On machines with pyenv, each version's bin directory goes on PATH so that
`python3.10` ... `python3.13` resolve; elsewhere this does nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

from tox.plugin import impl


@impl
def tox_register_tox_env(register: object) -> None:  # the earliest hook tox calls
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if not root.is_dir():
        return
    found = []
    for minor in ("3.10", "3.11", "3.12", "3.13"):
        candidates = sorted(root.glob(f"{minor}.*"), key=lambda p: p.name)
        candidates = [p / "bin" for p in candidates if (p / "bin" / f"python{minor}").exists()]
        if candidates:
            found.append(str(candidates[-1]))
    path = os.environ.get("PATH", "").split(os.pathsep)
    os.environ["PATH"] = os.pathsep.join([p for p in found if p not in path] + path)
