"""--help as a person reads it at 80 and 60 columns: examples that can be copied and pasted
as printed, placeholders that say what to type, and command lists with whole sentences."""

from __future__ import annotations

import re
from typing import Any

import pytest
from rich.cells import cell_len

from tests.test_help import COMMANDS

# Every group too, for their command lists.
GROUPS = sorted({command[:-1] for command in COMMANDS if len(command) > 1})
PAGES = [(), *GROUPS, *COMMANDS]


def _help(cli: Any, monkeypatch: pytest.MonkeyPatch, page: tuple[str, ...], width: int) -> str:
    monkeypatch.setenv("COLUMNS", str(width))
    result = cli(*page, "--help")
    assert result.exit_code == 0, result.stderr
    return str(result.stdout)


def _example(page: tuple[str, ...]) -> list[str]:
    """The example as written in the command's help (the paragraph from `Example:`)."""
    from typer.main import get_command

    from scenecat.cli.app import app

    command: Any = get_command(app)
    for name in page:
        command = command.commands[name]
    text = command.help or ""
    assert "Example:" in text, page
    paragraph = text[text.index("Example:") :].split("\n\n")[0]
    return paragraph.split("\n")


@pytest.mark.slow
@pytest.mark.parametrize("width", [80, 60])
@pytest.mark.parametrize("page", COMMANDS, ids=" ".join)
def test_examples_print_verbatim(cli, monkeypatch, page: tuple[str, ...], width: int) -> None:
    shown = _help(cli, monkeypatch, page, width).split("\n")
    lines = _example(page)
    # The example's lines, each whole and in order, indented as one block.
    first = next(i for i, line in enumerate(shown) if line.strip() == lines[0].strip())
    indent = shown[first][: len(shown[first]) - len(shown[first].lstrip())]
    assert shown[first : first + len(lines)] == [indent + line for line in lines]
    # Continued lines end in a backslash: pasted into a shell they are one command.
    assert all(line.endswith(" \\") for line in lines[:-1]), lines
    # ...and they fit an 80-column terminal, so that nothing wraps there.
    assert all(cell_len(indent + line) <= 80 for line in lines), lines


@pytest.mark.slow
@pytest.mark.parametrize("width", [80, 60])
@pytest.mark.parametrize("page", PAGES, ids=lambda p: " ".join(p) or "scenecat")
def test_help_reads_cleanly(cli, monkeypatch, page: tuple[str, ...], width: int) -> None:
    text = _help(cli, monkeypatch, page, width)
    # Placeholders are words such as NAME, PATH, INTEGER: never <str> or {name}.
    assert not re.search(r"<[a-z][a-z _|]*>", text), text
    assert not re.search(r"\{[a-z_]+\}", text), text
    # No run of blank lines (a stray \b paragraph used to leave three).
    assert "\n\n\n" not in text, text
    # Command lists: one whole sentence per command, never cut with "...".
    if "Commands:" in text:
        listing = text.split("Commands:\n", 1)[1].split("\n\n")[0].strip("\n").split("\n")
        assert listing and all(line.rstrip().endswith(".") for line in listing), listing
        assert not any(line.rstrip().endswith("...") for line in listing), listing
        assert all(cell_len(line) <= width for line in listing), listing
