"""The SQL of the website's fan pages (domain/site_pages.py and scene_cards.py): what a scene
card adds to a stored scene (linked actors with their characters, the drama's native title,
duel record), a drama's cast and episodes, an actor's dramas, the newest scenes, the dramas
and actors with most scenes, and the facets of a search.

Read-only, like the rest of the site's SQL (site_queries.py).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from scenecat.storage.search_index import FTS_TABLE


def _marks(ids: Sequence[object]) -> str:
    return ",".join("?" * len(ids))


@dataclass(frozen=True)
class ActorLink:
    id: int
    name: str
    native: str | None
    character: str | None  # the scene's, else the credit's in that drama


def scene_actor_links(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, list[ActorLink]]:
    """The actors of each scene, in the scene's order, with the character each plays."""
    found: dict[int, list[ActorLink]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):
        batch = list(ids[start : start + 500])
        rows = conn.execute(
            "SELECT sa.scene_id, a.id, a.name, a.native, coalesce(sa.character, "
            "(SELECT c.character FROM credit c WHERE c.actor_id = a.id AND c.drama_id = "
            "s.drama_id AND c.character IS NOT NULL ORDER BY c.id LIMIT 1)) "
            "FROM scene_actor sa JOIN actor a ON a.id = sa.actor_id "
            "JOIN scene s ON s.id = sa.scene_id "
            f"WHERE sa.scene_id IN ({_marks(batch)}) ORDER BY sa.scene_id, sa.position, a.name",
            batch,
        )
        for scene_id, actor_id, name, native, character in rows:
            found[scene_id].append(ActorLink(actor_id, name, native, character))
    return found


def drama_natives(conn: sqlite3.Connection, drama_ids: Sequence[int]) -> dict[int, str | None]:
    ids = sorted(set(drama_ids))
    rows = conn.execute(f"SELECT id, native FROM drama WHERE id IN ({_marks(ids)})", ids)
    return {r[0]: r[1] for r in rows}


def duel_records(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """(duels won, duels lost) per scene, from the per-scene signals table."""
    rows = conn.execute(
        f"SELECT scene_id, wins, losses FROM scene_signal WHERE scene_id IN ({_marks(ids)})",
        list(ids),
    )
    return {r[0]: (r[1], r[2]) for r in rows}


def scene_ids_by_keys(conn: sqlite3.Connection, keys: Sequence[str]) -> list[int]:
    """The ids of the scenes of `keys`, in that order (unknown keys left out)."""
    found: dict[str, int] = {}
    for start in range(0, len(keys), 500):
        batch = list(keys[start : start + 500])
        rows = conn.execute(f"SELECT key, id FROM scene WHERE key IN ({_marks(batch)})", batch)
        found.update(dict(rows.fetchall()))
    return [found[k] for k in keys if k in found]


def scene_rows(conn: sqlite3.Connection, ids: Sequence[int]) -> list[dict[str, object]]:
    """id, title, drama, episode, kind, spoiler and key of the scenes `ids`, in that order."""
    found: dict[int, dict[str, object]] = {}
    for start in range(0, len(ids), 500):
        batch = list(ids[start : start + 500])
        for row in conn.execute(
            "SELECT s.id, s.title, d.title, s.episode, s.kind, s.spoiler, s.key FROM scene s "
            f"JOIN drama d ON d.id = s.drama_id WHERE s.id IN ({_marks(batch)})",
            batch,
        ):
            found[row[0]] = dict(
                zip(("id", "title", "drama", "episode", "kind", "spoiler", "key"), row, strict=True)
            )
    return [found[i] for i in ids if i in found]


def newest_scene_ids(conn: sqlite3.Connection, limit: int) -> list[int]:
    """The scenes added last (ids grow as scenes are added)."""
    return [r[0] for r in conn.execute("SELECT id FROM scene ORDER BY id DESC LIMIT ?", (limit,))]


def latest_view_date(conn: sqlite3.Connection) -> dt.date | None:
    """The day of the newest dated view count."""
    row = conn.execute("SELECT max(observed_on) FROM view_count").fetchone()
    try:
        return dt.date.fromisoformat(row[0][:10]) if row and row[0] else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Counted:
    id: int
    name: str
    native: str | None
    detail: str | None  # a drama's network and year; an actor's birth year
    scenes: int


def dramas_with_most_scenes(conn: sqlite3.Connection, limit: int) -> list[Counted]:
    rows = conn.execute(
        "SELECT d.id, d.title, d.native, d.network, d.year, n.scenes FROM "
        "(SELECT drama_id, count(*) AS scenes FROM scene GROUP BY drama_id "
        " ORDER BY scenes DESC, drama_id LIMIT ?) n JOIN drama d ON d.id = n.drama_id "
        "ORDER BY n.scenes DESC, d.title",
        (limit,),
    )
    return [
        Counted(r[0], r[1], r[2], ", ".join(str(x) for x in (r[3], r[4]) if x) or None, r[5])
        for r in rows
    ]


def actors_with_most_scenes(conn: sqlite3.Connection, limit: int) -> list[Counted]:
    rows = conn.execute(
        "SELECT a.id, a.name, a.native, a.born, n.scenes FROM "
        "(SELECT actor_id, count(*) AS scenes FROM scene_actor GROUP BY actor_id "
        " ORDER BY scenes DESC, actor_id LIMIT ?) n JOIN actor a ON a.id = n.actor_id "
        "ORDER BY n.scenes DESC, a.name",
        (limit,),
    )
    return [Counted(r[0], r[1], r[2], f"born {r[3]}" if r[3] else None, r[4]) for r in rows]


@dataclass(frozen=True)
class DramaFacts:
    id: int
    title: str
    native: str | None
    network: str | None
    country: str | None
    year: int | None
    episodes: int | None
    synopsis: str | None


def drama_facts(conn: sqlite3.Connection, drama_id: int) -> DramaFacts | None:
    row = conn.execute(
        "SELECT id, title, native, network, country, year, episodes, synopsis FROM drama "
        "WHERE id = ?",
        (drama_id,),
    ).fetchone()
    return None if row is None else DramaFacts(*row)


@dataclass(frozen=True)
class CastMember:
    actor_id: int
    name: str
    native: str | None
    character: str | None
    role: str


def drama_cast(conn: sqlite3.Connection, drama_id: int) -> list[CastMember]:
    """Who plays whom, main roles first, in billing order."""
    rows = conn.execute(
        "SELECT a.id, a.name, a.native, c.character, c.role FROM credit c "
        "JOIN actor a ON a.id = c.actor_id WHERE c.drama_id = ? "
        "ORDER BY c.role <> 'main', c.billing IS NULL, c.billing, c.id",
        (drama_id,),
    )
    return [CastMember(*r) for r in rows]


@dataclass(frozen=True)
class EpisodeFacts:
    number: int
    title: str | None
    aired: str | None
    rating: float | None
    scenes: int  # scenes of the catalogue in this episode


def drama_episodes(conn: sqlite3.Connection, drama_id: int) -> list[EpisodeFacts]:
    """The drama's episodes the catalogue knows: recorded ones, and those scenes are in."""
    rows = conn.execute(
        "WITH numbers AS (SELECT number FROM episode WHERE drama_id = :d "
        " UNION SELECT episode FROM scene WHERE drama_id = :d AND episode IS NOT NULL) "
        "SELECT n.number, e.title, e.aired, e.rating, "
        " (SELECT count(*) FROM scene s WHERE s.drama_id = :d AND s.episode = n.number) "
        "FROM numbers n LEFT JOIN episode e ON e.drama_id = :d AND e.number = n.number "
        "ORDER BY n.number",
        {"d": drama_id},
    )
    return [EpisodeFacts(*r) for r in rows]


@dataclass(frozen=True)
class ActorFacts:
    id: int
    name: str
    native: str | None
    born: int | None


def actor_facts(conn: sqlite3.Connection, actor_id: int) -> ActorFacts | None:
    row = conn.execute(
        "SELECT id, name, native, born FROM actor WHERE id = ?", (actor_id,)
    ).fetchone()
    return None if row is None else ActorFacts(*row)


@dataclass(frozen=True)
class Role:
    drama_id: int
    title: str
    native: str | None
    year: int | None
    network: str | None
    character: str | None
    role: str | None  # None: in scenes of the drama without a credit
    scenes: int


def actor_roles(conn: sqlite3.Connection, actor_id: int) -> list[Role]:
    """The dramas of an actor (credited, or in a scene), newest first, with scene counts."""
    rows = conn.execute(
        "WITH dramas AS (SELECT drama_id FROM credit WHERE actor_id = :a "
        " UNION SELECT s.drama_id FROM scene_actor sa JOIN scene s ON s.id = sa.scene_id "
        " WHERE sa.actor_id = :a) "
        "SELECT d.id, d.title, d.native, d.year, d.network, "
        " (SELECT group_concat(c.character, ' / ') FROM credit c "
        "  WHERE c.actor_id = :a AND c.drama_id = d.id AND c.character IS NOT NULL), "
        " (SELECT c.role FROM credit c WHERE c.actor_id = :a AND c.drama_id = d.id "
        "  ORDER BY c.role <> 'main', c.id LIMIT 1), "
        " (SELECT count(*) FROM scene_actor sa JOIN scene s ON s.id = sa.scene_id "
        "  WHERE sa.actor_id = :a AND s.drama_id = d.id) "
        "FROM dramas x JOIN drama d ON d.id = x.drama_id "
        "ORDER BY d.year IS NULL, d.year DESC, d.title",
        {"a": actor_id},
    )
    return [Role(*r) for r in rows]


# --- search facets -----------------------------------------------------------------------------


def match_count(
    conn: sqlite3.Connection, expression: str | None, where: str, params: Sequence[object]
) -> int:
    """How many scenes match an FTS expression (None: any scene) within a SceneFilter clause
    (aliases s, d). Without filters the index alone counts (17 ms for 270,000 matches of 1M
    scenes, where joining each match to its scene takes 250 ms)."""
    if expression is None:
        sql = f"SELECT count(*) FROM scene s JOIN drama d ON d.id = s.drama_id WHERE {where}"
        return int(conn.execute(sql, list(params)).fetchone()[0])
    if where == "1":
        sql = f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?"
        return int(conn.execute(sql, (expression,)).fetchone()[0])
    sql = (
        f"SELECT count(*) FROM {FTS_TABLE} f CROSS JOIN scene s ON s.id = f.rowid "
        f"CROSS JOIN drama d ON d.id = s.drama_id WHERE {FTS_TABLE} MATCH ? AND {where}"
    )
    return int(conn.execute(sql, [expression, *params]).fetchone()[0])


@dataclass(frozen=True)
class FacetValue:
    value: str  # what the filter takes: a drama's title, a kind, a year, an actor's name
    label: str
    count: int


@dataclass
class Facets:
    counted: int  # the scenes counted (the best ones of a search, or all of them)
    dramas: list[FacetValue]
    kinds: list[FacetValue]
    years: list[FacetValue]
    actors: list[FacetValue]


def facets(conn: sqlite3.Connection, ids: Sequence[int], size: int) -> Facets:
    """Counts of the scenes `ids` per drama, kind, drama year and actor (the `size` largest
    of each)."""
    # The ids drive each join (CROSS JOIN keeps json_each outside): `id IN (SELECT ...)`
    # would have SQLite walk the whole scene table instead, several times slower at 1M.
    ids_json = (json.dumps(list(ids)),)
    hits = "json_each(?) j CROSS JOIN scene s ON s.id = j.value"
    per_drama = conn.execute(
        "SELECT d.title, d.year, x.n FROM "
        f"(SELECT s.drama_id, count(*) AS n FROM {hits} GROUP BY s.drama_id) x "
        "JOIN drama d ON d.id = x.drama_id",
        ids_json,
    ).fetchall()
    kinds = conn.execute(
        f"SELECT s.kind, count(*) AS n FROM {hits} GROUP BY s.kind ORDER BY n DESC, s.kind LIMIT ?",
        (*ids_json, size),
    ).fetchall()
    actors = conn.execute(
        "SELECT a.name, x.n FROM (SELECT sa.actor_id, count(*) AS n FROM json_each(?) j "
        "CROSS JOIN scene_actor sa ON sa.scene_id = j.value GROUP BY sa.actor_id "
        "ORDER BY n DESC, sa.actor_id LIMIT ?) x JOIN actor a ON a.id = x.actor_id "
        "ORDER BY x.n DESC, a.name",
        (*ids_json, size),
    ).fetchall()
    years: dict[int, int] = {}
    for _, year, n in per_drama:
        if year is not None:
            years[year] = years.get(year, 0) + n
    top_dramas = sorted(per_drama, key=lambda r: (-r[2], r[0]))[:size]
    return Facets(
        counted=len(ids),
        dramas=[FacetValue(r[0], r[0], r[2]) for r in top_dramas],
        kinds=[FacetValue(k, k, n) for k, n in kinds],
        years=[
            FacetValue(str(y), str(y), n)
            for y, n in sorted(years.items(), key=lambda yn: (-yn[1], -yn[0]))[:size]
        ],
        actors=[FacetValue(name, name, n) for name, n in actors],
    )
