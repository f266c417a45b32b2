"""Datasette (the web extra) is imported by `serve` and `publish` only."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_startup import loaded, roots


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("serve", "--help"),
        ("publish", "--help"),
        ("list", "scenes"),
        ("search", "kiss"),
        ("rank", "--kind", "kiss"),
        ("trending",),
        ("stats",),
    ],
    ids=" ".join,
)
def test_other_commands_do_not_import_datasette(tmp_path: Path, args: tuple[str, ...]) -> None:
    modules, _ = loaded(tmp_path / "c.db", *args)
    assert not roots(modules) & {"datasette", "uvicorn"}
    assert not {m for m in modules if m.startswith("scenecat.web")}


@pytest.mark.slow
def test_serve_imports_datasette(tmp_path: Path) -> None:
    """Guards the test above: the probe sees Datasette when serve loads it."""
    modules, _ = loaded(tmp_path / "missing.db", "publish", str(tmp_path / "site"))
    assert "datasette" in roots(modules)
