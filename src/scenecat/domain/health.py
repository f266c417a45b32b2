"""`db check`, `db backup` and `db restore`: is the catalogue sound, and copies of it."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from scenecat.errors import InvalidInput, SchemaError
from scenecat.storage import connection, health
from scenecat.storage.connection import Catalogue
from scenecat.storage.schema import schema_version


def check(conn: sqlite3.Connection) -> list[str]:
    return health.problems(conn)


def repair_signals(cat: Catalogue) -> None:
    """Compute the derived per-scene signals again (they leave no trace in the history)."""
    from scenecat.storage import scene_signals

    with cat.write("repair signals") as conn:
        scene_signals.install(conn)


def _stamp() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def backup(cat: Catalogue, dest: Path, *, force: bool = False) -> Path:
    """A consistent copy of the catalogue at `dest` (a file, or a folder to put it in),
    taken with SQLite's online backup while other processes may go on writing."""
    if dest.is_dir():
        dest = dest / f"{cat.path.stem}-{_stamp()}.db"
    if _same_file(dest, cat.path) or dest.resolve() == cat.path.resolve():
        raise InvalidInput("the backup cannot replace the catalogue itself; choose another path")
    if dest.exists() and not force:
        raise InvalidInput(f"{dest} already exists", hint="pass --force to replace it")
    if not dest.parent.is_dir():
        raise InvalidInput(f"no folder {dest.parent} to write the backup in")
    try:
        connection.copy_database(cat.conn, dest)
    except OSError as exc:
        raise InvalidInput(f"cannot write {dest}: {exc.strerror}") from None
    except sqlite3.OperationalError as exc:
        raise InvalidInput(f"cannot write {dest}: {exc}") from None
    result = health.quick_check(dest)
    if result != "ok":
        raise SchemaError(f"the backup at {dest} failed its check ({result})")
    return dest


@dataclass
class RestorePlan:
    source: health.FileInfo
    current: dict[str, int]
    keep_at: Path


def plan_restore(cat: Catalogue, source: Path) -> RestorePlan:
    """Check `source` is a catalogue this scenecat can use; nothing is written."""
    if not source.is_file():
        raise InvalidInput(f"no file at {source}")
    if _same_file(source, cat.path):
        raise InvalidInput(f"{source} is the catalogue itself")
    info = health.inspect_file(source)
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
    current = health.counts(cat.conn)
    keep_at = cat.path.with_name(f"{cat.path.name}.before-restore-{_stamp()}.bak")
    return RestorePlan(info, current, keep_at)


def restore(cat: Catalogue, plan: RestorePlan) -> Path:
    """Keep a copy of the current catalogue, then replace it with the source in place."""
    connection.copy_database(cat.conn, plan.keep_at)
    connection.copy_into(plan.source.path, cat)
    return plan.keep_at
