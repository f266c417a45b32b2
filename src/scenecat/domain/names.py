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
from scenecat.text import lazy_pattern, name_key, nfc, slugify


def _resolve(
    text: str,
    what: str,
    exact: Callable[[str], list[int]],
    by_key: Callable[[str], list[int]],
    label: Callable[[int], str],
    vocabulary: Callable[[], Iterable[str | tuple[str, str]]],
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


def suggest(value: str, candidates: Iterable[str | tuple[str, str]]) -> str | None:
    """'did you mean ...?' from the closest names, compared on their folded keys.

    A candidate is a name, or (another name of a record, the record's own name): a close
    alias or native title suggests the record's name, and a record reached by two of its
    names is suggested once, never as two records."""
    import difflib

    by_key: dict[str, str] = {}
    for candidate in candidates:
        text, shown = (candidate, candidate) if isinstance(candidate, str) else candidate
        by_key.setdefault(name_key(text), shown)
    close = difflib.get_close_matches(name_key(value), list(by_key), n=6, cutoff=0.6)
    named = list(dict.fromkeys(by_key[k] for k in close))[:3]
    if not named:
        return None
    return "did you mean " + " or ".join(map(repr, named)) + "?"


def actor_vocabulary(conn: sqlite3.Connection, up_to: int | None = None) -> list[tuple[str, str]]:
    """Every name an actor goes by, with the actor's name: (name, native or alias, name);
    with `up_to`, of the actors with ids up to it only."""
    rows = actor_store.all_actor_names(conn)
    if up_to is not None:
        rows = [row for row in rows if row[0] <= up_to]
    pairs = [(n, name) for _, name, native in rows for n in (name, native)]
    by_id = {actor_id: name for actor_id, name, _ in rows}
    pairs += [(alias, by_id[i]) for i, alias in actor_store.all_actor_aliases(conn) if i in by_id]
    return [(n, shown) for n, shown in pairs if n]


def drama_vocabulary(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """Every title a drama goes by, with the drama's title."""
    rows = drama_store.all_drama_titles(conn)
    pairs = [(t, title) for _, title, native in rows for t in (title, native)]
    by_id = {drama_id: title for drama_id, title, _ in rows}
    pairs += [(alias, by_id[i]) for i, alias in drama_store.all_drama_aliases(conn) if i in by_id]
    return [(t, shown) for t, shown in pairs if t]


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
    raise NotFound(f"no scene with key {value!r}", hint=_scene_hint(conn, value))


def _scene_hint(conn: sqlite3.Connection, value: str) -> str:
    """For a scene that is not there: the keys that hold what was typed as a whole part
    (`shower-kiss` in `melting-me-softly-e10-shower-kiss`), else the closest keys; and, for
    words rather than a key, the search that finds scenes by them."""
    keys = scenes.all_scene_keys(conn)
    fragment = slugify(value)
    holding = [k for k in keys if fragment and f"-{fragment}-" in f"-{k}-"]
    if holding:
        shown = " or ".join(map(repr, holding[:3]))
        more = f" ({len(holding)} keys hold {fragment!r})" if len(holding) > 3 else ""
        hint = f"did you mean {shown}?{more}"
    else:
        hint = suggest(value, keys) or ""
    if " " in value.strip():
        search = f"scenecat search {_shell_quoted(value)}"
        return f"{hint} Or by its words: {search}" if hint else f"find it by its words: {search}"
    return hint or "list keys with `scenecat list scenes`"


def _shell_quoted(text: str) -> str:
    import shlex

    return f'"{text}"' if not any(c in text for c in '"$`\\') else shlex.quote(text)


def key_collision(conn: sqlite3.Connection, name: str) -> list[str]:
    """Existing actors whose folded name, native name or alias equals `name`'s (spelled
    alike, or a look-alike of it: text.name_key)."""
    ids = actor_store.actor_ids_by_key(conn, name_key(name))
    return [actor_store.get_actor(conn, i).name for i in ids]


# Romanisation: one Korean name is written several ways in Latin letters ("Gong Yoo" /
# "Kong Yoo", "Lee" / "Yi" / "Rhee", "Park" / "Pak", "Choi" / "Choe"), so two spellings can
# be one person. The romanised key folds those spellings together; it only ever raises the
# question "is this the same actor?" (add-actor asks or refuses without --force), never
# resolves a name: two people may share it, as they may share a folded key.
# The surname first (spellings that differ beyond letter swaps), then letters.
_ROMANISED_WORDS = {
    **dict.fromkeys(("lee", "yi", "rhee", "rhie", "ri", "i", "yee"), "i"),
    **dict.fromkeys(("park", "pak", "bak", "pack"), "bak"),
    **dict.fromkeys(("choi", "choe", "chey"), "choe"),
    **dict.fromkeys(("kim", "gim"), "gim"),
    **dict.fromkeys(("jung", "jeong", "chung", "cheong"), "jeong"),
    **dict.fromkeys(("yoon", "yun", "youn"), "yun"),
    **dict.fromkeys(("lim", "im", "rim", "yim"), "im"),
    **dict.fromkeys(("roh", "noh", "no", "ro"), "no"),
    **dict.fromkeys(("oh", "o"), "o"),
    **dict.fromkeys(("shin", "sin"), "sin"),
    **dict.fromkeys(("seo", "suh", "so"), "seo"),
    **dict.fromkeys(("ahn", "an"), "an"),
}
# Letters and pairs Korean sounds are romanised with either way: ch/j, sh/s, oo/u, ee/i,
# eo/u and ou/u (Seok/Suk, Hyeon/Hyun, Yeong/Young), k/g, p/b, t/d, r/l. Other vowels stay
# apart: they tell names apart more often than they vary.
_ROMANISED_LETTERS = {"ch": "j", "sh": "s", "oo": "u", "ee": "i", "eo": "u", "ou": "u",
                      "k": "g", "p": "b", "t": "d", "r": "l"}  # fmt: skip
# Compiled on first use: resolving a name (every `rank --actor`) never needs them.
_ROMANISED_LETTER = lazy_pattern("ch|sh|oo|ee|eo|ou|[kptr]")
_ASCII_WORDS = lazy_pattern("[a-z0-9]+")
_NAME_PARTS = lazy_pattern(r"[\s\-‐_.'’`]+")
_HAS_LATIN = lazy_pattern("[A-Za-z]")


def has_latin(name: str) -> bool:
    """Whether `name` has a Latin letter: a name without one (Hangul) romanises nothing."""
    return _HAS_LATIN().search(name) is not None


def romanised_key(name: str) -> str:
    """`name`'s key with the romanisation differences folded ("Kong Yoo" and "Gong Yu" ->
    "gongyu"; "Ji Chang-wook" and "Ji Changwook" -> one key, as name_key already does).
    Names with letters outside a-z once folded keep their name_key."""
    # Plain ASCII names (nearly all romanised ones) skip name_key's Unicode folding: every
    # actor's name is keyed when one is added (romanisation_twins).
    if name.isascii():
        words = _ASCII_WORDS().findall(name.lower())
    else:  # accents and look-alike letters folded word by word ("Lée" is lee)
        words = [name_key(w) for w in _NAME_PARTS().split(name) if w]
    if not words or not all(_ASCII_WORDS().fullmatch(w) for w in words):
        return name_key(name)
    words[0] = _ROMANISED_WORDS.get(words[0], words[0])  # the surname comes first
    return _ROMANISED_LETTER().sub(lambda m: _ROMANISED_LETTERS[m.group()], "".join(words))


def romanisation_twins(conn: sqlite3.Connection, name: str) -> list[str]:
    """Existing actors one of whose names or aliases is a romanisation variant of `name`
    (equal romanised keys), apart from those spelled alike (key_collision)."""
    wanted, plain = romanised_key(name), name_key(name)
    twins = [
        actor
        for other, actor in actor_vocabulary(conn)
        # a name with no Latin letter (Hangul) is no romanisation of anything
        if _HAS_LATIN().search(other)
        and romanised_key(other) == wanted
        and name_key(other) != plain
    ]
    return list(dict.fromkeys(twins))


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
