"""Integrity checks over the catalogue file, and what a catalogue file holds."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scenecat.storage import changelog, scene_signals, scene_text_index, schema_audit, search_index
from scenecat.text import counted


def integrity(conn: sqlite3.Connection) -> list[str]:
    """SQLite's own page-level check; a damaged file is reported, not raised."""
    try:
        result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        return [f"integrity: {exc}"]
    return [] if result == ["ok"] else [f"integrity: {line}" for line in result[:20]]


def problems(conn: sqlite3.Connection) -> list[str]:
    """Everything `db check` reports. On a damaged file the checks that need to read every
    table may fail themselves: that failure is one more line of the report.

    The checks that compare tables with each other read one state of the catalogue: they
    run in one read transaction (or in the caller's, when one is open), so that a write
    committed meanwhile cannot make a document or a signal look stale. FTS5 runs its
    self-checks as writes: they come after, in one short write transaction that other
    writers wait for, as they always did. Each compares an index with its own content table
    in one statement, so its verdict holds for the state it read."""
    own = not conn.in_transaction
    # Read outside the transaction: the history's own check skips the state a write in
    # progress on this connection holds. A write that commits leaves the state cleared, so
    # the row read here is the one the checks below see unless a program breaks it meanwhile.
    parts: dict[int, Part] = {_HISTORY: _attempt(lambda: changelog.problems(conn))}
    began = own and _begin(conn, "DEFERRED")
    try:
        parts.update(_reads(conn))
        if not any(isinstance(part, sqlite3.DatabaseError) for part in parts.values()):
            # the schema against scenecat's own, in the same state
            reported = "\n".join(_report(parts))
            parts[_SCHEMA] = _attempt(lambda: schema_audit.audit(conn, reported=reported).problems)
    finally:
        if began and conn.in_transaction:
            conn.execute("ROLLBACK")
    if not any(isinstance(part, sqlite3.DatabaseError) for part in parts.values()):
        began = own and _begin(conn, "IMMEDIATE")
        try:
            parts.update(_indexes(conn))
        finally:
            if began and conn.in_transaction:
                conn.execute("ROLLBACK")
    return _report(parts)


# The parts of the report, in the order they are reported (as they always were).
_INTEGRITY, _KEYS, _COUNTS, _INDEX, _DOCUMENTS, _TEXT, _VOTES, _SIGNALS, _HISTORY, _SCHEMA = range(
    10
)
_COULD_NOT = "the other checks could not run"
Part = list[str] | sqlite3.DatabaseError


def _attempt(check: Callable[[], list[str]]) -> Part:
    try:
        return check()
    except sqlite3.DatabaseError as exc:
        return exc


def _report(parts: dict[int, Part]) -> list[str]:
    """The parts in order; a check that failed (a damaged file) ends the report with why."""
    found: list[str] = []
    for key in sorted(parts):
        part = parts[key]
        if isinstance(part, sqlite3.DatabaseError):
            found.append(f"{_COULD_NOT} ({part})")
            break
        found.extend(part)
    return found


def _begin(conn: sqlite3.Connection, kind: str) -> bool:
    """Open a transaction of `kind`; False when none can be had (a read-only or damaged
    file: the checks then run as they can, statement by statement)."""
    try:
        conn.execute(f"BEGIN {kind}")
        # A deferred transaction reads its state at its first read: now. (fetchall: a
        # statement left unfinished keeps search_index._register() from replacing its
        # function.)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
        return True
    except sqlite3.DatabaseError:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        return False


def _keys(conn: sqlite3.Connection) -> list[str]:
    found: list[str] = []
    for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
        row = f"{table} row {rowid}" if rowid is not None else f"a row of {table}"
        found.append(f"{row} points to a missing {parent}")
        if len(found) > 50:
            break
    return found


def _votes(conn: sqlite3.Connection) -> list[str]:
    bad_votes = conn.execute(
        "SELECT count(*) FROM (SELECT scene_id, voter FROM vote GROUP BY scene_id, voter "
        "HAVING sum(current) <> 1)"
    ).fetchone()[0]
    if bad_votes:
        return [f"{counted(bad_votes, 'voter/scene pair')} without exactly one current vote"]
    return []


_READS: list[tuple[int, Callable[[sqlite3.Connection], list[str]]]] = [
    (_KEYS, _keys),
    (_COUNTS, search_index.check_counts),
    (_DOCUMENTS, search_index.check_documents),
    (_VOTES, _votes),
    (_SIGNALS, scene_signals.problems),
]


def _reads(conn: sqlite3.Connection) -> dict[int, Part]:
    """SQLite's own page-level check (its failure is a line of its own), then the foreign
    keys and scenecat's tables compared with each other, until one fails."""
    parts: dict[int, Part] = {_INTEGRITY: integrity(conn)}
    for key, check in _READS:
        part = parts[key] = _attempt(lambda: check(conn))  # noqa: B023 (called here)
        if isinstance(part, sqlite3.DatabaseError):
            break
    return parts


def _indexes(conn: sqlite3.Connection) -> dict[int, Part]:
    """The checks FTS5 makes as writes: each index against its content table."""
    parts: dict[int, Part] = {_INDEX: _attempt(lambda: search_index.check_fts(conn))}
    if not isinstance(parts[_INDEX], sqlite3.DatabaseError):
        parts[_TEXT] = _attempt(lambda: scene_text_index.check(conn))
    return parts


def added_objects(conn: sqlite3.Connection) -> list[str]:
    """Indexes, views and tables a user added beside scenecat's own (kept, not a problem)."""
    try:
        return schema_audit.audit(conn).added
    except sqlite3.DatabaseError:
        return []  # a damaged file: problems() says so


def file_problems(path: Path) -> tuple[list[str], list[str]]:
    """problems() and added_objects() of the catalogue file at `path` (not opened as a
    Catalogue: no upgrade)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        return problems(conn), added_objects(conn)
    finally:
        conn.close()


@dataclass
class FileInfo:
    """A catalogue file as seen from outside (for restore)."""

    path: Path
    version: int
    page_size: int
    counts: dict[str, int]
    problem: str | None  # why it is not a usable scenecat catalogue, or None


def inspect_file(path: Path) -> FileInfo:
    """Look at a file read-only: is it a scenecat catalogue, how new, how big."""
    from scenecat.storage.connection import is_scenecat

    uri = path.resolve().as_uri() + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        return FileInfo(path, 0, 0, {}, f"cannot be opened ({exc})")
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
        if not is_scenecat(conn):
            return FileInfo(path, version, page_size, {}, "it is not a scenecat catalogue")
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            return FileInfo(path, version, page_size, {}, f"it is damaged ({check})")
        return FileInfo(path, version, page_size, counts(conn), None)
    except sqlite3.DatabaseError as exc:
        return FileInfo(path, 0, 0, {}, f"it is not a scenecat catalogue ({exc})")
    finally:
        conn.close()


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows of the main tables, to describe a catalogue in a question."""
    return {
        table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        for table in ("actor", "drama", "scene", "vote")
    }


def quick_check(path: Path) -> str:
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        return str(conn.execute("PRAGMA quick_check").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        conn.close()


SALVAGE_TABLES = ("actor", "drama", "episode", "credit", "scene", "view_count", "vote", "duel")


def readable_rows(conn: sqlite3.Connection) -> dict[str, int | None]:
    """Rows that can still be read in each main table (None: the table cannot be read
    to its end), to tell the owner of a damaged catalogue what can be saved."""
    found: dict[str, int | None] = {}
    for table in SALVAGE_TABLES:
        try:
            # Reading every column walks every page of the table, as an export would.
            rows = conn.execute(f"SELECT * FROM {table}")
            found[table] = sum(1 for _ in rows)
        except sqlite3.DatabaseError:
            found[table] = None
    return found
