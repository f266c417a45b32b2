"""The per-scene signals table (storage/scene_signals.py) stays equal to a from-scratch
recomputation, written here in Python from the raw rows, after every kind of write: votes,
duels, views, removals, merges, imports (bulk and record by record), undo, restore, the
upgrade from an old catalogue, and a process killed half-way. `db check` reports a table
that has drifted."""

from __future__ import annotations

import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from tests.fixtures.safety import OLD_CATALOGUE, raw_dump
from tests.test_crash import EXTRA, _assert_killed, _run, _statements

Row = tuple[int, int, int, int | None, int, int]


def recomputed(path: Path) -> dict[int, Row]:
    """Every scene's signals from the raw tables, independently of the SQL under test."""
    conn = sqlite3.connect(path)
    try:
        rows: dict[int, list[object]] = {
            sid: [sid, 0, 0, None, 0, 0] for (sid,) in conn.execute("SELECT id FROM scene")
        }
        for sid, score in conn.execute("SELECT scene_id, score FROM vote WHERE current = 1"):
            rows[sid][1] += 1  # type: ignore[operator]
            rows[sid][2] += score  # type: ignore[operator]
        for winner, loser in conn.execute("SELECT winner_id, loser_id FROM duel"):
            rows[winner][4] += 1  # type: ignore[operator]
            rows[loser][5] += 1  # type: ignore[operator]
        # Latest views: per source, the largest count on its latest date (undated counts are
        # the oldest); the scene's figure is the largest over its sources.
        latest: dict[tuple[int, str], tuple[str, int]] = {}
        for sid, count, on, source in conn.execute(
            "SELECT scene_id, count, observed_on, source FROM view_count"
        ):
            day = on or ""
            seen = latest.get((sid, source))
            if seen is None or day > seen[0] or (day == seen[0] and count > seen[1]):
                latest[(sid, source)] = (day, count)
        for (sid, _source), (_day, count) in latest.items():
            current = rows[sid][3]
            if current is None or count > current:  # type: ignore[operator]
                rows[sid][3] = count
        return {sid: tuple(row) for sid, row in rows.items()}  # type: ignore[misc]
    finally:
        conn.close()


def stored(path: Path) -> dict[int, Row]:
    conn = sqlite3.connect(path)
    try:
        return {
            row[0]: row
            for row in conn.execute(
                "SELECT scene_id, votes, vote_sum, views, wins, losses FROM scene_signal"
            )
        }
    finally:
        conn.close()


def classes(path: Path) -> tuple[Counter[tuple[object, ...]], Counter[tuple[object, ...]]]:
    """(class counts from the scenes' own rows, the stored signal_class table), plus each
    row's derived columns checked against its own values."""
    conn = sqlite3.connect(path)
    try:
        kinds = dict(conn.execute("SELECT id, kind FROM scene"))
        expected: Counter[tuple[object, ...]] = Counter()
        for sid, votes, total, views, wins, losses in recomputed(path).values():
            expected[(kinds[sid], votes, total, wins + losses, int(views is not None))] += 1
        table: Counter[tuple[object, ...]] = Counter()
        for *key, scenes in conn.execute(
            "SELECT kind, votes, vote_sum, duels, has_views, scenes FROM signal_class"
        ):
            table[tuple(key)] = scenes
        for kind, duels, has_views, scene_id, wins, losses, views in conn.execute(
            "SELECT kind, duels, has_views, scene_id, wins, losses, views FROM scene_signal"
        ):
            assert (kind, duels, has_views) == (
                kinds[scene_id],
                wins + losses,
                int(views is not None),
            )
        return expected, table
    finally:
        conn.close()


def assert_current(path: Path) -> None:
    expected = recomputed(path)
    assert expected, "no scenes: the comparison would prove nothing"
    assert stored(path) == expected
    from_rows, table = classes(path)
    assert table == from_rows


def ok(result) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.stderr


KISS = "melting-me-softly-e7-first-kiss"
HUG = "melting-me-softly-e10-editing-room-hug"


def test_sample_catalogue_has_signals_with_votes_duels_and_views(sample_db: Path) -> None:
    assert_current(sample_db)
    rows = stored(sample_db).values()
    assert any(r[1] for r in rows) and any(r[3] is not None for r in rows)
    assert any(r[4] for r in rows) and any(r[5] for r in rows)


@pytest.mark.slow
def test_votes_duels_and_views_keep_signals_current_and_undo_puts_them_back(
    cli, sample_db: Path
) -> None:
    states = [stored(sample_db)]
    steps = [
        ("vote", KISS, "3", "--voter", "newcomer", "--on", "2024-01-01"),
        ("vote", KISS, "10", "--voter", "newcomer", "--on", "2024-02-01"),  # replaces it
        ("vote", KISS, "1", "--voter", "newcomer", "--on", "2023-01-01"),  # older: not current
        ("duel", HUG, KISS),
        ("duel", KISS, HUG, "--voter", "friend"),
        ("views", KISS, "123456789", "--on", "2025-05-05", "--source", "new upload"),
        ("views", HUG, "5", "--on", "2025-05-05"),
        ("edit", "scene", KISS, "--kind", "confession"),
    ]
    for step in steps:
        ok(cli(*step))
        assert_current(sample_db)
        states.append(stored(sample_db))
    assert states[-1] != states[0]
    for expected in reversed(states[:-1]):
        ok(cli("undo", "--yes"))
        assert_current(sample_db)
        assert stored(sample_db) == expected


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        ("remove", "scene", KISS, "--yes"),
        ("remove", "drama", "Melting Me Softly", "--yes"),
        ("remove", "episode", "Melting Me Softly", "10", "--yes"),
        ("merge", "actor", "Ji Chang Wook", "Won Jin Ah", "--yes"),
    ],
)
def test_removals_and_merges_keep_signals_current_and_undo_restores_them(
    cli, sample_db: Path, command: tuple[str, ...]
) -> None:
    before = stored(sample_db)
    ok(cli(*command))
    assert_current(sample_db)
    if command[:2] in (("remove", "scene"), ("remove", "drama")):
        assert len(stored(sample_db)) < len(before)
    ok(cli("undo", "--yes"))
    assert_current(sample_db)
    assert stored(sample_db) == before


@pytest.mark.slow
@pytest.mark.parametrize("start", ["empty", "sample"])
def test_imports_bulk_and_record_by_record_leave_signals_current(
    cli, db: Path, sample_template: Path, tmp_path: Path, start: str
) -> None:
    source = tmp_path / "extra.yaml"
    source.write_text(EXTRA, encoding="utf-8")
    if start == "sample":
        shutil.copyfile(sample_template, db)
    else:
        ok(cli("init"))
    ok(cli("import", str(source)))
    assert_current(db)
    assert len(stored(db)) >= 40
    ok(cli("db", "check"))
    ok(cli("undo", "--yes"))
    assert stored(db) == recomputed(db)
    if start == "empty":
        assert stored(db) == {}
    else:
        assert_current(db)


def test_bulk_import_of_the_sample_equals_the_record_by_record_one(
    cli, db: Path, sample_template: Path
) -> None:
    # sample_template was imported through the bulk path into an empty catalogue
    ok(cli("init"))
    ok(cli("import", "data/sample.yaml"))
    assert stored(db) == stored(sample_template)
    assert_current(db)


def test_restore_brings_the_signals_of_the_copy(cli, sample_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    ok(cli("db", "backup", str(copy)))
    saved = stored(sample_db)
    ok(cli("vote", KISS, "1", "--voter", "spoiler"))
    ok(cli("remove", "scene", HUG, "--yes"))
    assert stored(sample_db) != saved
    ok(cli("db", "restore", str(copy), "--yes"))
    assert_current(sample_db)
    assert stored(sample_db) == saved


def test_upgrade_from_the_first_schema_builds_the_signals(cli, db: Path) -> None:
    shutil.copyfile(OLD_CATALOGUE, db)
    ok(cli("db", "check"))
    assert_current(db)
    ok(cli("vote", KISS, "2", "--voter", "after-upgrade"))
    assert_current(db)


def test_db_check_reports_signals_that_drifted(cli, sample_db: Path) -> None:
    conn = sqlite3.connect(sample_db)
    with conn:
        conn.execute(
            "UPDATE scene_signal SET votes = votes + 1 "
            "WHERE scene_id = (SELECT id FROM scene WHERE key = ?)",
            (KISS,),
        )
    conn.close()
    result = cli("db", "check")
    assert result.exit_code == 1
    assert f"1 scene whose stored signals differ from their votes, duels and views: {KISS}" in (
        result.stderr
    )
    assert "db check --repair" in result.stderr
    history = cli("history").stdout
    ok(cli("db", "check", "--repair"))
    assert_current(sample_db)
    assert cli("history").stdout == history  # derived data: no change to undo


def test_db_check_reports_a_missing_trigger(cli, sample_db: Path) -> None:
    conn = sqlite3.connect(sample_db)
    with conn:
        conn.execute("DROP TRIGGER scene_signal_vote_upd")
    conn.close()
    result = cli("db", "check")
    assert result.exit_code == 1
    assert "scene_signal trigger missing: scene_signal_vote_upd" in result.stderr
    ok(cli("db", "check", "--repair"))
    ok(cli("vote", KISS, "2", "--voter", "after-repair"))
    assert_current(sample_db)


def test_signals_are_not_logged_by_the_history(sample_db: Path) -> None:
    conn = sqlite3.connect(sample_db)
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    finally:
        conn.close()
    assert not any(name.startswith("history_scene_signal") for name in names)


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["vote", KISS, "4", "--voter", "crash"],
        ["remove", "drama", "Melting Me Softly", "--yes"],
    ],
)
def test_a_write_killed_at_any_point_leaves_signals_as_before(
    cli, sample_template: Path, tmp_path: Path, args: list[str]
) -> None:
    base = tmp_path / "base.db"
    shutil.copyfile(sample_template, base)
    before = stored(base)
    finished = tmp_path / "finished.db"
    shutil.copyfile(base, finished)
    total = _statements(finished, args, tmp_path)
    assert_current(finished)
    assert stored(finished) != before
    for point in [*sorted({1, total // 2, total - 1} - {0}), "COMMIT"]:
        victim = tmp_path / f"victim-{point}.db"
        shutil.copyfile(base, victim)
        env = {"CRASH_ON": "COMMIT"} if point == "COMMIT" else {"CRASH_AT": str(point)}
        _assert_killed(_run(victim, args, **env))
        ok(cli("--db", str(victim), "db", "check"))
        assert stored(victim) == before, f"killed at {point}"
        assert_current(victim)


@pytest.mark.slow
def test_undo_killed_half_way_leaves_signals_of_the_change(
    cli, sample_template: Path, tmp_path: Path
) -> None:
    base = tmp_path / "base.db"
    shutil.copyfile(sample_template, base)
    ok(cli("--db", str(base), "remove", "drama", "Healer", "--yes"))
    before_raw = raw_dump(base)
    finished = tmp_path / "finished.db"
    shutil.copyfile(base, finished)
    total = _statements(finished, ["undo", "--yes"], tmp_path)
    assert_current(finished)
    victim = tmp_path / "victim.db"
    shutil.copyfile(base, victim)
    _assert_killed(_run(victim, ["undo", "--yes"], CRASH_AT=str(total // 2)))
    assert raw_dump(victim) == before_raw
    assert_current(victim)
