"""Per-scene signals: one `scene_signal` row per scene with the aggregates ranking needs.

A row holds the scene's current votes (count and integer sum), its latest view count (the
rule of storage.rank_queries.LATEST_VIEWS: the largest count of each source's latest snapshot,
NULL without any) and its duels won and lost. SQL triggers on scene, vote, duel and
view_count keep it current inside the transaction of every write, whatever the path:
commands, record-by-record import, merges and removals (foreign-key cascades fire them
too), and `undo`, which replays logged rows through the same triggers. The table is
therefore derived data: it is not logged by the history (changelog.UNTRACKED), `db check`
compares it with a recomputation from the tables it comes from, and the bulk import (which
drops the triggers while it loads) and the upgrade that creates it build it whole.

Each trigger recomputes the part it touches from the source rows (a few index lookups)
instead of adding and subtracting: whatever order undo replays rows in (it defers foreign
keys), the row ends up equal to a recomputation. A child row written while its scene is
missing changes nothing; inserting the scene computes its whole row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

from scenecat.storage.ddl import run_in_transaction_statements

if TYPE_CHECKING:
    from sqlite_utils import Database

TABLE = "scene_signal"
TRIGGER_PREFIX = "scene_signal_"

# `duels` (wins + losses) and `has_views` (views IS NOT NULL) and the scene's `kind` are
# kept as plain columns so that the class indexes cover the ranking's queries (SQLite 3.40
# reads the table for an index on an expression or a generated column).
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS scene_signal ("
    "scene_id INTEGER PRIMARY KEY, "
    "kind TEXT NOT NULL DEFAULT '', "
    "votes INTEGER NOT NULL DEFAULT 0, "
    "vote_sum INTEGER NOT NULL DEFAULT 0, "
    "views INTEGER, "
    "wins INTEGER NOT NULL DEFAULT 0, "
    "losses INTEGER NOT NULL DEFAULT 0, "
    "duels INTEGER NOT NULL DEFAULT 0, "
    "has_views INTEGER NOT NULL DEFAULT 0)",
    # The members of one score class (of the catalogue, of one kind) by a range of these.
    "CREATE INDEX IF NOT EXISTS scene_signal_by_class "
    "ON scene_signal(votes, vote_sum, duels, has_views)",
    "CREATE INDEX IF NOT EXISTS scene_signal_by_kind_class "
    "ON scene_signal(kind, votes, vote_sum, duels, has_views)",
    # How many scenes each score class has, per kind: a whole-catalogue ranking reads a few
    # thousand rows here instead of a million. Kept by triggers on scene_signal.
    "CREATE TABLE IF NOT EXISTS signal_class ("
    "kind TEXT NOT NULL, votes INTEGER NOT NULL, vote_sum INTEGER NOT NULL, "
    "duels INTEGER NOT NULL, has_views INTEGER NOT NULL, scenes INTEGER NOT NULL, "
    "PRIMARY KEY (kind, votes, vote_sum, duels, has_views)) WITHOUT ROWID",
)
TABLES = ("scene_signal", "signal_class")


def _votes(scene: str) -> str:
    return (
        f"votes = (SELECT count(*) FROM vote WHERE scene_id = {scene} AND current = 1), "
        f"vote_sum = (SELECT coalesce(sum(score), 0) FROM vote "
        f"WHERE scene_id = {scene} AND current = 1)"
    )


def _duels(scene: str) -> str:
    won = f"(SELECT count(*) FROM duel WHERE winner_id = {scene})"
    lost = f"(SELECT count(*) FROM duel WHERE loser_id = {scene})"
    return f"wins = {won}, losses = {lost}, duels = {won} + {lost}"


def latest_views_sql(scene: str) -> str:
    """The latest view count of scene `scene` (an SQL expression): storage.rank_queries' rule."""
    return (
        f"(SELECT max(vc.count) FROM view_count vc WHERE vc.scene_id = {scene} "
        f"AND NOT EXISTS (SELECT 1 FROM view_count o WHERE o.scene_id = {scene} "
        "AND o.source = vc.source AND o.observed_on > coalesce(vc.observed_on, '')))"
    )


def _views(scene: str) -> str:
    latest = latest_views_sql(scene)
    return f"views = {latest}, has_views = {latest} IS NOT NULL"


def _update(setter: Callable[[str], str], scene: str) -> str:
    return f"UPDATE scene_signal SET {setter(scene)} WHERE scene_id = {scene};"


COLUMNS = "scene_id, kind, votes, vote_sum, views, wins, losses"
# The columns the tables give; duels and has_views follow from them.
ALL_COLUMNS = f"{COLUMNS}, duels, has_views"


# Every column of one scene's row computed from the tables, as a SELECT list.
def _row(scene: str, kind: str) -> str:
    latest = latest_views_sql(scene)
    won = f"(SELECT count(*) FROM duel WHERE winner_id = {scene})"
    lost = f"(SELECT count(*) FROM duel WHERE loser_id = {scene})"
    return (
        f"{scene}, {kind}, "
        f"(SELECT count(*) FROM vote WHERE scene_id = {scene} AND current = 1), "
        f"(SELECT coalesce(sum(score), 0) FROM vote WHERE scene_id = {scene} AND current = 1), "
        f"{latest}, {won}, {lost}, {won} + {lost}, {latest} IS NOT NULL"
    )


_CLASS = "kind, votes, vote_sum, duels, has_views"


def _count(row: str, step: str) -> str:
    if step == "+1":
        return (
            f"INSERT INTO signal_class ({_CLASS}, scenes) VALUES ({row}.kind, {row}.votes, "
            f"{row}.vote_sum, {row}.duels, {row}.has_views, 1) "
            "ON CONFLICT DO UPDATE SET scenes = scenes + 1;"
        )
    match = (
        f"kind = {row}.kind AND votes = {row}.votes AND vote_sum = {row}.vote_sum "
        f"AND duels = {row}.duels AND has_views = {row}.has_views"
    )
    return (
        f"UPDATE signal_class SET scenes = scenes - 1 WHERE {match}; "
        f"DELETE FROM signal_class WHERE {match} AND scenes <= 0;"
    )


# Triggers on scene_signal itself: the class counts. (INSERT OR REPLACE fires the delete
# trigger of the replaced row: the connection turns recursive triggers on.)
CLASS_TRIGGERS = {
    "scene_signal_class_ins": f"AFTER INSERT ON scene_signal BEGIN {_count('NEW', '+1')} END",
    "scene_signal_class_upd": (
        "AFTER UPDATE ON scene_signal WHEN OLD.kind IS NOT NEW.kind "
        "OR OLD.votes IS NOT NEW.votes OR OLD.vote_sum IS NOT NEW.vote_sum "
        "OR OLD.duels IS NOT NEW.duels OR OLD.has_views IS NOT NEW.has_views BEGIN "
        f"{_count('OLD', '-1')} {_count('NEW', '+1')} END"
    ),
    "scene_signal_class_del": f"AFTER DELETE ON scene_signal BEGIN {_count('OLD', '-1')} END",
}

TRIGGERS = {
    "scene_signal_scene_ins": (
        "AFTER INSERT ON scene BEGIN "
        f"INSERT OR REPLACE INTO scene_signal ({ALL_COLUMNS}) SELECT {_row('NEW.id', 'NEW.kind')};"
        " END"
    ),
    "scene_signal_scene_upd": (
        "AFTER UPDATE OF id, kind ON scene WHEN OLD.id IS NOT NEW.id OR OLD.kind IS NOT NEW.kind "
        "BEGIN DELETE FROM scene_signal WHERE scene_id = OLD.id; "
        f"INSERT OR REPLACE INTO scene_signal ({ALL_COLUMNS}) SELECT {_row('NEW.id', 'NEW.kind')};"
        " END"
    ),
    "scene_signal_scene_del": (
        "AFTER DELETE ON scene BEGIN DELETE FROM scene_signal WHERE scene_id = OLD.id; END"
    ),
    # A vote is inserted as not current and then made current (signals.add_vote): only a
    # current vote changes the aggregates.
    "scene_signal_vote_ins": (
        f"AFTER INSERT ON vote WHEN NEW.current BEGIN {_update(_votes, 'NEW.scene_id')} END"
    ),
    "scene_signal_vote_upd": (
        "AFTER UPDATE OF scene_id, score, current ON vote "
        "WHEN OLD.scene_id IS NOT NEW.scene_id OR OLD.score IS NOT NEW.score "
        "OR OLD.current IS NOT NEW.current BEGIN "
        f"{_update(_votes, 'NEW.scene_id')} {_update(_votes, 'OLD.scene_id')} END"
    ),
    "scene_signal_vote_del": (
        f"AFTER DELETE ON vote WHEN OLD.current BEGIN {_update(_votes, 'OLD.scene_id')} END"
    ),
    "scene_signal_duel_ins": (
        "AFTER INSERT ON duel BEGIN "
        f"{_update(_duels, 'NEW.winner_id')} {_update(_duels, 'NEW.loser_id')} END"
    ),
    "scene_signal_duel_upd": (
        "AFTER UPDATE OF winner_id, loser_id ON duel "
        "WHEN OLD.winner_id IS NOT NEW.winner_id OR OLD.loser_id IS NOT NEW.loser_id BEGIN "
        f"{_update(_duels, 'NEW.winner_id')} {_update(_duels, 'NEW.loser_id')} "
        f"{_update(_duels, 'OLD.winner_id')} {_update(_duels, 'OLD.loser_id')} END"
    ),
    "scene_signal_duel_del": (
        "AFTER DELETE ON duel BEGIN "
        f"{_update(_duels, 'OLD.winner_id')} {_update(_duels, 'OLD.loser_id')} END"
    ),
    "scene_signal_views_ins": (
        f"AFTER INSERT ON view_count BEGIN {_update(_views, 'NEW.scene_id')} END"
    ),
    "scene_signal_views_upd": (
        "AFTER UPDATE ON view_count BEGIN "
        f"{_update(_views, 'NEW.scene_id')} {_update(_views, 'OLD.scene_id')} END"
    ),
    "scene_signal_views_del": (
        f"AFTER DELETE ON view_count BEGIN {_update(_views, 'OLD.scene_id')} END"
    ),
    **CLASS_TRIGGERS,
}


def install_triggers(conn: sqlite3.Connection) -> None:
    for name, body in TRIGGERS.items():
        conn.execute(f'DROP TRIGGER IF EXISTS "{name}"')
        conn.execute(f'CREATE TRIGGER "{name}" {body}')


def drop_triggers(conn: sqlite3.Connection) -> bool:
    """Drop the triggers (for a bulk load, which rebuilds the table after); whether they were
    there."""
    present = installed_triggers(conn)
    for name in present:
        conn.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    return bool(present)


def installed_triggers(conn: sqlite3.Connection) -> set[str]:
    return {
        str(row[0])
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE ? ESCAPE '\\'",
            (TRIGGER_PREFIX.replace("_", "\\_") + "%",),
        )
    }


def table_exists(conn: sqlite3.Connection) -> bool:
    found = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN (?, ?)", TABLES
    ).fetchone()[0]
    return bool(found == len(TABLES))


# The whole table from the source tables. Votes and duels are aggregated once each (a scan
# of an index, grouped in its order) instead of looked up scene by scene.
RECOMPUTED = (
    "SELECT s.id AS scene_id, s.kind AS kind, coalesce(v.n, 0) AS votes, "
    f"coalesce(v.total, 0) AS vote_sum, {latest_views_sql('s.id')} AS views, "
    "coalesce(w.n, 0) AS wins, coalesce(l.n, 0) AS losses FROM scene s "
    "LEFT JOIN (SELECT scene_id, count(*) AS n, sum(score) AS total FROM vote "
    "WHERE current = 1 GROUP BY scene_id) v ON v.scene_id = s.id "
    "LEFT JOIN (SELECT winner_id, count(*) AS n FROM duel GROUP BY winner_id) w "
    "ON w.winner_id = s.id "
    "LEFT JOIN (SELECT loser_id, count(*) AS n FROM duel GROUP BY loser_id) l "
    "ON l.loser_id = s.id"
)


CLASS_COUNTS = f"SELECT {_CLASS}, count(*) AS scenes FROM scene_signal GROUP BY {_CLASS}"


def rebuild(conn: sqlite3.Connection) -> None:
    """Compute both tables again (inside the caller's transaction), with the class triggers
    off: one GROUP BY instead of a class update per scene."""
    for name in CLASS_TRIGGERS:
        conn.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    conn.execute("DELETE FROM scene_signal")
    conn.execute(
        f"INSERT INTO scene_signal ({ALL_COLUMNS}) SELECT {COLUMNS}, wins + losses, "
        f"views IS NOT NULL FROM ({RECOMPUTED})"
    )
    conn.execute("DELETE FROM signal_class")
    conn.execute(f"INSERT INTO signal_class ({_CLASS}, scenes) {CLASS_COUNTS}")
    for name, body in CLASS_TRIGGERS.items():
        conn.execute(f'CREATE TRIGGER "{name}" {body}')


def install(conn: sqlite3.Connection) -> None:
    """Create the tables, indexes and triggers, and fill them (the upgrade's step)."""
    for statement in SCHEMA:
        conn.execute(statement)
    rebuild(conn)
    install_triggers(conn)


def problems(conn: sqlite3.Connection, shown: int = 5) -> list[str]:
    """Differences between the table and a recomputation, and missing triggers."""
    if not table_exists(conn):
        return [f"the {' or '.join(TABLES)} table is missing"]
    found: list[str] = []
    missing = sorted(set(TRIGGERS) - installed_triggers(conn))
    if missing:
        found.append(
            f"{TABLE} trigger(s) missing: {', '.join(missing)} "
            "(scenecat db check --repair puts them back)"
        )
    wrong = conn.execute(
        f"SELECT r.scene_id, s.key FROM ({RECOMPUTED}) r JOIN scene s ON s.id = r.scene_id "
        f"WHERE NOT EXISTS (SELECT 1 FROM scene_signal g WHERE g.scene_id = r.scene_id "
        "AND g.kind = r.kind AND g.votes = r.votes AND g.vote_sum = r.vote_sum "
        "AND g.views IS r.views AND g.wins = r.wins AND g.losses = r.losses "
        "AND g.duels = r.wins + r.losses AND g.has_views = (r.views IS NOT NULL)) "
        "ORDER BY r.scene_id"
    ).fetchall()
    if wrong:
        keys = ", ".join(str(key) for _, key in wrong[:shown])
        more = f" and {len(wrong) - shown} more" if len(wrong) > shown else ""
        found.append(
            f"{len(wrong)} scene(s) whose stored signals differ from their votes, duels "
            f"and views: {keys}{more} (scenecat db check --repair computes them again)"
        )
    stray = conn.execute(
        "SELECT count(*) FROM scene_signal g WHERE NOT EXISTS "
        "(SELECT 1 FROM scene s WHERE s.id = g.scene_id)"
    ).fetchone()[0]
    if stray:
        found.append(f"{stray} {TABLE} row(s) for scenes that do not exist")
    classes = (
        conn.execute(
            f"SELECT count(*) FROM (SELECT * FROM ({CLASS_COUNTS}) EXCEPT "
            f"SELECT {_CLASS}, scenes FROM signal_class) "
        ).fetchone()[0]
        + conn.execute(
            f"SELECT count(*) FROM (SELECT {_CLASS}, scenes FROM signal_class EXCEPT "
            f"SELECT * FROM ({CLASS_COUNTS}))"
        ).fetchone()[0]
    )
    if classes:
        found.append(
            f"{classes} signal_class count(s) differ from the scene_signal rows "
            "(scenecat db check --repair computes them again)"
        )
    return found


def create_signals(db: Database) -> None:
    """Migration 0007_scene_signals."""
    run_in_transaction_statements(db, [])
    install(db.conn)
