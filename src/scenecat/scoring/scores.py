"""The combined score of every scene of a scope: the parts (fan quality, head-to-head strength,
popularity), their shares, and the ranking order with its tie-breaks (:func:`score_totals`).
:func:`compute` is the one place scores are computed; top_n.py adds the same parts in the
same order.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Final

from scenecat.scoring.params import MAX_VOTE, MIN_VOTE, SCALE, RankParams, ScoreParts

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


Computed = tuple[
    float | None, float | None, float | None, float, float, float, float, bool, float, float, float
]
# Positions in a Computed tuple that code outside compute reads.
VOTE_PART: Final = 3
SCORE: Final = 6
SIGNAL: Final = 7
DUEL_SHARE: Final = 9
VIEW_SHARE: Final = 10


def rounded(score: float) -> int:
    # The integer scores are sorted on: the score at SCORE_DECIMALS, rounded half up.
    return int(score * _QUANTUM + 0.5)


def popularity_of(views: int, log_ref: float) -> float:
    """Log views against the reference, 0..SCALE: the view value of every score."""
    pop = SCALE * (math.log10(1 + views) / log_ref)
    return SCALE if pop > SCALE else 0.0 if pop < 0.0 else pop


def compute(
    rows: Sequence[SceneTotals], prior_mean: float | None, params: RankParams
) -> Iterator[Computed]:
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
            raise bad_row(row)
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
        pop = None if views is None else popularity_of(views, log_ref)
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


def parts_of(row: SceneTotals, computed: Computed) -> ScoreParts:
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
    checks of a row happen in :func:`compute`, which looks at every field anyway."""
    if len({row[0] for row in rows}) != len(rows):
        seen: set[str] = set()
        for row in rows:
            if row[0] in seen:
                raise ValueError(f"scene {row[0]!r} is given twice")
            seen.add(row[0])
    n_all = sum(map(itemgetter(1), rows))
    # Integer sums: exact, so C does not depend on the order of the votes.
    return sum(map(itemgetter(2), rows)) / n_all if n_all else None


def bad_row(row: SceneTotals) -> ValueError:
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
        return parts_of(row, next(compute([row], self.prior_mean, self.params)))

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
    for i, c in enumerate(compute(rows, prior_mean, params)):
        scaled.append(-rounded(c[SCORE]))
        (ranked if c[SIGNAL] else tail).append(i)
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
