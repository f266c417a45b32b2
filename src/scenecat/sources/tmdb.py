"""TMDB (The Movie Database) API v3: a free key (TMDB_API_KEY) or a read access token
(TMDB_TOKEN, sent as a bearer token).

A drama is one call: `tv/{id}?append_to_response=aggregate_credits,external_ids,season/1`
(each further season, rare for K-dramas, is one more call: `tv/{id}/season/{n}`). A file saved from
`tv/{id}?append_to_response=aggregate_credits,external_ids` reads the same way, with the
episodes' air dates when `season/N` was appended too.
"""

from __future__ import annotations

import os
import re
from typing import Any

from scenecat.errors import InvalidInput
from scenecat.sources.facts import Candidate, CastEntry, DramaFacts, EpisodeFacts, Person
from scenecat.sources.http import Http, SourceUnavailable

API = "https://api.themoviedb.org/3"
NOTICE = "This product uses the TMDB API but is not endorsed or certified by TMDB."
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


class Tmdb:
    name = "tmdb"
    summary = (
        "dramas (titles incl. original, networks, first air date, episodes with air dates), "
        "cast with characters and billing, people (original names, birthdays)"
    )
    terms = "TMDB API terms of use (themoviedb.org/api-terms-of-use); the notice below"
    setup: str | None = "TMDB_API_KEY or TMDB_TOKEN"

    def __init__(self, http: Http | None = None) -> None:
        self._http = http

    # network

    def _auth(self) -> tuple[dict[str, str], dict[str, str]]:
        key = os.environ.get("TMDB_API_KEY", "").strip()
        token = os.environ.get("TMDB_TOKEN", "").strip()
        if token:
            return {}, {"Authorization": f"Bearer {token}"}
        if key:
            return {"api_key": key}, {}
        raise SourceUnavailable(
            "TMDB needs a key: set TMDB_API_KEY (or TMDB_TOKEN, a read access token)",
            hint="get one free at https://www.themoviedb.org/settings/api, "
            "or use --from-file with a saved response",
        )

    def _get(self, path: str, **params: str | int) -> Any:
        query, headers = self._auth()
        http = self._http or Http()
        try:
            return http.get_json(f"{API}/{path}", {**params, **query}, headers)
        finally:
            if self._http is None:
                http.close()

    def search(self, title: str, year: int | None) -> list[Candidate]:
        params: dict[str, str | int] = {"query": title, "include_adult": "false"}
        if year:
            params["first_air_date_year"] = year
        data = self._get("search/tv", **params)
        return [_candidate(item) for item in _list(data, "results") if isinstance(item, dict)]

    def drama(self, ext_id: str) -> DramaFacts:
        if not ext_id.isdigit():
            raise InvalidInput(f"{ext_id!r} is not a TMDB id (a number, e.g. 93405)")
        # Season 1 comes with the details; a later season (rare for K-dramas) is one call.
        data = self._get(
            f"tv/{ext_id}", append_to_response="aggregate_credits,external_ids,season/1"
        )
        seasons = _regular_seasons(data)
        for number in seasons:
            if f"season/{number}" not in data:
                data[f"season/{number}"] = self._get(f"tv/{ext_id}/season/{number}")
        return self.drama_from_saved(data)

    def person(self, ext_id: str) -> Person:
        data = self._get(f"person/{ext_id}")
        return _person(data, data.get("also_known_as"))

    # parsing

    def drama_from_saved(self, data: Any) -> DramaFacts:
        if not isinstance(data, dict) or "id" not in data or "name" not in data:
            raise InvalidInput(
                "not a TMDB TV series response (no id and name)",
                hint="save the JSON of tv/{id}?append_to_response=aggregate_credits,external_ids",
            )
        networks = [n.get("name") for n in _list(data, "networks") if isinstance(n, dict)]
        countries = [c for c in _list(data, "origin_country") if isinstance(c, str)]
        native = _text(data.get("original_name"))
        title = _text(data.get("name")) or native or str(data["id"])
        credits = data.get("aggregate_credits")
        if not isinstance(credits, dict):
            credits = data.get("credits") if isinstance(data.get("credits"), dict) else {}
        cast = [_cast(item) for item in _list(credits, "cast") if isinstance(item, dict)]
        cast.sort(key=lambda c: c.billing if c.billing is not None else 10**6)
        episodes: list[EpisodeFacts] = []
        offset = 0
        for number in _regular_seasons(data):
            season = data.get(f"season/{number}")
            if not isinstance(season, dict):
                break  # numbering further seasons needs this one's length
            listed = [e for e in _list(season, "episodes") if isinstance(e, dict)]
            for episode in listed:
                n = episode.get("episode_number")
                if isinstance(n, int) and n > 0:
                    episodes.append(
                        EpisodeFacts(
                            offset + n,
                            _date(episode.get("air_date")),
                            _episode_title(episode.get("name"), n),
                        )
                    )
            offset += len(listed)
        external = _dict(data.get("external_ids"))
        other = {}
        if isinstance(external.get("wikidata_id"), str) and external["wikidata_id"]:
            other["wikidata"] = external["wikidata_id"]
        count = data.get("number_of_episodes")
        return DramaFacts(
            source=self.name,
            id=str(data["id"]),
            title=title,
            native=native if native and native != title else None,
            network=_text(networks[0]) if networks else None,
            country=_COUNTRIES.get(countries[0], countries[0]) if countries else None,
            first_aired=_date(data.get("first_air_date")),
            episodes=count if isinstance(count, int) and count > 0 else None,
            synopsis=_text(data.get("overview")),
            cast=cast,
            episode_list=episodes,
            other_ids=other,
        )


_COUNTRIES = {"KR": "South Korea", "JP": "Japan", "CN": "China", "TW": "Taiwan", "US": "USA"}


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(data: Any, key: str) -> list[Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    return None


def _date(value: Any) -> str | None:
    text = _text(value)
    return text if text and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None


def _episode_title(value: Any, number: int) -> str | None:
    text = _text(value)
    # TMDB fills untitled episodes with "Episode 3" (or the local equivalent): not a title.
    if text is None or re.fullmatch(rf"(Episode|에피소드|제?)\s*{number}\s*(화|회)?", text):
        return None
    return text


def _regular_seasons(data: dict[str, Any]) -> list[int]:
    numbers = [
        s.get("season_number")
        for s in _list(data, "seasons")
        if isinstance(s, dict) and isinstance(s.get("season_number"), int)
    ]
    return sorted(n for n in numbers if isinstance(n, int) and n > 0)


def _candidate(item: dict[str, Any]) -> Candidate:
    title = _text(item.get("name")) or str(item.get("id"))
    native = _text(item.get("original_name"))
    aired = _date(item.get("first_air_date"))
    countries = [c for c in _list(item, "origin_country") if isinstance(c, str)]
    return Candidate(
        source="tmdb",
        id=str(item.get("id")),
        title=title,
        native=native if native != title else None,
        year=int(aired[:4]) if aired else None,
        country=_COUNTRIES.get(countries[0], countries[0]) if countries else None,
        description=_text(item.get("overview")),
    )


def _person(data: dict[str, Any], aliases: Any = None) -> Person:
    name = _text(data.get("name")) or ""
    original = _text(data.get("original_name"))
    names = [a for a in (aliases or []) if isinstance(a, str)]
    native = original if original and _HANGUL.search(original) else None
    if native is None:
        native = next((a for a in names if _HANGUL.search(a)), None)
    if not name or _HANGUL.search(name):
        # A Hangul-only record: keep the Hangul as the native name and romanise nothing.
        native = native or name or None
        name = next((a for a in names if a and not _HANGUL.search(a)), name)
    birthday = _date(data.get("birthday"))
    return Person(
        source="tmdb",
        id=str(data.get("id")),
        name=name,
        native=native,
        aliases=[a for a in names if a not in (name, native)][:10],
        born=int(birthday[:4]) if birthday else None,
    )


def _cast(item: dict[str, Any]) -> CastEntry:
    roles = [r for r in _list(item, "roles") if isinstance(r, dict)]
    characters: list[str] = []
    for role in roles:
        character = _text(role.get("character"))
        if character and character not in characters:
            characters.append(character)
    if not roles:  # plain `credits` instead of aggregate_credits
        character = _text(item.get("character"))
        if character:
            characters.append(character)
    order = item.get("order")
    episodes = item.get("total_episode_count")
    return CastEntry(
        person=_person(item),
        characters=characters,
        billing=order + 1 if isinstance(order, int) and order >= 0 else None,
        episodes=episodes if isinstance(episodes, int) else None,
    )
