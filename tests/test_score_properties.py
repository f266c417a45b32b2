"""Evidence moves a score the way it points (issue #22, docs/DESIGN.md section 5).

Catalogues are drawn at random (votes, view counts or none, duels between random scenes);
scores come from the same code `rank` uses (scoring.scores over a whole catalogue, strengths
from one Bradley-Terry fit of every duel). The bounds below are the ones DESIGN.md states.
"""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from scenecat.scoring.bradley_terry import bradley_terry_counts
from scenecat.scoring.params import RankParams, ScoreParts
from scenecat.scoring.scores import SceneTotals, score_totals

PARAMS = RankParams()
# A fitted strength converges to a relative tolerance; scores are compared to this.
FIT_TOLERANCE = 1e-9
# Float rounding of the score's few additions.
FLOAT = 1e-12

Votes = list[list[int]]
Duels = list[tuple[int, int]]


@st.composite
def catalogues(draw: st.DrawFn) -> tuple[Votes, list[int | None], Duels]:
    size = draw(st.integers(2, 12))
    votes = [
        draw(st.lists(st.integers(1, 10), max_size=draw(st.sampled_from([0, 0, 1, 3, 8]))))
        for _ in range(size)
    ]
    views = [draw(st.sampled_from([None, 0, 1_000, 100_000, 2_500_000, 10**9])) for _ in votes]
    pairs = st.tuples(st.integers(0, size - 1), st.integers(0, size - 1)).filter(
        lambda p: p[0] != p[1]
    )
    duels = draw(st.lists(pairs, max_size=15))
    return votes, views, duels


def key(i: int) -> str:
    return f"scene-{i:02d}"


def score_all(votes: Votes, views: list[int | None], duels: Duels) -> dict[str, ScoreParts]:
    counts = Counter((key(w), key(lost)) for w, lost in duels)
    strengths = bradley_terry_counts(dict(counts), PARAMS.bt_prior) if counts else {}
    n_duels = Counter(key(i) for pair in duels for i in pair)
    rows: list[SceneTotals] = [
        (key(i), len(v), sum(v), views[i], n_duels[key(i)], strengths.get(key(i)))
        for i, v in enumerate(votes)
    ]
    scored = score_totals(rows, PARAMS)
    return {rows[i][0]: scored.parts(i) for i in range(len(rows))}


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(catalogues(), st.data())
def test_a_won_duel_never_lowers_the_winner_nor_raises_the_loser(
    catalogue: tuple[Votes, list[int | None], Duels], data: st.DataObject
) -> None:
    votes, views, duels = catalogue
    winner = data.draw(st.integers(0, len(votes) - 1))
    loser = data.draw(st.integers(0, len(votes) - 1).filter(lambda i: i != winner))
    before = score_all(votes, views, duels)
    after = score_all(votes, views, [*duels, (winner, loser)])
    assert after[key(winner)].score >= before[key(winner)].score - FIT_TOLERANCE
    assert after[key(loser)].score <= before[key(loser)].score + FIT_TOLERANCE


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(catalogues(), st.data(), st.integers(1, 10))
def test_a_vote_moves_its_scene_the_way_it_was_cast(
    catalogue: tuple[Votes, list[int | None], Duels], data: st.DataObject, vote: int
) -> None:
    votes, views, duels = catalogue
    target = data.draw(st.integers(0, len(votes) - 1))
    before = score_all(votes, views, duels)[key(target)]
    voted = [list(v) for v in votes]
    voted[target].append(vote)
    after = score_all(voted, views, duels)[key(target)]
    # Above the scene's fan quality: never lower; below: never higher; the change is the
    # documented one, (vote - WR)/(v + m + 1) of the quality, times the vote share.
    if vote > before.quality:
        assert after.score >= before.score - FLOAT
    elif vote < before.quality:
        assert after.score <= before.score + FLOAT
    expected = (vote - before.quality) / (before.n_votes + PARAMS.m + 1) * before.vote_share
    assert after.score - before.score == pytest.approx(expected, abs=1e-9)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(catalogues(), st.data())
def test_a_vote_at_the_mean_barely_moves_anything(
    catalogue: tuple[Votes, list[int | None], Duels], data: st.DataObject
) -> None:
    votes, views, duels = catalogue
    unvoted = [i for i, v in enumerate(votes) if not v]
    assume(unvoted)
    target = data.draw(st.sampled_from(unvoted))
    before = score_all(votes, views, duels)
    vote = round(before[key(target)].prior)  # C, as a vote can be: a whole number
    voted = [list(v) for v in votes]
    voted[target].append(vote)
    after = score_all(voted, views, duels)
    share, m = before[key(target)].vote_share, PARAMS.m
    # The scene voted on: at most half a point from C, shrunk by m + 1.
    assert abs(after[key(target)].score - before[key(target)].score) <= (
        share * 0.5 / (m + 1) + FLOAT
    )
    # Every other scene: only through its C, at most 0.6 * 9 / (N + 1) for N votes.
    n_all = sum(map(len, votes))
    for i in range(len(votes)):
        if i != target:
            moved = abs(after[key(i)].score - before[key(i)].score)
            assert moved <= share * 9 / (n_all + 1) + FLOAT


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(catalogues(), st.integers(1, 10), st.sampled_from([None, 0, 50_000, 3_000_000]))
def test_an_unvoted_scene_never_outranks_its_twin_with_a_vote_above_the_mean(
    catalogue: tuple[Votes, list[int | None], Duels], vote: int, seen: int | None
) -> None:
    votes, views, duels = catalogue
    # Two twins at the end, same views, no duels; only B is voted on.
    a, b = len(votes), len(votes) + 1
    votes = [*votes, [], [vote]]
    views = [*views, seen, seen]
    parts = score_all(votes, views, duels)
    assume(vote > parts[key(a)].prior)  # above C (after the vote: C of the unvoted twin)
    assert parts[key(b)].score >= parts[key(a)].score
    counts = Counter((key(w), key(lost)) for w, lost in duels)
    strengths = bradley_terry_counts(dict(counts), PARAMS.bt_prior) if counts else {}
    n_duels = Counter(key(i) for pair in duels for i in pair)
    rows: list[SceneTotals] = [
        (key(i), len(v), sum(v), views[i], n_duels[key(i)], strengths.get(key(i)))
        for i, v in enumerate(votes)
    ]
    order = [rows[i][0] for i in score_totals(rows, PARAMS).order]
    assert order.index(key(b)) < order.index(key(a))


def test_missing_evidence_is_the_prior_not_a_dropped_part() -> None:
    # Every part counts for every scene with its weight: a scene with nothing scores the
    # three priors, 0.6*C + 0.2*5 + 0.2*popularity(100,000 views).
    parts = score_all([[9, 9], []], [None, None], [])
    empty = parts[key(1)]
    # C of the unvoted scene: (18 + 5*5.5)/(2 + 5) = 45.5/7 = 6.5.
    assert empty.prior == pytest.approx(6.5)
    assert empty.quality == pytest.approx(6.5)
    assert empty.duel_strength == 5.0
    # 10*log10(100,001)/log10(10,000,001) = 10*5.0000043/7.0000000434 = 7.1428633...
    assert empty.popularity == pytest.approx(7.142863302717, abs=1e-9)
    assert empty.score == pytest.approx(0.6 * 6.5 + 0.2 * 5.0 + 0.2 * 7.142863302717)
    assert (empty.vote_share, empty.duel_share, empty.view_share) == pytest.approx((0.6, 0.2, 0.2))
    assert not empty.has_signal and parts[key(0)].has_signal


def test_a_first_won_duel_raises_a_well_voted_popular_scene() -> None:
    # The example: 4 votes of 9 and 1.85M views dropped from 8.63 to 8.48 when it won
    # its first duel, because the duel part replaced part of the vote and view weight.
    votes: Votes = [[9, 9, 9, 9], [7, 8], [6]]
    views: list[int | None] = [1_850_000, 400_000, None]
    before = score_all(votes, views, [])[key(0)].score
    after = score_all(votes, views, [(0, 1)])[key(0)].score
    assert after > before
