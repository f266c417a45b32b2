"""No circles of imports: read every module's imports with `ast` and look for cycles.

Imports under `if TYPE_CHECKING:` never run and are left out. Imports inside functions are
lazy, but a circle through them is still one a reader has to untangle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import scenecat

PACKAGE_ROOT = Path(scenecat.__file__).parent

Graph = dict[str, set[str]]


def _module_names(root: Path, package: str) -> dict[str, Path]:
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = [package, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, in_function: bool = False) -> Iterator[tuple[ast.stmt, bool]]:
    """Every import statement that can run, and whether it sits inside a function."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, in_function
        elif isinstance(node, ast.If) and _is_type_checking(node):
            yield from (found for child in node.orelse for found in _imports(child, in_function))
        else:
            inner = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            yield from _imports(node, inner)


def _targets(node: ast.stmt, module: str, is_package: bool, known: set[str]) -> set[str]:
    def owning(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    found: set[str | None] = set()
    if isinstance(node, ast.Import):
        found = {owning(alias.name) for alias in node.names}
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            anchor = module if is_package else module.rpartition(".")[0]
            for _ in range(node.level - 1):
                anchor = anchor.rpartition(".")[0]
            base = f"{anchor}.{base}" if base else anchor
        for alias in node.names:
            found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else owning(base))
    return {name for name in found if name is not None and name != module}


def import_graph(root: Path, package: str, *, lazy: bool) -> Graph:
    """Module -> the package's modules it imports (`lazy`: counting those inside functions)."""
    modules = _module_names(root, package)
    known = set(modules)
    graph: Graph = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, in_function in _imports(tree):
            if lazy or not in_function:
                graph[name] |= _targets(node, name, path.name == "__init__.py", known)
    return graph


def cycles(graph: Graph, within: str = "") -> list[list[str]]:
    """One named cycle per strongly connected group of modules (Tarjan), e.g. [a, b, a];
    with `within`, only the groups holding a module whose name starts with it, each cycle
    named through such a module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    named = []
    for group in groups:
        starts = sorted(m for m in group if m.startswith(within))
        if starts:
            named.append(_a_cycle_in(graph, group, starts[0]))
    return named


def _a_cycle_in(graph: Graph, group: set[str], start: str) -> list[str]:
    # Breadth-first from `start` back to itself: the shortest circle through it.
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(graph[node] & group):
            if nxt == start:
                return [*paths[node], start]
            if nxt not in paths:
                paths[nxt] = [*paths[node], nxt]
                queue.append(nxt)
    raise AssertionError(f"no cycle in {group}")  # pragma: no cover - Tarjan found one


def _described(found: list[list[str]]) -> str:
    return "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in found)


def test_no_module_level_import_cycles_anywhere_in_the_package() -> None:
    found = cycles(import_graph(PACKAGE_ROOT, "scenecat", lazy=False))
    assert not found, _described(found)


def test_no_import_cycles_anywhere_even_inside_functions() -> None:
    found = cycles(import_graph(PACKAGE_ROOT, "scenecat", lazy=True))
    assert not found, _described(found)


def test_a_cycle_is_found_and_named(tmp_path: Path) -> None:
    """The check itself: a circle hidden in a lazy import and a relative one are reported."""
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from pkg.sub import b\n")
    (pkg / "sub" / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import d\n"
        "def f():\n    from .c import x\n"
    )
    (pkg / "sub" / "c.py").write_text("import pkg.a\n")
    (pkg / "d.py").write_text("from pkg.sub import b\n")
    assert cycles(import_graph(pkg, "pkg", lazy=False)) == []
    assert cycles(import_graph(pkg, "pkg", lazy=True), within="pkg.sub.c") == [
        ["pkg.sub.c", "pkg.a", "pkg.sub.b", "pkg.sub.c"]
    ]
    assert cycles(import_graph(pkg, "pkg", lazy=True), within="pkg.d") == []
    assert cycles(import_graph(pkg, "pkg", lazy=True)) == [
        ["pkg.a", "pkg.sub.b", "pkg.sub.c", "pkg.a"]
    ]


def test_no_module_takes_a_private_name_from_another() -> None:
    """A leading underscore means "only this module relies on it": refactors may change it."""
    found = []
    for name, path in _module_names(PACKAGE_ROOT, "scenecat").items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("scenecat"):
                found += [
                    f"{name}: from {node.module} import {alias.name}"
                    for alias in node.names
                    if alias.name.startswith("_") and not alias.name.startswith("__")
                ]
    assert found == []
