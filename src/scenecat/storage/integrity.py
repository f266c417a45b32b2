"""Integrity checks over the catalogue file, and what a catalogue file holds."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scenecat.storage import changelog, scene_signals, scene_text_index, schema_audit, search_index
from scenecat.storage.interrupting import ctrl_c_stops, interrupt_until
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

    Every check reads one state of the catalogue. On a catalogue file that can be written,
    the work is shared by three connections that read the same state, SQLite working
    without Python's lock, so that with a second core free the check takes about as long as
    its longest part: this one takes the write lock first, so that no other program can
    commit before the other two have opened their read transactions, checks the FTS
    indexes (FTS5 runs those checks as writes) and then lets other writers go; a second runs
    SQLite's page-level check and the foreign keys; a third compares the search documents,
    the votes and the per-scene signals with the tables. When there can be no other
    connection (a catalogue in memory or read-only, a damaged file, or a transaction already
    open here), everything runs here in turn, in one transaction; the report is the same
    either way."""
    # Read before the transaction: the history's own check skips a state that a write in
    # progress on this connection holds. A write that commits leaves the state cleared, so
    # the row read here is the one every check sees unless a program breaks it meanwhile.
    history = _attempt(lambda: changelog.problems(conn))
    began = _begin(conn)
    helpers = _Helpers.open(conn) if began == "IMMEDIATE" else None
    others = () if helpers is None else (helpers.pages, helpers.documents)
    try:
        with ctrl_c_stops(conn, *others):
            parts = _in_turn(conn) if helpers is None else helpers.run(conn)
            parts[_HISTORY] = history
            found = _report(parts)
            if not found or not found[-1].startswith(_COULD_NOT):
                audit_on = conn if helpers is None else helpers.documents
                try:
                    reported = "\n".join(found)
                    found.extend(schema_audit.audit(audit_on, reported=reported).problems)
                except sqlite3.DatabaseError as exc:
                    found.append(f"{_COULD_NOT} ({exc})")
            return found
    finally:
        if helpers is not None:
            helpers.close()
        if began and conn.in_transaction:
            conn.execute("ROLLBACK")


# The parts of the report, in the order they are reported.
_INTEGRITY, _KEYS, _INDEX, _DOCUMENTS, _TEXT, _VOTES, _SIGNALS, _HISTORY = range(8)
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


def _begin(conn: sqlite3.Connection) -> str:
    """Open the transaction every check reads in: IMMEDIATE when this connection may write
    (no writer can commit until this one ends), else a deferred one; "" when there is a
    transaction open already, or none can be had (a damaged file: checks then run as they
    can)."""
    if conn.in_transaction:
        return ""
    for kind in ("IMMEDIATE", "DEFERRED"):
        try:
            conn.execute(f"BEGIN {kind}")
            # a deferred transaction reads its state at its first read: now (fetchall: a
            # statement left unfinished would keep _register() from replacing its function)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
            return kind
        except sqlite3.DatabaseError:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
    return ""


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


def _pages(conn: sqlite3.Connection) -> dict[int, Part]:
    """SQLite's own checks (those of the baseline any whole-file check is measured by)."""
    return {_INTEGRITY: integrity(conn), _KEYS: _attempt(lambda: _keys(conn))}


def _rows(conn: sqlite3.Connection) -> dict[int, Part]:
    """The checks that only read scenecat's tables and compare them with each other."""
    return {
        _DOCUMENTS: _attempt(lambda: search_index.check_documents(conn)),
        _VOTES: _attempt(lambda: _votes(conn)),
        _SIGNALS: _attempt(lambda: scene_signals.problems(conn)),
    }


def _indexes(conn: sqlite3.Connection) -> dict[int, Part]:
    """The checks FTS5 makes as writes."""
    return {
        _INDEX: _attempt(lambda: search_index.check_counts(conn) + search_index.check_fts(conn)),
        _TEXT: _attempt(lambda: scene_text_index.check(conn)),
    }


def _in_turn(conn: sqlite3.Connection) -> dict[int, Part]:
    # The documents before the FTS checks: once FTS5 has read its index in a transaction it
    # keeps a blob handle open until the transaction ends, and SQLite refuses to replace a
    # function (the document query's, search_index._register) while one is.
    rows = _rows(conn)
    return {**_pages(conn), **rows, **_indexes(conn)}


class _Helpers:
    """Two read-only connections to the catalogue file, each in a read transaction opened
    while `conn` holds the write lock (so all three read the same state), and the threads
    that run _pages() and _rows() on them."""

    def __init__(self, pages: sqlite3.Connection, documents: sqlite3.Connection) -> None:
        self.pages = pages
        self.documents = documents

    @classmethod
    def open(cls, conn: sqlite3.Connection) -> _Helpers | None:
        """None when the file cannot be opened twice (in memory, damaged)."""
        uri = _file_uri(conn)
        if uri is None:
            return None
        opened: list[sqlite3.Connection] = []
        try:
            for _ in range(2):
                other = sqlite3.connect(
                    uri, uri=True, isolation_level=None, check_same_thread=False
                )
                opened.append(other)
                other.execute("BEGIN")
                other.execute("SELECT count(*) FROM sqlite_master").fetchall()
        except sqlite3.Error:
            for other in opened:
                other.close()
            return None
        return cls(*opened)

    def run(self, conn: sqlite3.Connection) -> dict[int, Part]:
        results: list[dict[int, Part]] = [{}, {}]
        failures: list[BaseException] = []

        def work(slot: int, check: Callable[[], dict[int, Part]]) -> None:
            try:
                results[slot] = check()
            except BaseException as exc:  # re-raised by the caller's thread below
                failures.append(exc)

        threads = [
            threading.Thread(target=work, args=(0, lambda: _pages(self.pages))),
            threading.Thread(target=work, args=(1, lambda: _rows(self.documents))),
        ]
        for thread in threads:
            thread.start()
        try:
            mine = _indexes(conn)
        except BaseException:
            # Ctrl-C (or a failure here): the helpers' statements stop now, not at their end
            # (integrity_check alone runs 20 s at 1M, and the process waits for its threads).
            self.interrupt(threads)
            raise
        finally:
            try:
                # Other writers may go on: the rest only reads, in the helpers' transactions.
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            except sqlite3.OperationalError:
                pass  # interrupted by Ctrl-C: problems() rolls back once it is over
            finally:
                self.join(threads)
        if failures:
            raise failures[0]
        return {**results[0], **results[1], **mine}

    def interrupt(self, threads: list[threading.Thread]) -> None:
        """Stop the helpers' statements until the helpers end (each check then ends
        "interrupted")."""

        def ended(seconds: float) -> bool:
            for thread in threads:
                thread.join(timeout=seconds)
            return not any(thread.is_alive() for thread in threads)

        interrupt_until((self.pages, self.documents), ended)

    def join(self, threads: list[threading.Thread]) -> None:
        """Wait for the helpers; Ctrl-C while waiting stops them first."""
        try:
            for thread in threads:
                thread.join()
        except BaseException:
            self.interrupt(threads)
            raise

    def close(self) -> None:
        for other in (self.pages, self.documents):
            other.close()  # ends its read transaction


def _file_uri(conn: sqlite3.Connection) -> str | None:
    """A read-only URI of the file `conn` has open as its main database (None: in memory)."""
    from urllib.parse import quote

    for _, name, file in conn.execute("PRAGMA database_list"):
        if name == "main":
            return f"file:{quote(file)}?mode=ro" if file else None
    return None


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
