"""`edit`: a record is fetched as a format-1 mapping, changed (by flags or in $EDITOR) and
written back whole, all or nothing."""

from __future__ import annotations

import sqlite3
from typing import Any

from scenecat import yamlio
from scenecat.domain import catalogue, exchange, names
from scenecat.domain.records import FieldError, parse_actor, parse_drama, parse_scene
from scenecat.errors import InvalidInput
from scenecat.storage import people, scenes

KINDS = ("actor", "drama", "scene")


def fetch(conn: sqlite3.Connection, what: str, name: str) -> tuple[int, dict[str, Any]]:
    if what == "actor":
        actor_id = names.resolve_actor(conn, name)
        actor = people.get_actor(conn, actor_id)
        record = {
            "name": actor.name,
            "native": actor.native,
            "aliases": actor.aliases,
            "born": actor.born,
        }
        return actor_id, record
    if what == "drama":
        drama_id = names.resolve_drama(conn, name)
        return drama_id, exchange.drama_record(conn, drama_id)
    scene_id = names.resolve_scene(conn, name)
    return scene_id, exchange.scene_record(scenes.scenes_by_ids(conn, [scene_id])[0])


def check(what: str, record: Any) -> None:
    """Raise FieldError when `record` is malformed, whatever the catalogue holds."""
    {"actor": parse_actor, "drama": parse_drama, "scene": parse_scene}[what](record, what)


def replace(conn: sqlite3.Connection, what: str, record_id: int, record: Any) -> catalogue.Outcome:
    if what == "actor":
        return catalogue.apply_actor(conn, parse_actor(record, what), "replace", actor_id=record_id)
    if what == "drama":
        return catalogue.apply_drama(conn, parse_drama(record, what), "replace", drama_id=record_id)
    return catalogue.apply_scene(conn, parse_scene(record, what), "replace", scene_id=record_id)


def apply_flags(record: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    updated = dict(record)
    for key, value in changes.items():
        if value is None:
            continue
        updated[key] = None if value == "" else value
    return updated


def to_yaml(what: str, record: dict[str, Any]) -> str:
    header = (
        f"# Edit this {what} and save; close without saving to cancel.\n"
        "# Lines starting with # are ignored. The whole record is applied, or nothing.\n"
    )
    body = yamlio.dump(record)
    return header + body


def from_yaml(text: str) -> dict[str, Any]:
    import yaml

    try:
        data = yamlio.load(text)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise InvalidInput(f"edited text is not valid YAML (line {line}: {exc.problem})") from None
    if not isinstance(data, dict):
        raise InvalidInput("edited text must be one mapping of fields")
    return data


def field_message(exc: FieldError) -> str:
    return f"{exc.path.split('.', 1)[-1]}: {exc.reason}"
