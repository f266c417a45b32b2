"""Opening a catalogue: pragmas, schema upgrades with a backup, and write transactions."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scenecat.errors import ScenecatError, SchemaError
from scenecat.storage.migrations import schema_version

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


class Catalogue:
    """An open catalogue. `conn` is in autocommit mode; writes go through `write()`.

    A plain class: an open connection is never compared or copied, and a dataclass's
    generated methods would be compiled at every command's start-up."""

    def __init__(
        self,
        *,
        path: Path,
        conn: sqlite3.Connection,
        upgraded_from: int | None = None,
        backup_path: Path | None = None,
        read_only: str | None = None,  # why the catalogue can only be read, or None
    ) -> None:
        self.path = path
        self.conn = conn
        self.upgraded_from = upgraded_from
        self.backup_path = backup_path
        self.read_only = read_only
        self._depth = 0  # write() calls open around the current one

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
        if self.read_only:
            raise ScenecatError(
                f"the catalogue {self.path} is read-only ({self.read_only}); nothing was changed",
                hint="make the file and its folder writable, or work on a copy "
                "(`scenecat db backup COPY.db`, then --db COPY.db)",
            )
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        from scenecat.storage import changelog, duel_strengths

        _begin_immediate(self.conn)
        self._depth = 1
        try:
            change_id = changelog.begin(self.conn, label, bulk=bulk)
            yield self.conn
            # Duels written by this change (or undone, merged, removed) left their scenes'
            # cached strengths marked: fitted again here, in the same transaction.
            duel_strengths.refresh(self.conn)
            changelog.finish(self.conn, change_id)
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


_WHERE_FROM = "the path comes from --db, else SCENECAT_DB, else XDG_DATA_HOME"


def _refuse_unusable_location(path: Path) -> None:
    """A catalogue is a regular file in a folder. A device, pipe or folder at its path, or a
    file where one of its folders should be, is one clear error: SQLite would otherwise
    fail with an obscure message, or write the catalogue into /dev/null."""
    import stat

    try:
        mode = path.stat().st_mode
    except OSError:
        mode = 0
    special = mode and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))
    # Files of the kernel look regular and empty (/proc/self/status), /dev/stdout is
    # whatever stdout is; /dev/shm/x.db is a file like any other.
    system = os.path.abspath(path).startswith(("/proc/", "/sys/", "/dev/fd/", "/dev/std"))
    if special or system:
        raise ScenecatError(
            f"{path} is not a regular file (a device, a pipe or a system file); "
            "a catalogue cannot be kept there",
            hint=f"pass --db with a file name ({_WHERE_FROM})",
        )
    if path.is_dir():
        raise ScenecatError(
            f"{path} is a folder, not a catalogue file",
            hint=f"pass --db with a file name, e.g. {path / 'catalogue.db'} ({_WHERE_FROM})",
        )
    for folder in path.parents:
        if folder.exists() or folder.is_symlink():
            if not folder.is_dir():
                raise ScenecatError(
                    f"cannot keep a catalogue at {path}: {folder} is not a folder",
                    hint=f"pass --db with another path ({_WHERE_FROM})",
                )
            return


def open_catalogue(path: Path, *, create: bool = True) -> Catalogue:
    """Open (and create or upgrade) the catalogue at `path`."""
    _refuse_unusable_location(path)
    exists = path.exists() and path.stat().st_size > 0
    if not exists and not create:
        import shlex  # for this message only: importing it compiles a pattern

        raise ScenecatError(
            f"there is no catalogue at {path}",
            hint=f"check the path, or make one: `scenecat --db {shlex.quote(str(path))} init` "
            "(or `import FILE`)",
        )
    if not exists:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ScenecatError(
                f"cannot make the folder {path.parent} for the catalogue: {exc.strerror}",
                hint=f"pass --db with another path ({_WHERE_FROM})",
            ) from None
    read_only = _why_read_only(path) if exists else None
    try:
        conn = _connect_read_only(path) if read_only else _connect(path)
        version = _user_version(conn)
    except sqlite3.DatabaseError as exc:
        raise SchemaError(
            f"{path} is not a scenecat catalogue ({exc})",
            hint="pass --db with the path of a catalogue file",
        ) from None
    catalogue = Catalogue(path=path, conn=conn, read_only=read_only)
    try:
        _refuse_newer(path, version)
        if version < schema_version() and read_only:
            raise SchemaError(
                f"{path} is from an older scenecat (schema {version}) and must be upgraded "
                f"before use, but it is read-only ({read_only}); it was left untouched",
                hint="make it writable, or upgrade a copy: cp it elsewhere and pass --db COPY",
            )
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


def _why_read_only(path: Path) -> str | None:
    """Whether this process may write the catalogue: the file, and (for the -wal and -shm
    files SQLite keeps beside it) its folder. None when writable."""
    if not os.access(path, os.W_OK):
        return "the file is not writable"
    if not os.access(path.parent or Path("."), os.W_OK | os.X_OK):
        return "its folder is not writable"
    return None


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """Open for reading only. A WAL catalogue needs a -shm file beside it; when none exists
    and the folder is read-only, SQLite can read it only as an immutable file, which is
    right when there is no -wal either (nothing can be writing it)."""
    from urllib.parse import quote

    base = "file:" + quote(str(path.resolve()))
    conn = sqlite3.connect(f"{base}?mode=ro", uri=True, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        conn.close()
        wal = path.with_name(path.name + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise
    return sqlite3.connect(f"{base}?mode=ro&immutable=1", uri=True, isolation_level=None)


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


def _upgrade(catalogue: Catalogue, *, keep_old: bool = True) -> None:
    """Bring the schema up to date in one transaction, after a backup copy of the old file
    (none with `keep_old=False`: for a temporary copy, see upgrade_copy).

    Several processes may open (or create) the same catalogue at once: the write lock is taken
    first and the version read again under it, so exactly one of them migrates and the others
    find the work done. A crash mid-upgrade rolls back to the old schema.
    """
    conn = catalogue.conn
    latest = schema_version()
    # WAL lets readers go on while one process writes; it is a property of the file and
    # cannot be switched inside a transaction.
    _retry_locked(conn, "PRAGMA journal_mode = WAL")
    _begin_immediate(conn)
    try:
        version = _user_version(conn)
        _refuse_newer(catalogue.path, version)
        if version < latest:
            if _has_tables(conn) and keep_old:
                catalogue.backup_path = _backup_before_upgrade(catalogue.path, version)
                catalogue.upgraded_from = version
            apply_migrations(conn)
            conn.execute(f"PRAGMA user_version = {latest}")
    except BaseException:
        _rollback(conn)
        raise
    _commit(conn)


def apply_migrations(conn: sqlite3.Connection) -> None:
    """Every migration step the catalogue has not recorded yet, then the change-log
    triggers made again from the schema; inside the caller's transaction. The same steps
    make a new catalogue (schema_audit makes the expected schema with them)."""
    from sqlite_utils import Database

    from scenecat.storage import changelog
    from scenecat.storage.migrations import build_migrations

    logged = changelog.last_seq(conn)
    build_migrations().apply(Database(conn))
    changelog.forget_unrecorded_since(conn, logged)
    changelog.install_triggers(conn)


def upgrade_copy(path: Path) -> None:
    """Bring a temporary copy of a catalogue from an older scenecat up to date, in place and
    without a copy of the copy: a restore checks an old file as it will be once upgraded."""
    conn = _connect(path)
    try:
        _upgrade(Catalogue(path=path, conn=conn), keep_old=False)
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()


def _backup_before_upgrade(path: Path, version: int) -> Path:
    # A safety copy never replaces anything: the first free name is taken atomically.
    return copy_database(
        path, path.with_name(f"{path.name}.schema{version}.bak"), keep_existing=True
    )


def _backup_progress(status: int, remaining: int, total: int) -> None:
    """Called by SQLite's backup as it copies (tests interrupt a copy through it)."""


def copy_database(
    source: Path | sqlite3.Connection, target: Path, *, keep_existing: bool = False
) -> Path:
    """A consistent copy of a catalogue through SQLite's online backup API, safe while other
    processes write (each step reads one snapshot; the copy is one self-contained file).

    Written through scenecat.files.staged: an exclusively created temporary file, synced,
    then renamed into place; with `keep_existing` an existing file is never replaced (the
    copy takes the next free name, which is returned)."""
    from scenecat.files import staged

    with staged(target, keep_existing=keep_existing) as stage:
        copy_to_temporary(source, stage.temp)
    return stage.final


def copy_to_temporary(source: Path | sqlite3.Connection, temp: Path) -> None:
    """copy_database() into a temporary file the caller already made (scenecat.files
    .temporary): written in place, with no second temporary file of its own."""
    src = source if isinstance(source, sqlite3.Connection) else _connect(source)
    try:
        dest = sqlite3.connect(temp, isolation_level=None)
        try:
            src.backup(dest, progress=_backup_progress)
            # The copy stands alone: no -wal file to carry around with it.
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
    finally:
        if src is not source:
            src.close()


# Pages per step of the backup that writes a restored catalogue into the live file.
_RESTORE_STEP_PAGES = 1024


def copy_into(source: Path, catalogue: Catalogue, keep_at: Path) -> Path:
    """Replace the open catalogue's content with the catalogue file `source`, in place,
    after keeping a copy of what it held at `keep_at` (or the first free name beside it,
    returned: a safety copy never replaces anything).

    The online backup API writes into the live file under its write lock, so other scenecat
    processes wait and then see the restored catalogue; swapping files under them would not
    be safe. The safety copy is taken while that lock is held: the backup takes the lock
    with its first step and keeps it to its last, and the copy is made between the two
    (through a second connection, which reads the last commit). So a write another process
    was told it made is either in the safety copy or, having waited for the lock, in the
    restored catalogue; a copy taken before the lock would miss the writes landing between.

    SQLite requires equal page sizes to write into a WAL database, so the source is first
    copied (and re-paged if needed) into a temporary file next to the catalogue, which is
    removed afterwards, also when interrupted. An error or Ctrl-C before the last step rolls
    the live file back to what it was.
    """
    from scenecat.files import temporary

    with temporary(catalogue.path, suffix=".restore.tmp") as staging:
        stage = sqlite3.connect(staging, isolation_level=None)
        try:
            src = _connect(source)
            try:
                src.backup(stage)
            finally:
                src.close()
            stage.execute("PRAGMA journal_mode = DELETE")
            wanted = catalogue.conn.execute("PRAGMA page_size").fetchone()[0]
            if stage.execute("PRAGMA page_size").fetchone()[0] != wanted:
                stage.execute(f"PRAGMA page_size = {int(wanted)}")
                stage.execute("VACUUM")
            pages = int(stage.execute("PRAGMA page_count").fetchone()[0])
            if pages < 2:  # a catalogue has at least its schema page and one table
                raise SchemaError(f"{source} is not a scenecat catalogue (it is empty)")
            kept: list[Path] = []

            def step(status: int, remaining: int, total: int) -> None:
                _backup_progress(status, remaining, total)
                # The first step that returned OK holds the live file's write lock (a busy
                # one is retried); fewer pages per step than the file has, so the first
                # step is never also the last, which commits and lets go of the lock.
                if status == sqlite3.SQLITE_OK and not kept:
                    kept.append(copy_database(catalogue.path, keep_at, keep_existing=True))

            stage.backup(catalogue.conn, pages=min(_RESTORE_STEP_PAGES, pages - 1), progress=step)
            if not kept:
                raise SchemaError("the restore finished before its safety copy was taken")
        finally:
            stage.close()
    return kept[0]


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
