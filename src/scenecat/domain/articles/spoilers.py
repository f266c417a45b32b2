"""The spoiler policy: which scenes an article hides, warns about or shows.

Spoilers are removed from the context, not merely flagged (see `builders.make_entry`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scenecat.domain import names
from scenecat.domain.articles.entries import Entry
from scenecat.domain.articles.wording import join_names
from scenecat.errors import UsageError
from scenecat.models import SPOILER_LEVELS, Scene
from scenecat.storage import dramas as drama_store


@dataclass
class SpoilerPolicy:
    mode: str
    watched: dict[int, tuple[str, int]]  # drama id -> (title, last episode seen)

    def hide_reason(self, scene: Scene) -> str | None:
        seen = self.watched.get(scene.drama_id)
        if seen is not None:
            return "watched" if scene.episode is None or scene.episode > seen[1] else None
        if scene.spoiler != "none" and self.mode == "hide":
            return "spoiler"
        return None

    def is_spoiler(self, scene: Scene) -> bool:
        # Within what the reader has watched nothing is a spoiler any more.
        return scene.spoiler != "none" and scene.drama_id not in self.watched

    def note(self, scene: Scene, reason: str) -> str:
        if reason == "watched":
            title, seen = self.watched[scene.drama_id]
            where = f"episode {seen}" if seen else "the start"
            return f"Details hidden: this happens after {where} of {title}."
        return f"Details hidden to keep this spoiler-free ({scene.spoiler} spoiler)."


def parse_watched(conn: sqlite3.Connection, values: Iterable[str]) -> dict[int, tuple[str, int]]:
    values = list(values)
    # `--watched mine`: the progress stored with `scenecat progress` (an article is for
    # readers who may be further on, so it is used only when asked); a drama also given as
    # DRAMA:N takes that N.
    mine = [v for v in values if v.strip().lower() == "mine"]
    watched = _stored_progress(conn) if mine else {}
    given: set[int] = set()
    for value in (v for v in values if v.strip().lower() != "mine"):
        drama, sep, number = value.rpartition(":")
        if not sep or not drama.strip() or not number.strip().isdigit():
            raise UsageError(
                f"--watched {value!r} is not DRAMA:EPISODE",
                hint='e.g. --watched "Melting Me Softly:10" (0 = not started)',
            )
        drama_id = names.resolve_drama(conn, drama.strip())
        title = drama_store.get_drama(conn, drama_id).title
        if drama_id in given:
            raise UsageError(f"--watched gives {title} twice")
        given.add(drama_id)
        watched[drama_id] = (title, int(number))
    return watched


def _stored_progress(conn: sqlite3.Connection) -> dict[int, tuple[str, int]]:
    from scenecat.domain.progress import list_progress

    # A completed drama has nothing left to spoil: every episode counts as seen.
    return {
        row.drama_id: (
            row.drama,
            (row.episodes or 100_000) if row.status == "completed" else row.episode,
        )
        for row in list_progress(conn)
    }


def apply_warnings(policy: SpoilerPolicy, entries: Sequence[Entry]) -> None:
    """`warn`: one warning, just before the first spoiler, saying how bad what follows is."""
    if policy.mode != "warn":
        return
    first = next((i for i, e in enumerate(entries) if e.is_spoiler), None)
    if first is None:
        return
    ahead = [e for e in entries[first:] if e.is_spoiler]
    entries[first].warning = spoiler_warning([(e.drama, e.spoiler) for e in ahead])


def spoiler_warning(spoilers: Sequence[tuple[str, str]]) -> str:
    """One sentence for (drama, level) pairs: a drama is named as a major spoiler only when
    one of its entries is major (or gives the ending away), else as a minor one."""
    worst: dict[str, int] = {}
    for drama, level in spoilers:
        worst[drama] = max(worst.get(drama, 0), SPOILER_LEVELS.index(level))
    ending = [d for d, w in worst.items() if w >= SPOILER_LEVELS.index("ending")]
    major = [d for d, w in worst.items() if w >= SPOILER_LEVELS.index("major")]
    minor = [d for d, w in worst.items() if w < SPOILER_LEVELS.index("major")]
    if not major:
        return f"Minor spoilers ahead for {_few(minor)}."
    text = f"Major spoilers ahead for {_few(major)}"
    if ending == major:
        text += ", the ending included" if len(ending) == 1 else ", endings included"
    elif ending:
        text += f", including the ending{'s' if len(ending) > 1 else ''} of {_few(ending)}"
    if minor:
        text += f"; minor ones for {_few(minor)}"
    return text + "."


def _few(names: Sequence[str]) -> str:
    """Up to four names, then how many more."""
    shown = list(names) if len(names) <= 4 else [*names[:3], f"{len(names) - 3} more dramas"]
    return join_names(shown)


def spoiler_note(policy: SpoilerPolicy) -> str | None:
    notes = []
    if policy.mode == "hide":
        notes.append("Spoiler-free: the details of spoiler scenes are left out.")
    if policy.watched:
        seen = join_names(
            [f"episode {n} of {title}" for title, n in sorted(policy.watched.values())]
        )
        notes.append(f"Safe for readers up to {seen}: anything later is left out.")
    return " ".join(notes) or None
