"""Scenes from clips: guessing a clip's drama and episode against the catalogue, and the
clips whose view counts `views refresh` reads again."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from scenecat.domain.browse import resolve_scope
from scenecat.domain.catalogue import record_view
from scenecat.domain.scope import Scope
from scenecat.sources.videos import ClipInfo, DramaNames, Guess, guess
from scenecat.storage import clip_queries, scenes


def guess_scene(conn: sqlite3.Connection, clip: ClipInfo) -> Guess:
    dramas = [
        DramaNames(drama_id, title, tuple(names), aired, episodes)
        for drama_id, title, names, episodes, aired in clip_queries.drama_names(conn)
    ]
    return guess(clip, dramas)


@dataclass
class ClipScene:
    """What a clip tells about a scene: the drama and episode guessed, and the clip as the
    scene's source record (format 1)."""

    guess: Guess
    source: dict[str, object]


def clip_scene(conn: sqlite3.Connection, clip: ClipInfo, drama: str | None = None) -> ClipScene:
    """The guess for a clip, and the clip as a source for `drama` (the user's) or the
    guessed one: an official clip when its channel names the drama's network (tvN's upload
    of a tvN drama), published on the day of the upload in the drama's country."""
    from scenecat.domain.names import resolve_drama
    from scenecat.errors import ScenecatError
    from scenecat.storage.dramas import get_drama

    found = guess_scene(conn, clip)
    drama_id = found.drama.id if found.drama else None
    if drama is not None:
        try:
            drama_id = resolve_drama(conn, drama)
        except ScenecatError:  # add-scene says so itself, with its own hint
            drama_id = None
    record = get_drama(conn, drama_id) if drama_id is not None else None
    network, country = (record.network, record.country) if record else (None, None)
    return ClipScene(found, clip_source(clip, network, country))


def clip_source(
    clip: ClipInfo, network: str | None, country: str | None = None
) -> dict[str, object]:
    source: dict[str, object] = {"url": clip.url}
    if clip.title:
        source["title"] = clip.title
    if clip.channel:
        source["publisher"] = clip.channel
        if network and network.lower() in clip.channel.lower():
            source["kind"] = "official-clip"
    published = clip.upload_day(country)
    if published:
        source["published"] = published
    return source


@dataclass
class ClipLink:
    scene_id: int
    key: str
    url: str
    last_seen: str | None


def clip_links(
    conn: sqlite3.Connection, scope: Scope, older_than_days: int | None, today: dt.date
) -> list[ClipLink]:
    """The clip links of the scenes in scope, those last counted more than N days ago (or
    never) when `older_than_days` is given."""
    ids = scenes.scene_ids(conn, resolve_scope(conn, scope))
    links = [ClipLink(*row) for row in clip_queries.clip_links(conn, ids)]
    if older_than_days is None:
        return links
    cutoff = (today - dt.timedelta(days=older_than_days)).isoformat()
    return [link for link in links if link.last_seen is None or link.last_seen <= cutoff]


def linked_now(conn: sqlite3.Connection, links: Sequence[ClipLink]) -> set[tuple[int, str]]:
    """Which of `links` (scene id, clip URL) are in the catalogue now."""
    ids = sorted({link.scene_id for link in links})
    return {(row[0], row[2]) for row in clip_queries.clip_links(conn, ids)}


def record_clip_views(
    conn: sqlite3.Connection, link: ClipLink, clip: ClipInfo, today: dt.date
) -> tuple[bool, str | None]:
    """A new dated snapshot from the clip; (False, None), writing nothing, when the count is
    the one last recorded from this clip."""
    if clip.views is None:
        raise ValueError("the clip shows no view count")
    on = clip.observed or today.isoformat()
    if clip_queries.latest_count(conn, link.scene_id, link.url) == clip.views:
        return False, None
    warning = record_view(conn, link.scene_id, clip.views, on, link.url)
    return True, warning
