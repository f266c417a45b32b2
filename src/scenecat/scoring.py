"""Pure ranking math for scenes (docs/DESIGN.md section 5).

A scene's score is a weighted mean of up to three parts, each on a 0..10 scale:

- fan quality: the Bayesian average of its votes, shrunk toward the mean vote of the scope
  (``WR = v/(v+m)*R + m/(v+m)*C``);
- head-to-head strength: a Bradley-Terry fit of the duels, with a prior that keeps every strength
  finite, blended in with weight ``w_duels * n/(n+duel_k)`` once a scene has ``n`` duels;
- popularity: ``10*log10(1+views)/log10(1+view_ref)``, clipped to 0..10.

The prior mean ``C`` is the mean of every current vote in the scope being ranked, as the ranking
issue asks. Consequence, kept on purpose: "one 10/10 vote does not beat fifty 9/10 votes" holds
whenever the scope's mean vote is below 8.78 (with ``m = 5``), which every scope with a normal
spread of votes satisfies; in a scope whose mean is 9 or more, fifty 9s are themselves at or
below the scope's average and no shrinkage toward ``C`` can put them ahead of a single 10.

The Bradley-Terry fit separates exactly into the connected components of the duel graph (the
prior games are played against a fixed reference), so fitting the components that touch a scope
gives the same strengths as fitting every duel in the catalogue.

Everything here is deterministic and independent of the order in which votes and duels are given:
votes are summed as integers, and the duel fit works on aggregated integer counts in sorted key
order. Only the standard library is used; nothing here prints or touches storage.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Final, TypeVar

__all__ = [
    "NOT_LOADED",
    "Duel",
    "RankParams",
    "SceneCounts",
    "SceneTotals",
    "ScopeRanker",
    "ScoreParts",
    "ScoredScope",
    "bradley_terry",
    "bradley_terry_counts",
    "popularity",
    "score_totals",
]

#: Vote scores a scene can have (a row's vote sum is checked against them).
MIN_VOTE = 1
MAX_VOTE = 10
#: Every part and every score lies in 0..SCALE.
SCALE = 10.0
#: Scores equal when rounded to this many decimals tie in :func:`score_totals` (then tie-breaks
#: decide).
SCORE_DECIMALS = 9
# Rounding by scaling to an integer: round(x, 9) goes through decimal conversion and costs a
# microsecond per scene, more than the score itself.
_QUANTUM = 10.0**SCORE_DECIMALS
#: Within one fit, components up to this many scenes with the same shape are solved once: in a
#: sparse duel graph most components are a pair or a triple with one of a few win patterns.
_MEMO_MAX_NODES = 8
# Newton steps up to this size (in log-strength) are taken without a line search; no step
# is longer than _MAX_STEP.
_TRUSTED_STEP = 0.5
_MAX_STEP = 2.0

# Scene keys (str) or database ids (int): anything sortable, so the fit can go in a fixed order.
K = TypeVar("K", str, int)


MIN_WEIGHT = 1e-6


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
        for name in ("w_votes", "w_duels", "w_views"):
            weight = getattr(self, name)
            # Subnormal weights underflow in the blend (w * n/(n+k) -> 0 or a lone ulp) and
            # would make the parts meaningless; nobody means a weight of 1e-300.
            if 0.0 < weight < MIN_WEIGHT:
                raise ValueError(f"{name} must be 0 or at least {MIN_WEIGHT:g}, got {weight!r}")
        _check_finite("duel_k", self.duel_k)
        _check_finite("bt_prior", self.bt_prior, strict=True)
        if self.view_ref < 1:
            raise ValueError(f"view_ref must be at least 1, got {self.view_ref!r}")


@dataclass(frozen=True)
class Duel:
    """One head-to-head answer: ``winner`` was preferred to ``loser``."""

    winner: str
    loser: str


#: One scene's signals in aggregated form, for :func:`score_totals`:
#: ``(key, n_votes, vote_sum, latest_views, n_duels, bt_strength)``. ``vote_sum`` is the integer
#: sum of the current votes; ``bt_strength`` is the Bradley-Terry strength (None without duels).
SceneTotals = tuple[str, int, int, int | None, int, float | None]


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
    has_signal: bool  # False when no signal the weights count: no votes, duels or views
    vote_share: float = 0.0  # effective weight of each part after normalising (sum 1 or 0)
    duel_share: float = 0.0
    view_share: float = 0.0
    vote_mean: float | None = None  # R, the plain mean of the scene's own votes


def _shrink(total: float, v: int, mean: float, prior_mean: float, m: float) -> float:
    value = (total + m * prior_mean) / (v + m)
    return min(max(value, min(mean, prior_mean)), max(mean, prior_mean))


# --------------------------------------------------------------------------- Bradley-Terry


#: A component's duels: (i, j, times i beat j, times j beat i) with i < j, sorted.
_Edges = tuple[tuple[int, int, int, int], ...]


def bradley_terry(
    duels: Sequence[Duel], prior: float = 1.0, iterations: int = 100, tol: float = 1e-6
) -> dict[str, float]:
    """Fit Bradley-Terry strengths to ``duels`` (MAP estimate); see :func:`bradley_terry_counts`.

    Returns the strength of every scene that appears in a duel; a scene with no duels has strength
    1. A duel of a scene against itself carries no information and is ignored.
    """
    counts: dict[tuple[str, str], int] = {}
    for duel in duels:
        pair = (duel.winner, duel.loser)
        counts[pair] = counts.get(pair, 0) + 1
    return bradley_terry_counts(counts, prior, iterations, tol)


def bradley_terry_counts(
    wins: Mapping[tuple[K, K], int],
    prior: float = 1.0,
    iterations: int = 100,
    tol: float = 1e-6,
) -> dict[K, float]:
    """Fit Bradley-Terry strengths to aggregated duel counts ``{(winner, loser): times}``.

    ``P(i beats j) = s_i / (s_i + s_j)``. Each scene also gets ``prior`` virtual wins and ``prior``
    virtual losses against a fixed reference item of strength 1 (not re-estimated), which keeps
    every strength finite and positive and makes the fixed point unique. Because the reference is
    fixed, the posterior separates into the connected components of the duel graph, and each is
    fitted on its own. The fit solves the MAP condition for every scene

        W_i + prior = sum_j n_ij * s_i/(s_i + s_j) + 2 * prior * s_i/(s_i + 1)

    (wins plus virtual wins equal expected wins) by Newton's method on ``log s`` with an exact
    sparse solve, until a full step changes no ``log s`` by ``tol`` or more (the error left is
    then about ``tol**2``), or ``iterations`` steps have run. Keys must be mutually comparable (all str or all int); the scenes of a
    component are numbered in sorted key order, so the result depends only on the counts,
    never on the order of the mapping.

    Self-duels and non-positive counts are ignored.
    """
    _check_finite("prior", prior, strict=True)
    if iterations < 1:
        raise ValueError(f"iterations must be at least 1, got {iterations!r}")
    _check_finite("tol", tol)

    victories: dict[K, dict[K, int]] = {}  # winner -> loser -> times
    adjacent: dict[K, list[K]] = {}  # repeats are harmless: only used to find components
    for (winner, loser), times in wins.items():
        if winner == loser or times <= 0:
            continue
        beat = victories.get(winner)
        if beat is None:
            victories[winner] = {loser: times}
        else:
            beat[loser] = beat.get(loser, 0) + times
        if winner in adjacent:
            adjacent[winner].append(loser)
        else:
            adjacent[winner] = [loser]
        if loser in adjacent:
            adjacent[loser].append(winner)
        else:
            adjacent[loser] = [winner]

    strengths: dict[K, float] = {}
    memo: dict[_Edges, tuple[float, ...]] = {}
    no_wins: dict[K, int] = {}
    for component in _components(adjacent):
        if len(component) == 2:  # most components: one pair of scenes, built directly
            first, second = component
            ij = victories.get(first, no_wins).get(second, 0)
            ji = victories.get(second, no_wins).get(first, 0)
            edges: _Edges = ((0, 1, ij, ji),)
        else:
            index = {key: i for i, key in enumerate(component)}
            pairs: dict[tuple[int, int], list[int]] = {}
            for key in component:
                i = index[key]
                for other, times in victories.get(key, no_wins).items():
                    j = index[other]
                    if i < j:
                        pairs.setdefault((i, j), [0, 0])[0] += times
                    else:
                        pairs.setdefault((j, i), [0, 0])[1] += times
            edges = tuple((i, j, ij, ji) for (i, j), (ij, ji) in sorted(pairs.items()))
        size = len(component)
        if size == 2:
            if edges not in memo:
                memo[edges] = _solve_component(2, edges, prior, iterations, tol)
            fitted = memo[edges]
        elif size <= _MEMO_MAX_NODES:
            # Solve each small shape once, whatever the ids of its scenes.
            labels, shape = _relabel(size, edges)
            if shape not in memo:
                memo[shape] = _solve_component(size, shape, prior, iterations, tol)
            solved = memo[shape]
            fitted = tuple(solved[label] for label in labels)
        else:
            fitted = _solve_component(size, edges, prior, iterations, tol)
        strengths.update(zip(component, fitted, strict=True))
    return strengths


def _relabel(size: int, edges: _Edges) -> tuple[list[int], _Edges]:
    """Number a small component's scenes by their records (wins, losses, the record of each of
    their pairings), so that components of the same shape usually get the same edges and share
    one fit. Ties keep the sorted-key order, so the numbering is still fully deterministic."""
    wins = [0] * size
    losses = [0] * size
    around: list[list[tuple[int, int]]] = [[] for _ in range(size)]
    for i, j, ij, ji in edges:
        wins[i] += ij
        wins[j] += ji
        losses[i] += ji
        losses[j] += ij
        around[i].append((ij, ji))
        around[j].append((ji, ij))
    signature = [(wins[i], losses[i], sorted(around[i])) for i in range(size)]
    labels = [0] * size
    for label, i in enumerate(sorted(range(size), key=lambda i: (signature[i], i))):
        labels[i] = label
    shape = sorted(
        (labels[i], labels[j], ij, ji) if labels[i] < labels[j] else (labels[j], labels[i], ji, ij)
        for i, j, ij, ji in edges
    )
    return labels, tuple(shape)


def _components(adjacent: Mapping[K, Iterable[K]]) -> Iterable[list[K]]:
    """Connected components of the duel graph, each as a sorted list of keys."""
    seen: set[K] = set()
    for start in adjacent:
        if start in seen:
            continue
        seen.add(start)
        members = [start]
        stack = [start]
        while stack:
            for other in adjacent[stack.pop()]:
                if other not in seen:
                    seen.add(other)
                    members.append(other)
                    stack.append(other)
        members.sort()
        yield members


def _log_posterior(theta: Sequence[float], edges: _Edges, prior: float) -> float:
    """Log-posterior of log-strengths ``theta`` (up to a constant)."""
    log1p, exp = math.log1p, math.exp
    total = 0.0
    for t in theta:
        # prior * (log sigmoid(t) + log sigmoid(-t)), written to be stable for any t
        a = t if t >= 0.0 else -t
        total -= prior * (a + 2.0 * log1p(exp(-a)))
    for i, j, ij, ji in edges:
        d = theta[i] - theta[j]
        a = d if d >= 0.0 else -d
        # log sigmoid(|d|) = -base and log sigmoid(-|d|) = -|d| - base
        base = log1p(exp(-a))
        if d >= 0.0:
            total -= ij * base + ji * (a + base)
        else:
            total -= ij * (a + base) + ji * base
    return total


def _elimination_order(n: int, edges: _Edges) -> list[int]:
    """Minimum-degree elimination order (ties to the lower index): duel components are
    mostly trees, which this eliminates leaf by leaf with no fill-in at all."""
    adjacent: list[set[int]] = [set() for _ in range(n)]
    for i, j, _, _ in edges:
        adjacent[i].add(j)
        adjacent[j].add(i)
    heap = [(len(a), i) for i, a in enumerate(adjacent)]
    heapq.heapify(heap)
    done = [False] * n
    order: list[int] = []
    while heap:
        degree, i = heapq.heappop(heap)
        if done[i] or degree != len(adjacent[i]):
            continue
        done[i] = True
        order.append(i)
        around = sorted(adjacent[i])
        for a in around:
            adjacent[a].discard(i)
            adjacent[a].update(b for b in around if b != a)
        for a in around:
            heapq.heappush(heap, (len(adjacent[a]), a))
    return order


def _solve_spd(
    diag: list[float], off: list[dict[int, float]], rhs: list[float], order: list[int]
) -> list[float]:
    """Solve ``A x = rhs`` for a sparse symmetric positive definite ``A`` (diagonal ``diag``,
    off-diagonal rows ``off``) by Gaussian elimination in ``order``. Consumes ``off``."""
    b = list(rhs)
    d = list(diag)
    eliminated: list[tuple[int, float, list[tuple[int, float]]]] = []
    for k in order:
        row = list(off[k].items())
        pivot = d[k]
        bk = b[k]
        for i, a_ik in row:
            factor = a_ik / pivot
            b[i] -= factor * bk
            other = off[i]
            del other[k]
            for j, a_kj in row:
                if j == i:
                    d[i] -= factor * a_kj
                else:
                    other[j] = other.get(j, 0.0) - factor * a_kj
        eliminated.append((k, pivot, row))
    x = [0.0] * len(b)
    for k, pivot, row in reversed(eliminated):
        x[k] = (b[k] - math.fsum(a * x[i] for i, a in row)) / pivot
    return x


def _solve_component(
    n: int, edges: _Edges, prior: float, iterations: int, tol: float
) -> tuple[float, ...]:
    """MAP strengths of one component by Newton's method on log-strengths.

    The log-posterior is strictly concave (the prior games make it so) and its Hessian is as
    sparse as the duel graph: Newton's method reaches machine precision in a handful of steps,
    where the classic MM update (Hunter 2004) needs hundreds of sweeps along chains of duels.
    """
    order = _elimination_order(n, edges)
    wins = [0] * n
    losses = [0] * n
    for i, j, ij, ji in edges:
        wins[i] += ij
        wins[j] += ji
        losses[i] += ji
        losses[j] += ij
    # Start from each scene's smoothed log odds of winning: close to the answer for the pairs
    # and short chains most components are, which saves Newton steps.
    theta = [math.log((w + prior) / (lost + prior)) for w, lost in zip(wins, losses, strict=True)]
    value: float | None = None
    exp = math.exp
    for _ in range(iterations):
        gradient: list[float] = []
        diag: list[float] = []
        for i, t in enumerate(theta):
            s = 1.0 / (1.0 + exp(-t)) if t >= 0.0 else exp(t) / (1.0 + exp(t))
            # Zero at the optimum: wins + prior = expected wins (real and virtual games).
            gradient.append(wins[i] + prior - 2.0 * prior * s)
            diag.append(2.0 * prior * s * (1.0 - s))
        off: list[dict[int, float]] = [{} for _ in range(n)]
        for i, j, ij, ji in edges:
            d = theta[i] - theta[j]
            p = 1.0 / (1.0 + exp(-d)) if d >= 0.0 else exp(d) / (1.0 + exp(d))
            games = ij + ji
            gradient[i] -= games * p
            gradient[j] -= games * (1.0 - p)
            c = games * p * (1.0 - p)
            diag[i] += c
            diag[j] += c
            off[i][j] = -c
            off[j][i] = -c
        # A ridge far above rounding error but far below any real curvature: when a scene's
        # strength is extreme its prior curvature underflows next to its duels', and without
        # it elimination could meet a pivot that cancels to zero.
        ridge = 1e-12 * max(diag)
        step = _solve_spd([h + ridge for h in diag], off, gradient, order)
        largest = max(abs(d) for d in step)
        if largest > _MAX_STEP:
            # Far from the optimum (strengths orders of magnitude apart, a weak prior) the
            # quadratic model means little: move at most a factor e**_MAX_STEP at a time.
            step = [d * (_MAX_STEP / largest) for d in step]
            largest = _MAX_STEP
        scale = 1.0
        if largest <= _TRUSTED_STEP:
            # Small steps of a logistic log-likelihood stay where its quadratic model holds
            # (it is generalised self-concordant): the full step goes uphill, no check needed.
            theta = [t + d for t, d in zip(theta, step, strict=True)]
            value = None
        else:
            # Backtracking (Armijo): a large step must raise the log-posterior by a fair share
            # of what its slope promises, so it can neither overshoot nor drift along a flat
            # tail; when no share is left to gain, the fit is as good as floating point allows.
            if value is None:
                value = _log_posterior(theta, edges, prior)
            slope = math.fsum(g * d for g, d in zip(gradient, step, strict=True))
            while True:
                trial = [t + scale * d for t, d in zip(theta, step, strict=True)]
                trial_value = _log_posterior(trial, edges, prior)
                if trial_value >= value + 1e-4 * scale * slope:
                    break
                scale *= 0.5
                if scale < 1e-10:
                    return tuple(math.exp(t) for t in theta)
            theta, value = trial, trial_value
        # Newton converges quadratically: after a full, uncapped step smaller than tol, the
        # error left is about tol squared.
        if scale == 1.0 and largest < tol:
            break
    return tuple(math.exp(t) for t in theta)


# --------------------------------------------------------------------------- popularity


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


# --------------------------------------------------------------------------- combined score


_Computed = tuple[
    float | None, float | None, float | None, float, float, float, float, bool, float, float, float
]
# Positions in a _Computed tuple that code outside _compute reads.
_VOTE_PART: Final = 3
_SCORE: Final = 6
_SIGNAL: Final = 7
_DUEL_SHARE: Final = 9
_VIEW_SHARE: Final = 10


def _rounded(score: float) -> int:
    # The integer scores are sorted on: the score at SCORE_DECIMALS, rounded half up.
    return int(score * _QUANTUM + 0.5)


def _popularity(views: int, log_ref: float) -> float:
    """Log views against the reference, 0..SCALE: the view value of every score."""
    pop = SCALE * (math.log10(1 + views) / log_ref)
    return SCALE if pop > SCALE else 0.0 if pop < 0.0 else pop


def _compute(
    rows: Sequence[SceneTotals], prior_mean: float | None, params: RankParams
) -> Iterator[_Computed]:
    """The one place scores are computed. For each row, the fields of :class:`ScoreParts` from
    ``quality`` to ``view_share`` as a plain tuple: a large scope scores every scene, and one
    loop with the parameters in locals costs a fraction of a call and a dataclass per scene.

    ScopeRanker (_resolve, _resolve_loaded) adds the same parts in the same order to get the
    same floats: a change to how parts are added must be made there too (tests/test_rank_top_n.py
    compares the two)."""
    m, w_votes, w_duels, w_views = params.m, params.w_votes, params.w_duels, params.w_views
    duel_k = params.duel_k
    log_ref = math.log10(1 + params.view_ref)
    for row in rows:
        _key, n_votes, vote_sum, views, n_duels, strength = row
        if (
            n_votes < 0
            or not n_votes * MIN_VOTE <= vote_sum <= n_votes * MAX_VOTE
            or n_duels < 0
            or (views is not None and views < 0)
            or (strength is not None and not 0.0 < strength < math.inf)
        ):
            raise _bad_row(row)
        quality: float | None = None
        if prior_mean is not None:
            if n_votes:
                # WR = (sum + m*C)/(v + m), kept between the scene's mean R and C.
                mean = vote_sum / n_votes
                quality = (vote_sum + m * prior_mean) / (n_votes + m)
                low, high = (mean, prior_mean) if mean < prior_mean else (prior_mean, mean)
                quality = low if quality < low else high if quality > high else quality
            else:
                quality = prior_mean
        duel_strength: float | None = None
        if n_duels > 0:
            s = 1.0 if strength is None else strength
            duel_strength = SCALE * (s / (s + 1.0))
        pop = None if views is None else _popularity(views, log_ref)
        ew_votes = w_votes if quality is not None else 0.0
        ew_duels = w_duels * (n_duels / (n_duels + duel_k)) if n_duels > 0 else 0.0
        ew_views = w_views if pop is not None else 0.0
        # A signal counts only when its part has weight: with --method votes (w_views = 0) a
        # scene with views but no votes has nothing to be ranked on and joins the unsignalled
        # tail.
        if (
            (n_votes > 0 and ew_votes > 0.0)
            or ew_duels > 0.0
            or (pop is not None and ew_views > 0.0)
        ):
            total = ew_votes + ew_duels + ew_views
            # total > 0 here. Each part is value * (ew / total) with ew <= total, so it stays
            # within 0..value.
            vote_share, duel_share, view_share = (
                ew_votes / total,
                ew_duels / total,
                ew_views / total,
            )
            vote_part = 0.0 if quality is None else quality * vote_share
            duel_part = 0.0 if duel_strength is None else duel_strength * duel_share
            view_part = 0.0 if pop is None else pop * view_share
            yield (
                (
                    quality,
                    duel_strength,
                    pop,
                    vote_part,
                    duel_part,
                    view_part,
                    vote_part + duel_part + view_part,
                    True,
                    vote_share,
                    duel_share,
                    view_share,
                )
            )
        else:
            yield (quality, duel_strength, pop, 0.0, 0.0, 0.0, 0.0, False, 0.0, 0.0, 0.0)


def _parts(row: SceneTotals, computed: _Computed) -> ScoreParts:
    key, n_votes, vote_sum, views, n_duels, _strength = row
    quality, duel_strength, pop, vote_part, duel_part, view_part, score, has_signal = computed[:8]
    return ScoreParts(
        key=key,
        quality=quality,
        duel_strength=duel_strength,
        popularity=pop,
        n_votes=n_votes,
        n_duels=n_duels,
        latest_views=views,
        vote_part=vote_part,
        duel_part=duel_part,
        view_part=view_part,
        score=score,
        has_signal=has_signal,
        vote_share=computed[8],
        duel_share=computed[9],
        view_share=computed[10],
        vote_mean=vote_sum / n_votes if n_votes else None,
    )


def _prior_mean(rows: Sequence[SceneTotals]) -> float | None:
    """The scope's prior mean ``C`` (None without votes); rejects a repeated key. The other
    checks of a row happen in :func:`_compute`, which looks at every field anyway."""
    if len({row[0] for row in rows}) != len(rows):
        seen: set[str] = set()
        for row in rows:
            if row[0] in seen:
                raise ValueError(f"scene {row[0]!r} is given twice")
            seen.add(row[0])
    n_all = sum(map(itemgetter(1), rows))
    # Integer sums: exact, so C does not depend on the order of the votes.
    return sum(map(itemgetter(2), rows)) / n_all if n_all else None


def _bad_row(row: SceneTotals) -> ValueError:
    key, n_votes, vote_sum, views, n_duels, strength = row
    if n_votes < 0 or not MIN_VOTE * n_votes <= vote_sum <= MAX_VOTE * n_votes:
        return ValueError(
            f"scene {key!r}: {n_votes} votes summing to {vote_sum!r} are not all in "
            f"{MIN_VOTE}..{MAX_VOTE}"
        )
    if views is not None and views < 0:
        return ValueError(f"scene {key!r}: negative view count {views!r}")
    if n_duels < 0:
        return ValueError(f"scene {key!r}: negative duel count {n_duels!r}")
    return ValueError(f"scene {key!r}: strength must be a positive number, got {strength!r}")


@dataclass(frozen=True)
class ScoredScope:
    """A scored scope: the ranking order plus the parts of any scene on demand.

    Built by :func:`score_totals`. Building a :class:`ScoreParts` for every scene of a large
    scope would cost more than the whole SQL query, so only the scenes asked for get one.
    """

    rows: Sequence[SceneTotals]
    params: RankParams
    prior_mean: float | None
    order: tuple[int, ...]  # indices into ``rows``, best first
    unsignalled: int  # scenes without a counted signal (the tail of ``order``)

    def parts(self, index: int) -> ScoreParts:
        row = self.rows[index]
        return _parts(row, next(_compute([row], self.prior_mean, self.params)))

    def ranked(self, limit: int | None = None) -> list[ScoreParts]:
        chosen = self.order if limit is None else self.order[:limit]
        return [self.parts(i) for i in chosen]


def score_totals(rows: Sequence[SceneTotals], params: RankParams) -> ScoredScope:
    """Score and rank a scope given in aggregated form (see :data:`SceneTotals`).

    Best first: scenes with a signal by score descending (scores equal to SCORE_DECIMALS places
    count as equal), then more votes, then more latest views (None counts as 0), then key;
    scenes without any signal last, by key. For scopes of any size: the caller aggregates votes
    (count and integer sum), picks the latest view count, counts duels and fits strengths with
    :func:`bradley_terry_counts`.
    """
    prior_mean = _prior_mean(rows)
    # Sort by the rounded score alone (one integer per scene, cheap), then put any run of
    # equal scores in tie-break order: more votes, more views, key. Only the integers are kept:
    # a scope can hold a million scenes.
    scaled: list[int] = []
    ranked: list[int] = []
    tail: list[int] = []
    for i, c in enumerate(_compute(rows, prior_mean, params)):
        scaled.append(-_rounded(c[_SCORE]))
        (ranked if c[_SIGNAL] else tail).append(i)
    by_score = scaled.__getitem__
    ranked.sort(key=by_score)
    values = list(map(by_score, ranked))
    start, count = 0, len(ranked)
    while start < count - 1:
        if values[start] != values[start + 1]:
            start += 1
            continue
        end = start + 2
        while end < count and values[end] == values[start]:
            end += 1
        ranked[start:end] = sorted(
            ranked[start:end], key=lambda i: (-rows[i][1], -(rows[i][3] or 0), rows[i][0])
        )
        start = end
    tail.sort(key=lambda i: rows[i][0])
    order = tuple(ranked + tail)
    return ScoredScope(rows, params, prior_mean, order, len(tail))


#: ``latest_views`` of a :data:`SceneCounts` row whose view count has not been read (yet).
NOT_LOADED = -1

#: One scene for :class:`ScopeRanker`: ``(scene_id, n_votes, vote_sum, latest_views)``, where
#: ``latest_views`` may be :data:`NOT_LOADED`; the number of duels comes apart, as a mapping from
#: scene id (scenes without duels left out).
SceneCounts = tuple[int, int, int, int | None]

# What the scenes with the same votes and duels share, without views and with views: the vote
# part, the duel share, the view share and whether the scene has a counted signal.
_Variant = tuple[float, float, float, bool]


class _Class:
    """The scenes of a scope with one vote count, vote sum and number of duels whose scores are
    known only as bounds: their view count is not loaded (or does not matter) and, with duels,
    their strength is not known. The duel value (10*s/(s+1)) and the popularity both lie in
    0..10, and a score grows with each, so the bounds hold whatever they turn out to be."""

    __slots__ = (
        "after",
        "high",
        "key",
        "low",
        "members",
        "signal",
        "size",
        "strength",
        "unloaded",
        "variants",
        "views_matter",
    )

    def __init__(self, no_views: _Variant, with_views: _Variant) -> None:
        self.variants = (no_views, with_views)
        self.members: list[int] = []  # row indices
        # A class read from a histogram (ScopeRanker.from_classes): members not read yet, the
        # key to read them by, and the last scene id read.
        self.unloaded = 0
        self.size = 0  # len(members) + unloaded, kept by ScopeRanker._resize
        self.key: ClassKey | None = None
        self.after = 0
        self.views_matter = no_views != with_views
        # None: whether the scenes have a counted signal depends on whether they have views.
        self.signal: bool | None = no_views[3] if no_views[3] == with_views[3] else None
        counted = [v for v in self.variants if v[3]]
        self.strength = any(v[1] for v in counted)  # a Bradley-Terry strength changes the score
        # (vote part + duel part) + view part, as _compute adds them, at both ends of 0..10.
        lows = [_rounded(v[0]) for v in counted]
        highs = [_rounded(v[0] + SCALE * v[1] + SCALE * v[2]) for v in counted]
        self.low = min(lows) if lows else -1
        self.high = max(highs) if highs else -1


#: A score class as stored per scene (storage.scene_signals): (vote count, vote sum, duels,
#: whether it has a view count).
ClassKey = tuple[int, int, int, bool]
#: Reads members of a class: (key, after this scene id, at most n or None for all) ->
#: [(scene id, latest views or None)] by scene id.
ClassLoader = Callable[[ClassKey, int, "int | None"], list[tuple[int, "int | None"]]]


class ScopeRanker:
    """The order of :func:`score_totals`, worked out only as far as it is asked for.

    A broad scope has far more scenes than a ranking shows. Scenes with the same vote count,
    vote sum and number of duels share their vote part and shares (:class:`_Class`), so their
    scores are known up to the view part (without the view count) and the duel part (without
    the Bradley-Terry strength), each between 0 and its share times 10. Only scenes whose best
    possible score reaches the ``want``-th best worst possible score can be among the first
    ``want``; :meth:`missing` names, best bound first, the view counts and strengths that would
    settle them, the caller loads those (:meth:`add_views`, and a fit for the strengths), and
    when nothing is missing :meth:`contenders` and :meth:`ranked` give the exact order.

    Rows may come with their view counts (then only strengths can be missing), or the scope
    may be given as a histogram of classes (:meth:`from_classes`) whose members are read,
    with their view counts, only when a class can reach the part asked for. Every score is
    made with the operations of :func:`_compute` in the same order, so
    ``ranked(contenders(w), keys)[:w]`` is exactly the first ``w`` signalled scenes of
    ``score_totals(...).order``; the scenes without a counted signal follow it, by key
    (:meth:`tail`).
    """

    #: View counts asked for at first (in :meth:`missing`, best bound first); the batch
    #: doubles each time, so a few queries settle even a top whose bounds overlap a lot.
    BATCH = 256

    def __init__(
        self, rows: Sequence[SceneCounts], n_duels: Mapping[int, int], params: RankParams
    ) -> None:
        self.rows: Sequence[SceneCounts] = rows
        self.n_duels = n_duels
        self.params = params
        self.size = len(rows)
        self._load: ClassLoader | None = None
        n_all = sum(map(itemgetter(1), rows))
        # Integer sums, as in _prior_mean: exact, whatever the order of the rows.
        self.prior_mean = sum(map(itemgetter(2), rows)) / n_all if n_all else None
        self._setup()
        # Sort the scenes into classes; the usual scene (no duels, views not loaded) by vote
        # count, then sum: two lookups cost less than building a key per scene.
        usual: dict[int, dict[int, list[int]]] = {}
        other: dict[tuple[int, int, int], list[int]] = {}
        loaded: list[int] = []
        not_loaded = NOT_LOADED
        for index, (scene_id, votes, total, views) in enumerate(rows):
            if views != not_loaded:
                loaded.append(index)
            elif scene_id in n_duels:
                key = (votes, total, n_duels[scene_id])
                members = other.get(key)
                if members is None:
                    other[key] = [index]
                else:
                    members.append(index)
            else:
                by_total = usual.get(votes)
                if by_total is None:
                    by_total = usual[votes] = {}
                members = by_total.get(total)
                if members is None:
                    by_total[total] = [index]
                else:
                    members.append(index)
        for votes, by_total in usual.items():
            for total, members in by_total.items():
                found = self._class((votes, total, 0), members[0])
                found.members = members
                self._resize(found)
        for key, members in other.items():
            found = self._class(key, members[0])
            found.members = members
            self._resize(found)
        self._resolve_loaded(loaded)

    def _setup(self) -> None:
        self._log_ref = math.log10(1 + self.params.view_ref)
        self._classes: dict[tuple[int, ...], _Class] = {}
        # Scenes taken out of their class, by row index: (lowest, highest) rounded score of
        # those with a counted signal (equal once exact), the others in `_tail`.
        self._score: dict[int, tuple[int, int]] = {}
        self._pending: set[int] = set()  # of `_score`: exact once their strength is known
        self._tail: list[int] = []
        self._views: dict[int, int | None] = {}  # view counts loaded later, by row index
        self._asked: set[int] = set()  # taken out of their class, waiting for their views
        self._batch = self.BATCH
        self._progressed = False
        self._in_classes = 0  # scenes still in classes with a counted signal
        self._unsure = 0  # scenes still in classes whose signal depends on their views

    @classmethod
    def from_classes(
        cls,
        classes: Iterable[tuple[int, int, int, bool, int]],
        load: ClassLoader,
        params: RankParams,
    ) -> ScopeRanker:
        """A ranker for a scope given as a histogram of score classes (vote count, vote sum,
        duels, has views, scenes): members are read with ``load`` only for the classes that
        can reach the top, with their view counts, so :meth:`missing` never asks for views.
        ``rows`` then holds the scenes read so far; ``size`` is the whole scope's."""
        self = cls.__new__(cls)
        histogram = list(classes)
        self.rows = []
        self.n_duels = {}
        self.params = params
        self.size = sum(h[4] for h in histogram)
        self._load = load
        n_all = sum(h[0] * h[4] for h in histogram)
        # The same integer sums as the row-by-row constructor: the same prior mean.
        self.prior_mean = sum(h[1] * h[4] for h in histogram) / n_all if n_all else None
        self._setup()
        histogram = [h for h in histogram if h[4] > 0]
        # One _compute over every class (a call per class costs more than the scoring): the
        # parts without views, or with a view count (0 stands for any), as _variants gives.
        computed = _compute(
            [
                ("class", votes, total, 0 if has_views else None, duels, None)
                for votes, total, duels, has_views, _ in histogram
            ],
            self.prior_mean,
            params,
        )
        for (votes, total, duels, has_views, count), parts in zip(histogram, computed, strict=True):
            key: ClassKey = (votes, total, duels, bool(has_views))
            # Whether a member has a view count is known: one variant holds for all of them.
            chosen = (parts[_VOTE_PART], parts[_DUEL_SHARE], parts[_VIEW_SHARE], parts[_SIGNAL])
            found = self._classes[key] = _Class(chosen, chosen)
            found.views_matter = bool(has_views) and chosen[2] > 0.0
            found.key = key
            found.unloaded = count
            self._resize(found)
        return self

    def _resize(self, cls: _Class) -> None:
        """Count the members of ``cls`` again after they changed (and the ranker's totals)."""
        size = len(cls.members) + cls.unloaded
        if cls.signal:
            self._in_classes += size - cls.size
        elif cls.signal is None:
            self._unsure += size - cls.size
        cls.size = size

    def _read(self, cls: _Class, limit: int | None) -> list[int]:
        """Read up to ``limit`` (None: all) unread members of lazy class ``cls`` into rows."""
        if self._load is None or cls.key is None or not cls.unloaded:
            return []
        if limit is not None:
            limit = min(limit, cls.unloaded)
        found = self._load(cls.key, cls.after, limit)
        votes, total, duels, _ = cls.key
        rows = self.rows
        n_duels = self.n_duels
        assert isinstance(rows, list) and isinstance(n_duels, dict)
        start = len(rows)
        for scene_id, views in found:
            rows.append((scene_id, votes, total, views))
            if duels:
                n_duels[scene_id] = duels
        if found:
            cls.after = found[-1][0]
        cls.unloaded -= len(found)
        if limit is None or len(found) < limit:
            cls.unloaded = 0  # read to the end (a short read never loops)
        return list(range(start, len(rows)))

    def _resolve_loaded(self, indices: list[int]) -> None:
        """:meth:`_resolve` for many scenes: the usual one (views, no duels) inline."""
        rows, n_duels, score = self.rows, self.n_duels, self._score
        log_ref = self._log_ref
        shared: dict[tuple[int, int], _Variant] = {}
        for index in indices:
            scene_id, votes, total, views = rows[index]
            if views is None or views < 0 or scene_id in n_duels:
                self._resolve(index, views)
                continue
            parts = shared.get((votes, total))
            if parts is None:
                parts = shared[(votes, total)] = self._class((votes, total, 0), index).variants[1]
            vote_part, _, view_share, signal = parts
            if not signal:
                self._tail.append(index)
                continue
            # As in _resolve: the same operations as _compute, in the same order.
            exact = _rounded(vote_part + _popularity(views, log_ref) * view_share)
            score[index] = (exact, exact)

    # -- scores

    def _class(self, key: tuple[int, int, int], index: int) -> _Class:
        found = self._classes.get(key)
        if found is None:
            found = self._classes[key] = _Class(*self._variants(key, str(self.rows[index][0])))
        return found

    def _variants(self, key: tuple[int, int, int], name: str) -> tuple[_Variant, _Variant]:
        votes, total, duels = key
        # Any view count gives the same parts but the view part: 0 stands for them all.
        rows = [(name, votes, total, None, duels, None), (name, votes, total, 0, duels, None)]
        no_views, with_views = _compute(rows, self.prior_mean, self.params)
        return (
            (
                no_views[_VOTE_PART],
                no_views[_DUEL_SHARE],
                no_views[_VIEW_SHARE],
                no_views[_SIGNAL],
            ),
            (
                with_views[_VOTE_PART],
                with_views[_DUEL_SHARE],
                with_views[_VIEW_SHARE],
                with_views[_SIGNAL],
            ),
        )

    def _resolve(self, index: int, views: int | None) -> None:
        """Score scene ``index`` on its own, now that its view count is known."""
        scene_id, votes, total, _ = self.rows[index]
        duels = self.n_duels.get(scene_id, 0)
        if views is not None and views < 0:
            raise _bad_row((str(scene_id), votes, total, views, duels, None))
        cls = self._class((votes, total, duels), index)
        vote_part, duel_share, view_share, signal = cls.variants[views is not None]
        if not signal:
            self._tail.append(index)
            return
        # The same operations as _compute, in the same order: the same floats.
        view_part = 0.0 if views is None else _popularity(views, self._log_ref) * view_share
        if duel_share:
            self._score[index] = (
                _rounded(vote_part + 0.0 + view_part),
                _rounded(vote_part + SCALE * duel_share + view_part),
            )
            self._pending.add(index)
        else:
            # No duel part (it is 0.0, and vote_part + 0.0 is vote_part).
            exact = _rounded(vote_part + view_part)
            self._score[index] = (exact, exact)

    def views_of(self, index: int) -> int | None:
        views = self.rows[index][3]
        return self._views.get(index, views) if views == NOT_LOADED else views

    def totals(self, index: int, key: str, strengths: Mapping[int, float]) -> SceneTotals:
        """Scene ``index`` as a :data:`SceneTotals` row (``strengths`` by scene id)."""
        scene_id, votes, total, _ = self.rows[index]
        views = self.views_of(index)
        if views == NOT_LOADED:
            raise KeyError(f"scene {key!r}: its view count is not loaded")
        duels = self.n_duels.get(scene_id, 0)
        strength = strengths.get(scene_id) if duels else None
        if strength is None and index in self._pending:
            raise KeyError(f"scene {key!r} needs its Bradley-Terry strength")
        return (key, votes, total, views, duels, strength)

    def parts(self, index: int, key: str, strengths: Mapping[int, float]) -> ScoreParts:
        """How the score of scene ``index`` was made (the same as :meth:`ScoredScope.parts`)."""
        row = self.totals(index, key, strengths)
        return _parts(row, next(_compute([row], self.prior_mean, self.params)))

    def _settle(self, strengths: Mapping[int, float]) -> None:
        """Exact scores for the scenes whose strength has come."""
        rows, prior_mean, params = self.rows, self.prior_mean, self.params
        for index in [i for i in self._pending if rows[i][0] in strengths]:
            scene_id, votes, total, _ = rows[index]
            views = self.views_of(index)
            if views == NOT_LOADED:  # taken out of a class whose views do not matter
                views = None
            row = (str(scene_id), votes, total, views, self.n_duels[scene_id], strengths[scene_id])
            exact = _rounded(next(_compute([row], prior_mean, params))[_SCORE])
            self._score[index] = (exact, exact)
            self._pending.discard(index)

    # -- how far the order is known

    @property
    def signalled(self) -> int:
        """Scenes with a counted signal (known once :meth:`missing` has asked for no views)."""
        if self._asked or self._unsure:
            raise RuntimeError("load the view counts missing() asked for first")
        return self._in_classes + len(self._score)

    @property
    def unsignalled(self) -> int:
        return self.size - self.signalled

    def _threshold(self, head: int) -> int | None:
        """A rounded score that at least ``head`` signalled scenes reach for sure (None: every
        signalled scene counts, ``head`` reaches their number)."""
        if head >= self.signalled:
            return None
        entries = [(c.low, c.size) for c in self._classes.values() if c.signal and c.size]
        lows = map(itemgetter(0), self._score.values())
        entries.extend((low, 1) for low in heapq.nlargest(head, lows))
        entries.sort(reverse=True)
        reached = 0
        for low, count in entries:
            reached += count
            if reached >= head:
                return low
        raise AssertionError("fewer signalled scenes than counted")  # pragma: no cover

    def _take(self, classes: list[_Class], limit: int | None) -> list[int]:
        """Take members out of ``classes`` (best bound first) to ask for their views. Members
        of a lazy class are read with their views and scored at once (nothing to ask for)."""
        classes.sort(key=lambda c: -c.high)
        taken: list[int] = []
        read = 0
        for cls in classes:
            room = cls.size if limit is None else limit - len(taken) - read
            if room <= 0:
                break
            if cls.members:
                part = cls.members[-room:]
                del cls.members[-room:]
                taken.extend(part)
                room -= len(part)
            if room > 0 and cls.unloaded:
                fresh = self._read(cls, None if limit is None else room)
                read += len(fresh)
                self._resize(cls)
                self._resolve_loaded(fresh)
            else:
                self._resize(cls)
        self._asked.update(taken)
        return taken

    def missing(self, want: int, strengths: Mapping[int, float]) -> tuple[list[int], list[int]]:
        """What is still needed to know the first ``want`` signalled scenes: (row indices whose
        view counts to load with :meth:`add_views`, row indices whose Bradley-Terry strength
        to put into ``strengths``, by scene id). Call again after loading; when both lists are
        empty, :meth:`contenders` is ready."""
        if self._asked:
            raise RuntimeError("load the view counts missing() asked for first")
        while True:
            views, unfitted = self._missing(want, strengths)
            # Lazy classes are read and scored inside _take: go on until something is needed
            # from outside, or nothing is left to read.
            if views or unfitted or not self._progressed:
                return views, unfitted

    def _missing(self, want: int, strengths: Mapping[int, float]) -> tuple[list[int], list[int]]:
        self._progressed = False
        before = len(self.rows)
        try:
            return self._missing_step(want, strengths)
        finally:
            self._progressed = len(self.rows) > before

    def _missing_step(
        self, want: int, strengths: Mapping[int, float]
    ) -> tuple[list[int], list[int]]:
        classes = self._classes.values()
        # Whether these scenes count at all depends on their views: every one is needed.
        unsure = [c for c in classes if c.signal is None and c.size]
        if unsure:
            return self._take(unsure, None), []
        self._settle(strengths)
        head = min(want, self.signalled)
        if head <= 0:
            return [], []
        threshold = self._threshold(head)

        def contends(high: int) -> bool:
            return threshold is None or high >= threshold

        # View counts that change scores, best bound first, a growing batch at a time.
        open_classes = [
            c for c in classes if c.signal and c.size and c.views_matter and contends(c.high)
        ]
        if open_classes:
            limit = None if threshold is None else max(self._batch, 2 * head)
            self._batch *= 2
            return self._take(open_classes, limit), []
        # Strengths: of the scenes scored on their own, and of classes whose views do not
        # matter (taken out of them: they are exact once their strength comes).
        for cls in [c for c in classes if c.signal and c.size and contends(c.high)]:
            if cls.strength:
                if cls.unloaded:  # read with their views: scored on their own, pending
                    self._take([cls], None)
                for index in cls.members:
                    self._score[index] = (cls.low, cls.high)
                    self._pending.add(index)
                cls.members = []
                self._resize(cls)
        need = [i for i in self._pending if contends(self._score[i][1])]
        if need:
            return [], sorted(need)
        # Every contender is exact now; those without a loaded view count need it for the
        # tie-breaks (more views first) and to be shown: in a class whose views do not matter,
        # or taken out of one for its strength.
        ties = [c for c in classes if c.signal and c.size and contends(c.high)]
        lacking = [
            i
            for i, (_, high) in self._score.items()
            if contends(high) and self.views_of(i) == NOT_LOADED
        ]
        return self._take(ties, None) + lacking, []

    def add_views(self, views: Mapping[int, int | None]) -> None:
        """Latest view counts by row index (None: the scene has none)."""
        for index, count in views.items():
            if count == NOT_LOADED:
                raise ValueError(f"scene {self.rows[index][0]}: {count} is not a view count")
            self._views[index] = count
            if index in self._asked:
                self._asked.discard(index)
                self._resolve(index, count)
        if self._asked:
            raise KeyError(f"{len(self._asked)} scene(s) asked for still have no view count")

    def contenders(self, want: int) -> list[int]:
        """Row indices of the signalled scenes that can be among the first ``want`` (after
        :meth:`missing` has found nothing missing), in no particular order."""
        head = min(want, self.signalled)
        if head <= 0:
            return []
        threshold = self._threshold(head)
        found = [
            i for i, (_, high) in self._score.items() if threshold is None or high >= threshold
        ]
        if any(i in self._pending for i in found):
            raise RuntimeError("missing() has not been satisfied")
        return found

    def ranked(self, indices: Iterable[int], keys: Mapping[int, str]) -> list[int]:
        """Scenes ``indices`` (from :meth:`contenders`) in ranking order: rounded score, then
        more votes, then more views, then key (``keys`` by scene id)."""
        rows, score, views_of = self.rows, self._score, self.views_of

        def order(i: int) -> tuple[int, int, int, str]:
            return (-score[i][0], -rows[i][1], -(views_of(i) or 0), keys[rows[i][0]])

        return sorted(indices, key=order)

    def tail(self) -> list[int]:
        """Row indices of the scenes without a counted signal (they rank last, by key)."""
        found = list(self._tail)
        for cls in self._classes.values():
            if cls.signal is False:
                if cls.unloaded:
                    cls.members.extend(self._read(cls, None))
                    self._resize(cls)
                found.extend(cls.members)
        return found

    def lacking_views(self, indices: Iterable[int]) -> list[int]:
        """Those of ``indices`` whose view count is not loaded."""
        return [i for i in indices if self.views_of(i) == NOT_LOADED]
