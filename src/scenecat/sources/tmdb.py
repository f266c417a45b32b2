"""TMDB (The Movie Database) API v3: a free key (TMDB_API_KEY) or a read access token
(TMDB_TOKEN, sent as a bearer token). Shapes: TMDB's OpenAPI description (docs/sources.md).

A drama is one call, `tv/{id}?append_to_response=aggregate_credits,external_ids,season/1`,
plus, for a Korean drama, `tv/{id}/aggregate_credits?language=ko-KR` for the cast's Hangul
names (a person's `name` follows `language`; `original_name` is TMDB's primary name, most
often the romanised one). Every other call asks for `language=en-US` explicitly.

Seasons: a series with one regular season is one drama. Of a series with several, each
season is its own drama, as fans and MyDramaList count them: season 1 keeps the series' id
and title ("Hospital Playlist", `96162`), a later one gets the number ("Hospital Playlist 2",
`96162/season/2`); its episodes, cast (`tv/{id}/season/{n}?append_to_response=
aggregate_credits`), first air date and episode count are the season's.

An IMDb id (`tt...`) or a Wikidata id (`Q...`) is turned into TMDB's with
`find/{external_id}?external_source=imdb_id|wikidata_id`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from scenecat.errors import InvalidInput, NotFound
from scenecat.sources.attribution import TMDB_NOTICE
from scenecat.sources.facts import Candidate, CastEntry, DramaFacts, EpisodeFacts, Person
from scenecat.sources.http import Http, SourceUnavailable

API = "https://api.themoviedb.org/3"
NOTICE = TMDB_NOTICE
LANGUAGE = "en-US"
KOREAN = "ko-KR"
DRAMA_PARTS = "aggregate_credits,external_ids,season/1"
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATIN = re.compile(r"^[\x20-\x7e\u00c0-\u024f]+$")
_ID = re.compile(r"^(\d+)(?:/season/(\d+))?$")
MAX_SEASON = 1000  # a season number past this is not one


@dataclass(frozen=True)
class SeriesId:
    """A TMDB series, and one of its seasons when the drama is a later season."""

    series: str
    season: int | None = None

    def __str__(self) -> str:
        return self.series if self.season is None else f"{self.series}/season/{self.season}"


def parse_id(ext_id: str) -> SeriesId:
    match = _ID.match(ext_id.strip())
    if not match:
        raise InvalidInput(
            f"{ext_id!r} is not a TMDB id",
            hint="a number (93405), a season (96162/season/2), an IMDb id (tt...) "
            "or a Wikidata id (Q...)",
        )
    season = int(match.group(2)) if match.group(2) else None
    return SeriesId(match.group(1), season if season and season > 0 else None)


class Tmdb:
    name = "tmdb"
    summary = (
        "dramas (titles incl. original, networks, first air date, episodes with air dates; "
        "each later season its own drama), cast with characters and billing, people "
        "(Hangul names, birthdays)"
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
            return http.get_json(
                f"{API}/{path}", {"language": LANGUAGE, **params, **query}, headers
            )
        finally:
            if self._http is None:
                http.close()

    def search(self, title: str, year: int | None) -> list[Candidate]:
        from scenecat.sources.matching import season_base

        # TMDB searches series: "Hospital Playlist 2" is found as "Hospital Playlist" (whose
        # first air year is not season 2's, so the year is left to the ranking).
        base = season_base(title)
        params: dict[str, str | int] = {"query": base or title, "include_adult": "false"}
        if year and base is None:
            params["first_air_date_year"] = year
        data = self._get("search/tv", **params)
        return [_candidate(item) for item in _list(data, "results") if isinstance(item, dict)]

    def details(self, candidate: Candidate) -> list[Candidate]:
        """The candidate with its network and episode count (search results have neither),
        one candidate per season when the series has several. The call is the first one of
        `drama()`, so the cache serves it again when the candidate is taken."""
        series = parse_id(candidate.id).series
        data = self._get(f"tv/{series}", append_to_response=DRAMA_PARTS)
        return candidates_from_series(data)

    def find(self, ext_id: str) -> SeriesId:
        """TMDB's series (or season) for an IMDb id or a Wikidata id."""
        source = "imdb_id" if ext_id.startswith("tt") else "wikidata_id"
        data = self._get(f"find/{ext_id}", external_source=source)
        return found_series(data, ext_id)

    def drama(self, ext_id: str) -> DramaFacts:
        wanted = self.find(ext_id) if re.fullmatch(r"tt\d+|Q[1-9]\d*", ext_id) else None
        wanted = wanted or parse_id(ext_id)
        data = self._get(f"tv/{wanted.series}", append_to_response=DRAMA_PARTS)
        if not isinstance(data, dict):
            raise SourceUnavailable("TMDB sent something that is not a TV series")
        seasons = _regular_seasons(data)
        season = wanted.season or (seasons[0] if len(seasons) > 1 else None)
        if season is not None and season not in seasons:
            raise NotFound(f"TMDB {wanted.series} has no season {season}")
        if season is not None:
            # The season's own episodes and cast (the series' credits hold every season).
            data[f"season/{season}"] = self._get(
                f"tv/{wanted.series}/season/{season}", append_to_response="aggregate_credits"
            )
            credits_path = f"tv/{wanted.series}/season/{season}/aggregate_credits"
        else:
            for number in seasons:
                if f"season/{number}" not in data:
                    data[f"season/{number}"] = self._get(f"tv/{wanted.series}/season/{number}")
            credits_path = f"tv/{wanted.series}/aggregate_credits"
        facts = _facts(data, season)
        if _is_korean(data):
            korean = self._get(credits_path, language=KOREAN)
            add_hangul_names(facts, korean)
        return facts

    def person(self, ext_id: str) -> Person:
        data = self._get(f"person/{ext_id}")
        return _person(data, data.get("also_known_as"))

    # saved responses

    def drama_from_saved(self, data: Any, ext_id: str | None = None) -> DramaFacts:
        _check_series(data)
        seasons = _regular_seasons(data)
        season = parse_id(ext_id).season if ext_id else None
        if season is None and len(seasons) > 1:
            # The first season the file holds the episodes of (a file saved with
            # `season/2` appended is about season 2).
            season = next((n for n in seasons if f"season/{n}" in data), seasons[0])
        if season is not None and season not in seasons:
            raise InvalidInput(f"the saved TMDB response has no season {season}")
        return _facts(data, season)

    def candidates_from_saved(self, data: Any) -> list[Candidate]:
        """A saved `search/tv` answer, or a saved series (one candidate per season)."""
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            return [_candidate(i) for i in data["results"] if isinstance(i, dict)]
        _check_series(data)
        return candidates_from_series(data)


def _check_series(data: Any) -> None:
    if not isinstance(data, dict) or "id" not in data or "name" not in data:
        raise InvalidInput(
            "not a TMDB TV series response (no id and name)",
            hint="save the JSON of tv/{id}?append_to_response=aggregate_credits,external_ids",
        )
    if not _ext_id(data["id"]):
        raise InvalidInput(
            f"not a TMDB TV series response (its id {data['id']!r:.40} is not a number)"
        )


def _ext_id(value: Any) -> str:
    """A TMDB id (a whole number) as text; "" for anything else (null, 5.5, "x")."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63:
        return str(value)
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        return value
    return ""


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


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _episode_title(value: Any, number: int) -> str | None:
    text = _text(value)
    # TMDB fills untitled episodes with "Episode 3" (or the local equivalent): not a title.
    if text is None or re.fullmatch(rf"(Episode|에피소드|제?)\s*{number}\s*(화|회)?", text):
        return None
    return text


def _regular_seasons(data: dict[str, Any]) -> list[int]:
    """Season numbers but the specials (season 0)."""
    numbers = [s.get("season_number") for s in _list(data, "seasons") if isinstance(s, dict)]
    return sorted({n for n in numbers if isinstance(n, int) and 0 < n <= MAX_SEASON})


def _season_entry(data: dict[str, Any], number: int) -> dict[str, Any]:
    return next(
        (
            s
            for s in _list(data, "seasons")
            if isinstance(s, dict) and s.get("season_number") == number
        ),
        {},
    )


def _country(data: dict[str, Any]) -> str | None:
    countries = [c for c in _list(data, "origin_country") if isinstance(c, str)]
    return _COUNTRIES.get(countries[0], countries[0]) if countries else None


def _is_korean(data: dict[str, Any]) -> bool:
    return data.get("original_language") == "ko" or "KR" in _list(data, "origin_country")


def _network(data: dict[str, Any]) -> str | None:
    names = [_text(n.get("name")) for n in _list(data, "networks") if isinstance(n, dict)]
    return next((n for n in names if n), None)


def _titles(data: dict[str, Any], season: int | None) -> tuple[str, str | None]:
    native = _text(data.get("original_name"))
    title = _text(data.get("name")) or native or _ext_id(data.get("id"))
    if season is not None and season > min(_regular_seasons(data), default=1):
        # "Hospital Playlist 2", "슬기로운 의사생활 2": how fans and MyDramaList name it.
        title, native = f"{title} {season}", f"{native} {season}" if native else None
    return title, native if native and native != title else None


def season_id(data: dict[str, Any], season: int | None) -> str:
    """The drama's id: the series' for a series or its first season, else with the season."""
    series = _ext_id(data.get("id"))
    if season is None or season == min(_regular_seasons(data), default=season):
        return series
    return str(SeriesId(series, season))


def candidates_from_series(data: Any) -> list[Candidate]:
    """A series as candidates: one, or one per season when it has several."""
    if not isinstance(data, dict):
        return []
    seasons = _regular_seasons(data)
    if len(seasons) <= 1:
        aired = _date(data.get("first_air_date"))
        title, native = _titles(data, None)
        return [
            Candidate(
                "tmdb",
                _ext_id(data.get("id")),
                title,
                native,
                int(aired[:4]) if aired else None,
                _network(data),
                _count(data.get("number_of_episodes")),
                _country(data),
                _text(data.get("overview")),
            )
        ]
    found = []
    for number in seasons:
        entry = _season_entry(data, number)
        aired = _date(entry.get("air_date"))
        title, native = _titles(data, number)
        found.append(
            Candidate(
                "tmdb",
                season_id(data, number),
                title,
                native,
                int(aired[:4]) if aired else None,
                _network(data),
                _count(entry.get("episode_count")),
                _country(data),
                _text(entry.get("overview")) or _text(data.get("overview")),
            )
        )
    return found


def found_series(data: Any, ext_id: str) -> SeriesId:
    """The series (or season) a `find/{external_id}` answer points at."""
    series = [r for r in _list(data, "tv_results") if isinstance(r, dict)]
    if series and isinstance(series[0].get("id"), int):
        return SeriesId(str(series[0]["id"]))
    for season in _list(data, "tv_season_results"):
        if isinstance(season, dict) and isinstance(season.get("show_id"), int):
            number = season.get("season_number")
            return SeriesId(str(season["show_id"]), number if isinstance(number, int) else None)
    raise NotFound(f"TMDB knows no TV series with the id {ext_id}")


def _facts(data: dict[str, Any], season: int | None) -> DramaFacts:
    """A series (season None) or one of its seasons as a drama."""
    title, native = _titles(data, season)
    if season is None:
        credits = data.get("aggregate_credits")
        if not isinstance(credits, dict):
            credits = _dict(data.get("credits"))
        first_aired = _date(data.get("first_air_date"))
        count = _count(data.get("number_of_episodes"))
        episodes = _series_episodes(data)
    else:
        season_data = _dict(data.get(f"season/{season}"))
        # A saved series file without the season's own credits: the series' are the best
        # there is (they hold every season's cast).
        credits = _dict(season_data.get("aggregate_credits") or data.get("aggregate_credits"))
        entry = _season_entry(data, season)
        first_aired = _date(entry.get("air_date")) or _date(season_data.get("air_date"))
        count = _count(entry.get("episode_count"))
        episodes = _episodes(season_data, 0)
    cast = [_cast(item) for item in _list(credits, "cast") if isinstance(item, dict)]
    external = _dict(data.get("external_ids"))
    other = {}
    wikidata = external.get("wikidata_id")
    if (
        isinstance(wikidata, str)
        and wikidata
        and season_id(data, season) == _ext_id(data.get("id"))
    ):
        # The series' Wikidata item; a later season has an item of its own, if any.
        other["wikidata"] = wikidata
    return DramaFacts(
        source="tmdb",
        id=season_id(data, season),
        title=title,
        native=native,
        aliases=[f"{title.rsplit(' ', 1)[0]} Season {season}"]
        if season is not None and title.endswith(f" {season}")
        else [],
        network=_network(data),
        country=_country(data),
        first_aired=first_aired,
        episodes=count,
        synopsis=_text(data.get("overview")),
        cast=cast,
        episode_list=episodes,
        other_ids=other,
    )


def _episodes(season: dict[str, Any], offset: int) -> list[EpisodeFacts]:
    found = []
    for episode in _list(season, "episodes"):
        n = episode.get("episode_number") if isinstance(episode, dict) else None
        if isinstance(n, int) and n > 0:
            found.append(
                EpisodeFacts(
                    offset + n,
                    _date(episode.get("air_date")),
                    _episode_title(episode.get("name"), n),
                )
            )
    return found


def _series_episodes(data: dict[str, Any]) -> list[EpisodeFacts]:
    """A one-season series' episodes (numbered on across seasons if a saved file has more)."""
    found: list[EpisodeFacts] = []
    offset = 0
    for number in _regular_seasons(data):
        season = data.get(f"season/{number}")
        if not isinstance(season, dict):
            break  # numbering further seasons needs this one's length
        found += _episodes(season, offset)
        offset += len(_list(season, "episodes"))
    return found


def _candidate(item: dict[str, Any]) -> Candidate:
    title = _text(item.get("name")) or _ext_id(item.get("id"))
    native = _text(item.get("original_name"))
    aired = _date(item.get("first_air_date"))
    return Candidate(
        source="tmdb",
        id=_ext_id(item.get("id")),
        title=title,
        native=native if native != title else None,
        year=int(aired[:4]) if aired else None,
        country=_country(item),
        description=_text(item.get("overview")),
    )


def _person(data: dict[str, Any], aliases: Any = None) -> Person:
    """A person from a cast entry or `person/{id}`: the first Latin name of `name`,
    `original_name` and the aliases, and the first Hangul one as the native name."""
    names = [_text(data.get("name")), _text(data.get("original_name"))]
    names += [_text(a) for a in aliases or [] if isinstance(a, str)]
    known = [n for n in dict.fromkeys(names) if n]
    latin = next((n for n in known if _LATIN.match(n)), None)
    native = next((n for n in known if _HANGUL.search(n)), None)
    name = latin or native or (known[0] if known else "")
    birthday = _date(data.get("birthday"))
    # also_known_as holds the name in many scripts: the Latin and Hangul ones find the actor.
    aliases = [
        a for a in known if a not in (name, native) and (_LATIN.match(a) or _HANGUL.search(a))
    ]
    return Person(
        source="tmdb",
        id=_ext_id(data.get("id")),
        name=name,
        native=native,
        aliases=aliases[:10],
        born=int(birthday[:4]) if birthday else None,
    )


def add_hangul_names(facts: DramaFacts, korean_credits: Any) -> None:
    """Hangul names from the cast as TMDB gives it with `language=ko-KR` (where a person
    has a Korean name, `name` is it), for the people who have none yet."""
    hangul = {}
    for item in _list(korean_credits, "cast"):
        name = _text(item.get("name")) if isinstance(item, dict) else None
        if name and _HANGUL.search(name):
            hangul[_ext_id(item.get("id"))] = name
    for entry in facts.cast:
        if entry.person.native is None and entry.person.id in hangul:
            entry.person.native = hangul[entry.person.id]


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
        # TMDB's order is sparse (0, 3, 5 ... 1031): an order to sort by, not a billing.
        billing=order + 1 if isinstance(order, int) and order >= 0 else None,
        episodes=episodes if isinstance(episodes, int) else None,
    )
