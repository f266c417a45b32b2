"""Which sources to credit for what a page shows: the ones its dramas and actors have ids
from (TMDB's terms ask for its notice wherever its data is shown; docs/sources.md)."""

from __future__ import annotations

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


def article_credits(
    conn: sqlite3.Connection, context: dict[str, Any]
) -> list[dict[str, str | None]]:
    """The credits of an article: the sources of the dramas and actors its context shows."""
    from scenecat.domain.articles.entries import (
        ActorInfo,
        CastMember,
        DramaInfo,
        Entry,
        FilmCredit,
        Spotlight,
    )

    dramas: set[str] = set()
    actors: set[str] = set()
    stack: list[Any] = list(context.values())
    while stack:
        value = stack.pop()
        if isinstance(value, (list, tuple)):
            stack.extend(value)
        elif isinstance(value, Entry):
            dramas.add(value.drama)
            actors.update(value.actors)
        elif isinstance(value, Spotlight):
            stack.extend([value.entry, *value.related])
        elif isinstance(value, DramaInfo):
            dramas.add(value.title)
            stack.extend(value.cast)
        elif isinstance(value, CastMember):
            actors.add(value.actor)
        elif isinstance(value, ActorInfo):
            actors.add(value.name)
            stack.extend(value.filmography)
        elif isinstance(value, FilmCredit):
            dramas.add(value.drama)
    return credits_for(conn, dramas, actors)
