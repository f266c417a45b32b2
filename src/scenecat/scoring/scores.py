"""The score of a scene, one number per scene for the whole catalogue: the parts (fan quality,
head-to-head strength, popularity), each always counted with its weight and holding its prior
without evidence, and the ranking order with its tie-breaks (:func:`score_totals`).
:func:`compute` is the one place scores are computed; top_n.py adds the same parts in the
same order.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from operator import itemgetter
from typing import Final

from scenecat.scoring.params import (
    DUEL_PRIOR,
    MAX_VOTE,
    MIN_VOTE,
    SCALE,
    VOTE_PRIOR,
    RankParams,
    ScoreParts,
)

#: Scores equal when rounded to this many decimals tie in :func:`score_totals` (then tie-breaks
#: decide).
SCORE_DECIMALS = 9
# Rounding by scaling to an integer: round(x, 9) goes through decimal conversion and costs a
# microsecond per scene, more than the score itself.
_QUANTUM = 10.0**SCORE_DECIMALS

#: One scene's signals in aggregated form, for :func:`score_totals`:
#: ``(key, n_votes, vote_sum, latest_views, n_duels, bt_strength)``. ``vote_sum`` is the integer
#: sum of the current votes; ``bt_strength`` is the Bradley-Terry strength (None without duels).
SceneTotals = tuple[str, int, int, int | None, int, float | None]

#: The current votes of the whole catalogue: (how many, their integer sum). Every scene's
#: prior mean comes from these, whatever scope is being ranked.
VoteTotals = tuple[int, int]

Computed = tuple[float, float, float, float, float, float, float, float, float, float, float]
# Positions in a Computed tuple that code outside compute reads. BASE is the score without the
# parts still to be learnt (a fitted duel strength, a view count): the vote part plus the
# priors of the parts without evidence; DUEL_VAR and VIEW_VAR are the shares by which a fitted
# strength and a popularity are added to it (0.0 when that part is its prior).
SCORE: Final = 6
BASE: Final = 7
DUEL_VAR: Final = 8
VIEW_VAR: Final = 9
PRIOR: Final = 10


def rounded(score: float) -> int:
    # The integer scores are sorted on: the score at SCORE_DECIMALS, rounded half up.
    return int(score * _QUANTUM + 0.5)


def popularity_of(views: int, log_ref: float) -> float:
    """Log views against the reference, 0..SCALE: the view value of every score."""
    pop = SCALE * (math.log10(1 + views) / log_ref)
    return SCALE if pop > SCALE else 0.0 if pop < 0.0 else pop


def shares(params: RankParams) -> tuple[float, float, float]:
    """Each part's weight over the three weights: the same for every scene."""
    total = params.w_votes + params.w_duels + params.w_views
    if not total > 0.0:
        raise ValueError("at least one ranking weight must be above 0")
    return params.w_votes / total, params.w_duels / total, params.w_views / total


def duel_range(n_duels: int, prior: float) -> tuple[float, float]:
    """Bounds of the head-to-head value (0..SCALE) of a scene with ``n_duels`` duels, before
    its strength is fitted. At the fit, wins + prior = sum of P(beats each opponent) over its
    duels + 2 * prior * P(beats the reference), and each P lies in 0..1, so P(beats the
    reference) lies in (prior - n)/(2 prior) .. (n + prior)/(2 prior): with the default prior
    of 3, a scene with one duel is within 3.3..6.7 whatever its opponents, and the ranker
    fits only the scenes this leaves in reach of the top."""
    if n_duels <= 0:
        return DUEL_PRIOR, DUEL_PRIOR
    low = (prior - n_duels) / (2.0 * prior)
    high = (prior + n_duels) / (2.0 * prior)
    # The fit converges to machine precision: a hair of room keeps these bounds.
    return SCALE * max(0.0, low - 1e-9), SCALE * min(1.0, high + 1e-9)


def prior_of(totals: VoteTotals, n_votes: int, vote_sum: int, m: float) -> float:
    """C for one scene: the mean of the catalogue's other current votes, started from
    VOTE_PRIOR as if from m votes. Leaving the scene's own votes out means a vote on it moves
    it only through its own votes: the way it was cast."""
    others = totals[0] - n_votes + m
    if others <= 0.0:
        return VOTE_PRIOR
    return (totals[1] - vote_sum + m * VOTE_PRIOR) / others


def compute(
    rows: Sequence[SceneTotals], totals: VoteTotals, params: RankParams
) -> Iterator[Computed]:
    """The one place scores are computed. For each row: quality, head-to-head value,
    popularity, the three parts, the score, BASE, DUEL_VAR, VIEW_VAR and the prior C, as a
    plain tuple: a large scope scores every scene, and one loop with the parameters in locals
    costs a fraction of a call and a dataclass per scene.

    The score is ``vote_part + duel_part + view_part`` in that order. ScopeRanker adds BASE
    and the learnt parts so as to get the same floats: a change to how parts are added must
    be made there too (tests/test_rank_top_n.py compares the two)."""
    m = params.m
    vote_share, duel_share, view_share = shares(params)
    log_ref = math.log10(1 + params.view_ref)
    duel_prior_part = DUEL_PRIOR * duel_share
    view_prior_part = popularity_of(params.view_prior, log_ref) * view_share
    count_all, sum_all = totals
    for row in rows:
        _key, n_votes, vote_sum, views, n_duels, strength = row
        if (
            n_votes < 0
            or not n_votes * MIN_VOTE <= vote_sum <= n_votes * MAX_VOTE
            or n_votes > count_all
            or n_duels < 0
            or (views is not None and views < 0)
            or (strength is not None and not 0.0 < strength < math.inf)
        ):
            raise bad_row(row, totals)
        others = count_all - n_votes + m
        prior = (sum_all - vote_sum + m * VOTE_PRIOR) / others if others > 0.0 else VOTE_PRIOR
        if n_votes:
            # WR = (sum + m*C)/(v + m), kept between the scene's mean R and C.
            mean = vote_sum / n_votes
            quality = (vote_sum + m * prior) / (n_votes + m)
            low, high = (mean, prior) if mean < prior else (prior, mean)
            quality = low if quality < low else high if quality > high else quality
        else:
            quality = prior
        vote_part = quality * vote_share
        if n_duels > 0:
            s = 1.0 if strength is None else strength
            duel_value = SCALE * (s / (s + 1.0))
            duel_part = duel_value * duel_share
            duel_base, duel_var = 0.0, duel_share
        else:
            duel_value, duel_part = DUEL_PRIOR, duel_prior_part
            duel_base, duel_var = duel_prior_part, 0.0
        if views is None:
            pop, view_part = popularity_of(params.view_prior, log_ref), view_prior_part
            view_base, view_var = view_prior_part, 0.0
        else:
            pop = popularity_of(views, log_ref)
            view_part = pop * view_share
            view_base, view_var = 0.0, view_share
        yield (
            quality,
            duel_value,
            pop,
            vote_part,
            duel_part,
            view_part,
            vote_part + duel_part + view_part,
            vote_part + duel_base + view_base,
            duel_var,
            view_var,
            prior,
        )


def parts_of(row: SceneTotals, computed: Computed, params: RankParams) -> ScoreParts:
    key, n_votes, vote_sum, views, n_duels, _strength = row
    quality, duel_value, pop, vote_part, duel_part, view_part, score = computed[:7]
    vote_share, duel_share, view_share = shares(params)
    return ScoreParts(
        key=key,
        quality=quality,
        duel_strength=duel_value,
        popularity=pop,
        n_votes=n_votes,
        n_duels=n_duels,
        latest_views=views,
        vote_part=vote_part,
        duel_part=duel_part,
        view_part=view_part,
        score=score,
        has_signal=bool(n_votes or n_duels or views is not None),
        vote_share=vote_share,
        duel_share=duel_share,
        view_share=view_share,
        vote_mean=vote_sum / n_votes if n_votes else None,
        prior=computed[PRIOR],
    )


def totals_of(rows: Sequence[SceneTotals]) -> VoteTotals:
    """The vote totals of ``rows`` (for a catalogue given whole); rejects a repeated key. The
    other checks of a row happen in :func:`compute`, which looks at every field anyway."""
    if len({row[0] for row in rows}) != len(rows):
        seen: set[str] = set()
        for row in rows:
            if row[0] in seen:
                raise ValueError(f"scene {row[0]!r} is given twice")
            seen.add(row[0])
    # Integer sums: exact, so C does not depend on the order of the votes.
    return sum(map(itemgetter(1), rows)), sum(map(itemgetter(2), rows))


def bad_row(row: SceneTotals, totals: VoteTotals | None = None) -> ValueError:
    key, n_votes, vote_sum, views, n_duels, strength = row
    if n_votes < 0 or not MIN_VOTE * n_votes <= vote_sum <= MAX_VOTE * n_votes:
        return ValueError(
            f"scene {key!r}: {n_votes} votes summing to {vote_sum!r} are not all in "
            f"{MIN_VOTE}..{MAX_VOTE}"
        )
    if totals is not None and n_votes > totals[0]:
        return ValueError(
            f"scene {key!r}: {n_votes} votes, more than the catalogue's {totals[0]} in all"
        )
    if views is not None and views < 0:
        return ValueError(f"scene {key!r}: negative view count {views!r}")
    if n_duels < 0:
        return ValueError(f"scene {key!r}: negative duel count {n_duels!r}")
    return ValueError(f"scene {key!r}: strength must be a positive number, got {strength!r}")


class ScoredScope:
    """A scored scope: the ranking order plus the parts of any scene on demand.

    Built by :func:`score_totals`. Building a :class:`ScoreParts` for every scene of a large
    scope would cost more than the whole SQL query, so only the scenes asked for get one.
    (A plain class: it is read, never compared or printed whole, and a frozen dataclass's
    generated methods cost every `rank` about 3 M instructions at start-up.)
    """

    def __init__(
        self,
        rows: Sequence[SceneTotals],
        params: RankParams,
        totals: VoteTotals,
        order: tuple[int, ...],  # indices into ``rows``, best first
    ) -> None:
        self.rows: Final = rows
        self.params: Final = params
        self.totals: Final = totals
        self.order: Final = order

    def parts(self, index: int) -> ScoreParts:
        row = self.rows[index]
        return parts_of(row, next(compute([row], self.totals, self.params)), self.params)

    def ranked(self, limit: int | None = None) -> list[ScoreParts]:
        chosen = self.order if limit is None else self.order[:limit]
        return [self.parts(i) for i in chosen]


def score_totals(
    rows: Sequence[SceneTotals], params: RankParams, totals: VoteTotals | None = None
) -> ScoredScope:
    """Score and rank a scope given in aggregated form (see :data:`SceneTotals`).

    ``totals`` are the whole catalogue's votes (default: those of ``rows``, a whole
    catalogue): a scene's score does not depend on which other scenes are in the scope.
    Best first: by score descending (scores equal to SCORE_DECIMALS places count as equal),
    then more votes, then more latest views (None counts as 0), then key. For scopes of any
    size: the caller aggregates votes (count and integer sum), picks the latest view count,
    counts duels and fits strengths with :func:`bradley_terry_counts` (over whole duel
    components, so the strengths are those of one fit of every duel).
    """
    found = totals_of(rows)
    if totals is None:
        totals = found
    # Sort by the rounded score alone (one integer per scene, cheap), then put any run of
    # equal scores in tie-break order: more votes, more views, key. Only the integers are kept:
    # a scope can hold a million scenes.
    scaled = [-rounded(c[SCORE]) for c in compute(rows, totals, params)]
    by_score = scaled.__getitem__
    ranked = sorted(range(len(rows)), key=by_score)
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
    return ScoredScope(rows, params, totals, tuple(ranked))
