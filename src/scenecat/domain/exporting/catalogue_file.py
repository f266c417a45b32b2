"""The whole catalogue as a format-1 file: YAML (one document) or JSON Lines (one record a
line), streamed section by section; domain/importing reads both back."""

from __future__ import annotations

import datetime as dt
import io
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from scenecat import yamlio
from scenecat.domain.format1 import OPTIONAL_SECTIONS, RECORD_TYPES, SECTION_RECORDS, SECTIONS
from scenecat.domain.records import FORMAT
from scenecat.storage import scenes
from scenecat.storage.rank_queries import read_snapshot
from scenecat.text import json_safe

# Exporters report progress every this many records (a report per record would cost more
# than the bar is worth).
PROGRESS_EVERY = 1_000


_DATE_KEYS = ("on", "aired", "published", "started", "finished", "updated")


def _dates_as_dates(value: Any) -> Any:
    # ISO strings become YAML dates, so files read `on: 2019-11-10` rather than a quoted string.
    if isinstance(value, dict):
        return {
            k: dt.date.fromisoformat(v)
            if k in _DATE_KEYS and isinstance(v, str)
            else _dates_as_dates(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_dates_as_dates(v) for v in value]
    return value


def count_records(conn: sqlite3.Connection) -> int:
    """How many records an export writes (for a progress bar's total)."""
    return scenes.count_records(conn)


def dump_yaml_record(record: dict[str, Any]) -> str:
    return yamlio.dump([_dates_as_dates(record)])


def write_yaml(
    conn: sqlite3.Connection, out: IO[str], progress: Callable[[int], None] | None = None
) -> int:
    """Stream the catalogue as one YAML document; returns the number of records."""
    # One read transaction: the sections are read page by page (domain/format1.py), and a
    # change committed meanwhile must not show in some of them only.
    with read_snapshot(conn):
        return _write_yaml(conn, out, progress)


def _write_yaml(
    conn: sqlite3.Connection, out: IO[str], progress: Callable[[int], None] | None
) -> int:
    out.write(f"format: {FORMAT}\n")
    count = 0
    for section in SECTIONS:
        records = SECTION_RECORDS[section](conn)
        first = next(records, None)
        if first is None:
            if section not in OPTIONAL_SECTIONS:
                out.write(f"{section}: []\n")
            continue
        out.write(f"{section}:\n")
        for record in _chain(first, records):
            out.write(dump_yaml_record(record))
            count += 1
            if progress and count % PROGRESS_EVERY == 0:
                progress(count)
    if progress:
        progress(count)
    return count


def write_jsonl(
    conn: sqlite3.Connection, out: IO[str], progress: Callable[[int], None] | None = None
) -> int:
    """Stream the catalogue as JSON Lines, one record a line; returns the number of records."""
    with read_snapshot(conn):
        return _write_jsonl(conn, out, progress)


# json.dumps with an option makes a new encoder per call; one encoder serves every record.
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def _write_jsonl(
    conn: sqlite3.Connection, out: IO[str], progress: Callable[[int], None] | None
) -> int:
    out.write(json.dumps({"format": FORMAT}) + "\n")
    count = 0
    lines: list[str] = []
    for section in SECTIONS:
        kind = RECORD_TYPES[section]
        for record in SECTION_RECORDS[section](conn):
            lines.append(_ENCODE({"type": kind, **record}))
            count += 1
            if count % PROGRESS_EVERY == 0:
                _write_lines(out, lines)
                if progress:
                    progress(count)
    _write_lines(out, lines)
    if progress:
        progress(count)
    return count


def _write_lines(out: IO[str], lines: list[str]) -> None:
    """Write `lines` (and empty the list) in one call: json_safe over a thousand records at
    once costs what it costs over one (it escapes single characters, never a line end)."""
    if lines:
        out.write(json_safe("\n".join(lines)) + "\n")
        lines.clear()


def _chain(first: dict[str, Any], rest: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    yield first
    yield from rest


def dump_for_compare(conn: sqlite3.Connection) -> str:
    """The whole catalogue as text, to compare before and after a failed change."""
    buffer = io.StringIO()
    write_jsonl(conn, buffer)
    return buffer.getvalue()
