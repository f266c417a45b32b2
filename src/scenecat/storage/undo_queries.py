"""The SQL of `undo`: the logged entries of a change, row images compared with the live rows,
the inverse writes (delete, insert, update by key), foreign keys, and bulk marks.

The log itself (tables, triggers, recording a change) is storage/changelog.py; deciding what an
undo may do is domain/history.py.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from scenecat.storage.changelog import BLOB_MARK, TableInfo, image_json, quote, table_info

# Row images and replay


@dataclass
class Entry:
    seq: int
    change_id: int | None
    table: str
    op: str  # I, U or D
    key_old: tuple[Any, ...] | None
    key_new: tuple[Any, ...] | None
    old: dict[str, Any] | None
    new: dict[str, Any] | None

    @property
    def keys(self) -> list[tuple[Any, ...]]:
        return [k for k in (self.key_old, self.key_new) if k is not None]


def _entry(row: tuple[Any, ...]) -> Entry:
    def key(text: str | None) -> tuple[Any, ...] | None:
        return tuple(json.loads(text)) if text is not None else None

    def image(text: str | None) -> dict[str, Any] | None:
        return json.loads(text) if text is not None else None

    return Entry(
        row[0], row[1], row[2], row[3], key(row[4]), key(row[5]), image(row[6]), image(row[7])
    )


_ENTRY_COLUMNS = "seq, change_id, tbl, op, key_old, key_new, old, new"


def entries(conn: sqlite3.Connection, change_id: int) -> list[Entry]:
    rows = conn.execute(
        f"SELECT {_ENTRY_COLUMNS} FROM history_entry WHERE change_id = ? ORDER BY seq",
        (change_id,),
    )
    return [_entry(r) for r in rows]


def later_entries(
    conn: sqlite3.Connection, after_seq: int, excluding: Iterable[int]
) -> list[Entry]:
    """Entries written after `after_seq` by anything but the `excluding` changes (entries
    with no change were written outside `Catalogue.write`, e.g. by another tool)."""
    skip = sorted(set(excluding))
    marks = ",".join("?" * len(skip)) or "NULL"
    rows = conn.execute(
        f"SELECT {_ENTRY_COLUMNS} FROM history_entry WHERE seq > ? "
        f"AND (change_id IS NULL OR change_id NOT IN ({marks})) ORDER BY seq",
        [after_seq, *skip],
    )
    return [_entry(r) for r in rows]


def entry_counts(conn: sqlite3.Connection, change_id: int) -> dict[tuple[str, str], int]:
    rows = conn.execute(
        "SELECT tbl, op, count(*) FROM history_entry WHERE change_id = ? GROUP BY tbl, op",
        (change_id,),
    )
    return {(r[0], r[1]): r[2] for r in rows}


def drop_entries(conn: sqlite3.Connection, change_id: int) -> None:
    conn.execute("DELETE FROM history_entry WHERE change_id = ?", (change_id,))


def defer_foreign_keys(conn: sqlite3.Connection) -> None:
    # Undo restores rows in the reverse order they were written; parents and children may be
    # briefly out of step inside the transaction. The check still runs at COMMIT.
    conn.execute("PRAGMA defer_foreign_keys = ON")


def _decode(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(BLOB_MARK):
        return bytes.fromhex(value[len(BLOB_MARK) :])
    return value


@functools.lru_cache(maxsize=256)
def _where_sql(info: TableInfo) -> str:
    return " AND ".join(f"{quote(c) if c != 'rowid' else 'rowid'} = ?" for c in info.key)


@functools.lru_cache(maxsize=256)
def _select_image_sql(info: TableInfo) -> str:
    return f"SELECT {image_json(info, '')} FROM {quote(info.name)} WHERE {_where_sql(info)}"


def _where(info: TableInfo, key: tuple[Any, ...]) -> tuple[str, list[Any]]:
    return _where_sql(info), [_decode(v) for v in key]


def current_image(
    conn: sqlite3.Connection, info: TableInfo, key: tuple[Any, ...]
) -> dict[str, Any] | None:
    """The row with `key` as the triggers would log it (same JSON rendering), or None."""
    row = conn.execute(_select_image_sql(info), [_decode(v) for v in key]).fetchone()
    return json.loads(row[0]) if row else None


def same_image(info: TableInfo, logged: dict[str, Any], current: dict[str, Any] | None) -> bool:
    if current is None:
        return False
    # Columns added after the entry was logged are not compared.
    return all(current.get(c) == v for c, v in logged.items() if c in current)


def delete_row(conn: sqlite3.Connection, info: TableInfo, key: tuple[Any, ...]) -> int:
    where, params = _where(info, key)
    return conn.execute(f"DELETE FROM {quote(info.name)} WHERE {where}", params).rowcount


def insert_row(conn: sqlite3.Connection, info: TableInfo, image: dict[str, Any]) -> None:
    columns = [c for c in info.image_columns if c in image]
    names = ", ".join(quote(c) if c != "rowid" else "rowid" for c in columns)
    conn.execute(
        f"INSERT INTO {quote(info.name)} ({names}) VALUES ({', '.join('?' * len(columns))})",
        [_decode(image[c]) for c in columns],
    )


def update_row(
    conn: sqlite3.Connection, info: TableInfo, key: tuple[Any, ...], image: dict[str, Any]
) -> int:
    columns = [c for c in info.image_columns if c in image]
    assignments = ", ".join(f"{quote(c) if c != 'rowid' else 'rowid'} = ?" for c in columns)
    where, params = _where(info, key)
    return conn.execute(
        f"UPDATE {quote(info.name)} SET {assignments} WHERE {where}",
        [*(_decode(image[c]) for c in columns), *params],
    ).rowcount


@dataclass(frozen=True)
class ForeignKey:
    table: str  # the child
    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]


def foreign_keys(conn: sqlite3.Connection, table: str) -> list[ForeignKey]:
    groups: dict[int, list[tuple[Any, ...]]] = {}
    for row in conn.execute(f"PRAGMA foreign_key_list({quote(table)})"):
        groups.setdefault(row[0], []).append(row)
    found = []
    for rows in groups.values():
        rows.sort(key=lambda r: r[1])
        parent = rows[0][2]
        targets = tuple(r[4] for r in rows)
        if any(t is None for t in targets):
            targets = table_info(conn, parent).key
        found.append(ForeignKey(table, tuple(r[3] for r in rows), parent, targets))
    return found


def row_exists(
    conn: sqlite3.Connection, table: str, columns: tuple[str, ...], values: tuple[Any, ...]
) -> bool:
    where = " AND ".join(f"{quote(c)} = ?" for c in columns)
    found = conn.execute(
        f"SELECT 1 FROM {quote(table)} WHERE {where} LIMIT 1", [_decode(v) for v in values]
    ).fetchone()
    return found is not None


# Bulk changes


@dataclass
class BulkMark:
    table: str
    max_rowid: int | None
    row_count: int


def bulk_marks(conn: sqlite3.Connection, change_id: int) -> list[BulkMark]:
    rows = conn.execute(
        "SELECT tbl, max_rowid, row_count FROM history_bulk_mark WHERE change_id = ?",
        (change_id,),
    )
    return [BulkMark(r[0], r[1], r[2]) for r in rows]


def delete_above(conn: sqlite3.Connection, table: str, max_rowid: int | None) -> int:
    """Delete the rows added after a bulk mark (all of them when the table was empty)."""
    if max_rowid is None:
        return conn.execute(f"DELETE FROM {quote(table)}").rowcount
    return conn.execute(f"DELETE FROM {quote(table)} WHERE rowid > ?", (max_rowid,)).rowcount
