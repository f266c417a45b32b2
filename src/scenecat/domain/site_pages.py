"""What each page of the fan website holds, as plain data (web/ turns it into HTML): the
home page, a search, a scene, a drama, an actor, and cards for a ranking's rows.

Every page is made of scene cards (scene_cards.py). Rankings are `rank_scenes` and
`trending` (the CLI's own code), searches are `scenecat search`'s query language, FTS
expression and bm25 weights, and scores are `scores_of`: the site cannot disagree with the
CLI. A search reads its best 1,000 matches once: every page of it is among them, and its
facets (drama, kind, year, actor) count them; the total comes from the index alone.
"""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
from dataclasses import dataclass, field, replace

from scenecat.domain.articles.wording import kind_label, methodology
from scenecat.domain.browse import resolve_scope
from scenecat.domain.query import match_expression, parse
from scenecat.domain.ranking import RankedEntry, make_params, rank_scenes
from scenecat.domain.scene_cards import SceneCard, cards
from scenecat.domain.scope import Scope
from scenecat.domain.search import merge_scope
from scenecat.domain.search import search as cli_search
from scenecat.domain.source_credits import catalogue_credits, credits_for
from scenecat.domain.trends import parse_today, trending
from scenecat.errors import ScenecatError, UsageError
from scenecat.storage import page_queries, search_queries
from scenecat.storage.page_queries import (
    ActorFacts,
    CastMember,
    Counted,
    DramaFacts,
    EpisodeFacts,
    Facets,
    Role,
)

HOME_SIZE = 6  # cards per section of the home page
PAGE_SIZE = 20  # cards per page of a search or a ranking
FACET_SIZE = 8
MAX_PAGE = 50  # a search shows its best PAGE_SIZE * MAX_PAGE matches, as pages
FACET_BASE = PAGE_SIZE * MAX_PAGE  # the best scenes of a search read at once (1,000)
TRENDING_DAYS = 30


@dataclass(frozen=True)
class Ranked:
    """A card at its place in a ranking; `group` is the drama (or actor) it stands for."""

    position: int
    card: SceneCard
    group: str | None = None
    per_day: float | None = None  # trending: views gained per day


@dataclass
class Trending:
    entries: list[Ranked]
    since: str
    until: str
    days: int


@dataclass
class HomePage:
    best_kiss_per_drama: list[Ranked]
    best: list[Ranked]
    trending: Trending
    recent: list[SceneCard]
    dramas: list[Counted]
    actors: list[Counted]
    credits: list[dict[str, str | None]]  # the sources of the catalogue's facts (TMDB's notice)
    method: str  # how scores are made, in the articles' words


def home(conn: sqlite3.Connection, size: int = HOME_SIZE) -> HomePage:
    params = make_params("combined")
    per_drama = rank_scenes(conn, Scope(kind="kiss"), params, by="drama", limit=size)
    best = rank_scenes(conn, Scope(), params, limit=size)
    return HomePage(
        best_kiss_per_drama=_ranked(conn, per_drama.entries),
        best=_ranked(conn, best.entries),
        trending=trending_page(conn, TRENDING_DAYS, None, size, latest=True),
        recent=cards(conn, page_queries.newest_scene_ids(conn, size)),
        dramas=page_queries.dramas_with_most_scenes(conn, size * 2),
        actors=page_queries.actors_with_most_scenes(conn, size * 2),
        credits=catalogue_credits(conn),
        method=methodology(params, "combined").removeprefix("How we ranked: "),
    )


def _ranked(conn: sqlite3.Connection, entries: list[RankedEntry]) -> list[Ranked]:
    by_id = {c.id: c for c in cards(conn, [e.scene.id for e in entries])}
    return [
        Ranked(e.position, by_id[e.scene.id], e.group if e.info.by != "scene" else None)
        for e in entries
        if e.scene.id in by_id
    ]


def trending_page(
    conn: sqlite3.Connection,
    days: int,
    until: dt.date | None,
    size: int = PAGE_SIZE,
    *,
    latest: bool = False,
) -> Trending:
    """`trending --days DAYS --until UNTIL` as cards. `latest` (the home page): when nothing
    rose in the window up to today, the window up to the latest view count instead, so that
    a catalogue whose counts were last refreshed a while ago still shows what was rising
    (and when nothing rose within `days` of it, within a year of it)."""
    last = until or parse_today(None)
    result = trending(conn, days, last, limit=size)
    newest = page_queries.latest_view_date(conn) if latest and until is None else None
    if newest is not None and newest < last:
        # counts refreshed a while ago: the window up to the newest count, then a year's
        for window in (days, max(days, 365)):
            if result.entries:
                break
            result = trending(conn, window, newest, limit=size)
    by_id = {c.id: c for c in cards(conn, [e.scene.id for e in result.entries])}
    entries = [
        Ranked(e.position, by_id[e.scene.id], per_day=e.per_day)
        for e in result.entries
        if e.scene.id in by_id
    ]
    return Trending(entries, result.since, result.until, result.days)


@dataclass
class DramaPage:
    drama: DramaFacts
    cast: list[CastMember]
    episodes: list[EpisodeFacts]
    scenes: list[Ranked]  # its scenes, best first
    scene_count: int
    credits: list[dict[str, str | None]]  # the sources its facts (cast, episodes) came from


def drama_page(conn: sqlite3.Connection, drama_id: int, size: int = 50) -> DramaPage | None:
    facts = page_queries.drama_facts(conn, drama_id)
    if facts is None:
        return None
    result = rank_scenes(conn, Scope(drama=facts.title), make_params("combined"), limit=size)
    episodes = page_queries.drama_episodes(conn, drama_id)
    return DramaPage(
        drama=facts,
        cast=page_queries.drama_cast(conn, drama_id),
        episodes=episodes,
        scenes=_ranked(conn, result.entries),
        scene_count=result.scope_size,
        credits=credits_for(conn, dramas=[facts.title]),
    )


@dataclass
class ActorPage:
    actor: ActorFacts
    roles: list[Role]
    best: list[Ranked]  # their best scenes
    scene_count: int
    credits: list[dict[str, str | None]]


def actor_page(conn: sqlite3.Connection, actor_id: int, size: int = 12) -> ActorPage | None:
    facts = page_queries.actor_facts(conn, actor_id)
    if facts is None:
        return None
    result = rank_scenes(conn, Scope(actors=(facts.name,)), make_params("combined"), limit=size)
    return ActorPage(
        actor=facts,
        roles=page_queries.actor_roles(conn, actor_id),
        best=_ranked(conn, result.entries),
        scene_count=result.scope_size,
        credits=credits_for(conn, actors=[facts.name]),
    )


def cards_by_key(conn: sqlite3.Connection, keys: list[str]) -> dict[str, SceneCard]:
    """The cards of the scenes of `keys` (the rows of a canned query), by key."""
    return {c.key: c for c in cards(conn, page_queries.scene_ids_by_keys(conn, keys))}


def scene_page(conn: sqlite3.Connection, scene_id: int) -> SceneCard | None:
    found = cards(conn, [scene_id])
    return found[0] if found else None


# --- search ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selected:
    """The facet filters chosen (besides field:value words typed in the search box)."""

    drama: str = ""
    actor: str = ""
    kind: str = ""
    year: str = ""

    def scope(self) -> Scope:
        return Scope(
            actors=(self.actor,) if self.actor else (),
            drama=self.drama or None,
            kind=self.kind or None,
            year=self.year or None,
        )

    def words(self) -> str:
        """The same filters as words of the search language (for the JSON and CSV links,
        and the CLI: `scenecat search 'kiss drama:"Healer"'`)."""
        said = []
        for name, value in (
            ("drama", self.drama),
            ("actor", self.actor),
            ("kind", self.kind),
            ("year", self.year),
        ):
            if value:
                said.append(f'{name}:"{value}"' if needs_quotes(value) else f"{name}:{value}")
        return " ".join(said)


def needs_quotes(value: str) -> bool:
    return any(not ch.isalnum() and ch not in "-_." for ch in value)


@dataclass
class SearchPage:
    text: str
    selected: Selected
    cards: list[SceneCard]
    total: int
    page: int
    pages: int
    size: int
    facets: Facets | None
    by_relevance: bool  # words given: best match first; otherwise best score first
    suggestion: str | None = None
    error: str | None = None
    more: bool = field(default=False)  # matches beyond the last page shown

    @property
    def first(self) -> int:
        return (self.page - 1) * self.size + 1


def search_page(
    conn: sqlite3.Connection,
    text: str,
    selected: Selected,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> SearchPage:
    """One page of a search (best match first), its total and its facets. No words: every
    scene of the filters, best score first (browsing)."""
    page = max(1, min(page, MAX_PAGE))
    text = text.strip()
    empty = SearchPage(text, selected, [], 0, page, 0, size, None, bool(text))
    try:
        query = parse(text)
        scope = merge_scope(conn, query, selected.scope())
        where, params = resolve_scope(conn, scope).where()
        expression = match_expression(query)
        if expression is None and query.excluded:
            raise UsageError(
                "a search needs at least one word to look for, not only -exclusions",
                hint="e.g. kiss -rain",
            )
    except ScenecatError as exc:
        empty.error = _said(exc)
        return empty
    # The best FACET_BASE scenes are read once: every page of the search is among them
    # (PAGE_SIZE * MAX_PAGE), and the facets count them. A broad word matching many more
    # is counted by the index alone; its facets then count its best FACET_BASE (they say so).
    best = _best_ids(conn, expression, scope, where, params, FACET_BASE)
    total = (
        len(best)
        if len(best) < FACET_BASE
        else page_queries.match_count(conn, expression, where, params)
    )
    found = page_queries.facets(conn, best, FACET_SIZE)
    found.kinds = [replace(v, label=kind_label(v.value)) for v in found.kinds]
    shown = best[(page - 1) * size : page * size]
    pages = min(MAX_PAGE, math.ceil(total / size)) if total else 0
    result = SearchPage(
        text,
        selected,
        cards(conn, shown),
        total,
        page,
        pages,
        size,
        found,
        expression is not None,
        more=total > MAX_PAGE * size,
    )
    if not total and text:
        result.suggestion = cli_search(conn, _with(text, selected), limit=1).suggestion
    return result


def _best_ids(
    conn: sqlite3.Connection,
    expression: str | None,
    scope: Scope,
    where: str,
    params: list[object],
    limit: int,
) -> list[int]:
    """The first `limit` scenes: by relevance (bm25 with `scenecat search`'s weights, in
    the FTS query), or without words by score, as `rank` orders the same filters."""
    if expression is not None:
        return [i for i, _ in search_queries.top_matches(conn, expression, limit, where, params)]
    ranked = rank_scenes(conn, scope, make_params("combined"), limit=limit)
    return [e.scene.id for e in ranked.entries]


def search_keys_rows(conn: sqlite3.Connection, text: str, limit: int) -> list[dict[str, object]]:
    """The scenes page's search as rows (the `search` canned query's JSON and CSV): its first
    `limit` scenes, in the page's order. Nothing for no words and no filters; a scenecat
    error (an unknown actor) is raised."""
    query = parse(text)
    expression = match_expression(query)
    if expression is None and not query.filters.any():
        if query.excluded:
            raise UsageError(
                "a search needs at least one word to look for, not only -exclusions",
                hint="e.g. kiss -rain",
            )
        return []
    scope = merge_scope(conn, query, Scope())
    where, params = resolve_scope(conn, scope).where()
    ids = _best_ids(conn, expression, scope, where, params, limit)
    return page_queries.scene_rows(conn, ids)


def has_words(text: str) -> bool:
    """Whether a search has words to match (without, it browses: a ranking by score)."""
    try:
        return parse(text).has_words
    except ScenecatError:
        return True


def _with(text: str, selected: Selected) -> str:
    return " ".join(part for part in (text, selected.words()) if part)


def search_words(text: str, selected: Selected) -> str:
    """The search and its facet filters as one query of the search language."""
    return _with(text.strip(), selected)


def _said(exc: ScenecatError) -> str:
    hint = getattr(exc, "hint", None)
    return f"{exc}" + (f" ({hint})" if hint else "")


def known_kinds(conn: sqlite3.Connection) -> list[str]:
    return sorted(search_queries.known_values(conn, "kind"))
