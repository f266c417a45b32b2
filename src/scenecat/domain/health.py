"""`db check`, `db backup` and `db restore`: is the catalogue sound, and copies of it."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scenecat.errors import InvalidInput, SchemaError
from scenecat.storage import connection, integrity
from scenecat.storage.connection import Catalogue
from scenecat.storage.migrations import schema_version
from scenecat.text import wrap_items


def check(conn: sqlite3.Connection) -> list[str]:
    return integrity.problems(conn)


def added_objects(conn: sqlite3.Connection) -> list[str]:
    """What a user added to the catalogue's schema (noted by `db check`, not a problem)."""
    return integrity.added_objects(conn)


def repair_signals(cat: Catalogue) -> None:
    """Compute the derived per-scene signals again (they leave no trace in the history)."""
    from scenecat.storage import scene_signals

    with cat.write("repair signals") as conn:
        scene_signals.install(conn)


def _stamp() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S")


def newest_backup(sources: list[Path]) -> Path:
    """The newest of several files offered to `db restore` (`backups/catalogue-*.db` once a
    second backup exists): by the time `db backup` wrote into its name
    (catalogue-YYYYMMDD-HHMMSS.db), else by when the file was last written; a missing one
    is named, so that a typo is not passed over for an older file."""
    missing = [str(path) for path in sources if not path.is_file()]
    if missing:
        raise InvalidInput(f"no file at {', '.join(missing)}")

    def when(path: Path) -> dt.datetime:
        try:
            return dt.datetime.strptime(path.stem[-15:], "%Y%m%d-%H%M%S")
        except ValueError:
            return dt.datetime.fromtimestamp(path.stat().st_mtime)

    return max(sources, key=lambda path: (when(path), path.name))


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def backup(
    cat: Catalogue, dest: Path, *, force: bool = False, folder: bool = False
) -> tuple[Path, str | None]:
    """A consistent copy of the catalogue at `dest` (a file, or a folder to put it in),
    taken with SQLite's online backup while other processes may go on writing. Without
    `force` an existing file is never replaced, even one appearing while the copy runs.

    `folder` says the user wrote `dest` as a folder (`backups/`): it is made if missing.
    A missing `dest` without a file suffix is refused rather than guessed: written as a
    file, `backups` would look like a folder and make the next `db backup backups/` fail."""
    from scenecat.files import describe_os_error, is_special

    if folder and not dest.is_dir():
        if dest.exists():
            raise InvalidInput(f"{dest} is a file, not a folder")
        try:
            dest.mkdir(parents=True)
        except OSError as exc:
            raise InvalidInput(f"cannot make the folder {dest}: {exc.strerror}") from None
    if str(dest) not in ("", ".") and not dest.exists() and not dest.suffix:
        raise InvalidInput(
            f"there is no folder {dest}",
            hint=f"to make one, end the name with / ({dest}/); to write a file, name it {dest}.db",
        )
    if dest.is_dir():
        # A dated name in a folder: a second backup in the same second gets `-2`.
        dest = dest / f"{cat.path.stem}-{_stamp()}.db"
        force = False
        numbered = True
    else:
        numbered = False
    if str(dest) in ("", "."):
        raise InvalidInput("the backup file name is empty")
    if is_special(dest):
        raise InvalidInput(f"{dest} is not a regular file; a backup is a catalogue file")
    if _same_file(dest, cat.path) or dest.resolve() == cat.path.resolve():
        raise InvalidInput("the backup cannot replace the catalogue itself; choose another path")
    if dest.exists() and not force and not numbered:
        raise InvalidInput(f"{dest} already exists", hint="pass --force to replace it")
    if not dest.parent.is_dir():
        raise InvalidInput(f"no folder {dest.parent} to write the backup in")
    try:
        written = connection.copy_database(cat.conn, dest, keep_existing=not force)
    except OSError as exc:
        raise describe_os_error(exc, dest) from None
    except sqlite3.OperationalError as exc:
        raise InvalidInput(f"cannot write {dest}: {exc}") from None
    # If another process created DEST while we copied, ours went beside it (DEST-2).
    dest = written
    result = integrity.quick_check(dest)
    if result != "ok":
        source = integrity.integrity(cat.conn)
        if source:
            # The catalogue itself is damaged: the copy is what was asked for (the first
            # step of saving it), damage included.
            return dest, "the catalogue is damaged, so this copy is too (see: db check)"
        raise SchemaError(f"the backup at {dest} failed its check ({result})")
    return dest, None


def damage_advice(conn: sqlite3.Connection, path: Path) -> list[str]:
    """For a catalogue that fails its integrity check: what can still be read, and how to
    save it (a copy first, then SQLite's .recover). Short lines: they are read at 80 columns."""
    counts = integrity.readable_rows(conn)
    label = {"view_count": "view counts"}
    readable = [f"{n:,} {label.get(t, t + 's')}" for t, n in counts.items() if n is not None]
    damaged = [label.get(t, t + "s") for t, n in counts.items() if n is None]
    lines = []
    if readable:
        lines += wrap_items("can still be read:", readable)
    if damaged:
        lines.append(f"cannot be read to the end: {', '.join(damaged)}")
    lines += [
        "to save what can be read:",
        f"  1. keep a copy first:  scenecat --db {path} db backup COPY.db",
        f"  2. save what reads:    scenecat --db {path} db backup --salvage SAVED.db",
        "  3. check the result:   scenecat --db SAVED.db db check",
        f"  or SQLite's own: sqlite3 {path} .recover | sqlite3 recovered.db",
    ]
    return lines


def salvage(cat: Catalogue, dest: Path, *, force: bool = False) -> tuple[Path, Any]:
    """A new catalogue at `dest` holding every row of `cat` that can still be read (for a
    damaged catalogue); rows whose parent was lost are left out so that it passes
    `db check`. The change history is not carried over."""
    from scenecat.files import describe_os_error, is_special, staged
    from scenecat.storage import salvage as salvager

    if dest.is_dir():
        dest = dest / f"{cat.path.stem}-salvaged-{_stamp()}.db"
    if is_special(dest):  # --force would put a file in place of the pipe or device
        raise InvalidInput(f"{dest} is not a regular file; a salvaged copy is a catalogue file")
    if _same_file(dest, cat.path) or dest.resolve() == cat.path.resolve():
        raise InvalidInput("the salvaged copy cannot replace the catalogue itself")
    if dest.exists() and not force:
        raise InvalidInput(f"{dest} already exists", hint="pass --force to replace it")
    if not dest.parent.is_dir():
        raise InvalidInput(f"no folder {dest.parent} to write the salvaged copy in")
    try:
        with staged(dest, keep_existing=not force) as stage:
            new = connection.open_catalogue(stage.temp)
            try:
                found = salvager.salvage_into(cat.conn, new, f"salvage from {cat.path}")
            finally:
                new.close()
    except OSError as exc:
        raise describe_os_error(exc, dest) from None
    return stage.final, found


@dataclass
class RestorePlan:
    source: integrity.FileInfo
    current: dict[str, int]
    keep_at: Path
    added: list[str]  # indexes, views and tables a user added to the source (kept)


def plan_restore(cat: Catalogue, source: Path, *, force: bool = False) -> RestorePlan:
    """Check `source` is a catalogue this scenecat can use and passes the checks of
    `db check`, its schema's included (refused unless `force`); nothing is written but a
    temporary copy."""
    if not source.is_file():
        raise InvalidInput(f"no file at {source}")
    if _same_file(source, cat.path):
        raise InvalidInput(f"{source} is the catalogue itself")
    info = integrity.inspect_file(source)
    if info.problem:
        raise SchemaError(
            f"cannot restore from {source}: {info.problem}; nothing was changed",
            hint="pass a file made by `scenecat db backup`",
        )
    if info.version > schema_version():
        raise SchemaError(
            f"cannot restore from {source}: it was written by a newer scenecat "
            f"(schema {info.version}; this one knows {schema_version()}); nothing was changed",
            hint="upgrade scenecat: pip install -U scenecat",
        )
    found, added = check_file(cat, source, info.version)
    if found and not force:
        raise SchemaError(
            f"cannot restore from {source}: it fails `db check` with {len(found)} "
            f"problem(s), the first: {found[0]}; nothing was changed",
            hint=f"see them all: scenecat --db {source} db check; --force restores it anyway",
        )
    current = integrity.counts(cat.conn)
    keep_at = cat.path.with_name(f"{cat.path.name}.before-restore-{_stamp()}.bak")
    return RestorePlan(info, current, keep_at, added)


def check_file(cat: Catalogue, source: Path, version: int) -> tuple[list[str], list[str]]:
    """`db check` on a catalogue file (its problems, and what a user added to its schema),
    run on a temporary copy next to the catalogue (some checks write, and the source may be
    read-only). A file from an older scenecat is checked as it will be once upgraded: the
    copy is upgraded first."""
    from scenecat.files import temporary

    with temporary(cat.path, suffix=".check.tmp") as staging:
        connection.copy_to_temporary(source, staging)
        if version < schema_version():
            try:
                connection.upgrade_copy(staging)
            except sqlite3.DatabaseError as exc:
                raise SchemaError(
                    f"cannot restore from {source}: it cannot be brought up to this "
                    f"scenecat's schema ({exc}); nothing was changed",
                    hint=f"see what is wrong: scenecat --db {source} db check",
                ) from None
        return integrity.file_problems(staging)


def restore(cat: Catalogue, plan: RestorePlan) -> Path:
    """Replace the catalogue with the source in place, keeping a copy of the current one
    taken under the same write lock (under a name no other file has: a safety copy never
    replaces anything); returns where the copy is. A copy that cannot be written (a full
    disk) stops the restore before anything is replaced."""
    from scenecat.files import describe_os_error

    try:
        return connection.copy_into(plan.source.path, cat, plan.keep_at)
    except OSError as exc:
        raise describe_os_error(exc, plan.keep_at) from None
