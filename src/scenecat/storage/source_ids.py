"""Ids that records carry in outside sources (a Wikidata Q-id, a TMDB id).

One id per record and source; an id belongs to one record only, so fetching the same drama
or person twice finds the record made the first time instead of making a second one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from scenecat.storage.ddl import run_in_transaction_statements

if TYPE_CHECKING:
    from sqlite_utils import Database

KINDS = ("actor", "drama")

_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS actor_source_id (
    actor_id INTEGER NOT NULL REFERENCES actor(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    ext_id TEXT NOT NULL,
    PRIMARY KEY (actor_id, source),
    UNIQUE (source, ext_id)
)""",
    """CREATE TABLE IF NOT EXISTS drama_source_id (
    drama_id INTEGER NOT NULL REFERENCES drama(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    ext_id TEXT NOT NULL,
    PRIMARY KEY (drama_id, source),
    UNIQUE (source, ext_id)
)""",
]


def create_tables(db: Database) -> None:
    """Migration 0008_source_ids."""
    run_in_transaction_statements(db, _SCHEMA)


def _table(kind: str) -> tuple[str, str]:
    if kind not in KINDS:
        raise ValueError(kind)
    return f"{kind}_source_id", f"{kind}_id"


def ids_of(conn: sqlite3.Connection, kind: str, record_id: int) -> dict[str, str]:
    table, column = _table(kind)
    rows = conn.execute(
        f"SELECT source, ext_id FROM {table} WHERE {column} = ? ORDER BY source", (record_id,)
    )
    return {source: ext_id for source, ext_id in rows}


def ids_of_many(
    conn: sqlite3.Connection, kind: str, record_ids: Sequence[int]
) -> dict[int, dict[str, str]]:
    """ids_of for several records in one query (records without ids are left out)."""
    table, column = _table(kind)
    found: dict[int, dict[str, str]] = {}
    if not record_ids:
        return found
    marks = ",".join("?" * len(record_ids))
    rows = conn.execute(
        f"SELECT {column}, source, ext_id FROM {table} WHERE {column} IN ({marks}) "
        f"ORDER BY {column}, source",
        list(record_ids),
    )
    for record_id, source, ext_id in rows:
        found.setdefault(record_id, {})[source] = ext_id
    return found


def record_with(conn: sqlite3.Connection, kind: str, source: str, ext_id: str) -> int | None:
    table, column = _table(kind)
    row = conn.execute(
        f"SELECT {column} FROM {table} WHERE source = ? AND ext_id = ?", (source, ext_id)
    ).fetchone()
    return int(row[0]) if row else None


def set_id(conn: sqlite3.Connection, kind: str, record_id: int, source: str, ext_id: str) -> bool:
    """Store the id; False when the record already has this very id."""
    table, column = _table(kind)
    current = ids_of(conn, kind, record_id).get(source)
    if current == ext_id:
        return False
    conn.execute(
        f"INSERT INTO {table} ({column}, source, ext_id) VALUES (?, ?, ?) "
        f"ON CONFLICT ({column}, source) DO UPDATE SET ext_id = excluded.ext_id",
        (record_id, source, ext_id),
    )
    return True


def move_ids(conn: sqlite3.Connection, kind: str, keep_id: int, gone_id: int) -> None:
    """On a merge: ids the kept record lacks come over from the other one."""
    table, column = _table(kind)
    conn.execute(
        f"UPDATE OR IGNORE {table} SET {column} = ? WHERE {column} = ?", (keep_id, gone_id)
    )


def remove_id(conn: sqlite3.Connection, kind: str, record_id: int, source: str) -> None:
    table, column = _table(kind)
    conn.execute(f"DELETE FROM {table} WHERE {column} = ? AND source = ?", (record_id, source))


def sources_of(
    conn: sqlite3.Connection, dramas: Iterable[str] = (), actors: Iterable[str] = ()
) -> set[str]:
    """The sources any of these dramas (by title) or actors (by name) has an id from."""
    found: set[str] = set()
    for table, kind, column, names in (
        ("drama", "drama", "title", sorted(set(dramas))),
        ("actor", "actor", "name", sorted(set(actors))),
    ):
        for start in range(0, len(names), 500):
            batch = names[start : start + 500]
            marks = ",".join("?" * len(batch))
            found.update(
                row[0]
                for row in conn.execute(
                    f"SELECT DISTINCT s.source FROM {kind}_source_id s JOIN {table} t "
                    f"ON t.id = s.{kind}_id WHERE t.{column} IN ({marks})",
                    batch,
                )
            )
    return found


def sources_in_use(conn: sqlite3.Connection) -> set[str]:
    """Every source some drama or actor of the catalogue has an id from."""
    rows = conn.execute(
        "SELECT source FROM drama_source_id UNION SELECT source FROM actor_source_id"
    )
    return {row[0] for row in rows}
