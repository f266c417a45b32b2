"""Resolving names the way fans type them (docs/DESIGN.md §2).

Exact name first, then the folded key (case, spaces, hyphens, Unicode form), which also
matches native names and aliases. Two candidates are an error listing both, never a guess;
no candidate gets a "did you mean".
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable

from scenecat.domain.short_keys import is_key_part
from scenecat.errors import Ambiguous, InvalidInput, NotFound
from scenecat.storage import actors as actor_store
from scenecat.storage import dramas as drama_store
from scenecat.storage import name_prefixes, scenes
from scenecat.text import name_key, nfc, slugify


def _resolve(
    text: str,
    what: str,
    exact: Callable[[str], list[int]],
    by_key: Callable[[str], list[int]],
    label: Callable[[int], str],
    vocabulary: Callable[[], Iterable[str]],
    hint: str,
) -> int:
    value = " ".join(nfc(text).split())
    if not value:
        raise InvalidInput(f"{what} name must not be empty")
    ids = exact(value)
    if len(ids) == 1:
        return ids[0]
    if not ids:
        ids = by_key(name_key(value))
    if len(ids) == 1:
        return ids[0]
    if ids:
        names = ", ".join(label(i) for i in ids[:10])
        raise Ambiguous(
            f"{value!r} matches {len(ids)} {what}s: {names}",
            hint=f"use the exact {what} name, or merge them if they are one {what}",
        )
    raise NotFound(f"no {what} called {value!r}", hint=suggest(value, vocabulary()) or hint)


def suggest(value: str, candidates: Iterable[str]) -> str | None:
    """'did you mean ...?' from the closest names, compared on their folded keys."""
    import difflib

    by_key: dict[str, str] = {}
    for candidate in candidates:
        by_key.setdefault(name_key(candidate), candidate)
    close = difflib.get_close_matches(name_key(value), list(by_key), n=3, cutoff=0.6)
    if not close:
        return None
    return "did you mean " + " or ".join(repr(by_key[k]) for k in close) + "?"


def actor_vocabulary(conn: sqlite3.Connection) -> list[str]:
    names = [
        n for _, name, native in actor_store.all_actor_names(conn) for n in (name, native) if n
    ]
    return names + [alias for _, alias in actor_store.all_actor_aliases(conn)]


def drama_vocabulary(conn: sqlite3.Connection) -> list[str]:
    titles = [
        t for _, title, native in drama_store.all_drama_titles(conn) for t in (title, native) if t
    ]
    return titles + [alias for _, alias in drama_store.all_drama_aliases(conn)]


def resolve_actor(conn: sqlite3.Connection, text: str) -> int:
    return _resolve(
        text,
        "actor",
        lambda v: actor_store.actor_ids_by_name(conn, v),
        lambda k: actor_store.actor_ids_by_key(conn, k),
        lambda i: actor_store.get_actor(conn, i).name,
        lambda: actor_vocabulary(conn),
        "add them with `scenecat add-actor NAME`",
    )


def actors_named(conn: sqlite3.Connection, text: str) -> list[int]:
    """The actors `text` names as resolve_actor finds them (exact name, else the folded
    key), without the "did you mean" its NotFound works out from every name in the
    catalogue: a source's cast of thousands is matched in one pass, not in N² comparisons."""
    value = " ".join(nfc(text).split())
    if not value:
        return []
    return actor_store.actor_ids_by_name(conn, value) or actor_store.actor_ids_by_key(
        conn, name_key(value)
    )


def resolve_drama(conn: sqlite3.Connection, text: str) -> int:
    return _resolve(
        text,
        "drama",
        lambda v: drama_store.drama_ids_by_title(conn, v),
        lambda k: drama_store.drama_ids_by_key(conn, k),
        lambda i: drama_store.get_drama(conn, i).title,
        lambda: drama_vocabulary(conn),
        "add it with `scenecat add-drama TITLE`",
    )


def resolve_scene(conn: sqlite3.Connection, text: str) -> int:
    """A scene by key (exact or slugified), failing that by its unique title, and last by
    a trailing part of its key that no other key has (`shower-kiss`)."""
    value = " ".join(nfc(text).split())
    if not value:
        raise InvalidInput("scene key must not be empty")
    for candidate in (value, slugify(value)):
        ids = scenes.scene_ids_by_key(conn, candidate)
        if ids:
            return ids[0]
    ids = scenes.scene_ids_by_title(conn, value)
    if len(ids) == 1:
        return ids[0]
    if ids:
        keys = ", ".join(
            scenes.scenes_by_ids(conn, ids[:10])[i].key for i in range(min(10, len(ids)))
        )
        raise Ambiguous(f"{len(ids)} scenes are titled {value!r}: {keys}", hint="use the scene key")
    # A trailing part of one key only, as narrow listings show keys (domain/short_keys.py).
    if is_key_part(value):
        ids = scenes.scene_ids_by_key_suffix(conn, value)
        if len(ids) == 1:
            return ids[0]
    hint = suggest(value, scenes.all_scene_keys(conn)) or "list keys with `scenecat list scenes`"
    raise NotFound(f"no scene with key {value!r}", hint=hint)


def key_collision(conn: sqlite3.Connection, name: str) -> list[str]:
    """Existing actors whose folded name, native name or alias equals `name`'s (spelled
    alike, or a look-alike of it: text.name_key)."""
    ids = actor_store.actor_ids_by_key(conn, name_key(name))
    return [actor_store.get_actor(conn, i).name for i in ids]


def drama_key_collision(conn: sqlite3.Connection, title: str) -> list[str]:
    """Existing dramas whose folded title, native title or alias equals `title`'s."""
    ids = drama_store.drama_ids_by_key(conn, name_key(title))
    return [drama_store.get_drama(conn, i).title for i in ids]


def completions(conn: sqlite3.Connection, kind: str, prefix: str) -> list[str]:
    """What Tab offers for a typed `prefix` (shell completion, add-scene's prompts): actors
    and dramas by their folded name, native name or alias (storage/name_prefixes.py), so a
    Hangul or differently spelt start completes; scenes by key, which is lower case ASCII."""
    if kind == "actor":
        return name_prefixes.forms_starting(conn, name_prefixes.ACTORS, name_key(prefix))
    if kind == "drama":
        return name_prefixes.forms_starting(conn, name_prefixes.DRAMAS, name_key(prefix))
    return scenes.keys_starting(conn, nfc(prefix).casefold())
