"""Saving what can still be read from a damaged catalogue into a new one (`db backup
--salvage`): row by row around damaged pages, then rows whose parent was lost are dropped so
the new catalogue passes `db check`. The change history is not carried over."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scenecat.storage.ddl import column_names

if TYPE_CHECKING:
    from scenecat.storage.connection import Catalogue

# Bookkeeping and derived tables: made again in the new catalogue, not copied.
_SKIP = ("sqlite_", "_sqlite", "history_", "scene_search")
_BATCH = 500


@dataclass
class Salvaged:
    copied: dict[str, int] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)  # tables not read to the end
    skipped: list[str] = field(default_factory=list)  # tables read around damaged pages
    orphans: dict[str, int] = field(default_factory=dict)  # rows dropped: parent lost


class _Skipped:
    """Marks the place where the reader jumped over rows it could not read."""


SKIPPED = _Skipped()


def _tables(conn: sqlite3.Connection) -> list[str]:
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return [n for n in names if not n.startswith(_SKIP)]


def _has_rowid(conn: sqlite3.Connection, table: str) -> bool:
    try:
        conn.execute(f'SELECT rowid FROM "{table}" LIMIT 0')
    except sqlite3.OperationalError:
        return False
    return True


def _rows(
    src: sqlite3.Connection, table: str, columns: list[str]
) -> Iterator[tuple[object, ...] | _Skipped]:
    """The readable rows of `table`, ending in a DatabaseError when the rest cannot be read.
    Rowid tables are read in rowid batches; past a batch that fails, the reader probes
    further and further ahead for rows it can read again."""
    select = ", ".join(f'"{c}"' for c in columns)
    if not _has_rowid(src, table):
        yield from src.execute(f'SELECT {select} FROM "{table}"').fetchall()
        return
    try:
        last = src.execute(f'SELECT max(rowid) FROM "{table}"').fetchone()[0]
    except sqlite3.DatabaseError:
        last = None
    after = -(2**63)
    while True:
        try:
            batch = src.execute(
                f'SELECT rowid, {select} FROM "{table}" WHERE rowid > ? ORDER BY rowid LIMIT ?',
                (after, _BATCH),
            ).fetchall()
        except sqlite3.DatabaseError:
            if last is None or after >= last:
                raise
            # Skip the damaged stretch: probe 1, 2, 4, ... rowids further on.
            step = 1
            while after + step <= last:
                try:
                    src.execute(
                        f'SELECT rowid FROM "{table}" WHERE rowid > ? ORDER BY rowid LIMIT 1',
                        (after + step,),
                    ).fetchall()
                    break
                except sqlite3.DatabaseError:
                    step *= 2
            after += step
            if after > last:
                raise
            yield SKIPPED
            continue
        if not batch:
            return
        for row in batch:
            yield row[1:]
        after = batch[-1][0]


def salvage_into(src: sqlite3.Connection, new: Catalogue, label: str) -> Salvaged:
    """Every readable row of `src` into the new, empty catalogue `new` as one bulk change,
    its derived tables made again from the rows saved; left in rollback-journal mode, as a
    file to be moved into place."""
    from scenecat.storage import scene_signals, search_index

    # Rows arrive table by table, children possibly before their parents: the keys are
    # checked once, by dropping the orphans at the end.
    new.conn.execute("PRAGMA foreign_keys = OFF")
    with new.write(label, bulk=True) as conn:
        found = copy_readable(src, conn)
        search_index.rebuild(conn)
        scene_signals.rebuild(conn)
    new.conn.execute("PRAGMA foreign_keys = ON")
    new.conn.execute("PRAGMA journal_mode = DELETE")
    return found


def copy_readable(src: sqlite3.Connection, dest: sqlite3.Connection) -> Salvaged:
    """Copy every readable row of the fact tables of `src` into the (fresh) catalogue `dest`,
    inside the caller's transaction, with foreign keys off; then drop rows whose parent row
    was lost, until `PRAGMA foreign_key_check` is clean."""
    result = Salvaged()
    wanted = set(_tables(src))
    for table in _tables(dest):
        if table not in wanted:
            continue
        try:
            source_columns = set(column_names(src, table))
        except sqlite3.DatabaseError:
            result.unreadable.append(table)
            continue
        columns = [c for c in column_names(dest, table) if c in source_columns]
        insert = (
            f'INSERT OR IGNORE INTO "{table}" ({", ".join(chr(34) + c + chr(34) for c in columns)}) '
            f"VALUES ({', '.join('?' * len(columns))})"
        )
        count = 0
        rows = _rows(src, table, columns)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                break
            except sqlite3.DatabaseError:
                result.unreadable.append(table)
                break
            if isinstance(row, _Skipped):
                if table not in result.skipped:
                    result.skipped.append(table)
                continue
            dest.execute(insert, row)
            count += 1
        result.copied[table] = count
    _drop_orphans(dest, result)
    return result


def _drop_orphans(conn: sqlite3.Connection, result: Salvaged) -> None:
    while True:
        found = conn.execute("PRAGMA foreign_key_check").fetchall()
        if not found:
            return
        for table in dict.fromkeys(r[0] for r in found):
            for fk in conn.execute(f'PRAGMA foreign_key_list("{table}")').fetchall():
                parent, child_col, parent_col = fk[2], fk[3], fk[4] or "id"
                gone = conn.execute(
                    f'DELETE FROM "{table}" WHERE "{child_col}" IS NOT NULL AND "{child_col}" '
                    f'NOT IN (SELECT "{parent_col}" FROM "{parent}")'
                ).rowcount
                if gone:
                    result.orphans[table] = result.orphans.get(table, 0) + gone
                    result.copied[table] = result.copied.get(table, 0) - gone
