"""Which sources to credit for what a page shows: the ones its dramas and actors have ids
from (TMDB's terms ask for its notice wherever its data is shown; docs/sources.md)."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterable
from typing import Any

from scenecat.sources.attribution import attributions
from scenecat.storage import source_ids


def credits_for(
    conn: sqlite3.Connection, dramas: Iterable[str] = (), actors: Iterable[str] = ()
) -> list[dict[str, str | None]]:
    """The credits (name, notice, url) for dramas and actors named as the catalogue has them."""
    found = source_ids.sources_of(conn, dramas, actors)
    return [{"name": a.name, "notice": a.notice, "url": a.url} for a in attributions(found)]


def catalogue_credits(conn: sqlite3.Connection) -> list[dict[str, str | None]]:
    """The credits (name, notice, url) of every source the catalogue holds facts from (the
    website's home page)."""
    found = attributions(source_ids.sources_in_use(conn))
    return [{"name": a.name, "notice": a.notice, "url": a.url} for a in found]


def article_credits(
    conn: sqlite3.Connection, context: dict[str, Any]
) -> list[dict[str, str | None]]:
    """The credits of an article: the sources of the dramas and actors its context shows.

    The context's records are walked by their fields (articles/entries.py), so a record a
    new template brings is read too: a `drama` field names a drama, `actor` and `actors`
    fields actors, and a record with an `episode_list` (a drama) or a `filmography` (an
    actor) is named by its `title` or `name`."""
    dramas: set[str] = set()
    actors: set[str] = set()
    stack: list[Any] = list(context.values())
    seen: set[int] = set()
    while stack:
        value = stack.pop()
        if isinstance(value, (list, tuple)):
            stack.extend(value)
            continue
        names = _field_names(type(value))
        if names is None or id(value) in seen:
            continue
        seen.add(id(value))
        fields = {name: getattr(value, name) for name in names}
        if isinstance(fields.get("drama"), str):
            dramas.add(fields["drama"])
        if isinstance(fields.get("actor"), str):
            actors.add(fields["actor"])
        actors.update(a for a in fields.get("actors") or () if isinstance(a, str))
        if "episode_list" in fields and isinstance(fields.get("title"), str):
            dramas.add(fields["title"])
        if "filmography" in fields and isinstance(fields.get("name"), str):
            actors.add(fields["name"])
        stack.extend(
            v
            for v in fields.values()
            if isinstance(v, (list, tuple)) or _field_names(type(v)) is not None
        )
    return credits_for(conn, dramas, actors)


_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(cls: type) -> tuple[str, ...] | None:
    """The field names of a dataclass (None for any other type, a dataclass's class itself
    included): asked once per type, not once per record (a 10,000-scene article has 40,000
    records; dataclasses.fields and is_dataclass per record took most of the walk)."""
    if cls not in _NAMES:
        is_record = dataclasses.is_dataclass(cls)
        _NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls)) if is_record else None
    return _NAMES[cls]
