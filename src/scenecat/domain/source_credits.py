"""Which sources to credit for what a page shows: the ones its dramas and actors have ids
from (TMDB's terms ask for its notice wherever its data is shown; docs/sources.md)."""

from __future__ import annotations

import dataclasses
import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import attrgetter
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
    plans = _PLANS
    while stack:
        value = stack.pop()
        if isinstance(value, (list, tuple)):
            stack.extend(value)
            continue
        kind = type(value)
        plan = plans[kind] if kind in plans else _plan(kind)
        if plan is None or id(value) in seen:
            continue
        seen.add(id(value))
        values = plan.read(value)
        for i in plan.dramas:
            if isinstance(values[i], str):
                dramas.add(values[i])
        for i in plan.actors:
            if isinstance(values[i], str):
                actors.add(values[i])
        if plan.actor_lists >= 0:
            actors.update(a for a in values[plan.actor_lists] or () if isinstance(a, str))
        for i in plan.nested:
            v = values[i]
            if isinstance(v, (list, tuple)):
                stack.extend(v)
            else:
                kind = type(v)
                if (plans[kind] if kind in plans else _plan(kind)) is not None:
                    stack.append(v)
    return credits_for(conn, dramas, actors)


@dataclass(frozen=True)
class _Plan:
    """How the walk reads one record type: its field values at once, and by position the
    fields that name dramas and actors and those that may hold records."""

    read: Callable[[Any], tuple[Any, ...]]
    dramas: tuple[int, ...]  # `drama`, and `title` beside an `episode_list`
    actors: tuple[int, ...]  # `actor`, and `name` beside a `filmography`
    actor_lists: int  # `actors`, or -1
    nested: tuple[int, ...]  # fields whose declared type may hold a record or a list of them


#: Words of a declared type that hold no record: a field declared with these alone (``str |
#: None``, ``list[str]``, ``dict[str, int]``) is not looked into. Anything else (a record
#: type, ``Any``, ``object``) is, by its value.
_PLAIN = frozenset({"str", "int", "float", "bool", "None", "list", "tuple", "dict", "set"})

_WORD = re.compile(r"\w+")

_PLANS: dict[type, _Plan | None] = {}


def _plan(cls: type) -> _Plan | None:
    """The plan of a record type (None for anything else and for records with nothing to
    credit nor look into), made once per type: a 10,000-scene article has 40,000 records."""
    if cls in _PLANS:
        return _PLANS[cls]
    names = _field_names(cls)
    plan = None
    if names:
        declared = dict(zip(names, (f.type for f in dataclasses.fields(cls)), strict=True))
        nested = [
            name
            for name, kind in declared.items()
            if not isinstance(kind, str) or not set(_WORD.findall(kind)) <= _PLAIN
        ]
        dramas = ["drama"] if "drama" in declared else []
        actors = ["actor"] if "actor" in declared else []
        if "episode_list" in declared and "title" in declared:
            dramas.append("title")
        if "filmography" in declared and "name" in declared:
            actors.append("name")
        lists = ["actors"] if "actors" in declared else []
        # Only the fields the walk uses are read: an article's entry has 35, of which it
        # needs three (half the walk's time went on reading the other 32).
        read = list(dict.fromkeys([*dramas, *actors, *lists, *nested]))
        if read:
            where = {name: i for i, name in enumerate(read)}
            getter = attrgetter(*read)
            plan = _Plan(
                (lambda value: (getter(value),)) if len(read) == 1 else getter,
                tuple(where[n] for n in dramas),
                tuple(where[n] for n in actors),
                where[lists[0]] if lists else -1,
                tuple(where[n] for n in nested),
            )
    _PLANS[cls] = plan
    return plan


_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(cls: type) -> tuple[str, ...] | None:
    """The field names of a dataclass (None for any other type, a dataclass's class itself
    included): asked once per type, not once per record (a 10,000-scene article has 40,000
    records; dataclasses.fields and is_dataclass per record took most of the walk)."""
    if cls not in _NAMES:
        is_record = dataclasses.is_dataclass(cls)
        _NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls)) if is_record else None
    return _NAMES[cls]
