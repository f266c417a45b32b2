"""Writing to the catalogue: add, import-merge and replace records, aliases, merges, removal.

Every function here runs inside the caller's transaction (`Catalogue.write`), so a failure
anywhere leaves the catalogue as it was.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Literal

from scenecat.domain import names, write_rules
from scenecat.domain.records import (
    ActorRec,
    DramaRec,
    DuelRec,
    EpisodeRec,
    FieldError,
    SceneRec,
    VoteRec,
    check_duel,
)
from scenecat.errors import Conflict, InvalidInput, ScenecatError
from scenecat.fields import FieldInfo, column_row
from scenecat.models import Drama
from scenecat.scene_fields import COLUMN_FIELDS
from scenecat.storage import actors as actor_store
from scenecat.storage import dramas as drama_store
from scenecat.storage import scenes, search_index, votes_duels
from scenecat.text import counted, slugify

Mode = Literal["add", "import", "replace"]


@dataclass
class Outcome:
    """What a write did, for the CLI to report."""

    id: int
    name: str
    created: bool
    warnings: list[str] = field(default_factory=list)


# Actors


def apply_actor(
    conn: sqlite3.Connection,
    rec: ActorRec,
    mode: Mode,
    *,
    force: bool = False,
    actor_id: int | None = None,
) -> Outcome:
    existing = actor_store.actor_ids_by_name(conn, rec.name)
    if mode == "replace":
        assert actor_id is not None
        if existing and existing[0] != actor_id:
            raise Conflict(f"another actor is already called {rec.name!r}")
        actor_store.update_actor(conn, actor_id, **_stored_values(rec, actor_store.STORED))
        for alias in actor_store.get_actor(conn, actor_id).aliases:
            if alias not in rec.aliases:
                actor_store.remove_alias(conn, actor_id, alias)
        for alias in rec.aliases:
            actor_store.add_alias(conn, actor_id, alias)
        store_source_ids(conn, "actor", actor_id, rec.ids, "actor.ids", replace=True)
        search_index.refresh_for_actor(conn, actor_id)
        return Outcome(actor_id, rec.name, created=False)
    if existing:
        if mode == "add":
            raise Conflict(
                f"actor {rec.name!r} already exists",
                hint=f"change them with `scenecat edit actor {rec.name!r}`",
            )
        actor_id = existing[0]
        current = actor_store.get_actor(conn, actor_id)
        # An import adds what the record gives and the actor lacks or has otherwise.
        changes = {
            name: value
            for name, value in _stored_values(rec, actor_store.STORED).items()
            if value and value != getattr(current, name)
        }
        actor_store.update_actor(conn, actor_id, **changes)
        added = [actor_store.add_alias(conn, actor_id, alias) for alias in rec.aliases]
        store_source_ids(conn, "actor", actor_id, rec.ids, "actor.ids")
        if changes or any(added):
            search_index.refresh_for_actor(conn, actor_id)
        return Outcome(actor_id, rec.name, created=False)
    warnings: list[str] = []
    twins = names.key_collision(conn, rec.name)
    if twins and mode == "add" and not force:
        raise Conflict(
            f"{rec.name!r} looks like existing actor {', '.join(map(repr, twins))}",
            hint="if they are a different person, add again with --force; "
            "if the same, use `scenecat alias actor`",
        )
    if mode == "add" and not force and not twins:
        variants = names.romanisation_twins(conn, rec.name)
        if variants:
            raise Conflict(
                romanisation_message(rec.name, variants),
                hint="if they are a different person, add again with --force; if the same, "
                f"`scenecat alias actor {variants[0]!r} {rec.name!r}` makes the name find them",
            )
    if twins:
        warnings.append(write_rules.spelled_like(rec.name, twins))
    actor_id = actor_store.insert_actor(conn, _stored_values(rec, actor_store.STORED))
    for alias in rec.aliases:
        actor_store.add_alias(conn, actor_id, alias)
    store_source_ids(conn, "actor", actor_id, rec.ids, "actor.ids")
    return Outcome(actor_id, rec.name, created=True, warnings=warnings)


def romanisation_message(name: str, variants: list[str]) -> str:
    shown = " or ".join(map(repr, variants[:3]))
    return f"{name!r} looks like existing actor {shown} romanised another way"


def store_source_ids(
    conn: sqlite3.Connection,
    kind: str,
    record_id: int,
    ids: dict[str, str],
    path: str,
    *,
    replace: bool = False,
) -> None:
    """A record's ids in outside sources; an id another record holds is refused."""
    from scenecat.storage import source_ids

    if replace:
        for source in source_ids.ids_of(conn, kind, record_id).keys() - ids.keys():
            source_ids.remove_id(conn, kind, record_id, source)
    for source, ext_id in ids.items():
        owner = source_ids.record_with(conn, kind, source, ext_id)
        if owner is not None and owner != record_id:
            raise FieldError(
                f"{path}.{source}", f"{source} id {ext_id} already belongs to another {kind}"
            )
        source_ids.set_id(conn, kind, record_id, source, ext_id)


# Dramas


def _stored_values(rec: ActorRec | DramaRec, stored: tuple[FieldInfo, ...]) -> dict[str, object]:
    """The record's declared fields that its kind's table stores, by field name."""
    return {f.name: getattr(rec, f.name) for f in stored}


def _drama_values(rec: DramaRec) -> dict[str, object]:
    return _stored_values(rec, drama_store.STORED)


def apply_drama(
    conn: sqlite3.Connection,
    rec: DramaRec,
    mode: Mode,
    *,
    path: str = "drama",
    drama_id: int | None = None,
    force: bool = False,
) -> Outcome:
    """`force` (mode "add"): add the drama even when its title looks like another drama's
    (otherwise a Conflict naming it)."""
    existing = drama_store.drama_ids_by_title(conn, rec.title)
    created = False
    warnings: list[str] = []
    if mode == "replace":
        assert drama_id is not None
        if existing and existing[0] != drama_id:
            raise Conflict(f"another drama is already titled {rec.title!r}")
        drama_store.update_drama(conn, drama_id, _drama_values(rec))
        for alias in drama_store.get_drama(conn, drama_id).aliases:
            if alias not in rec.aliases:
                drama_store.remove_alias(conn, drama_id, alias)
        drama_store.delete_credits(conn, drama_id)
        kept = {e.number for e in rec.episode_list}
        for episode in drama_store.list_episodes(conn, drama_id=drama_id):
            if episode.number not in kept:
                drama_store.delete_episode(conn, drama_id, episode.number)
    elif existing:
        if mode == "add":
            raise Conflict(
                f"drama {rec.title!r} already exists",
                hint=f"change it with `scenecat edit drama {rec.title!r}`",
            )
        drama_id = existing[0]
        current = drama_store.get_drama(conn, drama_id)
        changes = {
            k: v
            for k, v in _drama_values(rec).items()
            if v is not None and getattr(current, k) != v
        }
        drama_store.update_drama(conn, drama_id, changes)
    else:
        twins = names.drama_key_collision(conn, rec.title)
        if twins and mode == "add" and not force:
            raise Conflict(
                f"{rec.title!r} looks like existing drama {', '.join(map(repr, twins))}",
                hint="if it is another drama, add again with --force; "
                "if the same, use `scenecat alias drama`",
            )
        if twins:
            warnings.append(write_rules.spelled_like(rec.title, twins))
        drama_id = drama_store.insert_drama(conn, _drama_values(rec))
        created = True
    if rec.episodes is not None:
        last = drama_store.max_scene_episode(conn, drama_id)
        if last is not None and last > rec.episodes:
            raise FieldError(
                f"{path}.episodes",
                f"{rec.episodes} episodes, but a scene is in episode {last}",
            )
    for alias in rec.aliases:
        drama_store.add_alias(conn, drama_id, alias)
    store_source_ids(conn, "drama", drama_id, rec.ids, f"{path}.ids", replace=mode == "replace")
    for i, cast in enumerate(rec.cast):
        try:
            actor_id = names.resolve_actor(conn, cast.actor)
        except ScenecatError as exc:
            raise FieldError(f"{path}.cast[{i}].actor", exc.message, exc.hint) from None
        drama_store.upsert_credit(conn, drama_id, actor_id, cast.character, cast.role, cast.billing)
    for listed in rec.episode_list:
        values: dict[str, object] = {
            "aired": listed.aired,
            "title": listed.title,
            "rating": listed.rating,
        }
        if mode != "replace":
            values = {k: v for k, v in values.items() if v is not None}
        drama_store.upsert_episode(conn, drama_id, listed.number, values)
    if not created:
        search_index.refresh_for_drama(conn, drama_id)
    return Outcome(drama_id, rec.title, created=created, warnings=warnings)


def apply_episode(conn: sqlite3.Connection, drama: str, rec: EpisodeRec) -> Outcome:
    """Add an episode's facts, or update the ones given."""
    drama_id = names.resolve_drama(conn, drama)
    check_episode(conn, drama_id, rec.number, "episode")
    values: dict[str, object] = {"aired": rec.aired, "title": rec.title, "rating": rec.rating}
    created = drama_store.upsert_episode(
        conn, drama_id, rec.number, {k: v for k, v in values.items() if v is not None}
    )
    return Outcome(drama_id, drama_store.get_drama(conn, drama_id).title, created=created)


def get_drama(conn: sqlite3.Connection, drama_id: int) -> Drama:
    return drama_store.get_drama(conn, drama_id)


def check_episode(conn: sqlite3.Connection, drama_id: int, number: int, path: str) -> None:
    drama = drama_store.get_drama(conn, drama_id)
    write_rules.check_episode_number(number, drama.title, drama.episodes, path)


# Scenes


def scene_key(drama_title: str, episode: int | None, title: str) -> str:
    parts = [slugify(drama_title)]
    if episode is not None:
        parts.append(f"e{episode}")
    parts.append(slugify(title) or "scene")
    return "-".join(p for p in parts if p)[:120].strip("-")


def _unique_key(conn: sqlite3.Connection, base: str) -> str:
    key, n = base, 1
    while scenes.key_exists(conn, key):
        n += 1
        key = f"{base}-{n}"
    return key


def likely_duplicate(
    conn: sqlite3.Connection, drama_id: int, rec: SceneRec, *, but: int | None = None
) -> tuple[str, str] | None:
    """(key, title) of a scene of the same drama and episode that `rec` near-duplicates
    (write_rules.same_scene: equal folded titles, or similar ones of the same kind); `but`
    leaves one scene (the record itself) out."""
    # Titles first (as if of one kind: equal or similar), then the kind of the few left.
    close = [
        (key, title)
        for key, title in scenes.keys_and_titles_in_episode(conn, drama_id, rec.episode)
        if write_rules.same_scene(rec.title, rec.kind, title, rec.kind)
    ]
    for key, title in close:
        scene_id = scenes.scene_ids_by_key(conn, key)[0]
        if scene_id == but:
            continue
        other = scenes.scenes_by_ids(conn, [scene_id])[0]
        if write_rules.same_scene(rec.title, rec.kind, title, other.kind):
            return key, title
    return None


def duplicate_message(drama: str, episode: int | None, twin: tuple[str, str]) -> str:
    where = f", episode {episode}," if episode is not None else ""
    return f"{drama}{where} already has {twin[1]!r} (key {twin[0]})"


def apply_scene(
    conn: sqlite3.Connection,
    rec: SceneRec,
    mode: Mode,
    *,
    path: str = "scene",
    scene_id: int | None = None,
    refresh_index: bool = True,
    force: bool | str = False,
    new_kind: bool | None = None,
) -> Outcome:
    """`force` (mode "add"): add the scene even when it near-duplicates one of the same
    drama and episode (likely_duplicate; otherwise a Conflict naming its key); a key: only
    when that scene is the one it duplicates (the one a person was asked about).
    `new_kind` (mode "add"): None takes any kind; False refuses a kind that is neither
    built in nor in the catalogue, True a near miss only (kinds.check)."""
    warnings: list[str] = []
    try:
        drama_id = names.resolve_drama(conn, rec.drama)
    except ScenecatError as exc:
        raise FieldError(f"{path}.drama", exc.message, exc.hint) from None
    drama = drama_store.get_drama(conn, drama_id)
    write_rules.check_scene(rec, drama.title, drama.episodes, path)
    actor_ids: list[int] = []
    for i, actor in enumerate(rec.actors):
        try:
            actor_ids.append(names.resolve_actor(conn, actor))
        except ScenecatError as exc:
            raise FieldError(f"{path}.actors[{i}]", exc.message, exc.hint) from None
    write_rules.check_actors(actor_ids, path)
    values: dict[str, object] = {"drama_id": drama_id, **column_row(COLUMN_FIELDS, vars(rec))}
    created = False
    if mode == "replace":
        assert scene_id is not None
        if rec.key:
            owner = scenes.scene_ids_by_key(conn, rec.key)
            if owner and owner[0] != scene_id:
                raise FieldError(f"{path}.key", f"key {rec.key!r} belongs to another scene")
            values["key"] = rec.key
        scenes.update_scene(conn, scene_id, values)
        scenes.set_tags(conn, scene_id, rec.tags)
        scenes.set_actors(conn, scene_id, actor_ids)
        unlinked = scenes.source_ids_of_scene(conn, scene_id)
        scenes.clear_views_and_sources(conn, scene_id)
    else:
        unlinked = []
        existing = scenes.scene_ids_by_key(conn, rec.key) if rec.key else []
        if existing and mode == "add":
            raise FieldError(
                f"{path}.key",
                f"duplicate scene key {rec.key!r}",
                hint="choose another --key, or change the scene with `scenecat edit scene`",
            )
        if not existing and mode == "add" and new_kind is not None:
            from scenecat.domain import kinds

            kinds.check(conn, rec.kind, allow_new=new_kind)
        if not existing and mode == "add" and force is not True:
            twin = likely_duplicate(conn, drama_id, rec)
            if twin is not None and twin[0] != force:
                raise Conflict(
                    duplicate_message(drama.title, rec.episode, twin),
                    hint=f"see it with `scenecat show scene {twin[0]}`; "
                    "--force adds this one anyway",
                )
        if existing:
            scene_id = existing[0]
            scenes.update_scene(conn, scene_id, {k: v for k, v in values.items() if v is not None})
            scenes.add_tags(conn, scene_id, rec.tags)
            scenes.add_actors(conn, scene_id, actor_ids)
        else:
            key = rec.key or _unique_key(conn, scene_key(drama.title, rec.episode, rec.title))
            scene_id = scenes.insert_scene(conn, {**values, "key": key})
            scenes.set_tags(conn, scene_id, rec.tags)
            scenes.set_actors(conn, scene_id, actor_ids)
            created = True
    for actor_id, actor in zip(actor_ids, rec.actors, strict=True):
        if not drama_store.is_credited(conn, drama_id, actor_id):
            drama_store.upsert_credit(conn, drama_id, actor_id, None, "support", None)
            warnings.append(write_rules.added_as_support(actor, drama.title))
    for view in rec.views:
        warning = record_view(conn, scene_id, view.count, view.on, view.source)
        if warning:
            warnings.append(warning)
    linked: set[str] = set()
    for source in rec.sources:
        # A link listed twice counts once, the first as given (the bulk path's rule too).
        if source.url not in linked:
            linked.add(source.url)
            scenes.link_source(conn, scene_id, source)
    scenes.drop_unlinked_sources(conn, unlinked)  # those the edit took off the scene
    if refresh_index:
        search_index.refresh(conn, [scene_id])
    key = scenes.key_of(conn, scene_id)
    return Outcome(scene_id, key, created=created, warnings=warnings)


def record_view(
    conn: sqlite3.Connection, scene_id: int, count: int, on: str | None, source: str
) -> str | None:
    """Add a dated view count; returns a warning when it runs against the counts already
    recorded from the same source (lower than an earlier one, or higher than a later one)."""
    earlier = scenes.highest_earlier_count(conn, scene_id, source, on)
    later = scenes.lowest_later_count(conn, scene_id, source, on)
    scenes.add_view_count(conn, scene_id, count, on, source)
    return write_rules.view_count_warning(count, on, source, earlier, later)


# Signals


def apply_vote(conn: sqlite3.Connection, rec: VoteRec, path: str = "vote") -> Outcome:
    try:
        scene_id = names.resolve_scene(conn, rec.scene)
    except ScenecatError as exc:
        raise FieldError(f"{path}.scene", exc.message, exc.hint) from None
    previous = votes_duels.current_vote(conn, scene_id, rec.voter)
    created = votes_duels.add_vote(conn, scene_id, rec.voter, rec.score, rec.on)
    warnings = []
    if created and previous is not None and previous != rec.score:
        warnings.append(write_rules.replaced_vote(rec.voter, previous))
    return Outcome(scene_id, rec.scene, created=created, warnings=warnings)


def apply_duel(conn: sqlite3.Connection, rec: DuelRec, path: str = "duel") -> Outcome:
    ids = []
    for role in ("winner", "loser"):
        try:
            ids.append(names.resolve_scene(conn, getattr(rec, role)))
        except ScenecatError as exc:
            raise FieldError(f"{path}.{role}", exc.message, exc.hint) from None
    check_duel(ids[0], ids[1], path)
    created = votes_duels.add_duel(conn, ids[0], ids[1], rec.voter, rec.on)
    return Outcome(ids[0], rec.winner, created=created)


# Aliases, merges, removal


def add_actor_alias(conn: sqlite3.Connection, actor: str, alias: str) -> Outcome:
    actor_id = names.resolve_actor(conn, actor)
    others = [i for i in actor_store.actor_ids_by_name(conn, alias) if i != actor_id]
    if others:
        raise Conflict(f"{alias!r} is the name of another actor", hint="merge them instead")
    added = actor_store.add_alias(conn, actor_id, alias)
    search_index.refresh_for_actor(conn, actor_id)
    return Outcome(actor_id, actor_store.get_actor(conn, actor_id).name, created=added)


def add_drama_alias(conn: sqlite3.Connection, drama: str, alias: str) -> Outcome:
    drama_id = names.resolve_drama(conn, drama)
    others = [i for i in drama_store.drama_ids_by_title(conn, alias) if i != drama_id]
    if others:
        raise Conflict(f"{alias!r} is the title of another drama")
    added = drama_store.add_alias(conn, drama_id, alias)
    search_index.refresh_for_drama(conn, drama_id)
    return Outcome(drama_id, drama_store.get_drama(conn, drama_id).title, created=added)


def remove_actor_alias(conn: sqlite3.Connection, actor: str, alias: str) -> Outcome:
    actor_id = names.resolve_actor(conn, actor)
    if not actor_store.remove_alias(conn, actor_id, alias):
        raise InvalidInput(
            f"{alias!r} is not an alias of {actor_store.get_actor(conn, actor_id).name}"
        )
    search_index.refresh_for_actor(conn, actor_id)
    return Outcome(actor_id, alias, created=False)


def remove_drama_alias(conn: sqlite3.Connection, drama: str, alias: str) -> Outcome:
    drama_id = names.resolve_drama(conn, drama)
    if not drama_store.remove_alias(conn, drama_id, alias):
        title = drama_store.get_drama(conn, drama_id).title
        raise InvalidInput(f"{alias!r} is not an alias of {title}")
    search_index.refresh_for_drama(conn, drama_id)
    return Outcome(drama_id, alias, created=False)


def merge_actors(conn: sqlite3.Connection, keep: str, gone: str) -> Outcome:
    keep_id = names.resolve_actor(conn, keep)
    gone_id = names.resolve_actor(conn, gone)
    if keep_id == gone_id:
        raise InvalidInput(f"{keep!r} and {gone!r} are already the same actor")
    kept = actor_store.get_actor(conn, keep_id)
    lost = actor_store.get_actor(conn, gone_id)
    affected = scenes.scene_ids_of_actors(conn, [keep_id, gone_id])
    actor_store.merge_actors(conn, keep_id, gone_id)
    for alias in (lost.name, lost.native):
        if alias and alias not in (kept.name, kept.native):
            actor_store.add_alias(conn, keep_id, alias)
    if lost.native and not kept.native:
        actor_store.update_actor(conn, keep_id, native=lost.native)
    if lost.born and not kept.born:
        actor_store.update_actor(conn, keep_id, born=lost.born)
    search_index.refresh(conn, affected)
    return Outcome(keep_id, kept.name, created=False)


def remove_actor(conn: sqlite3.Connection, actor: str) -> Outcome:
    actor_id = names.resolve_actor(conn, actor)
    name = actor_store.get_actor(conn, actor_id).name
    affected = scenes.scene_ids_of_actors(conn, [actor_id])
    actor_store.delete_actor(conn, actor_id)
    search_index.refresh(conn, affected)
    return Outcome(actor_id, name, created=False)


def remove_drama(conn: sqlite3.Connection, drama: str) -> Outcome:
    drama_id = names.resolve_drama(conn, drama)
    title = drama_store.get_drama(conn, drama_id).title
    sources = scenes.source_ids_of_drama(conn, drama_id)
    drama_store.delete_drama(conn, drama_id)
    scenes.drop_unlinked_sources(conn, sources)
    return Outcome(drama_id, title, created=False)


def remove_scene(conn: sqlite3.Connection, scene: str) -> Outcome:
    scene_id = names.resolve_scene(conn, scene)
    key = scenes.key_of(conn, scene_id)
    sources = scenes.source_ids_of_scene(conn, scene_id)
    scenes.delete_scene(conn, scene_id)
    scenes.drop_unlinked_sources(conn, sources)
    return Outcome(scene_id, key, created=False)


def remove_episode(conn: sqlite3.Connection, drama: str, number: int) -> Outcome:
    drama_id = names.resolve_drama(conn, drama)
    if not drama_store.delete_episode(conn, drama_id, number):
        raise InvalidInput(
            f"{drama_store.get_drama(conn, drama_id).title} has no episode {number} recorded"
        )
    return Outcome(drama_id, f"episode {number}", created=False)


def describe_removal(conn: sqlite3.Connection, what: str, name: str) -> str:
    """What a removal would take with it, for the confirmation question."""
    if what == "actor":
        actor_id = names.resolve_actor(conn, name)
        count = actor_store.count_actor_scenes(conn, actor_id)
        return f"actor {actor_store.get_actor(conn, actor_id).name} (appears in {counted(count, 'scene')})"
    if what == "drama":
        drama_id = names.resolve_drama(conn, name)
        count = drama_store.count_drama_scenes(conn, drama_id)
        title = drama_store.get_drama(conn, drama_id).title
        return f"drama {title} and its {counted(count, 'scene')}, episodes and credits"
    scene_id = names.resolve_scene(conn, name)
    scene = scenes.scenes_by_ids(conn, [scene_id])[0]
    return f"scene {scene.key} ({scene.title}) with its votes, duels and view counts"
