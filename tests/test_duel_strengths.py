"""The Bradley-Terry strengths cached in scene_signal.strength and the class tops in
signal_class (storage/duel_strengths.py, storage/scene_signals.py) stay equal to a
from-scratch computation after every kind of write: duels, votes, views, edits, removals,
imports (bulk and record by record), undo, restore, the upgrade from an old catalogue, a
process killed half-way and processes writing at once. Duels written by another program are
fitted when read, so rankings stay exact; `db check` reports a cache that has drifted and
`--repair` fits it again.

The expected values are computed here from the raw rows: one fit of every duel of the
catalogue (strengths depend on whole components, so a fit of everything is the reference
for the component-by-component refits), and the tops as the largest views and strength of
each class's rows.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from scenecat.scoring.bradley_terry import bradley_terry_counts
from scenecat.scoring.params import RankParams
from tests.fixtures.safety import OLD_CATALOGUE, finish_workers, scene_keys, start_workers
from tests.test_crash import _assert_killed, _run, _statements

KISS = "melting-me-softly-e7-first-kiss"
HUG = "melting-me-softly-e10-editing-room-hug"
SHOWER = "melting-me-softly-e10-shower-kiss"
LONELY = "healer-e8-elevator-rescue"  # no duels in the sample: a new component


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)


def expected_strengths(path: Path) -> dict[int, float]:
    conn = _connect(path)
    try:
        pairs = Counter(conn.execute("SELECT winner_id, loser_id FROM duel"))
    finally:
        conn.close()
    return bradley_terry_counts(dict(pairs), RankParams().bt_prior)


def stored_strengths(path: Path) -> dict[int, float | None]:
    """The strength of every scene that has duels or a strength."""
    conn = _connect(path)
    try:
        return dict(
            conn.execute(
                "SELECT scene_id, strength FROM scene_signal "
                "WHERE duels > 0 OR strength IS NOT NULL"
            )
        )
    finally:
        conn.close()


def tops(path: Path) -> tuple[dict[tuple[object, ...], tuple[object, ...]], ...]:
    """(signal_class as stored, the same counted from scene_signal's rows in Python)."""
    conn = _connect(path)
    try:
        counted: dict[tuple[object, ...], list[object]] = {}
        for kind, votes, total, duels, has_views, views, strength in conn.execute(
            "SELECT kind, votes, vote_sum, duels, has_views, views, strength FROM scene_signal"
        ):
            row = counted.setdefault((kind, votes, total, duels, has_views), [0, None, None])
            row[0] += 1  # type: ignore[operator]
            if views is not None and (row[1] is None or views > row[1]):  # type: ignore[operator]
                row[1] = views
            if strength is not None and (row[2] is None or strength > row[2]):  # type: ignore[operator]
                row[2] = strength
        table = {
            tuple(key): tuple(rest)
            for *key, scenes, top_views, top_strength in conn.execute(
                "SELECT kind, votes, vote_sum, duels, has_views, scenes, top_views, "
                "top_strength FROM signal_class"
            )
            for rest in [(scenes, top_views, top_strength)]
        }
        return table, {key: tuple(value) for key, value in counted.items()}
    finally:
        conn.close()


def assert_cached(path: Path) -> None:
    """Every scene with duels holds the strength of a fit of every duel, to the last bit,
    nothing is left marked, and the class tops are those of the rows."""
    expected = expected_strengths(path)
    assert expected, "no duels: the comparison would prove nothing"
    assert stored_strengths(path) == expected
    table, counted = tops(path)
    assert table == counted


def ok(result) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.stderr


def test_the_sample_has_a_strength_for_every_scene_with_duels(sample_db: Path) -> None:
    assert_cached(sample_db)
    table, _ = tops(sample_db)
    assert any(top_strength is not None for _, _, top_strength in table.values())


@pytest.mark.slow
def test_every_write_keeps_the_cache_current_and_undo_puts_it_back(cli, sample_db: Path) -> None:
    states = [stored_strengths(sample_db)]
    steps = [
        ("duel", HUG, KISS),  # a new duel inside a component
        ("duel", KISS, HUG, "--voter", "friend"),
        ("duel", LONELY, KISS),  # a scene joins a component
        ("vote", SHOWER, "2", "--voter", "newcomer"),  # class moves: its tops follow
        ("views", SHOWER, "999999999", "--on", "2025-01-01", "--source", "reupload"),
        ("views", SHOWER, "5", "--on", "2025-02-01", "--source", "reupload"),  # goes down
        ("edit", "scene", KISS, "--kind", "confession"),  # row made again: refitted
    ]
    for step in steps:
        ok(cli(*step))
        assert_cached(sample_db)
        states.append(stored_strengths(sample_db))
    assert states[1] != states[0] and states[3] != states[2]
    for expected in reversed(states[:-1]):
        ok(cli("undo", "--yes"))
        assert_cached(sample_db)
        assert stored_strengths(sample_db) == expected


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        ("remove", "scene", SHOWER, "--yes"),  # splits its component
        ("remove", "drama", "Melting Me Softly", "--yes"),
    ],
)
def test_removals_refit_what_they_split_and_undo_restores_it(
    cli, sample_db: Path, command: tuple[str, ...]
) -> None:
    before = stored_strengths(sample_db)
    ok(cli(*command))
    assert_cached(sample_db)
    assert stored_strengths(sample_db) != before
    ok(cli("undo", "--yes"))
    assert_cached(sample_db)
    assert stored_strengths(sample_db) == before


DUELS = """\
format: scenecat/1
scenes:
  - {key: duel-one, drama: Healer, episode: 1, kind: kiss, title: One}
  - {key: duel-two, drama: Healer, episode: 1, kind: kiss, title: Two}
  - {key: duel-three, drama: Healer, episode: 2, kind: hug, title: Three}
duels:
  - {winner: duel-one, loser: duel-two}
  - {winner: duel-two, loser: duel-three}
  - {winner: duel-one, loser: duel-three, voter: friend}
"""
LINKED = f"  - {{winner: duel-three, loser: {SHOWER}}}\n"


@pytest.mark.slow
@pytest.mark.parametrize("start", ["empty", "sample"])
def test_imports_bulk_and_record_by_record_fit_their_duels(
    cli, db: Path, sample_template: Path, tmp_path: Path, start: str
) -> None:
    source = tmp_path / "duels.yaml"
    if start == "sample":
        shutil.copyfile(sample_template, db)  # record by record; one duel joins the sample's
        source.write_text(DUELS + LINKED, encoding="utf-8")
    else:
        ok(cli("init"))  # an empty catalogue: the bulk path, which fits everything once
        source.write_text(
            DUELS.replace("drama: Healer", "drama: Test Drama").replace(
                "format: scenecat/1\n", "format: scenecat/1\ndramas:\n  - title: Test Drama\n"
            ),
            encoding="utf-8",
        )
    before = stored_strengths(db) if start == "sample" else {}
    ok(cli("import", str(source)))
    assert_cached(db)
    ok(cli("db", "check"))
    ok(cli("undo", "--yes"))
    if start == "empty":
        assert stored_strengths(db) == {}
    else:
        assert_cached(db)
        assert stored_strengths(db) == before


def test_restore_brings_the_strengths_of_the_copy(cli, sample_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    ok(cli("db", "backup", str(copy)))
    saved = stored_strengths(sample_db)
    ok(cli("duel", LONELY, SHOWER))
    assert stored_strengths(sample_db) != saved
    ok(cli("db", "restore", str(copy), "--yes"))
    assert_cached(sample_db)
    assert stored_strengths(sample_db) == saved


def test_upgrade_from_the_first_schema_fits_every_duel(cli, db: Path) -> None:
    shutil.copyfile(OLD_CATALOGUE, db)
    ok(cli("db", "check"))
    if expected_strengths(db):
        assert_cached(db)
    ok(cli("duel", KISS, HUG))
    assert_cached(db)


def _as_schema_14(path: Path) -> None:
    """Take a current catalogue back to schema 14: no strength column, no class tops, the
    class indexes without views, the duel triggers that do not mark strengths, no index of
    dramas by network or year."""
    from scenecat.storage import rank_queries, scene_signals

    conn = sqlite3.connect(path)
    with conn:
        for name in scene_signals.INDEXES:
            conn.execute(f'DROP INDEX IF EXISTS "{name.split()[5]}"')
        for name in scene_signals.TRIGGERS:
            conn.execute(f'DROP TRIGGER IF EXISTS "{name}"')
        conn.execute("ALTER TABLE scene_signal DROP COLUMN strength")
        conn.execute("ALTER TABLE signal_class DROP COLUMN top_views")
        conn.execute("ALTER TABLE signal_class DROP COLUMN top_strength")
        conn.execute(
            "CREATE INDEX scene_signal_by_class ON scene_signal(votes, vote_sum, duels, has_views)"
        )
        conn.execute(
            "CREATE INDEX scene_signal_by_kind_class "
            "ON scene_signal(kind, votes, vote_sum, duels, has_views)"
        )
        for statement in rank_queries.DRAMA_INDEXES:  # 0014
            conn.execute(f'DROP INDEX "{statement.split()[5]}"')
        conn.execute(
            "DELETE FROM _sqlite_migrations "
            "WHERE name IN ('0015_duel_strengths', '0016_drama_filter_indexes')"
        )
        conn.execute("PRAGMA user_version = 14")
    conn.close()


def test_upgrade_from_schema_14_adds_the_cache_and_keeps_the_rankings(cli, sample_db: Path) -> None:
    ranked = cli("rank", "--json").stdout
    by_kind = cli("rank", "--kind", "kiss", "--json").stdout
    by_network = cli("rank", "--network", "tvN", "--json").stdout
    _as_schema_14(sample_db)
    conn = _connect(sample_db)
    assert "strength" not in [r[1] for r in conn.execute("PRAGMA table_info(scene_signal)")]
    conn.close()
    ok(cli("db", "check"))  # upgrades first
    assert_cached(sample_db)
    conn = _connect(sample_db)
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    conn.close()
    assert "scene_signal_by_class" not in indexes and "scene_signal_kind_class_views" in indexes
    assert {"drama_by_network", "drama_by_year"} <= indexes
    assert cli("rank", "--json").stdout == ranked
    assert cli("rank", "--kind", "kiss", "--json").stdout == by_kind
    assert cli("rank", "--network", "tvN", "--json").stdout == by_network


def _write_raw(path: Path, sql: str, *args: object) -> None:
    """A write by another program: the triggers run, scenecat's refit does not."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA recursive_triggers = ON")
    with conn:
        conn.execute(sql, args)
    conn.close()


def _id(path: Path, key: str) -> int:
    conn = _connect(path)
    try:
        return int(conn.execute("SELECT id FROM scene WHERE key = ?", (key,)).fetchone()[0])
    finally:
        conn.close()


def test_duels_written_by_another_program_are_fitted_when_read(
    cli, sample_db: Path, tmp_path: Path
) -> None:
    _write_raw(
        sample_db,
        "INSERT INTO duel (winner_id, loser_id, voter) VALUES (?, ?, 'elsewhere')",
        _id(sample_db, LONELY),
        _id(sample_db, SHOWER),
    )
    marked = {i for i, s in stored_strengths(sample_db).items() if s is None}
    assert marked == {_id(sample_db, LONELY), _id(sample_db, SHOWER)}
    # Readers fit the marked components themselves: the same output as from a copy whose
    # strengths were fitted again and stored.
    copy = tmp_path / "refitted.db"
    shutil.copyfile(sample_db, copy)
    from scenecat.storage import duel_strengths

    conn = sqlite3.connect(copy)
    conn.execute("PRAGMA recursive_triggers = ON")
    with conn:
        assert duel_strengths.refresh(conn) > 2  # the whole component, not the two marked
    conn.close()
    assert_cached(copy)
    for args in (
        ["rank", "--json", "--limit", "100"],
        ["rank", "--kind", "kiss", "--json"],
        ["rank", "--by", "drama", "--json"],
        ["rank", "--actor", "Ji Chang Wook", "--json"],
        ["show", "scene", SHOWER, "--json"],
        ["rank", "--why", SHOWER],
    ):
        here = cli(*args)
        there = cli("--db", str(copy), *args)
        ok(here)
        assert here.stdout == there.stdout, args
    data = json.loads(cli("rank", "--json", "--limit", "100").stdout)["data"]
    shower = next(e for e in data if e["key"] == SHOWER)
    assert shower["parts"]["duels"]["count"] == 6
    # Marked strengths are not a fault: readers fit them. The next write fits them.
    ok(cli("db", "check"))
    ok(cli("vote", HUG, "7", "--voter", "after"))
    assert_cached(sample_db)


def test_db_check_reports_a_strength_that_drifted_and_repair_fits_it_again(
    cli, sample_db: Path
) -> None:
    _write_raw(
        sample_db,
        "UPDATE scene_signal SET strength = strength * 1.5 WHERE scene_id = ?",
        _id(sample_db, SHOWER),
    )
    result = cli("db", "check")
    assert result.exit_code == 1
    assert (
        f"1 scene whose stored duel strength differs from a fit of their duels: {SHOWER}"
        in result.stderr
    )
    # The trigger kept the class's top to the (wrong) strength: only the strength is wrong.
    assert "signal_class" not in result.stderr
    assert "db check --repair" in result.stderr
    history = cli("history").stdout
    ok(cli("db", "check", "--repair"))
    assert_cached(sample_db)
    ok(cli("db", "check"))
    assert cli("history").stdout == history  # derived data: no change to undo


def test_db_check_reports_a_class_top_that_drifted(cli, sample_db: Path) -> None:
    _write_raw(sample_db, "UPDATE signal_class SET top_views = top_views - 1 WHERE top_views > 0")
    result = cli("db", "check")
    assert result.exit_code == 1
    assert "from the scene_signal rows they count" in result.stderr
    ok(cli("db", "check", "--repair"))
    assert_cached(sample_db)


def test_db_check_reports_a_strength_on_a_scene_without_duels(cli, sample_db: Path) -> None:
    _write_raw(
        sample_db,
        "UPDATE scene_signal SET strength = 2.0 WHERE scene_id = ?",
        _id(sample_db, LONELY),
    )
    result = cli("db", "check")
    assert result.exit_code == 1
    assert f"differs from a fit of their duels: {LONELY}" in result.stderr


def test_the_class_queries_read_the_indexes_in_order(sample_db: Path) -> None:
    """A class read most views first walks its index backwards (no sort of the class), and
    the triggers find a class's new top with one index seek."""
    from scenecat.storage import duel_strengths, rank_queries, scene_signals
    from scenecat.storage.scenes import SceneFilter

    conn = sqlite3.connect(sample_db)
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    for scope, index in (
        (SceneFilter(), "class_views"),
        (SceneFilter(kind="kiss"), "kind_class_views"),
    ):
        for after in (None, (1000, 5)):
            statements.clear()
            rank_queries.class_members(conn, scope, (1, 9, 0, True), after, 10)
            sql = statements[0]
            plan = " ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql))
            assert f"INDEX scene_signal_{index}" in plan and "TEMP B-TREE" not in plan, plan
    conn.set_trace_callback(None)
    for column, index in (("views", "kind_class_views"), ("strength", "kind_class_strength")):
        sub = scene_signals._top(column, "x").replace("x.", ":")
        plan = " ".join(r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN SELECT {sub}", {
            "kind": "kiss", "votes": 1, "vote_sum": 9, "duels": 1, "has_views": 1}))  # fmt: skip
        assert f"COVERING INDEX scene_signal_{index}" in plan, plan
    plan = " ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + duel_strengths.UNFITTED))
    assert "scene_signal_unfitted" in plan, plan
    conn.close()


@pytest.mark.slow
def test_a_duel_killed_at_any_point_leaves_the_strengths_as_before(
    cli, sample_template: Path, tmp_path: Path
) -> None:
    base = tmp_path / "base.db"
    shutil.copyfile(sample_template, base)
    before = stored_strengths(base)
    args = ["duel", LONELY, SHOWER]
    finished = tmp_path / "finished.db"
    shutil.copyfile(base, finished)
    total = _statements(finished, args, tmp_path)
    assert_cached(finished)
    assert stored_strengths(finished) != before
    for point in [*sorted({1, total // 3, total // 2, total - 2, total - 1} - {0}), "COMMIT"]:
        victim = tmp_path / f"victim-{point}.db"
        shutil.copyfile(base, victim)
        env = {"CRASH_ON": "COMMIT"} if point == "COMMIT" else {"CRASH_AT": str(point)}
        _assert_killed(_run(victim, args, **env))
        ok(cli("--db", str(victim), "db", "check"))
        assert stored_strengths(victim) == before, f"killed at {point}"
        assert_cached(victim)


@pytest.mark.slow
def test_processes_writing_duels_at_once_leave_every_strength_current(
    cli, sample_db: Path, tmp_path: Path
) -> None:
    keys = scene_keys(sample_db)
    batches = []
    for w in range(3):
        batch = []
        for i in range(12):
            winner, loser = keys[(w * 7 + i) % len(keys)], keys[(w * 11 + 3 * i + 1) % len(keys)]
            if winner != loser:
                batch.append(["--db", str(sample_db), "duel", winner, loser,
                              "--voter", f"w{w}-{i}"])  # fmt: skip
            batch.append(["--db", str(sample_db), "vote", winner, str(i % 10 + 1),
                          "--voter", f"w{w}"])  # fmt: skip
        batches.append(batch)
    go = tmp_path / "go"
    workers = start_workers(batches, go)
    go.touch()
    assert finish_workers(workers) == []
    assert_cached(sample_db)
    ok(cli("db", "check"))
