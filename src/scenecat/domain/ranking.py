"""Ranking scenes by fan signals (docs/DESIGN.md section 5): `rank` and its JSON.

`rank_scenes` reads the scope's signals from the per-scene signals table (storage/
scene_signals.py): for the whole catalogue or one kind only the score classes (with each
class's most views and strongest stored strength) and then the members of the classes that
can reach the top, for other scopes every scene's row, classed in memory. `ScopeRanker`
(scoring/top_n.py), driven by rank_order.py, works out only as much of the order as it shows:
members come with their view counts and Bradley-Terry strengths (storage/duel_strengths.py;
components are fitted here only when the stored strengths are not current or for a what-if
prior), keys are read for the scenes that can still reach that part, and full records only for
the scenes it returns. `--by drama|actor|couple` ranks groups by their best scene, so a drama
with one great kiss beats a long drama with many good ones. `rank --why` is rank_why.py;
`trending` is trends.py.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import asdict, replace
from typing import Any, Final

from scenecat.domain import browse, names
from scenecat.domain.rank_order import Duels, ScopeOrder, best_per_group, scope_ranker
from scenecat.domain.scope import Scope
from scenecat.errors import InvalidInput, UsageError
from scenecat.models import Scene, ViewCount
from scenecat.scoring.params import RankParams, ScoreParts
from scenecat.scoring.scores import VoteTotals, compute, parts_of, prior_of
from scenecat.storage import rank_queries
from scenecat.storage import scenes as scene_store

METHODS = ("combined", "votes", "duels", "views")
GROUPINGS = ("scene", "drama", "actor", "couple")

__all__ = [
    "GROUPINGS",
    "METHODS",
    "RankResult",
    "RankedEntry",
    "make_params",
    "rank_json",
    "rank_scenes",
    "score_json",
    "scores_of",
]


# The records of a ranking are plain classes: they are read, never compared, printed whole
# or copied field by field, and a dataclass's generated methods (compiled when the module is
# imported, about 0.6 M instructions each) cost every `rank` more than the rest of this
# module. Each field is declared once, as its __init__ parameter.
class RankInfo:
    """What every entry of one ranking shares (for `why`)."""

    def __init__(
        self,
        params: RankParams,
        method: str,
        by: str,
        totals: VoteTotals,  # the whole catalogue's current votes (count, sum)
        scope_size: int,
        groups: int,  # number of groups (== scope_size for --by scene)
    ) -> None:
        self.params: Final = params
        self.method: Final = method
        self.by: Final = by
        self.totals: Final = totals
        self.scope_size: Final = scope_size
        self.groups: Final = groups


class RankedEntry:
    """One line of a ranking: a scene (a group's best scene) with its score's parts."""

    def __init__(
        self,
        *,
        position: int,  # 1-based position of this entry (a group for --by drama|actor|couple)
        scene: Scene,  # the scene (a group's best scene)
        parts: ScoreParts,
        group: str | None,  # drama title / actor name / "A & B" for --by drama|actor|couple
        info: RankInfo,
        scene_position: int,  # the scene's own position among the scope's scenes
        wins: int = 0,  # duels won and lost (all duels, inside the scope or not)
        losses: int = 0,
        latest: ViewCount | None = None,  # the snapshot the popularity part used
        group_size: int | None = None,  # scenes of the group inside the scope
    ) -> None:
        self.position = position
        self.scene = scene
        self.parts = parts
        self.group = group
        self.info = info
        self.scene_position = scene_position
        self.wins = wins
        self.losses = losses
        self.latest = latest
        self.group_size = group_size


class RankResult:
    """A ranking: its entries, best first, and what they were ranked in and with."""

    def __init__(
        self,
        *,
        entries: list[RankedEntry],  # best first
        params: RankParams,  # the effective parameters (weights set by --method)
        scope_size: int,  # scenes in the scope
        method: str = "combined",
        by: str = "scene",
        prior_mean: float = 5.5,  # C of a scene without votes: the catalogue's mean vote
        groups: int = 0,  # groups in the scope (== scope_size for --by scene)
        couple: tuple[str, str] | None = None,
        scope: Scope | None = None,  # None: the whole catalogue
    ) -> None:
        self.entries = entries
        self.params = params
        self.scope_size = scope_size
        self.method = method
        self.by = by
        self.prior_mean = prior_mean
        self.groups = groups
        self.couple = couple
        self.scope = Scope() if scope is None else scope


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


def scope_filter(
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


def duel_record(
    pairs: dict[tuple[int, int], int], scene_ids: list[int]
) -> dict[int, tuple[int, int]]:
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
    params = effective_params(params, method)
    with rank_queries.read_snapshot(conn):
        filt = scope_filter(conn, scope, couple)
        totals = rank_queries.vote_totals(conn)
        duels = Duels(conn, params.bt_prior)
        ranker = scope_ranker(conn, filt, params, totals, duels)
        rows = ranker.rows
        ordered = ScopeOrder(conn, rows, ranker, duels)
        positions: list[tuple[int, str | None, int | None]] = []  # (row index, group, size)
        groups = ranker.size
        if by == "scene":
            chosen = ordered.first(ranker.size if limit is None else limit)
            positions = [(i, None, None) for i in chosen]
        else:
            positions, groups = best_per_group(conn, filt, ordered, by, limit)
        scene_ids = [rows[i][0] for i, _, _ in positions]
        full = {s.id: s for s in scene_store.scenes_by_ids(conn, scene_ids)}
    # Without a duel weight no duel is read (as before the strengths were stored): the
    # records stay 0.
    record = duels.record(scene_ids if params.w_duels > 0 else [])
    scene_rank = {index: pos for pos, index in enumerate(ordered.known, 1)} if by != "scene" else {}
    info = RankInfo(params, method, by, totals, ranker.size, groups)
    entries = []
    for position, (index, group, size) in enumerate(positions, 1):
        scene = full[rows[index][0]]
        won, lost = record.get(scene.id, (0, 0))
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
        method=method,
        by=by,
        prior_mean=prior_of(totals, 0, 0, params.m),
        groups=groups,
        couple=couple,
        scope=scope,
    )


def scores_of(conn: sqlite3.Connection, scene_ids: list[int]) -> dict[int, ScoreParts]:
    """The catalogue's score of each scene given (by id), with its parts: what `rank` shows for
    it under any filters, without ranking anything (for `show scene`, the website's scene
    page and articles about one scene)."""
    params = RankParams()
    with rank_queries.read_snapshot(conn):
        rows = rank_queries.signals_of(conn, scene_ids)
        totals = rank_queries.vote_totals(conn)
        duels = Duels(conn, params.bt_prior)
        duels.fit([row[0] for row in rows if row[5]])
    found: dict[int, ScoreParts] = {}
    for scene_id, key, votes, vote_sum, views, n_duels in rows:
        strength = duels.strengths.get(scene_id) if n_duels else None
        row = (key, votes, vote_sum, views, n_duels, strength)
        found[scene_id] = parts_of(row, next(compute([row], totals, params)), params)
    return found


def effective_params(params: RankParams, method: str) -> RankParams:
    if method == "votes":
        params = replace(params, w_votes=1.0, w_duels=0.0, w_views=0.0)
    elif method == "duels":
        params = replace(params, w_votes=0.0, w_duels=1.0, w_views=0.0)
    elif method == "views":
        params = replace(params, w_votes=0.0, w_duels=0.0, w_views=1.0)
    _check_params(params)
    return params


# JSON


def params_json(params: RankParams) -> dict[str, Any]:
    return asdict(params)


def score_json(p: ScoreParts) -> dict[str, Any]:
    """A scene's score and its parts (points of the three parts, added in this order, give
    `score` exactly)."""
    return {
        "score": p.score,
        "has_signal": p.has_signal,
        "parts": {
            "votes": {
                "value": p.quality,
                "share": p.vote_share,
                "points": p.vote_part,
                "count": p.n_votes,
                "mean": p.vote_mean,
                "prior": p.prior,
            },
            "duels": {
                "value": p.duel_strength,
                "share": p.duel_share,
                "points": p.duel_part,
                "count": p.n_duels,
            },
            "views": {
                "value": p.popularity,
                "share": p.view_share,
                "points": p.view_part,
                "latest": p.latest_views,
            },
        },
    }


def entry_json(entry: RankedEntry) -> dict[str, Any]:
    latest = entry.latest
    scored = score_json(entry.parts)
    scored["parts"]["duels"] |= {"won": entry.wins, "lost": entry.losses}
    scored["parts"]["views"] |= {
        "source": latest.source if latest else None,
        "on": latest.on if latest else None,
    }
    return {
        "position": entry.position,
        "group": entry.group,
        "group_scenes": entry.group_size,
        "scene_position": entry.scene_position,
        "key": entry.scene.key,
        "title": entry.scene.title,
        "drama": entry.scene.drama,
        "episode": entry.scene.episode,
        **scored,
        "scene": browse.scene_json(entry.scene),
    }


def rank_json(result: RankResult) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    scope = result.scope.as_json()
    scope["couple"] = list(result.couple) if result.couple else None
    meta = {
        "count": len(result.entries),
        "by": result.by,
        "method": result.method,
        "params": params_json(result.params),
        # Anything but the default parameters is an exploration, not the catalogue's scores.
        "what_if": not result.params.is_default,
        "prior_mean": result.prior_mean,
        "scope": scope,
        "scope_size": result.scope_size,
        "groups": result.groups,
    }
    return [entry_json(e) for e in result.entries], meta
