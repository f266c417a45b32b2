"""The SQL of `rank` and `trending`: loading the fan signals of a scope fast.

One query returns, per scene of the scope, the aggregates the ranking needs (current votes as
count and integer sum, the latest view count); duels are counted apart (for a broad scope from
the whole duel table at once, which is smaller than one lookup per scene), and the duel graph is
walked component by component from the scenes whose strength matters, so a Bradley-Terry fit
sees every duel that can influence them and nothing else. Reads run in one transaction so that
a vote written by another process half-way through cannot give a ranking that mixes two states.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from operator import itemgetter
from typing import TYPE_CHECKING

from scenecat.scoring.params import MAX_VOTE
from scenecat.scoring.top_n import NOT_LOADED, Member, SceneCounts, StoredClass
from scenecat.storage.ddl import run_in_transaction_statements
from scenecat.storage.scenes import SceneFilter
from scenecat.storage.scenes import id_list as id_list  # its old home: duel_strengths uses it

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


def create_indexes(db: Database) -> None:
    """Migration 0005_ranking_indexes."""
    run_in_transaction_statements(db, list(INDEXES))


# A scope filtered by its dramas (--network, --year) starts from the dramas that match, then
# their scenes by scene_by_drama. Without these SQLite 3.40 (no statistics) scans every scene
# and looks its drama up: at 1M scenes 421 ms against 173 ms for tvN's 176,195 scenes.
DRAMA_INDEXES = (
    "CREATE INDEX IF NOT EXISTS drama_by_network ON drama(network COLLATE NOCASE)",
    "CREATE INDEX IF NOT EXISTS drama_by_year ON drama(year)",
)


def create_drama_indexes(db: Database) -> None:
    """Migration 0016_drama_filter_indexes."""
    run_in_transaction_statements(db, list(DRAMA_INDEXES))


#: One scene of a scope: (id, key, drama_id, n_votes, vote_sum, latest_views, n_duels).
ScopeRow = tuple[int, str, int, int, int, int | None, int]

# The latest count per source is the largest count seen on that source's latest date
# (undated snapshots count as oldest); a scene's latest views are the largest of those, so a
# small fan re-upload seen last does not hide the official clip's count. A snapshot is on its
# source's latest date when no snapshot of that source is later: one index range per snapshot
# (a NULL date is never later than anything, and `observed_on > ''` holds for every date).
LATEST_VIEWS = (
    "(SELECT max(vc.count) FROM view_count vc WHERE vc.scene_id = s.id "
    "AND NOT EXISTS (SELECT 1 FROM view_count o WHERE o.scene_id = s.id "
    "AND o.source = vc.source AND o.observed_on > coalesce(vc.observed_on, '')))"
)
VOTE_COUNT = "(SELECT count(*) FROM vote v WHERE v.scene_id = s.id AND v.current = 1)"
VOTE_SUM = (
    "(SELECT coalesce(sum(v.score), 0) FROM vote v WHERE v.scene_id = s.id AND v.current = 1)"
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
        f"SELECT s.id, s.key, s.drama_id, {VOTE_COUNT}, {VOTE_SUM}, {LATEST_VIEWS}, "
        "(SELECT count(*) FROM duel WHERE winner_id = s.id) "
        "+ (SELECT count(*) FROM duel WHERE loser_id = s.id) "
        f"FROM scene s JOIN drama d ON d.id = s.drama_id WHERE {where}"
    )
    return sql, params


def scope_rows(conn: sqlite3.Connection, scope: SceneFilter) -> list[ScopeRow]:
    """Every scene of the scope with its aggregated signals."""
    sql, params = scope_sql(scope)
    return list(conn.execute(sql, params))


#: One scene of a scope for the top-N ranking: (id, n_votes, vote_sum, latest_views), where
#: latest_views is NOT_LOADED (-1) when the query was asked to leave the views out. The
#: ranker's own row type and marker, so what this layer returns is what it takes.
SignalRow = SceneCounts


def _from_scope(scope: SceneFilter) -> str:
    # Without a drama filter the join only costs a read of every scene's row.
    return "scene s JOIN drama d ON d.id = s.drama_id" if scope.needs_drama() else "scene s"


# A scene's current votes as one number, count * 2**32 + sum (scores are 1..10, so the sum
# stays below 2**32 for any realistic count): one index range per scene instead of two.
_VOTE_PAIR = (
    "(SELECT (count(*) << 32) + coalesce(sum(v.score), 0) FROM vote v "
    "WHERE v.scene_id = s.id AND v.current = 1)"
)
_LOW_32 = (1 << 32) - 1


def signals_sql(scope: SceneFilter, *, views: bool = True) -> tuple[str, list[object]]:
    """The query behind :func:`scope_signals`: (id, votes as count << 32 + sum, latest views
    or NOT_LOADED)."""
    where, params = scope.where()
    latest = LATEST_VIEWS if views else str(NOT_LOADED)
    sql = f"SELECT s.id, {_VOTE_PAIR}, {latest} FROM {_from_scope(scope)} WHERE {where}"
    return sql, params


def _class_source(scope: SceneFilter) -> tuple[str, str, list[object]]:
    """FROM and WHERE of the scope's scene_signal rows (alias g)."""
    where, params = scope.where()
    if where == "1":
        return "scene_signal g", "1", []
    if scope == SceneFilter(kind=scope.kind):  # the kind is in the row (and its index)
        return "scene_signal g", "g.kind = ?", [scope.kind]
    if not scope.needs_scene_row():
        # Actors, a tag, a kind: scene_signal's id and kind answer them, and no scene row (a
        # page read per scene at 1M scenes) is read. `+g.kind` keeps the kind off the class
        # indexes: the actor's (or tag's) scenes are the few rows to start from.
        if not scope.actor_ids:
            where, params = scope.where(scene_id="g.scene_id", kind="+g.kind")
            return "scene_signal g", where, params
        # The first actor's scenes joined (one row each: scene_actor's key is the pair)
        # rather than listed by `IN (SELECT ...)`, which copies them into a temporary index
        # first (11 M instructions for the busiest actor at 1M); other actors stay filters.
        first, *others = scope.actor_ids
        rest = replace(scope, actor_ids=tuple(others))
        where, params = rest.where(scene_id="g.scene_id", kind="+g.kind")
        return (
            "scene_actor sa JOIN scene_signal g ON g.scene_id = sa.scene_id",
            "sa.actor_id = ?" + ("" if where == "1" else f" AND {where}"),
            [first, *params],
        )
    return f"{_from_scope(scope)} JOIN scene_signal g ON g.scene_id = s.id", where, params


def classes_indexed(scope: SceneFilter) -> bool:
    """Whether the scope's score classes are counted in signal_class (the whole catalogue, or
    one kind): then :func:`signal_classes` reads a few thousand rows, whatever the size."""
    return scope == SceneFilter() or scope == SceneFilter(kind=scope.kind)


def vote_totals(conn: sqlite3.Connection) -> tuple[int, int]:
    """The whole catalogue's current votes: (how many, their integer sum), from the class
    counts (a few thousand rows, whatever the catalogue's size). Every score's prior comes
    from these, whatever the scope."""
    row = conn.execute(
        "SELECT coalesce(sum(votes * scenes), 0), coalesce(sum(vote_sum * scenes), 0) "
        "FROM signal_class"
    ).fetchone()
    return int(row[0]), int(row[1])


def signal_classes(
    conn: sqlite3.Connection, scope: SceneFilter, *, strengths: bool = True
) -> list[StoredClass]:
    """The scope's scenes counted by score class (storage.scene_signals): (vote count, vote
    sum, duels won and lost, has a view count, scenes, most views, strongest stored
    strength). The strongest strength is left out (None) unless `strengths`: say False when
    the stored strengths are not all current (storage.duel_strengths.all_current)."""
    if classes_indexed(scope):
        kind = "WHERE kind = ?" if scope.kind else ""
        top = "max(top_strength)" if strengths else "NULL"
        sql = (
            f"SELECT votes, vote_sum, duels, has_views, sum(scenes), max(top_views), {top} "
            f"FROM signal_class {kind} GROUP BY votes, vote_sum, duels, has_views"
        )
        rows = conn.execute(sql, [scope.kind] if scope.kind else [])
    else:
        source, where, params = _class_source(scope)
        top = "max(g.strength)" if strengths else "NULL"
        sql = (
            f"SELECT g.votes, g.vote_sum, g.duels, g.has_views, count(*), max(g.views), {top} "
            f"FROM {source} WHERE {where} GROUP BY 1, 2, 3, 4"
        )
        rows = conn.execute(sql, params)
    return [(v, t, d, bool(h), n, top_views, top) for v, t, d, h, n, top_views, top in rows]


def class_members(
    conn: sqlite3.Connection,
    scope: SceneFilter,
    key: tuple[int, int, int, bool],
    after: tuple[int | None, int] | None,
    limit: int | None,
) -> list[Member]:
    """(scene id, latest views, stored strength) of the scope's scenes in one score class,
    most views first, then highest id (the order of the class indexes, read backwards), from
    after the member `after` (views, scene id) on, at most `limit` (None: all)."""
    source, where, params = _class_source(scope)
    votes, total, duels, has_views = key
    args: list[object] = [*params, votes, total, duels, int(has_views)]
    since = ""
    if after is not None:
        if has_views:
            since = "AND (g.views, g.scene_id) < (?, ?) "
            args += [after[0], after[1]]
        else:  # no views: by id alone
            since = "AND g.scene_id < ? "
            args.append(after[1])
    sql = (
        f"SELECT g.scene_id, g.views, g.strength FROM {source} WHERE {where} AND g.votes = ? "
        f"AND g.vote_sum = ? AND g.duels = ? AND g.has_views = ? {since}"
        "ORDER BY g.views DESC, g.scene_id DESC LIMIT ?"
    )
    args.append(-1 if limit is None else limit)
    return list(conn.execute(sql, args))


def stored_signals(
    conn: sqlite3.Connection, scope: SceneFilter, *, views: bool = True
) -> tuple[list[SignalRow], dict[int, int]]:
    """Every scene of the scope from scene_signal: rows as :func:`scope_signals` gives them,
    and the duels (won plus lost) of those that have any."""
    source, where, params = _class_source(scope)
    latest = "g.views" if views else str(NOT_LOADED)
    sql = f"SELECT g.scene_id, g.votes, g.vote_sum, {latest}, g.duels FROM {source} WHERE {where}"
    rows: list[SignalRow] = []
    duels: dict[int, int] = {}
    for scene_id, votes, total, seen, n in conn.execute(sql, params):
        rows.append((scene_id, votes, total, seen))
        if n:
            duels[scene_id] = n
    return rows, duels


#: One scene of a scope for classing in memory: (id, score class, latest views, stored
#: strength). The class, (vote count, vote sum, duels, has views), comes packed into one
#: integer (:func:`unpack_class` reads it back): each value handed to Python costs about 800
#: instructions (3.11's sqlite3 lets go of the GIL and takes it back around every one), far
#: more than the SQL's shifts, and one integer is a cheaper key to class by than a tuple. A
#: catalogue whose counts do not fit the packing gets the tuple itself.
PackedClass = int | tuple[int, int, int, int]
MemberRow = tuple[int, PackedClass, int | None, float | None]

# The packing: has views in the lowest bit, then duels, vote sum and vote count; 63 bits.
_DUEL_BITS = 20
_SUM_BITS = 21
_VOTE_BITS = 63 - 1 - _DUEL_BITS - _SUM_BITS


def unpack_class(packed: PackedClass) -> tuple[int, int, int, int]:
    """(vote count, vote sum, duels, has views) of a :data:`MemberRow`'s class."""
    if isinstance(packed, tuple):
        return packed
    rest, has_views = packed >> 1, packed & 1
    rest, duels = rest >> _DUEL_BITS, rest & ((1 << _DUEL_BITS) - 1)
    votes, vote_sum = rest >> _SUM_BITS, rest & ((1 << _SUM_BITS) - 1)
    return votes, vote_sum, duels, has_views


def scope_members(
    conn: sqlite3.Connection, scope: SceneFilter, strengths: bool = True
) -> list[MemberRow]:
    """Every scene of the scope from scene_signal as a :data:`MemberRow` (the stored
    strength None unless `strengths`)."""
    source, where, params = _class_source(scope)
    strength = "g.strength" if strengths else "NULL"
    # Bounds of every scene's counts (kept by triggers, never negative), from index ends
    # rather than a scan: the most votes; a vote sum at most MAX_VOTE times that
    # (vote.score's CHECK); no more duels than the duel ids span.
    votes, duels = conn.execute(
        "SELECT (SELECT max(votes) FROM scene_signal), "
        "(SELECT max(id) FROM duel) - (SELECT min(id) FROM duel) + 1"
    ).fetchone()
    votes, duels = votes or 0, duels or 0
    if votes >> _VOTE_BITS or (votes * MAX_VOTE) >> _SUM_BITS or duels >> _DUEL_BITS:
        sql = (
            f"SELECT g.scene_id, g.votes, g.vote_sum, g.duels, g.has_views, g.views, {strength} "
            f"FROM {source} WHERE {where}"
        )
        return [(r[0], r[1:5], r[5], r[6]) for r in conn.execute(sql, params)]
    sql = (
        f"SELECT g.scene_id, ((g.votes << {_SUM_BITS} | g.vote_sum) << {_DUEL_BITS} | g.duels) "
        f"<< 1 | g.has_views, g.views, {strength} FROM {source} WHERE {where}"
    )
    return conn.execute(sql, params).fetchall()


def signals_of(
    conn: sqlite3.Connection, scene_ids: Sequence[int]
) -> list[tuple[int, str, int, int, int | None, int]]:
    """(scene id, key, vote count, vote sum, latest views, duels) of the scenes given."""
    return list(
        conn.execute(
            "SELECT g.scene_id, s.key, g.votes, g.vote_sum, g.views, g.duels "
            "FROM scene_signal g JOIN scene s ON s.id = g.scene_id "
            "WHERE g.scene_id IN (SELECT value FROM json_each(?))",
            (id_list(scene_ids),),
        )
    )


def scope_signals(
    conn: sqlite3.Connection, scope: SceneFilter, *, views: bool = True
) -> list[SignalRow]:
    """Every scene of the scope with its votes and, if `views`, its latest views (no key, no
    duels: a broad scope only needs those of the few scenes that can make its top, and
    :func:`latest_views` reads theirs)."""
    sql, params = signals_sql(scope, views=views)
    low = _LOW_32
    return [(i, pair >> 32, pair & low, seen) for i, pair, seen in conn.execute(sql, params)]


def duel_records(conn: sqlite3.Connection, scene_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """(duels won, duels lost) of each of `scene_ids`, from scene_signal."""
    return {
        scene_id: (won, lost)
        for scene_id, won, lost in conn.execute(
            "SELECT scene_id, wins, losses FROM scene_signal "
            "WHERE scene_id IN (SELECT value FROM json_each(?))",
            (id_list(scene_ids),),
        )
    }


def latest_views(conn: sqlite3.Connection, scene_ids: Sequence[int]) -> dict[int, int | None]:
    """The latest view count of each scene (None: it has none)."""
    return dict(
        conn.execute(
            f"SELECT s.id, {LATEST_VIEWS} FROM scene s "
            "WHERE s.id IN (SELECT value FROM json_each(?))",
            (id_list(scene_ids),),
        )
    )


def duel_counts(conn: sqlite3.Connection, scene_ids: Sequence[int]) -> dict[int, int]:
    """Duels (won plus lost) of each of `scene_ids` that has any. For many scenes, counting the
    whole duel table (one index scan) is cheaper than two lookups per scene; the result may
    then name other scenes too."""
    row = conn.execute("SELECT max(id) FROM duel").fetchone()
    duels = row[0] or 0  # an upper bound on the number of duels, found without a scan
    if not duels or not scene_ids:
        return {}
    # Measured at 1M scenes: a duel read costs about 2/3 of a scene's two lookups.
    if len(scene_ids) * 3 >= duels * 2:
        pairs = conn.execute("SELECT winner_id, loser_id FROM duel").fetchall()
        counts = Counter(map(itemgetter(0), pairs))
        counts.update(map(itemgetter(1), pairs))
        return dict(counts)
    ids = (id_list(scene_ids),)
    found: dict[int, int] = {}
    for column in ("winner_id", "loser_id"):
        for scene_id, times in conn.execute(
            f"SELECT {column}, count(*) FROM duel "
            f"WHERE {column} IN (SELECT value FROM json_each(?)) GROUP BY {column}",
            ids,
        ):
            found[scene_id] = found.get(scene_id, 0) + times
    return found


def group_sizes(conn: sqlite3.Connection, scope: SceneFilter, by: str) -> dict[object, int]:
    """Scenes of the scope per group: {drama id: n} for "drama", {actor id: n} for "actor",
    {(lower actor id, higher actor id): n} for "couple" (two actors of one scene)."""
    where, params = scope.where()
    source = _from_scope(scope)
    # Without a filter every participation counts: the actor index alone answers (foreign keys
    # guarantee each one's scene), instead of a lookup of the scene per participation.
    everything = where == "1"
    if by == "drama":
        sql = f"SELECT s.drama_id, count(*) FROM {source} WHERE {where} GROUP BY s.drama_id"
        return dict(conn.execute(sql, params))
    if by == "actor":
        if everything:
            sql = "SELECT actor_id, count(*) FROM scene_actor GROUP BY actor_id"
        else:
            sql = (
                f"SELECT sa.actor_id, count(*) FROM {source} "
                f"JOIN scene_actor sa ON sa.scene_id = s.id WHERE {where} GROUP BY sa.actor_id"
            )
        return dict(conn.execute(sql, params))
    if by == "couple":
        pair = "JOIN scene_actor b ON b.scene_id = a.scene_id AND b.actor_id > a.actor_id"
        if everything:
            sql = f"SELECT a.actor_id, b.actor_id, count(*) FROM scene_actor a {pair}"
        else:
            sql = (
                f"SELECT a.actor_id, b.actor_id, count(*) FROM {source} "
                f"JOIN scene_actor a ON a.scene_id = s.id {pair} WHERE {where}"
            )
        sql += " GROUP BY a.actor_id, b.actor_id"
        return {(first, second): n for first, second, n in conn.execute(sql, params)}
    raise ValueError(f"unknown grouping {by!r}")


def scene_dramas(conn: sqlite3.Connection, scene_ids: Sequence[int]) -> dict[int, int]:
    """The drama id of each scene."""
    return dict(
        conn.execute(
            "SELECT id, drama_id FROM scene WHERE id IN (SELECT value FROM json_each(?))",
            (id_list(scene_ids),),
        )
    )


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
            (id_list(frontier),),
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
        (id_list(scene_ids),),
    ):
        result.setdefault(scene_id, []).append((actor_id, name))
    return result


def drama_titles(conn: sqlite3.Connection, drama_ids: Sequence[int]) -> dict[int, str]:
    return dict(
        conn.execute(
            "SELECT id, title FROM drama WHERE id IN (SELECT value FROM json_each(?))",
            (id_list(drama_ids),),
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
            (id_list(scene_ids),),
        )
    )
