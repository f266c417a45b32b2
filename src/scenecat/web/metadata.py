"""Datasette metadata for a scenecat catalogue, written from its schema.

Tables scenecat documents below are shown with titles, descriptions, facets, labels and sort
orders; every other table of the file (change history, migrations, the search index, the
reader's own watch progress, and whatever later versions add) is private: left out of every
list and refused (403) by Datasette's own permission check (an `allow: false` block), so a
newer catalogue never serves its internals by accident. Arbitrary SQL is refused too
(`allow_sql: false`) unless the owner asks for it (`scenecat serve --sql`); the plugin
(web/plugin/access.py) holds the same rules for what metadata cannot say.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from scenecat.storage import site_queries as store

# name -> title, description, and Datasette table options.
TABLES: dict[str, dict[str, Any]] = {
    "scene": {
        "title": "Scenes",
        "description": (
            "Notable scenes. Search as with scenecat search: words, "
            '"phrases", OR, -word, word*, actor:NAME, year:2016..2020, Hangul fragments '
            "(녹여) and names spelt any way. Major and ending spoilers stay hidden until clicked."
        ),
        "fts_table": "scene_search_fts",
        "fts_pk": "id",
        "label_column": "title",
        "facets": ["drama_id", "kind", "spoiler", {"drama": "network"}, {"drama": "year"}],
        "sortable_columns": ["id", "title", "drama_id", "episode", "kind", "spoiler", "start_s"],
        "size": 50,
    },
    "drama": {
        "title": "Dramas",
        "description": "Dramas, with network, year and episode count.",
        "label_column": "title",
        "facets": ["network", "year", "country"],
        "sort_desc": "year",
        "sortable_columns": ["title", "network", "year", "episodes"],
    },
    "actor": {
        "title": "Actors",
        "description": "Actors, with their native names.",
        "label_column": "name",
        "sort": "name",
        "sortable_columns": ["name", "born"],
    },
    "episode": {
        "title": "Episodes",
        "description": "Episodes with air dates and ratings.",
        "facets": ["drama_id"],
        "sortable_columns": ["drama_id", "number", "aired", "rating"],
    },
    "credit": {
        "title": "Cast",
        "description": "Who played whom in which drama.",
        "facets": ["role", "drama_id"],
    },
    "scene_actor": {"title": "Actors in scenes", "description": "Who is in each scene."},
    "scene_tag": {"title": "Scene tags", "facets": ["tag"]},
    "source": {
        "title": "Sources",
        "description": "Clips and articles scenes link to.",
        "label_column": "title",
        "facets": ["publisher", "kind"],
    },
    "scene_source": {
        "title": "Scene sources",
        "description": "Which sources each scene links to; start_s and end_s: where the scene "
        "is inside that clip, in seconds.",
    },
    "actor_alias": {"title": "Actor aliases", "description": "Other names of actors."},
    "drama_alias": {"title": "Drama aliases", "description": "Other titles of dramas."},
    "view_count": {
        "title": "View counts",
        "description": "View counts seen on a date, per source.",
        "facets": ["source"],
        "sort_desc": "observed_on",
    },
    "vote": {
        "title": "Votes",
        "description": "Fan votes, 1-10 (`current` = 0: replaced by a later vote).",
        "facets": ["current", "score"],
        "sort_desc": "voted_on",
    },
    "duel": {
        "title": "Duels",
        "description": "Head-to-head answers: the winner is the better scene.",
        "sort_desc": "decided_on",
    },
}

QUERIES: dict[str, dict[str, Any]] = {
    "best_per_drama": {
        "title": "Best scene per drama",
        "description": (
            "Each drama ranked by its best scene, for an actor and a kind of scene (either "
            "may be left empty), exactly as scenecat rank --actor A --kind K --by drama."
        ),
        "sql": store.BEST_PER_DRAMA,
    },
    "best_scenes": {
        "title": "Best scenes",
        "description": (
            "Scenes ranked by fan votes, head-to-head duels and views, as "
            "scenecat rank --actor A --kind K."
        ),
        "sql": store.BEST_SCENES,
    },
    "actor_scenes": {
        "title": "An actor's scenes of a kind",
        "description": "Every scene of an actor (any spelling, alias or Hangul name), of one kind.",
        "sql": store.ACTOR_SCENES,
    },
    "trending": {
        "title": "Trending",
        "description": (
            "Scenes whose views grew fastest over the N days up to a date (empty: today), as "
            "scenecat trending --days N --until DATE; only rising scenes trend."
        ),
        "sql": store.TRENDING,
    },
    "search": {
        "title": "Search, best match first",
        "description": "The scene search, best match first like scenecat search.",
        "sql": store.SEARCH,
    },
}


def is_public(table: str) -> bool:
    """Whether the site serves `table`: only the tables documented above."""
    return table in TABLES


# A table the site does not serve: not listed, and refused by Datasette's permission check.
PRIVATE: dict[str, Any] = {"hidden": True, "allow": False}


def metadata(
    conn: sqlite3.Connection, database: str, title: str | None = None, *, sql: bool = False
) -> dict[str, Any]:
    """Datasette metadata for the catalogue open on `conn`, served under the name `database`;
    `sql`: anyone who reaches the site may run any SQL on the whole file (`serve --sql`)."""
    present = store.table_names(conn)
    tables: dict[str, dict[str, Any]] = {}
    for name in present:
        tables[name] = dict(TABLES[name]) if is_public(name) else dict(PRIVATE)
    queries = {name: dict(q, hide_sql=True) for name, q in QUERIES.items()}
    result = {
        "title": title or "scenecat",
        "description_html": _home(database),
        "databases": {
            database: {
                "title": title or "Catalogue",
                "description": "Scenes, dramas and actors, with fans' votes, duels and views.",
                "tables": tables,
                "queries": queries,
                "allow_sql": sql,
            }
        },
    }
    add_credits(conn, result, database)
    return result


# Tables that show facts a metadata source may have given (credited in their descriptions).
SOURCED_TABLES = ("drama", "actor", "credit", "episode")


def add_credits(conn: sqlite3.Connection, meta: dict[str, Any], database: str) -> None:
    """Credit the sources whose facts the catalogue holds (TMDB's terms make free use
    conditional on its notice wherever its data is shown): every page's footer names them
    (Datasette's `source`: database and table pages inherit the top level's, row pages read
    their table's), the home page lists them with their notices, and the database's and the
    sourced tables' descriptions carry TMDB's notice. Nothing when there are none."""
    from html import escape

    from scenecat.sources.attribution import attributions
    from scenecat.storage import source_ids

    credits = attributions(source_ids.sources_in_use(conn))
    if not credits:
        return
    source = {"source": " and ".join(a.name for a in credits), "source_url": credits[0].url}
    meta.update(source)
    items = "".join(
        f'<li><a href="{escape(a.url)}">{escape(a.name)}</a>: {escape(a.notice)}</li>'
        if a.url
        else f"<li>{escape(a.name)}: {escape(a.notice)}</li>"
        for a in credits
    )
    meta["description_html"] += (
        f'<p class="scenecat-sources">Drama, cast and episode facts from:</p><ul>{items}</ul>'
    )
    names = " and ".join(a.name for a in credits)
    notices = " ".join(a.notice[0].upper() + a.notice[1:] for a in credits if a.source == "tmdb")
    sentence = f"Facts from {names}. {notices}".strip()
    db = meta["databases"][database]
    db["description"] = f"{db['description']} {sentence}"
    for name, options in db["tables"].items():
        if not options.get("hidden"):
            options.update(source)
        if name in SOURCED_TABLES and "description" in options:
            options["description"] += f" {sentence}"


# The home page's shortcuts: (path under the database, text).
HOME_LINKS = (
    ("scene", "Scenes: browse and search"),
    ("best_per_drama?actor=&kind=kiss", "Best kiss scene per drama"),
    ("best_scenes?actor=&kind=", "Best scenes"),
    ("actor_scenes?actor=&kind=", "An actor's scenes of a kind"),
    ("trending?days=30", "Trending"),
    ("drama", "Dramas"),
    ("actor", "Actors"),
)


def _home(database: str) -> str:
    from html import escape
    from urllib.parse import quote

    base = "/" + quote(database, safe="")
    items = "".join(
        f'<li><a href="{escape(base)}/{escape(path)}">{escape(text)}</a></li>'
        for path, text in HOME_LINKS
    )
    return (
        "<p>A catalogue of notable TV drama scenes: browse, search and rank them. "
        "Rankings are scenecat's own: fans' votes, head-to-head duels and views.</p>"
        f"<ul>{items}</ul>"
    )
