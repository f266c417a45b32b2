"""Scene kinds: the built-in ones, the catalogue's own, and how a typed kind is judged
(docs/DESIGN.md §2, "Kinds").

A kind stays a free word, but a typo must not become a kind of its own ("kis" beside
"kiss"): a kind that is neither built in nor in the catalogue is a near miss when it is
close to a known one (refused with "did you mean"), otherwise a new kind, which a person
confirms (a question on a terminal, `--new-kind` off one). An import takes new kinds as
they come and names them in its summary: a file is data, not a typo at a prompt.
"""

from __future__ import annotations

import difflib
import sqlite3
from dataclasses import dataclass, field

from scenecat.errors import InvalidInput
from scenecat.storage import search_queries

# The kinds fans tag K-drama scenes with, declared once: every catalogue knows them, even
# an empty one. Spelled as parse_kind stores a kind (lowercase, hyphens).
BUILT_IN: tuple[str, ...] = (
    "kiss",
    "almost-kiss",
    "hug",
    "back-hug",
    "confession",
    "first-meeting",
    "reunion",
    "breakup",
    "farewell",
    "proposal",
    "wedding",
    "date",
    "fight",
    "rescue",
    "piggyback",
    "wrist-grab",
    "jealousy",
    "tears",
    "slap",
    "action",
    "funny",
)

# How close (difflib's ratio, 0-1) a new kind must be to a known one to count as a typo of
# it: "kis"/"kiss" 0.86, "confesion"/"confession" 0.95, "hugs"/"hug" 0.86; "flashback" is
# near nothing. Below this a kind is taken for a new one (and asked about).
NEAR_MISS = 0.75


@dataclass(frozen=True)
class Verdict:
    """What a typed kind is: `known`, or a near miss of `close`, or a new kind."""

    kind: str
    known: bool
    close: list[str] = field(default_factory=list)

    @property
    def new(self) -> bool:
        return not self.known and not self.close


def known_kinds(conn: sqlite3.Connection) -> list[str]:
    """The built-in kinds, then the catalogue's own others, alphabetically."""
    own = set(search_queries.known_values(conn, "kind")) - set(BUILT_IN)
    return [*BUILT_IN, *sorted(own)]


def judge(conn: sqlite3.Connection, kind: str) -> Verdict:
    """`kind` (as parsed: lowercase, hyphens) against the known kinds."""
    known = known_kinds(conn)
    if kind in known:
        return Verdict(kind, known=True)
    close = difflib.get_close_matches(kind, known, n=3, cutoff=NEAR_MISS)
    return Verdict(kind, known=False, close=close)


def near_miss_message(verdict: Verdict) -> tuple[str, str]:
    """The error and hint for a near miss: "did you mean 'kiss'?"."""
    suggestion = " or ".join(map(repr, verdict.close))
    return (
        f"unknown kind {verdict.kind!r}; did you mean {suggestion}?",
        f"if {verdict.kind!r} really is a new kind, add it with --new-kind",
    )


def check(
    conn: sqlite3.Connection, kind: str, *, allow_new: bool, allow_near: bool | None = None
) -> None:
    """Refuse a near miss (unless `allow_near`, by default as `allow_new`: --new-kind takes
    any kind) or, unless `allow_new`, a new kind (InvalidInput). A write that adds or
    changes a scene's kind calls this inside its transaction; the CLI has asked before
    when it could. `edit` in $EDITOR, where nothing can be confirmed, takes new kinds but
    refuses near misses."""
    if allow_near is None:
        allow_near = allow_new
    if allow_new and allow_near:
        return
    verdict = judge(conn, kind)
    if verdict.known:
        return
    if verdict.close:
        if allow_near:
            return
        raise InvalidInput(*near_miss_message(verdict))
    if allow_new:
        return
    raise InvalidInput(
        f"{kind!r} is a new kind (none of the catalogue's scenes has it)",
        hint="check the spelling (`scenecat stats` lists the kinds in use), or add it with "
        "--new-kind",
    )


def unknown_hint(conn: sqlite3.Connection, kind: str | None) -> str | None:
    """For a filter (`--kind kis`) that matched nothing: "no scene has kind 'kis'; did you
    mean 'kiss'?", when no scene has that kind and one close to it is in use."""
    if not kind or not kind.strip():
        return None
    wanted = kind.strip().lower()
    used = search_queries.known_values(conn, "kind")
    if wanted in used:
        return None
    close = difflib.get_close_matches(wanted, used, n=3, cutoff=NEAR_MISS)
    if not close:
        return None
    return f"no scene has kind {wanted!r}; did you mean {' or '.join(map(repr, close))}?"
