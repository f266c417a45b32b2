"""The fan pages of a catalogue's site, on Datasette's own pages and one route of the plugin.

- `/` (this plugin's route; Datasette's index page for other databases): the home page,
  template scenecat_home.html: a search box, the best kiss
  scene per drama, the best scenes, trending, recently added, dramas and actors, and the
  raw tables one click away. Its rankings are kept until the catalogue changes (SQLite's
  `data_version` of the site's own connection: nothing changes under `serve` without
  --live; with it, a write by any scenecat command moves it on).
- `/DB/scene/ID`, `/DB/drama/ID`, `/DB/actor/ID` (Datasette's row pages, row.html): a scene's
  card; a drama's cast, episodes and scenes ranked; an actor's dramas and best scenes. Their
  JSON is Datasette's (`.json`).
- `/DB/best_per_drama`, `/DB/best_scenes`, `/DB/trending`, ... (Datasette's canned queries,
  query.html): the rankings as cards with plain filter fields; JSON and CSV are the queries'.
- `/DB/-/scenes?q=...` (this plugin's route): search and browse, best match first, with
  facets by drama, actor, kind and year (the match runs once for all of them) and pages;
  its JSON and CSV are the `search` canned query's, with the same words and filters.

The data of every page comes from domain/site_pages.py and scene_cards.py, on a read-only
connection of the site's own (one per database, used by one request at a time).
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode
from weakref import WeakKeyDictionary

from scenecat.storage import site_queries as store

T = TypeVar("T")

# Canned queries shown as fan pages, and the words of their filter fields.
RANKINGS = ("best_per_drama", "best_scenes", "trending", "actor_scenes", "search")
FIELD_LABELS = {
    "actor": "Actor",
    "kind": "Kind of scene",
    "days": "Over the last (days)",
    "until": "Up to (date)",
    "q": "Words",
}
FIELD_HINTS = {
    "actor": "any actor",
    "kind": "",
    "days": "30",
    "until": "today",
    "q": "kiss, rooftop, 녹여...",
}


KEPT = 64  # answers a PageSource keeps (the home page, browsing pages)


class PageSource:
    """One catalogue's read-only connection for the fan pages, and the home page's sections
    kept until the catalogue changes."""

    def __init__(self, path: Path, immutable: bool) -> None:
        self.path = path
        self.immutable = immutable
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.RLock()
        self._kept: dict[str, tuple[int, Any]] = {}

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = store.open_read_only(self.path, immutable=self.immutable)
        return self._conn

    def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            return work(self._connection())

    def kept(self, name: str, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work`'s answer, made again only when the catalogue has changed since."""
        with self._lock:
            conn = self._connection()
            version = store.data_version(conn)
            found = self._kept.get(name)
            if found is not None and found[0] == version:
                return found[1]  # type: ignore[no-any-return]
            value = work(conn)
            self._kept.pop(name, None)
            self._kept[name] = (version, value)
            while len(self._kept) > KEPT:
                del self._kept[next(iter(self._kept))]  # the oldest
            return value


# Per Datasette instance (held weakly: a new instance never inherits an old one's connection
# or kept pages) and database name.
_SOURCES: WeakKeyDictionary[Any, dict[str, PageSource]] = WeakKeyDictionary()
_SOURCES_LOCK = threading.Lock()


def source(datasette: Any, database: str, path: Path | None, immutable: bool) -> PageSource | None:
    if path is None:
        return None
    with _SOURCES_LOCK:
        sources = _SOURCES.setdefault(datasette, {})
        found = sources.get(database)
        if found is None or found.path != path:
            found = sources[database] = PageSource(path, immutable)
        return found


async def run(datasette: Any, work: Callable[[], T]) -> T:
    """`work` on Datasette's thread pool (the page's reads block)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(datasette.executor, work)


def query_link(base: str, **args: Any) -> str:
    shown = {k: v for k, v in args.items() if v not in (None, "")}
    return base + ("?" + urlencode(shown) if shown else "")


# --- what the templates get ---------------------------------------------------------------------


def visible(text: Any) -> str:
    """The `visible` filter: catalogue text with control characters shown as escapes."""
    from scenecat.text import visible_escapes

    if text is None:
        return ""
    text = str(text)
    return text if text.isprintable() else visible_escapes(text)  # isprintable: C speed


def clip_of(found: Any) -> Any:
    """The `scenecat_clip` global: a source (url, title, publisher, and the scene's moment in
    it when the link holds one) as web/thumbnails' Clip."""
    from scenecat.web.thumbnails import clip

    start, end = getattr(found, "start", None), getattr(found, "end", None)
    return clip(found.url, found.title, found.publisher, start, end)


def scenes_url(datasette: Any, database: str) -> str:
    return str(datasette.urls.database(database)) + "/-/scenes"


# The public tables the home page links to, in the order a fan would want them.
HOME_TABLES = (
    ("scene", "scenes"),
    ("drama", "dramas"),
    ("actor", "actors"),
    ("episode", "episodes"),
    ("credit", "cast"),
    ("scene_tag", "tags"),
    ("source", "clips and sources"),
    ("vote", "votes"),
    ("duel", "duels"),
    ("view_count", "view counts"),
)


async def home_view(datasette: Any, request: Any, database: str, src: PageSource) -> Any:
    from datasette.utils.asgi import Response

    from scenecat.domain import site_pages

    home = await run(datasette, lambda: src.kept("home", site_pages.home))
    context = {
        "metadata": datasette.metadata(),
        "scenecat_home": home,
        "scenecat_database": database,
        "scenecat_db_url": str(datasette.urls.database(database)),
        "scenecat_search_url": scenes_url(datasette, database),
        "scenecat_tables": HOME_TABLES,
        "scenecat_section_args": {
            "best_per_drama": "actor=&kind=kiss",
            "best_scenes": "actor=&kind=",
            "trending": f"days={home.trending.days}&until={home.trending.until}",
        },
    }
    html = await datasette.render_template(["scenecat_home.html"], context, request=request)
    return Response.html(html)


async def row_vars(
    datasette: Any, database: str, table: str, request: Any, src: PageSource
) -> dict[str, Any]:
    from scenecat.domain import site_pages

    try:
        row_id = int((request.url_vars or {}).get("pks", ""))
    except ValueError:
        return {}
    common = {
        # the row as CSV: Datasette's table CSV of that one row
        "scenecat_row_csv": f"{datasette.urls.table(database, table, format='csv')}?id={row_id}",
        "scenecat_database": database,
        "scenecat_db_url": str(datasette.urls.database(database)),
        "scenecat_search_url": scenes_url(datasette, database),
    }
    if table == "scene":
        card = await run(datasette, lambda: src.read(lambda c: site_pages.scene_page(c, row_id)))
        return {} if card is None else {**common, "scenecat_scene": card}
    if table == "drama":
        drama = await run(datasette, lambda: src.read(lambda c: site_pages.drama_page(c, row_id)))
        if drama is None:
            return {}
        search = query_link(scenes_url(datasette, database), drama=drama.drama.title)
        return {**common, "scenecat_drama": drama, "scenecat_drama_search": search}
    if table == "actor":
        actor = await run(datasette, lambda: src.read(lambda c: site_pages.actor_page(c, row_id)))
        if actor is None:
            return {}
        search = query_link(scenes_url(datasette, database), actor=actor.actor.name)
        return {**common, "scenecat_actor": actor, "scenecat_actor_search": search}
    return {}


QUERY_PAGES: dict[str, dict[str, Any]] = {
    "best_per_drama": {
        "title": "Best scene per drama",
        "description": "Each drama ranked by its best scene, for an actor and a kind of scene "
        "(either may be left empty), as scenecat rank --by drama.",
        "fields": ("actor", "kind"),
        "group": "drama",
        "empty": "No scene of that kind with that actor.",
    },
    "best_scenes": {
        "title": "Best scenes",
        "description": "Scenes ranked by fans' votes, head-to-head duels and views, as "
        "scenecat rank.",
        "fields": ("actor", "kind"),
        "empty": "No scene of that kind with that actor.",
    },
    "trending": {
        "title": "Trending",
        "description": "Scenes whose views grew fastest over the days up to a date, as "
        "scenecat trending; only rising scenes trend.",
        "fields": ("days", "until"),
        "empty": "Nothing rose in that window: no scene gained views between two counts.",
    },
    "actor_scenes": {
        "title": "An actor's scenes",
        "description": "Every scene of an actor (any spelling, alias or Hangul name), of one "
        "kind or any, in the order of their dramas.",
        "fields": ("actor", "kind"),
        "empty": "No scene of that kind with that actor.",
    },
    "search": {
        "title": "Search, best match first",
        "description": "The scene search, best match first like scenecat search (the best "
        "1,000); the scenes page adds facets and pages.",
        "fields": ("q",),
        "empty": "No scene matches.",
    },
}
MAX_CARDS = 100  # cards a canned query's page shows (its JSON and CSV have every row)


@dataclass
class QueryEntry:
    position: int | None
    card: Any  # None for a scene past the reader's progress: its row says only where it is
    group: str | None
    note: str | None
    masked: str | None = None  # that row's title, "a scene in episode 9 (past your progress)"
    drama: str | None = None


@dataclass
class QueryCards:
    entries: list[QueryEntry] = field(default_factory=list)
    said: str = ""
    error: str | None = None


async def query_vars(
    datasette: Any, database: str, name: str, request: Any, src: PageSource
) -> dict[str, Any]:
    from scenecat.domain import site_pages

    page = QUERY_PAGES[name]
    kinds = await run(datasette, lambda: src.kept("kinds", site_pages.known_kinds))
    fields = []
    for field_name in page["fields"]:
        fields.append(
            {
                "name": field_name,
                "label": FIELD_LABELS[field_name],
                "hint": FIELD_HINTS[field_name],
                "value": request.args.get(field_name, ""),
                "options": kinds if field_name == "kind" else None,
                "type": "number" if field_name == "days" else "text",
            }
        )
    said = ", ".join(
        f"{f['label'].lower()} {f['value']}" for f in fields if f["value"] and f["name"] != "q"
    )

    async def cards_for(rows: Any) -> QueryCards:
        rows = list(rows)
        if rows and "key" not in list(rows[0].keys()):
            return QueryCards()
        errors = [
            cell
            for r in rows
            if r["key"] is None
            for cell in tuple(r)
            if isinstance(cell, str) and cell.startswith("Error: ")
        ]
        if errors:
            return QueryCards(error=str(errors[0]))
        keys = [r["key"] for r in rows[:MAX_CARDS] if r["key"]]
        found = await run(datasette, lambda: src.read(lambda c: site_pages.cards_by_key(c, keys)))
        entries = []
        for r in rows[:MAX_CARDS]:
            card = found.get(r["key"])
            columns = r.keys()
            title = r["title"] if "title" in columns else r["scene"] if "scene" in columns else None
            if card is None and not r["key"] and isinstance(title, str) and title:
                # A ranking keeps a scene past the reader's progress in its place, masked
                # (no key, as `scenecat rank` masks it): so does its page.
                position = r["#"] if "#" in columns else None
                drama = r["drama"] if "drama" in columns else None
                entries.append(QueryEntry(position, None, None, None, title, drama))
                continue
            if card is None:
                continue
            note = None
            if "views/day" in columns and r["views/day"] is not None:
                note = f"{int(r['views/day']):,} views a day ({int(r['gained']):,} gained)"
            entries.append(
                QueryEntry(
                    r["#"] if "#" in columns else None,
                    card,
                    r[page["group"]] if page.get("group") in columns else None,
                    note,
                )
            )
        total = len(rows)
        shown = (
            f"{total:,} scene{'s' if total != 1 else ''}"
            if not page.get("group")
            else (f"{total:,} drama{'s' if total != 1 else ''}")
        )
        if total > MAX_CARDS:
            shown += f"; the first {MAX_CARDS} here, every one in the JSON and CSV"
        return QueryCards(entries, shown)

    return {
        "scenecat_database": database,
        "scenecat_db_url": str(datasette.urls.database(database)),
        "scenecat_search_url": scenes_url(datasette, database),
        "scenecat_query": {**page, "fields": fields, "said": said},
        "scenecat_cards_for": cards_for,
    }


# --- the scenes page (search and browse) ---------------------------------------------------------

FACETS = (("drama", "Drama"), ("actor", "Actor"), ("kind", "Kind"), ("year", "Year"))


async def scenes_view(datasette: Any, request: Any, src: PageSource, database: str) -> Any:
    from datasette.utils.asgi import Response

    from scenecat.domain import site_pages

    args = request.args
    text = args.get("q", "")
    chosen = {name: args.get(name, "").strip() for name, _ in FACETS}
    selected = site_pages.Selected(**chosen)
    try:
        number = int(args.get("page", "1") or 1)
    except ValueError:
        number = 1

    def work(conn: sqlite3.Connection) -> site_pages.SearchPage:
        return site_pages.search_page(conn, text, selected, number)

    if site_pages.has_words(text):
        page = await run(datasette, lambda: src.read(work))
    else:
        # Browsing without words is a ranking by score: kept until the catalogue changes.
        page = await run(datasette, lambda: src.kept(f"browse {text!r} {selected} {number}", work))
    base = scenes_url(datasette, database)
    current = {"q": text, **chosen}

    def link(**changes: Any) -> str:
        return query_link(base, **{**current, **changes})

    facets = []
    if page.facets is not None:
        lists = {
            "drama": page.facets.dramas,
            "actor": page.facets.actors,
            "kind": page.facets.kinds,
            "year": page.facets.years,
        }
        for name, title in FACETS:
            values = []
            for v in lists[name]:
                on = chosen[name] == v.value
                values.append(
                    {
                        "label": v.label,
                        "count": v.count,
                        "on": on,
                        # a value already chosen, or one the search language cannot quote
                        "url": None if on or '"' in v.value else link(**{name: v.value}),
                    }
                )
            facets.append((name, title, values))
    chosen_list = [
        {"label": f"{title.lower()}: {chosen[name]}", "remove": link(**{name: ""})}
        for name, title in FACETS
        if chosen[name]
    ]
    words = site_pages.search_words(text, selected)
    db_url = datasette.urls.database(database)
    data = [
        ("JSON", query_link(f"{db_url}/search.json", q=words)),
        ("CSV", query_link(f"{db_url}/search.csv", q=words, _size="max")),
    ]
    context = {
        "database": database,
        "metadata": datasette.metadata(),
        "scenecat_page": page,
        "scenecat_database": database,
        "scenecat_db_url": str(datasette.urls.database(database)),
        "scenecat_search_url": base,
        "scenecat_facets": facets,
        "scenecat_chosen": chosen_list,
        "scenecat_kept": [(k, v) for k, v in chosen.items() if v],
        "scenecat_prev": link(page=page.page - 1) if page.page > 1 else None,
        "scenecat_next": link(page=page.page + 1) if page.page < page.pages else None,
        "scenecat_data": data,
    }
    html = await datasette.render_template(["scenecat_scenes.html"], context, request=request)
    return Response.html(html, status=400 if page.error else 200)
