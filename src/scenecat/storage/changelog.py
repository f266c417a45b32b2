"""The change log behind `history` and `undo`.

Every tracked table carries AFTER INSERT/UPDATE/DELETE triggers that append the row's key and
its before/after images (JSON) to `history_entry`, under the change named in the one-row
`history_state` table. `Catalogue.write(label)` sets that row right after BEGIN and clears it
before COMMIT, so other connections never see it set and a crash rolls it back with the rest.

Undo replays the inverse of each entry, newest first (the SQL it uses is
storage/undo_queries.py). Triggers are generated from the live
schema (`install_triggers`, run after every upgrade), so tables added by later migrations are
tracked without hand-written SQL. Derived tables (the search index) are not tracked: undo
rebuilds their affected rows instead.

Bulk changes (`write(label, bulk=True)`) log no rows: the change keeps, per table, the highest
rowid and the row count from before, and undo deletes the rows above the mark.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from scenecat.storage.ddl import run_in_transaction_statements

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS history_change (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    label TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'change',
    started TEXT NOT NULL,
    finished TEXT,
    first_seq INTEGER NOT NULL DEFAULT 0,
    rows INTEGER NOT NULL DEFAULT 0,
    bulk INTEGER NOT NULL DEFAULT 0,
    undone_by INTEGER
)""",
    # AUTOINCREMENT: sequence numbers order entries against changes, so they are never reused
    # after the newest entries are deleted (an undone change's entries are).
    """CREATE TABLE IF NOT EXISTS history_entry (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    change_id INTEGER,
    tbl TEXT NOT NULL,
    op TEXT NOT NULL,
    key_old TEXT,
    key_new TEXT,
    old TEXT,
    new TEXT
)""",
    "CREATE INDEX IF NOT EXISTS history_entry_by_change ON history_entry(change_id, seq)",
    """CREATE TABLE IF NOT EXISTS history_bulk_mark (
    change_id INTEGER NOT NULL,
    tbl TEXT NOT NULL,
    max_rowid INTEGER,
    row_count INTEGER NOT NULL,
    PRIMARY KEY (change_id, tbl)
)""",
    """CREATE TABLE IF NOT EXISTS history_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    change_id INTEGER,
    bulk INTEGER NOT NULL DEFAULT 0
)""",
    "INSERT OR IGNORE INTO history_state (id, change_id, bulk) VALUES (1, NULL, 0)",
]

TRIGGER_PREFIX = "history_"
# Tables that are not user facts: SQLite's own, bookkeeping, this log, and derived data that
# its owner rebuilds (the search index, the per-scene signals kept by their own triggers).
# Other modules may add their derived tables here.
UNTRACKED_PREFIXES = ("sqlite_", "_", "history_", "scene_search")
UNTRACKED: set[str] = {"scene_signal", "signal_class"}
# Changes older than this many are forgotten (their log rows deleted) to bound the file size.
KEEP_CHANGES = 500
BLOB_MARK = "\x00blob:"


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


# Tables and triggers


@dataclass(frozen=True)
class TableInfo:
    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]  # columns that identify a row; ("rowid",) when the table has no key
    has_rowid: bool
    blob_columns: tuple[str, ...] = ()

    @property
    def image_columns(self) -> tuple[str, ...]:
        """Columns stored in a row image (the rowid too when it is the only key)."""
        return ("rowid", *self.columns) if self.key == ("rowid",) else self.columns


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def table_info(conn: sqlite3.Connection, table: str) -> TableInfo:
    rows = list(conn.execute(f"PRAGMA table_info({quote(table)})"))
    columns = tuple(r[1] for r in rows)
    pk = tuple(r[1] for r in sorted((r for r in rows if r[5]), key=lambda r: r[5]))
    try:
        conn.execute(f"SELECT rowid FROM {quote(table)} LIMIT 0")
        has_rowid = True
    except sqlite3.OperationalError:
        has_rowid = False
    # Values of untyped or BLOB columns may be blobs, which JSON cannot hold: they are logged
    # as marked hex text instead.
    blobs = tuple(r[1] for r in rows if not r[2] or "BLOB" in str(r[2]).upper())
    return TableInfo(table, columns, pk or ("rowid",), has_rowid, blobs)


def tracked_tables(conn: sqlite3.Connection) -> list[str]:
    rows = list(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
    virtual = [name for name, sql in rows if sql and sql.upper().startswith("CREATE VIRTUAL")]
    tables = []
    for name, _sql in rows:
        if name in virtual or name in UNTRACKED or name.startswith(UNTRACKED_PREFIXES):
            continue
        if any(name.startswith(v + "_") for v in virtual):
            continue  # a virtual table's shadow table
        tables.append(name)
    return sorted(tables)


def _value(info: TableInfo, prefix: str, column: str) -> str:
    ref = f"{prefix}{quote(column)}" if column != "rowid" else f"{prefix}rowid"
    if column in info.blob_columns:
        return (
            f"CASE WHEN typeof({ref}) = 'blob' THEN char(0) || 'blob:' || hex({ref}) ELSE {ref} END"
        )
    return ref


def image_json(info: TableInfo, prefix: str) -> str:
    parts = [f"{_lit(c)}, {_value(info, prefix, c)}" for c in info.image_columns]
    return f"json_object({', '.join(parts)})"


def _key(info: TableInfo, prefix: str) -> str:
    return f"json_array({', '.join(_value(info, prefix, c) for c in info.key)})"


def trigger_statements(info: TableInfo) -> list[str]:
    table = quote(info.name)
    name = _lit(info.name)
    state = "(SELECT change_id FROM history_state WHERE id = 1)"
    logging = "(SELECT bulk FROM history_state WHERE id = 1) = 0"
    changed = " OR ".join(f"old.{quote(c)} IS NOT new.{quote(c)}" for c in info.columns)
    if info.key == ("rowid",):
        changed = f"old.rowid IS NOT new.rowid OR {changed}"
    ins, upd, dele = (quote(f"{TRIGGER_PREFIX}{info.name}_{op}") for op in ("ins", "upd", "del"))
    return [
        f"CREATE TRIGGER {ins} AFTER INSERT ON {table} WHEN {logging} BEGIN "
        f"INSERT INTO history_entry (change_id, tbl, op, key_new, new) VALUES "
        f"({state}, {name}, 'I', {_key(info, 'new.')}, {image_json(info, 'new.')}); END",
        f"CREATE TRIGGER {upd} AFTER UPDATE ON {table} "
        f"WHEN {logging} AND ({changed}) BEGIN "
        f"INSERT INTO history_entry (change_id, tbl, op, key_old, key_new, old, new) VALUES "
        f"({state}, {name}, 'U', {_key(info, 'old.')}, {_key(info, 'new.')}, "
        f"{image_json(info, 'old.')}, {image_json(info, 'new.')}); END",
        f"CREATE TRIGGER {dele} AFTER DELETE ON {table} WHEN {logging} BEGIN "
        f"INSERT INTO history_entry (change_id, tbl, op, key_old, old) VALUES "
        f"({state}, {name}, 'D', {_key(info, 'old.')}, {image_json(info, 'old.')}); END",
    ]


def history_triggers(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE ? ESCAPE '\\'",
        (TRIGGER_PREFIX.replace("_", "\\_") + "%",),
    )
    return {r[0] for r in rows}


def install_triggers(conn: sqlite3.Connection) -> None:
    """(Re)create the logging triggers of every tracked table from the live schema; run
    inside the upgrade transaction, after all migrations, so new tables and columns count."""
    for name in history_triggers(conn):
        conn.execute(f"DROP TRIGGER IF EXISTS {quote(name)}")
    for table in tracked_tables(conn):
        for statement in trigger_statements(table_info(conn, table)):
            conn.execute(statement)


def last_seq(conn: sqlite3.Connection) -> int:
    """The newest log sequence number (0 before the log exists)."""
    if not table_exists(conn, "history_entry"):
        return 0
    return int(conn.execute("SELECT coalesce(max(seq), 0) FROM history_entry").fetchone()[0])


def forget_unrecorded_since(conn: sqlite3.Connection, seq: int) -> None:
    """Drop rows logged outside any change after `seq` (a schema upgrade rewriting data is
    not a user's change; undo still checks each row against its logged image)."""
    if table_exists(conn, "history_entry"):
        conn.execute("DELETE FROM history_entry WHERE change_id IS NULL AND seq > ?", (seq,))


def install(conn: sqlite3.Connection) -> None:
    for statement in SCHEMA:
        conn.execute(statement)
    install_triggers(conn)


def create_history(db: Any) -> None:
    """Migration 0004_history."""
    run_in_transaction_statements(db, [])
    install(db.conn)


# Recording changes


@dataclass
class Change:
    id: int
    label: str
    kind: str
    started: str
    finished: str | None
    rows: int
    bulk: bool
    undone_by: int | None
    first_seq: int = 0

    @property
    def undone(self) -> bool:
        return self.undone_by is not None


_CHANGE_COLUMNS = "id, label, kind, started, finished, rows, bulk, undone_by, first_seq"


def _change(row: tuple[Any, ...]) -> Change:
    return Change(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]), row[7], row[8])


def begin(conn: sqlite3.Connection, label: str, *, bulk: bool = False) -> int:
    """Open a change (inside the caller's transaction); the triggers log under it."""
    first_seq = conn.execute("SELECT coalesce(max(seq), 0) FROM history_entry").fetchone()[0]
    change_id = int(
        conn.execute(
            "INSERT INTO history_change (label, started, first_seq) VALUES (?, ?, ?)",
            (label, now(), first_seq),
        ).lastrowid
        or 0
    )
    conn.execute(
        "INSERT OR REPLACE INTO history_state (id, change_id, bulk) VALUES (1, ?, 0)",
        (change_id,),
    )
    if bulk:
        start_bulk(conn)
    return change_id


def start_bulk(conn: sqlite3.Connection) -> None:
    """Switch the running change to bulk mode: from here on rows are not logged one by one;
    each table's highest rowid and row count are kept instead, and undo deletes the rows
    above them. Call it (inside `Catalogue.write`) before loading many rows into a fresh
    catalogue; only inserts are undoable after it. A rollback (e.g. to a savepoint) takes
    the switch back with everything else."""
    change_id = current_change(conn)
    if change_id is None:
        raise RuntimeError("start_bulk() needs a change: call it inside Catalogue.write()")
    conn.execute("UPDATE history_change SET bulk = 1 WHERE id = ?", (change_id,))
    for table in tracked_tables(conn):
        info = table_info(conn, table)
        top = (
            conn.execute(f"SELECT max(rowid) FROM {quote(table)}").fetchone()[0]
            if info.has_rowid
            else None
        )
        count = conn.execute(f"SELECT count(*) FROM {quote(table)}").fetchone()[0]
        conn.execute(
            "INSERT OR IGNORE INTO history_bulk_mark (change_id, tbl, max_rowid, row_count) "
            "VALUES (?, ?, ?, ?)",
            (change_id, table, top, count),
        )
    set_logging(conn, False)


def current_change(conn: sqlite3.Connection) -> int | None:
    row = conn.execute("SELECT change_id FROM history_state WHERE id = 1").fetchone()
    return row[0] if row else None


def set_logging(conn: sqlite3.Connection, enabled: bool) -> None:
    conn.execute("UPDATE history_state SET bulk = ? WHERE id = 1", (0 if enabled else 1,))


def finish(conn: sqlite3.Connection, change_id: int) -> None:
    """Close the change before COMMIT; a change that wrote nothing leaves no trace."""
    row = conn.execute(
        "SELECT bulk, kind, rows FROM history_change WHERE id = ?", (change_id,)
    ).fetchone()
    if row is not None:
        bulk, kind, rows = row
        if kind == "change":
            rows = conn.execute(
                "SELECT count(*) FROM history_entry WHERE change_id = ?", (change_id,)
            ).fetchone()[0]
            if bulk:
                for table, count in list(
                    conn.execute(
                        "SELECT tbl, row_count FROM history_bulk_mark WHERE change_id = ?",
                        (change_id,),
                    )
                ):
                    rows += count_rows(conn, table) - count
        if rows == 0 and kind == "change":
            forget(conn, [change_id])
        else:
            conn.execute(
                "UPDATE history_change SET finished = ?, rows = ? WHERE id = ?",
                (now(), rows, change_id),
            )
    conn.execute("UPDATE history_state SET change_id = NULL, bulk = 0 WHERE id = 1")
    if change_id % 25 == 0:
        prune(conn)


def forget(conn: sqlite3.Connection, change_ids: Iterable[int]) -> None:
    for change_id in change_ids:
        conn.execute("DELETE FROM history_entry WHERE change_id = ?", (change_id,))
        conn.execute("DELETE FROM history_bulk_mark WHERE change_id = ?", (change_id,))
        conn.execute("DELETE FROM history_change WHERE id = ?", (change_id,))


def prune(conn: sqlite3.Connection, keep: int | None = None) -> None:
    keep = KEEP_CHANGES if keep is None else keep
    row = conn.execute(
        "SELECT id, first_seq FROM history_change ORDER BY id DESC LIMIT 1 OFFSET ?", (keep,)
    ).fetchone()
    if row is None:
        return
    oldest_kept, first_seq = row
    conn.execute("DELETE FROM history_entry WHERE change_id <= ?", (oldest_kept,))
    conn.execute("DELETE FROM history_entry WHERE change_id IS NULL AND seq <= ?", (first_seq,))
    conn.execute("DELETE FROM history_bulk_mark WHERE change_id <= ?", (oldest_kept,))
    conn.execute("DELETE FROM history_change WHERE id <= ?", (oldest_kept,))


def recent(conn: sqlite3.Connection, limit: int) -> list[Change]:
    rows = conn.execute(
        f"SELECT {_CHANGE_COLUMNS} FROM history_change WHERE finished IS NOT NULL "
        "ORDER BY id DESC LIMIT ?",
        (limit,),
    )
    return [_change(r) for r in rows]


def get_change(conn: sqlite3.Connection, change_id: int) -> Change | None:
    row = conn.execute(
        f"SELECT {_CHANGE_COLUMNS} FROM history_change WHERE id = ? AND finished IS NOT NULL",
        (change_id,),
    ).fetchone()
    return _change(row) if row else None


def undoable(conn: sqlite3.Connection, limit: int) -> list[Change]:
    """The newest changes that can still be undone, newest first."""
    rows = conn.execute(
        f"SELECT {_CHANGE_COLUMNS} FROM history_change WHERE kind = 'change' "
        "AND undone_by IS NULL AND finished IS NOT NULL ORDER BY id DESC LIMIT ?",
        (limit,),
    )
    return [_change(r) for r in rows]


def later_bulk_changes(conn: sqlite3.Connection, change_id: int) -> list[Change]:
    rows = conn.execute(
        f"SELECT {_CHANGE_COLUMNS} FROM history_change WHERE id > ? AND bulk = 1 "
        "AND kind = 'change' AND undone_by IS NULL AND finished IS NOT NULL ORDER BY id",
        (change_id,),
    )
    return [_change(r) for r in rows]


def mark_undone(
    conn: sqlite3.Connection, change_ids: Iterable[int], undo_id: int, label: str, rows: int
) -> None:
    ids = list(change_ids)
    for change_id in ids:
        conn.execute("UPDATE history_change SET undone_by = ? WHERE id = ?", (undo_id, change_id))
        # The inverse has been applied; the row images are no longer needed.
        conn.execute("DELETE FROM history_entry WHERE change_id = ?", (change_id,))
        conn.execute("DELETE FROM history_bulk_mark WHERE change_id = ?", (change_id,))
    conn.execute(
        "UPDATE history_change SET kind = 'undo', label = ?, rows = ? WHERE id = ?",
        (label, rows, undo_id),
    )


def table_exists(conn: sqlite3.Connection, table: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    return row is not None


def count_rows(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {quote(table)}").fetchone()[0])


# Health


def problems(conn: sqlite3.Connection) -> list[str]:
    """History bookkeeping that is out of step (empty when fine)."""
    if not table_exists(conn, "history_state"):
        return ["the change history tables are missing"]
    found: list[str] = []
    state = conn.execute("SELECT change_id, bulk FROM history_state WHERE id = 1").fetchone()
    if state is None:
        found.append("the change history state row is missing")
    elif state != (None, 0) and not conn.in_transaction:
        found.append(f"the change history still points at change {state[0]}")
    # Its triggers are checked with the rest of the schema (schema_audit): on scenecat's
    # tables they must be there; a table a user added gets them only at the next upgrade.
    return found
