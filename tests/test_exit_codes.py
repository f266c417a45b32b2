"""Usage errors (an invalid choice, a malformed or out-of-range value, options that do not go
together, a missing argument) exit 2 in every command; a value the catalogue cannot match
exits 1. Either way: one `Error:` line on stderr and the catalogue unchanged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import SAMPLE, Run, dump

KEY = "melting-me-softly-e10-shower-kiss"
SCENE = ["--drama", "Melting Me Softly", "--episode", "1", "--actor", "Ji Chang Wook"]
SCENE += ["--kind", "kiss", "--title", "A new one"]

USAGE = [
    (["rank", "--by", "bogus"], "--by 'bogus' is not one of"),
    (["rank", "--method", "bogus"], "--method 'bogus' is not one of"),
    (["rank", "--year", "20x"], "is not YYYY or YYYY..YYYY"),
    (["rank", "--year", "2020..2010"], "is empty"),
    (["rank", "--limit", "0"], "--limit must be between"),
    (["list", "scenes", "--limit", "0"], "--limit must be between"),
    (["list", "scenes", "--spoiler", "x"], "is not one of none, minor"),
    (["list", "scenes", "--episode", "0"], "episodes start at 1"),
    (["search", "rain", "--limit", "0"], "--limit must be between"),
    (["trending", "--days", "0"], "--days must be between"),
    (["trending", "--today", "2020-13-01"], "is not a date"),
    (["history", "--limit", "0"], "--limit must be at least 1"),
    (["undo", "0"], "give a number from 1 up"),
    (["export", "markdown", "--spoilers", "bogus"], "--spoilers 'bogus' is not one of"),
    (["export", "markdown", "--method", "bogus"], "--method 'bogus' is not one of"),
    (["export", "markdown", "--date", "2020-13-01"], "is not a date"),
    (["export", "markdown", "--watched", "foo"], "is not DRAMA:EPISODE"),
    (["export", "markdown", "--scene", KEY], "--scene is for the spotlight template"),
    (["export", "markdown", "--template", "drama"], "needs --drama TITLE"),
    (["export", "markdown", "--template", "actor"], "needs exactly one --actor"),
    (["export", "csv", "--limit", "0"], "--limit must be between"),
    (["add-scene", *SCENE, "--spoiler", "bogus"], "spoiler: 'bogus' is not one of"),
    (["add-scene", *SCENE, "--at", "99:99"], "at: time '99:99' is not mm:ss"),
    (["add-episode", "Melting Me Softly", "3", "--aired", "2019-13-01"], "is not a date"),
    (["add-actor", "Someone New", "--born", "3000"], "born: 3000 is out of range"),
    (["vote", KEY, "11"], "score: 11 is out of range 1..10"),
    (["views", KEY, "-5"], "a view count cannot be negative"),
    (["views", KEY, "abc"], "expected a whole number"),
    (["views", KEY, "5", "--on", "2019-13-01"], "is not a date"),
    (["views", KEY, "--source", "x"], "Missing argument"),
    (["edit", "scene", KEY, "--spoiler", "bogus"], "spoiler: 'bogus' is not one of"),
    (["edit", "actor", "Ji Chang Wook", "--born", "3000"], "born: 3000 is out of range"),
    (["import", str(SAMPLE), "--map", "a=b"], "--map is for .csv files"),
    (["rank", "--limit", "many"], "'many' is not a valid int"),
    (["show", "scene"], "Missing argument"),
    (["add-scene", *SCENE, "--clip-start", "1:00"], "--clip-start: goes with --clip"),
    (["edit", "scene", KEY, "--clip-start", "1:99"], "--clip-start: '1:99' is not a time"),
    (["edit", "scene", KEY, "--clip-start", "2:00", "--clip-end", "1:00"], "ends (1:00) before"),
    (["open"], "Missing argument"),
]

NOT_USAGE = [
    (["add-scene", *SCENE[2:], "--drama", "Nope"], "drama: no drama called 'Nope'"),
    (["show", "scene", "nope"], "no scene with key 'nope'"),
    (["rank", "--actor", "Nobody At All"], "no actor called"),
    (["import", "no-such-file.yaml"], "no file at"),
    (["export", "markdown", "--template", "bogus"], "no template 'bogus'"),
    (["open", "nope"], "no scene with key 'nope'"),
    (["open", "backstreet-rookie-e1-cigarette-request"], "has no clip to watch"),
    (["edit", "scene", "backstreet-rookie-e1-cigarette-request", "--clip-end", "1:00"], "no clip"),
]


def _check(cli: Callable[..., Run], db: Path, args: list[str], code: int, text: str) -> None:
    before = dump(db)
    result = cli(*args)
    assert result.exit_code == code, result
    assert text in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert dump(db) == before


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "text"), USAGE, ids=lambda v: " ".join(v) if isinstance(v, list) else ""
)
def test_usage_errors_exit_2(
    cli: Callable[..., Run], sample_db: Path, args: list[str], text: str
) -> None:
    _check(cli, sample_db, args, 2, text)


@pytest.mark.parametrize(
    ("args", "text"), NOT_USAGE, ids=lambda v: " ".join(v) if isinstance(v, list) else ""
)
def test_values_the_catalogue_cannot_match_exit_1(
    cli: Callable[..., Run], sample_db: Path, args: list[str], text: str
) -> None:
    _check(cli, sample_db, args, 1, text)
