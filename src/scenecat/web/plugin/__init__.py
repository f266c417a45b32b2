"""scenecat's Datasette plugin: search, rankings, spoilers and clips on a catalogue's site.

Registered through the `datasette` entry point (so `datasette catalogue.db` has it too when
scenecat is installed) and loaded from the plugins folder of a `scenecat publish` folder. It
acts only on databases that are scenecat catalogues (a `scene` table with its search index).

- Search: Datasette runs `?_search=` as `MATCH escape_fts(:search)`. On a catalogue this
  plugin registers its own `escape_fts` (after Datasette's, `trylast`), which compiles the
  text with scenecat's query language, so the search box finds what `scenecat search` finds,
  Hangul fragments and romanised names included. field:value words (actor:, year:, ...) become
  a filter of their own through `filters_from_request`.
- Rankings: SQL functions `scenecat_rank(actor, kind, by)` and `scenecat_trending(days, until)` call
  scenecat's ranking code on a read-only connection and return JSON rows for canned queries:
  the web and `scenecat rank` run the same code, for any scope.
- Spoilers: descriptions of major and ending spoilers render inside <details>, shown on click;
  a scene past the reader's stored progress (`scenecat progress`) that is a spoiler has its
  title folded too, on the scene table and its page, and is masked in the rankings.
- Clips: a scene's page lists its sources, with the thumbnail of YouTube videos.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar, cast

from datasette import hookimpl
from datasette.facets import Facet
from datasette.utils import path_with_added_args, path_with_removed_args
from datasette.utils.asgi import BadRequest
from markupsafe import Markup

# The serving rules (what a catalogue's site never serves), hooks of this plugin too.
from scenecat.web.plugin.access import (  # noqa: F401 - Datasette finds the hooks here
    permission_allowed,
)
from scenecat.web.plugin.access import register_routes as access_routes
from scenecat.web.plugin.access import startup as access_startup

# Databases (per Datasette instance) that are scenecat catalogues: found when a connection is
# prepared, which happens before any page of that database is rendered.
_CATALOGUES: dict[int, dict[str, tuple[Path | None, bool]]] = {}

_F = TypeVar("_F", bound=Callable[..., Any])
# Datasette's marker is untyped; these keep the hooks' own signatures visible to mypy.
hook = cast("Callable[[_F], _F]", hookimpl)
hook_last = cast("Callable[[_F], _F]", hookimpl(trylast=True))

RANK_LIMIT = 20  # `scenecat rank` shows 20 unless told otherwise
HIDDEN_SPOILERS = ("major", "ending")


def _is_catalogue(datasette: Any, database: str) -> bool:
    return database in _CATALOGUES.get(id(datasette), {})


@hook_last
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    from scenecat.storage import site_queries as store

    try:
        catalogue = store.has_search_index(conn)
    except sqlite3.Error:
        return
    if not catalogue:
        return
    db = datasette.databases.get(database)
    path = Path(db.path) if db is not None and db.path else None
    immutable = db is not None and not db.is_mutable
    _CATALOGUES.setdefault(id(datasette), {})[database] = (path, immutable)

    conn.create_function("escape_fts", 1, match_expression, deterministic=True)
    conn.create_function("scenecat_match", 1, match_expression, deterministic=True)
    conn.create_function("scenecat_key", 1, _name_key, deterministic=True)

    def on_catalogue(work: Any) -> str:
        return _on_catalogue(datasette, database, path, immutable, work)

    def rank(actor: str | None, kind: str | None, by: str | None) -> str:
        return on_catalogue(lambda c: rank_rows(c, actor, kind, by or "scene"))

    def trending(days: Any, until: Any) -> str:
        return on_catalogue(lambda c: trending_rows(c, days, until))

    def search(text: str | None) -> str:
        return on_catalogue(lambda c: search_rows(c, text or ""))

    conn.create_function("scenecat_rank", 3, rank)
    conn.create_function("scenecat_trending", 2, trending)
    conn.create_function("scenecat_search", 1, search)


def match_expression(text: str | None) -> str | None:
    """The FTS5 expression `scenecat search TEXT` uses (None: no words to look for)."""
    from scenecat.domain.query import match_expression as compile_words
    from scenecat.domain.query import parse

    if not text:
        return None
    return compile_words(parse(text))


def _name_key(text: str | None) -> str:
    from scenecat.text import name_key

    return name_key(text or "")


def _on_catalogue(
    datasette: Any, database: str, path: Path | None, immutable: bool, work: Any
) -> str:
    """Run `work` on the site's own read-only connection to the catalogue and return its rows
    as JSON; a scenecat error becomes a single row saying it (Datasette shows SQL errors
    generically)."""
    from scenecat.errors import ScenecatError
    from scenecat.web.plugin import pages

    src = pages.source(datasette, database, path, immutable)
    if src is None:
        return json.dumps([{"title": "Error: this catalogue has no file to rank from"}])
    try:
        return json.dumps(src.read(work), ensure_ascii=False)
    except ScenecatError as exc:
        hint = f" ({exc.hint})" if getattr(exc, "hint", None) else ""
        return json.dumps([{"title": f"Error: {exc}{hint}"}], ensure_ascii=False)


def search_rows(conn: sqlite3.Connection, text: str) -> list[dict[str, Any]]:
    """The scenes page's search (words and field:value filters) as rows: its best 1,000."""
    from scenecat.domain.site_pages import search_keys_rows

    return search_keys_rows(conn, text, SEARCH_ROWS)


SEARCH_ROWS = 1000  # Datasette's max_returned_rows


def rank_rows(
    conn: sqlite3.Connection, actor: str | None, kind: str | None, by: str
) -> list[dict[str, Any]]:
    """`scenecat rank --actor ACTOR --kind KIND --by BY` as rows for a canned query."""
    from scenecat.domain import ranking
    from scenecat.domain.scope import Scope
    from scenecat.text import compact

    actors = (actor.strip(),) if actor and actor.strip() else ()
    scope = Scope(actors=actors, kind=(kind or "").strip() or None)
    params = ranking.make_params("combined")
    result = ranking.rank_scenes(conn, scope, params, by=by, limit=RANK_LIMIT)
    guard = _guard(conn)
    rows = []
    for entry in result.entries:
        p = entry.parts
        hidden = guard.hides_scene(entry.scene)
        rows.append(
            {
                "position": entry.position,
                "group": entry.group,
                "score": f"{p.score:.2f}",
                "title": _title(entry.scene, hidden),
                "drama": entry.scene.drama,
                "episode": entry.scene.episode,
                "votes": f"{p.vote_mean:.1f} ({p.n_votes})"
                if p.n_votes and p.vote_mean is not None
                else "",
                "duels": f"{entry.wins}-{entry.losses}" if p.n_duels else "",
                "views": compact(p.latest_views) if p.latest_views is not None else "",
                "key": "" if hidden else entry.scene.key,
            }
        )
    return rows


def _guard(conn: sqlite3.Connection) -> Any:
    from scenecat.domain.progress_guard import load_guard

    return load_guard(conn, "hide")


def _title(scene: Any, hidden: bool) -> str:
    """A ranking's title cell: a scene past the reader's progress is masked, as `scenecat
    rank` masks it (its place kept)."""
    from scenecat.domain.progress_guard import masked_title

    return f"{masked_title(scene.episode)} (past your progress)" if hidden else scene.title


def trending_rows(conn: sqlite3.Connection, days: Any, until: Any = None) -> list[dict[str, Any]]:
    """`scenecat trending --days DAYS --until DATE` as rows for a canned query (an empty
    `until`: today)."""
    from scenecat.domain import trends
    from scenecat.errors import InvalidInput

    try:
        window = int(str(days).strip() or 30)
    except ValueError:
        raise InvalidInput(f"days must be a whole number, got {days!r}") from None
    last_day = trends.parse_today(str(until).strip() or None if until is not None else None)
    result = trends.trending(conn, window, last_day, limit=RANK_LIMIT)
    guard = _guard(conn)
    return [
        {
            "position": e.position,
            "per_day": round(e.per_day),
            "gained": e.gained,
            "title": _title(e.scene, guard.hides_scene(e.scene)),
            "drama": e.scene.drama,
            "episode": e.scene.episode,
            "key": "" if guard.hides_scene(e.scene) else e.scene.key,
        }
        for e in result.entries
    ]


DRAMA_ARG = "_drama_"  # ?_drama_network=tvN: scenes of dramas on tvN


class DramaFacet(Facet):  # type: ignore[misc]
    """Facets of scenes by a column of their drama (network, year, country):
    metadata `facets: [{"drama": "network"}]`, selected with ?_drama_network=VALUE."""

    type = "drama"

    async def suggest(self) -> list[Any]:
        return []

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        from scenecat.storage import site_queries as store

        results: list[dict[str, Any]] = []
        timed_out: list[str] = []
        pairs = self.get_querystring_pairs()
        size = self.get_facet_size()
        for source_and_config in self.get_configs():
            column = source_and_config["config"]["simple"]
            if column not in store.DRAMA_FACETS:
                continue
            arg = DRAMA_ARG + column
            try:
                rows = await self.ds.execute(
                    self.database,
                    store.drama_facet_sql(column, self.sql, size + 1),
                    self.params,
                    truncate=False,
                    custom_time_limit=self.ds.setting("facet_time_limit_ms"),
                )
            except Exception:  # Datasette's QueryInterrupted: a facet over the time limit
                timed_out.append(column)
                continue
            values = []
            for row in rows.rows[:size]:
                value = str(row["value"])
                selected = (arg, value) in pairs
                path = (
                    path_with_removed_args(self.request, {arg: value})
                    if selected
                    else path_with_added_args(self.request, {arg: value})
                )
                values.append(
                    {
                        "value": row["value"],
                        "label": row["value"],
                        "count": row["count"],
                        "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(path)),
                        "selected": selected,
                    }
                )
            results.append(
                {
                    "name": column,
                    "type": self.type,
                    "hideable": source_and_config["source"] != "metadata",
                    "toggle_url": self.ds.urls.path(self.request.path),
                    "results": values,
                    "truncated": len(rows.rows) > size,
                }
            )
        return results, timed_out


@hook
def register_facet_classes() -> list[type]:
    return [DramaFacet]


@hook
def filters_from_request(request: Any, database: str, table: str, datasette: Any) -> Any:
    """?_drama_network= (year, country) filters, and the field:value words of a scene
    search (actor:, drama:, kind:, year:, ...) as a filter of their own."""
    if table != "scene" or not _is_catalogue(datasette, database):
        return None
    text = request.args.get("_search")

    async def inner() -> Any:
        from datasette.filters import FilterArguments

        from scenecat.domain.query import parse
        from scenecat.storage import site_queries as store

        where: list[str] = []
        params: dict[str, Any] = {}
        said: list[str] = []
        for column in store.DRAMA_FACETS:
            value = request.args.get(DRAMA_ARG + column)
            if value is None:
                continue
            where.append(store.drama_filter_sql(column, f"scenecat_drama_{column}"))
            params[f"scenecat_drama_{column}"] = value
            said.append(f"drama {column} is {value}")
        query = parse(text) if text else None
        if query is None or not query.filters.any():
            return FilterArguments(where, params, said) if where else None
        db = datasette.get_database(database)
        try:
            ids = await db.execute_fn(lambda conn: _filtered_ids(conn, text or ""))
        except Exception as exc:
            from scenecat.errors import ScenecatError

            if isinstance(exc, ScenecatError):
                raise BadRequest(f"Error: {exc}") from None
            raise
        where.append("id in (select value from json_each(:scenecat_ids))")
        params["scenecat_ids"] = json.dumps(ids)
        said.append(f"scenecat filters {_filter_words(query)}")
        return FilterArguments(where, params, said)

    return inner


def _filter_words(query: Any) -> str:
    f = query.filters
    words = [f"actor:{a}" for a in f.actors]
    for name in ("drama", "kind", "network", "year", "episode", "spoiler"):
        words += [f"{name}:{v}" for v in getattr(f, name)]
    words += [f"{name}:{v}" for name, v in f.fields]
    return " ".join(words)


def _filtered_ids(conn: sqlite3.Connection, text: str) -> list[int]:
    from scenecat.domain.browse import resolve_scope
    from scenecat.domain.query import parse
    from scenecat.domain.scope import Scope
    from scenecat.domain.search import merge_scope
    from scenecat.storage import site_queries as store

    scope = merge_scope(conn, parse(text), Scope())
    where, params = resolve_scope(conn, scope).where()
    return store.scene_ids_where(conn, where, params)


@hook
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Any:
    """Catalogue text as scenecat prints it: control characters (terminal escapes, bidi
    overrides) made visible, spoilers folded away, YouTube sources with their thumbnail.
    Markup in the text is escaped by Datasette, or here where this hook writes the HTML."""
    if not _is_catalogue(datasette, database) or not isinstance(value, str):
        return None
    from scenecat.text import visible_escapes

    shown = visible_escapes(value)
    if table == "scene" and column in _FOLDED:
        return _spoiler_cell(row, column, shown, shown != value, datasette, database)
    if table == "source" and column == "url":
        return _clip_cell(value)
    if table is None and column == "key":
        # A canned query's scene key leads to that scene.
        from urllib.parse import quote

        url = datasette.urls.table(database, "scene") + "?key=" + quote(value, safe="")
        return Markup('<a href="{}">{}</a>').format(url, shown)
    return Markup("{}").format(shown) if shown != value else None


# A scene's cells folded when it is past the reader's progress (the key and kind say what
# happens as much as the title does); the description is also folded for a major spoiler.
_FOLDED = ("title", "description", "key", "kind")


def _spoiler_cell(
    row: Any, column: str, value: str, changed: bool, datasette: Any, database: str
) -> Any:
    """A scene's title or description: folded when the scene is past the reader's progress
    (title and description), or when it is a major or ending spoiler (description)."""
    keys = row.keys() if hasattr(row, "keys") else ()

    def hidden(level: str | None, past: int | None) -> Markup | None:
        if past is not None:
            return progress_markup(past, value, short=column != "title")
        if level in HIDDEN_SPOILERS and column == "description":
            return spoiler_markup(level, value)
        return Markup("{}").format(value) if changed else None

    if "id" not in keys:
        return hidden(row["spoiler"] if "spoiler" in keys else None, None)

    async def inner() -> Markup | None:
        from scenecat.storage import site_queries as store

        scene_id = row["id"]
        level, past = await datasette.get_database(database).execute_fn(
            lambda conn: store.scene_spoiler_and_progress(conn, scene_id)
        )
        return hidden(level, past)

    return inner


def progress_markup(seen: int, text: str, *, short: bool = False) -> Markup:
    """A cell folded away: the title's summary says why; the others of the row say less."""
    where = f"episode {seen}" if seen else "the start"
    summary = "hidden" if short else f"Past your progress ({where}): click to reveal"
    return Markup(
        '<details class="scenecat-past"><summary style="cursor: pointer; color: #a33">'
        "{}</summary><div>{}</div></details>"
    ).format(summary, text)


def spoiler_markup(level: str, text: str) -> Markup:
    return Markup(
        '<details class="scenecat-spoiler"><summary style="cursor: pointer; color: #a33">'
        "{} spoiler: click to reveal</summary>"
        "<div>{}</div></details>"
    ).format(level.capitalize(), text)


def _clip_cell(url: str) -> Markup | None:
    from scenecat.web.thumbnails import clip

    c = clip(url, None, None)
    if c.safe_url is None:
        return Markup("{}").format(url)
    if c.thumbnail is None:
        return None
    return Markup(
        '<a href="{}" rel="nofollow noopener"><img class="scenecat-thumb" src="{}" '
        'alt="video thumbnail" loading="lazy" width="160" height="120"><br>{}</a>'
    ).format(c.safe_url, c.thumbnail, c.url)


@hook
def prepare_jinja2_environment(env: Any, datasette: Any) -> None:
    """The fan pages' filter and helper: `visible` (control characters as escapes) and
    `scenecat_clip` (a source's video id and thumbnail)."""
    from scenecat.web.plugin import pages

    env.filters["visible"] = pages.visible
    env.globals["scenecat_clip"] = pages.clip_of


def _source(datasette: Any, database: str) -> Any:
    from scenecat.web.plugin import pages

    db = datasette.databases.get(database)
    if db is None or not db.path:
        return None
    return pages.source(datasette, database, Path(db.path), not db.is_mutable)


async def _first_catalogue(datasette: Any) -> str | None:
    from scenecat.web.plugin.access import is_catalogue

    for name in datasette.databases:
        if name != "_internal" and await is_catalogue(datasette, name):
            return str(name)
    return None


@hook
def extra_template_vars(
    template: str, database: str, table: str, view_name: str, request: Any, datasette: Any
) -> Any:
    """The data of the fan pages on Datasette's own pages (web/plugin/pages.py): a scene's, a
    drama's and an actor's pages, and the canned queries' pages."""
    from scenecat.web.plugin import pages

    async def inner() -> dict[str, Any]:
        from scenecat.web.plugin.access import is_catalogue

        if request is None or not database or not await is_catalogue(datasette, database):
            return {}
        src = _source(datasette, database)
        if src is None:
            return {}
        if view_name == "row" and table in ("scene", "drama", "actor"):
            return await pages.row_vars(datasette, database, table, request, src)
        canned = (request.url_vars or {}).get("table")
        if template.startswith("query") and canned in pages.QUERY_PAGES:
            return await pages.query_vars(datasette, database, canned, request, src)
        return {}

    return inner


@hook
def startup(datasette: Any) -> Callable[[], Any]:
    """The serving rules' start-up, then the home page's rankings worked out in the
    background (a large catalogue takes seconds), so that the first visitor does not wait."""
    rules = access_startup(datasette)

    async def inner() -> None:
        import asyncio

        from scenecat.domain import site_pages
        from scenecat.web.plugin.access import is_catalogue

        await rules()
        for name in list(datasette.databases):
            if name == "_internal" or not await is_catalogue(datasette, name):
                continue
            src = _source(datasette, name)
            if src is not None:
                work = partial(src.kept, "home", site_pages.home)
                asyncio.get_running_loop().run_in_executor(datasette.executor, work)

    return inner


@hook
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    # The serving rules' route (/-/databases), the home page and the scenes page.
    return [
        *access_routes(datasette),
        (r"^/(?P<format>)$", _home),  # `format` (empty): what Datasette's index view reads
        (r"^/(?P<database>[^/]+)/-/scenes$", _scenes),
    ]


async def _home(datasette: Any, request: Any, send: Any) -> Any:
    """The fan home page of the first catalogue served; Datasette's own index otherwise.
    (A route rather than a template of Datasette's index page: that one counts every
    table's rows and asks a permission per table, none of which the fan page shows.)"""
    from datasette.views.index import IndexView

    from scenecat.web.plugin import pages

    name = await _first_catalogue(datasette)
    src = _source(datasette, name) if name is not None else None
    if name is None or src is None:
        return await IndexView.as_view(datasette)(request, send)
    await datasette.ensure_permissions(
        request.actor,
        [("view-table", (name, "scene")), ("view-database", name), "view-instance"],
    )
    return await pages.home_view(datasette, request, name, src)


async def _scenes(datasette: Any, request: Any) -> Any:
    from datasette.utils.asgi import NotFound

    from scenecat.web.plugin import pages
    from scenecat.web.plugin.access import is_catalogue

    database = request.url_vars["database"]
    if database not in datasette.databases or not await is_catalogue(datasette, database):
        raise NotFound("No scenecat catalogue here")
    await datasette.ensure_permissions(
        request.actor,
        [("view-table", (database, "scene")), ("view-database", database), "view-instance"],
    )
    src = _source(datasette, database)
    if src is None:
        raise NotFound("This catalogue has no file")
    return await pages.scenes_view(datasette, request, src, database)
