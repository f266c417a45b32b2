"""`rank --why SCENE`: one scene's entry in the ranking of its scope (the whole scope scored
with `score_totals`, against the whole catalogue's votes: the same score `rank` shows under
any filters), and the sentences that say how its score was made.
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
from scenecat.models import as_read
from scenecat.scoring.bradley_terry import bradley_terry_counts
from scenecat.scoring.params import DUEL_PRIOR, RankParams, ScoreParts
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
    catalogue_votes = rank_queries.vote_totals(conn)
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
    return _Scored(rows, score_totals(totals, params, catalogue_votes), pairs, params)


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
    info = RankInfo(params, method, "scene", scored.totals, len(data.rows), len(data.rows))
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
            f"{info.scope_size} scenes with {_num(p.score)} out of 10."
        )
    else:
        lines.append(
            f"{name} ranks {_ordinal(entry.position)} of {info.scope_size} scenes with "
            f"{_num(p.score)} out of 10."
        )
    if params.w_votes > 0:
        lines.append(_why_votes(p, params))
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
        if share > 0
    ]
    if len(terms) == 1:
        lines.append(f"The {terms[0][0]} part alone is the score: {_num(p.score)}.")
    else:
        sum_text = " + ".join(f"{_num(v)} x {_pct(s)} ({label})" for label, v, s, _ in terms)
        lines.append(
            f"Score: {sum_text} = {' + '.join(_num(part) for *_, part in terms)} = "
            f"{_num(p.score)}. Every scene counts each part with its weight; a part without "
            "evidence holds its prior."
        )
    if not params.is_default:
        lines.append(
            "What-if: these are not the catalogue's scores (they use "
            f"{_what_if(params, info.method)}); without those options every command gives the "
            "same score."
        )
    return lines


def _what_if(params: RankParams, method: str) -> str:
    flags = [f"--method {method}"] if method != "combined" else []
    weights = (
        ("--w-votes", params.w_votes, RankParams.w_votes),
        ("--w-duels", params.w_duels, RankParams.w_duels),
        ("--w-views", params.w_views, RankParams.w_views),
    )
    flags += [
        f"{flag} {value:g}"
        for flag, value, default in (("--min-votes", params.m, RankParams.m),)
        + (weights if method == "combined" else ())
        if value != default
    ]
    return ", ".join(flags) or "other parameters"


def _why_votes(p: ScoreParts, params: RankParams) -> str:
    m = params.m
    c = _num(p.prior)
    if not p.n_votes or p.vote_mean is None:
        return f"No votes yet, so its fan quality is the prior: the catalogue's mean vote, {c}."
    plural = "vote" if p.n_votes == 1 else "votes"
    return (
        f"Fan quality {_num(p.quality)}: {p.n_votes} {plural} averaging {_num(p.vote_mean)}, "
        f"shrunk toward the catalogue's mean vote {c} (its other scenes' votes) as if it also "
        f"had m = {m:g} votes of {c}."
    )


def _why_duels(entry: RankedEntry) -> str:
    p, params = entry.parts, entry.info.params
    if not p.n_duels:
        return (
            "No duels yet, so its head-to-head value is the prior: an even chance against an "
            f"average scene, {_num(DUEL_PRIOR)}."
        )
    return (
        f"Head-to-head {_num(p.duel_strength)}: won {entry.wins} and lost {entry.losses} of "
        f"{p.n_duels} duels; fitting all linked duels (Bradley-Terry, plus {params.bt_prior:g} "
        f"virtual {'win and loss' if params.bt_prior == 1 else 'wins and losses'} against an "
        "average scene) gives it a "
        f"{_pct(p.duel_strength / 10)} chance of beating an average scene."
    )


def _why_views(entry: RankedEntry) -> str:
    p, params = entry.parts, entry.info.params
    if p.latest_views is None:
        return (
            "No view count recorded, so its popularity is the prior: scored as "
            f"{params.view_prior:,} views, {_num(p.popularity)}."
        )
    seen = ""
    latest = as_read(entry.latest, entry.scene.sources)
    if latest is not None:
        bits = [b for b in (latest.source, latest.on) if b]
        seen = f" ({', '.join(bits)})" if bits else ""
    return (
        f"Popularity {_num(p.popularity)}: the latest view count is {p.latest_views:,}{seen}, "
        f"on a log scale where {params.view_ref:,} views score 10."
    )
