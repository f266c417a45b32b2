"""Reading a catalogue file into the catalogue: `import_file` picks the reader by the file's
suffix.

- yaml_file.py, jsonl_file.py, csv_file.py: one reader per kind of file; errors name the
  file, the line and the field (or column).
- one_by_one.py: the record-by-record path (any catalogue; the report lists changes).
- bulk_importer.py: the fast path into a fresh catalogue (same catalogue, report and errors).
- runner.py: which of the two a YAML or JSON Lines file goes through.
- report.py: ImportReport and the interface both importers share.
- findings.py: the new kinds and near-duplicate scenes an import's summary names.

An import is all or nothing (the caller's transaction), re-importing changes nothing, and
unknown keys are errors.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

from scenecat.domain.importing import findings
from scenecat.domain.importing.csv_file import import_csv, parse_mapping
from scenecat.domain.importing.jsonl_file import import_jsonl
from scenecat.domain.importing.report import ImportReport
from scenecat.domain.importing.yaml_file import import_yaml
from scenecat.errors import InvalidInput, UsageError

__all__ = ["ImportReport", "import_file"]


def import_file(
    conn: sqlite3.Connection,
    path: Path,
    progress: Callable[..., None] | None = None,
    *,
    fast: bool | None = None,
    mapping: Sequence[str] = (),
) -> ImportReport:
    """Import a catalogue file; into a fresh catalogue the bulk path is used unless
    `fast=False` (the results are the same, see bulk_importer.py). `mapping`
    ("COLUMN=FIELD", "COLUMN=-") names the columns of a CSV file."""
    if not path.is_file():
        raise InvalidInput(f"no file at {path}")
    suffix = path.suffix.lower()
    if mapping and suffix != ".csv":
        raise UsageError("--map is for .csv files", hint="YAML and JSON Lines name their fields")
    if suffix not in (".yaml", ".yml", ".jsonl", ".ndjson", ".csv"):
        raise InvalidInput(
            f"cannot import {path.name}: unknown file type {suffix or '(none)'}",
            hint="use a .yaml catalogue (format 1), .jsonl (JSON Lines) or .csv",
        )
    mark = findings.before(conn)
    if suffix in (".yaml", ".yml"):
        report = import_yaml(conn, path, progress, fast=fast)
    elif suffix == ".csv":
        report = import_csv(
            conn, path, progress, mapping=parse_mapping(mapping) if mapping else None
        )
    else:
        report = import_jsonl(conn, path, progress, fast=fast)
    findings.add_findings(conn, mark, report)
    return report
