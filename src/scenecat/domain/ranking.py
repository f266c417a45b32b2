"""Ranking scenes by fan signals (docs/DESIGN.md section 5) and finding what is trending.

`rank_scenes` reads the scope's signals from the per-scene signals table (storage/
scene_signals.py): for the whole catalogue or one kind only the number of scenes in each
score class and then the members of the classes that can reach the top, for other scopes
every scene's row. `ScopeRanker` works out only as much of the order as it shows: keys and Bradley-Terry
fits (of the duel components of those scenes) are read for the scenes that can still reach
that part, and full records only for the scenes it returns. View counts are read for those
scenes too, except for scenes with no votes and no duels: whether they rank at all depends
on having views, so all of those are read (in a scope where most scenes have no votes, that
is most of the scope). `why_scene` scores the
whole scope with `score_totals`. `--by drama|actor|couple` ranks groups by
their best scene, so a drama with one great kiss beats a long drama with many good ones.
"""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from scenecat.domain import browse, names
from scenecat.domain.scope import Scope
from scenecat.errors import InvalidInput, UsageError
from scenecat.models import Scene, ViewCount
from scenecat.scoring.bradley_terry import bradley_terry_counts
from scenecat.scoring.params import RankParams, ScoreParts
from scenecat.scoring.scores import SceneTotals, ScoredScope, score_totals
from scenecat.scoring.top_n import ClassKey, ScopeRanker
from scenecat.storage import rank_queries
from scenecat.storage import scenes as scene_store

METHODS = ("combined", "votes", "duels", "views")
GROUPINGS = ("scene", "drama", "actor", "couple")
MAX_TRENDING_DAYS = 36_500

__all__ = [
    "GROUPINGS",
    "METHODS",
    "RankResult",
    "RankedEntry",
    "TrendEntry",
    "TrendResult",
    "make_params",
    "rank_json",
    "rank_scenes",
    "trending",
    "trending_json",
    "why",
    "why_scene",
]


@dataclass(frozen=True)
class RankInfo:
    """What every entry of one ranking shares (for `why`)."""

    params: RankParams
    method: str
    by: str
    prior_mean: float | None  # C: the mean current vote of the scope (None: no votes)
    scope_size: int
    groups: int  # number of groups (== scope_size for --by scene)


@dataclass
class RankedEntry:
    position: int  # 1-based position of this entry (a group for --by drama|actor|couple)
    scene: Scene  # the scene (a group's best scene)
    parts: ScoreParts
    group: str | None  # drama title / actor name / "A & B" for --by drama|actor|couple
    info: RankInfo
    scene_position: int  # the scene's own position among the scope's scenes
    wins: int = 0  # duels won and lost (all duels, inside the scope or not)
    losses: int = 0
    latest: ViewCount | None = None  # the snapshot the popularity part used
    group_size: int | None = None  # scenes of the group inside the scope


@dataclass
class RankResult:
    entries: list[RankedEntry]  # best first
    params: RankParams  # the effective parameters (weights set by --method)
    scope_size: int  # scenes in the scope
    unsignalled: int  # scenes in the scope without any counted signal (they rank last)
    method: str = "combined"
    by: str = "scene"
    prior_mean: float | None = None
    groups: int = 0  # groups in the scope (== scope_size for --by scene)
    couple: tuple[str, str] | None = None
    scope: Scope = field(default_factory=Scope)


def make_params(
    method: str = "combined",
    *,
    m: float | None = None,
    w_votes: float | None = None,
    w_duels: float | None = None,
    w_views: float | None = None,
) -> RankParams:
    """Parameters from user flags: `--method` other than combined fixes the weights."""
    if method not in METHODS:
        raise UsageError(f"--method {method!r} is not one of {', '.join(METHODS)}")
    weights = {"w_votes": w_votes, "w_duels": w_duels, "w_views": w_views}
    given = {k: v for k, v in weights.items() if v is not None}
    if method != "combined" and given:
        flags = ", ".join("--" + k.replace("_", "-") for k in given)
        raise UsageError(
            f"{flags} only apply to --method combined",
            hint=f"--method {method} ranks on {method} alone",
        )
    values: dict[str, float] = {}
    for name, value in {"m": m, **given}.items():
        if value is None:
            continue
        flag = "--min-votes" if name == "m" else "--" + name.replace("_", "-")
        if not math.isfinite(value) or value < 0:
            raise UsageError(f"{flag} must be a number of 0 or more, got {value!r}")
        values[name] = value
    if method == "votes":
        values.update(w_votes=1.0, w_duels=0.0, w_views=0.0)
    elif method == "duels":
        values.update(w_votes=0.0, w_duels=1.0, w_views=0.0)
    elif method == "views":
        values.update(w_votes=0.0, w_duels=0.0, w_views=1.0)
    try:
        params = RankParams(**values)  # type: ignore[arg-type]
    except ValueError as exc:
        raise UsageError(str(exc).replace("w_", "--w-")) from None
    if params.w_votes + params.w_duels + params.w_views <= 0:
        raise UsageError(
            "at least one of --w-votes, --w-duels, --w-views must be above 0",
            hint="the defaults are 0.6, 0.2 and 0.2",
        )
    return params


def _check_params(params: RankParams) -> None:
    if params.w_votes + params.w_duels + params.w_views <= 0:
        raise InvalidInput("at least one ranking weight must be above 0")


def _resolve(
    conn: sqlite3.Connection, scope: Scope, couple: tuple[str, str] | None
) -> scene_store.SceneFilter:
    filt = browse.resolve_scope(conn, scope)
    if couple is not None:
        first, second = (names.resolve_actor(conn, name) for name in couple)
        if first == second:
            raise InvalidInput(
                f"--couple needs two different actors; {couple[0]!r} and {couple[1]!r} "
                "are the same person"
            )
        ids = list(filt.actor_ids)
        ids.extend(i for i in (first, second) if i not in ids)
        filt = replace(filt, actor_ids=tuple(ids))
    return filt


@dataclass
class _Scored:
    rows: list[rank_queries.ScopeRow]
    scored: ScoredScope
    pairs: dict[tuple[int, int], int]
    params: RankParams


def _score_scope(
    conn: sqlite3.Connection, filt: scene_store.SceneFilter, params: RankParams
) -> _Scored:
    rows = rank_queries.scope_rows(conn, filt)
    pairs: dict[tuple[int, int], int] = {}
    strengths: dict[int, float] = {}
    # Without a duel weight (--method votes|views) strengths would be computed for nothing.
    seeds = [row[0] for row in rows if row[6]] if params.w_duels > 0 else []
    if seeds:
        pairs = rank_queries.duel_graph(conn, seeds)
        strengths = bradley_terry_counts(pairs, params.bt_prior)
    get = strengths.get
    totals: list[SceneTotals] = [
        (key, n_votes, vote_sum, views, n_duels, get(scene_id) if n_duels else None)
        for scene_id, key, _drama, n_votes, vote_sum, views, n_duels in rows
    ]
    return _Scored(rows, score_totals(totals, params), pairs, params)


def _record(pairs: dict[tuple[int, int], int], scene_ids: list[int]) -> dict[int, tuple[int, int]]:
    wanted = set(scene_ids)
    record = dict.fromkeys(wanted, (0, 0))
    for (winner, loser), times in pairs.items():
        if winner in wanted:
            won, lost = record[winner]
            record[winner] = (won + times, lost)
        if loser in wanted:
            won, lost = record[loser]
            record[loser] = (won, lost + times)
    return record


def latest_snapshot(scene: Scene) -> ViewCount | None:
    """The snapshot the popularity part uses (same rule as the SQL in storage/rank_queries.py)."""
    return scene.latest_views


class _Duels:
    """Bradley-Terry strengths of the duel components fitted so far (by scene id), and the duel
    counts {(winner id, loser id): times} of those components."""

    def __init__(self, conn: sqlite3.Connection, prior: float) -> None:
        self.conn = conn
        self.prior = prior
        self.pairs: dict[tuple[int, int], int] = {}
        self.strengths: dict[int, float] = {}

    def fit(self, scene_ids: list[int]) -> None:
        """Fit the components of `scene_ids` (scenes with duels) not fitted yet. Components are
        fitted independently (bradley_terry_counts), so fitting them a few at a time
        gives the strengths of one fit of every duel."""
        seeds = [i for i in scene_ids if i not in self.strengths]
        if seeds:
            pairs = rank_queries.duel_graph(self.conn, seeds)
            self.pairs.update(pairs)  # components are whole: a pair is never counted twice
            self.strengths.update(bradley_terry_counts(pairs, self.prior))


class _Order:
    """The ranking order of a scope, worked out as far as it is asked for (row indices)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        rows: Sequence[rank_queries.SignalRow],
        ranker: ScopeRanker,
        duels: _Duels,
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
        head = min(want, ranker.signalled)
        indices = ranker.contenders(head)
        self._fetch_keys(indices)
        order = ranker.ranked(indices, self.keys)[:head]
        if want > head:
            tail = ranker.tail()
            self._fetch_keys(tail)
            keys = self.keys
            tail.sort(key=lambda i: keys[rows[i][0]])
            shown = tail[: want - head]
            self._load_views(ranker.lacking_views(shown))
            order.extend(shown)
        self.known = order
        return order


def rank_scenes(
    conn: sqlite3.Connection,
    scope: Scope,
    params: RankParams,
    *,
    by: str = "scene",
    method: str = "combined",
    limit: int | None = None,
    couple: tuple[str, str] | None = None,
) -> RankResult:
    """Rank the scenes of `scope` (or its dramas, actors or couples by their best scene).

    `method` other than "combined" ranks on one signal alone: its weight becomes 1 and the
    others 0, whatever `params` says (the result carries the effective parameters).

    Only as much of the order as the answer shows is worked out (ScopeRanker): the
    Bradley-Terry fit covers the duel components of the scenes that can reach the top, and
    keys and full records are fetched for those scenes alone. The result is the same as
    scoring every scene of the scope and sorting them all (tests/test_rank_top_n.py).
    """
    if by not in GROUPINGS:
        raise UsageError(f"--by {by!r} is not one of {', '.join(GROUPINGS)}")
    if method not in METHODS:
        raise UsageError(f"--method {method!r} is not one of {', '.join(METHODS)}")
    browse.check_limit(limit)
    params = _effective(params, method)
    with rank_queries.read_snapshot(conn):
        filt = _resolve(conn, scope, couple)
        # View counts are read for the few scenes that can make the top, unless views weigh
        # as much as votes: then nearly every scene would need its own.
        eager = params.w_views > 0 and params.w_views >= params.w_votes
        if eager or not rank_queries.classes_indexed(filt):
            # Every scene's row: cheaper than a query per class when the scope is a join.
            found, n_duels = rank_queries.stored_signals(conn, filt, views=eager)
            ranker = ScopeRanker(found, n_duels, params)
        else:
            # Scenes counted per score class (scene_signal); members are read only for the
            # classes that can reach the top.
            def load(key: ClassKey, after: int, count: int | None) -> list[tuple[int, int | None]]:
                return rank_queries.class_members(conn, filt, key, after, count)

            ranker = ScopeRanker.from_classes(rank_queries.signal_classes(conn, filt), load, params)
        rows = ranker.rows
        duels = _Duels(conn, params.bt_prior)
        ordered = _Order(conn, rows, ranker, duels)
        positions: list[tuple[int, str | None, int | None]] = []  # (row index, group, size)
        groups = ranker.size
        if by == "scene":
            chosen = ordered.first(ranker.size if limit is None else limit)
            positions = [(i, None, None) for i in chosen]
        else:
            positions, groups = _best_per_group(conn, filt, ordered, by, limit)
        scene_ids = [rows[i][0] for i, _, _ in positions]
        full = {s.id: s for s in scene_store.scenes_by_ids(conn, scene_ids)}
    record = _record(duels.pairs, scene_ids)
    scene_rank = {index: pos for pos, index in enumerate(ordered.known, 1)} if by != "scene" else {}
    info = RankInfo(params, method, by, ranker.prior_mean, ranker.size, groups)
    entries = []
    for position, (index, group, size) in enumerate(positions, 1):
        scene = full[rows[index][0]]
        won, lost = record[scene.id]
        entries.append(
            RankedEntry(
                position=position,
                scene=scene,
                parts=ranker.parts(index, scene.key, duels.strengths),
                group=group,
                info=info,
                scene_position=scene_rank.get(index, position),
                wins=won,
                losses=lost,
                latest=latest_snapshot(scene),
                group_size=size,
            )
        )
    return RankResult(
        entries=entries,
        params=params,
        scope_size=ranker.size,
        unsignalled=ranker.unsignalled,
        method=method,
        by=by,
        prior_mean=ranker.prior_mean,
        groups=groups,
        couple=couple,
        scope=scope,
    )


def _effective(params: RankParams, method: str) -> RankParams:
    if method == "votes":
        params = replace(params, w_votes=1.0, w_duels=0.0, w_views=0.0)
    elif method == "duels":
        params = replace(params, w_votes=0.0, w_duels=1.0, w_views=0.0)
    elif method == "views":
        params = replace(params, w_votes=0.0, w_duels=0.0, w_views=1.0)
    _check_params(params)
    return params


#: How many scenes of the order the first look for --by drama|actor|couple takes per group
#: asked for (at least _GROUP_FIRST); when they hold too few groups, four times as many are
#: taken, and so on.
_GROUP_LOOKAHEAD = 4
_GROUP_FIRST = 64
_GROUP_GROWTH = 4


def _best_per_group(
    conn: sqlite3.Connection,
    filt: scene_store.SceneFilter,
    ordered: _Order,
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


def why_scene(
    conn: sqlite3.Connection,
    scope: Scope,
    params: RankParams,
    scene: str,
    *,
    method: str = "combined",
    couple: tuple[str, str] | None = None,
) -> RankedEntry:
    """The entry of one scene in the scene ranking of `scope` (for `rank --why SCENE`)."""
    if method not in METHODS:
        raise UsageError(f"--method {method!r} is not one of {', '.join(METHODS)}")
    params = _effective(params, method)
    with rank_queries.read_snapshot(conn):
        scene_id = names.resolve_scene(conn, scene)
        filt = _resolve(conn, scope, couple)
        data = _score_scope(conn, filt, params)
        index = next((i for i, row in enumerate(data.rows) if row[0] == scene_id), None)
        found = scene_store.scenes_by_ids(conn, [scene_id])[0]
    if index is None:
        raise InvalidInput(
            f"scene {found.key} is not in the scope being ranked",
            hint="drop or change the --actor/--drama/--kind/... filters, or rank without --why",
        )
    scored = data.scored
    position = scored.order.index(index) + 1
    won, lost = _record(data.pairs, [scene_id])[scene_id]
    info = RankInfo(params, method, "scene", scored.prior_mean, len(data.rows), len(data.rows))
    return RankedEntry(
        position=position,
        scene=found,
        parts=scored.parts(index),
        group=None,
        info=info,
        scene_position=position,
        wins=won,
        losses=lost,
        latest=latest_snapshot(found),
    )


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _num(value: float) -> str:
    return f"{value:.2f}"


def _pct(value: float) -> str:
    # Half up, as people round (format() rounds 62.5 to even, 62).
    return f"{math.floor(value * 100 + 0.5)}%"


def why(entry: RankedEntry) -> list[str]:
    """A short account, sentence by sentence, of how the entry's score was made."""
    p, info, scene = entry.parts, entry.info, entry.scene
    params = info.params
    where = f"{scene.drama}, episode {scene.episode}" if scene.episode else scene.drama
    name = f'"{scene.title}" ({where})'
    lines: list[str] = []
    if entry.group is not None and info.by != "scene":
        noun = {"drama": "dramas", "actor": "actors", "couple": "couples"}[info.by]
        lines.append(
            f"{entry.group} ranks {_ordinal(entry.position)} of {info.groups} {noun} through "
            f"its best scene in scope, {name}, which is {_ordinal(entry.scene_position)} of "
            f"{info.scope_size} scenes."
        )
    elif p.has_signal:
        lines.append(
            f"{name} ranks {_ordinal(entry.position)} of {info.scope_size} scenes with "
            f"{_num(p.score)} out of 10."
        )
    if not p.has_signal:
        counted = [
            what
            for what, weight in (
                ("votes", params.w_votes),
                ("duels", params.w_duels),
                ("view counts", params.w_views),
            )
            if weight > 0
        ]
        lines.append(
            f"{name} has no {' or '.join(counted)}, so it has nothing to be ranked on: it comes "
            f"after every scene that has, {_ordinal(entry.scene_position)} of "
            f"{info.scope_size}, ordered by key."
        )
        return lines
    if params.w_votes > 0:
        lines.append(_why_votes(p, info))
    if params.w_duels > 0:
        lines.append(_why_duels(entry))
    if params.w_views > 0:
        lines.append(_why_views(entry))
    terms = [
        (label, value, share, part)
        for label, value, share, part in (
            ("votes", p.quality, p.vote_share, p.vote_part),
            ("duels", p.duel_strength, p.duel_share, p.duel_part),
            ("views", p.popularity, p.view_share, p.view_part),
        )
        if value is not None and share > 0
    ]
    if info.method != "combined":
        lines.append(f"With --method {info.method} that part alone is the score: {_num(p.score)}.")
    elif len(terms) == 1:
        lines.append(
            f"It has no other part, so the score is its {terms[0][0]} part: {_num(p.score)}."
        )
    else:
        sum_text = " + ".join(f"{_num(v)} x {_pct(s)} ({label})" for label, v, s, _ in terms)
        lines.append(
            f"Score: {sum_text} = {' + '.join(_num(part) for *_, part in terms)} = "
            f"{_num(p.score)}. Each share is the part's weight over the weights of the parts "
            f"this scene has: votes {params.w_votes:g}, duels {params.w_duels:g} x n/(n+"
            f"{params.duel_k:g}), views {params.w_views:g}."
        )
    return lines


def _why_votes(p: ScoreParts, info: RankInfo) -> str:
    m = info.params.m
    if info.prior_mean is None or p.quality is None:
        return "Nobody has voted on a scene in this scope, so votes play no part."
    c = _num(info.prior_mean)
    if not p.n_votes or p.vote_mean is None:
        return f"No votes yet, so its fan quality is the scope's mean vote, {c}."
    plural = "vote" if p.n_votes == 1 else "votes"
    return (
        f"Fan quality {_num(p.quality)}: {p.n_votes} {plural} averaging {_num(p.vote_mean)}, "
        f"shrunk toward the scope's mean vote {c} as if it also had m = {m:g} votes of {c} "
        f"({p.n_votes}/({p.n_votes}+{m:g}) of its own mean)."
    )


def _why_duels(entry: RankedEntry) -> str:
    p, params = entry.parts, entry.info.params
    if not p.n_duels or p.duel_strength is None:
        return "No duels yet, so head-to-head strength plays no part."
    blend = p.n_duels / (p.n_duels + params.duel_k)
    return (
        f"Head-to-head {_num(p.duel_strength)}: won {entry.wins} and lost {entry.losses} of "
        f"{p.n_duels} duels; fitting all linked duels (Bradley-Terry, plus {params.bt_prior:g} "
        f"virtual win and loss against an average scene) gives it a "
        f"{_pct(p.duel_strength / 10)} chance of beating an average scene. With {p.n_duels} "
        f"duels it gets {p.n_duels}/({p.n_duels}+{params.duel_k:g}) = {_pct(blend)} of the duel "
        "weight."
    )


def _why_views(entry: RankedEntry) -> str:
    p, params = entry.parts, entry.info.params
    if p.latest_views is None or p.popularity is None:
        return "No view counts recorded, so popularity plays no part."
    seen = ""
    if entry.latest is not None:
        bits = [b for b in (entry.latest.source, entry.latest.on) if b]
        seen = f" ({', '.join(bits)})" if bits else ""
    return (
        f"Popularity {_num(p.popularity)}: the latest view count is {p.latest_views:,}{seen}, "
        f"on a log scale where {params.view_ref:,} views score 10."
    )


# JSON


def params_json(params: RankParams) -> dict[str, Any]:
    return asdict(params)


def entry_json(entry: RankedEntry) -> dict[str, Any]:
    p = entry.parts
    latest = entry.latest
    return {
        "position": entry.position,
        "group": entry.group,
        "group_scenes": entry.group_size,
        "scene_position": entry.scene_position,
        "key": entry.scene.key,
        "title": entry.scene.title,
        "drama": entry.scene.drama,
        "episode": entry.scene.episode,
        "score": p.score,
        "has_signal": p.has_signal,
        # points of the three parts, added in this order, give `score` exactly
        "parts": {
            "votes": {
                "value": p.quality,
                "share": p.vote_share,
                "points": p.vote_part,
                "count": p.n_votes,
                "mean": p.vote_mean,
            },
            "duels": {
                "value": p.duel_strength,
                "share": p.duel_share,
                "points": p.duel_part,
                "count": p.n_duels,
                "won": entry.wins,
                "lost": entry.losses,
            },
            "views": {
                "value": p.popularity,
                "share": p.view_share,
                "points": p.view_part,
                "latest": p.latest_views,
                "source": latest.source if latest else None,
                "on": latest.on if latest else None,
            },
        },
        "scene": browse.scene_json(entry.scene),
    }


def rank_json(result: RankResult) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    scope = asdict(result.scope)
    scope["actors"] = list(result.scope.actors)
    scope["couple"] = list(result.couple) if result.couple else None
    meta = {
        "count": len(result.entries),
        "by": result.by,
        "method": result.method,
        "params": params_json(result.params),
        "prior_mean": result.prior_mean,
        "scope": scope,
        "scope_size": result.scope_size,
        "groups": result.groups,
        "unsignalled": result.unsignalled,
    }
    return [entry_json(e) for e in result.entries], meta


# Trending


@dataclass
class SourceTrend:
    source: str
    first: ViewCount
    last: ViewCount

    @property
    def gained(self) -> int:
        return self.last.count - self.first.count

    @property
    def days(self) -> int:
        assert self.first.on and self.last.on
        return (dt.date.fromisoformat(self.last.on) - dt.date.fromisoformat(self.first.on)).days

    @property
    def per_day(self) -> float:
        return self.gained / self.days


@dataclass
class TrendEntry:
    position: int
    scene: Scene
    per_day: float  # views gained per day, summed over the scene's sources
    gained: int  # views gained between the first and last snapshot of each source
    sources: list[SourceTrend]


@dataclass
class TrendResult:
    entries: list[TrendEntry]
    since: str
    until: str
    days: int
    single_snapshot: int  # scenes seen in the window whose growth cannot be measured
    measured: int  # scenes with a measured growth (entries may be fewer: --limit)


def parse_today(text: str | None) -> dt.date:
    from scenecat.domain.records import today

    if text is None:
        return today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--until {text!r} is not a date (YYYY-MM-DD)") from None


def trending(
    conn: sqlite3.Connection,
    days: int,
    today: dt.date,
    *,
    scope: Scope | None = None,
    limit: int | None = None,
) -> TrendResult:
    """Scenes by views gained per day between their snapshots inside the last `days` days.

    Growth is measured per source (an official upload and a fan edit are different counters):
    from the first to the last snapshot of that source inside the window, on different days.
    A scene's rate is the sum over its sources. Scenes seen in the window without two such
    snapshots from one source cannot be measured: they are left out and counted.
    """
    if not 1 <= days <= MAX_TRENDING_DAYS:
        raise UsageError(f"--days must be between 1 and {MAX_TRENDING_DAYS:,}, got {days}")
    browse.check_limit(limit)
    since = (today - dt.timedelta(days=days)).isoformat()
    until = today.isoformat()
    with rank_queries.read_snapshot(conn):
        filt = browse.resolve_scope(conn, scope or Scope())
        # Per scene and source, the first and the last snapshot in the window (by date, then
        # count), kept as plain values: a window can hold hundreds of thousands of snapshots.
        spans: dict[tuple[int, str], list[Any]] = {}
        for scene_id, source, on, count in rank_queries.view_snapshots(conn, filt, since, until):
            span = spans.get((scene_id, source))
            if span is None:
                spans[(scene_id, source)] = [on, count, on, count]
                continue
            if on < span[0] or (on == span[0] and count < span[1]):
                span[0], span[1] = on, count
            if on > span[2] or (on == span[2] and count > span[3]):
                span[2], span[3] = on, count
        seen: set[int] = set()
        growth: dict[int, list[SourceTrend]] = {}
        for (scene_id, source), (first_on, first, last_on, last) in sorted(spans.items()):
            seen.add(scene_id)
            if first_on != last_on:
                growth.setdefault(scene_id, []).append(
                    SourceTrend(
                        source,
                        ViewCount(count=first, on=first_on, source=source),
                        ViewCount(count=last, on=last_on, source=source),
                    )
                )
        keys = rank_queries.scene_keys(conn, list(growth))
        measured = sorted(
            (
                (-math.fsum(t.per_day for t in trends), -sum(t.gained for t in trends), scene_id)
                for scene_id, trends in growth.items()
            ),
            key=lambda m: (m[0], m[1], keys[m[2]]),
        )
        chosen = measured if limit is None else measured[:limit]
        full = {s.id: s for s in scene_store.scenes_by_ids(conn, [m[2] for m in chosen])}
    entries = [
        TrendEntry(position, full[scene_id], -neg_rate, -neg_gained, growth[scene_id])
        for position, (neg_rate, neg_gained, scene_id) in enumerate(chosen, 1)
    ]
    return TrendResult(
        entries=entries,
        since=since,
        until=until,
        days=days,
        single_snapshot=len(seen) - len(measured),
        measured=len(measured),
    )


def trending_json(result: TrendResult) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    data = [
        {
            "position": e.position,
            "key": e.scene.key,
            "title": e.scene.title,
            "drama": e.scene.drama,
            "episode": e.scene.episode,
            "per_day": e.per_day,
            "gained": e.gained,
            "sources": [
                {
                    "source": t.source,
                    "from": asdict(t.first),
                    "to": asdict(t.last),
                    "gained": t.gained,
                    "days": t.days,
                    "per_day": t.per_day,
                }
                for t in e.sources
            ],
            "scene": browse.scene_json(e.scene),
        }
        for e in result.entries
    ]
    meta = {
        "count": len(result.entries),
        "measured": result.measured,
        "since": result.since,
        "until": result.until,
        "days": result.days,
        "single_snapshot": result.single_snapshot,
    }
    return data, meta
