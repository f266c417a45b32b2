"""The catalogue as format-1 records: the plain dicts a catalogue file holds, read back
from the database, one section at a time (actors, dramas, scenes, votes, duels, and the reader's watch
progress, domain/progress.py).

Export writes them (domain/exporting), import compares a record before and after it is
applied (domain/importing), and `edit` opens one in $EDITOR (domain/editing.py); the parsers
that read such records back are in domain/records.py.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from operator import attrgetter
from typing import Any

from scenecat.domain.records import drop_empty
from scenecat.fields import ACTOR_FIELDS, DRAMA_FIELDS, FieldInfo
from scenecat.scene_fields import BY_NAME, EXPORT_ORDER, Source, source_values
from scenecat.storage import actors as actor_store
from scenecat.storage import dramas as drama_store
from scenecat.storage import scenes, source_ids, votes_duels
from scenecat.text import format_clock

SECTIONS = ("actors", "dramas", "scenes", "votes", "duels", "progress")
# The `"type"` of each section's records in JSON Lines (and the word for one record).
RECORD_TYPES = {section: section[:-1] for section in SECTIONS[:-1]} | {"progress": "progress"}
# Sections a file leaves out when the catalogue has none of them (so that the files of
# catalogues without watch progress are what they were before it existed).
OPTIONAL_SECTIONS = ("progress",)


def _declared(record: Any, declared: tuple[FieldInfo, ...]) -> dict[str, Any]:
    """A stored actor's or drama's declared fields, as its record's first keys (their values
    are written as they are)."""
    return {f.name: getattr(record, f.name) for f in declared}


def actor_record(conn: sqlite3.Connection, actor_id: int) -> dict[str, Any]:
    return drop_empty(_declared(actor_store.get_actor(conn, actor_id), ACTOR_FIELDS))


def record_of(conn: sqlite3.Connection, section: str, record_id: int) -> dict[str, Any] | None:
    """The format-1 record of an actor, drama or scene by id (None if there is none)."""
    if section == "actors":
        return actor_record(conn, record_id) if actor_store.actor_exists(conn, record_id) else None
    if section == "dramas":
        return drama_record(conn, record_id) if drama_store.drama_exists(conn, record_id) else None
    found = scenes.scenes_by_ids(conn, [record_id])
    return scene_record(found[0]) if found else None


# The sections stream: records are read a page at a time (the next page starts after the
# last name, title or key read, in the index's order), votes and duels straight off a cursor,
# so an export holds a page, never the catalogue (issue 27: a list of 3M votes took 1 GiB).
PAGE = 2_000


def actor_records(conn: sqlite3.Connection, page: int = PAGE) -> Iterator[dict[str, Any]]:
    after = None
    while found := actor_store.actors_after(conn, after, page):
        ids = source_ids.ids_of_many(conn, "actor", [actor.id for actor in found])
        for actor in found:
            yield drop_empty({**_declared(actor, ACTOR_FIELDS), "ids": ids.get(actor.id)})
        after = found[-1].name


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
            **_declared(drama, DRAMA_FIELDS),
            "cast": cast,
            "episode_list": episodes,
            "ids": source_ids.ids_of(conn, "drama", drama_id) or None,
        }
    )


def drama_records(conn: sqlite3.Connection, page: int = PAGE) -> Iterator[dict[str, Any]]:
    after = None
    while found := drama_store.ids_after_title(conn, after, page):
        for drama_id, _ in found:
            yield drama_record(conn, drama_id)
        after = found[-1][1]


def _sub_records(items: list[Any]) -> list[dict[str, Any]]:
    # Views and sources are flat dataclasses: their attributes are the sub-record's keys.
    return [drop_empty(vars(item)) for item in items]


def source_records(sources: list[Source]) -> list[dict[str, Any]]:
    """A scene's sources as format-1 records: a link's moment written as clocks ("1:23")."""
    return [drop_empty(source_values(source)) for source in sources]


def _spoiler_value(level: str) -> str | None:
    return None if level == "none" else level


# How a format-1 record writes each value type; a type not named here is written as it is.
_RECORD_VALUES: dict[str, Callable[[Any], Any]] = {
    "clock": format_clock,
    "spoiler": _spoiler_value,
    "views": _sub_records,
    "sources": source_records,
}
# The record's keys in order, read in one call, and the fields whose value is rewritten:
# a JSON Lines export writes every scene through scene_record.
_RECORD_KEYS = ("key", "drama", *EXPORT_ORDER)
_read_record = attrgetter(*_RECORD_KEYS)
_RECORD_WRITERS = tuple(
    (name, _RECORD_VALUES[BY_NAME[name].value])
    for name in EXPORT_ORDER
    if BY_NAME[name].value in _RECORD_VALUES
)


def scene_record(scene: Any) -> dict[str, Any]:
    record = dict(zip(_RECORD_KEYS, _read_record(scene), strict=True))
    for name, write in _RECORD_WRITERS:
        record[name] = write(record[name])
    return drop_empty(record)


def scene_records(conn: sqlite3.Connection, page: int = PAGE) -> Iterator[dict[str, Any]]:
    after = None
    while found := scenes.ids_after_key(conn, after, page):
        for scene in scenes.scenes_by_ids(conn, [scene_id for scene_id, _ in found]):
            yield scene_record(scene)
        after = found[-1][1]


# Votes and duels are most of a big catalogue's records: one with every value set (the
# usual) is written as it is, without drop_empty's pass over it.


def vote_records(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    for scene, score, voter, on in votes_duels.iter_votes(conn):
        record = {"scene": scene, "score": score, "voter": voter, "on": on}
        yield record if voter and on else drop_empty(record)


def duel_records(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    for winner, loser, voter, on in votes_duels.iter_duels(conn):
        record = {"winner": winner, "loser": loser, "voter": voter, "on": on}
        yield record if voter and on else drop_empty(record)


def progress_records(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    from scenecat.domain.progress import progress_records as records

    yield from records(conn)


SECTION_RECORDS: dict[str, Callable[[sqlite3.Connection], Iterator[dict[str, Any]]]] = {
    "actors": actor_records,
    "dramas": drama_records,
    "scenes": scene_records,
    "votes": vote_records,
    "duels": duel_records,
    "progress": progress_records,
}
