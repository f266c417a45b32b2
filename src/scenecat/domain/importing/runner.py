"""Which importer a file is read into: the bulk one for a fresh catalogue, else (or when the
bulk one gives up) the record-by-record one. The readers (yaml_file.py, jsonl_file.py) call
run_import with a function that feeds an importer their records."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from scenecat.domain.importing.bulk_importer import BulkImporter, NeedsSlowPath
from scenecat.domain.importing.one_by_one import RecordImporter
from scenecat.domain.importing.report import Importer, ImportReport
from scenecat.storage import bulk, changelog
from scenecat.storage.connection import savepoint


def run_import(
    conn: sqlite3.Connection, run: Callable[[Importer], ImportReport], fast: bool | None
) -> ImportReport:
    """Import with the bulk path into a fresh catalogue, record by record otherwise
    (`fast=False` forces record by record; `fast=None` chooses).

    Both give the same catalogue, report and errors (tests/test_bulk_import.py); the bulk
    path runs inside a savepoint so that the rare file it does not model can start over on
    the record-by-record path within the same transaction.
    """
    if fast is not False and bulk.is_fresh(conn):
        try:
            with savepoint(conn, "bulk_import"):
                if changelog.current_change(conn) is not None:
                    # Undo of a load into a fresh catalogue needs only each table's old top
                    # rowid, not a log entry per row (the savepoint's rollback undoes this too).
                    changelog.start_bulk(conn)
                importer = BulkImporter(conn)
                try:
                    return run(importer)
                finally:
                    importer.close()
        except NeedsSlowPath:
            pass  # the savepoint rolled the partial load back; start over record by record
    return run(RecordImporter(conn))
