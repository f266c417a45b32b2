"""Import of a format-1 JSON Lines catalogue (one record a line): errors name the file,
the line and the field. Into an empty catalogue, vote lines in the export's own shape skip
the decoder (_VOTE_LINE, BulkImporter.vote_lines)."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scenecat.domain.format1 import RECORD_TYPES
from scenecat.domain.importing.bulk_importer import BulkImporter
from scenecat.domain.importing.report import INDEX_STAGE, Importer, ImportReport
from scenecat.domain.importing.runner import run_import
from scenecat.domain.records import FORMAT, FieldError
from scenecat.errors import CatalogueFileError


def import_jsonl(
    conn: sqlite3.Connection,
    path: Path,
    progress: Callable[..., None] | None = None,
    *,
    fast: bool | None = None,
) -> ImportReport:
    return run_import(conn, lambda importer: _read_jsonl(importer, path, progress), fast)


# A vote line exactly as `export jsonl` writes it (most of a big file's lines): its values are
# cut out by this pattern instead of decoded, for the bulk importer (BulkImporter.vote_lines).
# Only what decodes to the very same values is taken: the scene a slug, the score a whole
# number 1-10, the voter any text without escapes, quotes or control characters (JSON text
# as it is), the day as ISO digits (whether it is a real past day is vote_lines' check).
# Anything else (another key order, spacing, a float score) is decoded as any line is.
_VOTE_LINE = re.compile(
    r'\{"type": "vote", "scene": "([a-z0-9-]+)", "score": (10|[1-9])'
    r'(?:, "voter": "([^"\\\x00-\x1f]*)")?(?:, "on": "([0-9]{4}-[0-9]{2}-[0-9]{2})")?\}\n?'
).fullmatch
_VOTE_START = '{"type": "vote", '


class DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object naming a key twice is an error, never "the last one wins" (the
    object_pairs_hook of every JSON scenecat reads: import files and saved provider answers)."""
    record = dict(pairs)
    if len(record) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    return record


def _read_jsonl(
    importer: Importer, path: Path, progress: Callable[..., None] | None
) -> ImportReport:
    kinds = {kind: section for section, kind in RECORD_TYPES.items()}
    seen = importer.report.seen
    total = path.stat().st_size
    name = str(path)
    # one decoder for the file: json.loads(..., object_pairs_hook=) would build one a line
    loads = json.JSONDecoder(object_pairs_hook=unique_keys).decode
    apply = importer.apply
    vote_lines = importer.vote_lines if isinstance(importer, BulkImporter) else None
    try:
        with path.open("r", encoding="utf-8") as handle:

            def tick() -> None:
                # The byte position of the read-ahead buffer: close enough for a bar.
                progress(min(handle.buffer.tell(), total), total)  # type: ignore[attr-defined,misc]

            lines = enumerate(handle, start=1)
            for number, line in lines:
                if vote_lines is not None and number > 1 and line.startswith(_VOTE_START):
                    # A run of vote lines (a big file has them all in one): taken by the
                    # importer up to the first it does not take, which goes on below.
                    left = vote_lines(number, line, lines, _VOTE_LINE, tick if progress else None)
                    if left is None:
                        break
                    number, line = left
                if not line.strip():
                    continue
                try:
                    record = loads(line)
                except json.JSONDecodeError as exc:
                    raise CatalogueFileError(
                        f"not valid JSON: {exc.msg}", file=name, line=number
                    ) from None
                except DuplicateKey as exc:
                    raise CatalogueFileError(
                        f"the key {exc.key!r} appears twice in one JSON object",
                        file=name,
                        line=number,
                    ) from None
                except RecursionError:
                    raise CatalogueFileError(
                        "the JSON is nested too deeply to be a scenecat record",
                        file=name,
                        line=number,
                    ) from None
                except ValueError as exc:  # a number of more than 4,300 digits
                    raise CatalogueFileError(
                        f"not valid JSON: {str(exc).split(';')[0]}", file=name, line=number
                    ) from None
                if not isinstance(record, dict):
                    raise CatalogueFileError("expected a JSON object", file=name, line=number)
                if number == 1 or (not seen["actors"] and "format" in record):
                    if record != {"format": FORMAT}:
                        raise CatalogueFileError(
                            f'the first line must be {{"format": "{FORMAT}"}}',
                            file=name,
                            line=number,
                        )
                    continue
                kind = record.pop("type", None)
                section = kinds.get(kind) if isinstance(kind, str) else None
                if section is None:
                    raise CatalogueFileError(
                        f"type {kind!r} is not one of {', '.join(kinds)}",
                        file=name,
                        line=number,
                        field="type",
                    )
                try:
                    apply(section, record, kind)
                except FieldError as exc:
                    raise CatalogueFileError(
                        exc.reason, file=name, line=number, field=exc.path, hint=exc.hint
                    ) from None
                if progress and number % 2000 == 0:
                    tick()
    except UnicodeDecodeError:
        raise CatalogueFileError("not UTF-8 text", file=name) from None
    if progress:
        progress(total, total, INDEX_STAGE)
    return importer.finish()
