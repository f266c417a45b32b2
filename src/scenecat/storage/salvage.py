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

# Bookkeeping and derived tables: made again in the new catalogue, not copied (scene_fts and
# its shadow tables: scene_text_index.py, rebuilt with the search index).
_SKIP = ("sqlite_", "_sqlite", "history_", "scene_search", "scene_fts")
_DERIVED = ("scene_signal", "signal_class")
_FIRST_ROWID = -(2**63)
_LAST_ROWID = 2**63 - 1


@dataclass
class Salvaged:
    copied: dict[str, int] = field(default_factory=dict)  # rows in the new catalogue
    unreadable: list[str] = field(default_factory=list)  # tables not read to the end
    skipped: list[str] = field(default_factory=list)  # tables read around damaged pages
    orphans: dict[str, int] = field(default_factory=dict)  # rows dropped: parent lost
    refused: dict[str, int] = field(default_factory=dict)  # rows read but not valid


class _Skipped:
    """Marks the place where the reader jumped over rows it could not read."""


SKIPPED = _Skipped()


def _tables(conn: sqlite3.Connection) -> list[str]:
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return [n for n in names if not n.startswith(_SKIP) and n not in _DERIVED]


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
    A rowid table is read in rowid order, row by row; where a row cannot be read, the
    reader looks for the first rowid past the damage it can read again (`_readable_from`)
    and goes on from there. A table without rowids is read until the first damage."""
    select = ", ".join(f'"{c}"' for c in columns)
    if not _has_rowid(src, table):
        yield from src.execute(f'SELECT {select} FROM "{table}"')
        return
    sql = f'SELECT rowid, {select} FROM "{table}" WHERE rowid >= ? ORDER BY rowid'
    start = _FIRST_ROWID
    while start <= _LAST_ROWID:
        try:
            for row in src.execute(sql, (start,)):
                yield row[1:]
                # A damaged page can hand out rowids out of order: `start` only moves on,
                # so each new read begins past the last one and the walk ends.
                start = max(start, row[0] + 1)
            return
        except sqlite3.DatabaseError:
            if start > _LAST_ROWID:
                return
        # The reader fetches a row ahead, so the row just before the damage was not handed
        # out: read the next one alone first.
        try:
            ahead = src.execute(f"{sql} LIMIT 1", (start,)).fetchall()
        except sqlite3.DatabaseError:
            ahead = []
        if ahead and ahead[0][0] >= start:
            yield ahead[0][1:]
            start = ahead[0][0] + 1
            continue
        found = _readable_from(src, sql, start)
        if found is None:
            raise sqlite3.DatabaseError(f"{table} cannot be read past rowid {start}")
        yield SKIPPED
        start = found


def _readable_from(src: sqlite3.Connection, sql: str, damaged: int) -> int | None:
    """The first rowid after `damaged` from which the table can be read again (the rows
    between are on damaged pages), or None if none can. "Can be read from x": the first row
    at or after rowid x (by the query `sql`) is read whole, and its rowid is x or more; or
    there is none. So the read that goes on from there gets at least one row further.
    Past one damaged stretch this holds from some rowid on, so the point is found in at
    most 2 x 64 lookups: steps of 1, 2, 4, ... find a readable point, then halving the last
    step finds the first one. (With damaged stretches close together a good page between
    them may be passed over: the rows lost are counted, and SQLite's .recover may save
    more.)"""
    probe = f"{sql} LIMIT 1"

    def readable(rowid: int) -> bool:
        try:
            rows = src.execute(probe, (rowid,)).fetchall()
        except sqlite3.DatabaseError:
            return False
        return not rows or rows[0][0] >= rowid

    low, step = damaged, 1  # `low` cannot be read from
    while True:
        high = min(low + step, _LAST_ROWID)
        if readable(high):
            break
        if high == _LAST_ROWID:
            return None
        low, step = high, step * 2
    while high - low > 1:
        middle = (low + high) // 2
        if readable(middle):
            high = middle
        else:
            low = middle
    return high


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
    was lost, until `PRAGMA foreign_key_check` is clean. A row read from a damaged page may
    hold values the table refuses (a NOT NULL column empty, a score out of range): it is
    left out and counted. `copied` is what the new catalogue holds in the end."""
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
        refused = 0
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
            try:
                saved = dest.execute(insert, row).rowcount
            except sqlite3.DatabaseError:  # e.g. a value of a type SQLite cannot bind
                saved = 0
            refused += 1 - saved
        if refused:
            result.refused[table] = refused
    _drop_orphans(dest, result)
    _keep_one_current_vote(dest, result)
    for table in _tables(dest):
        if table in wanted:
            result.copied[table] = int(
                dest.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            )
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


def _keep_one_current_vote(conn: sqlite3.Connection, result: Salvaged) -> None:
    """A voter's earlier votes on a scene are kept as history beside the current one; when
    the current one was on a damaged page, the earlier ones alone would fail `db check`.
    They are history of a vote that is lost, so they go with it."""
    gone = conn.execute(
        "DELETE FROM vote WHERE (scene_id, voter) IN (SELECT scene_id, voter FROM vote "
        "GROUP BY scene_id, voter HAVING sum(current) = 0)"
    ).rowcount
    if gone:
        result.orphans["vote"] = result.orphans.get("vote", 0) + gone
