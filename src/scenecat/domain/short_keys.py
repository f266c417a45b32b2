"""Scene keys shortened for a narrow screen, each still a key the resolver accepts.

A scene's key repeats its drama and episode (`melting-me-softly-e10-shower-kiss`), which a
listing shows in columns of their own. On a terminal too narrow for both, the listing shows
the shortest trailing part of the key, whole words, at least two of them, that names this
scene alone: `shower-kiss`. names.resolve_scene accepts such a part (after an exact key and
an exact title, so nothing that resolved before resolves differently), so every key on the
screen can be typed back into the next command.

A part is usable when no other key ends with it or equals it, and no scene is titled so
(a title is looked up before a part of a key).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable

from scenecat.storage import scenes
from scenecat.text import slugify

# Fewer words read as a kind ("kiss"), not as a scene.
_FEWEST_WORDS = 2
# A part starting with one of these reads as a broken phrase (`the-sword`, `in-uruk`).
# A shortened key takes at most a third of a narrow (60-column) terminal when it can.
_SHORT = 20
_WEAK_START = frozenset({"a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to"})
# Finding which parts are a key's alone reads every key (about 0.15 s at 100,000 scenes, 1.4 s
# at a million on a terminal listing that otherwise takes 0.15 s): above this many scenes,
# listings show whole keys, as they did before keys were shortened. Typed parts still resolve.
MOST_SCENES = 150_000


def is_key_part(text: str) -> bool:
    """Whether `text` has a key's shape (lower-case words joined by hyphens), as a shortened
    key has: a title or free text typed in its place is not looked up by its ending."""
    return bool(text) and slugify(text) == text


def key_parts(key: str) -> list[str]:
    """The trailing parts of `key` a screen may show instead of it (the whole key not
    among them): those not starting with an article or preposition and at most a third
    of a 60-column screen first, shortest first; then the rest, shortest first."""
    words = key.split("-")
    parts = ["-".join(words[-n:]) for n in range(_FEWEST_WORDS, len(words))]
    good = [p for p in parts if p.split("-")[0] not in _WEAK_START and len(p) <= _SHORT]
    return good + [p for p in parts if p not in good]


def _ending(key: str) -> str:
    """The last two words of a key (the key itself when it has fewer)."""
    return key[key.rfind("-", 0, max(key.rfind("-"), 0)) + 1 :]


def short_keys(conn: sqlite3.Connection, keys: Iterable[str]) -> dict[str, str]:
    """For each of `keys` its shortest usable part; a key with none is left out (every key,
    in a catalogue of more than MOST_SCENES scenes)."""
    keys = list(dict.fromkeys(keys))
    if not keys or scenes.top_scene_id(conn) > MOST_SCENES:
        return {}
    endings = {_ending(k) for k in keys if key_parts(k)}
    wanted = {part for key in keys for part in key_parts(key)}
    # How many keys each of our parts belongs to (a whole key counted as its own part):
    # only keys ending as one of ours can share a part with it. One pass over the keys,
    # compared here: a GLOB per ending in SQL was several times slower.
    owners: Counter[str] = Counter()
    for other in scenes.each_scene_key(conn) if endings else ():
        if _ending(other) in endings:
            words = other.split("-")
            parts = ("-".join(words[-n:]) for n in range(_FEWEST_WORDS, len(words) + 1))
            owners.update(part for part in parts if part in wanted)
    choices = {key: [p for p in key_parts(key) if owners[p] == 1] for key in keys}
    chosen: dict[str, str] = {}
    while choices:
        trial = {key: parts[0] for key, parts in choices.items() if parts}
        titled = scenes.titles_among(conn, sorted(set(trial.values())))
        for key, part in trial.items():
            if part.lower() not in titled:
                chosen[key] = part
        # A part that is also a title: the next longer part of that key is tried.
        choices = {key: parts[1:] for key, parts in choices.items() if parts and key not in chosen}
        choices = {key: parts for key, parts in choices.items() if parts}
    return chosen
