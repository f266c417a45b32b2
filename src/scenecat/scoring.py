"""Pure ranking math for scenes (DESIGN.md section 5).

A scene's score is a weighted mean of up to three parts, each on a 0..10 scale:

- fan quality: the Bayesian average of its votes, shrunk toward the mean vote of the scope
  (``WR = v/(v+m)*R + m/(v+m)*C``);
- head-to-head strength: a Bradley-Terry fit of all duels, with a prior that keeps every strength
  finite, blended in with weight ``w_duels * n/(n+duel_k)`` once a scene has ``n`` duels;
- popularity: ``10*log10(1+views)/log10(1+view_ref)``, clipped to 0..10.

Everything here is deterministic and independent of the order in which votes and duels are given:
vote sums use :func:`math.fsum`, and the duel fit works on aggregated integer counts in sorted key
order.
Only the standard library is used; nothing here prints or touches storage.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "Duel",
    "RankParams",
    "SceneSignals",
    "ScoreParts",
    "bayesian_average",
    "bradley_terry",
    "popularity",
    "rank",
    "score_scenes",
]

#: Vote scores accepted by :func:`score_scenes`.
MIN_VOTE = 1
MAX_VOTE = 10
#: Every part and every score lies in 0..SCALE.
SCALE = 10.0
#: Scores equal when rounded to this many decimals tie in :func:`rank` (then tie-breaks decide).
SCORE_DECIMALS = 9


def _check_finite(name: str, value: float, *, minimum: float = 0.0, strict: bool = False) -> None:
    if not math.isfinite(value) or value < minimum or (strict and value == minimum):
        bound = ">" if strict else ">="
        raise ValueError(f"{name} must be a finite number {bound} {minimum:g}, got {value!r}")


@dataclass(frozen=True)
class RankParams:
    """Settable ranking parameters (printed by ``rank --explain``)."""

    m: float = 5.0  # Bayesian prior weight in votes (--min-votes)
    w_votes: float = 0.6  # weights of the three parts
    w_duels: float = 0.2
    w_views: float = 0.2
    duel_k: float = 3.0  # duels needed for half the duel weight: blend c = n/(n+duel_k)
    bt_prior: float = 1.0  # virtual wins AND losses against a reference scene of strength 1
    view_ref: int = 10_000_000  # views that score 10/10 on the log scale (fixed, not per query)

    def __post_init__(self) -> None:
        _check_finite("m", self.m)
        _check_finite("w_votes", self.w_votes)
        _check_finite("w_duels", self.w_duels)
        _check_finite("w_views", self.w_views)
        _check_finite("duel_k", self.duel_k)
        _check_finite("bt_prior", self.bt_prior, strict=True)
        if self.view_ref < 1:
            raise ValueError(f"view_ref must be at least 1, got {self.view_ref!r}")


@dataclass(frozen=True)
class SceneSignals:
    """The fan signals of one scene in the scope being ranked (duels are passed separately)."""

    key: str
    votes: tuple[int, ...]  # current vote scores (1..10) of this scene, one per voter
    latest_views: int | None  # latest view count (the caller picks it, e.g. max over sources)


@dataclass(frozen=True)
class Duel:
    """One head-to-head answer: ``winner`` was preferred to ``loser``."""

    winner: str
    loser: str


@dataclass(frozen=True)
class ScoreParts:
    """How one scene's score was made (for ``--explain`` and ``--json``)."""

    key: str
    quality: float | None  # Bayesian average on 0..10 (None when the scope has no votes)
    duel_strength: float | None  # 10 * P(beats a reference scene of strength 1); None: no duels
    popularity: float | None  # 0..10 log scale; None when no views
    n_votes: int
    n_duels: int
    latest_views: int | None
    vote_part: float  # contribution of each part to the final score
    duel_part: float
    view_part: float
    score: float  # == vote_part + duel_part + view_part (exactly, by construction)
    has_signal: bool  # False when the scene has no votes, no duels and no views


def bayesian_average(scores: Sequence[float], prior_mean: float, m: float) -> float:
    """Return ``WR = v/(v+m)*R + m/(v+m)*C`` for ``v`` scores of mean ``R`` and prior mean ``C``.

    With no scores the result is ``C``; with ``m == 0`` it is the plain mean. The result is a
    convex combination of ``R`` and ``C`` and is clamped to lie between them, so rounding can never
    push it outside (for example above 10). The sum uses :func:`math.fsum`, so the order of the
    scores does not change the result.
    """
    _check_finite("m", m)
    if not math.isfinite(prior_mean):
        raise ValueError(f"prior_mean must be finite, got {prior_mean!r}")
    v = len(scores)
    if v == 0:
        return float(prior_mean)
    total = math.fsum(scores)
    lo, hi = min(scores), max(scores)
    mean = min(max(total / v, lo), hi)
    value = (total + m * prior_mean) / (v + m)
    return min(max(value, min(mean, prior_mean)), max(mean, prior_mean))


def bradley_terry(
    duels: Sequence[Duel], prior: float = 1.0, iterations: int = 10_000, tol: float = 1e-10
) -> dict[str, float]:
    """Fit Bradley-Terry strengths to ``duels`` (MAP estimate) with the MM algorithm.

    ``P(i beats j) = s_i / (s_i + s_j)``. Each scene also gets ``prior`` virtual wins and ``prior``
    virtual losses against a fixed reference item of strength 1 (not re-estimated), which keeps
    every strength finite and positive and makes the fixed point unique. The update (Hunter 2004)

        s_i <- (W_i + prior) / (sum_j n_ij / (s_i + s_j) + 2 * prior / (s_i + 1))

    is applied cyclically in sorted key order until the largest relative change in a sweep is
    below ``tol`` (or ``iterations`` sweeps have run). Duels are aggregated into integer counts
    first, so the order of ``duels`` does not change the result at all.

    Returns the strength of every scene that appears in a duel; a scene with no duels has strength
    1. A duel of a scene against itself carries no information and is ignored.
    """
    _check_finite("prior", prior, strict=True)
    if iterations < 1:
        raise ValueError(f"iterations must be at least 1, got {iterations!r}")
    _check_finite("tol", tol)

    wins: dict[str, int] = {}
    pairs: dict[str, dict[str, int]] = {}
    for duel in duels:
        winner, loser = duel.winner, duel.loser
        if winner == loser:
            continue
        wins[winner] = wins.get(winner, 0) + 1
        wins.setdefault(loser, 0)
        against_w = pairs.setdefault(winner, {})
        against_w[loser] = against_w.get(loser, 0) + 1
        against_l = pairs.setdefault(loser, {})
        against_l[winner] = against_l.get(winner, 0) + 1

    keys = sorted(wins)
    index = {key: i for i, key in enumerate(keys)}
    numerators = [wins[key] + prior for key in keys]
    neighbours = [
        [(index[other], float(count)) for other, count in sorted(pairs[key].items())]
        for key in keys
    ]
    strength = [1.0] * len(keys)
    two_prior = 2.0 * prior

    for _ in range(iterations):
        max_change = 0.0
        for i in range(len(keys)):
            s_i = strength[i]
            # Opponents are summed in sorted key order, so the result is bit-for-bit the same
            # whatever the order of ``duels``.
            denominator = two_prior / (s_i + 1.0)
            for j, n in neighbours[i]:
                denominator += n / (s_i + strength[j])
            new = numerators[i] / denominator
            change = abs(new - s_i) / s_i
            if change > max_change:
                max_change = change
            strength[i] = new
        if max_change < tol:
            break

    return dict(zip(keys, strength, strict=True))


def popularity(views: int | None, ref: int) -> float | None:
    """Return ``10*log10(1+views)/log10(1+ref)`` clipped to 0..10, or None when ``views`` is None.

    0 views scores 0, ``ref`` views score exactly 10, more than ``ref`` views also score 10.
    """
    if views is None:
        return None
    if ref < 1:
        raise ValueError(f"ref must be at least 1, got {ref!r}")
    if views < 0:
        raise ValueError(f"views must not be negative, got {views!r}")
    ratio = math.log10(1 + views) / math.log10(1 + ref)
    return min(SCALE, max(0.0, SCALE * ratio))


def score_scenes(
    signals: Sequence[SceneSignals], duels: Sequence[Duel], params: RankParams
) -> list[ScoreParts]:
    """Score every scene in ``signals`` (the scope), in the order given.

    - ``C``, the prior mean of the Bayesian average, is the mean of every vote in the scope; when
      the scope has no votes at all, ``quality`` is None for every scene. A scene without votes in
      a scope with votes gets ``quality == C``.
    - Bradley-Terry is fitted on all ``duels``, including those against scenes outside the scope.
    - The score is the weighted mean of the available parts, with effective weights
      ``w_votes`` (if quality is not None), ``w_duels * n/(n+duel_k)`` (if the scene has ``n > 0``
      duels) and ``w_views`` (if it has a view count). ``score`` is the sum of the three parts.
    - A scene with no votes, no duels and no view count has ``has_signal`` False and score 0.
      A scene whose available parts all have weight 0 also scores 0 (but keeps ``has_signal``).

    Raises ValueError for a repeated key, a vote outside 1..10 or a negative view count.
    """
    seen: set[str] = set()
    for signal in signals:
        if signal.key in seen:
            raise ValueError(f"scene {signal.key!r} is given twice")
        seen.add(signal.key)
        if signal.votes and not (min(signal.votes) >= MIN_VOTE and max(signal.votes) <= MAX_VOTE):
            bad = next(v for v in signal.votes if not MIN_VOTE <= v <= MAX_VOTE)
            raise ValueError(
                f"scene {signal.key!r}: vote {bad!r} is outside {MIN_VOTE}..{MAX_VOTE}"
            )
        if signal.latest_views is not None and signal.latest_views < 0:
            raise ValueError(f"scene {signal.key!r}: negative view count {signal.latest_views!r}")

    all_votes = [vote for signal in signals for vote in signal.votes]
    prior_mean = math.fsum(all_votes) / len(all_votes) if all_votes else None

    n_duels: dict[str, int] = {}
    for duel in duels:
        if duel.winner != duel.loser:
            n_duels[duel.winner] = n_duels.get(duel.winner, 0) + 1
            n_duels[duel.loser] = n_duels.get(duel.loser, 0) + 1
    in_scope_duels = any(key in n_duels for key in seen)
    strengths = bradley_terry(duels, params.bt_prior) if in_scope_duels else {}

    result: list[ScoreParts] = []
    for signal in signals:
        quality = (
            bayesian_average(signal.votes, prior_mean, params.m) if prior_mean is not None else None
        )
        n = n_duels.get(signal.key, 0)
        duel_strength: float | None = None
        if n > 0:
            s = strengths.get(signal.key, 1.0)
            duel_strength = SCALE * (s / (s + 1.0))
        pop = popularity(signal.latest_views, params.view_ref)
        has_signal = bool(signal.votes) or n > 0 or signal.latest_views is not None

        vote_part = duel_part = view_part = 0.0
        if has_signal:
            ew_votes = params.w_votes if quality is not None else 0.0
            ew_duels = params.w_duels * (n / (n + params.duel_k)) if n > 0 else 0.0
            ew_views = params.w_views if pop is not None else 0.0
            total = ew_votes + ew_duels + ew_views
            # Each part is value * (ew / total) with ew <= total, so it stays within 0..value.
            if total > 0.0:
                if quality is not None:
                    vote_part = quality * (ew_votes / total)
                if duel_strength is not None:
                    duel_part = duel_strength * (ew_duels / total)
                if pop is not None:
                    view_part = pop * (ew_views / total)

        result.append(
            ScoreParts(
                key=signal.key,
                quality=quality,
                duel_strength=duel_strength,
                popularity=pop,
                n_votes=len(signal.votes),
                n_duels=n,
                latest_views=signal.latest_views,
                vote_part=vote_part,
                duel_part=duel_part,
                view_part=view_part,
                score=vote_part + duel_part + view_part,
                has_signal=has_signal,
            )
        )
    return result


def _rank_key(part: ScoreParts) -> tuple[bool, float, int, int, str]:
    if not part.has_signal:
        return (True, 0.0, 0, 0, part.key)
    views = part.latest_views if part.latest_views is not None else 0
    return (False, -round(part.score, SCORE_DECIMALS), -part.n_votes, -views, part.key)


def rank(parts: Sequence[ScoreParts]) -> list[ScoreParts]:
    """Return ``parts`` sorted best first.

    Scenes with a signal come first, by score descending (scores equal to 9 decimal places count
    as equal), then more votes, then more latest views (None counts as 0), then key ascending.
    Scenes without any signal come last, by key.
    """
    return sorted(parts, key=_rank_key)
