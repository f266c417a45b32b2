"""The Bradley-Terry fit of duels: a MAP estimate per connected component of the duel graph,
by Newton's method on log-strengths with an exact sparse solve (:func:`bradley_terry_counts`).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

from scenecat.scoring.params import check_finite

#: Within one fit, components up to this many scenes with the same shape are solved once: in a
#: sparse duel graph most components are a pair or a triple with one of a few win patterns.
_MEMO_MAX_NODES = 8
# Newton steps up to this size (in log-strength) are taken without a line search; no step
# is longer than _MAX_STEP.
_TRUSTED_STEP = 0.5
_MAX_STEP = 2.0

# Scene keys (str) or database ids (int): anything sortable, so the fit can go in a fixed order.
K = TypeVar("K", str, int)


#: A component's duels: (i, j, times i beat j, times j beat i) with i < j, sorted.
_Edges = tuple[tuple[int, int, int, int], ...]


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
    check_finite("prior", prior, strict=True)
    if iterations < 1:
        raise ValueError(f"iterations must be at least 1, got {iterations!r}")
    check_finite("tol", tol)

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
