"""`scenecat duel` with no keys outside a terminal, and the flags that belong to a session:
each refusal is one `Error:` line (and a hint), a usage error's exit code, and nothing
changes. `duel WINNER LOSER` works as before (tests/test_signals.py has its own errors)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run, dump

SHOWER = "melting-me-softly-e10-shower-kiss"
ROOFTOP = "healer-e9-snowy-rooftop-kiss"


def test_a_session_without_a_terminal_is_refused_with_the_non_interactive_way(
    cli: Callable[..., Run], sample_db: Path
) -> None:
    before = dump(sample_db)
    result = cli("duel", "--actor", "Ji Chang Wook")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: `duel` with no scenes starts a session of questions, which needs a terminal; "
        "standard input is not one",
        "hint: record one duel without a terminal: scenecat duel WINNER LOSER",
    ]
    assert result.stdout == ""
    assert dump(sample_db) == before


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["duel", SHOWER], "Error: a duel needs two scenes, WINNER and LOSER (or none, for a session)"),
        (["duel", SHOWER, ROOFTOP, "--kind", "kiss"], "Error: --kind: only for a session of duels, which takes no keys"),
        (["duel", SHOWER, ROOFTOP, "--actor", "Ji Chang Wook", "--rounds", "3"], "Error: --actor, --rounds: only for a session of duels, which takes no keys"),
        (["duel", SHOWER, ROOFTOP, "--spoilers", "show"], "Error: --spoilers: only for a session of duels, which takes no keys"),
        (["duel", SHOWER, ROOFTOP, "--location", "rooftop"], "Error: --location: only for a session of duels, which takes no keys"),
        (["duel", "--spoilers", "loud"], "Error: --spoilers 'loud' is not one of hide, warn, show"),
        (["duel", "--rounds", "0"], "Error: --rounds must be 1 or more, got 0"),
        (["duel", "--voter", "bad\x1bname"], "Error: voter: "),
        (["duel", "--on", "2999-01-01"], "Error: on: 2999-01-01 is in the future"),
    ],
    ids=["one key", "a filter with keys", "filters and rounds with keys", "spoilers with keys",
         "a declared filter with keys", "unknown spoiler mode", "no rounds", "control character in voter",
         "future date"],
)  # fmt: skip
def test_session_flags_that_cannot_apply_are_usage_errors(
    cli: Callable[..., Run], sample_db: Path, args: list[str], error: str
) -> None:
    before = dump(sample_db)
    result = cli(*args)
    assert result.exit_code == 2, result
    lines = result.stderr.splitlines()
    assert lines[0].startswith(error), lines
    assert all(not line.startswith("Error:") for line in lines[1:]), lines
    assert dump(sample_db) == before


def test_two_keys_still_record_one_duel(cli: Callable[..., Run], sample_db: Path) -> None:
    result = cli("duel", ROOFTOP, SHOWER, "--voter", "friend")
    assert result.exit_code == 0, result
    assert result.stderr == f"Recorded: {ROOFTOP} beats {SHOWER}\n"
    history = cli("history", "--limit", "1")
    assert f"duel {ROOFTOP} {SHOWER}" in history.stdout


def test_help_tells_both_ways(cli: Callable[..., Run], db: Path) -> None:
    result = cli("duel", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "Usage: scenecat duel [OPTIONS] [WINNER] [LOSER]" in text
    assert "With no keys, two scenes at a time are shown in the terminal" in text
    for flag in ("--actor", "--kind", "--drama", "--spoilers", "--rounds INTEGER", "--voter"):
        assert flag in text
    # A session's --spoilers replaces the --spoiler filter, as in `export markdown`.
    assert "--spoiler LEVEL" not in text


def test_a_session_on_a_missing_catalogue_creates_nothing(
    cli: Callable[..., Run], db: Path
) -> None:
    result = cli("duel")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: there is no catalogue at {db}")
    assert not db.exists()
