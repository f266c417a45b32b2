"""`rank --why SCENE`: one scene's entry in the ranking of its scope (the whole scope scored
with `score_totals`), and the sentences that say how its score was made.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass

from scenecat.domain import names
from scenecat.domain.ranking import (
    METHODS,
    RankedEntry,
    RankInfo,
    duel_record,
    effective_params,
    latest_snapshot,
    scope_filter,
)
from scenecat.domain.scope import Scope
from scenecat.errors import InvalidInput, UsageError
from scenecat.scoring.bradley_terry import bradley_terry_counts
from scenecat.scoring.params import RankParams, ScoreParts
from scenecat.scoring.scores import SceneTotals, ScoredScope, score_totals
from scenecat.storage import rank_queries
from scenecat.storage import scenes as scene_store


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
    params = effective_params(params, method)
    with rank_queries.read_snapshot(conn):
        scene_id = names.resolve_scene(conn, scene)
        filt = scope_filter(conn, scope, couple)
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
    won, lost = duel_record(data.pairs, [scene_id])[scene_id]
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
