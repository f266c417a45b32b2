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
    def write(self, label: str = "change") -> Iterator[sqlite3.Connection]:
        """One transaction for one user-visible change; nested calls join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        _begin_immediate(self.conn)
        self._depth = 1
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._depth = 0

    def close(self) -> None:
        self.conn.close()


def _is_locked(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _begin_immediate(conn: sqlite3.Connection) -> None:
    # busy_timeout already waits; this loop covers the cases where SQLite gives up early
    # (e.g. a deadlock-avoidance SQLITE_BUSY) so that ordinary contention is never shown.
    deadline = time.monotonic() + LOCK_PATIENCE_S
    delay = 0.01
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if not _is_locked(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(
        path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
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
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise SchemaError(
            f"{path} is not a scenecat catalogue ({exc})",
            hint="pass --db with the path of a catalogue file",
        ) from None
    catalogue = Catalogue(path=path, conn=conn)
    latest = schema_version()
    if version > latest:
        conn.close()
        raise SchemaError(
            f"{path} was written by a newer scenecat (schema {version}; this one knows "
            f"{latest}); it was left untouched",
            hint="upgrade scenecat: pip install -U scenecat",
        )
    if version < latest:
        _upgrade(catalogue, version, latest)
    return catalogue


def _has_tables(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
    return bool(row[0])


def _upgrade(catalogue: Catalogue, version: int, latest: int) -> None:
    from sqlite_utils import Database

    from scenecat.storage.schema import build_migrations

    conn = catalogue.conn
    if _has_tables(conn):
        catalogue.backup_path = _backup_before_upgrade(catalogue.path, conn, version)
        catalogue.upgraded_from = version
    # WAL lets readers go on while one process writes; it is a property of the file.
    conn.execute("PRAGMA journal_mode = WAL")
    db = Database(conn)
    migrations = build_migrations()
    for attempt in range(50):
        try:
            migrations.apply(db)
            break
        except sqlite3.DatabaseError:
            # Another process may be creating the same catalogue right now: wait for it
            # and look again; a real failure still shows once nothing is pending.
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            time.sleep(0.05 * (attempt + 1))
            if not migrations.pending(db):
                break
            if attempt == 49:
                raise
    conn.execute(f"PRAGMA user_version = {latest}")


def _backup_before_upgrade(path: Path, conn: sqlite3.Connection, version: int) -> Path:
    target = path.with_name(f"{path.name}.schema{version}.bak")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.schema{version}.{counter}.bak")
    # The online backup API copies a consistent snapshot even with a WAL alongside.
    dest = sqlite3.connect(target)
    try:
        conn.backup(dest)
    finally:
        dest.close()
    return target
