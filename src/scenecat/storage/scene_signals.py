"""Per-scene signals: one `scene_signal` row per scene with the aggregates ranking needs.

A row holds the scene's current votes (count and integer sum), its latest view count (the
rule of storage.rank_queries.LATEST_VIEWS: the largest count of each source's latest snapshot,
NULL without any), its duels won and lost, and its Bradley-Terry strength (storage/
duel_strengths.py: a cache of the fit, NULL while a duel of its component changed, filled again
before the write commits). SQL triggers on scene, vote, duel and
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
from scenecat.text import counted

if TYPE_CHECKING:
    from sqlite_utils import Database

TABLE = "scene_signal"
TRIGGER_PREFIX = "scene_signal_"

# The members of one score class (of the catalogue, of one kind) by a range of these, most
# views first (a class read in part bounds the rest by the views of its last scene read);
# the class's strongest scene by the last; the scenes whose strength is to be fitted again.
INDEXES = (
    "CREATE INDEX IF NOT EXISTS scene_signal_class_views "
    "ON scene_signal(votes, vote_sum, duels, has_views, views)",
    "CREATE INDEX IF NOT EXISTS scene_signal_kind_class_views "
    "ON scene_signal(kind, votes, vote_sum, duels, has_views, views)",
    "CREATE INDEX IF NOT EXISTS scene_signal_kind_class_strength "
    "ON scene_signal(kind, votes, vote_sum, duels, has_views, strength) "
    "WHERE strength IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS scene_signal_unfitted "
    "ON scene_signal(scene_id) WHERE duels > 0 AND strength IS NULL",
)

# `duels` (wins + losses) and `has_views` (views IS NOT NULL) and the scene's `kind` are
# kept as plain columns so that the class indexes cover the ranking's queries (SQLite 3.40
# reads the table for an index on an expression or a generated column). `strength` is the
# last column: the upgrade that brought it (0015_duel_strengths) appends it.
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
    "has_views INTEGER NOT NULL DEFAULT 0, "
    "strength REAL)",
    *INDEXES,
    # How many scenes each score class has, per kind, and the most views and the strongest
    # strength among them: a whole-catalogue ranking reads a few thousand rows here instead of
    # a million, and bounds each class's scores by its best scene. Kept by triggers on
    # scene_signal.
    "CREATE TABLE IF NOT EXISTS signal_class ("
    "kind TEXT NOT NULL, votes INTEGER NOT NULL, vote_sum INTEGER NOT NULL, "
    "duels INTEGER NOT NULL, has_views INTEGER NOT NULL, scenes INTEGER NOT NULL, "
    "top_views INTEGER, top_strength REAL, "
    "PRIMARY KEY (kind, votes, vote_sum, duels, has_views)) WITHOUT ROWID",
)
TABLES = ("scene_signal", "signal_class")
# The class indexes of schema 14 and before (without views: 0015_duel_strengths drops them).
OLD_INDEXES = ("scene_signal_by_class", "scene_signal_by_kind_class")


def _votes(scene: str) -> str:
    return (
        f"votes = (SELECT count(*) FROM vote WHERE scene_id = {scene} AND current = 1), "
        f"vote_sum = (SELECT coalesce(sum(score), 0) FROM vote "
        f"WHERE scene_id = {scene} AND current = 1)"
    )


def _duels(scene: str) -> str:
    # A duel changes the strengths of its whole component: its scenes' strengths are marked
    # to be fitted again (duel_strengths.refresh, before the write commits; a reader fits
    # what is still marked itself).
    won = f"(SELECT count(*) FROM duel WHERE winner_id = {scene})"
    lost = f"(SELECT count(*) FROM duel WHERE loser_id = {scene})"
    return f"wins = {won}, losses = {lost}, duels = {won} + {lost}, strength = NULL"


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
_CLASS_CHANGED = (
    "OLD.kind IS NOT NEW.kind OR OLD.votes IS NOT NEW.votes OR OLD.vote_sum IS NOT NEW.vote_sum "
    "OR OLD.duels IS NOT NEW.duels OR OLD.has_views IS NOT NEW.has_views"
)


def _match(row: str, alias: str = "") -> str:
    return " AND ".join(f"{alias}{column} = {row}.{column}" for column in _CLASS.split(", "))


def _top(column: str, row: str) -> str:
    """The largest `column` among the scenes of `row`'s class now (one index seek: the class
    indexes end with views, and with strength for the scenes that have one)."""
    stored = " AND t.strength IS NOT NULL" if column == "strength" else ""
    return f"(SELECT max(t.{column}) FROM scene_signal t WHERE {_match(row, 't.')}{stored})"


def _raised(column: str, value: str) -> str:
    # max() of SQL returns NULL when either side is NULL: a NULL top (no member has a value
    # yet) takes the new value.
    return f"CASE WHEN {value} > {column} OR {column} IS NULL THEN {value} ELSE {column} END"


def _count(row: str, step: str) -> str:
    if step == "+1":
        return (
            f"INSERT INTO signal_class ({_CLASS}, scenes, top_views, top_strength) VALUES "
            f"({row}.kind, {row}.votes, {row}.vote_sum, {row}.duels, {row}.has_views, 1, "
            f"{row}.views, {row}.strength) ON CONFLICT DO UPDATE SET scenes = scenes + 1, "
            f"top_views = {_raised('top_views', 'excluded.top_views')}, "
            f"top_strength = {_raised('top_strength', 'excluded.top_strength')};"
        )
    # The scene has left the class (the trigger runs after the change): when it held a top,
    # the top is found again among the scenes still there.
    return (
        f"UPDATE signal_class SET scenes = scenes - 1, "
        f"top_views = CASE WHEN {row}.views >= top_views THEN {_top('views', row)} "
        "ELSE top_views END, "
        f"top_strength = CASE WHEN {row}.strength >= top_strength "
        f"THEN {_top('strength', row)} ELSE top_strength END WHERE {_match(row)}; "
        f"DELETE FROM signal_class WHERE {_match(row)} AND scenes <= 0;"
    )


def _moved(column: str) -> str:
    """A class's top after one of its scenes' `column` changed (the scene stays)."""
    return (
        f"CASE WHEN OLD.{column} IS NEW.{column} THEN top_{column} "
        f"WHEN OLD.{column} >= top_{column} THEN {_top(column, 'NEW')} "
        f"ELSE {_raised(f'top_{column}', f'NEW.{column}')} END"
    )


# Triggers on scene_signal itself: the class counts and tops. (INSERT OR REPLACE fires the
# delete trigger of the replaced row: the connection turns recursive triggers on.)
CLASS_TRIGGERS = {
    "scene_signal_class_ins": f"AFTER INSERT ON scene_signal BEGIN {_count('NEW', '+1')} END",
    "scene_signal_class_upd": (
        f"AFTER UPDATE ON scene_signal WHEN {_CLASS_CHANGED} BEGIN "
        f"{_count('OLD', '-1')} {_count('NEW', '+1')} END"
    ),
    "scene_signal_class_del": f"AFTER DELETE ON scene_signal BEGIN {_count('OLD', '-1')} END",
    "scene_signal_class_top": (
        f"AFTER UPDATE OF views, strength ON scene_signal WHEN NOT ({_CLASS_CHANGED}) "
        "AND (OLD.views IS NOT NEW.views OR OLD.strength IS NOT NEW.strength) BEGIN "
        f"UPDATE signal_class SET top_views = {_moved('views')}, "
        f"top_strength = {_moved('strength')} WHERE {_match('NEW')}; END"
    ),
}

TRIGGERS = {
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


# The classes counted from scene_signal's rows, each part read from the index that covers it
# (the views index for counts and views, the strength index for strengths): a GROUP BY
# reading the table for every strength took 1.9 s at 1M scenes, these 0.2 s.
CLASS_COUNTS = (
    f"SELECT c.*, s.top_strength FROM (SELECT {_CLASS}, count(*) AS scenes, "
    f"max(views) AS top_views FROM scene_signal GROUP BY {_CLASS}) c "
    f"LEFT JOIN (SELECT {_CLASS}, max(strength) AS top_strength FROM scene_signal "
    f"WHERE strength IS NOT NULL GROUP BY {_CLASS}) s USING ({_CLASS})"
)
_CLASS_ROW = f"{_CLASS}, scenes, top_views, top_strength"


# The scenes whose stored row differs from the tables (or that have none), with their keys:
# one pass over the scenes, each value looked up in the index that covers it (a few seeks
# per scene). Joining RECOMPUTED's grouped subqueries instead made SQLite build an automatic
# index on each of them and work out the views twice: 0.42 s at 100k against 0.31 s.
# `duels` and `has_views` follow from the stored wins, losses and views once those match.
_DIFFERENT = (
    "SELECT s.id, s.key FROM scene s LEFT JOIN scene_signal g ON g.scene_id = s.id "
    "WHERE g.scene_id IS NULL OR g.kind IS NOT s.kind "
    "OR g.votes IS NOT (SELECT count(*) FROM vote WHERE scene_id = s.id AND current = 1) "
    "OR g.vote_sum IS NOT "
    "(SELECT coalesce(sum(score), 0) FROM vote WHERE scene_id = s.id AND current = 1) "
    f"OR g.views IS NOT {latest_views_sql('s.id')} "
    "OR g.wins IS NOT (SELECT count(*) FROM duel WHERE winner_id = s.id) "
    "OR g.losses IS NOT (SELECT count(*) FROM duel WHERE loser_id = s.id) "
    "OR g.duels IS NOT g.wins + g.losses OR g.has_views IS NOT (g.views IS NOT NULL) "
    "ORDER BY s.id"
)


def rebuild(conn: sqlite3.Connection) -> None:
    """Compute both tables again (inside the caller's transaction), with the class triggers
    off and the indexes of scene_signal made after its rows: one GROUP BY instead of a class
    update per scene, one sorted build per index instead of a million inserts into each.
    Every duel component is fitted once (duel_strengths.fit_all)."""
    for name in CLASS_TRIGGERS:
        conn.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    _drop_indexes(conn)
    conn.execute("DELETE FROM scene_signal")
    conn.execute(
        f"INSERT INTO scene_signal ({ALL_COLUMNS}) SELECT {COLUMNS}, wins + losses, "
        f"views IS NOT NULL FROM ({RECOMPUTED})"
    )
    _fit_and_count(conn)


def _index_name(statement: str) -> str:
    return statement.split()[5]  # CREATE INDEX IF NOT EXISTS <name> ON ...


def _drop_indexes(conn: sqlite3.Connection) -> None:
    for statement in INDEXES:
        conn.execute(f'DROP INDEX IF EXISTS "{_index_name(statement)}"')


def _fit_and_count(conn: sqlite3.Connection) -> None:
    """Fit every strength (with the indexes of scene_signal dropped: they are built after),
    count the classes and put the class triggers back."""
    from scenecat.storage import duel_strengths

    for name in CLASS_TRIGGERS:
        conn.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    _drop_indexes(conn)
    duel_strengths.fit_all(conn)
    for statement in INDEXES:
        conn.execute(statement)
    conn.execute("DELETE FROM signal_class")
    conn.execute(f"INSERT INTO signal_class ({_CLASS_ROW}) {CLASS_COUNTS}")
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
    from scenecat.storage import duel_strengths

    if not table_exists(conn):
        return [f"the {' or '.join(TABLES)} table is missing"]
    found: list[str] = []
    missing = sorted(set(TRIGGERS) - installed_triggers(conn))
    if missing:
        found.append(
            f"{TABLE} {'trigger' if len(missing) == 1 else 'triggers'} missing: {', '.join(missing)} "
            "(scenecat db check --repair puts them back)"
        )
    wrong = conn.execute(_DIFFERENT).fetchall()
    if wrong:
        keys = ", ".join(str(key) for _, key in wrong[:shown])
        more = f" and {len(wrong) - shown} more" if len(wrong) > shown else ""
        found.append(
            f"{counted(len(wrong), 'scene')} whose stored signals differ from their votes, duels "
            f"and views: {keys}{more} (scenecat db check --repair computes them again)"
        )
        stray = conn.execute(
            "SELECT count(*) FROM scene_signal g WHERE NOT EXISTS "
            "(SELECT 1 FROM scene s WHERE s.id = g.scene_id)"
        ).fetchone()[0]
    else:
        # Strengths are fitted from the duels the rows count: compared once those agree.
        found.extend(duel_strengths.problems(conn, shown))
        # Every scene has its row (the query above finds a scene without one), one at most
        # (scene_id is the key): any row more is a row for a scene that does not exist.
        rows, scenes = conn.execute(
            "SELECT (SELECT count(*) FROM scene_signal), (SELECT count(*) FROM scene)"
        ).fetchone()
        stray = rows - scenes
    if stray:
        found.append(f"{counted(stray, TABLE + ' row')} for scenes that do not exist")
    # EXCEPT compares NULLs as equal and the tops exactly: the same values, the same max().
    # (A CTE named twice is computed once.)
    classes = conn.execute(
        f"WITH counted AS ({CLASS_COUNTS}) "
        f"SELECT (SELECT count(*) FROM (SELECT * FROM counted EXCEPT "
        f"SELECT {_CLASS_ROW} FROM signal_class)) + (SELECT count(*) FROM "
        f"(SELECT {_CLASS_ROW} FROM signal_class EXCEPT SELECT * FROM counted))"
    ).fetchone()[0]
    if classes:
        found.append(
            f"{counted(classes, 'signal_class row')} {'differs' if classes == 1 else 'differ'} from the scene_signal rows they count "
            "(scenecat db check --repair computes them again)"
        )
    return found


def create_signals(db: Database) -> None:
    """Migration 0007_scene_signals."""
    run_in_transaction_statements(db, [])
    install(db.conn)


def add_strengths(db: Database) -> None:
    """Migration 0015_duel_strengths: the strength column and the class tops, the class
    indexes with views (replacing those without), every component fitted once, the classes
    counted again and the triggers that keep both."""
    from scenecat.storage.ddl import column_names

    run_in_transaction_statements(db, [])
    conn = db.conn
    # A catalogue created by this version has the columns already (0007 made the tables).
    if "strength" not in column_names(conn, "scene_signal"):
        conn.execute("ALTER TABLE scene_signal ADD COLUMN strength REAL")
    if "top_views" not in column_names(conn, "signal_class"):
        conn.execute("ALTER TABLE signal_class ADD COLUMN top_views INTEGER")
        conn.execute("ALTER TABLE signal_class ADD COLUMN top_strength REAL")
    for name in OLD_INDEXES:
        conn.execute(f'DROP INDEX IF EXISTS "{name}"')
    _fit_and_count(conn)
    install_triggers(conn)
