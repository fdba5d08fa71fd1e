"""`edgen.types` does not depend on the HTTP layer.

Read statically: every import statement of every module under edgen/types/ (also those
under `if TYPE_CHECKING:`, in functions or in try blocks), followed through edgen's own
modules, must reach neither an HTTP package nor the client nor `edgen._compat` (which is
about HTTP packages). The top-level `edgen/__init__.py` is not followed: `import edgen`
is the client, by design; the types only must not need it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import REPO_ROOT

PACKAGE_DIR = REPO_ROOT / "edgen"
# Top-level packages of the HTTP layer, and edgen modules that belong to it.
HTTP_PACKAGES = frozenset({"httpx", "httpx2", "httpcore", "httpcore2", "h11", "h2", "anyio"})
HTTP_MODULES = frozenset({"edgen._client", "edgen._compat"})


def module_file(name: str) -> Path | None:
    """The source file of edgen module `name`, or None if there is no such module."""
    path = PACKAGE_DIR.parent.joinpath(*name.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imports_of(name: str) -> set[str]:
    """The modules that edgen module `name` imports, as absolute dotted names."""
    path = module_file(name)
    assert path is not None, name
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                # `from .x import y` in module a.b.c is a.b.x; in package a.b it is a.b.x too.
                parts = name.split(".")
                keep = len(parts) - node.level + (1 if is_package else 0)
                base = ".".join(parts[:keep] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.add(base)
            # `from package import name` may import the submodule package.name.
            for alias in node.names:
                if module_file(f"{base}.{alias.name}") is not None:
                    found.add(f"{base}.{alias.name}")
    return found


def reachable(start: str) -> dict[str, str]:
    """Every module `start` imports, directly or through edgen modules: name -> who imports it."""
    seen: dict[str, str] = {}
    todo = [start]
    while todo:
        current = todo.pop()
        for imported in imports_of(current):
            # Importing a.b.c runs the __init__ of a.b as well (but not of `edgen` itself).
            parts = imported.split(".")
            for end in range(2, len(parts) + 1):
                name = ".".join(parts[:end])
                if name.startswith("edgen.") and name not in seen and module_file(name):
                    seen[name] = current
                    todo.append(name)
            if parts[0] != "edgen" and imported not in seen:
                seen[imported] = current
    return seen


def is_http(name: str) -> bool:
    return name.partition(".")[0] in HTTP_PACKAGES or name in HTTP_MODULES


def chain(seen: dict[str, str], start: str, name: str) -> str:
    path = [name]
    while path[-1] != start:
        path.append(seen[path[-1]])
    return " <- ".join(path)


TYPES_MODULES = sorted(
    ".".join(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts).removesuffix(".__init__")
    for path in (PACKAGE_DIR / "types").rglob("*.py")
)


def test_every_types_module_is_checked() -> None:
    assert "edgen.types" in TYPES_MODULES
    assert "edgen.types.chat.completion_create_params" in TYPES_MODULES
    assert len(TYPES_MODULES) > 30


@pytest.mark.parametrize("module", TYPES_MODULES)
def test_types_module_does_not_reach_the_http_layer(module: str) -> None:
    seen = reachable(module)
    bad = sorted(chain(seen, module, name) for name in seen if is_http(name))
    assert bad == [], "edgen.types must not depend on the HTTP layer:\n" + "\n".join(bad)


def test_the_walk_does_find_the_http_layer() -> None:
    """Guards the tests above: the same walk sees httpx behind the client and the streams."""
    assert "httpx" in reachable("edgen._client")
    assert "edgen._compat" in reachable("edgen._client")
    seen = reachable("edgen._streaming")  # httpx directly, and again through _pipeline
    assert "httpx" in seen and "edgen._pipeline" in seen
    # relative imports from a package's __init__ and from a module in it resolve alike
    assert "edgen.types.chat.chat_completion" in reachable("edgen.types.chat")
    assert "edgen.types.completion_usage" in reachable("edgen.types.chat.chat_completion")
    # an import under `if TYPE_CHECKING:` counts
    assert "typing_extensions" in imports_of("edgen._client")
