"""The SQL of searching (the index itself is kept by search_index.py).

Ranking happens inside the FTS query: the top N rowids by bm25 come out of one statement and
only those few rows are joined back to scenes, so a broad word never materialises its hits.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from operator import itemgetter
from typing import NamedTuple

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


class HitRow(NamedTuple):
    """What a result line shows of one scene, as the statement reads it: one row per scene,
    its actors packed into `cast` by SQL (a NamedTuple: a page of results makes twenty of
    them, at a fraction of a dataclass's cost)."""

    id: int
    score: float | None  # bm25, lower is better; None for a page of filters alone
    key: str
    title: str
    description: str | None
    kind: str
    episode: int | None
    spoiler: str
    drama_id: int
    drama: str
    drama_native: str | None
    network: str | None
    year: int | None
    # The actors in billing order: their names, native names ("" for none) and ids, each
    # list joined by RS, the three joined by GS (None without actors). Stored text has no
    # control characters.
    cast: str | None

    def actor_names(self) -> list[str]:
        return self.cast.partition(_GS)[0].split(_RS) if self.cast else []

    def actor_natives(self) -> list[str]:
        """The actors' native names, "" where there is none, in actor_names()' order."""
        return self.cast.split(_GS)[1].split(_RS) if self.cast else []

    def actors(self) -> list[tuple[int, str, str | None]]:
        """(id, name, native name) of each actor, in billing order."""
        if not self.cast:
            return []
        names, natives, ids = (part.split(_RS) for part in self.cast.split(_GS))
        return [
            (int(actor_id), name, native or None)
            for actor_id, name, native in zip(ids, names, natives, strict=True)
        ]


@dataclass(slots=True)
class HitDetails:
    """What explains a hit that matched on a name, alias, character or tag only."""

    drama_aliases: list[str]
    tags: list[str]
    actor_aliases: dict[int, list[str]]
    characters: list[str]  # credited character names, in billing order


_RS, _GS = "\x1e", "\x1d"
# Three aggregates over the same ordered rows, so names, native names and ids come in the
# same order. The ORDER BY of a FROM subquery is kept when the outer query aggregates with
# anything but count/min/max (SQLite's rule), so group_concat sees the actors in billing
# order.
_CAST = (
    "(SELECT group_concat(name, char(30)) || char(29) "
    "|| group_concat(coalesce(native, ''), char(30)) || char(29) || group_concat(id, char(30)) "
    "FROM (SELECT a.id, a.name, a.native FROM scene_actor sa JOIN actor a ON a.id = sa.actor_id "
    "WHERE sa.scene_id = s.id ORDER BY sa.position, a.name))"
)
_HIT_COLUMNS = (
    "s.key, s.title, s.description, s.kind, s.episode, s.spoiler, s.drama_id, "
    f"d.title, d.native, d.network, d.year, {_CAST}"
)
_BY_RANK = itemgetter(1, 0)
# A HitRow from a row of the statement (id, score, then _HIT_COLUMNS: HitRow's field order)
# made in C, without the Python-level __new__ a NamedTuple has.
_HIT_ROW = partial(tuple.__new__, HitRow)


def ranked_hit_rows(
    conn: sqlite3.Connection,
    expression: str,
    limit: int,
    where: str = "1",
    params: Sequence[object] = (),
) -> tuple[list[HitRow], bool]:
    """The best `limit` matches, best first, and whether more match: top_matches() followed
    by hit_rows(), in one statement.

    The page of rows is joined to its scenes, dramas and actors inside the statement that
    ranks it, one row per scene: the joins are what a search costs beyond the FTS scan,
    since that scan has just pushed their pages out of the cache. The rows come back in the
    ranking's order without an ORDER BY (whole rows through a sorter); they are sorted here,
    on (score, id) as the ranking does, so the order never rests on the plan."""
    top, args = _top_sql(expression, limit + 1, where, params)
    sql = (
        f"WITH top(id, score) AS ({top}) SELECT t.id, t.score, {_HIT_COLUMNS} "
        "FROM top t LEFT JOIN scene s ON s.id = t.id LEFT JOIN drama d ON d.id = s.drama_id"
    )
    try:
        rows = conn.execute(sql, args).fetchall()
    except sqlite3.OperationalError as exc:
        _refuse(exc)
        raise
    rows.sort(key=_BY_RANK)
    more = len(rows) > limit
    # A scene missing behind its index entry (not expected) is left out, as hit_rows()
    # leaves it out.
    return [_HIT_ROW(row) for row in rows[:limit] if row[2] is not None], more


def hit_rows(conn: sqlite3.Connection, ids: Sequence[int]) -> list[HitRow]:
    """What a result line shows, for `ids` (a page of results), in the order of `ids`.

    Only the scene, its drama and its actors' names: after an FTS scan the page cache is
    cold, and each further lookup per row (aliases, credits, tags) costs about as much as
    the rest; `hit_details()` adds those for the rows that need them."""
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    found = {
        row[0]: _HIT_ROW(row)
        for row in conn.execute(
            f"SELECT s.id, NULL, {_HIT_COLUMNS} FROM scene s JOIN drama d ON d.id = s.drama_id "
            f"WHERE s.id IN ({marks})",
            list(ids),
        )
    }
    return [found[i] for i in ids if i in found]


def hit_details(conn: sqlite3.Connection, rows: Sequence[HitRow]) -> dict[int, HitDetails]:
    """Aliases, credited character names and tags of `rows`, by scene id."""
    if not rows:
        return {}
    order = {row.id: [actor_id for actor_id, _, _ in row.actors()] for row in rows}
    found: dict[int, HitDetails] = {}
    marks = ",".join("?" * len(order))
    for scene_id, drama_aliases, tags in conn.execute(
        "SELECT s.id, (SELECT group_concat(alias, char(31)) FROM drama_alias "
        "WHERE drama_id = s.drama_id), "
        "(SELECT group_concat(tag, char(31)) FROM scene_tag WHERE scene_id = s.id) "
        f"FROM scene s WHERE s.id IN ({marks})",
        list(order),
    ):
        found[scene_id] = HitDetails(_split(drama_aliases), _split(tags), {}, [])
    characters: dict[int, list[tuple[int, str]]] = {}
    for scene_id, actor_id, aliases, character in conn.execute(
        "SELECT sa.scene_id, sa.actor_id, "
        "(SELECT group_concat(alias, char(31)) FROM actor_alias WHERE actor_id = sa.actor_id), "
        "coalesce(sa.character, c.character) "
        "FROM scene_actor sa JOIN scene s ON s.id = sa.scene_id "
        "LEFT JOIN credit c ON c.id = (SELECT min(c1.id) FROM credit c1 WHERE c1.actor_id = sa.actor_id AND c1.drama_id = s.drama_id) "
        f"WHERE sa.scene_id IN ({marks})",
        list(order),
    ):
        found[scene_id].actor_aliases[actor_id] = _split(aliases)
        if character:
            at = order[scene_id].index(actor_id)
            characters.setdefault(scene_id, []).append((at, character))
    for scene_id, details in found.items():
        details.characters = [name for _, name in sorted(characters.get(scene_id, []))]
    return found


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
