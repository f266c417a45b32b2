"""Fan signals through the command line: vote, duel, views; their bad input changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import dump

SHOWER = "melting-me-softly-e10-shower-kiss"
ROOFTOP = "healer-e9-snowy-rooftop-kiss"

BAD = {
    "score 0": (["vote", SHOWER, "0"], "Error: score: 0 is out of range 1..10"),
    "score 11": (["vote", SHOWER, "11"], "Error: score: 11 is out of range 1..10"),
    "score 7.5": (["vote", SHOWER, "7.5"], "Error: score: expected a whole number, got '7.5'"),
    "score NaN": (["vote", SHOWER, "NaN"], "Error: score: expected a whole number, got 'NaN'"),
    "score inf": (["vote", SHOWER, "inf"], "Error: score: expected a whole number, got 'inf'"),
    "score negative": (["vote", SHOWER, "-3"], "Error: score: -3 is out of range 1..10"),
    "score words": (["vote", SHOWER, "nine"], "Error: score: expected a whole number, got 'nine'"),
    "vote unknown scene": (["vote", "no-such-scene", "7"], "Error: no scene with key 'no-such-scene'"),
    "vote empty voter": (["vote", SHOWER, "7", "--voter", " "], "Error: voter: must not be empty"),
    "vote in the future": (["vote", SHOWER, "7", "--on", "2999-01-01"], "Error: on: 2999-01-01 is in the future"),
    "vote bad date": (["vote", SHOWER, "7", "--on", "2020-02-30"], "Error: on: '2020-02-30' is not a date"),
    "duel with itself": (["duel", SHOWER, SHOWER], "Error: loser: a scene cannot duel itself"),
    "duel with itself, spelled apart": (["duel", SHOWER, SHOWER.upper()], "Error: loser: a scene cannot duel itself"),
    "duel unknown winner": (["duel", "no-such-scene", SHOWER], "Error: winner: no scene with key 'no-such-scene'"),
    "duel unknown loser": (["duel", SHOWER, "no-such-scene"], "Error: loser: no scene with key 'no-such-scene'"),
    "duel in the future": (["duel", SHOWER, ROOFTOP, "--on", "2999-01-01"], "Error: on: 2999-01-01 is in the future"),
    "negative views": (["views", SHOWER, "-5"], "Error: count: a view count cannot be negative, got -5"),
    "negative views with commas": (["views", SHOWER, "-1,000"], "Error: count: a view count cannot be negative"),
    "fractional views": (["views", SHOWER, "1.5"], "Error: count: expected a whole number, got '1.5'"),
    "views NaN": (["views", SHOWER, "nan"], "Error: count: expected a whole number, got 'nan'"),
    "views unknown scene": (["views", "no-such-scene", "5", "--on", "2020-01-01"], "Error: no scene with key 'no-such-scene'"),
    "views in the future": (["views", SHOWER, "5", "--on", "2999-01-01"], "Error: on: 2999-01-01 is in the future"),
    "views not a date": (["views", SHOWER, "5", "--on", "yesterday"], "Error: on: 'yesterday' is not a date"),
}  # fmt: skip
# Wrong whatever the catalogue holds: usage errors, exit 2. The rest (unknown scenes, and a
# self-duel seen only once both keys are looked up) exit 1.
CATALOGUE_ERRORS = {
    "vote unknown scene",
    "duel with itself, spelled apart",
    "duel unknown winner",
    "duel unknown loser",
    "views unknown scene",
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_signal_is_one_line_and_writes_nothing(sample_db: Path, cli, case: str) -> None:
    args, expected = BAD[case]
    before = dump(sample_db)
    result = cli(*args)
    assert result.exit_code == (1 if case in CATALOGUE_ERRORS else 2), result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith(expected), result.stderr
    assert len([line for line in lines if line.startswith("Error: ")]) == 1
    assert all(line.startswith(("Error: ", "hint: ")) for line in lines), result.stderr
    assert result.stdout == ""
    assert dump(sample_db) == before


def _current_votes(cli, key: str) -> list[tuple[str, int]]:
    shown = json.loads(cli("show", "scene", key, "--json").stdout)["data"]
    return [(v["voter"], v["score"]) for v in shown["votes"]]


def _votes_in_export(cli, key: str) -> list[tuple[str, int, str]]:
    lines = cli("export", "jsonl").stdout.splitlines()
    records = [json.loads(line) for line in lines[1:]]
    return [
        (r["voter"], r["score"], r["on"])
        for r in records
        if r.get("type") == "vote" and r["scene"] == key
    ]


def test_a_new_vote_replaces_the_old_one_and_history_is_kept(sample_db: Path, cli) -> None:
    key = "the-k2-e1-subway-stranger"  # sample: one vote, joon 9
    first = cli("vote", key, "6", "--voter", "dana", "--on", "2021-01-01")
    assert first.exit_code == 0 and "dana gave 6/10" in first.stderr
    second = cli("vote", key, "8", "--voter", "dana", "--on", "2021-02-01")
    assert second.exit_code == 0
    assert "replaces dana's earlier vote of 6" in second.stderr
    assert sorted(_current_votes(cli, key)) == [("dana", 8), ("joon", 9)]
    assert sorted(_votes_in_export(cli, key)) == [
        ("dana", 6, "2021-01-01"),
        ("dana", 8, "2021-02-01"),
        ("joon", 9, "2020-07-11"),
    ]
    # Recording an older vote afterwards keeps it in the history but not as the current one.
    late = cli("vote", key, "2", "--voter", "dana", "--on", "2020-12-01")
    assert late.exit_code == 0
    assert sorted(_current_votes(cli, key)) == [("dana", 8), ("joon", 9)]
    ranked = json.loads(
        cli("rank", "--drama", "The K2", "--method", "votes", "--json", "--limit", "50").stdout
    )["data"]
    entry = next(e for e in ranked if e["key"] == key)
    assert entry["parts"]["votes"]["count"] == 2
    assert entry["parts"]["votes"]["mean"] == 8.5  # (8 + 9) / 2: dana's current vote only


def test_the_same_vote_twice_changes_nothing(sample_db: Path, cli) -> None:
    before = dump(sample_db)
    again = cli("vote", SHOWER, "9", "--voter", "me", "--on", "2019-11-11")  # as in the sample
    assert again.exit_code == 0
    assert "already recorded" in again.stderr
    assert dump(sample_db) == before


def test_duel_is_recorded_once(sample_db: Path, cli) -> None:
    args = ("duel", ROOFTOP, "the-k2-e10-under-the-blanket", "--on", "2022-01-01")
    first = cli(*args)
    assert first.exit_code == 0 and "beats" in first.stderr
    after_first = dump(sample_db)
    second = cli(*args)
    assert second.exit_code == 0 and "already recorded" in second.stderr
    assert dump(sample_db) == after_first
    data = json.loads(cli("rank", "--kind", "kiss", "--json", "--limit", "100").stdout)["data"]
    rooftop = next(e for e in data if e["key"] == ROOFTOP)["parts"]["duels"]
    # sample: beat the shower kiss and the kiss without music, lost to Crash Landing on You
    assert (rooftop["won"], rooftop["lost"], rooftop["count"]) == (3, 1, 4)


def test_views_lower_than_earlier_is_a_warning_and_is_kept(sample_db: Path, cli) -> None:
    before = dump(sample_db)
    result = cli(
        "views", SHOWER, "900,000", "--on", "2020-09-01", "--source", "tvN official upload"
    )
    assert result.exit_code == 0
    warning = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert warning == [
        "warning: 900,000 views is lower than the 1,850,000 on tvN official upload seen "
        "2020-08-15; recorded anyway (a re-upload or a different clip?)"
    ]
    assert dump(sample_db) != before
    # The latest count of that source is now the lower one; another source keeps its own.
    data = json.loads(cli("rank", "--kind", "kiss", "--json", "--limit", "100").stdout)["data"]
    views = next(e for e in data if e["key"] == SHOWER)["parts"]["views"]
    assert (views["latest"], views["source"], views["on"]) == (
        900_000,
        "tvN official upload",
        "2020-09-01",
    )


def test_views_from_another_source_do_not_warn(sample_db: Path, cli) -> None:
    result = cli("views", SHOWER, "1000", "--on", "2020-09-01", "--source", "a fan's reupload")
    assert result.exit_code == 0
    assert "warning" not in result.stderr
    assert "Recorded 1,000 views" in result.stderr
