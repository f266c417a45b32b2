"""Scene sets as JSON or CSV (`export json`, `export csv`).

Export takes the same filters as `list scenes`/`export markdown` and streams the scenes in
batches. The CSV is meant to open in a spreadsheet: UTF-8, a header row, one row per scene,
list values (actors, tags, sources) joined with "; " (a link with the scene's moment in it
followed by the moment: `https://youtu.be/ID (1:23-1:41)`, domain/moments.py), and cells that a spreadsheet would run
as a formula (`=`, `+`, `-`, `@` first) prefixed with `'` (domain/importing/csv_file.py
strips it again: guard_cell and unguard_cell below are each other's inverse).
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Callable, Iterator
from typing import IO, Any

from scenecat.domain import browse
from scenecat.domain.moments import cell_item
from scenecat.domain.scope import Scope
from scenecat.models import Scene, ViewCount, latest_view
from scenecat.scene_fields import BY_NAME, EXPORT_ORDER, FieldInfo
from scenecat.storage import scenes as scene_store
from scenecat.text import format_clock, json_safe, visible_escapes

LIST_SEPARATOR = "; "
EXPORT_BATCH = 2_000
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"

# A field of view counts is written as its latest count and, in the columns after it
# (header + "_" + part: "views_on", "views_source"), that count's date and source.
VIEW_PARTS = ("on", "source")


def _latest_cells(views: list[ViewCount]) -> tuple[object, ...]:
    latest = latest_view(views)
    if latest is None:
        return (None,) * (1 + len(VIEW_PARTS))
    return (latest.count, *(getattr(latest, part) for part in VIEW_PARTS))


def _joined(values: list[str]) -> tuple[object, ...]:
    return (LIST_SEPARATOR.join(values),)


# How a CSV row writes each value type, as the cells of its columns; a type not named here
# is one cell holding the value as it is.
_CSV_VALUES: dict[str, Callable[[Any], tuple[object, ...]]] = {
    "clock": lambda seconds: (format_clock(seconds),),
    "names": _joined,
    "tags": _joined,
    "views": _latest_cells,
    # a link with a moment in it is followed by the moment: `https://youtu.be/ID (1:23-1:41)`
    "sources": lambda sources: (
        LIST_SEPARATOR.join(cell_item(s.url, s.start, s.end) for s in sources),
    ),
}
# (attribute, writer or None) per declared field, in export order.
_CSV_FIELDS = tuple((name, _CSV_VALUES.get(BY_NAME[name].value)) for name in EXPORT_ORDER)


def _columns(info: FieldInfo) -> tuple[str, ...]:
    header = info.headers[0]
    parts = VIEW_PARTS if info.value == "views" else ()
    return (header, *(f"{header}_{part}" for part in parts))


# The drama's network and year are CSV-only columns (import skips them: the drama holds them).
CSV_COLUMNS = (
    "key",
    "drama",
    "network",
    "year",
    *(column for name in EXPORT_ORDER for column in _columns(BY_NAME[name])),
)


def iter_scenes(
    conn: sqlite3.Connection,
    scope: Scope,
    limit: int | None = None,
    batch: int = EXPORT_BATCH,
) -> tuple[int, Iterator[Scene]]:
    """(how many scenes the export will hold, the scenes in batches, catalogue order)."""
    filt = browse.resolve_scope(conn, scope)
    browse.check_limit(limit)
    # Ids first, then full scenes batch by batch: OFFSET paging would rescan the skipped rows.
    ids = scene_store.scene_ids(conn, filt, limit=limit)

    def generate() -> Iterator[Scene]:
        for start in range(0, len(ids), batch):
            yield from scene_store.scenes_by_ids(conn, ids[start : start + batch])

    return len(ids), generate()


def guard_cell(text: str) -> str:
    """A cell a spreadsheet shows as text: `'` before a formula start. A text starting with
    `'` gets one more, so that reading back (unguard_cell) never takes the text's own."""
    if text.startswith((*FORMULA_START, GUARD)):
        return GUARD + text
    return text


def unguard_cell(text: str) -> str:
    """The text guard_cell was given: one `'` dropped where guard_cell adds one. A `'`
    before anything else is the text's own (`'Tis`) and stays."""
    if len(text) > 1 and text[0] == GUARD and text[1:].startswith((*FORMULA_START, GUARD)):
        return text[1:]
    return text


def _cell(value: object) -> str:
    if value is None:
        return ""
    # Nothing a terminal would act on is written out (text.UNSAFE), even from old data.
    return guard_cell(visible_escapes(str(value)))


def scene_row(scene: Scene) -> list[str]:
    values: list[object] = [scene.key, scene.drama, scene.network, scene.year]
    for name, write in _CSV_FIELDS:
        value = getattr(scene, name)
        if write is None:
            values.append(value)
        else:
            values.extend(write(value))
    return [_cell(v) for v in values]


def write_csv(
    conn: sqlite3.Connection,
    scope: Scope,
    out: IO[str],
    *,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the scenes of `scope` as CSV; returns the number of rows. `out` should be
    opened with newline="" (the csv module writes RFC 4180 CRLF line ends itself)."""
    total, found = iter_scenes(conn, scope, limit)
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for scene in found:
        writer.writerow(scene_row(scene))
        count += 1
        if progress and count % EXPORT_BATCH == 0:
            progress(count, total)
    return count


def write_json(
    conn: sqlite3.Connection,
    scope: Scope,
    out: IO[str],
    *,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """`{"data": [...], "meta": {...}}` as `--json` prints it, one scene a line."""
    total, found = iter_scenes(conn, scope, limit)
    out.write('{"data": [')
    count = 0
    for scene in found:
        out.write(",\n" if count else "\n")
        out.write(json_safe(json.dumps(browse.scene_json(scene), ensure_ascii=False)))
        count += 1
        if progress and count % EXPORT_BATCH == 0:
            progress(count, total)
    meta = {"count": count, "filters": _filters(scope, limit)}
    meta_text = json_safe(json.dumps(meta, ensure_ascii=False))
    out.write(("\n" if count else "") + '], "meta": ' + meta_text)
    out.write("}\n")
    return count


def _filters(scope: Scope, limit: int | None) -> dict[str, Any]:
    raw = {**scope.as_json(), "limit": limit}
    return {k: v for k, v in raw.items() if v not in (None, [])}
