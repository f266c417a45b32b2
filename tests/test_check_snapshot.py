"""`db check` reads one state of the catalogue (issue 27: three connections on a file, whose
transactions begin on one state), reports each fault once in the order it always did, and the
per-scene signals' check, rewritten to look each value up scene by scene, still finds every
kind of drift.

Faults are made behind scenecat's back with a plain sqlite3 connection, as another program
would make them."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from scenecat.storage import integrity
from tests.conftest import Run
from tests.fixtures.ctrl_c import ENDLESS, ctrl_c_when_ready

Cli = Callable[..., Run]

# A current vote more for a voter who has one: the votes' check, run on a helper connection.
SECOND_CURRENT_VOTE = (
    "INSERT INTO vote (scene_id, voter, score, current) "
    "SELECT scene_id, voter, score, 1 FROM vote WHERE current = 1 LIMIT 1"
)


@contextmanager
def raw(path: Path, timeout: float = 5.0) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(path, isolation_level=None, timeout=timeout)
    try:
        yield conn
    finally:
        conn.close()


def test_a_change_committed_during_the_check_is_not_half_seen(
    cli: Cli, sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The documents are compared in two steps (each actor's and drama's text made in
    Python, then the query): a name changed by another program between the two, with its
    documents made again in the same write, must not look like a stale document."""
    from scenecat.storage import search_index

    prepare = search_index._prepare
    changed: list[int] = []

    def prepare_then_another_program_writes(conn: sqlite3.Connection, ids: object) -> None:
        prepare(conn, ids)  # type: ignore[arg-type]
        if not changed:  # the alias's own write refreshes documents through _prepare too
            changed.append(1)
            assert cli("alias", "actor", "Ji Chang Wook", "Jinny Ji").exit_code == 0

    monkeypatch.setattr(search_index, "_prepare", prepare_then_another_program_writes)
    with raw(sample_db) as conn:
        assert integrity.problems(conn) == []
        assert changed
        # the alias did commit (with the actor's documents made again): a check now sees it
        # and nothing stale either
        assert integrity.problems(conn) == []
        row = conn.execute("SELECT count(*) FROM scene_search WHERE actors LIKE '%Jinny Ji%'")
        assert row.fetchone()[0] > 0


def test_no_program_commits_until_the_helpers_read_and_they_keep_that_state(
    sample_db: Path,
) -> None:
    with raw(sample_db) as conn, raw(sample_db, timeout=0) as other:
        assert integrity._begin(conn) == "IMMEDIATE"
        helpers = integrity._Helpers.open(conn)
        assert helpers is not None
        try:
            # While this connection holds the write lock nobody commits: the helpers have
            # opened their read transactions on the state this connection reads.
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")  # as _Helpers.run() does after the FTS checks
            other.execute(SECOND_CURRENT_VOTE)  # other writers go on, and commit
            # ... and the helpers still read the state the check began with
            assert integrity._rows(helpers.documents)[integrity._VOTES] == []
            assert integrity._pages(helpers.pages) == {
                integrity._INTEGRITY: [],
                integrity._KEYS: [],
            }
        finally:
            helpers.close()
        # a check begun now sees the vote
        assert "1 voter/scene pair without exactly one current vote" in integrity.problems(conn)


def _faulty(path: Path) -> None:
    """A fault for each connection's share: a dangling foreign key (the page checks), a
    stale document, a second current vote and drifted signals (the rows), the FTS index out
    of step with its documents (the FTS checks, on the connection that writes)."""
    with raw(path) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.executescript(
            f"""
            {SECOND_CURRENT_VOTE};
            UPDATE scene SET title = 'Changed' WHERE id = (SELECT max(id) FROM scene);
            INSERT INTO scene_tag (scene_id, tag) VALUES (999999, 'orphan');
            UPDATE scene_signal SET votes = votes + 5 WHERE scene_id = (SELECT min(id) FROM scene);
            DROP TRIGGER scene_search_au;
            UPDATE scene_search SET title = 'Zeppelin' WHERE id = (SELECT min(id) FROM scene);
            """
        )


def test_ctrl_c_during_the_check_stops_the_helpers_statements(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the FTS checks run here: the helpers' statements are stopped, including
    one a helper starts after the first interrupt, and the KeyboardInterrupt goes on up
    (before: the process waited for SQLite's own check to finish, 40 s at 1M)."""
    ended: list[str] = []

    def endless_pages(conn: sqlite3.Connection) -> dict[int, integrity.Part]:
        for _ in range(2):  # the second starts after the first was interrupted
            try:
                conn.execute(ENDLESS).fetchall()
                ended.append("finished")
            except sqlite3.OperationalError as exc:
                ended.append(str(exc))
        return {}

    def ctrl_c(conn: sqlite3.Connection) -> dict[int, integrity.Part]:
        raise KeyboardInterrupt

    monkeypatch.setattr(integrity, "_pages", endless_pages)
    monkeypatch.setattr(integrity, "_indexes", ctrl_c)
    with raw(sample_db) as conn:
        with pytest.raises(KeyboardInterrupt):
            integrity.problems(conn)
        assert ended == ["interrupted", "interrupted"]
        assert not conn.in_transaction
    with raw(sample_db, timeout=0) as other:  # no helper holds the file
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")


# `scenecat db check` whose FTS checks (run on the connection that holds the write lock,
# in the main thread) are one statement that only an interrupt ends within a test run.
CHECK_WITH_ENDLESS_FTS = f"""
import sys
from scenecat.storage import integrity

def endless(conn):
    sys.stderr.write("started\\n")
    sys.stderr.flush()
    conn.execute({ENDLESS!r}).fetchall()
    return {{}}

integrity._indexes = endless
sys.argv = ["scenecat", "--db", sys.argv[1], "db", "check"]
from scenecat.__main__ import main
main()
"""


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT")
def test_ctrl_c_stops_the_statement_the_main_thread_is_in(sample_db: Path) -> None:
    """Python runs its SIGINT handler only between bytecodes: without the watcher that
    interrupts the statement, Ctrl-C during FTS5's self-check waited for it to end (15 s at
    1M). Here the statement would run for minutes; the process must end with Ctrl-C's exit
    code and message, leaving no lock behind."""
    code, err = ctrl_c_when_ready(CHECK_WITH_ENDLESS_FTS, str(sample_db), ready="started")
    assert code == 130, err
    assert err.strip() == "Interrupted.", err
    with raw(sample_db, timeout=0) as other:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")


def test_shared_out_or_in_turn_each_fault_is_reported_once_the_same(sample_db: Path) -> None:
    _faulty(sample_db)
    with raw(sample_db) as conn:
        shared = integrity.problems(conn)  # a file: three connections
        memory = sqlite3.connect(":memory:", isolation_level=None)
        conn.backup(memory)
    try:
        in_turn = integrity.problems(memory)  # in memory: all on one connection, in turn
    finally:
        memory.close()
    assert shared == in_turn
    for kind in ("points to a missing scene", "search index triggers missing",
                 "search index integrity check failed", "2 scenes have a stale search document",
                 "without exactly one current vote", "stored signals differ"):  # fmt: skip
        assert sum(kind in line for line in shared) == 1, (kind, shared)
    assert len(shared) == 6  # (the missing trigger is not named again by the schema's check)


def test_a_check_inside_an_open_transaction_runs_in_it(sample_db: Path) -> None:
    with raw(sample_db) as conn:
        conn.execute("BEGIN")
        conn.execute(SECOND_CURRENT_VOTE)  # not committed: only this connection sees it
        found = integrity.problems(conn)
        assert conn.in_transaction  # the caller's transaction is left open
        conn.execute("ROLLBACK")
    assert found == ["1 voter/scene pair without exactly one current vote"]


@pytest.fixture
def busy_scene(sample_db: Path) -> tuple[int, str]:
    """A scene with votes, duels won and lost, and a view count: every signal non-zero."""
    with raw(sample_db) as conn:
        row = conn.execute(
            "SELECT g.scene_id, s.key FROM scene_signal g JOIN scene s ON s.id = g.scene_id "
            "WHERE g.votes > 0 AND g.wins > 0 AND g.losses > 0 AND g.views IS NOT NULL "
            "ORDER BY g.scene_id LIMIT 1"
        ).fetchone()
    assert row is not None
    return int(row[0]), str(row[1])


DRIFTS = {
    "kind": "kind = kind || 'x'",
    "votes": "votes = votes + 1",
    "vote_sum": "vote_sum = vote_sum - 1",
    "views": "views = views + 1",
    "views lost": "views = NULL",
    "wins": "wins = wins + 1",
    "losses": "losses = 0",
    "duels": "duels = duels + 1",
    "has_views": "has_views = 0",
}


@pytest.mark.parametrize("drift", list(DRIFTS))
def test_each_signal_that_drifts_is_found(
    sample_db: Path, busy_scene: tuple[int, str], drift: str
) -> None:
    scene_id, key = busy_scene
    with raw(sample_db) as conn:
        assert integrity.problems(conn) == []
        conn.execute(f"UPDATE scene_signal SET {DRIFTS[drift]} WHERE scene_id = ?", (scene_id,))
        found = integrity.problems(conn)
    assert found == [
        f"1 scene whose stored signals differ from their votes, duels and views: {key} "
        "(scenecat db check --repair computes them again)"
    ]


def test_a_missing_signal_row_and_a_stray_one_are_found(
    cli: Cli, sample_db: Path, busy_scene: tuple[int, str]
) -> None:
    scene_id, key = busy_scene
    stray = "INSERT INTO scene_signal (scene_id, kind) VALUES (999999, 'clip')"
    with raw(sample_db) as conn:
        conn.execute(stray)  # alone: counted from the rows and scenes there are
        # (the class triggers count the stray row in its class: only the row is wrong)
        assert integrity.problems(conn) == ["1 scene_signal row for scenes that do not exist"]
        conn.execute("DELETE FROM scene_signal WHERE scene_id = ?", (scene_id,))
    run = cli("db", "check")  # with a scene without its row: each row looked for
    assert run.exit_code == 1
    assert (
        f"problem: 1 scene whose stored signals differ from their votes, duels and views: {key}"
        in run.stderr
    )
    assert "problem: 1 scene_signal row for scenes that do not exist" in run.stderr
    assert cli("db", "check", "--repair").exit_code == 0
