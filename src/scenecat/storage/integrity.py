"""Integrity checks over the catalogue file, and what a catalogue file holds."""

from __future__ import annotations

import sqlite3
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
    table may fail themselves: that failure is one more line of the report."""
    found = integrity(conn)
    try:
        for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
            row = f"{table} row {rowid}" if rowid is not None else f"a row of {table}"
            found.append(f"{row} points to a missing {parent}")
            if len(found) > 50:
                break
        found.extend(_schema_checks(conn))
    except sqlite3.DatabaseError as exc:
        found.append(f"the other checks could not run ({exc})")
    return found


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


def _schema_checks(conn: sqlite3.Connection) -> list[str]:
    found = search_index.check(conn) + scene_text_index.check(conn)
    bad_votes = conn.execute(
        "SELECT count(*) FROM (SELECT scene_id, voter FROM vote GROUP BY scene_id, voter "
        "HAVING sum(current) <> 1)"
    ).fetchone()[0]
    if bad_votes:
        found.append(f"{counted(bad_votes, 'voter/scene pair')} without exactly one current vote")
    found.extend(scene_signals.problems(conn))
    found.extend(changelog.problems(conn))
    found.extend(schema_audit.audit(conn, reported="\n".join(found)).problems)
    return found


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
