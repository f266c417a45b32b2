"""Layers: a module imports only from its own layer or the layers below it.

The import graph is the one tests/test_import_cycles.py reads (imports inside functions
count: a lazy import is still a dependency; those under `if TYPE_CHECKING:` never run and are
left out). That test finds circles; this one finds an arrow that runs back up without closing
a circle, such as the website borrowing a helper from the command line.
"""

from __future__ import annotations

from pathlib import Path

from tests.test_import_cycles import PACKAGE_ROOT, Graph, import_graph

# Top to bottom (docs/ARCHITECTURE.md): CLI -> web/domain -> storage. A module belongs to the
# layer of its longest matching name; each layer may import itself and the layers below.
LAYERS: tuple[tuple[str, ...], ...] = (
    # The entry point answers --version itself and otherwise starts the CLI.
    ("scenecat.__main__",),
    ("scenecat.cli",),
    # The website is another front end: it uses the domain and storage, never the CLI.
    ("scenecat.web",),
    ("scenecat.domain",),
    # Facts from the web: the domain puts them into the catalogue (domain/fetched_dramas.py,
    # domain/clip_scenes.py); fetching them needs neither the domain nor the catalogue.
    ("scenecat.sources",),
    ("scenecat.storage",),
    # Pure ranking math on the standard library alone, so storage may hand its signals over
    # in scoring's own shapes (rank_queries -> top_n.SceneCounts).
    ("scenecat.scoring",),
    # Shared by every layer above.
    (
        "scenecat",
        "scenecat.errors",
        "scenecat.fields",
        "scenecat.files",
        "scenecat.gcpause",
        "scenecat.models",
        "scenecat.scene_fields",
        "scenecat.text",
        "scenecat.yamlio",
    ),
)


def layer_of(module: str, layers: tuple[tuple[str, ...], ...]) -> int | None:
    """The index of the module's layer (0 = top), or None when no layer names it."""
    matches = [
        (len(name), depth)
        for depth, names in enumerate(layers)
        for name in names
        if module == name or module.startswith(name + ".")
    ]
    return max(matches)[1] if matches else None


def upward_imports(graph: Graph, layers: tuple[tuple[str, ...], ...]) -> list[str]:
    """Every import of a module by one in a lower layer, as "importer -> imported"."""
    found = []
    for module, imported in sorted(graph.items()):
        depth = layer_of(module, layers)
        for target in sorted(imported):
            above = layer_of(target, layers)
            if depth is not None and above is not None and above < depth:
                found.append(f"{module} -> {target}")
    return found


def test_every_module_has_a_layer() -> None:
    graph = import_graph(PACKAGE_ROOT, "scenecat", lazy=True)
    assert [m for m in sorted(graph) if layer_of(m, LAYERS) is None] == []


def test_no_import_runs_back_up_a_layer() -> None:
    found = upward_imports(import_graph(PACKAGE_ROOT, "scenecat", lazy=True), LAYERS)
    assert found == [], "imports from a higher layer:\n" + "\n".join(found)


def test_an_upward_import_is_found(tmp_path: Path) -> None:
    """The check itself: a lazy import and a relative one from below are both reported."""
    pkg = tmp_path / "pkg"
    (pkg / "low").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "top.py").write_text("from pkg.low import a\n")
    (pkg / "low" / "__init__.py").write_text("")
    (pkg / "low" / "a.py").write_text("def f():\n    from pkg import top\n")
    (pkg / "low" / "b.py").write_text("from ..top import x\nfrom . import a\n")
    layers = (("pkg.top",), ("pkg.low", "pkg"))
    assert upward_imports(import_graph(pkg, "pkg", lazy=True), layers) == [
        "pkg.low.a -> pkg.top",
        "pkg.low.b -> pkg.top",
    ]
