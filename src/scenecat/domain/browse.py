"""Reading the catalogue: listings, single records, and their JSON-ready shapes."""

from __future__ import annotations

import copy
import re
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scenecat.domain.scope import Scope
from scenecat.errors import UsageError
from scenecat.fields import ACTOR_FIELDS, DRAMA_FIELDS, json_order
from scenecat.models import SPOILER_LEVELS, ViewCount, latest_view
from scenecat.scene_fields import BY_NAME, FIELDS, SHOW_ORDER, FieldInfo, Source, source_values
from scenecat.storage import scenes
from scenecat.storage.scenes import SceneFilter
from scenecat.text import format_clock

if TYPE_CHECKING:
    from scenecat.domain.moments import Watch
    from scenecat.models import Actor, Credit, Drama, Episode, Scene

# Name resolution, the actor and drama tables and the signals are imported by the functions
# that use them: an unfiltered `list scenes` needs none of them (start-up time).

MAX_LIMIT = 100_000


def parse_year_range(text: str) -> tuple[int, int]:
    """'2019' or '2016..2020' (either end may be open)."""
    match = re.fullmatch(r"\s*(\d{4})?\s*(\.\.)?\s*(\d{4})?\s*", text)
    if (
        not match
        or not (match.group(1) or match.group(3))
        or (not match.group(2) and match.group(3))
    ):
        raise UsageError(f"year {text!r} is not YYYY or YYYY..YYYY", hint="e.g. --year 2016..2020")
    low = int(match.group(1)) if match.group(1) else 0
    high = int(match.group(3)) if match.group(3) else (9999 if match.group(2) else low)
    if low > high:
        raise UsageError(f"year range {text!r} is empty (the start is after the end)")
    return low, high


def resolve_scope(conn: sqlite3.Connection, scope: Scope) -> SceneFilter:
    max_spoiler = None
    if scope.spoiler is not None:
        level = scope.spoiler.strip().lower()
        if level not in SPOILER_LEVELS:
            # `--spoiler hide` is most likely `--spoilers hide` (your progress) mistyped.
            confused = level in ("show", "hide", "warn")
            raise UsageError(
                f"spoiler level {scope.spoiler!r} is not one of {', '.join(SPOILER_LEVELS)}",
                hint=f"--spoilers {level} (with an s) says what to do with scenes past "
                "your progress"
                if confused
                else None,
            )
        max_spoiler = SPOILER_LEVELS.index(level)
    if scope.episode is not None and scope.episode < 1:
        raise UsageError(f"episode {scope.episode} does not exist; episodes start at 1")
    actor_ids: tuple[int, ...] = ()
    drama_id = None
    if scope.actors or scope.drama:
        from scenecat.domain import names

        actor_ids = tuple(names.resolve_actor(conn, a) for a in scope.actors)
        drama_id = names.resolve_drama(conn, scope.drama) if scope.drama else None
    return SceneFilter(
        actor_ids=actor_ids,
        drama_id=drama_id,
        kind=scope.kind.strip().lower() if scope.kind else None,
        network=scope.network.strip() if scope.network else None,
        year=parse_year_range(scope.year) if scope.year else None,
        episode=scope.episode,
        max_spoiler=max_spoiler,
        tag=scope.tag.strip().lower() if scope.tag else None,
        equals=filter_columns(scope.fields),
    )


def filter_columns(fields: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """(column, value) of the declared filter fields a scope names, values trimmed; a blank
    value narrows nothing, as a blank kind or tag does."""
    from scenecat.scene_fields import BY_NAME

    columns = []
    for name, value in fields:
        info = BY_NAME.get(name)
        if info is None or not info.filter or info.column is None:
            raise UsageError(f"scenes cannot be filtered by {name!r}")
        if value.strip():
            columns.append((info.column, value.strip()))
    return tuple(columns)


def check_limit(limit: int | None) -> int | None:
    if limit is not None and not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"--limit must be between 1 and {MAX_LIMIT:,}")
    return limit


def list_scenes(
    conn: sqlite3.Connection, scope: Scope, limit: int | None
) -> tuple[list[Scene], bool]:
    """Scenes in scope, and whether more match beyond `limit`.

    One extra row is fetched instead of counting every match, which on a catalogue of a
    million scenes would cost more than the listing itself.
    """
    filt = resolve_scope(conn, scope)
    check_limit(limit)
    found = scenes.list_scenes(conn, filt, limit=None if limit is None else limit + 1)
    more = limit is not None and len(found) > limit
    return (found[:limit] if more else found), more


def list_actors(
    conn: sqlite3.Connection, drama: str | None, limit: int | None
) -> list[tuple[Actor, int, int]]:
    from scenecat.domain import names
    from scenecat.storage import actors as actor_store

    drama_id = names.resolve_drama(conn, drama) if drama else None
    return actor_store.list_actors(conn, drama_id=drama_id, limit=check_limit(limit))


def list_dramas(
    conn: sqlite3.Connection,
    actor: str | None,
    network: str | None,
    year: str | None,
    limit: int | None,
) -> list[tuple[Drama, int]]:
    from scenecat.domain import names
    from scenecat.storage import dramas as drama_store

    actor_id = names.resolve_actor(conn, actor) if actor else None
    years = parse_year_range(year) if year else None
    return drama_store.list_dramas(
        conn, actor_id=actor_id, network=network, year=years, limit=check_limit(limit)
    )


def list_episodes(conn: sqlite3.Connection, drama: str | None, limit: int | None) -> list[Episode]:
    from scenecat.domain import names
    from scenecat.storage import dramas as drama_store

    drama_id = names.resolve_drama(conn, drama) if drama else None
    return drama_store.list_episodes(conn, drama_id=drama_id, limit=check_limit(limit))


# Pages are plain classes: they are shown, never compared, printed whole or copied, and a
# dataclass's generated methods would be compiled by every command that imports browse
# (`rank` among them). Each field is declared once, as its __init__ parameter.
class ActorPage:
    """What `show actor` shows: the actor, their credits and how many scenes they are in."""

    def __init__(
        self,
        actor: Actor,
        credits: list[Credit],
        scene_count: int,
        ids: dict[str, str] | None = None,  # outside sources' ids
    ) -> None:
        self.actor = actor
        self.credits = credits
        self.scene_count = scene_count
        self.ids = {} if ids is None else ids


class DramaPage:
    """What `show drama` shows: the drama, its cast, episodes and scenes."""

    def __init__(
        self,
        drama: Drama,
        credits: list[Credit],
        episodes: list[Episode],
        scenes: list[Scene],
        ids: dict[str, str] | None = None,  # outside sources' ids
    ) -> None:
        self.drama = drama
        self.credits = credits
        self.episodes = episodes
        self.scenes = scenes
        self.ids = {} if ids is None else ids


class ScenePage:
    """What `show scene` shows: the scene, its votes and its duel record."""

    def __init__(
        self,
        scene: Scene,
        votes: list[tuple[str, int, str | None]],
        mean_vote: float | None,
        duels_won: int,
        duels_lost: int,
    ) -> None:
        self.scene = scene
        self.votes = votes
        self.mean_vote = mean_vote
        self.duels_won = duels_won
        self.duels_lost = duels_lost


def show_actor(conn: sqlite3.Connection, name: str) -> ActorPage:
    from scenecat.domain import names
    from scenecat.storage import actors as actor_store
    from scenecat.storage import dramas as drama_store
    from scenecat.storage import source_ids

    actor_id = names.resolve_actor(conn, name)
    return ActorPage(
        actor_store.get_actor(conn, actor_id),
        drama_store.credits(conn, actor_id=actor_id),
        actor_store.count_actor_scenes(conn, actor_id),
        source_ids.ids_of(conn, "actor", actor_id),
    )


def show_drama(conn: sqlite3.Connection, title: str) -> DramaPage:
    from scenecat.domain import names
    from scenecat.storage import dramas as drama_store
    from scenecat.storage import source_ids

    drama_id = names.resolve_drama(conn, title)
    return DramaPage(
        drama_store.get_drama(conn, drama_id),
        drama_store.credits(conn, drama_id=drama_id),
        drama_store.list_episodes(conn, drama_id=drama_id),
        scenes.list_scenes(conn, SceneFilter(drama_id=drama_id)),
        source_ids.ids_of(conn, "drama", drama_id),
    )


def show_scene(conn: sqlite3.Connection, key: str) -> ScenePage:
    from scenecat.domain import names
    from scenecat.storage import votes_duels

    scene_id = names.resolve_scene(conn, key)
    scene = scenes.scenes_by_ids(conn, [scene_id])[0]
    votes = votes_duels.scene_votes(conn, scene_id)
    won, lost = votes_duels.duel_record(conn, scene_id)
    mean = sum(v[1] for v in votes) / len(votes) if votes else None
    return ScenePage(scene, votes, mean, won, lost)


def scene_watch(conn: sqlite3.Connection, key: str) -> tuple[Scene, Watch | None]:
    """A scene and the link to watch it on, from its moment (`scenecat open`)."""
    from scenecat.domain import moments, names

    scene = scenes.scenes_by_ids(conn, [names.resolve_scene(conn, key)])[0]
    return scene, moments.watch(scene.sources)


# JSON shapes: stable field names, ids and keys included.


def _records(items: list[Any]) -> list[dict[str, Any]]:
    # Views and sources are flat dataclasses: a copy of their attributes is asdict's answer.
    return [dict(vars(item)) for item in items]


def _latest_record(views: list[ViewCount]) -> dict[str, Any] | None:
    latest = latest_view(views)
    return dict(vars(latest)) if latest else None


def _sources(sources: list[Source]) -> list[dict[str, Any]]:
    return [source_values(source) for source in sources]


# How `--json` writes each value type; a type not named here is written as it is.
_JSON_VALUES: dict[str, Callable[[Any], Any]] = {
    "clock": format_clock,
    "views": _records,
    "sources": _sources,
}


def _json_fields() -> tuple[tuple[str, str, Callable[[Any], Any] | None], ...]:
    """(JSON name, attribute, writer or None) per declared field in declaration order; a
    field of view counts is followed by its latest count (`latest_views`)."""
    layout: list[tuple[str, str, Callable[[Any], Any] | None]] = []
    for info in FIELDS:
        layout.append((info.name, info.name, _JSON_VALUES.get(info.value)))
        if info.value == "views":
            layout.append((f"latest_{info.name}", info.name, _latest_record))
    return tuple(layout)


_JSON_FIELDS = _json_fields()


def scene_json(scene: Scene) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": scene.id,
        "key": scene.key,
        "drama": scene.drama,
        "drama_id": scene.drama_id,
        "network": scene.network,
        "year": scene.year,
    }
    for key, name, write in _JSON_FIELDS:
        value = getattr(scene, name)
        data[key] = value if write is None else write(value)
    return data


# How `show scene` writes each value type; a type not named here is shown as it is (a list
# as its items joined by the output layer).
_SHOWN_VALUES: dict[str, Callable[[Any], Any]] = {"clock": format_clock}


def shown_value(scene: Scene, info: FieldInfo) -> Any:
    """A declared field's value as `show scene` and articles write it."""
    value = getattr(scene, info.name)
    write = _SHOWN_VALUES.get(info.value)
    return value if write is None else write(value)


def scene_lines(scene: Scene) -> list[tuple[str, object]]:
    """The `show scene` lines of the declared fields: (label, value) in SHOW_ORDER."""
    return [(BY_NAME[name].show or name, shown_value(scene, BY_NAME[name])) for name in SHOW_ORDER]


def _lines(record: Actor | Drama, declared: tuple[FieldInfo, ...]) -> list[tuple[str, object]]:
    return [(f.show, getattr(record, f.name)) for f in declared if f.show]


def actor_lines(actor: Actor) -> list[tuple[str, object]]:
    """The `show actor` lines of the declared fields: (label, value) in declaration order."""
    return _lines(actor, ACTOR_FIELDS)


def drama_lines(drama: Drama) -> list[tuple[str, object]]:
    """The `show drama` lines of the declared fields: (label, value) in declaration order."""
    return _lines(drama, DRAMA_FIELDS)


def _declared_json(record: Actor | Drama, declared: tuple[FieldInfo, ...]) -> dict[str, Any]:
    # a copy, as asdict() gave: the caller may add to the lists
    values = {f.name: copy.deepcopy(getattr(record, f.name)) for f in json_order(declared)}
    return {"id": record.id, **values}


def actor_json(
    actor: Actor, credits: int | None = None, scene_count: int | None = None
) -> dict[str, Any]:
    data = _declared_json(actor, ACTOR_FIELDS)
    if credits is not None:
        data["dramas"] = credits
    if scene_count is not None:
        data["scenes"] = scene_count
    return data


def drama_json(drama: Drama, scene_count: int | None = None) -> dict[str, Any]:
    data = _declared_json(drama, DRAMA_FIELDS)
    if scene_count is not None:
        data["scenes"] = scene_count
    return data
