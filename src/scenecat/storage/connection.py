"""Opening a catalogue: pragmas, schema upgrades with a backup, and write transactions."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from scenecat.errors import ScenecatError, SchemaError
from scenecat.storage.schema import schema_version

BUSY_TIMEOUT_MS = 15_000
# How long a writer keeps retrying a lock held by another scenecat process before giving up.
LOCK_PATIENCE_S = 120.0


def default_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("scenecat", appauthor=False)) / "catalogue.db"


def resolve_path(explicit: str | os.PathLike[str] | None) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("SCENECAT_DB")
    if env:
        return Path(env).expanduser()
    return default_path()


@dataclass
class Catalogue:
    """An open catalogue. `conn` is in autocommit mode; writes go through `write()`."""

    path: Path
    conn: sqlite3.Connection
    upgraded_from: int | None = None
    backup_path: Path | None = None
    _depth: int = field(default=0, repr=False)

    @contextmanager
    def loading(self) -> Iterator[None]:
        """Around the write that loads a fresh (empty) catalogue: a rollback journal while it
        loads, WAL again after. WAL writes every page twice (log, then checkpoint); a load
        into an empty file needs neither readers beside it nor that copy. When another
        connection holds the file in WAL (SQLite then refuses the switch) the load simply
        runs in WAL. A load killed half-way leaves the journal mode at DELETE: the next
        open_catalogue() puts WAL back."""
        from scenecat.storage import bulk

        switched = False
        if not self.conn.in_transaction and bulk.is_fresh(self.conn):
            try:
                row = self.conn.execute("PRAGMA journal_mode = DELETE").fetchone()
                switched = str(row[0]).lower() == "delete"
            except sqlite3.OperationalError:
                switched = False
        try:
            yield
        finally:
            if switched:
                _retry_locked(self.conn, "PRAGMA journal_mode = WAL")

    @contextmanager
    def write(self, label: str = "change", *, bulk: bool = False) -> Iterator[sqlite3.Connection]:
        """One transaction for one user-visible change, recorded in the history under `label`
        (for `history` and `undo`); nested calls join the outer one.

        `bulk=True` is for loading many rows into a (nearly) empty catalogue: rows are not
        logged one by one; the change remembers each table's highest rowid instead, and undo
        deletes the rows above it. Updates or deletes of older rows inside a bulk change
        cannot be undone, so bulk writers should only insert.
        """
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        from scenecat.storage import history

        _begin_immediate(self.conn)
        self._depth = 1
        try:
            change_id = history.begin(self.conn, label, bulk=bulk)
            yield self.conn
            history.finish(self.conn, change_id)
        except BaseException:
            _rollback(self.conn)
            raise
        else:
            _commit(self.conn)
        finally:
            self._depth = 0

    def close(self) -> None:
        self.conn.close()


def _is_locked(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _retry_locked(conn: sqlite3.Connection, sql: str) -> None:
    # busy_timeout already waits; this loop covers the cases where SQLite gives up early
    # (e.g. a deadlock-avoidance SQLITE_BUSY) so that ordinary contention is never shown.
    deadline = time.monotonic() + LOCK_PATIENCE_S
    delay = 0.01
    while True:
        try:
            conn.execute(sql)
            return
        except sqlite3.OperationalError as exc:
            if not _is_locked(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def _begin_immediate(conn: sqlite3.Connection) -> None:
    _retry_locked(conn, "BEGIN IMMEDIATE")


def _commit(conn: sqlite3.Connection) -> None:
    # A COMMIT that fails leaves the transaction open (busy: it can be retried; a deferred
    # foreign key violation: it must be rolled back), never half-applied.
    try:
        _retry_locked(conn, "COMMIT")
    except BaseException:
        _rollback(conn)
        raise


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(
        path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    # INSERT OR REPLACE deletes the row it replaces; only with recursive triggers on does that
    # delete reach the history triggers.
    conn.execute("PRAGMA recursive_triggers = ON")
    return conn


def open_catalogue(path: Path, *, create: bool = True) -> Catalogue:
    """Open (and create or upgrade) the catalogue at `path`."""
    exists = path.exists() and path.stat().st_size > 0
    if not exists and not create:
        raise ScenecatError(f"no catalogue at {path}", hint="run `scenecat init` or pass --db PATH")
    if not exists:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = _connect(path)
        version = _user_version(conn)
    except sqlite3.DatabaseError as exc:
        raise SchemaError(
            f"{path} is not a scenecat catalogue ({exc})",
            hint="pass --db with the path of a catalogue file",
        ) from None
    catalogue = Catalogue(path=path, conn=conn)
    try:
        _refuse_newer(path, version)
        if version < schema_version():
            if version == 0 and _has_tables(conn) and not is_scenecat(conn):
                raise SchemaError(
                    f"{path} is an SQLite database but not a scenecat catalogue; "
                    "it was left untouched",
                    hint="pass --db with the path of a catalogue file",
                )
            _upgrade(catalogue)
        elif _journal_mode(conn) != "wal":
            # Left at DELETE by a load that was killed (Catalogue.loading).
            _retry_locked(conn, "PRAGMA journal_mode = WAL")
    except BaseException:
        conn.close()
        raise
    return catalogue


def _journal_mode(conn: sqlite3.Connection) -> str:
    return str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()


def _user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _refuse_newer(path: Path, version: int) -> None:
    latest = schema_version()
    if version > latest:
        raise SchemaError(
            f"{path} was written by a newer scenecat (schema {version}; this one knows "
            f"{latest}); it was left untouched",
            hint="upgrade scenecat: pip install -U scenecat",
        )


def _has_tables(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
    return bool(row[0])


def is_scenecat(conn: sqlite3.Connection) -> bool:
    """Does this database carry scenecat's migration record?"""
    try:
        row = conn.execute(
            "SELECT count(*) FROM _sqlite_migrations WHERE migration_set = 'scenecat'"
        ).fetchone()
    except sqlite3.DatabaseError:
        return False
    return bool(row[0])


def _upgrade(catalogue: Catalogue) -> None:
    """Bring the schema up to date in one transaction, after a backup copy of the old file.

    Several processes may open (or create) the same catalogue at once: the write lock is taken
    first and the version read again under it, so exactly one of them migrates and the others
    find the work done. A crash mid-upgrade rolls back to the old schema.
    """
    from sqlite_utils import Database

    from scenecat.storage import history
    from scenecat.storage.schema import build_migrations

    conn = catalogue.conn
    latest = schema_version()
    # WAL lets readers go on while one process writes; it is a property of the file and
    # cannot be switched inside a transaction.
    _retry_locked(conn, "PRAGMA journal_mode = WAL")
    db = Database(conn)
    _begin_immediate(conn)
    try:
        version = _user_version(conn)
        _refuse_newer(catalogue.path, version)
        if version < latest:
            if _has_tables(conn):
                catalogue.backup_path = _backup_before_upgrade(catalogue.path, version)
                catalogue.upgraded_from = version
            logged = history.last_seq(conn)
            build_migrations().apply(db)
            history.forget_unrecorded_since(conn, logged)
            history.install_triggers(conn)
            conn.execute(f"PRAGMA user_version = {latest}")
    except BaseException:
        _rollback(conn)
        raise
    _commit(conn)


def _backup_before_upgrade(path: Path, version: int) -> Path:
    target = path.with_name(f"{path.name}.schema{version}.bak")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.schema{version}.{counter}.bak")
    copy_database(path, target)
    return target


def copy_database(source: Path | sqlite3.Connection, target: Path) -> None:
    """A consistent copy of a catalogue through SQLite's online backup API, safe while other
    processes write (each step reads one snapshot; the copy is one self-contained file)."""
    src = source if isinstance(source, sqlite3.Connection) else _connect(source)
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    dest = sqlite3.connect(partial, isolation_level=None)
    try:
        src.backup(dest)
        # The copy stands alone: no -wal file to carry around with it.
        dest.execute("PRAGMA journal_mode = DELETE")
    except BaseException:
        dest.close()
        partial.unlink(missing_ok=True)
        raise
    finally:
        if src is not source:
            src.close()
    dest.close()
    partial.replace(target)


def copy_into(source: Path, catalogue: Catalogue) -> None:
    """Replace the open catalogue's content with the catalogue file `source`, in place.

    The online backup API writes into the live file under its write lock, so other scenecat
    processes wait and then see the restored catalogue; swapping files under them would not
    be safe. SQLite requires equal page sizes to write into a WAL database, so the source is
    first copied (and re-paged if needed) into a temporary file next to the catalogue.
    """
    target = catalogue.path
    staging = target.with_name(target.name + ".restore.tmp")
    copy_database(source, staging)
    try:
        stage = sqlite3.connect(staging, isolation_level=None)
        try:
            wanted = catalogue.conn.execute("PRAGMA page_size").fetchone()[0]
            if stage.execute("PRAGMA page_size").fetchone()[0] != wanted:
                stage.execute(f"PRAGMA page_size = {int(wanted)}")
                stage.execute("VACUUM")
            stage.backup(catalogue.conn)
        finally:
            stage.close()
    finally:
        staging.unlink(missing_ok=True)


@contextmanager
def savepoint(conn: sqlite3.Connection, name: str) -> Iterator[None]:
    """A nested transaction: rolled back (and released) if the block raises."""
    conn.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        conn.execute(f"ROLLBACK TO {name}")
        conn.execute(f"RELEASE {name}")
        raise
    conn.execute(f"RELEASE {name}")
