"""The SQL of searching (the index itself is kept by search_index.py).

Ranking happens inside the FTS query: the top N rowids by bm25 come out of one statement and
only those few rows are joined back to scenes, so a broad word never materialises its hits.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from scenecat.errors import InvalidInput
from scenecat.scene_fields import BY_NAME
from scenecat.storage.search_index import FTS_TABLE, WEIGHTS

_BM25 = f"bm25({FTS_TABLE}, {', '.join(str(w) for w in WEIGHTS)})"


def top_matches(
    conn: sqlite3.Connection,
    expression: str,
    limit: int,
    where: str = "1",
    params: Sequence[object] = (),
) -> list[tuple[int, float]]:
    """(scene id, bm25 score) of the best `limit` matches; lower scores are better.

    `where` is a SceneFilter clause over `s` (scene) and `d` (drama). CROSS JOIN keeps the
    FTS scan as the outer loop: with the filter driving instead, each probe would re-run the
    MATCH and bm25's document-frequency pass (measured 10-100x slower on broad words).
    """
    sql, args = _top_sql(expression, limit, where, params)
    try:
        return [(row[0], row[1]) for row in conn.execute(sql, args)]
    except sqlite3.OperationalError as exc:
        _refuse(exc)
        raise


def _top_sql(
    expression: str, limit: int, where: str, params: Sequence[object]
) -> tuple[str, list[object]]:
    """The statement of top_matches(): (rowid, score), best first."""
    if where == "1":
        sql = (
            f"SELECT rowid, {_BM25} AS score FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? "
            "ORDER BY score, rowid LIMIT ?"
        )
        return sql, [expression, limit]
    sql = (
        f"SELECT f.rowid, {_BM25} AS score FROM {FTS_TABLE} f "
        "CROSS JOIN scene s ON s.id = f.rowid CROSS JOIN drama d ON d.id = s.drama_id "
        f"WHERE {FTS_TABLE} MATCH ? AND {where} ORDER BY score, f.rowid LIMIT ?"
    )
    return sql, [expression, *params, limit]


def _refuse(exc: sqlite3.OperationalError) -> None:
    """One line for the user instead of SQLite's text, when FTS5 refused the expression.

    The expression is built from quoted tokens, so this is not expected."""
    if "fts5" in str(exc) or "syntax" in str(exc):
        raise InvalidInput(
            "this query cannot be searched",
            hint='use words, "a phrase", OR, -word, word* and field:value filters',
        ) from None


def filtered_scene_ids(
    conn: sqlite3.Connection,
    limit: int,
    where: str,
    params: Sequence[object] = (),
    *,
    one_drama: bool = False,
) -> list[int]:
    """Scenes matching filters alone (no words), ordered as `list scenes` orders them:
    episode order within one drama, else the order they were added (no sort, so the limit
    stops the scan early on a large catalogue)."""
    order = "s.episode, s.start_s, s.id" if one_drama else "s.id"
    sql = (
        "SELECT s.id FROM scene s JOIN drama d ON d.id = s.drama_id "
        f"WHERE {where} ORDER BY {order} LIMIT ?"
    )
    return [row[0] for row in conn.execute(sql, [*params, limit])]


@dataclass
class Named:
    """An actor or a drama with every spelling a query may have matched."""

    name: str
    native: str | None = None
    aliases: list[str] = field(default_factory=list)


@dataclass
class HitRow:
    id: int
    key: str
    title: str
    description: str | None
    kind: str
    episode: int | None
    spoiler: str
    drama_id: int
    drama: Named
    network: str | None
    year: int | None
    actors: list[Named] = field(default_factory=list)
    actor_ids: list[int] = field(default_factory=list)
    characters: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    detailed: bool = False  # aliases, credited characters and tags loaded (hit_details)


_HIT_COLUMNS = (
    "s.id, s.key, s.title, s.description, s.kind, s.episode, s.spoiler, s.drama_id, "
    "d.title, d.native, d.network, d.year"
)
_ACTOR_COLUMNS = "a.id, a.name, a.native, sa.character"


def _hit_row(columns: Sequence[Any]) -> HitRow:
    """A HitRow from the values of _HIT_COLUMNS (positional arguments, in HitRow's field
    order: noticeably cheaper than keywords on a page of results)."""
    scene_id, key, title, description, kind, episode, spoiler, drama_id = columns[:8]
    drama, drama_native, network, year = columns[8:12]
    return HitRow(
        scene_id, key, title, description, kind, episode, spoiler, drama_id,
        Named(drama, drama_native), network, year,
    )  # fmt: skip


def _add_actor(
    hit: HitRow, actor_id: int, name: str, native: str | None, character: str | None
) -> None:
    hit.actors.append(Named(name, native))
    hit.actor_ids.append(actor_id)
    if character:
        hit.characters.append(character)


def ranked_hit_rows(
    conn: sqlite3.Connection,
    expression: str,
    limit: int,
    where: str = "1",
    params: Sequence[object] = (),
) -> tuple[list[tuple[HitRow, float]], bool]:
    """The best `limit` matches as (row, bm25 score), best first, and whether more match:
    top_matches() followed by hit_rows(), in one statement.

    The page of rows is joined to its scenes, dramas and actors inside the statement that
    ranks it, so no id list is sent back and forth: the joins are what a search costs beyond
    the FTS scan, since that scan has just pushed their pages out of the cache."""
    top, args = _top_sql(expression, limit + 1, where, params)
    sql = (
        f"WITH top(id, score) AS ({top}) "
        f"SELECT t.id, t.score, {_HIT_COLUMNS}, {_ACTOR_COLUMNS} "
        "FROM top t LEFT JOIN scene s ON s.id = t.id "
        "LEFT JOIN drama d ON d.id = s.drama_id "
        "LEFT JOIN scene_actor sa ON sa.scene_id = s.id LEFT JOIN actor a ON a.id = sa.actor_id "
        "ORDER BY t.score, t.id, sa.position, a.name"
    )
    found: list[tuple[HitRow, float]] = []
    ranked = 0
    last: int | None = None
    hit: HitRow | None = None
    try:
        for row in conn.execute(sql, args):
            if row[0] != last:
                last = row[0]
                ranked += 1
                if ranked > limit:
                    break  # the row past the page only says that more match
                # A scene missing behind its index entry (not expected) is left out, as
                # hit_rows() leaves it out.
                hit = None if row[2] is None else _hit_row(row[2:14])
                if hit is not None:
                    found.append((hit, row[1]))
            if hit is not None and row[14] is not None:
                _add_actor(hit, *row[14:])
    except sqlite3.OperationalError as exc:
        _refuse(exc)
        raise
    return found, ranked > limit


def hit_rows(conn: sqlite3.Connection, ids: Sequence[int]) -> list[HitRow]:
    """What a result line shows, for `ids` (a page of results), in the order of `ids`.

    Only the scene, its drama and its actors' names: after an FTS scan the page cache is
    cold, and each further lookup per row (aliases, credits, tags) costs about as much as
    the rest; `hit_details()` adds those for the rows that need them."""
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    found: dict[int, HitRow] = {}
    for row in conn.execute(
        f"SELECT {_HIT_COLUMNS} FROM scene s JOIN drama d ON d.id = s.drama_id "
        f"WHERE s.id IN ({marks})",
        list(ids),
    ):
        found[row[0]] = _hit_row(row)
    for scene_id, *actor in conn.execute(
        f"SELECT sa.scene_id, {_ACTOR_COLUMNS} "
        "FROM scene_actor sa JOIN actor a ON a.id = sa.actor_id "
        f"WHERE sa.scene_id IN ({marks}) ORDER BY sa.scene_id, sa.position, a.name",
        list(ids),
    ):
        _add_actor(found[scene_id], *actor)
    return [found[i] for i in ids if i in found]


def hit_details(conn: sqlite3.Connection, rows: Sequence[HitRow]) -> None:
    """Add aliases, credited character names and tags to `rows`."""
    todo = [row for row in rows if not row.detailed]
    if not todo:
        return
    by_id = {row.id: row for row in todo}
    marks = ",".join("?" * len(by_id))
    for scene_id, drama_aliases, tags in conn.execute(
        "SELECT s.id, (SELECT group_concat(alias, char(31)) FROM drama_alias "
        "WHERE drama_id = s.drama_id), "
        "(SELECT group_concat(tag, char(31)) FROM scene_tag WHERE scene_id = s.id) "
        f"FROM scene s WHERE s.id IN ({marks})",
        list(by_id),
    ):
        by_id[scene_id].drama.aliases = _split(drama_aliases)
        by_id[scene_id].tags = _split(tags)
    characters: dict[int, list[tuple[int, str]]] = {}
    for scene_id, actor_id, aliases, character in conn.execute(
        "SELECT sa.scene_id, sa.actor_id, "
        "(SELECT group_concat(alias, char(31)) FROM actor_alias WHERE actor_id = sa.actor_id), "
        "coalesce(sa.character, c.character) "
        "FROM scene_actor sa JOIN scene s ON s.id = sa.scene_id "
        "LEFT JOIN credit c ON c.id = (SELECT min(c1.id) FROM credit c1 WHERE c1.actor_id = sa.actor_id AND c1.drama_id = s.drama_id) "
        f"WHERE sa.scene_id IN ({marks})",
        list(by_id),
    ):
        row = by_id[scene_id]
        at = row.actor_ids.index(actor_id)
        row.actors[at].aliases = _split(aliases)
        if character:
            characters.setdefault(scene_id, []).append((at, character))
    for row in todo:
        row.characters = [name for _, name in sorted(characters.get(row.id, []))]
        row.detailed = True


def _split(value: str | None) -> list[str]:
    return value.split("\x1f") if value else []


def known_values(conn: sqlite3.Connection, field: str) -> list[str]:
    """Every scene kind, drama network or value of a declared filter field (location) in
    the catalogue (for "did you mean")."""
    sql = {
        "kind": "SELECT DISTINCT kind FROM scene",
        "network": "SELECT DISTINCT network FROM drama WHERE network IS NOT NULL",
    }.get(field)
    if sql is None:
        column = BY_NAME[field].column
        sql = f"SELECT DISTINCT {column} FROM scene WHERE {column} IS NOT NULL"
    return [row[0] for row in conn.execute(sql)]


_NAME_KEYS = (
    ("name", "actor", "name_key"),
    ("native", "actor", "native_key"),
    ("alias", "actor_alias", "alias_key"),
    ("title", "drama", "title_key"),
    ("native", "drama", "native_key"),
    ("alias", "drama_alias", "alias_key"),
)


def name_candidates(conn: sqlite3.Connection, key: str, spread: int = 3) -> list[str]:
    """Actor and drama spellings whose folded key starts like `key` and is about as long:
    the few a "did you mean" needs to compare, found through the key indexes instead of
    loading every name of a large catalogue."""
    if not key:
        return []
    upper = chr(ord(key[0]) + 1)
    low, high = max(1, len(key) - spread), len(key) + spread
    parts = [
        f"SELECT {value} FROM {table} WHERE {column} >= ? AND {column} < ? "
        f"AND length({column}) BETWEEN ? AND ?"
        for value, table, column in _NAME_KEYS
    ]
    params = [key[0], upper, low, high] * len(parts)
    return [row[0] for row in conn.execute(" UNION ALL ".join(parts), params) if row[0]]


# --- vocabulary, for "did you mean" ------------------------------------------------------------


def _vocabulary(conn: sqlite3.Connection) -> str:
    # A connection-private fts5vocab table: nothing is added to the catalogue file.
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.scenecat_search_vocab "
        f"USING fts5vocab(main, {FTS_TABLE}, 'row')"
    )
    return "temp.scenecat_search_vocab"


def document_count(conn: sqlite3.Connection, term: str) -> int:
    """How many scenes hold the indexed token `term` (already folded)."""
    row = conn.execute(f"SELECT doc FROM {_vocabulary(conn)} WHERE term = ?", (term,)).fetchone()
    return int(row[0]) if row else 0


def terms_like(
    conn: sqlite3.Connection, first: str, shortest: int, longest: int
) -> list[tuple[str, int]]:
    """Indexed tokens that start with `first` (a letter or two) and have a length in
    [shortest, longest], with their document counts: the candidates for correcting one
    misspelt word."""
    upper = first[:-1] + chr(ord(first[-1]) + 1)
    rows = conn.execute(
        f"SELECT term, doc FROM {_vocabulary(conn)} WHERE term >= ? AND term < ? "
        "AND length(term) BETWEEN ? AND ?",
        (first, upper, shortest, longest),
    )
    return [(row[0], row[1]) for row in rows]
