"""Loading the fan signals of a scope fast, for `rank` and `trending`.

One query returns, per scene of the scope, the aggregates the ranking needs (current votes as
count and integer sum, the latest view count, the number of duels); the duel graph around the
scope is then walked component by component, so the Bradley-Terry fit sees every duel that can
influence the scope and nothing else. Reads run in one transaction so that a vote written by
another process half-way through cannot give a ranking that mixes two states.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from scenecat.storage.scenes import SceneFilter

if TYPE_CHECKING:
    from sqlite_utils import Database

# vote(scene_id, current, score) covers counting and summing a scene's current votes.
# view_count(scene_id, source, observed_on, count) answers "latest count per source" from the
# index alone; view_count(observed_on) finds a trending window without a full scan; the duel
# pairs let the duel-graph walk read both ends of a duel from one index.
INDEXES = (
    "CREATE INDEX IF NOT EXISTS vote_current_by_scene ON vote(scene_id, current, score)",
    "CREATE INDEX IF NOT EXISTS view_count_latest "
    "ON view_count(scene_id, source, observed_on, count)",
    "CREATE INDEX IF NOT EXISTS view_count_by_date ON view_count(observed_on, scene_id)",
    "CREATE INDEX IF NOT EXISTS duel_pair_by_winner ON duel(winner_id, loser_id)",
    "CREATE INDEX IF NOT EXISTS duel_pair_by_loser ON duel(loser_id, winner_id)",
)


def _install(db: Database) -> None:
    from scenecat.storage.schema import run_in_transaction_statements

    run_in_transaction_statements(db, list(INDEXES))


MIGRATIONS: list[tuple[str, Callable[[Database], None]]] = [("0005_ranking_indexes", _install)]

#: One scene of a scope: (id, key, drama_id, n_votes, vote_sum, latest_views, n_duels).
ScopeRow = tuple[int, str, int, int, int, int | None, int]

# The latest count per source is the largest count seen on that source's latest date
# (undated snapshots count as oldest); a scene's latest views are the largest of those, so a
# small fan re-upload seen last does not hide the official clip's count.
LATEST_VIEWS = (
    "(SELECT max(vc.count) FROM view_count vc WHERE vc.scene_id = s.id "
    "AND coalesce(vc.observed_on, '') = (SELECT coalesce(max(o.observed_on), '') "
    "FROM view_count o WHERE o.scene_id = s.id AND o.source = vc.source))"
)


@contextmanager
def read_snapshot(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run several reads against one consistent state of the catalogue (WAL snapshot)."""
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        conn.execute("COMMIT")


def scope_sql(scope: SceneFilter) -> tuple[str, list[object]]:
    """The query behind :func:`scope_rows` (for benchmarks and query-plan checks)."""
    where, params = scope.where()
    sql = (
        "SELECT s.id, s.key, s.drama_id, "
        "(SELECT count(*) FROM vote v WHERE v.scene_id = s.id AND v.current = 1), "
        "(SELECT coalesce(sum(v.score), 0) FROM vote v WHERE v.scene_id = s.id AND v.current = 1), "
        f"{LATEST_VIEWS}, "
        "(SELECT count(*) FROM duel WHERE winner_id = s.id) "
        "+ (SELECT count(*) FROM duel WHERE loser_id = s.id) "
        f"FROM scene s JOIN drama d ON d.id = s.drama_id WHERE {where}"
    )
    return sql, params


def scope_rows(conn: sqlite3.Connection, scope: SceneFilter) -> list[ScopeRow]:
    """Every scene of the scope with its aggregated signals."""
    sql, params = scope_sql(scope)
    return list(conn.execute(sql, params))


def _id_list(ids: Sequence[int]) -> str:
    # One JSON parameter instead of thousands of `?`: no limit on the number of variables.
    return json.dumps(list(ids))


def duel_graph(conn: sqlite3.Connection, seeds: Iterable[int]) -> dict[tuple[int, int], int]:
    """Duel counts {(winner_id, loser_id): times} of every connected component of the duel graph
    that contains one of `seeds` (scene ids)."""
    seen: set[int] = set(seeds)
    frontier = sorted(seen)
    duels: dict[int, tuple[int, int]] = {}
    while frontier:
        found: list[int] = []
        for duel_id, winner, loser in conn.execute(
            "SELECT id, winner_id, loser_id FROM duel WHERE winner_id IN (SELECT value FROM "
            "json_each(?1)) UNION ALL SELECT id, winner_id, loser_id FROM duel WHERE loser_id "
            "IN (SELECT value FROM json_each(?1))",
            (_id_list(frontier),),
        ):
            if duel_id in duels:
                continue
            duels[duel_id] = (winner, loser)
            for other in (winner, loser):
                if other not in seen:
                    seen.add(other)
                    found.append(other)
        frontier = found
    counts: dict[tuple[int, int], int] = {}
    for pair in duels.values():
        counts[pair] = counts.get(pair, 0) + 1
    return counts


def scene_actors(
    conn: sqlite3.Connection, scene_ids: Sequence[int]
) -> dict[int, list[tuple[int, str]]]:
    """(actor id, name) of each scene's participants, in billing position order."""
    result: dict[int, list[tuple[int, str]]] = {}
    for scene_id, actor_id, name in conn.execute(
        "SELECT sa.scene_id, a.id, a.name FROM scene_actor sa JOIN actor a ON a.id = sa.actor_id "
        "WHERE sa.scene_id IN (SELECT value FROM json_each(?)) "
        "ORDER BY sa.scene_id, sa.position, a.name",
        (_id_list(scene_ids),),
    ):
        result.setdefault(scene_id, []).append((actor_id, name))
    return result


def drama_titles(conn: sqlite3.Connection, drama_ids: Sequence[int]) -> dict[int, str]:
    return dict(
        conn.execute(
            "SELECT id, title FROM drama WHERE id IN (SELECT value FROM json_each(?))",
            (_id_list(drama_ids),),
        )
    )


def view_snapshots(
    conn: sqlite3.Connection, scope: SceneFilter, since: str, until: str
) -> list[tuple[int, str, str, int]]:
    """Dated view counts observed between `since` and `until` (inclusive, YYYY-MM-DD) of the
    scope's scenes: (scene_id, source, observed_on, count), in no particular order."""
    where, params = scope.where()
    if where == "1":  # no filter: the date index alone answers
        return list(
            conn.execute(
                "SELECT scene_id, source, observed_on, count FROM view_count "
                "WHERE observed_on BETWEEN ? AND ?",
                (since, until),
            )
        )
    sql = (
        "SELECT s.id, vc.source, vc.observed_on, vc.count FROM view_count vc "
        "JOIN scene s ON s.id = vc.scene_id JOIN drama d ON d.id = s.drama_id "
        f"WHERE vc.observed_on BETWEEN ? AND ? AND {where}"
    )
    return list(conn.execute(sql, [since, until, *params]))


def scene_keys(conn: sqlite3.Connection, scene_ids: Sequence[int]) -> dict[int, str]:
    return dict(
        conn.execute(
            "SELECT id, key FROM scene WHERE id IN (SELECT value FROM json_each(?))",
            (_id_list(scene_ids),),
        )
    )
