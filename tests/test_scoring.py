"""Tests for scenecat.scoring: hand-computed numbers, an independent fit, and properties."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenecat.scoring.bradley_terry import bradley_terry_counts
from scenecat.scoring.params import DUEL_PRIOR, VOTE_PRIOR, RankParams, ScoreParts
from scenecat.scoring.scores import score_totals


@dataclass(frozen=True)
class Duel:
    """One head-to-head answer as a reader states it (the program stores duels as rows and
    fits their aggregated counts)."""

    winner: str
    loser: str


def bradley_terry(
    duels: Sequence[Duel], prior: float = 1.0, iterations: int = 100
) -> dict[str, float]:
    """The live fit, bradley_terry_counts, on a readable list of duels."""
    counts: dict[tuple[str, str], int] = {}
    for duel in duels:
        pair = (duel.winner, duel.loser)
        counts[pair] = counts.get(pair, 0) + 1
    return bradley_terry_counts(counts, prior, iterations)


def popularity(views: int | None, ref: int) -> float:
    """The popularity part the live path gives a scene with only `views` (None: no count)."""
    return score_totals([("a", 0, 0, views, 0, None)], RankParams(view_ref=ref)).parts(0).popularity


# The popularity of a scene without a view count: that of view_prior = 100,000 views,
# 10 * log10(100001) / log10(10000001) = 10 * 5.000004342923105 / 7.000000043429446
# = 7.142863302717208 (its part at the default weight 0.2: 1.4285726605434417).
POP_PRIOR = 10 * math.log10(100_001) / math.log10(10_000_001)


# Two items, A beat B once, prior 1. The problem is symmetric under A<->B with s -> 1/s (the
# reference has strength 1), so s_B = 1/s_A. A's stationarity condition "wins = expected wins",
#   W_A + prior = 2 = s_A/(s_A+s_B) + 2*s_A/(s_A+1), with s_A = x and s_B = 1/x, is
#   x^2/(x^2+1) + 2x/(x+1) = 2  <=>  x^3 - x^2 - 2 = 0
# (B's condition gives the same cubic). Its real root, by Cardano with x = t + 1/3
# (t^3 - t/3 - 56/27 = 0), is x = (1 + cbrt(28 + sqrt(783)) + cbrt(28 - sqrt(783))) / 3.
TWO_ITEM_ROOT = (1 + (28 + math.sqrt(783)) ** (1 / 3) + (28 - math.sqrt(783)) ** (1 / 3)) / 3
# = 1.6956207695598648; duel values 10*x/(x+1) = 6.2902793623923685 and 10/(x+1).
# The same with the default prior, 3 virtual wins and losses:
#   W_A + 3 = 4 = x^2/(x^2+1) + 6x/(x+1)  <=>  3x^3 - 3x^2 + 2x - 4 = 0,
# x = t + 1/3 with t^3 + t/3 - 32/27 = 0: x = (1 + cbrt(16 + sqrt(257)) + cbrt(16 - sqrt(257)))/3
# (16 - sqrt(257) < 0: its real cube root is negative).
TWO_ITEM_ROOT_3 = (1 + (16 + math.sqrt(257)) ** (1 / 3) - (math.sqrt(257) - 16) ** (1 / 3)) / 3
# = 1.2869854429890042; duel values with the default prior: 10*x/(x+1) and 10/(x+1).
TWO_ITEM_WINNER = 5.627431722114341
TWO_ITEM_LOSER = 4.372568277885659


@dataclass(frozen=True)
class SceneSignals:
    """One scene's signals as a reader thinks of them; `_totals` aggregates them the way the
    rank queries do (storage/rank_queries.py), for the live scoring path, `score_totals`."""

    key: str
    votes: tuple[int, ...]  # current vote scores (1..10), one per voter
    latest_views: int | None


def _sig(key: str, votes: tuple[int, ...] = (), views: int | None = None) -> SceneSignals:
    return SceneSignals(key=key, votes=votes, latest_views=views)


def _by_key(parts: list[ScoreParts]) -> dict[str, ScoreParts]:
    return {p.key: p for p in parts}


def score_scenes(
    signals: Sequence[SceneSignals], duels: Sequence[Duel], params: RankParams
) -> list[ScoreParts]:
    """Every scene's parts, in the order given, from the live path."""
    scored = score_totals(_totals(signals, duels, params.bt_prior), params)
    return [scored.parts(i) for i in range(len(signals))]


def ranked(
    signals: Sequence[SceneSignals], duels: Sequence[Duel], params: RankParams
) -> list[ScoreParts]:
    """The scope best first, from the live path."""
    return score_totals(_totals(signals, duels, params.bt_prior), params).ranked()


# --------------------------------------------------------------------------- bayesian average


def test_bayesian_fifty_nines_beat_one_ten_in_a_realistic_scope() -> None:
    # Catalogue: "one" has a single 10, "fifty" has fifty 9s, "rest" has forty-nine 5s:
    # 100 votes summing to 10 + 450 + 245 = 705; m = 5. Each scene's C is the mean of the
    # OTHER scenes' votes, started from 5.5 as if from m votes:
    # C(one)   = (705 - 10  + 5*5.5)/(100 - 1  + 5) = 722.5/104 = 6.947115...
    # C(fifty) = (705 - 450 + 5*5.5)/(100 - 50 + 5) = 282.5/55  = 5.136363...
    # C(rest)  = (705 - 245 + 5*5.5)/(100 - 49 + 5) = 487.5/56  = 8.705357...
    scope = [_sig("one", (10,)), _sig("fifty", (9,) * 50), _sig("rest", (5,) * 49)]
    parts = _by_key(score_scenes(scope, [], RankParams(m=5.0)))
    assert parts["one"].prior == pytest.approx(722.5 / 104, abs=1e-12)
    assert parts["fifty"].prior == pytest.approx(282.5 / 55, abs=1e-12)
    assert parts["rest"].prior == pytest.approx(487.5 / 56, abs=1e-12)
    # WR(one)   = (10  + 5*722.5/104)/(1 + 5)  = (1040 + 3612.5)/104/6  = 4652.5/624   = 7.455929...
    # WR(fifty) = (450 + 5*282.5/55)/(50 + 5)  = (24750 + 1412.5)/55/55 = 26162.5/3025 = 8.648760...
    # WR(rest)  = (245 + 5*487.5/56)/(49 + 5)  = (13720 + 2437.5)/56/54 = 16157.5/3024 = 5.343088...
    # (each between its own mean and its C, so the clamp does not act)
    assert parts["one"].quality == pytest.approx(4652.5 / 624, abs=1e-12)
    assert parts["fifty"].quality == pytest.approx(26162.5 / 3025, abs=1e-12)
    assert parts["rest"].quality == pytest.approx(16157.5 / 3024, abs=1e-12)
    assert [p.key for p in ranked(scope, [], RankParams(m=5.0))] == ["fifty", "one", "rest"]


def test_bayesian_scores_do_not_depend_on_the_scope() -> None:
    # Ranking only "one" and "fifty" of the catalogue above (its totals given: 100 votes
    # summing to 705): each keeps its C and its fan quality, so the fifty 9s still come
    # first. (Before one score per scene, C was the scope's mean, 460/51 = 9.0196, and the
    # single 10 won inside this scope.)
    catalogue = [_sig("one", (10,)), _sig("fifty", (9,) * 50), _sig("rest", (5,) * 49)]
    whole = _by_key(score_scenes(catalogue, [], RankParams()))
    rows = _totals(catalogue[:2], [], 1.0)
    for m in (5.0, 50.0, 5000.0):
        params = RankParams(m=m)
        everywhere = _by_key(score_scenes(catalogue, [], params))
        scoped = score_totals(rows, params, (100, 705))
        assert [p.key for p in scoped.ranked()] == ["fifty", "one"]
        for p in scoped.ranked():
            assert p == everywhere[p.key]
    assert scoped.totals == (100, 705)
    # Without the catalogue's totals, the rows are the catalogue: two scenes and 51 votes
    # summing to 460. m = 5:
    # C(one)   = (460 - 10 + 27.5)/(51 - 1 + 5) = 477.5/55 = 8.681818...;
    #   WR(one) = (10 + 5*477.5/55)/6 = (550 + 2387.5)/55/6 = 2937.5/330 = 8.901515...
    # C(fifty) = (460 - 450 + 27.5)/(51 - 50 + 5) = 37.5/6 = 6.25;
    #   WR(fifty) = (450 + 5*6.25)/55 = 481.25/55 = 8.75
    # With only two scenes each one's C is the other's few votes: the single 10 is compared
    # with fifty 9s and 5.5s, so it comes first. A different catalogue, a different answer;
    # the same catalogue, the same answer in every scope.
    alone = _by_key(score_totals(rows, RankParams()).ranked())
    assert alone["one"].quality == pytest.approx(2937.5 / 330, abs=1e-12)
    assert alone["fifty"].quality == pytest.approx(481.25 / 55, abs=1e-12)
    assert whole["fifty"].quality != alone["fifty"].quality


def _quality(scope: list[SceneSignals], m: float, key: str = "x") -> float:
    return _by_key(score_scenes(scope, [], RankParams(m=m)))[key].quality


def test_bayesian_edge_cases() -> None:
    # v == 0 -> C, the other scenes' votes started from 5.5 as if from m votes:
    # (6 + 9 + 5*5.5)/(2 + 5) = 42.5/7 = 6.071428...
    assert _quality([_sig("x"), _sig("y", (6, 9))], 5.0) == pytest.approx(42.5 / 7, abs=1e-12)
    # m == 0 -> the plain mean (C = 10, the other scene's vote, gets no weight)
    assert _quality([_sig("x", (4, 8)), _sig("y", (10,))], 0.0) == 6.0
    # v = 2, R = 6, m = 2: C = (10 + 10 + 2*5.5)/(2 + 2) = 31/4 = 7.75;
    # WR = (12 + 2*7.75)/(2 + 2) = 27.5/4 = 6.875
    assert _quality([_sig("x", (4, 8)), _sig("y", (10, 10))], 2.0) == pytest.approx(
        6.875, abs=1e-12
    )
    # No other votes: C = 5.5 (from m votes of 5.5); seven 10s, m = 5.3:
    # (70 + 5.3*5.5)/(7 + 5.3) = 99.15/12.3 = 8.060975...
    quality = _quality([_sig("x", (10,) * 7)], 5.3)
    assert quality == pytest.approx(99.15 / 12.3, abs=1e-12)
    assert quality <= 10.0  # between R and C
    # m == 0 and no other vote: C's denominator is 0, so C is 5.5.
    assert _quality([_sig("x"), _sig("y")], 0.0) == VOTE_PRIOR == 5.5
    assert _quality([_sig("x", (3,))], 0.0) == 3.0  # its own mean; C = 5.5 gets no weight
    with pytest.raises(ValueError):
        RankParams(m=-1.0)


def test_catalogue_without_votes_scores_every_quality_at_five_and_a_half() -> None:
    # No votes anywhere: C = (0 + 5*5.5)/(0 + 5) = 5.5 for every scene; every part counts
    # with its weight (0.6, 0.2, 0.2), the missing ones at their priors.
    parts = _by_key(score_scenes([_sig("a", views=1000), _sig("b")], [], RankParams()))
    assert parts["a"].quality == parts["b"].quality == 5.5
    assert parts["a"].prior == parts["b"].prior == 5.5
    assert parts["a"].has_signal and not parts["b"].has_signal
    # a: 5.5*0.6 + 5*0.2 + 0.2 * 10*log10(1001)/log10(10000001)
    #  = 3.3 + 1.0 + 0.2*4.286334369805723 = 3.3 + 1.0 + 0.8572668739611446 = 5.157266873961145
    assert parts["a"].vote_part == pytest.approx(3.3, abs=1e-12)
    assert parts["a"].duel_part == pytest.approx(1.0, abs=1e-12)
    assert parts["a"].score == pytest.approx(5.157266873961145, abs=1e-12)
    # b: no view count, the view prior: 3.3 + 1.0 + 0.2*7.142863302717208 = 5.728572660543442
    assert parts["b"].popularity == pytest.approx(POP_PRIOR, abs=1e-12)
    assert parts["b"].score == pytest.approx(5.728572660543442, abs=1e-12)
    # 1,000 views are evidence of a less watched clip than the 100,000 assumed without one.
    assert [p.key for p in ranked([_sig("a", views=1000), _sig("b")], [], RankParams())] == [
        "b",
        "a",
    ]


def test_unvoted_scene_gets_the_catalogue_prior_as_quality() -> None:
    # "c" has no votes: its C is the other votes, (6 + 8 + 5*5.5)/(2 + 5) = 41.5/7 = 5.928571...
    parts = _by_key(
        score_scenes(
            [_sig("a", (6,)), _sig("b", (8,)), _sig("c", views=10_000_000)], [], RankParams()
        )
    )
    assert parts["c"].quality == pytest.approx(41.5 / 7, abs=1e-12)
    assert parts["c"].prior == parts["c"].quality
    assert parts["c"].has_signal
    # shares 0.6, 0.2, 0.2 as for every scene: 41.5/7*0.6 + 5*0.2 + 10*0.2
    # = 24.9/7 + 1 + 2 = 3.557142... + 3 = 45.9/7 = 6.557142...
    assert parts["c"].vote_part == pytest.approx(24.9 / 7, abs=1e-12)
    assert parts["c"].duel_part == pytest.approx(1.0, abs=1e-12)
    assert parts["c"].view_part == pytest.approx(2.0, abs=1e-12)
    assert parts["c"].score == pytest.approx(45.9 / 7, abs=1e-12)


# --------------------------------------------------------------------------- Bradley-Terry


def test_bradley_terry_two_items_closed_form() -> None:
    s = bradley_terry([Duel("A", "B")], prior=1.0)
    assert math.isclose(TWO_ITEM_ROOT, 1.6956207695598648, abs_tol=1e-12)
    assert s["A"] == pytest.approx(TWO_ITEM_ROOT, abs=1e-6)
    assert s["B"] == pytest.approx(1 / TWO_ITEM_ROOT, abs=1e-6)  # 0.5897545123...
    assert s["A"] * s["B"] == pytest.approx(1.0, abs=1e-6)
    s = bradley_terry([Duel("A", "B")], prior=3.0)
    assert math.isclose(TWO_ITEM_ROOT_3, 1.2869854429890042, abs_tol=1e-12)
    assert s["A"] == pytest.approx(TWO_ITEM_ROOT_3, abs=1e-6)
    assert s["B"] == pytest.approx(1 / TWO_ITEM_ROOT_3, abs=1e-6)
    x = TWO_ITEM_ROOT_3
    assert (10 * x / (x + 1), 10 / (x + 1)) == pytest.approx((TWO_ITEM_WINNER, TWO_ITEM_LOSER))


def _map_by_gradient_ascent(
    duels: list[tuple[str, str]], items: list[str], prior: float
) -> dict[str, float]:
    """Independent check: maximise the log-posterior over theta = log(strength).

    log L = sum over duels of log sigmoid(theta_w - theta_l)
          + prior * sum over items of [log sigmoid(theta_i) + log sigmoid(-theta_i)]
    (the prior = `prior` wins and `prior` losses against a reference with theta = 0).
    """

    def sigmoid(z: float) -> float:
        return 1.0 / (1.0 + math.exp(-z))

    theta = dict.fromkeys(items, 0.0)
    for _ in range(200_000):
        grad = {i: prior * (1.0 - 2.0 * sigmoid(theta[i])) for i in items}
        for w, loser in duels:
            p_upset = 1.0 - sigmoid(theta[w] - theta[loser])
            grad[w] += p_upset
            grad[loser] -= p_upset
        for i in items:
            theta[i] += 0.1 * grad[i]
        if max(abs(g) for g in grad.values()) < 1e-12:
            break
    return {i: math.exp(t) for i, t in theta.items()}


def test_bradley_terry_three_items_matches_gradient_ascent() -> None:
    pairs = [("A", "B"), ("A", "B"), ("B", "C"), ("C", "A"), ("A", "C"), ("B", "C")]
    expected = _map_by_gradient_ascent(pairs, ["A", "B", "C"], prior=1.0)
    got = bradley_terry([Duel(w, loser) for w, loser in pairs], prior=1.0)
    assert set(got) == {"A", "B", "C"}
    for key in "ABC":
        assert got[key] == pytest.approx(expected[key], abs=1e-4)
    assert got["A"] > got["B"] > got["C"]  # 3 wins > 2 wins > 1 win


def test_bradley_terry_unbeaten_and_winless_stay_finite() -> None:
    s = bradley_terry([Duel("A", "B")] * 20, prior=1.0)
    assert 1.0 < s["A"] < math.inf
    assert 0.0 < s["B"] < 1.0


def test_bradley_terry_ignores_self_duels_and_validates() -> None:
    assert bradley_terry([Duel("A", "A")]) == {}
    assert bradley_terry([]) == {}
    with_self = bradley_terry([Duel("A", "B"), Duel("B", "B")])
    assert with_self == bradley_terry([Duel("A", "B")])
    with pytest.raises(ValueError):
        bradley_terry([Duel("A", "B")], prior=0.0)
    with pytest.raises(ValueError):
        bradley_terry([Duel("A", "B")], iterations=0)


def test_duels_against_scenes_outside_the_scope_count() -> None:
    # "a" beat "z", which is not in the scope: same fit as the two-item case above (default
    # prior, 3).
    parts = score_scenes([_sig("a", views=5)], [Duel("a", "z")], RankParams())
    assert [p.key for p in parts] == ["a"]
    assert parts[0].n_duels == 1
    assert parts[0].duel_strength == pytest.approx(TWO_ITEM_WINNER, abs=1e-6)


# --------------------------------------------------------------------------- popularity


def test_popularity_values() -> None:
    ref = 10_000_000
    # No count: the view prior's, 100,000 views (POP_PRIOR = 7.142863302717208)
    assert popularity(None, ref) == pytest.approx(POP_PRIOR, abs=1e-12)
    assert popularity(100_000, ref) == popularity(None, ref)
    assert popularity(0, ref) == 0.0  # log10(1) = 0: a count of 0 is evidence, not the prior
    assert popularity(ref, ref) == 10.0
    # 10 * log10(1001) / log10(10000001) = 10 * 3.000434077479319 / 7.000000043429446
    assert popularity(1_000, ref) == pytest.approx(4.286334369805723, abs=1e-12)
    assert popularity(ref * 50, ref) == 10.0  # clipped above ref
    # The prior is a number of views, so it moves with the reference like any count:
    # 10 * log10(100001) / log10(1001) = 10 * 5.000004342923105 / 3.000434077479319
    assert popularity(None, 1_000) == 10.0  # clipped: 100,000 views are past a 1,000 reference
    assert popularity(None, 10**9) == pytest.approx(10 * 5.000004342923105 / 9.000000000434294)
    with pytest.raises(ValueError):
        popularity(-1, ref)
    with pytest.raises(ValueError):
        popularity(5, 0)


# --------------------------------------------------------------------------- combined score


def test_combined_score_hand_computed() -> None:
    # a: votes 8, 10; 10,000,000 views; beat b once.   b: vote 6; no views.
    parts = _by_key(
        score_scenes(
            [_sig("a", (8, 10), 10_000_000), _sig("b", (6,))], [Duel("a", "b")], RankParams()
        )
    )
    a, b = parts["a"], parts["b"]
    # The catalogue: 3 votes summing to 24; m = 5.
    # C(a) = (24 - 18 + 5*5.5)/(3 - 2 + 5) = 33.5/6 = 5.583333...;
    #   quality a = (18 + 5*33.5/6)/(2 + 5) = (108 + 167.5)/6/7 = 275.5/42 = 6.559523...
    # C(b) = (24 - 6 + 5*5.5)/(3 - 1 + 5) = 45.5/7 = 6.5;
    #   quality b = (6 + 5*6.5)/(1 + 5) = 38.5/6 = 6.416666... (between its 6 and C)
    assert a.prior == pytest.approx(33.5 / 6, abs=1e-12)
    assert b.prior == pytest.approx(6.5, abs=1e-12)
    assert a.quality == pytest.approx(275.5 / 42, abs=1e-12)
    assert b.quality == pytest.approx(38.5 / 6, abs=1e-12)
    assert a.duel_strength == pytest.approx(TWO_ITEM_WINNER, abs=1e-6)
    assert b.duel_strength == pytest.approx(TWO_ITEM_LOSER, abs=1e-6)
    assert a.popularity == 10.0 and b.popularity == pytest.approx(POP_PRIOR, abs=1e-12)
    # Every scene's shares are the weights over their sum, 0.6/0.2/0.2, whatever it has.
    for p in (a, b):
        assert (p.vote_share, p.duel_share, p.view_share) == pytest.approx((0.6, 0.2, 0.2))
    # a: vote 275.5/42 * 0.6 = 165.3/42 = 3.935714...; duel 5.627431... * 0.2 = 1.125486...;
    #    views 10 * 0.2 = 2; score = 3.935714... + 1.125486... + 2 = 7.061200...
    assert a.vote_part == pytest.approx(165.3 / 42, abs=1e-12)
    assert a.duel_part == pytest.approx(1.1254863444228682, abs=1e-7)
    assert a.view_part == pytest.approx(2.0, abs=1e-12)
    assert a.score == pytest.approx(7.061201, abs=1e-6)
    # b: vote 38.5/6 * 0.6 = 3.85; duel 4.372568... * 0.2 = 0.874513...;
    #    views (no count) 7.142863... * 0.2 = 1.428572...; score = 6.153086...
    assert b.vote_part == pytest.approx(3.85, abs=1e-12)
    assert b.duel_part == pytest.approx(0.8745136555771318, abs=1e-7)
    assert b.view_part == pytest.approx(1.4285726605434417, abs=1e-12)
    assert b.score == pytest.approx(6.153086, abs=1e-6)
    assert (a.n_votes, a.n_duels, a.latest_views) == (2, 1, 10_000_000)
    scope = [_sig("b", (6,)), _sig("a", (8, 10), 10_000_000)]
    assert [p.key for p in ranked(scope, [Duel("a", "b")], RankParams())] == ["a", "b"]


def test_duel_share_is_the_same_with_one_duel_or_many() -> None:
    # The duel part counts with its whole weight from the first duel on (no blend by the
    # number of duels), and without duels it holds the prior: 5 * 0.2 = 1.
    # "a" alone: no votes (C = 5.5) and no view count (the view prior).
    none = _by_key(score_scenes([_sig("a")], [], RankParams()))["a"]
    assert none.duel_strength == DUEL_PRIOR == 5.0 and none.duel_part == pytest.approx(1.0)
    one = _by_key(score_scenes([_sig("a")], [Duel("a", "z")], RankParams()))["a"]
    # 5.5*0.6 + 5.627431...*0.2 + 7.142863...*0.2 = 3.3 + 1.125486... + 1.428572... = 5.854059...
    assert one.score == pytest.approx(3.3 + 0.2 * TWO_ITEM_WINNER + 0.2 * POP_PRIOR, abs=1e-9)
    assert one.score == pytest.approx(5.854059, abs=1e-6)
    for n in (1, 3, 10):
        parts = score_scenes([_sig("a", views=0)], [Duel("a", "z")] * n, RankParams())[0]
        assert parts.duel_share == pytest.approx(0.2, abs=1e-12)
        assert parts.duel_part == pytest.approx(parts.duel_strength * 0.2, abs=1e-12)
        # the rest of the score does not move with the number of duels: 3.3 + 0
        assert parts.score - parts.duel_part == pytest.approx(3.3, abs=1e-12)


def test_a_part_whose_weight_is_zero_does_not_count() -> None:
    # w_views = 0 (as with --method votes|duels): shares 0.6/0.8 = 0.75, 0.2/0.8 = 0.25, 0.
    # A view count, or none, adds nothing; the popularity is still shown.
    params = RankParams(w_views=0.0)
    scores = set()
    for seen in (None, 0, 1000, 10**9):
        b = score_scenes([_sig("b", views=seen)], [], params)[0]
        assert b.view_share == 0.0 and b.view_part == 0.0
        assert b.has_signal == (seen is not None)
        # no votes anywhere: 5.5*0.75 + 5*0.25 + 0 = 4.125 + 1.25 = 5.375
        assert b.score == pytest.approx(5.375, abs=1e-12)
        scores.add(b.score)
    assert len(scores) == 1  # to the last bit
    b = score_scenes([_sig("b", views=1000)], [], params)[0]
    assert b.popularity == pytest.approx(4.286334369805723, abs=1e-12)
    # Equal scores: the tie-break still orders by views (documented: more votes, more views,
    # key), whatever their weight.
    scope = [_sig("a"), _sig("b", views=1000)]
    assert [p.key for p in ranked(scope, [], params)] == ["b", "a"]
    # With votes on two scenes: 10 votes' worth, 7 + 3; m = 5.
    # C(a) = (10 + 27.5)/(2 + 5) = 37.5/7 = 5.357142... (no votes)
    # C(b) = (10 - 7 + 27.5)/(2 - 1 + 5) = 30.5/6; WR(b) = (7 + 5*30.5/6)/6 = 194.5/36 = 5.402777...
    # C(c) = (10 - 3 + 27.5)/(2 - 1 + 5) = 34.5/6; WR(c) = (3 + 5*34.5/6)/6 = 190.5/36 = 5.291666...
    # Scores: quality * 0.75 + 1.25: b 5.302083..., a 5.267857..., c 5.21875
    scope = [_sig("b", (7,), 1000), _sig("a"), _sig("c", (3,))]
    assert [(p.key, p.has_signal, p.score) for p in ranked(scope, [], params)] == [
        ("b", True, pytest.approx(194.5 / 36 * 0.75 + 1.25, abs=1e-12)),
        ("a", False, pytest.approx(37.5 / 7 * 0.75 + 1.25, abs=1e-12)),
        ("c", True, pytest.approx(190.5 / 36 * 0.75 + 1.25, abs=1e-12)),
    ]


def test_zero_views_is_evidence() -> None:
    # A count of 0 is scored 0, not the prior: 5.5*0.6 + 5*0.2 + 0*0.2 = 3.3 + 1 = 4.3; the
    # same scene without a count scores the view prior: 4.3 + 1.4285726605434417.
    a = score_scenes([_sig("a", views=0)], [], RankParams())[0]
    assert a.has_signal and a.popularity == 0.0 and a.view_part == 0.0
    assert a.score == pytest.approx(4.3, abs=1e-12)
    unknown = score_scenes([_sig("a")], [], RankParams())[0]
    assert not unknown.has_signal
    assert unknown.score == pytest.approx(4.3 + 0.2 * POP_PRIOR, abs=1e-12)


def test_invalid_input_is_rejected() -> None:
    # Bad rows (votes out of range, negative views, a key twice): test_aggregated_rows_are_checked.
    for bad in ({"m": -1.0}, {"w_votes": math.nan}, {"bt_prior": 0.0}, {"view_ref": 0}):
        with pytest.raises(ValueError):
            RankParams(**bad)


# --------------------------------------------------------------------------- ranking


def _order(rows: list[Any], params: RankParams) -> list[str]:
    return [p.key for p in score_totals(rows, params).ranked()]


def test_ties_break_by_votes_then_views_then_key() -> None:
    # m = 0 and no view weight: each score is the plain mean of the scene's votes.
    params = RankParams(m=0.0, w_views=0.0)
    rows = [
        ("e", 3, 21, None, 0, None),  # None counts as 0 views
        ("d", 3, 21, 10, 0, None),
        ("c", 3, 21, 0, 0, None),
        ("b", 5, 35, 1, 0, None),
        ("f", 1, 8, None, 0, None),
        ("a", 3, 21, 10, 0, None),
    ]
    expected = ["f", "b", "a", "d", "c", "e"]
    assert _order(rows, params) == expected
    assert _order(list(reversed(rows)), params) == expected


def test_scores_equal_to_nine_places_are_ties() -> None:
    # m = 0: each quality is the plain mean of the scene's votes. "a": two votes averaging 4
    # and views at view_ref (popularity 10): 4*0.6 + 5*0.2 + 10*0.2 = 2.4 + 1 + 2 = 5.4.
    # "b": three votes summing to 22 and a count of 0: 22/3*0.6 + 1 + 0 = 4.4 + 1 = 5.4, which
    # binary floating point makes 5.3999999999999995. The same score to a user, so "b"'s extra
    # vote puts it first although its float is the smaller.
    params = RankParams(m=0.0)
    rows = [("a", 2, 8, params.view_ref, 0, None), ("b", 3, 22, 0, 0, None)]
    scored = score_totals(rows, params)
    assert scored.parts(0).score != scored.parts(1).score
    assert scored.parts(1).score < scored.parts(0).score
    assert scored.parts(0).score == pytest.approx(scored.parts(1).score, abs=1e-12)
    assert scored.parts(0).score == pytest.approx(5.4, abs=1e-12)
    assert _order(rows, params) == ["b", "a"]


def test_equal_scores_fall_back_to_key() -> None:
    scope = [_sig("b", views=1000), _sig("a", views=1000)]
    parts = score_scenes(scope, [], RankParams())
    assert parts[0].score == parts[1].score
    assert [p.key for p in ranked(scope, [], RankParams())] == ["a", "b"]


def test_scenes_without_evidence_score_the_priors_and_rank_by_that_score() -> None:
    # No "unsignalled" tail: a scene with no votes, duels or view count scores its priors and
    # ranks by that score among the others. The catalogue: "high" one vote of 9, "low" one
    # vote of 2 (2 votes summing to 11), "b" and "c" nothing, "a" a count of 0 views; m = 5.
    scope = [_sig("low", (2,)), _sig("c"), _sig("high", (9,)), _sig("b"), _sig("a", views=0)]
    by_key = _by_key(score_scenes(scope, [], RankParams()))
    # Unvoted: C = (11 + 5*5.5)/(2 + 5) = 38.5/7 = 5.5
    # b, c: 5.5*0.6 + 5*0.2 + 7.142863...*0.2 = 3.3 + 1 + 1.428572... = 5.728572...
    for key in ("b", "c"):
        p = by_key[key]
        assert not p.has_signal
        assert p.quality == p.prior == pytest.approx(5.5, abs=1e-12)
        assert p.duel_strength == DUEL_PRIOR
        assert p.popularity == pytest.approx(POP_PRIOR, abs=1e-12)
        assert p.score == pytest.approx(4.3 + 0.2 * POP_PRIOR, abs=1e-12)
        assert p.score == p.vote_part + p.duel_part + p.view_part
    # a: 3.3 + 1 + 0 = 4.3 (its count of 0 is evidence, below the prior)
    assert by_key["a"].has_signal and by_key["a"].score == pytest.approx(4.3, abs=1e-12)
    # high: C = (11 - 9 + 27.5)/(2 - 1 + 5) = 29.5/6; WR = (9 + 5*29.5/6)/6 = 201.5/36 = 5.597222...
    #   score = 201.5/36*0.6 + 1 + 1.428572... = 3.358333... + 2.428572... = 5.786906...
    # low:  C = (11 - 2 + 27.5)/6 = 36.5/6;   WR = (2 + 5*36.5/6)/6 = 194.5/36 = 5.402777...
    #   score = 3.241666... + 2.428572... = 5.670239...
    assert by_key["high"].quality == pytest.approx(201.5 / 36, abs=1e-12)
    assert by_key["low"].quality == pytest.approx(194.5 / 36, abs=1e-12)
    assert by_key["high"].score == pytest.approx(201.5 / 36 * 0.6 + 1 + 0.2 * POP_PRIOR)
    assert by_key["low"].score == pytest.approx(194.5 / 36 * 0.6 + 1 + 0.2 * POP_PRIOR)
    # Between the scene voted above C and the one voted below it; b and c tie (no votes, no
    # views) and go by key.
    assert [p.key for p in ranked(scope, [], RankParams())] == ["high", "b", "c", "low", "a"]


# --------------------------------------------------------------------------- properties

KEYS = ["a", "b", "c", "d", "e", "f"]
OUTSIDE = ["x", "y"]

votes_st = st.lists(st.integers(1, 10), max_size=8).map(tuple)
views_st = st.none() | st.integers(0, 10**10)
duels_st = st.lists(
    st.builds(Duel, st.sampled_from(KEYS + OUTSIDE), st.sampled_from(KEYS + OUTSIDE)),
    max_size=25,
)
params_st = st.builds(
    RankParams,
    m=st.floats(0, 50),
    w_votes=st.just(0.0) | st.floats(1e-6, 1),
    w_duels=st.just(0.0) | st.floats(1e-6, 1),
    w_views=st.just(0.0) | st.floats(1e-6, 1),
    bt_prior=st.floats(0.1, 5),
    view_ref=st.integers(1, 10**9),
    view_prior=st.integers(0, 10**10),
).filter(lambda p: p.w_votes + p.w_duels + p.w_views > 0)  # all zero: refused (below)


@st.composite
def scopes(draw: st.DrawFn) -> list[SceneSignals]:
    keys = draw(st.lists(st.sampled_from(KEYS), unique=True, max_size=len(KEYS)))
    return [SceneSignals(k, draw(votes_st), draw(views_st)) for k in keys]


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(scopes(), duels_st, params_st)
def test_parts_add_up_and_stay_in_range(
    signals: list[SceneSignals], duels: list[Duel], params: RankParams
) -> None:
    parts = score_scenes(signals, duels, params)
    assert [p.key for p in parts] == [s.key for s in signals]
    total = params.w_votes + params.w_duels + params.w_views
    count_all = sum(len(s.votes) for s in signals)
    sum_all = sum(sum(s.votes) for s in signals)
    view_prior = min(10.0, 10 * math.log10(1 + params.view_prior) / math.log10(1 + params.view_ref))
    for p, s in zip(parts, signals, strict=True):
        assert p.score == p.vote_part + p.duel_part + p.view_part
        assert math.fsum([p.vote_part, p.duel_part, p.view_part]) == pytest.approx(p.score)
        for value in (p.vote_part, p.duel_part, p.view_part):
            assert 0.0 <= value <= 10.0
        for value in (p.quality, p.duel_strength, p.popularity, p.prior):
            assert 0.0 <= value <= 10.0
        assert 0.0 <= p.score <= 10.0 + 1e-9
        # The same shares for every scene: each weight over the three.
        assert p.vote_share == pytest.approx(params.w_votes / total)
        assert p.duel_share == pytest.approx(params.w_duels / total)
        assert p.view_share == pytest.approx(params.w_views / total)
        # C: the other scenes' votes, started from 5.5 as if from m votes (5.5 without any).
        others = count_all - len(s.votes) + params.m
        c = (sum_all - sum(s.votes) + params.m * 5.5) / others if others > 0 else 5.5
        assert p.prior == pytest.approx(c, rel=1e-12)
        # A part without evidence is its prior; with votes, quality lies between R and C.
        if s.votes:
            low, high = sorted((sum(s.votes) / len(s.votes), p.prior))
            assert low - 1e-12 <= p.quality <= high + 1e-12
        else:
            assert p.quality == p.prior
        if p.n_duels == 0:
            assert p.duel_strength == DUEL_PRIOR
        if s.latest_views is None:
            assert p.popularity == pytest.approx(view_prior, rel=1e-12)
        assert p.has_signal == bool(s.votes or p.n_duels or s.latest_views is not None)
    order = ranked(signals, duels, params)
    scores = [round(p.score, 9) for p in order]  # every scene, no tail
    assert scores == sorted(scores, reverse=True)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(scopes(), duels_st, params_st, st.data())
def test_order_of_duels_votes_and_scenes_does_not_matter(
    signals: list[SceneSignals], duels: list[Duel], params: RankParams, data: st.DataObject
) -> None:
    shuffled_duels = data.draw(st.permutations(duels))
    shuffled_signals = [
        SceneSignals(s.key, tuple(data.draw(st.permutations(s.votes))), s.latest_views)
        for s in data.draw(st.permutations(signals))
    ]
    before = ranked(signals, duels, params)
    after = ranked(shuffled_signals, shuffled_duels, params)
    assert [p.key for p in before] == [p.key for p in after]
    for p, q in zip(before, after, strict=True):
        assert p.score == pytest.approx(q.score, abs=1e-9)
        assert p.prior == q.prior  # C comes from integer sums: bit for bit
        assert p.vote_part == pytest.approx(q.vote_part, abs=1e-9)
        assert p.duel_part == pytest.approx(q.duel_part, abs=1e-9)
        assert p.view_part == pytest.approx(q.view_part, abs=1e-9)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(duels_st, st.floats(0.25, 5), st.data())
def test_bradley_terry_is_a_stationary_point_and_order_free(
    duels: list[Duel], prior: float, data: st.DataObject
) -> None:
    s = bradley_terry(duels, prior=prior)
    assert s == bradley_terry(data.draw(st.permutations(duels)), prior=prior)
    # MAP condition for every item: real wins + prior = expected wins (real + virtual games).
    for key, s_i in s.items():
        wins = sum(1 for d in duels if d.winner == key and d.loser != key)
        expected = 2 * prior * s_i / (s_i + 1) + math.fsum(
            s_i / (s_i + s[d.loser if d.winner == key else d.winner])
            for d in duels
            if (d.winner == key) != (d.loser == key)
        )
        assert wins + prior == pytest.approx(expected, rel=1e-6)


# --------------------------------------------------------------------------- aggregated form


def _totals(signals: Sequence[SceneSignals], duels: Sequence[Duel], prior: float) -> list[Any]:
    strengths = bradley_terry(duels, prior)
    n_duels: dict[str, int] = {}
    for d in duels:
        if d.winner != d.loser:
            n_duels[d.winner] = n_duels.get(d.winner, 0) + 1
            n_duels[d.loser] = n_duels.get(d.loser, 0) + 1
    return [
        (s.key, len(s.votes), sum(s.votes), s.latest_views, n_duels.get(s.key, 0),
         strengths.get(s.key) if n_duels.get(s.key) else None)
        for s in signals
    ]  # fmt: skip


def _documented_order(parts: list[ScoreParts]) -> list[ScoreParts]:
    """The rule score_totals documents, stated plainly: every scene by score (to 9 decimal
    places), then more votes, more views (None as 0), key."""

    def key(p: ScoreParts) -> tuple[int, int, int, str]:
        return (-int(p.score * 1e9 + 0.5), -p.n_votes, -(p.latest_views or 0), p.key)

    return sorted(parts, key=key)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(scopes(), duels_st, params_st)
def test_aggregated_order_follows_the_documented_rule(
    signals: list[SceneSignals], duels: list[Duel], params: RankParams
) -> None:
    expected = _documented_order(score_scenes(signals, duels, params))
    scored = score_totals(_totals(signals, duels, params.bt_prior), params)
    assert scored.ranked() == expected
    assert scored.ranked(2) == expected[:2]
    assert scored.totals == (sum(len(s.votes) for s in signals), sum(sum(s.votes) for s in signals))


def test_aggregated_ties_include_scenes_without_votes() -> None:
    rows = [
        ("d", 1, 8, 10, 0, None),
        ("c", 1, 8, 1000, 0, None),
        ("b", 2, 16, None, 0, None),
        ("z", 0, 0, None, 0, None),
        ("a", 1, 8, 10, 0, None),
        ("y", 0, 0, None, 0, None),
    ]
    # m = 0, no view weight: every vote is 8, so each voted scene's quality is its mean 8 and
    # each unvoted one's C is the others' mean, 40/5 = 8: every scene scores
    # 8*0.75 + 5*0.25 = 7.25. More votes, then more views (None as 0), then key.
    scored = score_totals(rows, RankParams(m=0.0, w_views=0.0))
    assert {p.score for p in scored.ranked()} == {scored.parts(0).score}
    assert scored.parts(0).score == pytest.approx(7.25, abs=1e-12)
    assert scored.parts(3).prior == 8.0 and scored.totals == (5, 40)
    assert [p.key for p in scored.ranked()] == ["b", "c", "a", "d", "y", "z"]
    # m = 5 breaks the tie by how much each scene's own votes weigh:
    # b: C = (40 - 16 + 27.5)/(5 - 2 + 5) = 51.5/8, WR = (16 + 5*51.5/8)/7 = 385.5/56 = 6.883928...
    # a, c, d: C = (40 - 8 + 27.5)/(5 - 1 + 5) = 59.5/9, WR = (8 + 5*59.5/9)/6 = 369.5/54 = 6.842592...
    # y, z: C = (40 + 27.5)/(5 + 5) = 6.75
    scored = score_totals(rows, RankParams(w_views=0.0))
    assert scored.parts(2).quality == pytest.approx(385.5 / 56, abs=1e-12)
    assert scored.parts(0).quality == pytest.approx(369.5 / 54, abs=1e-12)
    assert scored.parts(5).quality == pytest.approx(6.75, abs=1e-12)
    assert [p.key for p in scored.ranked()] == ["b", "c", "a", "d", "y", "z"]


def test_catalogue_totals_are_checked_and_all_zero_weights_refused() -> None:
    # A scene cannot have more votes than the catalogue it is scored against.
    with pytest.raises(ValueError, match="more than the catalogue's 1 in all"):
        score_totals([("a", 2, 10, None, 0, None)], RankParams(), (1, 5))
    # Scored against a larger catalogue's totals: C leaves the scene's own votes out,
    # (30 - 10 + 5*5.5)/(4 - 2 + 5) = 47.5/7.
    scored = score_totals([("a", 2, 10, None, 0, None)], RankParams(), (4, 30))
    assert scored.parts(0).prior == pytest.approx(47.5 / 7, abs=1e-12)
    with pytest.raises(ValueError, match="at least one ranking weight"):
        score_totals([("a", 0, 0, None, 0, None)], RankParams(w_votes=0, w_duels=0, w_views=0))


@pytest.mark.parametrize(
    "row",
    [
        ("a", 1, 11, None, 0, None),  # a vote above 10
        ("a", 2, 1, None, 0, None),  # two votes cannot sum to 1
        ("a", -1, 0, None, 0, None),
        ("a", 0, 0, -1, 0, None),
        ("a", 0, 0, None, -1, None),
        ("a", 0, 0, None, 1, 0.0),
        ("a", 0, 0, None, 1, math.nan),
    ],
)
def test_aggregated_rows_are_checked(row: tuple) -> None:
    with pytest.raises(ValueError):
        score_totals([row], RankParams())
    with pytest.raises(ValueError, match="given twice"):
        score_totals([("a", 0, 0, None, 0, None)] * 2, RankParams())


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.tuples(st.integers(0, 30), st.integers(0, 30)),
        st.sampled_from([1, 1, 2, 5, 50, 400]),
        min_size=1,
        max_size=80,
    ),
    st.sampled_from([0.05, 0.1, 1.0, 4.0]),
)
def test_bradley_terry_converges_on_lopsided_records(
    wins: dict[tuple[int, int], int], prior: float
) -> None:
    # Chains of 400-0 records and a weak prior put strengths many orders of magnitude apart:
    # the fit must still reach the MAP condition for every scene.
    s = bradley_terry_counts(wins, prior)
    for key, s_i in s.items():
        won = sum(t for (w, lo), t in wins.items() if w == key and lo != key)
        expected = 2 * prior * s_i / (s_i + 1) + math.fsum(
            t * s_i / (s_i + s[lo if w == key else w])
            for (w, lo), t in wins.items()
            if (w == key) != (lo == key)
        )
        assert won + prior == pytest.approx(expected, rel=1e-6)


def test_components_of_the_same_shape_get_the_same_strengths() -> None:
    # Two chains a > b > c labelled in different orders, and a lone pair: one fit per shape,
    # so the matching scenes get bit-for-bit the same strengths.
    s = bradley_terry_counts({(1, 2): 1, (2, 3): 1, (30, 20): 1, (20, 10): 1, (7, 8): 2})
    assert (s[1], s[2], s[3]) == (s[30], s[20], s[10])
    assert s[1] > s[2] > s[3] and s[7] > s[8]
    # a beat b once and b beat c once: the log-odds start is already the MAP, (2, 1, 1/2)
    assert (s[1], s[2], s[3]) == pytest.approx((2.0, 1.0, 0.5), abs=1e-12)


def test_subnormal_weights_are_refused() -> None:
    with pytest.raises(ValueError, match="w_duels must be 0 or at least 1e-06"):
        RankParams(w_duels=5e-324)
