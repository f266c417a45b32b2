"""docs/ARCHITECTURE.md's module map matches the code: every module it names exists, and every
module of the package is named (a contributor reads the map to find where a thing lives)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "scenecat"
DOC = ROOT / "docs" / "ARCHITECTURE.md"
# "  name.py   what it holds", "    a.py, b.py  what they hold", "  folder/   what it holds"
_ENTRY = re.compile(r"^(?P<indent> *)(?P<names>[\w*.]+(?:\.py|/)(?:, [\w*.]+(?:\.py|/))*)(?: |$)")


def mapped_paths() -> set[str]:
    """Paths (relative to src/scenecat) the map in ARCHITECTURE.md names: files and folders."""
    text = DOC.read_text(encoding="utf-8")
    block = text.split("```\nsrc/scenecat/\n", 1)[1].split("```", 1)[0]
    folders: list[tuple[int, str]] = []  # (indent, folder path) of the enclosing folders
    paths: set[str] = set()
    for line in block.splitlines():
        match = _ENTRY.match(line)
        if match is None:
            continue
        indent = len(match["indent"])
        while folders and folders[-1][0] >= indent:
            folders.pop()
        parent = folders[-1][1] if folders else ""
        for name in match["names"].split(", "):
            path = parent + name
            paths.add(path.rstrip("/"))
            if name.endswith("/"):
                folders.append((indent, path))
    return paths


def code_paths() -> set[str]:
    paths = set()
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if "__pycache__" in rel.parts:
            continue
        paths.add(str(rel))
    return paths


def _covered(module: str, mapped: set[str]) -> bool:
    if module in mapped:
        return True
    folder, _, name = module.rpartition("/")
    # a package's __init__.py is described with its folder
    if name == "__init__.py" and (folder in mapped or not folder):
        return True
    return any(
        "*" in pattern
        and Path(module).match(pattern)
        and Path(module).parent == Path(pattern).parent
        for pattern in mapped
    )


def test_every_mapped_module_exists() -> None:
    missing = []
    for path in sorted(mapped_paths()):
        if "*" in path:
            if not list(PACKAGE.glob(path)):
                missing.append(path)
        elif not (PACKAGE / path).exists():
            missing.append(path)
    assert not missing, f"ARCHITECTURE.md maps modules that do not exist: {missing}"


def test_every_module_is_mapped() -> None:
    mapped = mapped_paths()
    unmapped = sorted(m for m in code_paths() if not _covered(m, mapped))
    assert not unmapped, f"modules missing from ARCHITECTURE.md's map: {unmapped}"


def test_the_map_is_read() -> None:
    """The parser finds the map's entries (so the two tests above cannot pass on nothing)."""
    mapped = mapped_paths()
    assert {"cli/app.py", "storage/bulk.py", "domain/importing/csv_file.py"} <= mapped
    assert len(mapped) > 80
