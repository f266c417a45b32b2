"""A source's facts held to the catalogue's own rules before they reach it.

Whatever a source sends (over the network or in a saved file), what is put in the catalogue
must be what `import` would accept, so that `export` then `import` still works: every text
goes through the catalogue's text rule (scenecat.text: terminal controls and bidi overrides
refused, invisibles dropped, lengths bounded) and every number through format 1's ranges.

A drama whose id or title breaks the rule is refused (InvalidInput, one line). Any other
field that breaks it is left out, and so is a cast entry without a usable name or id; each
is said in `facts.warnings` (a few of each kind, then how many more), never stored raw.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from scenecat.errors import InvalidInput
from scenecat.sources.facts import Candidate, CastEntry, DramaFacts, EpisodeFacts, Person
from scenecat.text import clean_name, clean_text

# Format 1's ranges (domain/records.py): a drama's year and episodes, a billing.
MIN_YEAR, MAX_YEAR = 1900, 2100
MAX_EPISODE = 100_000
MAX_BILLING = 10**9  # a source's order to sort by; the catalogue stores the rank (<= 1000)
MAX_BORN = 2100
SHOWN = 3  # warnings of one kind shown before "... and N more"


class _Warnings:
    """Warnings grouped by kind, a few of each shown."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.counts: Counter[str] = Counter()

    def add(self, kind: str, line: str) -> None:
        self.counts[kind] += 1
        if self.counts[kind] <= SHOWN:
            self.lines.append(line)

    def done(self) -> list[str]:
        more = [
            f"... and {n - SHOWN:,} more {kind}" for kind, n in self.counts.items() if n > SHOWN
        ]
        return self.lines + more


def _shown(value: object) -> str:
    """A value quoted for a message: Python's repr writes controls as \\x1b, \\u202e."""
    if isinstance(value, str) and len(value) > 60:
        value = value[:57] + "..."
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _name(value: Any, what: str, warnings: _Warnings | None, kind: str) -> str | None:
    """`value` as a clean single-line text, or None (said in `warnings`) when it breaks the
    rule; None and "" are simply absent."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        if warnings is not None:
            warnings.add(kind, f"{what} {_shown(value)} is not text; left out")
        return None
    try:
        return clean_name(value, "")
    except InvalidInput as exc:
        if warnings is not None:
            warnings.add(kind, f"{what} {_shown(value)} {exc.message}; left out")
        return None


def _whole(value: Any, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if low <= value <= high else None


def _day(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return day.isoformat() if MIN_YEAR <= day.year <= MAX_YEAR and len(value) == 10 else None


def _first_aired(value: Any) -> str | None:
    """A date as precise as the source knows it: YYYY-MM-DD, YYYY-MM or YYYY (Wikidata's
    precisions), in format 1's years; only its year is kept as the drama's."""
    if not isinstance(value, str):
        return None
    if len(value) == 10:
        return _day(value)
    full = f"{value}-01" if len(value) == 7 else f"{value}-01-01" if len(value) == 4 else ""
    return value if _day(full) else None


def checked_drama(facts: DramaFacts) -> DramaFacts:
    """`facts` held to the catalogue's rules (see the module's docstring)."""
    warnings = _Warnings()
    ext_id = _name(facts.id, "id", None, "")
    if ext_id is None:
        raise InvalidInput(f"the drama's id {_shown(facts.id)} is not usable")
    if not isinstance(facts.title, str):
        raise InvalidInput(f"the drama's title {_shown(facts.title)} is not text")
    try:
        title = clean_name(facts.title, "")
    except InvalidInput as exc:
        raise InvalidInput(f"the drama's title {_shown(facts.title)} {exc.message}") from None

    def field(value: Any, what: str) -> str | None:
        return _name(value, what, warnings, "fields")

    first_aired = _first_aired(facts.first_aired)
    if facts.first_aired is not None and first_aired is None:
        warnings.add(
            "fields", f"first air date {_shown(facts.first_aired)} is not a date; left out"
        )
    episodes = _whole(facts.episodes, 1, MAX_EPISODE)
    if facts.episodes is not None and episodes is None:
        warnings.add(
            "fields",
            f"episode count {_shown(facts.episodes)} is not a whole number from 1 to "
            f"{MAX_EPISODE:,}; left out",
        )
    synopsis: str | None = None
    if isinstance(facts.synopsis, str):
        try:
            synopsis = clean_text(facts.synopsis, "")
        except InvalidInput as exc:
            warnings.add("fields", f"synopsis {exc.message}; left out")
    checked = DramaFacts(
        source=facts.source,
        id=ext_id,
        title=title,
        native=field(facts.native, "native title"),
        aliases=_names(facts.aliases, "alias", warnings),
        network=field(facts.network, "network"),
        country=field(facts.country, "country"),
        first_aired=first_aired,
        episodes=episodes,
        synopsis=synopsis,
        cast=[e for e in (_cast(e, warnings) for e in facts.cast) if e is not None],
        episode_list=_episodes(facts.episode_list, warnings),
        other_ids={
            k: v
            for k, v in (
                (_name(k, "source", None, ""), _name(v, f"{k} id", warnings, "fields"))
                for k, v in facts.other_ids.items()
            )
            if k and v
        },
    )
    checked.warnings = [*facts.warnings, *warnings.done()]
    return checked


def _names(values: Any, what: str, warnings: _Warnings) -> list[str]:
    found = [_name(v, what, warnings, "fields") for v in values or []]
    return list(dict.fromkeys(n for n in found if n))


def _cast(entry: CastEntry, warnings: _Warnings) -> CastEntry | None:
    person = entry.person
    ext_id = _name(person.id, "id", None, "")
    name = _name(person.name, "name", None, "")
    if ext_id is None or name is None:
        said = [
            f"{what} {_shown(v)}" for what, v in (("name", person.name), ("id", person.id)) if v
        ]
        warnings.add(
            "cast entries without a usable name or id",
            f"a cast entry{' (' + ', '.join(said) + ')' if said else ''}: no usable name "
            "or id; left out",
        )
        return None

    def field(value: Any, what: str) -> str | None:
        return _name(value, f"{name}'s {what}", warnings, "fields")

    characters = [field(c, "character") for c in entry.characters]
    born = _whole(person.born, MIN_YEAR - 100, MAX_BORN)
    return CastEntry(
        Person(
            source=person.source,
            id=ext_id,
            name=name,
            native=field(person.native, "native name"),
            aliases=_names(person.aliases, f"{name}'s alias", warnings),
            born=born,
        ),
        characters=list(dict.fromkeys(c for c in characters if c)),
        billing=_whole(entry.billing, 1, MAX_BILLING),
        episodes=_whole(entry.episodes, 0, MAX_EPISODE),
    )


def _episodes(episodes: list[EpisodeFacts], warnings: _Warnings) -> list[EpisodeFacts]:
    found = []
    for episode in episodes:
        number = _whole(episode.number, 1, MAX_EPISODE)
        if number is None:
            warnings.add(
                "episodes",
                f"episode number {_shown(episode.number)} is not from 1 to "
                f"{MAX_EPISODE:,}; left out",
            )
            continue
        title = _name(episode.title, f"episode {number}'s title", warnings, "fields")
        found.append(EpisodeFacts(number, _day(episode.aired), title))
    return found


def checked_candidates(candidates: list[Candidate]) -> list[Candidate]:
    """Candidates held to the same rules: one without a usable id or title is left out,
    any other field that breaks them is blank (a lookup writes nothing)."""
    found = []
    for c in candidates:
        ext_id, title = _name(c.id, "", None, ""), _name(c.title, "", None, "")
        if ext_id is None or title is None:
            continue
        description = None
        if isinstance(c.description, str):
            try:
                description = clean_text(c.description, "")
            except InvalidInput:
                description = None
        found.append(
            Candidate(
                c.source,
                ext_id,
                title,
                _name(c.native, "", None, ""),
                _whole(c.year, MIN_YEAR, MAX_YEAR),
                _name(c.network, "", None, ""),
                _whole(c.episodes, 1, MAX_EPISODE),
                _name(c.country, "", None, ""),
                description,
            )
        )
    return found
