"""The CLI uses Typer through its public names only, and declares parameters the current way.

Typer vendors click since 0.26 as the private `typer._click`, whose layout may change in any
release; scenecat names Typer's public classes instead (typer.Context, typer.TyperException,
typer.core.TyperCommand/TyperGroup). Parameters are `Annotated[type, typer.Option(...)]`,
so the annotation a reader (and mypy) sees is the value the command gets.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest
import typer.models

import scenecat

PACKAGE_ROOT = Path(scenecat.__file__).parent
CLI_MODULES = sorted(path.stem for path in (PACKAGE_ROOT / "cli").glob("*.py"))
# Converted by the change that moves import and export into their own modules (issue 14).
NOT_YET_ANNOTATED: set[str] = set()


def _private_typer_imports(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            names = [f"{node.value.id}.{node.attr}"]
        else:
            continue
        private = [
            name
            for name in names
            if name.split(".")[0] == "typer" and any(p.startswith("_") for p in name.split(".")[1:])
        ]
        if private:
            found.append(f"line {node.lineno}: {private[0]}")
    return found


REPO = PACKAGE_ROOT.parent.parent


@pytest.mark.parametrize(
    "path",
    sorted([*PACKAGE_ROOT.rglob("*.py"), *(REPO / "tests").glob("*.py")]),
    ids=lambda path: str(path.relative_to(REPO)),
)
def test_no_private_typer_module_is_used(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert _private_typer_imports(tree) == []


def test_the_check_sees_a_private_import() -> None:
    tree = ast.parse("from typer._click import types\nfrom typer import _click\nx = typer._click")
    assert len(_private_typer_imports(tree)) == 3


@pytest.mark.parametrize("name", [m for m in CLI_MODULES if m not in NOT_YET_ANNOTATED])
def test_parameters_are_annotated(name: str) -> None:
    module = importlib.import_module(f"scenecat.cli.{name}")
    old_style = [
        f"{function.__name__}({parameter.name})"
        for function in vars(module).values()
        if inspect.isfunction(function) and function.__module__ == module.__name__
        for parameter in inspect.signature(function).parameters.values()
        if isinstance(parameter.default, typer.models.ParameterInfo)
    ]
    assert old_style == []
    assert "noqa: UP045" not in inspect.getsource(module)


@pytest.mark.parametrize(
    "name", [m for m in CLI_MODULES if m.startswith("commands_") and m not in NOT_YET_ANNOTATED]
)
def test_command_modules_leave_annotations_evaluated(name: str) -> None:
    # With `from __future__ import annotations` Typer compiles and evaluates each annotation
    # string two or three times for every command it converts.
    source = (PACKAGE_ROOT / "cli" / f"{name}.py").read_text(encoding="utf-8")
    assert "from __future__ import annotations" not in source
