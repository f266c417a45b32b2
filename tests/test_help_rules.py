"""Every --help page at 80 columns keeps the rules issue 25 found broken: no `[QUERY......]`
placeholder, no TEXT for a number, no `<str>`, no line wider than 80 cells (Hangul counts
two), no option saying its default twice, and no help explained by another program ("as
beets weighs tags")."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer
from rich.cells import cell_len

from scenecat.cli.app import NESTED, _nested_command, integers
from tests.test_help import COMMANDS

GROUPS = sorted({command[:-1] for command in COMMANDS if len(command) > 1})
PAGES = [(), *GROUPS, *COMMANDS, *(tuple(name.split()) for name in NESTED)]
# Options whose value is a number whatever type carries it (a year is parsed as text first).
NUMERIC_NAMES = {"born", "year", "port", "days", "change", "episode", "episodes", "limit"}
OTHER_PROGRAMS = re.compile(r"\b(beets|click|typer|git|datasette's own)\b", re.IGNORECASE)


def _command(page: tuple[str, ...]) -> Any:
    from typer.main import get_command

    from scenecat.cli.app import app

    if " ".join(page) in NESTED:
        return _nested_command(" ".join(page))
    command: Any = get_command(app)
    for name in page:
        command = command.commands[name]
    return command


def _help(cli: Any, monkeypatch: pytest.MonkeyPatch, page: tuple[str, ...]) -> str:
    monkeypatch.setenv("COLUMNS", "80")
    result = cli(*page, "--help")
    assert result.exit_code == 0, result.stderr
    return str(result.stdout)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: " ".join(p) or "scenecat")
def test_help_page_rules(cli, monkeypatch: pytest.MonkeyPatch, page: tuple[str, ...]) -> None:
    text = _help(cli, monkeypatch, page)
    assert "......" not in text, text
    assert not re.search(r"<[a-z][a-z _|]*>", text), text  # <str>, <int>
    wide = [line for line in text.splitlines() if cell_len(line) > 80]
    assert wide == [], wide
    assert not OTHER_PROGRAMS.search(text), text


@pytest.mark.parametrize("page", PAGES, ids=lambda p: " ".join(p) or "scenecat")
def test_each_option_reads_as_its_value(page: tuple[str, ...]) -> None:
    command = _command(page)
    ctx = typer.Context(command, info_name=page[-1] if page else "scenecat")
    for param in command.params:
        record = param.get_help_record(ctx)
        if record is None:
            continue
        shown, help_text = record
        numeric = param.type is integers().bounded or param.name in NUMERIC_NAMES
        if numeric and not getattr(param, "is_flag", False):
            assert not shown.endswith(" TEXT"), (shown, help_text)
        # "hide (default) ... [default: hide]": once is enough.
        assert help_text.lower().count("default") <= 1, (shown, help_text)


def test_the_rules_see_what_they_forbid() -> None:
    assert OTHER_PROGRAMS.search("weighed as beets weighs tags")
    assert cell_len("  Hangul inside words (녹여 finds 날 녹여주오)" + "x" * 45) > 80
