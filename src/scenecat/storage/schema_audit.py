"""Is a catalogue's schema the one scenecat makes? Part of `db check`, and so of `db restore`.

The schema an up-to-date catalogue should have is made by running every migration step on
an empty in-memory database, exactly as a new catalogue is made: a new step needs no change
here. The catalogue's tables, indexes, triggers and views are compared with it, SQL and all.

A trigger runs inside every write, so a catalogue file can carry one that rewrites every
title on the next vote, or replace one of scenecat's with a no-op of the same name that
quietly stops the per-scene signals. So every trigger must be one scenecat makes, and every
object scenecat makes must be there unchanged: anything else is a problem (a restore refuses
it without --force). What a user adds beside scenecat's own objects (an index to speed up
their queries, a view, a table of notes) changes nothing scenecat does and is only noted;
except a UNIQUE index on one of scenecat's tables, which would refuse writes scenecat makes.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from dataclasses import dataclass, field

from scenecat.storage import changelog


@dataclass(frozen=True)
class SchemaObject:
    type: str  # table, index, trigger or view
    name: str
    table: str
    sql: str | None


@dataclass
class Audit:
    problems: list[str] = field(default_factory=list)  # refused by restore without --force
    added: list[str] = field(default_factory=list)  # a user's additions: noted, kept


def objects(conn: sqlite3.Connection) -> dict[tuple[str, str], SchemaObject]:
    """The schema's objects by (type, name), without those SQLite derives itself: the
    indexes of a table's UNIQUE and PRIMARY KEY clauses (part of its SQL) and the statistics
    tables of ANALYZE."""
    found = {}
    for kind, name, table, sql in conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master"
    ):
        if name.startswith(("sqlite_autoindex_", "sqlite_stat")):
            continue
        found[(kind, name)] = SchemaObject(kind, name, table, sql)
    return found


@functools.cache
def expected() -> dict[tuple[str, str], SchemaObject]:
    """The objects of a new catalogue of this scenecat (made once per process: ~70 ms, and
    ~200 ms more to import the migration steps)."""
    from scenecat.storage.connection import apply_migrations

    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        conn.execute("BEGIN")
        apply_migrations(conn)
        conn.execute("COMMIT")
        return objects(conn)
    finally:
        conn.close()


def audit(conn: sqlite3.Connection, *, reported: str = "") -> Audit:
    """Compare the catalogue's schema with `expected()`. A missing trigger named in
    `reported` (the text of the problems found already: the per-scene signals' own check
    names its missing triggers) is not reported twice."""
    want = expected()
    have = objects(conn)
    result = Audit()
    for key, obj in want.items():
        found = have.get(key)
        if found is None:
            if not (obj.type == "trigger" and re.search(rf"\b{re.escape(obj.name)}\b", reported)):
                result.problems.append(f"schema: the {obj.type} {obj.name}{_on(obj)} is missing")
        elif (found.table, found.sql) != (obj.table, obj.sql):
            result.problems.append(
                f"schema: the {obj.type} {obj.name}{_on(obj)} is not the one scenecat makes "
                "(changed outside scenecat)"
            )
    ours = {obj.name for obj in want.values() if obj.type == "table"}
    added = [obj for key, obj in have.items() if key not in want]
    history = _history_triggers(conn, [obj.name for obj in added if obj.type == "table"])
    virtual = [obj.name for obj in added if (obj.sql or "").upper().startswith("CREATE VIRTUAL")]
    for obj in added:
        if obj.type == "trigger":
            if history.get(obj.name) != obj.sql:
                result.problems.append(
                    f"schema: a trigger scenecat does not make: {obj.name}{_on(obj)} "
                    "(it would run inside scenecat's writes)"
                )
        elif obj.type == "index" and obj.table in ours and _unique(conn, obj):
            result.problems.append(
                f"schema: a UNIQUE index scenecat does not make: {obj.name}{_on(obj)} "
                "(it would refuse writes scenecat makes)"
            )
        elif not any(obj.name.startswith(v + "_") for v in virtual):
            # (the tables a virtual table keeps its data in are part of it)
            result.added.append(f"{obj.type} {obj.name}{_on(obj)}")
    return result


def _on(obj: SchemaObject) -> str:
    return f" on {obj.table}" if obj.type in ("index", "trigger") else ""


def _unique(conn: sqlite3.Connection, obj: SchemaObject) -> bool:
    row = conn.execute(
        'SELECT "unique" FROM pragma_index_list(?) WHERE name = ?', (obj.table, obj.name)
    ).fetchone()
    return bool(row and row[0])


def _history_triggers(conn: sqlite3.Connection, tables: list[str]) -> dict[str, str]:
    """The change-log triggers an upgrade gives every table, a user's too (name -> SQL),
    for the tables given."""
    tracked = set(changelog.tracked_tables(conn))
    made: dict[str, str] = {}
    for table in tables:
        if table in tracked:
            statements = changelog.trigger_statements(changelog.table_info(conn, table))
            # (in the order trigger_statements makes them: insert, update, delete)
            names = [f"{changelog.TRIGGER_PREFIX}{table}_{op}" for op in ("ins", "upd", "del")]
            made.update(zip(names, statements, strict=True))
    return made
