"""Scene sets as JSON or CSV (`export json`, `export csv`).

Export takes the same filters as `list scenes`/`export markdown` and streams the scenes in
batches. The CSV is meant to open in a spreadsheet: UTF-8, a header row, one row per scene,
list values (actors, tags, sources) joined with "; ", and cells that a spreadsheet would run
as a formula (`=`, `+`, `-`, `@` first) prefixed with `'` (domain/importing/csv_file.py
strips it again).
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Callable, Iterator
from typing import IO, Any

from scenecat.domain import browse
from scenecat.domain.scope import Scope
from scenecat.models import Scene
from scenecat.storage import scenes as scene_store
from scenecat.text import format_clock, json_safe, visible_escapes

LIST_SEPARATOR = "; "
EXPORT_BATCH = 2_000
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

CSV_COLUMNS = (
    "key",
    "drama",
    "network",
    "year",
    "episode",
    "kind",
    "title",
    "actors",
    "spoiler",
    "tags",
    "at",
    "end",
    "location",
    "description",
    "views",
    "views_on",
    "views_source",
    "sources",
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


def _cell(value: object) -> str:
    if value is None:
        return ""
    # Nothing a terminal would act on is written out (text.UNSAFE), even from old data.
    text = visible_escapes(str(value))
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def scene_row(scene: Scene) -> list[str]:
    latest = scene.latest_views
    values: list[object] = [
        scene.key,
        scene.drama,
        scene.network,
        scene.year,
        scene.episode,
        scene.kind,
        scene.title,
        LIST_SEPARATOR.join(scene.actors),
        scene.spoiler,
        LIST_SEPARATOR.join(scene.tags),
        format_clock(scene.at),
        format_clock(scene.end),
        scene.location,
        scene.description,
        latest.count if latest else None,
        latest.on if latest else None,
        latest.source if latest else None,
        LIST_SEPARATOR.join(s.url for s in scene.sources),
    ]
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
    raw = {
        "actors": list(scope.actors),
        "drama": scope.drama,
        "kind": scope.kind,
        "network": scope.network,
        "year": scope.year,
        "episode": scope.episode,
        "spoiler": scope.spoiler,
        "tag": scope.tag,
        "limit": limit,
    }
    return {k: v for k, v in raw.items() if v not in (None, [])}
