"""Integrity checks over the catalogue file, and what a catalogue file holds."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from scenecat.storage import history, scene_signals, search_index


def problems(conn: sqlite3.Connection) -> list[str]:
    found: list[str] = []
    result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    if result != ["ok"]:
        found.extend(f"integrity: {line}" for line in result[:20])
    for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
        found.append(f"{table} row {rowid} points to a missing {parent}")
        if len(found) > 50:
            break
    found.extend(search_index.check(conn))
    bad_votes = conn.execute(
        "SELECT count(*) FROM (SELECT scene_id, voter FROM vote GROUP BY scene_id, voter "
        "HAVING sum(current) <> 1)"
    ).fetchone()[0]
    if bad_votes:
        found.append(f"{bad_votes} voter/scene pair(s) without exactly one current vote")
    found.extend(scene_signals.problems(conn))
    found.extend(history.problems(conn))
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
    finally:
        conn.close()
