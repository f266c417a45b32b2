"""Bulk loading: batched inserts with ids chosen by the caller, for imports into a fresh
catalogue (domain/importing/bulk_importer.py decides what goes in; this module only writes it).

Rows carry explicit ids so that the loader can refer to a row before its batch is written;
batches are written in dependency order, so every foreign key points at a row already there.
The search documents are rows like any other here (the loader makes them); the FTS index over
them is built once at the end (search_index.begin_bulk / end_bulk).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter
from typing import Any

from scenecat.fields import KINDS, column_row, stored_columns
from scenecat.scene_fields import COLUMN_FIELDS
from scenecat.storage import search_index

# The scene table's declared columns, and a getter of their values from a scene record (a
# tuple in the same order, so that a row's values always meet their own columns).
SCENE_COLUMNS = tuple(f.column for f in COLUMN_FIELDS if f.column is not None)
scene_values = attrgetter(*(f.name for f in COLUMN_FIELDS))
# The declared columns of the actor and drama tables (fields.py: each stored field, then its
# folded key): the INSERT names them and declared_row() gives their values by name.
DECLARED_COLUMNS = {table: stored_columns(infos) for table, infos in KINDS.items()}


def declared_row(table: str, row_id: int, rec: object) -> tuple[object, ...]:
    """A row of `table` ("actor", "drama") for a record with its declared fields: the id,
    then DECLARED_COLUMNS[table]'s values, each looked up by its column's name."""
    infos = KINDS[table]
    row = column_row(infos, {f.name: getattr(rec, f.name) for f in infos if f.column})
    return (row_id, *(row[column] for column in DECLARED_COLUMNS[table]))


def _declared_insert(table: str) -> str:
    columns = DECLARED_COLUMNS[table]
    return f"INSERT INTO {table} (id, {', '.join(columns)}) VALUES (?{', ?' * len(columns)})"


# Parent tables first: a batch never holds a row whose parent is written after it.
_INSERTS: dict[str, str] = {
    # (id, then the declared columns): rows from declared_row()
    "actor": _declared_insert("actor"),
    "actor_alias": "INSERT OR IGNORE INTO actor_alias (actor_id, alias, alias_key) VALUES (?, ?, ?)",
    "drama": _declared_insert("drama"),
    "drama_alias": "INSERT OR IGNORE INTO drama_alias (drama_id, alias, alias_key) VALUES (?, ?, ?)",
    "episode": "INSERT INTO episode (id, drama_id, number, aired, title, rating) "
    "VALUES (?, ?, ?, ?, ?, ?)",
    "credit": "INSERT INTO credit (id, drama_id, actor_id, character, role, billing) "
    "VALUES (?, ?, ?, ?, ?, ?)",
    # (id, key, drama_id, then the declared columns): rows from scene_row()
    "scene": f"INSERT INTO scene (id, key, drama_id, {', '.join(SCENE_COLUMNS)}) "
    f"VALUES (?, ?, ?{', ?' * len(SCENE_COLUMNS)})",
    # the search documents, made by the loader (search_index.BulkDocuments)
    "scene_search": f"INSERT INTO scene_search (id, {', '.join(search_index.COLUMNS)}) "
    f"VALUES (?{', ?' * len(search_index.COLUMNS)})",
    "scene_tag": "INSERT INTO scene_tag (scene_id, tag) VALUES (?, ?)",
    "scene_actor": "INSERT INTO scene_actor (scene_id, actor_id, position) VALUES (?, ?, ?)",
    "source": "INSERT INTO source (id, url, title, publisher, kind, published) "
    "VALUES (?, ?, ?, ?, ?, ?)",
    "scene_source": "INSERT INTO scene_source (scene_id, source_id, start_s, end_s) "
    "VALUES (?, ?, ?, ?)",
    "view_count": "INSERT INTO view_count (id, scene_id, count, observed_on, source) "
    "VALUES (?, ?, ?, ?, ?)",
    "vote": "INSERT INTO vote (id, scene_id, voter, score, voted_on, current) "
    "VALUES (?, ?, ?, ?, ?, ?)",
    "duel": "INSERT INTO duel (id, winner_id, loser_id, voter, decided_on) VALUES (?, ?, ?, ?, ?)",
}
TABLES = tuple(_INSERTS)

# Rows go in as multi-row INSERT ... VALUES (...), (...), ... statements: one statement run
# per MAX_PARAMS values instead of one per row, which halves the per-row cost of executemany
# (each row is still bound parameter by parameter, so the values stored are the same). 999
# is the lowest limit on parameters of any SQLite build.
MAX_PARAMS = 999


def _multi_row(sql: str) -> tuple[str, int]:
    """(the INSERT with as many VALUES rows as fit in MAX_PARAMS, that number of rows)."""
    head, _, row = sql.rpartition(" VALUES ")
    width = row.count("?")
    per = MAX_PARAMS // width
    return f"{head} VALUES {', '.join([row] * per)}", per


_MULTI = {table: _multi_row(sql) for table, sql in _INSERTS.items()}


def insert_rows(conn: sqlite3.Connection, table: str, rows: Sequence[Sequence[Any]]) -> None:
    """Insert `rows` (tuples in the column order of _INSERTS[table]) into `table`, in order."""
    sql, per = _MULTI[table]
    whole = len(rows) - len(rows) % per
    if whole:
        values = list(chain.from_iterable(rows[:whole] if whole < len(rows) else rows))
        step = per * len(rows[0])
        execute = conn.execute
        for start in range(0, len(values), step):
            execute(sql, values[start : start + step])
    if whole < len(rows):
        conn.executemany(_INSERTS[table], rows[whole:])


ID_TABLES = ("actor", "drama", "episode", "credit", "scene", "source", "view_count", "vote", "duel")


def is_fresh(conn: sqlite3.Connection) -> bool:
    """True when the catalogue holds no actors, dramas or scenes (so no votes or duels) and
    no sources: a source can outlive its scenes (one left unlinked by a removal before
    removals swept them), and the bulk path inserts sources without looking up their URL."""
    row = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM scene) OR EXISTS (SELECT 1 FROM actor) "
        "OR EXISTS (SELECT 1 FROM drama) OR EXISTS (SELECT 1 FROM source)"
    ).fetchone()
    return not row[0]


def next_ids(conn: sqlite3.Connection) -> dict[str, int]:
    """The id the next row of each table gets (what SQLite would choose: max + 1)."""
    return {
        table: int(conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0])
        for table in ID_TABLES
    }


# Page cache during a bulk load (KiB): the unique indexes (scene keys, scene-actor pairs) are
# filled in random order, and with SQLite's 2 MiB default most inserts miss the cache.
BULK_CACHE_KIB = 131_072
# Tables whose secondary indexes are dropped during a load and built again at the end
# (building an index over sorted data beats inserting into it at random: about 2x over the
# whole insert). The name tables keep theirs: the fallback name lookups need them.
REINDEXED = (
    "episode",
    "credit",
    "scene",
    "scene_tag",
    "scene_actor",
    "source",
    "scene_source",
    "view_count",
    "vote",
    "duel",
)


@dataclass
class LoadState:
    cache_size: int
    indexes: list[tuple[str, str]]  # (name, CREATE INDEX statement)
    history_triggers: bool
    signal_triggers: bool = False


def begin_load(conn: sqlite3.Connection) -> LoadState:
    """Prepare a bulk load inside the caller's transaction: a larger page cache, secondary
    indexes of the big tables dropped, and the history's per-row logging triggers dropped
    (a bulk change is undone from its rowid marks, and the triggers' per-row check alone
    doubles the insert time). A rollback of the transaction brings everything back."""
    from scenecat.storage import changelog, scene_signals

    cache = int(conn.execute("PRAGMA cache_size").fetchone()[0])
    conn.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    marks = ",".join("?" * len(REINDEXED))
    indexes = [
        (str(name), str(sql))
        for name, sql in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks}) ORDER BY name",
            REINDEXED,
        )
    ]
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    triggers = changelog.history_triggers(conn)
    for name in triggers:
        conn.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    # The per-scene signals are computed once at the end (end_load) instead of per row.
    signal_triggers = scene_signals.drop_triggers(conn)
    return LoadState(cache, indexes, bool(triggers), signal_triggers)


def end_load(conn: sqlite3.Connection, state: LoadState) -> None:
    """Build the dropped indexes again, reinstall the history triggers, and compute the
    per-scene signals of everything loaded (their triggers keep them current from here)."""
    from scenecat.storage import changelog, scene_signals

    for _, sql in state.indexes:
        conn.execute(sql)
    if state.history_triggers:
        changelog.install_triggers(conn)
    if state.signal_triggers:
        scene_signals.rebuild(conn)
        scene_signals.install_triggers(conn)


def restore_cache(conn: sqlite3.Connection, state: LoadState) -> None:
    conn.execute(f"PRAGMA cache_size = {state.cache_size}")


class BatchWriter:
    """Collects rows per table and writes them in batches (insert_rows), parents first.

    Callers append to the lists in `rows` directly (it is the hot loop of an import), count
    records in `records` and call `flush()` once it reaches `batch_records`."""

    def __init__(self, conn: sqlite3.Connection, batch_records: int = 5_000) -> None:
        self.conn = conn
        self.batch_records = batch_records
        self.records = 0
        self.rows: dict[str, list[Sequence[Any]]] = {table: [] for table in TABLES}

    def flush(self) -> None:
        for table in TABLES:
            rows = self.rows[table]
            if rows:
                insert_rows(self.conn, table, rows)
                rows.clear()
        self.records = 0


def update_sources(conn: sqlite3.Connection, rows: Iterable[Sequence[Any]]) -> None:
    """Set (title, publisher, kind, published) of sources by id: (title, ..., id) rows."""
    conn.executemany(
        "UPDATE source SET title = ?, publisher = ?, kind = ?, published = ? WHERE id = ?", rows
    )


# --- the bulk path in reverse -----------------------------------------------------------------
#
# Undo of a load into a fresh catalogue (every tracked table empty before it) takes back every
# row of those tables. Deleting them through the usual cascades runs per-row work by the
# million: triggers (a search-index delete per document, a signal recount per vote, a history
# check per row), index updates and, as the connection keeps foreign keys on and a transaction
# cannot turn them off, a cascade program per deleted parent row into each of its child tables
# (12 of 13 s at 100k scenes before; 4 of 5 s for the scenes alone with the triggers and
# indexes dropped). Instead each table is dropped, children before their parents (a DROP of a
# table some foreign key still points at deletes its rows one by one first; with none, SQLite
# frees its pages without visiting its rows), and made again from its own schema text, with
# its indexes and triggers: the same schema, empty. All inside the caller's transaction: a
# crash or a rollback brings everything back.


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def children_first(conn: sqlite3.Connection, tables: Iterable[str]) -> list[str]:
    """`tables` ordered so that every table comes before the tables its foreign keys point at
    (a table's own reference to itself does not count); ties by name."""
    pending = sorted(set(tables))
    referenced_by: dict[str, set[str]] = {table: set() for table in pending}
    for child in pending:
        for row in conn.execute(f"PRAGMA foreign_key_list({_quoted(child)})").fetchall():
            if row[2] != child and row[2] in referenced_by:
                referenced_by[str(row[2])].add(child)
    ordered: list[str] = []
    while pending:
        left = set(pending)
        # the tables no remaining table refers to go next (a cycle: the first by name)
        ready = [t for t in pending if not referenced_by[t] & left] or pending[:1]
        ordered.extend(ready)
        pending = [t for t in pending if t not in ready]
    return ordered


def _stat_rows(conn: sqlite3.Connection, tables: Sequence[str]) -> list[tuple[Any, ...]]:
    """ANALYZE's statistics of `tables` (a DROP TABLE deletes them; the rows keep them)."""
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
    ).fetchone()
    if found is None:
        return []
    marks = ",".join("?" * len(tables))
    return conn.execute(
        f"SELECT tbl, idx, stat FROM sqlite_stat1 WHERE tbl IN ({marks})", list(tables)
    ).fetchall()


def clear_load(conn: sqlite3.Connection, tables: Sequence[str]) -> None:
    """Empty `tables` (tracked tables that were empty before a bulk load) and the tables
    derived from them (the search documents and the per-scene signals; both full-text
    indexes are built again from no rows), inside the caller's transaction. Each table is
    dropped and made again from its schema text in sqlite_master, with its indexes and
    triggers, so the schema afterwards is the one before, object for object."""
    from scenecat.storage import changelog, scene_signals

    derived = [search_index.TABLE, *scene_signals.TABLES]
    everything = [*tables, *(t for t in derived if changelog.table_exists(conn, t))]
    order = children_first(conn, everything)
    marks = ",".join("?" * len(order))
    schema: list[tuple[str, str, str]] = conn.execute(
        f"SELECT type, tbl_name, sql FROM sqlite_master WHERE tbl_name IN ({marks}) "
        "AND type IN ('table', 'index', 'trigger') AND sql IS NOT NULL ORDER BY rowid",
        order,
    ).fetchall()
    stats = _stat_rows(conn, order)
    for table in order:
        conn.execute(f"DROP TABLE {_quoted(table)}")
    # Parents first (a table's foreign keys name tables already there), then each table's
    # indexes, then every trigger (a trigger's body may name any of the tables).
    for table in reversed(order):
        for kind, owner, sql in schema:
            if owner == table and kind == "table":
                conn.execute(sql)
        for kind, owner, sql in schema:
            if owner == table and kind == "index":
                conn.execute(sql)
    for kind, _owner, sql in schema:
        if kind == "trigger":
            conn.execute(sql)
    if stats:
        conn.executemany("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)", stats)
    # Both full-text indexes from the (now empty) tables they index.
    search_index.end_bulk(conn)
