"""What a ranking is set with and what it gives per scene: the settable parameters
(:class:`RankParams`, checked when made), how one scene's score was made (:class:`ScoreParts`),
and the scales votes and scores lie on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

#: Vote scores a scene can have (a row's vote sum is checked against them).
MIN_VOTE = 1
MAX_VOTE = 10
#: Every part and every score lies in 0..SCALE.
SCALE = 10.0

MIN_WEIGHT = 1e-6


def check_finite(name: str, value: float, *, minimum: float = 0.0, strict: bool = False) -> None:
    if not math.isfinite(value) or value < minimum or (strict and value == minimum):
        bound = ">" if strict else ">="
        raise ValueError(f"{name} must be a finite number {bound} {minimum:g}, got {value!r}")


@dataclass(frozen=True)
class RankParams:
    """Settable ranking parameters (printed by ``rank --explain``)."""

    m: float = 5.0  # Bayesian prior weight in votes (--min-votes)
    w_votes: float = 0.6  # weights of the three parts: every scene has all three
    w_duels: float = 0.2
    w_views: float = 0.2
    # Virtual wins AND losses against a reference scene of strength 1: every duel counts with
    # its full weight, so one won duel should move the head-to-head value a little (5 -> 5.6),
    # not settle it; it also bounds a scene's value by its number of duels (scores.duel_range).
    bt_prior: float = 3.0
    view_ref: int = 10_000_000  # views that score 10/10 on the log scale (fixed, not per query)
    # What a scene without a view count is scored as: a modest official clip. A count is
    # evidence; its absence is this prior, never 0 and never the best.
    view_prior: int = 100_000

    def __post_init__(self) -> None:
        check_finite("m", self.m)
        check_finite("w_votes", self.w_votes)
        check_finite("w_duels", self.w_duels)
        check_finite("w_views", self.w_views)
        for name in ("w_votes", "w_duels", "w_views"):
            weight = getattr(self, name)
            # Subnormal weights underflow in the blend (w * n/(n+k) -> 0 or a lone ulp) and
            # would make the parts meaningless; nobody means a weight of 1e-300.
            if 0.0 < weight < MIN_WEIGHT:
                raise ValueError(f"{name} must be 0 or at least {MIN_WEIGHT:g}, got {weight!r}")
        check_finite("bt_prior", self.bt_prior, strict=True)
        if self.view_ref < 1:
            raise ValueError(f"view_ref must be at least 1, got {self.view_ref!r}")
        if self.view_prior < 0:
            raise ValueError(f"view_prior must be 0 or more, got {self.view_prior!r}")

    @property
    def is_default(self) -> bool:
        """Whether these give the catalogue's own scores (anything else is a what-if):
        weights count by their shares, so 1.2/0.4/0.4 is the default 0.6/0.2/0.2."""
        total = self.w_votes + self.w_duels + self.w_views
        default = DEFAULT_PARAMS
        return total > 0 and (
            self.m,
            self.bt_prior,
            self.view_ref,
            self.view_prior,
            self.w_votes / total,
            self.w_duels / total,
            self.w_views / total,
        ) == (
            default.m,
            default.bt_prior,
            default.view_ref,
            default.view_prior,
            default.w_votes,
            default.w_duels,
            default.w_views,
        )


#: The vote every catalogue's prior mean starts from (the middle of MIN_VOTE..MAX_VOTE), as if
#: from m votes: with no votes anywhere C is this.
VOTE_PRIOR = (MIN_VOTE + MAX_VOTE) / 2
#: The head-to-head value of a scene without duels: even odds against an average scene.
DUEL_PRIOR = SCALE / 2


DEFAULT_PARAMS = RankParams()


class ScoreParts(NamedTuple):
    """How one scene's score was made (for ``--explain``, ``--why`` and ``--json``). Every part
    counts with its full share; a part without evidence holds its prior value.

    A named tuple rather than a frozen dataclass: as immutable and compared by value, and
    defined at import for about 3 M instructions instead of 9 M (a frozen dataclass compiles
    six methods), which every `rank` paid."""

    key: str
    quality: float  # Bayesian average on 0..10 (the prior C without votes)
    duel_strength: float  # 10 * P(beats a reference scene of strength 1); DUEL_PRIOR: no duels
    popularity: float  # 0..10 log scale; the view prior's without a count
    n_votes: int
    n_duels: int
    latest_views: int | None
    vote_part: float  # contribution of each part to the final score
    duel_part: float
    view_part: float
    score: float  # == vote_part + duel_part + view_part (exactly, by construction)
    has_signal: bool  # False when the scene has no votes, duels or view count: priors only
    vote_share: float = 0.0  # the weight of each part over the three weights (sum 1)
    duel_share: float = 0.0
    view_share: float = 0.0
    vote_mean: float | None = None  # R, the plain mean of the scene's own votes
    prior: float = VOTE_PRIOR  # C, the mean vote this scene's votes are shrunk toward
