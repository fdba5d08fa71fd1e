"""The package's structure: an import graph without cycles, and each module typed in itself.

Every import counts: at module level, inside functions (loaded on first use), and under
`if TYPE_CHECKING:`, since a type checker follows those too and a cycle there is still a
cycle for the reader.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "edgen"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports_of(path: Path) -> set[str]:
    """The edgen modules that `path` imports, wherever the import statement stands."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                target = f"{base}.{alias.name}"
                found.add(target if is_module(target) else base)
    return {m for m in found if m == "edgen" or m.startswith("edgen.")}


def import_graph() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in sorted(PACKAGE.rglob("*.py"))}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each import cycle once, as the list of modules along it."""
    found: list[list[str]] = []
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            cycle = path[path.index(node) :]
            start = cycle.index(min(cycle))
            canonical = cycle[start:] + cycle[:start]
            if canonical not in found:
                found.append(canonical)
            return
        if node in done:
            return
        for target in sorted(graph.get(node, ())):
            visit(target, [*path, node])
        done.add(node)

    for node in graph:
        visit(node, [])
    return found


def test_the_graph_is_read_whole() -> None:
    graph = import_graph()
    # A few edges the walk must see, so that a broken walk cannot pass.
    assert "edgen._resource" in graph["edgen.resources.chat"]  # module level
    assert "edgen.resources.chat" in graph["edgen._client"]  # inside a function
    assert "edgen._response" in graph["edgen._endpoint"]  # under TYPE_CHECKING
    assert len(graph) > 50


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_no_import_cycles() -> None:
    assert cycles(import_graph()) == []


def test_resources_do_not_import_the_client() -> None:
    graph = import_graph()
    for name, targets in graph.items():
        if name.startswith("edgen.resources"):
            assert "edgen._client" not in targets, name


def test_no_stub_shadows_a_module() -> None:
    # Types are written in the code they describe, where mypy checks the bodies too.
    assert sorted(PACKAGE.rglob("*.pyi")) == []
