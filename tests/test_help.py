"""Every command has help text with an example, reachable through the real CLI."""

from __future__ import annotations

from typing import Any

import pytest

from scenecat.cli.app import app


def _commands() -> list[tuple[str, ...]]:
    from typer.main import get_command

    root = get_command(app)
    found: list[tuple[str, ...]] = []

    def walk(command: Any, path: tuple[str, ...]) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                walk(sub, (*path, name))
        else:
            found.append(path)

    walk(root, ())
    return found


COMMANDS = _commands()


def test_core_commands_exist() -> None:
    names = {" ".join(c) for c in COMMANDS}
    for expected in (
        "init", "add-actor", "add-drama", "add-episode", "add-scene", "views", "vote", "duel",
        "list scenes", "list actors", "list dramas", "list episodes", "show actor",
        "show drama", "show scene", "edit actor", "edit drama", "edit scene", "remove scene",
        "alias actor", "merge actor", "import", "export yaml", "export jsonl", "db path",
        "db check",
    ):  # fmt: skip
        assert expected in names


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_every_command_has_help_with_example(cli, command: tuple[str, ...]) -> None:
    result = cli(*command, "--help")
    assert result.exit_code == 0, result.stderr
    assert "Example: scenecat" in result.stdout
    assert "Usage: scenecat" in result.stdout


def test_version(cli) -> None:
    from scenecat import __version__

    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"scenecat {__version__}"


def test_no_arguments_shows_help(cli) -> None:
    result = cli()
    assert "Usage: scenecat" in result.stdout + result.stderr
