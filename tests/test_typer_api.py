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


def test_argument_placeholders_rest_on_make_metavar() -> None:
    """app._Argument replaces TyperArgument.make_metavar(ctx, *, usage=False), which Typer
    calls with usage=True for the usage line and without for the Arguments section. A Typer
    release that changes either fails here, naming the cause, before the help screens do."""
    from typer.core import TyperArgument

    from scenecat.cli import app as app_module

    parameters = inspect.signature(TyperArgument.make_metavar).parameters
    assert list(parameters) == ["self", "ctx", "usage"]
    assert parameters["usage"].kind is inspect.Parameter.KEYWORD_ONLY
    command = app_module.load_commands(["add-actor"])["add-actor"]
    name = next(p for p in command.params if isinstance(p, TyperArgument))
    assert type(name) is app_module._Argument
    context = typer.Context(command, info_name="add-actor")
    assert name.get_usage_pieces(context) == ["NAME"]
    assert (name.get_help_record(context) or ("",))[0] == "NAME"
    assert name.get_error_hint(context) == "'name'"


def test_every_integer_parameter_is_bounded() -> None:
    # Typer gives an `int` parameter one type; app.py puts the bounded one in its place.
    from scenecat.cli import app as app_module

    integers = app_module.integers()
    assert integers.bounded.convert("12", None, None) == 12

    def params(command: typer.core.TyperCommand | typer.core.TyperGroup) -> list[object]:
        subcommands = getattr(command, "commands", {}).values()
        return [*command.params, *(p for sub in subcommands for p in params(sub))]

    found = [p for c in app_module.load_commands().values() for p in params(c)]
    assert not [p for p in found if type(p.type) is integers.plain]
    assert len([p for p in found if p.type is integers.bounded]) >= 20


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9223372036854775808", "9223372036854775808 is too large"),
        ("-9223372036854775808", "-9223372036854775808 is too large"),
        ("1" * 5000, "111111111111… (5000 digits) is too large"),
        ("ten", "'ten' is not a valid int."),
    ],
)
def test_integer_errors_name_the_parameter(cli, value: str, message: str) -> None:
    result = cli("undo", "--", value)
    assert result.exit_code == 2
    assert result.stderr.endswith(f"Error: Invalid value for 'count': {message}\n")


def test_views_refresh_is_its_own_command(cli) -> None:
    # The root group hands `views refresh ...` over (app.NESTED); `views SCENE COUNT` stays.
    result = cli("views", "refresh", "--older-than", "soon")
    assert result.exit_code == 2
    assert "Usage: scenecat views refresh [OPTIONS]" in result.stderr
    assert "'soon' is not a number of days" in result.stderr
    assert "Usage: scenecat views [OPTIONS] SCENE COUNT" in cli("views", "--help").stdout
