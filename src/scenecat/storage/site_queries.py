"""The SQL of the website (`scenecat serve` / `publish`): read-only connections, the tables a
catalogue holds, the canned queries Datasette runs, and the lookups of the scenecat plugin.

Nothing here writes to the catalogue: the site opens it with `mode=ro` (or `immutable=1`);
only a copy made by `publish` is opened for writing (strip_private).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from urllib.parse import quote


def open_read_only(path: Path, *, immutable: bool = False) -> sqlite3.Connection:
    """A connection that cannot write; `immutable` also skips locking (the file must not
    change while it is open, as with `serve` without --live)."""
    flag = "immutable=1" if immutable else "mode=ro"
    uri = f"file:{quote(str(path.resolve()))}?{flag}"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    return conn


def open_read_write(path: Path) -> sqlite3.Connection:
    """A connection to a copy being prepared for publishing."""
    return sqlite3.connect(path, isolation_level=None)


def table_names(conn: sqlite3.Connection) -> list[str]:
    """Every table and view, as Datasette lists them."""
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name"
    )
    return [r[0] for r in rows]


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def has_search_index(conn: sqlite3.Connection) -> bool:
    row = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE name IN ('scene_search_fts', 'scene')"
    ).fetchone()
    return bool(row[0] == 2)


def data_version(conn: sqlite3.Connection) -> int:
    """SQLite's data_version: moves on when another connection commits a change to the file
    (what the home page's kept rankings are checked against)."""
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


def scene_spoiler(conn: sqlite3.Connection, scene_id: int) -> str | None:
    row = conn.execute("SELECT spoiler FROM scene WHERE id = ?", (scene_id,)).fetchone()
    return None if row is None else str(row[0])


def scene_spoiler_and_progress(
    conn: sqlite3.Connection, scene_id: int
) -> tuple[str | None, int | None]:
    """A scene's spoiler level, and the episodes seen of its drama when the scene is past
    the reader's progress (None otherwise)."""
    from scenecat.storage.progress import past_progress_of

    return scene_spoiler(conn, scene_id), past_progress_of(conn, scene_id)


def scene_ids_where(conn: sqlite3.Connection, where: str, params: list[object]) -> list[int]:
    """Ids of the scenes a `SceneFilter.where()` clause (aliases s and d) selects."""
    sql = f"SELECT s.id FROM scene s JOIN drama d ON d.id = s.drama_id WHERE {where} ORDER BY s.id"
    return [r[0] for r in conn.execute(sql, params)]


# Drama columns scenes can be faceted and filtered by (web/plugin's DramaFacet).
DRAMA_FACETS = ("network", "year", "country")


def drama_facet_sql(column: str, scenes_sql: str, limit: int) -> str:
    """Counts of the scenes of `scenes_sql` per value of their drama's `column`."""
    if column not in DRAMA_FACETS:
        raise ValueError(f"not a drama facet: {column!r}")
    return (
        f"select d.{column} as value, count(*) as count from ({scenes_sql}) as s "
        f"join drama as d on d.id = s.drama_id where d.{column} is not null "
        f"group by d.{column} order by count desc, value limit {int(limit)}"
    )


def drama_filter_sql(column: str, param: str) -> str:
    """A where clause on scenes: their drama's `column` equals the named parameter."""
    if column not in DRAMA_FACETS:
        raise ValueError(f"not a drama facet: {column!r}")
    return f"drama_id in (select id from drama where {column} = :{param})"


def copy_database(source: sqlite3.Connection, target: Path) -> None:
    """A consistent copy of `source` at `target` (SQLite's online backup)."""
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)
    finally:
        dest.close()


# --- canned queries ---------------------------------------------------------------------------
# scenecat_key(), scenecat_rank() and scenecat_trending() are SQL functions the scenecat
# Datasette plugin registers (web/plugin): names fold like the CLI's, and rankings come from
# scenecat's own ranking code, so the web cannot disagree with `scenecat rank`.

ACTOR_SCENES = """
select scene.id as scene, scene.title, drama.title as drama, scene.episode, scene.kind,
  scene.spoiler, scene.key
from scene
join scene_actor on scene_actor.scene_id = scene.id
join drama on drama.id = scene.drama_id
where scene_actor.actor_id in (
    select id from actor where name_key = scenecat_key(:actor) or native_key = scenecat_key(:actor)
    union select actor_id from actor_alias where alias_key = scenecat_key(:actor)
  )
  and (:kind = '' or scene.kind = lower(trim(:kind)))
order by drama.year, drama.title, scene.episode, scene.start_s, scene.id
"""


# The columns of `scenecat rank` (piped), in its order.
def _json_columns(*columns: tuple[str, str]) -> str:
    return ",\n".join(
        f"  json_extract(r.value, '$.{field}') as \"{name}\"" for field, name in columns
    )


_SIGNALS = (
    ("episode", "ep"),
    ("votes", "votes"),
    ("duels", "duels"),
    ("views", "views"),
    ("key", "key"),
)

BEST_PER_DRAMA = (
    "select\n"
    + _json_columns(
        ("position", "#"),
        ("group", "drama"),
        ("score", "score"),
        ("title", "best scene"),
        *_SIGNALS,
    )
    + "\nfrom json_each(scenecat_rank(:actor, :kind, 'drama')) as r order by r.key"
)

BEST_SCENES = (
    "select\n"
    + _json_columns(
        ("position", "#"), ("score", "score"), ("title", "scene"), ("drama", "drama"), *_SIGNALS
    )
    + "\nfrom json_each(scenecat_rank(:actor, :kind, 'scene')) as r order by r.key"
)

TRENDING = """
select
  json_extract(r.value, '$.position') as "#",
  json_extract(r.value, '$.per_day') as "views/day",
  json_extract(r.value, '$.gained') as gained,
  json_extract(r.value, '$.title') as scene,
  json_extract(r.value, '$.drama') as drama,
  json_extract(r.value, '$.episode') as ep,
  json_extract(r.value, '$.key') as key
from json_each(scenecat_trending(:days, :until)) as r order by r.key
"""

# scenecat_search(q) is the search of the site's scenes page (domain/site_pages.py): the
# words, "phrases" and field:value filters of `scenecat search`, best match first (best
# score first without words), its best 1,000.
SEARCH = """
select
  json_extract(r.value, '$.id') as scene,
  json_extract(r.value, '$.title') as title,
  json_extract(r.value, '$.drama') as drama,
  json_extract(r.value, '$.episode') as episode,
  json_extract(r.value, '$.kind') as kind,
  json_extract(r.value, '$.spoiler') as spoiler,
  json_extract(r.value, '$.key') as key
from json_each(scenecat_search(:q)) as r order by r.key
"""


# Tables a published copy leaves out: the change log (undo data) and the reader's own
# watch progress are nobody else's business, and Datasette offers the whole file for download.
PRIVATE_TABLES = ("watch_progress",)
PRIVATE_PREFIX = "history_"


def strip_private(conn: sqlite3.Connection) -> list[str]:
    """Drop the change log, its triggers and the watch progress from a copy; VACUUM it.
    Returns the tables dropped."""
    rows = conn.execute(
        "SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'table') "
        "AND (name LIKE 'history\\_%' ESCAPE '\\' OR name IN (SELECT value FROM json_each(?)))",
        (json.dumps(PRIVATE_TABLES),),
    ).fetchall()
    dropped = []
    conn.execute("BEGIN")
    for kind, name in sorted(rows, key=lambda r: r[0] != "trigger"):
        conn.execute(f'DROP {kind.upper()} IF EXISTS "{name}"')
        if kind == "table":
            dropped.append(name)
    conn.execute("COMMIT")
    conn.execute("VACUUM")
    return sorted(dropped)
