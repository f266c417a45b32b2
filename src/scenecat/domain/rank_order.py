"""The order of a scope worked out only as far as a ranking shows: `scope_ranker` makes the
`ScopeRanker` (scoring/top_n.py) of a scope from its stored score classes (or classes its rows
in memory), `ScopeOrder` drives it, reading stored Bradley-Terry strengths or fitting duel
components (`Duels`) and loading view counts and keys for the scenes that can still reach the
part asked for; `best_per_group` walks that order for `rank --by drama|actor|couple`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from operator import itemgetter

from scenecat.scoring.bradley_terry import bradley_terry_counts
from scenecat.scoring.params import RankParams
from scenecat.scoring.scores import VoteTotals
from scenecat.scoring.top_n import ClassKey, ClassLoader, Cursor, Member, ScopeRanker, StoredClass
from scenecat.storage import duel_strengths, rank_queries
from scenecat.storage.scenes import SceneFilter


class Duels:
    """Bradley-Terry strengths of the scenes asked for so far (by scene id).

    With the catalogue's own prior and every stored strength current (storage/
    duel_strengths.py), they are read from the cache; otherwise (a what-if prior, or duels
    written by another program since the last fit) the duel components are fitted here, and
    the duel counts {(winner id, loser id): times} of those components kept in `pairs`."""

    def __init__(self, conn: sqlite3.Connection, prior: float) -> None:
        self.conn = conn
        self.prior = prior
        self.pairs: dict[tuple[int, int], int] = {}
        self.strengths: dict[int, float] = {}
        #: Whether the stored strengths are those of a fit with this prior.
        self.cached = prior == duel_strengths.PRIOR and duel_strengths.all_current(conn)

    def fit(self, scene_ids: list[int]) -> None:
        """The strengths of `scene_ids` (scenes with duels) not known yet. Components are
        fitted independently (bradley_terry_counts), so fitting them a few at a time
        gives the strengths of one fit of every duel."""
        seeds = [i for i in scene_ids if i not in self.strengths]
        if not seeds:
            return
        if self.cached:
            self.strengths.update(duel_strengths.stored(self.conn, seeds))
            return
        pairs = rank_queries.duel_graph(self.conn, seeds)
        self.pairs.update(pairs)  # components are whole: a pair is never counted twice
        self.strengths.update(bradley_terry_counts(pairs, self.prior))

    def record(self, scene_ids: list[int]) -> dict[int, tuple[int, int]]:
        """(duels won, duels lost) of each of `scene_ids`."""
        found = rank_queries.duel_records(self.conn, scene_ids)
        return {scene_id: found.get(scene_id, (0, 0)) for scene_id in scene_ids}


def scope_ranker(
    conn: sqlite3.Connection,
    filt: SceneFilter,
    params: RankParams,
    totals: VoteTotals,
    duels: Duels,
) -> ScopeRanker:
    """The ranker of a scope, from the stored signals (storage/scene_signals.py): its score
    classes, with each class's most views and strongest strength, and their members read only
    for the classes that can reach the part asked for, most views first, with their stored
    strengths (when current: `duels.cached`)."""
    cached = duels.cached
    if params.w_views > 0 and params.w_views >= params.w_votes:
        # Views weigh as much as votes (a what-if): nearly every scene needs its own.
        found, n_duels = rank_queries.stored_signals(conn, filt, views=True)
        return ScopeRanker(found, n_duels, params, totals)
    if not rank_queries.classes_indexed(filt):
        # A join (network, actor, year...): one pass over the scope's rows, classed here;
        # a query per class would go through the join again.
        in_memory, from_memory = classes_in_memory(rank_queries.scope_members(conn, filt, cached))
        return ScopeRanker.from_classes(in_memory, from_memory, params, totals)

    def load(key: ClassKey, after: Cursor, count: int | None) -> list[Member]:
        members = rank_queries.class_members(conn, filt, key, after, count)
        return members if cached else [(i, v, None) for i, v, _ in members]

    classes = rank_queries.signal_classes(conn, filt, strengths=cached)
    return ScopeRanker.from_classes(classes, load, params, totals)


def classes_in_memory(
    rows: Iterable[rank_queries.MemberRow],
) -> tuple[list[StoredClass], ClassLoader]:
    """The score classes of `rows` (rank_queries.scope_members) with their tops, and a loader
    of their members in the order of the class indexes (most views first, then highest id),
    as the stored histogram gives them."""
    # The hot loop of a broad scope (a row per scene): the rows are kept as they come and
    # classed by their packed class.
    groups: dict[rank_queries.PackedClass, list[rank_queries.MemberRow]] = {}
    for row in rows:
        key = row[1]
        found = groups.get(key)
        if found is None:
            groups[key] = [row]
        else:
            found.append(row)
    classes: list[StoredClass] = []
    packed: dict[ClassKey, rank_queries.PackedClass] = {}
    for key, members in groups.items():
        votes, total, duels, has_views = rank_queries.unpack_class(key)
        top_views = max(map(_VIEWS, members)) if has_views else None
        top_strength = None
        if duels:
            top_strength = max((r[3] for r in members if r[3] is not None), default=None)
        classes.append(
            (votes, total, duels, bool(has_views), len(members), top_views, top_strength)
        )
        packed[(votes, total, duels, bool(has_views))] = key
    read: dict[ClassKey, int] = {}  # members handed out so far, once a class is sorted

    def load(key: ClassKey, after: Cursor, count: int | None) -> list[Member]:
        members = groups[packed[(key[0], key[1], key[2], bool(key[3]))]]
        start = read.get(key)
        if start is None:
            members.sort(key=_index_order, reverse=True)
            start = 0
        if after is not None and (start == 0 or members[start - 1][0] != after[1]):
            raise ValueError("class members are read in order, a page after the other")
        page = members[start:] if count is None else members[start : start + count]
        read[key] = start + len(page)
        return [(r[0], r[2], r[3]) for r in page]

    return classes, load


_VIEWS = itemgetter(2)


def _index_order(row: rank_queries.MemberRow) -> tuple[int, int]:
    # The order of the class indexes: views (NULL lowest), then id.
    return (-1 if row[2] is None else row[2], row[0])


class ScopeOrder:
    """The ranking order of a scope, worked out as far as it is asked for (row indices)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        rows: Sequence[rank_queries.SignalRow],
        ranker: ScopeRanker,
        duels: Duels,
    ) -> None:
        self.conn = conn
        self.rows = rows
        self.ranker = ranker
        self.duels = duels
        self.keys: dict[int, str] = {}  # scene id -> key, fetched for the scenes that need one
        self.known: list[int] = []  # the first len(known) scenes of the order

    def _fetch_keys(self, indices: list[int]) -> None:
        rows, keys = self.rows, self.keys
        missing = [rows[i][0] for i in indices if rows[i][0] not in keys]
        if missing:
            keys.update(rank_queries.scene_keys(self.conn, missing))

    def _load_views(self, indices: list[int]) -> None:
        if indices:
            rows = self.rows
            found = rank_queries.latest_views(self.conn, [rows[i][0] for i in indices])
            self.ranker.add_views({i: found[rows[i][0]] for i in indices})

    def first(self, want: int) -> list[int]:
        """The first `want` scenes of the order (all of them when there are fewer)."""
        want = min(want, self.ranker.size)
        if len(self.known) >= want:
            return self.known[:want]
        ranker, rows, strengths = self.ranker, self.rows, self.duels.strengths
        while True:
            views, unfitted = ranker.missing(want, strengths)
            if unfitted:
                ids = [rows[i][0] for i in unfitted]
                self.duels.fit(ids)
                if any(i not in strengths for i in ids):  # pragma: no cover - a broken fit
                    raise RuntimeError("the Bradley-Terry fit left out a scene with duels")
            elif views:
                self._load_views(views)
            else:
                break
        indices = ranker.contenders(want)
        self._fetch_keys(indices)
        order = ranker.ranked(indices, self.keys)[:want]
        self.known = order
        return order


#: How many scenes of the order the first look for --by drama|actor|couple takes per group
#: asked for (at least _GROUP_FIRST); when they hold too few groups, four times as many are
#: taken, and so on.
_GROUP_LOOKAHEAD = 4
_GROUP_FIRST = 64
_GROUP_GROWTH = 4


def best_per_group(
    conn: sqlite3.Connection,
    filt: SceneFilter,
    ordered: ScopeOrder,
    by: str,
    limit: int | None,
) -> tuple[list[tuple[int, str | None, int | None]], int]:
    """Walk the scenes best first and keep the first (best) scene of every group; also the
    number of groups in the scope."""
    sizes = rank_queries.group_sizes(conn, filt, by)
    rows = ordered.rows
    total = ordered.ranker.size
    group_of: dict[int, list[tuple[object, str]]] = {}  # row index -> [(group id, label)]
    want = total if limit is None else min(total, max(limit * _GROUP_LOOKAHEAD, _GROUP_FIRST))
    while True:
        order = ordered.first(want)
        _memberships(conn, rows, [i for i in order if i not in group_of], by, group_of)
        best: list[tuple[int, str | None, int | None]] = []
        seen: set[object] = set()
        for index in order:
            for group_id, label in group_of[index]:
                if group_id not in seen:
                    seen.add(group_id)
                    best.append((index, label, sizes[_size_key(group_id)]))
            if limit is not None and len(best) >= limit:
                break
        # Every group of the scope found (often fewer than --limit, or none): looking further
        # down the order cannot add one.
        if (limit is not None and len(best) >= limit) or want >= total or len(seen) >= len(sizes):
            break
        want = min(total, want * _GROUP_GROWTH)
    return (best if limit is None else best[:limit]), len(sizes)


def _size_key(group_id: object) -> object:
    # Couples are counted in storage as (lower actor id, higher actor id).
    if isinstance(group_id, tuple):
        return (min(group_id), max(group_id))
    return group_id


def _memberships(
    conn: sqlite3.Connection,
    rows: Sequence[rank_queries.SignalRow],
    indices: list[int],
    by: str,
    group_of: dict[int, list[tuple[object, str]]],
) -> None:
    """The groups (id, label) of each scene of `indices`, into `group_of`."""
    ids = [rows[i][0] for i in indices]
    if by == "drama":
        dramas = rank_queries.scene_dramas(conn, ids)
        titles = rank_queries.drama_titles(conn, sorted(set(dramas.values())))
        for i, scene_id in zip(indices, ids, strict=True):
            drama_id = dramas[scene_id]
            group_of[i] = [(drama_id, titles[drama_id])]
        return
    actors = rank_queries.scene_actors(conn, ids)
    for i, scene_id in zip(indices, ids, strict=True):
        cast = actors.get(scene_id, [])
        if by == "actor":
            group_of[i] = [(actor_id, name) for actor_id, name in cast]
        else:
            people = sorted(cast, key=lambda a: (a[1], a[0]))
            group_of[i] = [
                ((a[0], b[0]), f"{a[1]} & {b[1]}")
                for n, a in enumerate(people)
                for b in people[n + 1 :]
            ]
