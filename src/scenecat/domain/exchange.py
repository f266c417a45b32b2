"""Whole-catalogue exchange: format 1 as YAML (one document) or JSON Lines (one record a line).

Import is all or nothing (one transaction), re-importing changes nothing, unknown keys are
errors, and every error names the file, the line and the field.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from scenecat import yamlio
from scenecat.domain import catalogue
from scenecat.domain.record_shortcuts import parse_duel, parse_scene, parse_vote
from scenecat.domain.records import FORMAT, FieldError, drop_empty, parse_actor, parse_drama
from scenecat.errors import CatalogueFileError, InvalidInput, UsageError
from scenecat.gcpause import paused_gc
from scenecat.storage import actors as actor_store
from scenecat.storage import dramas as drama_store
from scenecat.storage import scenes, search_index, signals, source_ids
from scenecat.text import format_clock, json_safe

SECTIONS = ("actors", "dramas", "scenes", "votes", "duels")
TOP_LEVEL = ("format", *SECTIONS)
# Exporters report progress every this many records (a report per record would cost more
# than the bar is worth).
PROGRESS_EVERY = 1_000
INDEX_STAGE = "Building the search index"


@dataclass
class ImportReport:
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    seen: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    warnings: list[str] = field(default_factory=list)
    # records that existed and now hold different values, and what changed in each
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())


def actor_record(conn: sqlite3.Connection, actor_id: int) -> dict[str, Any]:
    actor = actor_store.get_actor(conn, actor_id)
    return drop_empty(
        {"name": actor.name, "native": actor.native, "aliases": actor.aliases, "born": actor.born}
    )


def record_of(conn: sqlite3.Connection, section: str, record_id: int) -> dict[str, Any] | None:
    """The format-1 record of an actor, drama or scene by id (None if there is none)."""
    if section == "actors":
        return actor_record(conn, record_id) if actor_store.actor_exists(conn, record_id) else None
    if section == "dramas":
        return drama_record(conn, record_id) if drama_store.drama_exists(conn, record_id) else None
    found = scenes.scenes_by_ids(conn, [record_id])
    return scene_record(found[0]) if found else None


def _short(value: Any) -> str:
    text = repr(value)  # repr: quotes strings and escapes anything unprintable
    return text if len(text) <= 40 else text[:39] + "…"


def describe_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """`field: old -> new` for each field that differs (lists: items added and removed)."""
    found: list[str] = []
    for key in list(before) + [k for k in after if k not in before]:
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if isinstance(old, list) or isinstance(new, list):
            old_items, new_items = list(old or []), list(new or [])
            added = [x for x in new_items if x not in old_items]
            gone = [x for x in old_items if x not in new_items]
            parts = [f"+{_short(x)}" for x in added] + [f"-{_short(x)}" for x in gone]
            found.append(f"{key}: {' '.join(parts)}")
        else:
            found.append(f"{key}: {_short(old)} -> {_short(new)}")
    return found


# Export


def actor_records(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    for actor, _, _ in actor_store.list_actors(conn):
        yield drop_empty(
            {
                "name": actor.name,
                "native": actor.native,
                "aliases": actor.aliases,
                "born": actor.born,
                "ids": source_ids.ids_of(conn, "actor", actor.id) or None,
            }
        )


def drama_record(conn: sqlite3.Connection, drama_id: int) -> dict[str, Any]:
    drama = drama_store.get_drama(conn, drama_id)
    cast = [
        drop_empty(
            {"actor": c.actor, "character": c.character, "role": c.role, "billing": c.billing}
        )
        for c in drama_store.credits(conn, drama_id=drama_id)
    ]
    episodes = [
        drop_empty({"number": e.number, "aired": e.aired, "title": e.title, "rating": e.rating})
        for e in drama_store.list_episodes(conn, drama_id=drama_id)
    ]
    return drop_empty(
        {
            "title": drama.title,
            "native": drama.native,
            "aliases": drama.aliases,
            "network": drama.network,
            "country": drama.country,
            "year": drama.year,
            "episodes": drama.episodes,
            "synopsis": drama.synopsis,
            "cast": cast,
            "episode_list": episodes,
            "ids": source_ids.ids_of(conn, "drama", drama_id) or None,
        }
    )


def drama_records(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    ids = drama_store.ids_in_title_order(conn)
    for drama_id in ids:
        yield drama_record(conn, drama_id)


def scene_record(scene: Any) -> dict[str, Any]:
    return drop_empty(
        {
            "key": scene.key,
            "drama": scene.drama,
            "episode": scene.episode,
            "kind": scene.kind,
            "title": scene.title,
            "actors": scene.actors,
            "spoiler": scene.spoiler if scene.spoiler != "none" else None,
            "tags": scene.tags,
            "at": format_clock(scene.start_s),
            "end": format_clock(scene.end_s),
            "location": scene.location,
            "description": scene.description,
            "views": [
                drop_empty({"count": v.count, "on": v.on, "source": v.source}) for v in scene.views
            ],
            "sources": [
                drop_empty(
                    {
                        "url": s.url,
                        "title": s.title,
                        "publisher": s.publisher,
                        "kind": s.kind,
                        "published": s.published,
                    }
                )
                for s in scene.sources
            ],
        }
    )


def scene_records(conn: sqlite3.Connection, batch: int = 2_000) -> Iterator[dict[str, Any]]:
    ids = scenes.ids_in_key_order(conn)
    for start in range(0, len(ids), batch):
        for scene in scenes.scenes_by_ids(conn, ids[start : start + batch]):
            yield scene_record(scene)


def vote_records(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    for vote in signals.all_votes(conn):
        yield drop_empty(
            {"scene": vote.scene, "score": vote.score, "voter": vote.voter, "on": vote.on}
        )


def duel_records(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    for duel in signals.all_duels(conn):
        yield drop_empty(
            {"winner": duel.winner, "loser": duel.loser, "voter": duel.voter, "on": duel.on}
        )


SECTION_RECORDS: dict[str, Callable[[sqlite3.Connection], Iterator[dict[str, Any]]]] = {
    "actors": actor_records,
    "dramas": drama_records,
    "scenes": scene_records,
    "votes": vote_records,
    "duels": duel_records,
}


_DATE_KEYS = ("on", "aired", "published")


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
    out.write(f"format: {FORMAT}\n")
    count = 0
    for section in SECTIONS:
        records = SECTION_RECORDS[section](conn)
        first = next(records, None)
        if first is None:
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
    out.write(json.dumps({"format": FORMAT}) + "\n")
    count = 0
    for section in SECTIONS:
        kind = section[:-1]
        for record in SECTION_RECORDS[section](conn):
            out.write(json_safe(json.dumps({"type": kind, **record}, ensure_ascii=False)) + "\n")
            count += 1
            if progress and count % PROGRESS_EVERY == 0:
                progress(count)
    if progress:
        progress(count)
    return count


def _chain(first: dict[str, Any], rest: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    yield first
    yield from rest


# Import

PARSERS: dict[str, Callable[[Any, str], Any]] = {
    "actors": parse_actor,
    "dramas": parse_drama,
    "scenes": parse_scene,
    "votes": parse_vote,
    "duels": parse_duel,
}


class _Importer:
    """Applies parsed records in file order inside the caller's transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.report = ImportReport()
        self.touched_scenes: list[int] = []
        self.keys_in_file: set[str] = set()
        self.names_in_file: dict[str, set[str]] = {"actors": set(), "dramas": set()}

    def _existing(self, section: str, rec: Any) -> int | None:
        if section == "actors":
            found = actor_store.actor_ids_by_name(self.conn, rec.name)
        elif section == "dramas":
            found = drama_store.drama_ids_by_title(self.conn, rec.title)
        elif section == "scenes" and rec.key:
            found = scenes.scene_ids_by_key(self.conn, rec.key)
        else:
            return None
        return found[0] if found else None

    def apply(self, section: str, raw: Any, path: str) -> None:
        rec = PARSERS[section](raw, path)
        self.report.seen[section] += 1
        # A record already in the catalogue is compared before and after, so the report
        # can say what an import changed (and `import --dry-run` list it).
        existing = self._existing(section, rec)
        before = record_of(self.conn, section, existing) if existing is not None else None
        if section in ("actors", "dramas"):
            name = rec.name if section == "actors" else rec.title
            if name in self.names_in_file[section]:
                what = "actor" if section == "actors" else "drama"
                raise FieldError(
                    f"{path}.{'name' if section == 'actors' else 'title'}",
                    f"{what} {name!r} is listed twice in this file",
                )
            self.names_in_file[section].add(name)
        if section == "actors":
            outcome = catalogue.apply_actor(self.conn, rec, "import")
        elif section == "dramas":
            outcome = catalogue.apply_drama(self.conn, rec, "import", path=path)
        elif section == "scenes":
            if rec.key:
                if rec.key in self.keys_in_file:
                    raise FieldError(f"{path}.key", f"duplicate scene key {rec.key!r} in this file")
                self.keys_in_file.add(rec.key)
            outcome = catalogue.apply_scene(
                self.conn, rec, "import", path=path, refresh_index=False
            )
            self.touched_scenes.append(outcome.id)
        elif section == "votes":
            outcome = catalogue.apply_vote(self.conn, rec, path)
        else:
            outcome = catalogue.apply_duel(self.conn, rec, path)
        if outcome.created:
            self.report.created[section] += 1
        elif before is not None:
            after = record_of(self.conn, section, outcome.id)
            differences = describe_changes(before, after or {})
            if differences:
                self.report.updated[section] += 1
                what = section[:-1]
                self.report.changes.append(f"{what} {outcome.name}: " + "; ".join(differences))
        self.report.warnings.extend(f"{path}: {w}" for w in outcome.warnings)

    def finish(self) -> ImportReport:
        if len(self.touched_scenes) > search_index.REBUILD_THRESHOLD:
            search_index.rebuild(self.conn)
        else:
            search_index.refresh(self.conn, self.touched_scenes)
        return self.report


def load_yaml_document(path: Path) -> Any:
    import yaml

    try:
        with path.open("rb") as handle, paused_gc():
            return yamlio.load(handle)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        problem = exc.problem or "malformed YAML"
        raise CatalogueFileError(f"not valid YAML: {problem}", file=str(path), line=line) from None
    except yaml.YAMLError as exc:
        raise CatalogueFileError(f"not valid YAML: {exc}", file=str(path)) from None
    except UnicodeDecodeError:
        raise CatalogueFileError("not UTF-8 text", file=str(path)) from None
    except RecursionError:
        raise CatalogueFileError("the YAML is nested too deeply", file=str(path)) from None
    except ValueError as exc:  # a number of more than 4,300 digits
        raise CatalogueFileError(
            f"not valid YAML: {str(exc).split(';')[0]}", file=str(path)
        ) from None


def yaml_line_of(path: Path, record_path: str) -> int | None:
    """The 1-based line of `record_path` (e.g. `scenes[3].episode`) in a YAML file."""
    import re

    import yaml

    try:
        with path.open("rb") as handle:
            node = yamlio.compose(handle)
    except yaml.YAMLError:
        return None
    line = None
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", record_path):
        if node is None:
            break
        if name and isinstance(node, yaml.MappingNode):
            match = next((kv for kv in node.value if kv[0].value == name), None)
            if match is None:
                break
            line = match[0].start_mark.line + 1
            node = match[1]
            if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
                line = node.start_mark.line + 1
        elif index and isinstance(node, yaml.SequenceNode):
            position = int(index)
            if position >= len(node.value):
                break
            node = node.value[position]
            line = node.start_mark.line + 1
        else:
            break
    return line


def import_yaml(
    conn: sqlite3.Connection,
    path: Path,
    progress: Callable[..., None] | None = None,
    *,
    fast: bool | None = None,
) -> ImportReport:
    if progress:
        progress(0, 0, f"Reading {path.name}")
    document = load_yaml_document(path)
    if not isinstance(document, dict):
        raise CatalogueFileError(
            "expected a scenecat catalogue (a mapping with format: scenecat/1)",
            file=str(path),
            line=1,
        )

    def run(importer: Any) -> ImportReport:
        try:
            _check_top_level(document)
            total = sum(len(document.get(s) or []) for s in SECTIONS)
            done = 0
            if progress:
                progress(0, total, f"Importing {path.name}")
            for section in SECTIONS:
                items = document.get(section) or []
                if not isinstance(items, list):
                    raise FieldError(section, "expected a list")
                for i, raw in enumerate(items):
                    importer.apply(section, raw, f"{section}[{i}]")
                    done += 1
                    if progress and done % 500 == 0:
                        progress(done, total)
            if progress:
                progress(total, total, INDEX_STAGE)
            return importer.finish()  # type: ignore[no-any-return]
        except FieldError as exc:
            raise CatalogueFileError(
                exc.reason,
                file=str(path),
                line=yaml_line_of(path, exc.path),
                field=exc.path,
                hint=exc.hint,
            ) from None

    return _run_import(conn, run, fast)


def _run_import(
    conn: sqlite3.Connection, run: Callable[[Any], ImportReport], fast: bool | None
) -> ImportReport:
    """Import with the bulk path into a fresh catalogue, record by record otherwise
    (`fast=False` forces record by record; `fast=None` chooses).

    Both give the same catalogue, report and errors (tests/test_bulk_import.py); the bulk
    path runs inside a savepoint so that the rare file it does not model can start over on
    the record-by-record path within the same transaction.
    """
    from scenecat.storage import bulk, changelog
    from scenecat.storage.connection import savepoint

    if fast is not False and bulk.is_fresh(conn):
        from scenecat.domain.bulk_import import BulkImporter, NeedsSlowPath

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
    return run(_Importer(conn))


def _check_top_level(document: dict[str, Any]) -> None:
    for key in document:
        if key not in TOP_LEVEL:
            raise FieldError(str(key), "unknown section", hint=f"known: {', '.join(TOP_LEVEL)}")
    if document.get("format") != FORMAT:
        raise FieldError(
            "format",
            f"expected {FORMAT!r}, got {document.get('format')!r}",
            hint=f"the first line of a catalogue file is `format: {FORMAT}`",
        )


def import_jsonl(
    conn: sqlite3.Connection,
    path: Path,
    progress: Callable[..., None] | None = None,
    *,
    fast: bool | None = None,
) -> ImportReport:
    return _run_import(conn, lambda importer: _read_jsonl(importer, path, progress), fast)


class DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object naming a key twice is an error, never "the last one wins"."""
    record = dict(pairs)
    if len(record) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    return record


def _read_jsonl(importer: Any, path: Path, progress: Callable[..., None] | None) -> ImportReport:
    kinds = {s[:-1]: s for s in SECTIONS}
    seen = importer.report.seen
    total = path.stat().st_size
    name = str(path)
    # one decoder for the file: json.loads(..., object_pairs_hook=) would build one a line
    loads = json.JSONDecoder(object_pairs_hook=_unique_keys).decode
    apply = importer.apply
    try:
        with path.open("r", encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
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
                    # The byte position of the read-ahead buffer: close enough for a bar.
                    progress(min(handle.buffer.tell(), total), total)  # type: ignore[attr-defined]
    except UnicodeDecodeError:
        raise CatalogueFileError("not UTF-8 text", file=name) from None
    if progress:
        progress(total, total, INDEX_STAGE)
    return importer.finish()  # type: ignore[no-any-return]


def import_file(
    conn: sqlite3.Connection,
    path: Path,
    progress: Callable[..., None] | None = None,
    *,
    fast: bool | None = None,
    mapping: Sequence[str] = (),
) -> ImportReport:
    """Import a catalogue file; into a fresh catalogue the bulk path is used unless
    `fast=False` (the results are the same, see domain/bulk_import.py). `mapping`
    ("COLUMN=FIELD", "COLUMN=-") names the columns of a CSV file."""
    if not path.is_file():
        raise InvalidInput(f"no file at {path}")
    suffix = path.suffix.lower()
    if mapping and suffix != ".csv":
        raise UsageError("--map is for .csv files", hint="YAML and JSON Lines name their fields")
    if suffix in (".yaml", ".yml"):
        return import_yaml(conn, path, progress, fast=fast)
    if suffix in (".jsonl", ".ndjson"):
        return import_jsonl(conn, path, progress, fast=fast)
    if suffix == ".csv":
        from scenecat.domain.tabular import import_csv, parse_mapping

        return import_csv(conn, path, progress, mapping=parse_mapping(mapping) if mapping else None)
    raise InvalidInput(
        f"cannot import {path.name}: unknown file type {suffix or '(none)'}",
        hint="use a .yaml catalogue (format 1), .jsonl (JSON Lines) or .csv",
    )


def dump_for_compare(conn: sqlite3.Connection) -> str:
    """The whole catalogue as text, to compare before and after a failed change."""
    import io

    buffer = io.StringIO()
    write_jsonl(conn, buffer)
    return buffer.getvalue()
