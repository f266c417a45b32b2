"""Undo of a bulk import into an empty catalogue takes the bulk path in reverse: the tables are
dropped and made again from their schema (storage/bulk.clear_load) instead of deleted row by
row through cascades and triggers. The catalogue after it is the empty one before the import,
schema object for object; a SIGKILL at any moment leaves the import in place or undone, and
`db check` clean."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.safety import python_env, raw_dump

EXTRA = """\
format: scenecat/1
actors:
  - name: Undo Test Actor
    aliases: [UTA]
    ids: {wikidata: Q4242}
  - name: Ji Chang Wook
dramas:
  - title: Undo Test Drama
    network: tvN
    year: 2022
    episodes: 4
    cast:
      - {actor: Undo Test Actor, character: Lead, role: main}
      - {actor: Ji Chang Wook, character: Friend, role: support}
    episode_list:
      - {number: 1, aired: 2022-01-01}
scenes:
"""
for _i in range(30):
    EXTRA += f"""\
  - key: undo-test-drama-e{_i % 4 + 1}-scene-{_i}
    drama: Undo Test Drama
    episode: {_i % 4 + 1}
    kind: kiss
    title: Umbrella scene {_i}
    actors: [Undo Test Actor, Ji Chang Wook]
    tags: [t{_i % 3}]
    views:
      - {{count: {1000 + _i}, on: 2022-02-02, source: clip}}
"""
EXTRA += "votes:\n" + "".join(
    f"  - {{scene: undo-test-drama-e{i % 4 + 1}-scene-{i}, score: {i % 10 + 1}, voter: me}}\n"
    for i in range(30)
)
EXTRA += "duels:\n" + "".join(
    f"  - {{winner: undo-test-drama-e1-scene-0, loser: undo-test-drama-e{i % 4 + 1}-scene-{i}}}\n"
    for i in range(1, 6)
)
EXTRA += "progress:\n  - {drama: Undo Test Drama, episode: 2}\n"


def _schema(path: Path) -> set[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return set(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
    finally:
        conn.close()


def _ok(result: Any) -> None:
    assert result.exit_code == 0, result.stderr


@pytest.fixture
def extra(tmp_path: Path) -> Path:
    path = tmp_path / "extra.yaml"
    path.write_text(EXTRA, encoding="utf-8")
    return path


@pytest.fixture
def cleared(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The tables each wholesale clear was given (the real function still runs)."""
    from scenecat.domain import history

    calls: list[list[str]] = []
    real = history.clear_load

    def spy(conn: sqlite3.Connection, tables: list[str]) -> None:
        calls.append(list(tables))
        real(conn, tables)

    monkeypatch.setattr(history, "clear_load", spy)
    return calls


def test_undo_of_a_bulk_import_gives_back_the_empty_catalogue(
    cli, db: Path, extra: Path, cleared: list[list[str]]
) -> None:
    _ok(cli("init"))
    empty, schema = raw_dump(db), _schema(db)
    _ok(cli("import", str(extra)))
    assert raw_dump(db)["vote"] and raw_dump(db)["scene_signal"]
    _ok(cli("undo", "--yes"))
    assert len(cleared) == 1 and {"scene", "vote", "watch_progress"} <= set(cleared[0])
    assert raw_dump(db) == empty
    # the same tables, indexes and triggers, with the same SQL
    assert _schema(db) == schema
    _ok(cli("db", "check"))
    # the triggers work again: a new scene is found, its vote counted, and undone row by row
    _ok(cli("add-actor", "Undo Test Actor"))
    _ok(cli("add-drama", "Undo Test Drama", "--episodes", "4"))
    _ok(
        cli(
            "add-scene",
            *("--drama", "Undo Test Drama", "--episode", "1", "--actor", "Undo Test Actor"),
            *("--kind", "kiss", "--title", "Rain umbrella"),
        )
    )
    _ok(cli("vote", "undo-test-drama-e1-rain-umbrella", "8"))
    found = cli("search", "umbrella")
    _ok(found)
    assert "Rain umbrella" in found.stdout
    _ok(cli("db", "check"))
    _ok(cli("undo", "4", "--yes"))
    assert raw_dump(db) == empty
    assert len(cleared) == 1
    # and the file imports as it did the first time
    _ok(cli("import", str(extra)))
    _ok(cli("db", "check"))


def test_a_later_change_is_undone_first_then_the_load_wholesale(
    cli, db: Path, extra: Path, cleared: list[list[str]]
) -> None:
    _ok(cli("init"))
    empty = raw_dump(db)
    _ok(cli("import", str(extra)))
    _ok(cli("vote", "undo-test-drama-e1-scene-0", "3", "--voter", "friend"))
    refused = cli("undo", "--change", "1", "--yes")
    assert refused.exit_code == 1 and "later change" in refused.stderr
    assert not cleared
    _ok(cli("undo", "2", "--yes"))
    assert len(cleared) == 1
    assert raw_dump(db) == empty
    _ok(cli("db", "check"))


def test_a_load_beside_older_rows_is_undone_row_by_row(
    cli, db: Path, extra: Path, cleared: list[list[str]]
) -> None:
    """A table of the user's own with rows in it before the load: its mark is not empty, so
    the load is taken back by its rowid marks (nothing is dropped) and the user's row stays."""
    _ok(cli("init"))
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE my_notes (id INTEGER PRIMARY KEY, note TEXT)")
    conn.execute("INSERT INTO my_notes (note) VALUES ('keep me')")
    conn.commit()
    conn.close()
    before = raw_dump(db)
    _ok(cli("import", str(extra)))
    _ok(cli("undo", "--yes"))
    assert not cleared
    assert raw_dump(db) == before
    assert raw_dump(db)["my_notes"] == [(1, "keep me")]


def test_the_statistics_of_analyze_outlive_the_undo(
    cli, db: Path, extra: Path, cleared: list[list[str]]
) -> None:
    """A DROP TABLE deletes the table's sqlite_stat1 rows; the undo puts them back, as a
    row-by-row undo would have left them."""
    _ok(cli("init"))
    _ok(cli("import", str(extra)))
    conn = sqlite3.connect(db)
    conn.execute("ANALYZE")
    conn.commit()
    stats = sorted(conn.execute("SELECT tbl, idx, stat FROM sqlite_stat1"))
    conn.close()
    assert any(row[0] == "scene" for row in stats)
    _ok(cli("undo", "--yes"))
    assert len(cleared) == 1
    conn = sqlite3.connect(db)
    assert sorted(conn.execute("SELECT tbl, idx, stat FROM sqlite_stat1")) == stats
    conn.close()
    _ok(cli("db", "check"))


# --- SIGKILL at any moment ----------------------------------------------------------------

# Runs scenecat, logging each SQL statement (CRASH_LOG) or killing itself with SIGKILL at the
# Nth (CRASH_AT) or as COMMIT starts (CRASH_ON).
CRASHER = r"""
import os, signal, sys
from scenecat.storage import connection

at = int(os.environ.get("CRASH_AT", "0"))
on = os.environ.get("CRASH_ON", "")
log = open(os.environ["CRASH_LOG"], "w") if os.environ.get("CRASH_LOG") else None
seen = [0]
original = connection._connect

def connect(path):
    conn = original(path)
    def trace(sql):
        seen[0] += 1
        if log:
            log.write(" ".join(sql.split())[:80] + "\n")
            log.flush()
        if (at and seen[0] >= at) or (on and sql.lstrip().upper().startswith(on)):
            os.kill(os.getpid(), signal.SIGKILL)
    conn.set_trace_callback(trace)
    return conn

connection._connect = connect
from scenecat.cli.app import app
app(args=sys.argv[1:], prog_name="scenecat")
"""


def _run(db: Path, args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CRASHER, "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=python_env(**env),
        timeout=120,
    )


def _copy(source: Path, target: Path) -> Path:
    conn = sqlite3.connect(source)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    target.write_bytes(source.read_bytes())
    return target


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
def test_undo_of_a_bulk_import_killed_at_any_moment(cli, tmp_path: Path, extra: Path) -> None:
    empty_db = tmp_path / "empty.db"
    assert cli("--db", str(empty_db), "init").exit_code == 0
    empty = raw_dump(empty_db)
    base = tmp_path / "base.db"
    _copy(empty_db, base)
    assert cli("--db", str(base), "import", str(extra)).exit_code == 0
    loaded = raw_dump(base)

    finished = _copy(base, tmp_path / "finished.db")
    log = tmp_path / "statements.txt"
    done = _run(finished, ["undo", "--yes"], CRASH_LOG=str(log))
    assert done.returncode == 0, done.stderr
    assert raw_dump(finished) == empty
    statements = log.read_text().splitlines()
    total = len(statements)

    def first(prefix: str) -> int:
        return next(i for i, s in enumerate(statements, 1) if s.startswith(prefix))

    # Every stage of the wholesale path: the first and the last table dropped, tables being
    # made again, indexes and triggers back, the full-text rebuilds, and a spread of points
    # between them; then as COMMIT starts and at the very last statement.
    drops = [i for i, s in enumerate(statements, 1) if s.startswith("DROP TABLE")]
    assert len(drops) > 10, statements
    points: list[int | str] = sorted(
        {
            1,
            drops[0],
            drops[len(drops) // 2],
            drops[-1],
            drops[-1] + 1,
            first("CREATE INDEX"),
            first("CREATE TRIGGER"),
            *range(drops[0], total, max(1, total // 12)),
            total,
        }
    )
    points.append("COMMIT")
    commit_at = first("COMMIT")
    for point in points:
        victim = _copy(base, tmp_path / f"victim-{point}.db")
        env = {"CRASH_ON": "COMMIT"} if point == "COMMIT" else {"CRASH_AT": str(point)}
        killed = _run(victim, ["undo", "--yes"], **env)
        assert killed.returncode == -signal.SIGKILL, (point, killed.returncode, killed.stderr)
        state = raw_dump(victim)
        if point == "COMMIT" or (isinstance(point, int) and point <= commit_at):
            assert state == loaded, f"killed at {point}: {statements[int(point) - 1]!r}"
        else:
            assert state in (loaded, empty), f"killed at {point}"
        check = cli("--db", str(victim), "db", "check")
        assert check.exit_code == 0, (point, check.stdout, check.stderr)
        # and the undo then goes through (or there is nothing left to undo)
        if state == loaded:
            again = cli("--db", str(victim), "undo", "--yes")
            assert again.exit_code == 0, again.stderr
            assert raw_dump(victim) == empty
        os.remove(victim)
