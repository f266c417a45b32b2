"""`edit`: a record is fetched as a format-1 mapping, changed (by flags or in $EDITOR) and
written back, all or nothing.

Only the fields the user named change: the record is read again inside the write
transaction and the user's changes are laid over that fresh copy, so a field another
process changed meanwhile (a concurrent `edit`, `alias`, `views`, ...) is kept.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from scenecat import yamlio
from scenecat.domain import catalogue, format1, names
from scenecat.domain.fast_parsers import parse_scene
from scenecat.domain.records import FieldError, parse_actor, parse_drama
from scenecat.errors import InvalidInput, NotFound
from scenecat.storage import actors as actor_store
from scenecat.storage import scenes

KINDS = ("actor", "drama", "scene")


def fetch(conn: sqlite3.Connection, what: str, name: str) -> tuple[int, dict[str, Any]]:
    if what == "actor":
        actor_id = names.resolve_actor(conn, name)
        actor = actor_store.get_actor(conn, actor_id)
        record = {
            "name": actor.name,
            "native": actor.native,
            "aliases": actor.aliases,
            "born": actor.born,
        }
        return actor_id, record
    if what == "drama":
        drama_id = names.resolve_drama(conn, name)
        return drama_id, format1.drama_record(conn, drama_id)
    scene_id = names.resolve_scene(conn, name)
    return scene_id, format1.scene_record(scenes.scenes_by_ids(conn, [scene_id])[0])


def check(what: str, record: Any) -> None:
    """Raise FieldError when `record` is malformed, whatever the catalogue holds."""
    {"actor": parse_actor, "drama": parse_drama, "scene": parse_scene}[what](record, what)


def fetch_by_id(conn: sqlite3.Connection, what: str, record_id: int) -> dict[str, Any]:
    """The record as it is now; NotFound when another process removed it meanwhile."""
    record = format1.record_of(conn, f"{what}s", record_id)
    if record is None:
        raise NotFound(f"the {what} was removed by another command while you were editing it")
    return record


def update(
    conn: sqlite3.Connection,
    what: str,
    record_id: int,
    changes: dict[str, Any],
    *,
    new_kind: bool | None = None,
) -> catalogue.Outcome:
    """Inside the caller's write transaction: the record as it is now, with only `changes`
    (field -> new value, None clears) laid over it, written back. A scene's kind changed to
    one no scene has is judged by kinds.check: `new_kind` True or False as --new-kind was
    given or not; None (in $EDITOR, nothing to confirm with): new kinds pass, near misses
    ("kis") do not."""
    current = fetch_by_id(conn, what, record_id)
    updated = dict(current)
    for key, value in changes.items():
        if isinstance(value, (_ListChange, MomentChange)):
            value = value.apply(list(current.get(key) or [])) or None
        if value is None:
            updated.pop(key, None)
        else:
            updated[key] = value
    # Compared as parsed records, so "2019" for 2019 or a re-ordered mapping is no change.
    after, before = _parsed(what, updated), _parsed(what, current)
    if after == before:
        raise Unchanged(what)
    if what == "scene" and after.kind != before.kind:
        from scenecat.domain import kinds

        allowed = new_kind is not False
        kinds.check(conn, after.kind, allow_new=allowed, allow_near=bool(new_kind))
    return replace(conn, what, record_id, updated)


class Unchanged(Exception):
    """An edit that leaves the record as it is: raised inside the write, so the transaction
    rolls back and the history records no change. Not an error: the CLI says "Nothing to
    change" and exits 0."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def _parsed(what: str, record: Any) -> Any:
    return {"actor": parse_actor, "drama": parse_drama, "scene": parse_scene}[what](record, what)


def update_named(
    conn: sqlite3.Connection,
    what: str,
    name: str,
    changes: dict[str, Any],
    *,
    new_kind: bool | None = None,
) -> catalogue.Outcome:
    """`update` for a record named by the user, resolved inside the transaction too."""
    record_id, _ = fetch(conn, what, name)
    return update(conn, what, record_id, changes, new_kind=new_kind)


def flag_changes(flags: dict[str, Any]) -> dict[str, Any]:
    """Command-line flags as changes: an absent flag (None) changes nothing, '' clears."""
    return {k: (None if v == "" else v) for k, v in flags.items() if v is not None}


def edited_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What the user changed in $EDITOR, as changes to lay over the record as it is when
    written: fields left as they were are not named, so concurrent changes to them stay.

    Lists merge item by item: items the user deleted go, items the user added come, and
    items someone else added meanwhile stay (`_ListChange`)."""
    changes: dict[str, Any] = {}
    for key in before.keys() | after.keys():
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if isinstance(old, list) or isinstance(new, list):
            # an empty list is left out of the record: absent and [] are the same
            changes[key] = _ListChange(old or [], new or [])
        else:
            changes[key] = new
    return changes


class _ListChange:
    """A list edited from `old` to `new`, applied to the list as it is now."""

    def __init__(self, old: list[Any], new: list[Any]) -> None:
        self.old, self.new = old, new

    def apply(self, current: list[Any]) -> list[Any]:
        if current == self.old:
            return self.new  # nobody else changed it: keep the user's order too
        old_keys = [_item_key(x) for x in self.old]
        new_keys = [_item_key(x) for x in self.new]
        removed = set(old_keys) - set(new_keys)
        kept = [x for x in current if _item_key(x) not in removed]
        have = {_item_key(x) for x in kept}
        added = [x for x, k in zip(self.new, new_keys, strict=True) if k not in have]
        return kept + added


class MomentChange:
    """A scene's moment in one of its clips changed (`edit scene --clip-start/--clip-end`),
    applied to the scene's sources as they are inside the write: the link `url` names (any
    spelling of the same video), or the scene's one clip. A time None is left as it is, ""
    clears it."""

    def __init__(self, url: str | None, start: int | str | None, end: int | str | None) -> None:
        self.url, self.start, self.end = url, start, end

    def apply(self, current: list[Any]) -> list[Any]:
        from scenecat.domain import moments
        from scenecat.sources.videos import clip_key

        if self.url is not None:
            wanted = clip_key(self.url)
            found = [i for i, s in enumerate(current) if clip_key(_url(s)) == wanted]
            if not found:
                raise InvalidInput(
                    f"{self.url} is not a link of this scene",
                    hint="its links are in `scenecat show scene KEY`; add one in $EDITOR "
                    "(`scenecat edit scene KEY`, sources:)",
                )
        else:
            found = [
                i
                for i, s in enumerate(current)
                if moments.is_clip(_url(s), s.get("kind") if isinstance(s, dict) else None)
            ]
            if not found:
                raise InvalidInput(
                    "the scene has no clip to set a moment in",
                    hint="add its clip in $EDITOR (`scenecat edit scene KEY`, sources:)",
                )
            if len(found) > 1:
                raise InvalidInput(
                    f"the scene has {len(found)} clips; name one with --clip URL",
                    hint="its links are in `scenecat show scene KEY`",
                )
        index = found[0]
        link = dict(current[index]) if isinstance(current[index], dict) else {"url": current[index]}
        for name, value in (("start", self.start), ("end", self.end)):
            if value == "":
                link.pop(name, None)
            elif value is not None:
                link[name] = value
        return [*current[:index], link, *current[index + 1 :]]


def _url(source: Any) -> str:
    return str(source.get("url", "")) if isinstance(source, dict) else str(source)


def _item_key(item: Any) -> str:
    import json

    return json.dumps(item, sort_keys=True, default=str, ensure_ascii=False)


def replace(conn: sqlite3.Connection, what: str, record_id: int, record: Any) -> catalogue.Outcome:
    if what == "actor":
        return catalogue.apply_actor(conn, parse_actor(record, what), "replace", actor_id=record_id)
    if what == "drama":
        return catalogue.apply_drama(conn, parse_drama(record, what), "replace", drama_id=record_id)
    return catalogue.apply_scene(conn, parse_scene(record, what), "replace", scene_id=record_id)


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
    except RecursionError:
        raise InvalidInput("edited text is nested too deeply") from None
    except ValueError as exc:  # a number of more than 4,300 digits
        raise InvalidInput(f"edited text is not valid YAML ({str(exc).split(';')[0]})") from None
    if not isinstance(data, dict):
        raise InvalidInput("edited text must be one mapping of fields")
    return data


def field_message(exc: FieldError) -> str:
    return f"{exc.path.split('.', 1)[-1]}: {exc.reason}"
