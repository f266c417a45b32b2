"""A second full-text index, on the `scene` table itself: the scene's own text.

scenecat searches through `scene_search_fts` (search_index.py), whose documents join each
scene with its drama, actors, characters and the derived name terms. That index hangs off
`scene_search`, so tools that look for an index declared on `scene` (sqlite-utils'
`detect_fts`, which `sqlite-utils search catalogue.db scene kiss` uses, and Datasette without
scenecat's metadata, as in a published folder served elsewhere) find none.

`scene_fts` is that index: FTS5 with `content="scene"` (the spelling both tools look for)
over the scene's own searchable columns (scene_fields.SEARCH_FIELDS that are columns of
`scene`: title, description, kind, location), with the tokenizer `scene_search_fts` uses.
It finds scenes by their own words only, not by actor or drama names: those live in other
tables, and an index whose content table is `scene` can only read `scene`'s columns.

Triggers on `scene` keep it in step with every write, undo included; a bulk import drops
them and builds the index once at the end, as it does for the main index (measured at 100k
scenes in docs/benchmarks.md). The index and its shadow tables are private on the website
(web/metadata.py serves only the tables it documents).
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from scenecat.scene_fields import SEARCH_FIELDS
from scenecat.storage.ddl import run_in_transaction_statements

if TYPE_CHECKING:
    from sqlite_utils import Database

FTS_TABLE = "scene_fts"
CONTENT_TABLE = "scene"
COLUMNS = tuple(f.column for f in SEARCH_FIELDS if f.column is not None)
# The build buffer of search_index.BUILD_HASHSIZE: fewer, larger segments in one build.
BUILD_HASHSIZE = 16 * 1024 * 1024

_COLS = ", ".join(COLUMNS)
_NEW = ", ".join(f"new.{c}" for c in COLUMNS)
_OLD = ", ".join(f"old.{c}" for c in COLUMNS)

CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(\n"
    f"    {_COLS},\n"
    f"    content=\"{CONTENT_TABLE}\", content_rowid='id',\n"
    "    tokenize='unicode61 remove_diacritics 2'\n)"
)
TRIGGERS = {
    "scene_fts_ai": (
        f"CREATE TRIGGER IF NOT EXISTS scene_fts_ai AFTER INSERT ON {CONTENT_TABLE} BEGIN "
        f"INSERT INTO {FTS_TABLE}(rowid, {_COLS}) VALUES (new.id, {_NEW}); END"
    ),
    "scene_fts_ad": (
        f"CREATE TRIGGER IF NOT EXISTS scene_fts_ad AFTER DELETE ON {CONTENT_TABLE} BEGIN "
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_COLS}) VALUES ('delete', old.id, {_OLD}); "
        "END"
    ),
    # Only a change of an indexed column (or of the id) touches the index.
    "scene_fts_au": (
        f"CREATE TRIGGER IF NOT EXISTS scene_fts_au AFTER UPDATE OF id, {_COLS} "
        f"ON {CONTENT_TABLE} BEGIN "
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_COLS}) VALUES ('delete', old.id, {_OLD}); "
        f"INSERT INTO {FTS_TABLE}(rowid, {_COLS}) VALUES (new.id, {_NEW}); END"
    ),
}


def _layout_current(conn: sqlite3.Connection) -> bool:
    """Whether the index exists with COLUMNS, hanging off `scene`."""
    row = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (FTS_TABLE,)).fetchone()
    if row is None or f'content="{CONTENT_TABLE}"' not in str(row[0]):
        return False
    return tuple(r[1] for r in conn.execute(f"PRAGMA table_info({FTS_TABLE})")) == COLUMNS


def exists(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (FTS_TABLE,)).fetchone()
    return row is not None


def _scene_has_columns(conn: sqlite3.Connection) -> bool:
    have = {row[1] for row in conn.execute(f'PRAGMA table_info("{CONTENT_TABLE}")')}
    return all(c in have for c in COLUMNS)


def drop(conn: sqlite3.Connection) -> None:
    for name in TRIGGERS:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    conn.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def _create(conn: sqlite3.Connection) -> None:
    """The table in the layout COLUMNS declares (made again when a searchable field was
    added since), without its triggers."""
    if not _layout_current(conn):
        drop(conn)
        conn.execute(CREATE)


def begin_bulk(conn: sqlite3.Connection) -> None:
    """Before a bulk load: no per-row triggers (the index is built once at the end)."""
    _create(conn)
    for name in TRIGGERS:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")


def end_bulk(conn: sqlite3.Connection) -> None:
    """After a bulk load (or to remake the index): build it from `scene`, triggers back."""
    rebuild(conn)


def rebuild(conn: sqlite3.Connection) -> None:
    """The whole index made again from `scene` in one FTS5 build, with a larger buffer."""
    if not _scene_has_columns(conn):
        return  # an older catalogue mid-upgrade: a later step adds the column, then this
    _create(conn)
    config = f"{FTS_TABLE}_config"
    found = conn.execute(f"SELECT v FROM {config} WHERE k = 'hashsize'").fetchall()
    conn.execute(
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('hashsize', ?)", (BUILD_HASHSIZE,)
    )
    conn.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    if found:
        conn.execute(
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('hashsize', ?)", (found[0][0],)
        )
    else:
        conn.execute(f"DELETE FROM {config} WHERE k = 'hashsize'")
    for statement in TRIGGERS.values():
        conn.execute(statement)


def check(conn: sqlite3.Connection) -> list[str]:
    """Problems that show the index is missing or out of step with `scene`."""
    if not _layout_current(conn):
        return [f"the {FTS_TABLE} index is missing or outdated (db backup --salvage remakes it)"]
    problems = []
    missing = [
        name
        for name in TRIGGERS
        if conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
        ).fetchone()
        is None
    ]
    if missing:
        problems.append(f"{FTS_TABLE} triggers missing: {', '.join(missing)}")
    try:
        # rank 1: the index is also compared with its content table, `scene`, row by row.
        conn.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError as exc:
        if "readonly" not in str(exc):
            problems.append(f"{FTS_TABLE} does not match the scenes: {exc}")
    return problems


def create_index(db: Database) -> None:
    """Migration 0014_scene_text_search: the index, built from the scenes there are."""
    run_in_transaction_statements(db, [])
    rebuild(db.conn)
