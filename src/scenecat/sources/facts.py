"""What a metadata source hands back: plain records, independent of any one provider."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Person:
    """A person as a source knows them."""

    source: str
    id: str
    name: str
    native: str | None = None
    aliases: list[str] = field(default_factory=list)
    born: int | None = None


@dataclass
class CastEntry:
    person: Person
    characters: list[str] = field(default_factory=list)
    billing: int | None = None
    episodes: int | None = None


@dataclass
class EpisodeFacts:
    number: int
    aired: str | None = None
    title: str | None = None


@dataclass
class Candidate:
    """One drama a source offers for a title: enough facts to tell candidates apart."""

    source: str
    id: str
    title: str
    native: str | None = None
    year: int | None = None
    network: str | None = None
    episodes: int | None = None
    country: str | None = None
    description: str | None = None


@dataclass
class DramaFacts:
    """A drama as one source has it."""

    source: str
    id: str
    title: str
    native: str | None = None
    aliases: list[str] = field(default_factory=list)
    network: str | None = None
    country: str | None = None
    first_aired: str | None = None
    episodes: int | None = None
    synopsis: str | None = None
    cast: list[CastEntry] = field(default_factory=list)
    episode_list: list[EpisodeFacts] = field(default_factory=list)
    # Ids of the same drama elsewhere (TMDB's external_ids carry the Wikidata Q-id).
    other_ids: dict[str, str] = field(default_factory=dict)
    # What was left out of the source's answer, and why (sources/checked.py).
    warnings: list[str] = field(default_factory=list)

    @property
    def year(self) -> int | None:
        return int(self.first_aired[:4]) if self.first_aired else None

    def candidate(self) -> Candidate:
        return Candidate(
            self.source,
            self.id,
            self.title,
            self.native,
            self.year,
            self.network,
            self.episodes,
            self.country,
        )
