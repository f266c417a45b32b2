"""CSV import of actors, dramas or scenes (`import FILE.csv`, what `export csv` writes and
spreadsheets from elsewhere).

Import reads one kind of record per file, told apart by the header (a `kind` column means
scenes, `title` dramas, `name` actors). Headers are matched loosely ("Drama Title",
"drama_title", "DRAMA TITLE" are the same column) through a small table of synonyms, and
files from elsewhere (MyDramaList, Wikipedia extracts) can name or skip their own columns
with a mapping (`parse_mapping(["drama_name=title", "score=-"])`); any other column is an
error, as an unknown key is in YAML import. A scene row without a key gets the key
`add-scene` would give it (drama, episode, title), so importing a spreadsheet twice changes
nothing. Every row goes through the same record parsers and writers as YAML import (the
record-by-record importer), so the rules match, and the whole file is one transaction (the
caller's): one bad cell and nothing is written. Errors name the file, the line and the column.
"""

from __future__ import annotations

import csv
import re
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scenecat.domain import moments
from scenecat.domain.exporting.scene_table import VIEW_PARTS, unguard_cell
from scenecat.domain.importing.one_by_one import RecordImporter
from scenecat.domain.importing.report import ImportReport
from scenecat.domain.records import FieldError
from scenecat.errors import CatalogueFileError, InvalidInput, ScenecatError, UsageError
from scenecat.fields import ACTOR_FIELDS, DRAMA_FIELDS
from scenecat.scene_fields import FIELDS

SECTION_OF = {"actors": "actor", "dramas": "drama", "scenes": "scene"}

# The CSV-only columns beside a view count (`export csv` writes the latest count's date and
# source in them): their names follow the field's, and these are their other spellings.
VIEW_SPELLINGS = {
    "views_on": ("seen", "views_date", "seen_on"),
    "views_source": ("source_name", "seen_at"),
}
# The declared fields holding view counts: one count per row, with its date and source.
VIEW_FIELDS = tuple(info.name for info in FIELDS if info.value == "views")
# The declared fields holding sources: links, each with the scene's moment in it if any.
SOURCE_FIELDS = tuple(info.name for info in FIELDS if info.value == "sources")


def _scene_headers() -> dict[str, tuple[str, ...]]:
    headers: dict[str, tuple[str, ...]] = {
        "key": ("key", "scene_key", "slug"),
        "drama": ("drama", "drama_title"),
    }
    for info in FIELDS:
        headers[info.name] = info.headers
        if info.name in VIEW_FIELDS:
            for part in VIEW_PARTS:
                column, written = f"{info.name}_{part}", f"{info.headers[0]}_{part}"
                headers[column] = (written, *VIEW_SPELLINGS.get(column, ()))
    return headers


# Record field -> header spellings (after normalising: lowercase, runs of other characters
# turned into "_"). The first spelling is the one `export csv` writes.
HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "actors": {info.name: info.headers for info in ACTOR_FIELDS},
    "dramas": {**{info.name: info.headers for info in DRAMA_FIELDS}, "cast": ("cast",)},
    "scenes": _scene_headers(),
}
# Columns `export csv` writes that describe the scene's drama rather than the scene: read
# back, they are ignored (the drama record holds them).
DERIVED = {"scenes": ("network", "year")}
# Fields whose cell holds a list ("; "-separated): the declared ones by their value type.
LIST_VALUES = ("names", "tags", "sources")
LIST_FIELDS = {
    "actors": {info.name for info in ACTOR_FIELDS if info.value in LIST_VALUES},
    "dramas": {"cast", *(info.name for info in DRAMA_FIELDS if info.value in LIST_VALUES)},
    "scenes": {info.name for info in FIELDS if info.value in LIST_VALUES},
}


def normalise_header(text: str) -> str:
    # Letters of any script count (Korean headers such as 제목 are common).
    return re.sub(r"[\W_]+", "_", text.casefold()).strip("_")


@dataclass
class Column:
    index: int  # 0-based position in the row
    header: str  # as written in the file

    def describe(self) -> str:
        return f"column {self.index + 1} ({self.header})"


def detect_section(normalised: list[str]) -> str | None:
    present = set(normalised)
    if present & set(HEADERS["scenes"]["kind"]):
        return "scenes"
    if present & set(HEADERS["dramas"]["title"]):
        return "dramas"
    if present & set(HEADERS["actors"]["name"]):
        return "actors"
    return None


SKIP = "-"


def parse_mapping(values: Iterable[str]) -> dict[str, str]:
    """`COLUMN=FIELD` pairs (as typed after `--map`): FIELD `-` or empty skips the column."""
    mapping: dict[str, str] = {}
    for value in values:
        column, sep, target = value.rpartition("=")
        if not sep or not column.strip():
            raise UsageError(
                f"--map {value!r} is not COLUMN=FIELD",
                hint='e.g. --map "drama_name=title", or --map "Genres=-" to skip a column',
            )
        key = normalise_header(column)
        if key in mapping:
            raise UsageError(f"--map gives column {column.strip()!r} twice")
        mapping[key] = normalise_header(target) or SKIP
    return mapping


def map_header(
    header: list[str], path: str, mapping: Mapping[str, str] | None = None
) -> tuple[str, dict[str, Column]]:
    """Which records the file holds, and where each record field is.

    `mapping` (normalised column -> field, or SKIP) overrides the built-in spellings.
    """
    normalised = [normalise_header(h) for h in header]
    wanted = dict(mapping or {})
    for key in wanted:
        if key not in normalised:
            raise CatalogueFileError(
                f"a mapping names column {key!r}, which the header does not have",
                file=path,
                line=1,
                hint=f"the columns are: {', '.join(h.strip() for h in header)}",
            )
    targets = [wanted.get(norm, norm) for norm in normalised]
    section = detect_section([t for t in targets if t != SKIP])
    if section is None:
        raise CatalogueFileError(
            "cannot tell whether this file holds actors, dramas or scenes",
            file=path,
            line=1,
            hint="scenes need drama, kind and title columns; dramas a title column; "
            "actors a name column (or map yours with --map COLUMN=FIELD)",
        )
    spelling = {s: f for f, spellings in HEADERS[section].items() for s in spellings}
    known = ", ".join(spellings[0] for spellings in HEADERS[section].values())
    fields: dict[str, Column] = {}
    for index, (raw, norm, target) in enumerate(zip(header, normalised, targets, strict=True)):
        column = Column(index, raw.strip() or f"#{index + 1}")
        if target == SKIP:
            continue
        if not norm:
            raise CatalogueFileError(
                "the header cell is empty", file=path, line=1, field=column.describe()
            )
        if norm in DERIVED.get(section, ()) and norm not in wanted:
            continue
        name = spelling.get(target)
        if name is None:
            mapped = f" (mapped to {target!r})" if norm in wanted else ""
            raise CatalogueFileError(
                f"unknown column for {section}{mapped}",
                file=path,
                line=1,
                field=column.describe(),
                hint=f"known columns: {known}; map others with --map 'COLUMN=FIELD' or "
                "skip them with --map 'COLUMN=-'",
            )
        if name in fields:
            raise CatalogueFileError(
                f"means the same as {fields[name].describe()}",
                file=path,
                line=1,
                field=column.describe(),
            )
        fields[name] = column
    return section, fields


def _split_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def row_record(section: str, fields: dict[str, Column], row: list[str]) -> dict[str, Any]:
    """A CSV row as a format-1 record (values still raw text; the parsers judge them)."""
    record: dict[str, Any] = {}
    lists = LIST_FIELDS[section]
    for name, column in fields.items():
        # The export's formula guard undone: `'=x` was written for `=x`, `''=x` for `'=x`.
        text = unguard_cell(row[column.index].strip()) if column.index < len(row) else ""
        if not text:
            continue
        record[name] = _split_list(text) if name in lists else text
    if section == "scenes":
        for name in VIEW_FIELDS:
            _view_of_row(record, name)
        for name in SOURCE_FIELDS:
            _sources_of_row(record, name)
    return record


def _sources_of_row(record: dict[str, Any], name: str) -> None:
    """A sources cell's links as source records, each with the moment written after it
    (`https://youtu.be/ID (1:23-1:41)`, as `export csv` writes it)."""
    if name not in record:
        return
    items = []
    for i, text in enumerate(record[name]):
        try:
            items.append(moments.from_cell_item(text))
        except InvalidInput as exc:
            raise FieldError(f"row.{name}[{i}]", exc.message) from None
    record[name] = items


def _view_of_row(record: dict[str, Any], name: str) -> None:
    """A row's views count and the date and source beside it as the field's one view."""
    count = record.pop(name, None)
    parts = {part: record.pop(f"{name}_{part}", None) for part in VIEW_PARTS}
    if count is not None:
        record[name] = [{"count": count} | {k: v for k, v in parts.items() if v is not None}]
        return
    for part, value in parts.items():
        if value is not None:
            raise FieldError(f"row.{name}_{part}", "needs a views count in the same row")


def _column_of(section: str, fields: dict[str, Column], error_path: str) -> Column | None:
    """The column a parser's error path (`row.views[0].on`, `row.cast[2].actor`) points at."""
    parts = re.findall(r"[A-Za-z_]+", error_path)
    if len(parts) < 2:
        return None
    name = parts[1]
    if section == "scenes" and name in VIEW_FIELDS and len(parts) > 2 and parts[2] != "count":
        name = f"views_{parts[2]}"
    return fields.get(name)


def _delimiter(first_line: str) -> str:
    # Spreadsheets in many locales save `;`-separated "CSV"; some tools write tabs.
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")) + 1


def import_csv(
    conn: sqlite3.Connection,
    path: Path,
    progress: Callable[[int, int], None] | None = None,
    *,
    mapping: Mapping[str, str] | None = None,
) -> ImportReport:
    """Import actors, dramas or scenes from a CSV file, all or nothing (the caller's
    transaction), with the same rules as YAML import. `mapping` (from `parse_mapping`)
    names or skips columns the built-in spellings do not know."""
    where = str(path)
    total_lines = _count_lines(path) if progress else 0
    line = 1  # the line the record being read starts on, for errors
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as handle:
            first = handle.readline()
            if not first.strip():
                raise CatalogueFileError(
                    "no header row (the first line names the columns)", file=where, line=1
                )
            handle.seek(0)  # the utf-8-sig decoder skips a byte-order mark again
            reader = csv.reader(handle, delimiter=_delimiter(first), strict=True)
            header = next(reader)
            section, fields = map_header(header, where, mapping)
            importer = RecordImporter(conn)
            line = reader.line_num + 1
            for row in reader:
                start, line = line, reader.line_num + 1
                if not any(cell.strip() for cell in row):
                    continue
                _import_row(importer, section, fields, header, row, where, start)
                if progress and importer.report.seen[section] % 500 == 0:
                    progress(reader.line_num, total_lines)
            return importer.finish()
    except UnicodeDecodeError:
        raise CatalogueFileError(
            "not UTF-8 text", file=where, line=line, hint="save the spreadsheet as CSV UTF-8"
        ) from None
    except csv.Error as exc:
        raise CatalogueFileError(f"not valid CSV: {exc}", file=where, line=line) from None


def _import_row(
    importer: RecordImporter,
    section: str,
    fields: dict[str, Column],
    header: list[str],
    row: list[str],
    where: str,
    line: int,
) -> None:
    if len(row) > len(header):
        raise CatalogueFileError(
            f"{len(row)} cells but the header has {len(header)} columns",
            file=where,
            line=line,
            hint="a cell holding the separator needs double quotes around it",
        )
    try:
        record = row_record(section, fields, row)
        if section == "scenes" and "key" not in record:
            _derive_key(importer.conn, record)
        importer.apply(section, record, "row")
    except FieldError as exc:
        column = _column_of(section, fields, exc.path)
        raise CatalogueFileError(
            exc.reason,
            file=where,
            line=line,
            field=column.describe() if column else None,
            hint=exc.hint,
        ) from None
    except CatalogueFileError:
        raise
    except ScenecatError as exc:
        raise CatalogueFileError(exc.message, file=where, line=line, hint=exc.hint) from None


def _derive_key(conn: sqlite3.Connection, record: dict[str, Any]) -> None:
    """Give a row without a key the key its scene gets when first added, so that importing
    the same spreadsheet again updates those scenes instead of adding them twice. Rows whose
    drama or episode do not read are left alone: the parsers report them."""
    from scenecat.domain.catalogue import scene_key
    from scenecat.domain.names import resolve_drama
    from scenecat.storage import dramas as drama_store
    from scenecat.text import nfc

    if "drama" not in record or "title" not in record:
        return
    episode_text = str(record.get("episode", "")).replace(",", "").strip()
    if episode_text and not episode_text.isdigit():
        return
    try:
        drama = drama_store.get_drama(conn, resolve_drama(conn, record["drama"])).title
    except ScenecatError:
        return
    title = " ".join(nfc(record["title"]).split())
    record["key"] = scene_key(drama, int(episode_text) if episode_text else None, title)
