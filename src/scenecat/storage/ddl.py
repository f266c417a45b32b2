"""Running schema statements inside the migration's transaction.

A leaf module: the migration steps in every feature module use it, and it imports none of
them (it once lived in schema.py, which also gathered the steps: a circle of imports).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3

    from sqlite_utils import Database


def column_names(conn: sqlite3.Connection, table: str) -> list[str]:
    """A table's columns, in order (none for a table that does not exist)."""
    return [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]


def statements(script: str) -> list[str]:
    """Split a DDL script (no triggers, no string literals with ';') into statements."""
    return [part.strip() for part in script.split(";") if part.strip()]


def run_in_transaction(db: Database, script: str) -> None:
    run_in_transaction_statements(db, statements(script))


def run_in_transaction_statements(db: Database, script: list[str]) -> None:
    # executescript() would commit early; plain execute() inside BEGIN keeps DDL atomic,
    # and the Migrations record of the step is committed together with it.
    if not db.conn.in_transaction:
        db.execute("BEGIN IMMEDIATE")
    for statement in script:
        db.execute(statement)
