"""Integrity checks over the catalogue file, and what a catalogue file holds."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from scenecat.storage import changelog, scene_signals, scene_text_index, schema_audit, search_index


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

    SQLite's page-level check, the foreign keys and the votes only read, so they run on a
    second connection to the file, in a thread, while this connection runs the rest (the
    index checks, which FTS5 runs as writes, among them): SQLite works without Python's lock,
    so on two cores the check takes about as long as its longer half. The report is the same
    as when everything runs in turn, which is what happens when no second connection can be
    had (a catalogue in memory, or changes not committed yet on this connection)."""
    side = _SideChecks.start(conn)
    try:
        others: list[str] | sqlite3.DatabaseError = _schema_checks(conn)
    except sqlite3.DatabaseError as exc:
        others = exc
    found, side_failed, votes = side.result()
    try:
        if side_failed is not None:
            raise side_failed
        if isinstance(others, sqlite3.DatabaseError):
            raise others
        # In the order the checks were always reported: the votes after the indexes.
        found.extend(others[: others.index(_VOTES_HERE)])
        found.extend(votes)
        found.extend(others[others.index(_VOTES_HERE) + 1 :])
        found.extend(schema_audit.audit(conn, reported="\n".join(found)).problems)
    except sqlite3.DatabaseError as exc:
        found.append(f"the other checks could not run ({exc})")
    return found


class _SideChecks:
    """integrity_check, foreign_key_check and the votes' check, on a connection of their own
    in a thread; when none can be opened (or read), on the caller's connection, in turn, when
    result() is asked for."""

    def __init__(self, conn: sqlite3.Connection, uri: str | None) -> None:
        self._conn = conn
        self._uri = uri
        self._found: list[str] = []
        self._failed: sqlite3.DatabaseError | None = None
        self._votes: list[str] = []
        self._thread: threading.Thread | None = None
        self._done = False

    @classmethod
    def start(cls, conn: sqlite3.Connection) -> _SideChecks:
        side = cls(conn, _file_uri(conn))
        if side._uri is not None:
            side._thread = threading.Thread(target=side._run_apart, daemon=True)
            side._thread.start()
        return side

    def _run_apart(self) -> None:
        from scenecat.storage.connection import BUSY_TIMEOUT_MS

        assert self._uri is not None
        try:
            conn = sqlite3.connect(self._uri, uri=True, isolation_level=None)
        except sqlite3.Error:
            return  # result() runs them on the caller's connection instead
        try:
            try:
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlite3.Error:
                return  # unreadable from here (a damaged file, no -shm to share): as above
            self._run(conn)
            self._done = True
        finally:
            conn.close()

    def _run(self, conn: sqlite3.Connection) -> None:
        self._found = integrity(conn)
        try:
            for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
                row = f"{table} row {rowid}" if rowid is not None else f"a row of {table}"
                self._found.append(f"{row} points to a missing {parent}")
                if len(self._found) > 50:
                    break
            self._votes = _vote_problems(conn)
        except sqlite3.DatabaseError as exc:
            self._failed = exc

    def result(self) -> tuple[list[str], sqlite3.DatabaseError | None, list[str]]:
        if self._thread is not None:
            self._thread.join()
        if not self._done:
            self._run(self._conn)  # no second connection: here, in turn
        return self._found, self._failed, self._votes


# Where the votes' line goes among the other checks' lines (a marker, never reported).
_VOTES_HERE = "\0votes"


def _file_uri(conn: sqlite3.Connection) -> str | None:
    """A read-only URI of the file `conn` has open, when a second connection would see just
    what `conn` sees: a file, and no transaction open on `conn`."""
    if conn.in_transaction:
        return None
    try:
        rows = conn.execute("PRAGMA database_list").fetchall()
    except sqlite3.DatabaseError:
        return None
    path = next((file for _, name, file in rows if name == "main"), "")
    if not path:
        return None
    return Path(path).resolve().as_uri() + "?mode=ro"


def _vote_problems(conn: sqlite3.Connection) -> list[str]:
    bad_votes = conn.execute(
        "SELECT count(*) FROM (SELECT scene_id, voter FROM vote GROUP BY scene_id, voter "
        "HAVING sum(current) <> 1)"
    ).fetchone()[0]
    if bad_votes:
        return [f"{bad_votes} voter/scene pair(s) without exactly one current vote"]
    return []


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
    """The checks of scenecat's own tables run on the catalogue's connection (the schema's
    audit comes after all of them: it leaves out what they reported)."""
    found = search_index.check(conn) + scene_text_index.check(conn)
    found.append(_VOTES_HERE)
    found.extend(scene_signals.problems(conn))
    found.extend(changelog.problems(conn))
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
