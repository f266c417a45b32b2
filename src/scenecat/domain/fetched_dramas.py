"""Applying a drama fetched from a metadata source to the catalogue.

Works out, inside the caller's write transaction, which cast members are actors already
in the catalogue and which are new. A person is linked to an existing actor when the
source id matches, or when a name resolves through `names.resolve_actor` (variants such as
`Ji Chang-wook` -> `Ji Chang Wook`, Hangul names, aliases) and nothing tells them apart.
They are told apart, and kept apart, when the actor already carries a different id from
the same source, a different Hangul name or a different birth year, or is already linked
to another person of the same cast. Everything decided is reported as lines.

Casts: a source's cast may hold every guest star of every episode (TMDB's aggregate credits
do, with a sparse billing order past 1000). The regulars are kept: the first ten billed and
everyone in at least a quarter of the episodes; the others are counted and left out unless
asked for (`--all-cast`). Billing is stored as the rank among those kept, within format 1's
range, never the source's own number.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from typing import Literal

from scenecat.domain import names
from scenecat.errors import Conflict
from scenecat.models import Credit
from scenecat.sources.facts import CastEntry, DramaFacts, Person
from scenecat.storage import actors as actor_store
from scenecat.storage import dramas as drama_store
from scenecat.storage import search_index, source_ids
from scenecat.text import MAX_NAME, name_key

Mode = Literal["add", "refresh"]
SOURCE_LABELS = {"tmdb": "TMDB", "wikidata": "Wikidata"}
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
TOP_BILLED = 10  # the first ten billed are regulars whatever their episode count
REGULAR_SHARE = 4  # ...and so is anyone in at least 1/4 of the episodes
MAX_BILLING = 1000  # format 1's billing range is 1..1000 (records.parse_cast)


@dataclass
class Report:
    drama_id: int
    title: str
    created: bool
    linked: list[str] = field(default_factory=list)  # existing actors credited
    added: list[str] = field(default_factory=list)  # actors created
    apart: list[str] = field(default_factory=list)  # same name, a different person
    changes: list[str] = field(default_factory=list)  # for `refresh`: what differs
    cast: int = 0
    episodes: int = 0
    left_out: int = 0  # guests the source lists and the cast leaves out


def label(source: str) -> str:
    return SOURCE_LABELS.get(source, source)


def drama_by_source(conn: sqlite3.Connection, source: str, ext_id: str) -> int | None:
    return source_ids.record_with(conn, "drama", source, ext_id)


def stored_ids(conn: sqlite3.Connection, kind: str, record_id: int) -> dict[str, str]:
    return source_ids.ids_of(conn, kind, record_id)


@dataclass
class CastChoice:
    kept: list[CastEntry]  # one entry per person, billing = rank among those kept
    left_out: int  # people the source lists who are not regulars


def choose_cast(facts: DramaFacts, all_cast: bool = False) -> CastChoice:
    """The regulars of the source's cast (all of it with `all_cast`), billed by rank."""
    grouped = _grouped_cast(facts.cast)
    total = facts.episodes or max((e.episodes or 0 for e in grouped), default=0)

    def regular(entry: CastEntry) -> bool:
        # Billed by the source among its first ten (TMDB's order 0-9, P1545 1-10), or in a
        # quarter of the episodes; without an episode count, the source's word is taken.
        if entry.billing is not None and entry.billing <= TOP_BILLED:
            return True
        if entry.episodes is None or not total:
            return True
        return entry.episodes * REGULAR_SHARE >= total

    kept = grouped if all_cast else [e for e in grouped if regular(e)]
    # The source's order (stable: people it gives no order keep theirs, after the billed).
    ordered = sorted(kept, key=lambda e: (e.billing is None, e.billing or 0))
    chosen = []
    for rank, entry in enumerate(ordered, start=1):
        billing = rank if entry.billing is not None and rank <= MAX_BILLING else None
        chosen.append(CastEntry(entry.person, entry.characters, billing, entry.episodes))
    return CastChoice(chosen, len(grouped) - len(kept))


def _role(entry: CastEntry, total: int | None, billed: bool) -> str:
    # Sources give billing order and episode counts, not main/support: leads are billed
    # first; someone in one or two episodes of a longer run is a guest. A source that bills
    # nobody (Wikidata without P1545) leaves format 1's default, main.
    if entry.episodes is not None and total and total > 4 and entry.episodes <= 2:
        return "guest"
    if entry.billing is not None and entry.billing <= 4:
        return "main"
    return "support" if billed or entry.episodes is not None else "main"


def _differs(actor_native: str | None, actor_born: int | None, person: Person) -> str | None:
    """Why an actor with the same name is a different person, or None."""
    if actor_native and person.native and name_key(actor_native) != name_key(person.native):
        return f"Hangul name {person.native} is not {actor_native}"
    if actor_born and person.born and actor_born != person.born:
        return f"born {person.born}, not {actor_born}"
    return None


def _by_names(conn: sqlite3.Connection, person: Person) -> tuple[int | None, str | None]:
    """An actor the person's names resolve to, and why not when they resolve to several."""
    for text in (person.name, person.native, *person.aliases):
        if not text:
            continue
        ids = names.actors_named(conn, text)
        if len(ids) == 1:
            return ids[0], None
        if ids:
            found = ", ".join(actor_store.get_actor(conn, i).name for i in ids[:10])
            return None, f"{' '.join(text.split())!r} matches {len(ids)} actors: {found}"
    return None, None


def display_name(person: Person, korean: bool = False) -> str:
    """The catalogue's spelling of a Korean name: `Yoon Sang-hyun` -> `Yoon Sang Hyun` (the
    source's spelling is kept as an alias). Korean: a Hangul native name, or a person in the
    cast of a Korean drama (`korean`)."""
    if (korean or (person.native and _HANGUL.search(person.native))) and re.fullmatch(
        r"[A-Z][a-z]+ [A-Z][a-z]+-[a-z]+", person.name
    ):
        family, given = person.name.split(" ")
        return f"{family} " + " ".join(part.capitalize() for part in given.split("-"))
    return person.name


def _free_name(conn: sqlite3.Connection, person: Person, korean: bool) -> str:
    """A display name no actor has: the source's, or it with the birth year or Hangul."""
    base = display_name(person, korean)
    person = Person(**{**person.__dict__, "name": base})
    tries = [person.name]

    def told_apart(suffix: str) -> None:
        # Within a name's length limit: a name of 300 characters gives way to its suffix.
        room = MAX_NAME - len(suffix) - 1
        if room > 0:
            tries.append(f"{person.name[:room].rstrip()} {suffix}")

    if person.born:
        told_apart(f"({person.born})")
    if person.native and person.native != person.name:
        told_apart(f"({person.native})")
    told_apart(f"({label(person.source)} {person.id})")
    for name in tries:
        if not actor_store.actor_ids_by_name(conn, name):
            return name
    return tries[-1]


def _actor_for(
    conn: sqlite3.Connection,
    person: Person,
    taken: dict[int, str],
    report: Report,
    korean: bool,
) -> int:
    known = source_ids.record_with(conn, "actor", person.source, person.id)
    if known is not None:
        report.linked.append(actor_store.get_actor(conn, known).name)
        return known
    actor_id, ambiguous = _by_names(conn, person)
    reason = ambiguous
    if actor_id is not None:
        actor = actor_store.get_actor(conn, actor_id)
        other_id = source_ids.ids_of(conn, "actor", actor_id).get(person.source)
        if other_id and other_id != person.id:
            reason = f"{actor.name} is {label(person.source)} {other_id}, this is {person.id}"
        elif actor_id in taken and taken[actor_id] != person.id:
            reason = f"{actor.name} is already another person in this cast"
        else:
            reason = _differs(actor.native, actor.born, person)
        if reason is None:
            changes: dict[str, object] = {}
            if person.native and not actor.native:
                changes["native"] = person.native
            if person.born and not actor.born:
                changes["born"] = person.born
            if changes:
                actor_store.update_actor(conn, actor_id, **changes)
                search_index.refresh_for_actor(conn, actor_id)
            source_ids.set_id(conn, "actor", actor_id, person.source, person.id)
            report.linked.append(actor.name)
            return actor_id
    name = _free_name(conn, person, korean)
    new_id = actor_store.insert_actor(
        conn, {"name": name, "native": person.native, "born": person.born}
    )
    for alias in dict.fromkeys([person.name, *person.aliases]):
        if alias != name:
            actor_store.add_alias(conn, new_id, alias)
    source_ids.set_id(conn, "actor", new_id, person.source, person.id)
    report.added.append(name)
    if reason:
        report.apart.append(f"{person.name} ({label(person.source)} {person.id}): {reason}")
    return new_id


def people_to_check(
    conn: sqlite3.Connection, facts: DramaFacts, all_cast: bool = False
) -> list[Person]:
    """Cast members to be added without a birth year whose names match an actor with one
    and no id from this source: the source is asked for their birth years before linking
    (read-only)."""
    wanted = []
    for entry in choose_cast(facts, all_cast).kept:
        person = entry.person
        if person.born is not None:
            continue
        if source_ids.record_with(conn, "actor", person.source, person.id) is not None:
            continue
        actor_id, _ = _by_names(conn, person)
        if actor_id is None:
            continue
        if actor_store.get_actor(conn, actor_id).born is not None:
            wanted.append(person)
    return wanted


def _check_new(conn: sqlite3.Connection, facts: DramaFacts) -> None:
    existing = drama_by_source(conn, facts.source, facts.id)
    if existing is not None:
        title = drama_store.get_drama(conn, existing).title
        raise Conflict(
            f"{label(facts.source)} {facts.id} is already in the catalogue as {title!r}",
            hint=f"update it with `scenecat refresh drama {title!r}`",
        )
    if drama_store.drama_ids_by_title(conn, facts.title):
        raise Conflict(
            f"drama {facts.title!r} already exists",
            hint=f"update it from the source with `scenecat refresh drama {facts.title!r}`",
        )


def add_drama(conn: sqlite3.Connection, facts: DramaFacts, all_cast: bool = False) -> Report:
    """Add the drama, its cast (its regulars, or everyone with `all_cast`; linking or
    creating actors) and episodes."""
    _check_new(conn, facts)
    values: dict[str, object] = {
        "title": facts.title,
        "native": facts.native,
        "network": facts.network,
        "country": facts.country,
        "year": facts.year,
        "episodes": facts.episodes,
    }
    drama_id = drama_store.insert_drama(conn, values)
    report = Report(drama_id, facts.title, created=True)
    _store_ids(conn, drama_id, facts)
    for alias in facts.aliases:
        if alias not in (facts.title, facts.native):
            drama_store.add_alias(conn, drama_id, alias)
    choice = choose_cast(facts, all_cast)
    report.left_out = choice.left_out
    _apply_cast(conn, drama_id, facts, choice.kept, report)
    for episode in facts.episode_list:
        if facts.episodes is None or episode.number <= facts.episodes:
            values = {"aired": episode.aired, "title": episode.title}
            drama_store.upsert_episode(
                conn, drama_id, episode.number, {k: v for k, v in values.items() if v}
            )
            report.episodes += 1
    return report


def _store_ids(conn: sqlite3.Connection, drama_id: int, facts: DramaFacts) -> None:
    source_ids.set_id(conn, "drama", drama_id, facts.source, facts.id)
    for source, ext_id in facts.other_ids.items():
        owner = source_ids.record_with(conn, "drama", source, ext_id)
        if owner is None and source not in source_ids.ids_of(conn, "drama", drama_id):
            source_ids.set_id(conn, "drama", drama_id, source, ext_id)


def _grouped_cast(cast: list[CastEntry]) -> list[CastEntry]:
    """One entry per person: a person listed twice (two roles) keeps both characters, the
    better billing and the larger episode count."""
    by_person: dict[str, CastEntry] = {}
    for entry in cast:
        seen = by_person.get(entry.person.id)
        if seen is None:
            by_person[entry.person.id] = CastEntry(
                entry.person, list(entry.characters), entry.billing, entry.episodes
            )
            continue
        seen.characters += [c for c in entry.characters if c not in seen.characters]
        if entry.billing is not None and (seen.billing is None or entry.billing < seen.billing):
            seen.billing = entry.billing
        if entry.episodes is not None and (seen.episodes or 0) < entry.episodes:
            seen.episodes = entry.episodes
    return list(by_person.values())


def _is_korean(facts: DramaFacts) -> bool:
    return facts.country == "South Korea" or bool(facts.native and _HANGUL.search(facts.native))


def _apply_cast(
    conn: sqlite3.Connection,
    drama_id: int,
    facts: DramaFacts,
    cast: list[CastEntry],
    report: Report,
) -> None:
    taken: dict[int, str] = {}
    billed = any(e.billing is not None for e in facts.cast)
    korean = _is_korean(facts)
    for entry in cast:
        actor_id = _actor_for(conn, entry.person, taken, report, korean)
        taken[actor_id] = entry.person.id
        role = _role(entry, facts.episodes, billed)
        # One credit per character, as everywhere in the catalogue (twins, a dual role).
        characters: list[str | None] = [*entry.characters] or [None]
        for character in characters:
            drama_store.upsert_credit(conn, drama_id, actor_id, character, role, entry.billing)
        report.cast += 1


# Refresh


def _drama_changes(conn: sqlite3.Connection, drama_id: int, facts: DramaFacts) -> dict[str, object]:
    """Fields the source has and the catalogue has otherwise; an episode count below a
    scene's episode is not taken (the scene would be past the end)."""
    drama = drama_store.get_drama(conn, drama_id)
    changes: dict[str, object] = {}
    for name in ("native", "network", "country", "year", "episodes"):
        new = getattr(facts, name)
        if new is not None and new != getattr(drama, name):
            changes[name] = new
    last = drama_store.max_scene_episode(conn, drama_id)
    if "episodes" in changes and last is not None and (facts.episodes or 0) < last:
        del changes["episodes"]
    return changes


def refresh_changes(
    conn: sqlite3.Connection, drama_id: int, facts: DramaFacts, all_cast: bool = False
) -> list[str]:
    """What refreshing from `facts` would change, one line each; nothing is written."""
    drama = drama_store.get_drama(conn, drama_id)
    lines = []
    if facts.title != drama.title and facts.title not in drama.aliases:
        lines.append(f"alias: + {facts.title}")  # the catalogue's title is the user's
    for field_name, new in _drama_changes(conn, drama_id, facts).items():
        old = getattr(drama, field_name)
        lines.append(f"{field_name}: {old if old is not None else '-'} -> {new}")
    credited = {name_key(c.actor) for c in drama_store.credits(conn, drama_id=drama_id)}
    credited_ids = {c.actor_id for c in drama_store.credits(conn, drama_id=drama_id)}
    kept = choose_cast(facts, all_cast).kept
    for entry in kept:
        known = source_ids.record_with(conn, "actor", entry.person.source, entry.person.id)
        if known in credited_ids or name_key(entry.person.name) in credited:
            continue
        lines.append(f"cast: + {entry.person.name} ({' / '.join(entry.characters) or '-'})")
    unbilled = sorted(_unbilled_credits(conn, drama_id, kept), key=lambda pair: pair[1])
    billed = [f"{credit.actor} {billing}" for credit, billing in unbilled]
    if billed:
        lines.append(f"billing: {', '.join(billed)}")
    episodes = {e.number: e for e in drama_store.list_episodes(conn, drama_id=drama_id)}
    for episode in facts.episode_list:
        current = episodes.get(episode.number)
        if current is None:
            lines.append(f"episode {episode.number}: + aired {episode.aired or '-'}")
        elif episode.aired and episode.aired != current.aired:
            lines.append(
                f"episode {episode.number}: aired {current.aired or '-'} -> {episode.aired}"
            )
    stored = source_ids.ids_of(conn, "drama", drama_id).get(facts.source)
    if stored != facts.id:
        lines.append(f"{label(facts.source)} id: {stored or '-'} -> {facts.id}")
    return lines


def _unbilled_credits(
    conn: sqlite3.Connection, drama_id: int, kept: list[CastEntry]
) -> list[tuple[Credit, int]]:
    """The drama's credits without a billing whose actor the source bills: (credit, rank)."""
    # The first billed entry of `kept` that is the credit's actor: by the source's id, or
    # by name when the actor has no id from that source. Indexed once, so that a cast of
    # thousands is not compared credit by entry.
    by_id: dict[tuple[str, str], int] = {}
    by_name: dict[str, list[int]] = {}
    for i, entry in enumerate(kept):
        if entry.billing is not None:
            by_id.setdefault((entry.person.source, entry.person.id), i)
            by_name.setdefault(name_key(entry.person.name), []).append(i)
    result = []
    for credit in drama_store.credits(conn, drama_id=drama_id):
        if credit.billing is not None:
            continue
        ids = source_ids.ids_of(conn, "actor", credit.actor_id)
        found = [by_id[pair] for pair in ids.items() if pair in by_id]
        found += [
            i for i in by_name.get(name_key(credit.actor), []) if kept[i].person.source not in ids
        ]
        if found:
            billing = kept[min(found)].billing
            assert billing is not None
            result.append((credit, billing))
    return result


def _remember_id(conn: sqlite3.Connection, actor_id: int, person: Person, report: Report) -> None:
    """A credited actor the source lists under the same name gets the source's id, unless
    the id is another actor's or the facts disagree (then nothing is linked)."""
    if person.source in source_ids.ids_of(conn, "actor", actor_id):
        return
    if source_ids.record_with(conn, "actor", person.source, person.id) is not None:
        return
    actor = actor_store.get_actor(conn, actor_id)
    if _differs(actor.native, actor.born, person) is None:
        source_ids.set_id(conn, "actor", actor_id, person.source, person.id)
        report.linked.append(actor.name)


def refresh_drama(
    conn: sqlite3.Connection, drama_id: int, facts: DramaFacts, all_cast: bool = False
) -> Report:
    """Bring the drama up to the source: fill and correct facts, add missing cast members
    (regulars, or everyone with `all_cast`) and episodes. Facts the source lacks are kept,
    and nothing is removed."""
    drama = drama_store.get_drama(conn, drama_id)
    report = Report(drama_id, drama.title, created=False)
    report.changes = refresh_changes(conn, drama_id, facts, all_cast)
    if facts.title != drama.title and not drama_store.drama_ids_by_title(conn, facts.title):
        drama_store.add_alias(conn, drama_id, facts.title)
    drama_store.update_drama(conn, drama_id, _drama_changes(conn, drama_id, facts))
    _store_ids(conn, drama_id, facts)
    credited = {c.actor_id for c in drama_store.credits(conn, drama_id=drama_id)}
    credited_keys = {
        name_key(c.actor): c.actor_id for c in drama_store.credits(conn, drama_id=drama_id)
    }
    missing: list[CastEntry] = []
    choice = choose_cast(facts, all_cast)
    report.left_out = choice.left_out
    # Credits typed without a billing take the source's rank (filled, like other facts).
    for credit, billing in _unbilled_credits(conn, drama_id, choice.kept):
        drama_store.upsert_credit(conn, drama_id, credit.actor_id, None, credit.role, billing)
    for entry in choice.kept:
        known = source_ids.record_with(conn, "actor", entry.person.source, entry.person.id)
        if known in credited:
            continue
        if name_key(entry.person.name) in credited_keys:
            _remember_id(conn, credited_keys[name_key(entry.person.name)], entry.person, report)
            continue
        missing.append(entry)
    _apply_cast(conn, drama_id, facts, missing, report)
    for episode in facts.episode_list:
        values = {k: v for k, v in {"aired": episode.aired}.items() if v}
        if drama_store.upsert_episode(conn, drama_id, episode.number, values):
            report.episodes += 1
    search_index.refresh_for_drama(conn, drama_id)
    return report
