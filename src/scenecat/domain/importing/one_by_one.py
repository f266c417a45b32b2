"""The record-by-record import path: each record parsed and written through the same
functions as `add-*` and `edit` (domain/catalogue.py), and compared before and after, so
that the report can say what changed. Any catalogue, any file."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from scenecat.domain import catalogue, progress
from scenecat.domain.fast_parsers import parse_duel, parse_scene, parse_vote
from scenecat.domain.format1 import record_of
from scenecat.domain.importing.report import ImportReport
from scenecat.domain.records import FieldError, parse_actor, parse_drama
from scenecat.storage import actors as actor_store
from scenecat.storage import dramas as drama_store
from scenecat.storage import scenes, search_index

PARSERS: dict[str, Callable[[Any, str], Any]] = {
    "actors": parse_actor,
    "dramas": parse_drama,
    "scenes": parse_scene,
    "votes": parse_vote,
    "duels": parse_duel,
    "progress": progress.parse_progress,
}


class RecordImporter:
    """Applies parsed records in file order inside the caller's transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.report = ImportReport()
        self.touched_scenes: list[int] = []
        self.keys_in_file: set[str] = set()
        self.names_in_file: dict[str, set[str]] = {"actors": set(), "dramas": set()}
        self.progress_dramas: set[int] = set()

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
        if section == "progress":
            self._progress(rec, path)
            return
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

    def _progress(self, rec: progress.ProgressRec, path: str) -> None:
        change = progress.apply_record(self.conn, rec, path)
        assert change.after is not None  # an import record always leaves a row
        drama_id = change.after.drama_id
        if drama_id in self.progress_dramas:
            raise FieldError(f"{path}.drama", f"progress in {change.drama} is listed twice")
        self.progress_dramas.add(drama_id)
        if change.before is None:
            self.report.created["progress"] += 1
        elif change.changed:
            self.report.updated["progress"] += 1
            self.report.changes.append(
                f"progress {change.drama}: {progress.describe(change.before)} -> "
                f"{progress.describe(change.after)}"
            )

    def finish(self) -> ImportReport:
        if len(self.touched_scenes) > search_index.REBUILD_THRESHOLD:
            search_index.rebuild(self.conn)
        else:
            search_index.refresh(self.conn, self.touched_scenes)
        return self.report


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
