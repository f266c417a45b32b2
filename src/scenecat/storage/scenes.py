"""Scenes, their tags, participants, sources and view counts."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scenecat.models import Scene, Source, ViewCount
from scenecat.scene_fields import COLUMN_FIELDS, FILTER_FIELDS

if TYPE_CHECKING:
    from sqlite_utils import Database

# The columns a scene is written with (insert_scene, update_scene).
SCENE_FIELDS = ("key", "drama_id", *(f.column for f in COLUMN_FIELDS if f.column))


_FILTER_COLUMNS = frozenset(f.column for f in FILTER_FIELDS)


@dataclass
class SceneFilter:
    """Scope of a scene listing; every field narrows it. Only known fields exist, so no
    user text ever becomes SQL."""

    actor_ids: Sequence[int] = ()
    drama_id: int | None = None
    kind: str | None = None
    network: str | None = None
    year: tuple[int, int] | None = None
    episode: int | None = None
    max_spoiler: int | None = None  # index into SPOILER_LEVELS
    tag: str | None = None
    # (column, value): the declared filter fields (scene_fields.FILTER_FIELDS), equal text
    # with ASCII case folded; columns come from the declarations, never from user text
    equals: tuple[tuple[str, str], ...] = ()

    def needs_drama(self) -> bool:
        """Does :meth:`where` refer to the drama (alias ``d``)? Queries that only read scenes
        can then leave the join out (foreign keys guarantee every scene has its drama)."""
        return bool(self.network or self.year)

    def needs_scene_row(self) -> bool:
        """Does :meth:`where` read more of a scene than its id and kind? Actors, a tag and a
        kind do not."""
        return self != SceneFilter(actor_ids=self.actor_ids, kind=self.kind, tag=self.tag)

    def where(self, *, scene_id: str = "s.id", kind: str = "s.kind") -> tuple[str, list[object]]:
        """The WHERE clause over `scene s` (and `drama d`) and its parameters. `scene_id` and
        `kind` name other columns holding a scene's id and kind (scene_signal's), for a
        filter that needs nothing else of the scene row (:meth:`needs_scene_row`)."""
        from scenecat.models import SPOILER_LEVELS

        clauses: list[str] = []
        params: list[object] = []
        for actor_id in self.actor_ids:
            clauses.append(f"{scene_id} IN (SELECT scene_id FROM scene_actor WHERE actor_id = ?)")
            params.append(actor_id)
        if self.drama_id is not None:
            clauses.append("s.drama_id = ?")
            params.append(self.drama_id)
        if self.kind:
            clauses.append(f"{kind} = ?")
            params.append(self.kind)
        if self.network:
            clauses.append("d.network = ? COLLATE NOCASE")
            params.append(self.network)
        if self.year:
            clauses.append("d.year BETWEEN ? AND ?")
            params.extend(self.year)
        if self.episode is not None:
            clauses.append("s.episode = ?")
            params.append(self.episode)
        if self.max_spoiler is not None:
            allowed = SPOILER_LEVELS[: self.max_spoiler + 1]
            clauses.append(f"s.spoiler IN ({','.join('?' * len(allowed))})")
            params.extend(allowed)
        if self.tag:
            clauses.append(f"{scene_id} IN (SELECT scene_id FROM scene_tag WHERE tag = ?)")
            params.append(self.tag)
        for column, value in self.equals:
            if column not in _FILTER_COLUMNS:
                raise ValueError(f"{column!r} is not a declared filter column")
            clauses.append(f"s.{column} = ? COLLATE NOCASE")
            params.append(value)
        return (" AND ".join(clauses) or "1"), params


def insert_scene(conn: sqlite3.Connection, values: dict[str, object]) -> int:
    row = {field: values.get(field) for field in SCENE_FIELDS}
    columns = ", ".join(row)
    cur = conn.execute(
        f"INSERT INTO scene ({columns}) VALUES ({', '.join('?' * len(row))})", list(row.values())
    )
    return int(cur.lastrowid or 0)


def update_scene(conn: sqlite3.Connection, scene_id: int, values: dict[str, object]) -> None:
    row = {k: v for k, v in values.items() if k in SCENE_FIELDS}
    if row:
        assignments = ", ".join(f"{column} = ?" for column in row)
        conn.execute(f"UPDATE scene SET {assignments} WHERE id = ?", [*row.values(), scene_id])


def set_tags(conn: sqlite3.Connection, scene_id: int, tags: Sequence[str]) -> None:
    conn.execute("DELETE FROM scene_tag WHERE scene_id = ?", (scene_id,))
    conn.executemany(
        "INSERT OR IGNORE INTO scene_tag (scene_id, tag) VALUES (?, ?)",
        [(scene_id, tag) for tag in tags],
    )


def add_tags(conn: sqlite3.Connection, scene_id: int, tags: Sequence[str]) -> None:
    conn.executemany(
        "INSERT OR IGNORE INTO scene_tag (scene_id, tag) VALUES (?, ?)",
        [(scene_id, tag) for tag in tags],
    )


def set_actors(conn: sqlite3.Connection, scene_id: int, actor_ids: Sequence[int]) -> None:
    conn.execute("DELETE FROM scene_actor WHERE scene_id = ?", (scene_id,))
    add_actors(conn, scene_id, actor_ids)


def add_actors(conn: sqlite3.Connection, scene_id: int, actor_ids: Sequence[int]) -> None:
    start = conn.execute(
        "SELECT coalesce(max(position) + 1, 0) FROM scene_actor WHERE scene_id = ?", (scene_id,)
    ).fetchone()[0]
    conn.executemany(
        "INSERT OR IGNORE INTO scene_actor (scene_id, actor_id, position) VALUES (?, ?, ?)",
        [(scene_id, actor_id, start + i) for i, actor_id in enumerate(actor_ids)],
    )


def scene_ids_by_key(conn: sqlite3.Connection, key: str) -> list[int]:
    return [r[0] for r in conn.execute("SELECT id FROM scene WHERE key = ?", (key,))]


def scene_ids_by_title(conn: sqlite3.Connection, title: str) -> list[int]:
    rows = conn.execute("SELECT id FROM scene WHERE title = ? COLLATE NOCASE", (title,))
    return [r[0] for r in rows]


def keys_and_titles_in_episode(
    conn: sqlite3.Connection, drama_id: int, episode: int | None
) -> list[tuple[str, str]]:
    """(key, title) of the scenes of one episode of a drama (episode None: those without one)."""
    rows = conn.execute(
        "SELECT key, title FROM scene WHERE drama_id = ? AND episode IS ? ORDER BY id",
        (drama_id, episode),
    )
    return [(r[0], r[1]) for r in rows]


def keys_starting(conn: sqlite3.Connection, prefix: str, limit: int = 50) -> list[str]:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = conn.execute(
        "SELECT key FROM scene WHERE key LIKE ? ESCAPE '\\' ORDER BY key LIMIT ?",
        (escaped + "%", limit),
    )
    return [r[0] for r in rows]


def _glob_escaped(text: str) -> str:
    # GLOB's own characters stand for themselves inside brackets.
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def scene_ids_by_key_suffix(conn: sqlite3.Connection, suffix: str, limit: int = 2) -> list[int]:
    """Scenes whose key ends with `-suffix` (a whole trailing part of the key)."""
    rows = conn.execute(
        "SELECT id FROM scene WHERE key GLOB ? LIMIT ?", ("*-" + _glob_escaped(suffix), limit)
    )
    return [r[0] for r in rows]


def each_scene_key(conn: sqlite3.Connection) -> Iterator[str]:
    """Every scene's key, in no particular order (read as it goes, not held in a list)."""
    return (r[0] for r in conn.execute("SELECT key FROM scene"))


def titles_among(conn: sqlite3.Connection, texts: Sequence[str]) -> set[str]:
    """Which of `texts` are a scene's title (compared as the title lookup compares: case
    folded by SQLite's NOCASE), lower-cased."""
    if not texts:
        return set()
    marks = ", ".join("?" for _ in texts)
    rows = conn.execute(
        f"SELECT lower(title) FROM scene WHERE title COLLATE NOCASE IN ({marks})", list(texts)
    )
    return {r[0] for r in rows}


def all_scene_keys(conn: sqlite3.Connection, limit: int = 100_000) -> list[str]:
    return [r[0] for r in conn.execute("SELECT key FROM scene ORDER BY key LIMIT ?", (limit,))]


def key_exists(conn: sqlite3.Connection, key: str) -> bool:
    return conn.execute("SELECT 1 FROM scene WHERE key = ?", (key,)).fetchone() is not None


# A listed scene: these, then its declared columns (scene_fields.COLUMN_FIELDS).
_SCENE_COLUMNS = ", ".join(
    ["s.id", "s.key", "s.drama_id", "d.title", "d.network", "d.year"]
    + [f"s.{f.column}" for f in COLUMN_FIELDS]
)
_ATTRIBUTES = tuple(f.name for f in COLUMN_FIELDS)


def _scene(row: Sequence[Any]) -> Scene:
    return Scene(
        id=row[0],
        key=row[1],
        drama_id=row[2],
        drama=row[3],
        network=row[4],
        year=row[5],
        **dict(zip(_ATTRIBUTES, row[6:], strict=True)),
    )


def list_scenes(
    conn: sqlite3.Connection, scope: SceneFilter, *, limit: int | None = None, offset: int = 0
) -> list[Scene]:
    where, params = scope.where()
    # Within one drama, episode order is what a viewer expects; otherwise the order scenes
    # were added, which needs no sort over a large catalogue.
    order = "s.episode, s.start_s, s.id" if scope.drama_id is not None else "s.id"
    sql = f"SELECT {_SCENE_COLUMNS} FROM scene s JOIN drama d ON d.id = s.drama_id WHERE {where} ORDER BY {order}"
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [limit, offset]
    scenes = [_scene(row) for row in conn.execute(sql, params)]
    attach_details(conn, scenes)
    return scenes


def scene_ids(
    conn: sqlite3.Connection, scope: SceneFilter, *, limit: int | None = None
) -> list[int]:
    """Ids of the scenes in scope, in `list_scenes` order (for exports fetched in batches)."""
    where, params = scope.where()
    order = "s.episode, s.start_s, s.id" if scope.drama_id is not None else "s.id"
    sql = (
        f"SELECT s.id FROM scene s JOIN drama d ON d.id = s.drama_id WHERE {where} ORDER BY {order}"
    )
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [row[0] for row in conn.execute(sql, params)]


def id_list(ids: Sequence[int]) -> str:
    """`ids` as one JSON array, for `IN (SELECT value FROM json_each(?))`: one parameter
    instead of thousands of `?`, with no limit on the number of variables. Written out
    here rather than by json.dumps: a read that needs nothing else from json does not
    import it (5 M instructions at start-up)."""
    return "[" + ",".join(map(str, map(int, ids))) + "]"


def scenes_by_ids(conn: sqlite3.Connection, ids: Sequence[int]) -> list[Scene]:
    """Scenes in the order of `ids` (ids of no scene left out), in one query per table
    whatever their number: the ids go in as one JSON array (json_each), so 10,000 scenes of
    a long ranking cost five statements, not five per 500."""
    wanted = id_list(ids)
    found = {
        row[0]: _scene(row)
        for row in conn.execute(
            f"SELECT {_SCENE_COLUMNS} FROM scene s JOIN drama d ON d.id = s.drama_id "
            "WHERE s.id IN (SELECT value FROM json_each(?))",
            (wanted,),
        )
    }
    _attach_listed(conn, found, wanted)
    return [found[i] for i in ids if i in found]


def _attach_listed(conn: sqlite3.Connection, by_id: dict[int, Scene], wanted: str) -> None:
    """attach_details for the scenes `by_id` whose ids are the JSON array `wanted`: the same
    rows in the same order per scene, each table read once."""
    listed = "IN (SELECT value FROM json_each(?))"
    for scene_id, name in conn.execute(
        "SELECT sa.scene_id, a.name FROM scene_actor sa JOIN actor a ON a.id = sa.actor_id "
        f"WHERE sa.scene_id {listed} ORDER BY sa.scene_id, sa.position, a.name",
        (wanted,),
    ):
        by_id[scene_id].actors.append(name)
    for scene_id, tag in conn.execute(
        f"SELECT scene_id, tag FROM scene_tag WHERE scene_id {listed} ORDER BY scene_id, tag",
        (wanted,),
    ):
        by_id[scene_id].tags.append(tag)
    for scene_id, count, on, source in conn.execute(
        "SELECT scene_id, count, observed_on, source FROM view_count "
        f"WHERE scene_id {listed} ORDER BY scene_id, observed_on, source, count, id",
        (wanted,),
    ):
        by_id[scene_id].views.append(ViewCount(count, on, source))
    for scene_id, *link in conn.execute(
        "SELECT ss.scene_id, so.url, so.title, so.publisher, so.kind, so.published, "
        "ss.start_s, ss.end_s FROM scene_source ss JOIN source so ON so.id = ss.source_id "
        f"WHERE ss.scene_id {listed} ORDER BY ss.scene_id, so.url",
        (wanted,),
    ):
        by_id[scene_id].sources.append(Source(*link))


def attach_details(conn: sqlite3.Connection, scenes: Sequence[Scene]) -> None:
    """Fill actors, tags, views and sources of `scenes` in a few batched queries."""
    by_id = {scene.id: scene for scene in scenes}
    ids = list(by_id)
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        marks = ",".join("?" * len(batch))
        for scene_id, name in conn.execute(
            "SELECT sa.scene_id, a.name FROM scene_actor sa JOIN actor a ON a.id = sa.actor_id "
            f"WHERE sa.scene_id IN ({marks}) ORDER BY sa.scene_id, sa.position, a.name",
            batch,
        ):
            by_id[scene_id].actors.append(name)
        for scene_id, tag in conn.execute(
            f"SELECT scene_id, tag FROM scene_tag WHERE scene_id IN ({marks}) ORDER BY tag",
            batch,
        ):
            by_id[scene_id].tags.append(tag)
        for scene_id, count, on, source in conn.execute(
            "SELECT scene_id, count, observed_on, source FROM view_count "
            f"WHERE scene_id IN ({marks}) ORDER BY scene_id, observed_on, source, count, id",
            batch,
        ):
            by_id[scene_id].views.append(ViewCount(count=count, on=on, source=source))
        for scene_id, *link in conn.execute(
            "SELECT ss.scene_id, so.url, so.title, so.publisher, so.kind, so.published, "
            "ss.start_s, ss.end_s FROM scene_source ss JOIN source so ON so.id = ss.source_id "
            f"WHERE ss.scene_id IN ({marks}) ORDER BY ss.scene_id, so.url",
            batch,
        ):
            by_id[scene_id].sources.append(Source(*link))


def delete_scene(conn: sqlite3.Connection, scene_id: int) -> None:
    conn.execute("DELETE FROM scene WHERE id = ?", (scene_id,))


# Views and sources


def add_view_count(
    conn: sqlite3.Connection, scene_id: int, count: int, on: str | None, source: str
) -> bool:
    """Record a snapshot; an identical one already there is not added twice."""
    exists = conn.execute(
        "SELECT 1 FROM view_count WHERE scene_id = ? AND count = ? AND observed_on IS ? "
        "AND source = ?",
        (scene_id, count, on, source),
    ).fetchone()
    if exists:
        return False
    conn.execute(
        "INSERT INTO view_count (scene_id, count, observed_on, source) VALUES (?, ?, ?, ?)",
        (scene_id, count, on, source),
    )
    return True


def highest_earlier_count(
    conn: sqlite3.Connection, scene_id: int, source: str, on: str | None
) -> tuple[int, str | None] | None:
    row = conn.execute(
        "SELECT count, observed_on FROM view_count WHERE scene_id = ? AND source = ? "
        "AND (? IS NULL OR observed_on IS NULL OR observed_on <= ?) ORDER BY count DESC LIMIT 1",
        (scene_id, source, on, on),
    ).fetchone()
    return (row[0], row[1]) if row else None


def lowest_later_count(
    conn: sqlite3.Connection, scene_id: int, source: str, on: str | None
) -> tuple[int, str | None] | None:
    if on is None:
        return None
    row = conn.execute(
        "SELECT count, observed_on FROM view_count WHERE scene_id = ? AND source = ? "
        "AND observed_on > ? ORDER BY count LIMIT 1",
        (scene_id, source, on),
    ).fetchone()
    return (row[0], row[1]) if row else None


def link_source(conn: sqlite3.Connection, scene_id: int, source: Source) -> None:
    row = conn.execute("SELECT id FROM source WHERE url = ?", (source.url,)).fetchone()
    if row:
        source_id = row[0]
        conn.execute(
            "UPDATE source SET title = coalesce(?, title), publisher = coalesce(?, publisher), "
            "kind = coalesce(?, kind), published = coalesce(?, published) WHERE id = ?",
            (source.title, source.publisher, source.kind, source.published, source_id),
        )
    else:
        cur = conn.execute(
            "INSERT INTO source (url, title, publisher, kind, published) VALUES (?, ?, ?, ?, ?)",
            (source.url, source.title, source.publisher, source.kind, source.published),
        )
        source_id = cur.lastrowid
    conn.execute(
        "INSERT OR IGNORE INTO scene_source (scene_id, source_id, start_s, end_s) "
        "VALUES (?, ?, ?, ?)",
        (scene_id, source_id, source.start, source.end),
    )
    if source.start is not None or source.end is not None:
        # A link already there takes the moment the record gives (both ends: a moment is
        # one value); a record without one leaves the link's as it is.
        conn.execute(
            "UPDATE scene_source SET start_s = ?, end_s = ? WHERE scene_id = ? AND source_id = ? "
            "AND (start_s IS NOT ? OR end_s IS NOT ?)",
            (source.start, source.end, scene_id, source_id, source.start, source.end),
        )


def scene_counts_by(conn: sqlite3.Connection) -> dict[str, list[tuple[str, int]]]:
    """Counts per kind, network, year and actor (for stats)."""
    result: dict[str, list[tuple[str, int]]] = defaultdict(list)
    queries = {
        "kind": "SELECT kind, count(*) FROM scene GROUP BY kind ORDER BY 2 DESC, 1",
        "network": "SELECT coalesce(d.network, '?'), count(*) FROM scene s "
        "JOIN drama d ON d.id = s.drama_id GROUP BY 1 ORDER BY 2 DESC, 1",
        "year": "SELECT coalesce(CAST(d.year AS TEXT), '?'), count(*) FROM scene s "
        "JOIN drama d ON d.id = s.drama_id GROUP BY 1 ORDER BY 1",
        "actor": "SELECT a.name, count(*) FROM scene_actor sa JOIN actor a ON a.id = sa.actor_id "
        "GROUP BY a.id ORDER BY 2 DESC, 1 LIMIT 20",
    }
    for name, sql in queries.items():
        result[name] = [(str(k), int(v)) for k, v in conn.execute(sql)]
    return dict(result)


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    tables = ("actor", "drama", "episode", "credit", "scene", "view_count", "vote", "duel")
    return {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables}


def key_of(conn: sqlite3.Connection, scene_id: int) -> str:
    return str(conn.execute("SELECT key FROM scene WHERE id = ?", (scene_id,)).fetchone()[0])


def ids_after_key(conn: sqlite3.Connection, after: str | None, limit: int) -> list[tuple[int, str]]:
    """(id, key) of up to `limit` scenes in key order whose key sorts after `after` (None:
    from the first): the scenes in key order a page at a time, for a reader of any size."""
    # Two statements, not `key > ?1 OR ?1 IS NULL`: SQLite would scan from the first row
    # for every page instead of seeking into the index.
    if after is None:
        rows = conn.execute("SELECT id, key FROM scene ORDER BY key LIMIT ?", (limit,))
    else:
        rows = conn.execute(
            "SELECT id, key FROM scene WHERE key > ? ORDER BY key LIMIT ?", (after, limit)
        )
    return [(row[0], row[1]) for row in rows]


def clear_views_and_sources(conn: sqlite3.Connection, scene_id: int) -> None:
    conn.execute("DELETE FROM view_count WHERE scene_id = ?", (scene_id,))
    conn.execute("DELETE FROM scene_source WHERE scene_id = ?", (scene_id,))


# A source exists for the scenes linking to it: a removal (of a scene, of a drama with its
# scenes, of a scene's link in an edit) takes the sources it leaves unlinked with it, in the
# same change, so undo brings them back and no invisible row keeps its URL taken.


def source_ids_of_scene(conn: sqlite3.Connection, scene_id: int) -> list[int]:
    rows = conn.execute("SELECT source_id FROM scene_source WHERE scene_id = ?", (scene_id,))
    return [r[0] for r in rows]


def source_ids_of_drama(conn: sqlite3.Connection, drama_id: int) -> list[int]:
    rows = conn.execute(
        "SELECT DISTINCT ss.source_id FROM scene s JOIN scene_source ss ON ss.scene_id = s.id "
        "WHERE s.drama_id = ?",
        (drama_id,),
    )
    return [r[0] for r in rows]


def drop_unlinked_sources(conn: sqlite3.Connection, source_ids: Sequence[int]) -> int:
    """Delete those of `source_ids` no scene links to any more; returns how many."""
    dropped = 0
    for start in range(0, len(source_ids), 500):
        batch = source_ids[start : start + 500]
        marks = ",".join("?" * len(batch))
        cur = conn.execute(
            f"DELETE FROM source WHERE id IN ({marks}) AND NOT EXISTS "
            "(SELECT 1 FROM scene_source ss WHERE ss.source_id = source.id)",
            list(batch),
        )
        dropped += cur.rowcount
    return dropped


def index_source_links(db: Database) -> None:
    """Migration step: scene_source by source, which finding a source's scenes needs (the
    sweep above, and the foreign key's cascade when a source row is deleted) instead of a
    scan of every link."""
    from scenecat.storage.ddl import run_in_transaction_statements

    run_in_transaction_statements(
        db,
        ["CREATE INDEX IF NOT EXISTS scene_source_by_source ON scene_source(source_id, scene_id)"],
    )


def add_moment_columns(db: Database) -> None:
    """Migration step: a scene's moment inside a linked clip (seconds from the clip's start
    to where the scene starts and ends), on the link, so that two scenes in one clip keep
    their own (domain/moments.py)."""
    from scenecat.storage.ddl import column_names, run_in_transaction_statements

    have = set(column_names(db.conn, "scene_source"))
    run_in_transaction_statements(
        db,
        [
            f"ALTER TABLE scene_source ADD COLUMN {column} INTEGER CHECK ({column} >= 0)"
            for column in ("start_s", "end_s")
            if column not in have
        ],
    )


def scene_ids_of_actors(conn: sqlite3.Connection, actor_ids: Sequence[int]) -> list[int]:
    marks = ",".join("?" * len(actor_ids))
    rows = conn.execute(
        f"SELECT DISTINCT scene_id FROM scene_actor WHERE actor_id IN ({marks})", list(actor_ids)
    )
    return [row[0] for row in rows]


def count_records(conn: sqlite3.Connection) -> int:
    """Actors, dramas, scenes, votes and duels: the records an export writes."""
    tables = ("actor", "drama", "scene", "vote", "duel")
    return sum(int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables)


# The SQL type of each value type a column can hold (scene_fields.VALUE_TYPES).
_SQL_TYPES = {"episode": "INTEGER", "clock": "INTEGER"}


def add_declared_columns(db: Database) -> None:
    """Migration step: a column for each declared scene field the `scene` table lacks (a
    new field's step in storage/migrations.py is this function; nothing else to write)."""
    from scenecat.storage.ddl import column_names, run_in_transaction_statements

    have = set(column_names(db.conn, "scene"))
    run_in_transaction_statements(
        db,
        [
            f"ALTER TABLE scene ADD COLUMN {f.column} {_SQL_TYPES.get(f.value, 'TEXT')}"
            for f in COLUMN_FIELDS
            if f.column is not None and f.column not in have
        ],
    )


def top_scene_id(conn: sqlite3.Connection) -> int:
    """The highest scene id (0 for none): scenes added later have higher ones."""
    return int(conn.execute("SELECT coalesce(max(id), 0) FROM scene").fetchone()[0])


def kinds_added_after(conn: sqlite3.Connection, top: int) -> list[str]:
    rows = conn.execute("SELECT DISTINCT kind FROM scene WHERE id > ? ORDER BY kind", (top,))
    return [r[0] for r in rows]


def episodes_with_scenes_after(
    conn: sqlite3.Connection, top: int
) -> list[tuple[int, int, int | None, str, str, str]]:
    """(id, drama id, episode, kind, title, key) of every scene in an episode (of a drama,
    or a drama's scenes without one) that holds a scene added after `top`, grouped by
    episode, oldest first."""
    # From the new scenes' episodes (a rowid range: NOT INDEXED, or the planner scans a
    # whole index) to their scenes (scene_by_drama; CROSS JOIN keeps that order), so that a
    # small import into a large catalogue reads only the episodes it touched.
    rows = conn.execute(
        "SELECT s.id, s.drama_id, s.episode, s.kind, s.title, s.key "
        "FROM (SELECT DISTINCT drama_id, episode FROM scene NOT INDEXED WHERE id > ?) g "
        "CROSS JOIN scene s ON s.drama_id = g.drama_id AND s.episode IS g.episode "
        "ORDER BY s.drama_id, s.episode, s.id",
        (top,),
    )
    return [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]
