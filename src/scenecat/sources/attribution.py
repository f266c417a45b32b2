"""Crediting the sources whose facts are shown: `show`, articles, the website.

TMDB's terms make free use of its API conditional on attribution: its notice wherever its
data is shown (https://www.themoviedb.org/api-terms-of-use). Wikidata's data is CC0 and asks
for nothing; scenecat credits it all the same, with a link to the item, so that readers can
check and correct the facts at their source.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

TMDB_NOTICE = "This product uses the TMDB API but is not endorsed or certified by TMDB."


@dataclass(frozen=True)
class Attribution:
    source: str  # the source's name in scenecat: "tmdb"
    name: str  # as readers know it: "TMDB"
    notice: str  # the sentence to show
    url: str | None  # the source's home page

    def as_json(self, record_url: str | None = None) -> dict[str, str | None]:
        return {
            "source": self.source,
            "name": self.name,
            "notice": self.notice,
            "url": record_url or self.url,
        }

    def line(self, record_url: str | None = None) -> str:
        """One line for a terminal: "TMDB https://...: the notice"."""
        where = record_url or self.url
        return f"{self.name}{f' {where}' if where else ''}: {self.notice}"


BUILTIN = {
    "tmdb": Attribution("tmdb", "TMDB", TMDB_NOTICE, "https://www.themoviedb.org/"),
    "wikidata": Attribution(
        "wikidata",
        "Wikidata",
        "data under CC0 (public domain).",
        "https://www.wikidata.org/",
    ),
}


def attributions(sources: Iterable[str]) -> list[Attribution]:
    """Who to credit for records holding ids from these sources: TMDB first (its terms ask
    for it), then Wikidata, then plugins' sources by name."""
    names = set(sources)
    found = [BUILTIN[n] for n in ("tmdb", "wikidata") if n in names]
    for name in sorted(names - set(BUILTIN)):
        found.append(Attribution(name, name, f"facts from {name}.", None))
    return found


def record_url(source: str, kind: str, ext_id: str) -> str | None:
    """The record's page at its source: a drama (or a TMDB season) or a person."""
    if source == "tmdb":
        path = "person" if kind == "actor" else "tv"
        return f"https://www.themoviedb.org/{path}/{ext_id}"
    if source == "wikidata":
        return f"https://www.wikidata.org/wiki/{ext_id}"
    return None


def for_record(kind: str, ids: Mapping[str, str]) -> list[tuple[Attribution, str | None]]:
    """The credits of one drama or actor, each with the record's page at the source."""
    return [(a, record_url(a.source, kind, ids[a.source])) for a in attributions(ids)]
