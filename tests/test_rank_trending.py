"""`trending`: views gained per day between snapshots inside the window, per source."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import dump
from tests.test_rank import scene, views


@pytest.fixture
def trend_db(db: Path, cli, tmp_path: Path) -> Path:
    from tests.test_rank import write_catalogue

    records = [
        # 1000 -> 3000 in 10 days on the official clip (200/day), 500 -> 600 in 1 day on a fan
        # edit (100/day): 300 views a day, 2100 gained.
        scene(
            "a-kiss",
            views=[
                views(1000, "2024-01-01"),
                views(2000, "2024-01-06"),
                views(3000, "2024-01-11"),
                views(500, "2024-01-05", "fan"),
                views(600, "2024-01-06", "fan"),
            ],
        ),
        # 100 -> 1100 in 10 days: 100/day; an older snapshot before the window is ignored.
        scene(
            "b-kiss",
            views=[views(1, "2023-06-01"), views(100, "2024-01-02"), views(1100, "2024-01-12")],
        ),
        # one snapshot in the window (the other is older): left out, counted
        scene("c-fight", "fight", views=[views(10, "2023-01-01"), views(50, "2024-01-03")]),
        # two snapshots, but from two sources: no growth measurable, counted
        scene("d-kiss", views=[views(10, "2024-01-03"), views(90, "2024-01-04", "fan")]),
        # two snapshots on the same day: no time between them, counted
        scene("e-kiss", views=[views(10, "2024-01-03"), views(90, "2024-01-03")]),
        # nothing in the window: not counted at all
        scene("f-kiss", views=[views(10, "2020-01-03"), views(90, "2020-02-03")]),
        # a count that dropped (a re-upload): negative growth, measured but not trending
        scene("g-kiss", views=[views(900, "2024-01-02"), views(100, "2024-01-10")]),
    ]
    result = cli("import", str(write_catalogue(tmp_path / "trend.jsonl", records)))
    assert result.exit_code == 0, result.stderr
    return db


def trend(cli, *args: str) -> tuple[list[dict], dict]:
    result = cli("trending", "--today", "2024-01-12", *args, "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    return document["data"], document["meta"]


def test_views_per_day_hand_computed(trend_db: Path, cli) -> None:
    data, meta = trend(cli, "--days", "11")
    assert (meta["since"], meta["until"], meta["days"]) == ("2024-01-01", "2024-01-12", 11)
    assert [e["key"] for e in data] == ["a-kiss", "b-kiss"]  # only rising scenes trend
    a, b = data
    assert (a["per_day"], a["gained"]) == (300.0, 2100)
    assert [(s["source"], s["gained"], s["days"], s["per_day"]) for s in a["sources"]] == [
        ("fan", 100, 1, 100.0),
        ("official", 2000, 10, 200.0),
    ]
    assert (b["per_day"], b["gained"]) == (100.0, 1000)
    assert meta["single_snapshot"] == 3  # c, d and e; f has nothing in the window
    # g fell from 900 to 100 over 8 days (-100 a day): measured, counted, not listed.
    assert (meta["measured"], meta["not_rising"]) == (2, 1)


def test_window_edges_are_inclusive(trend_db: Path, cli) -> None:
    # --days 10 starts on 2024-01-02: a's official clip now runs 2000 -> 3000 over 5 days.
    data, _ = trend(cli, "--days", "10")
    a = next(e for e in data if e["key"] == "a-kiss")
    official = next(s for s in a["sources"] if s["source"] == "official")
    assert (official["from"]["on"], official["to"]["on"], official["per_day"]) == (
        "2024-01-06",
        "2024-01-11",
        200.0,
    )


def test_scope_and_limit(trend_db: Path, cli) -> None:
    data, meta = trend(cli, "--days", "11", "--kind", "fight")
    assert data == [] and meta["single_snapshot"] == 1
    data, meta = trend(cli, "--days", "11", "--limit", "1")
    assert [e["key"] for e in data] == ["a-kiss"] and meta["measured"] == 2


def test_table_has_bars_and_a_footer_for_single_snapshots(
    trend_db: Path, cli, terminal: None
) -> None:
    result = cli("trending", "--today", "2024-01-12", "--days", "11")
    assert result.exit_code == 0, result.stderr
    assert "Trending: views gained per day, 2024-01-01 to 2024-01-12" in result.stdout
    assert "300 ████████" in result.stdout
    assert "+2.1K" in result.stdout and "-800" not in result.stdout  # g fell: not listed
    words = " ".join(result.stdout.split())
    assert "2 rising scenes." in words
    assert "Not listed: 1 scene measured with flat or falling views" in words
    assert "3 scenes with a single snapshot (per source) in the window left out" in words


def test_sample_catalogue(sample_db: Path, cli) -> None:
    data, meta = trend(cli, "--days", "400", "--today", "2020-08-31")
    # the last --today wins; the shower kiss gained 1,850,000 - 350,000 on tvN between
    # 2019-10-29 and 2020-08-15 (291 days)
    assert meta["until"] == "2020-08-31"
    assert data[0]["key"] == "melting-me-softly-e10-shower-kiss"
    assert data[0]["gained"] == 1_500_000
    assert data[0]["per_day"] == pytest.approx(1_500_000 / 291)


def test_nothing_in_the_window(sample_db: Path, cli) -> None:
    result = cli("trending", "--today", "2030-01-01", "--days", "7")
    assert result.exit_code == 0
    assert "No scene has two view counts from one source in 2029-12-25..2030-01-01" in (
        result.stderr
    )


BAD = {
    "zero days": (["--days", "0"], 2, "Error: --days must be between 1 and 36,500, got 0"),
    "negative days": (["--days", "-3"], 2, "Error: --days must be between 1 and 36,500, got -3"),
    "days not a number": (["--days", "week"], 2, "Error: Invalid value for '--days'"),
    "bad today": (["--today", "2024-13-01"], 2, "Error: --until '2024-13-01' is not a date"),
    "limit zero": (["--limit", "0"], 2, "Error: --limit must be between 1 and"),
    "unknown drama": (["--drama", "No Such Drama"], 1, "Error: no drama called 'No Such Drama'"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_trending_input(sample_db: Path, cli, case: str) -> None:
    args, code, expected = BAD[case]
    before = dump(sample_db)
    result = cli("trending", *args)
    assert result.exit_code == code, result.stderr
    assert expected in result.stderr
    assert len([line for line in result.stderr.splitlines() if "Error: " in line]) == 1
    assert result.stdout == ""
    assert dump(sample_db) == before
