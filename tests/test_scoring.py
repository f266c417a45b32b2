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
from scenecat.scoring.params import RankParams, ScoreParts
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


def popularity(views: int | None, ref: int) -> float | None:
    """The popularity part the live path gives a scene with only `views` (None: no views)."""
    return score_totals([("a", 0, 0, views, 0, None)], RankParams(view_ref=ref)).parts(0).popularity


# Two items, A beat B once, prior 1. The problem is symmetric under A<->B with s -> 1/s (the
# reference has strength 1), so s_B = 1/s_A. A's stationarity condition "wins = expected wins",
#   W_A + prior = 2 = s_A/(s_A+s_B) + 2*s_A/(s_A+1), with s_A = x and s_B = 1/x, is
#   x^2/(x^2+1) + 2x/(x+1) = 2  <=>  x^3 - x^2 - 2 = 0
# (B's condition gives the same cubic). Its real root, by Cardano with x = t + 1/3
# (t^3 - t/3 - 56/27 = 0), is x = (1 + cbrt(28 + sqrt(783)) + cbrt(28 - sqrt(783))) / 3.
TWO_ITEM_ROOT = (1 + (28 + math.sqrt(783)) ** (1 / 3) + (28 - math.sqrt(783)) ** (1 / 3)) / 3
# = 1.6956207695598648; duel strengths 10*x/(x+1) and 10*(1/x)/(1/x+1) = 10/(x+1).
TWO_ITEM_WINNER = 6.2902793623923685
TWO_ITEM_LOSER = 3.7097206376076333


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
    # Scope: "one" has a single 10, "fifty" has fifty 9s, "rest" has forty-nine 5s.
    # C = (10 + 50*9 + 49*5) / 100 = 705/100 = 7.05, m = 5.
    scope = [_sig("one", (10,)), _sig("fifty", (9,) * 50), _sig("rest", (5,) * 49)]
    parts = _by_key(score_scenes(scope, [], RankParams(m=5.0)))
    # WR(one)   = (10  + 5*7.05) / (1 + 5)  = 45.25/6   = 7.541666...
    # WR(fifty) = (450 + 5*7.05) / (50 + 5) = 485.25/55 = 8.822727...
    # WR(rest)  = (245 + 5*7.05) / (49 + 5) = 280.25/54 = 5.189814...
    assert parts["one"].quality == pytest.approx(7.541666666666667, abs=1e-12)
    assert parts["fifty"].quality == pytest.approx(8.822727272727272, abs=1e-12)
    assert parts["rest"].quality == pytest.approx(5.189814814814815, abs=1e-12)
    assert [p.key for p in ranked(scope, [], RankParams(m=5.0))] == ["fifty", "one", "rest"]


def test_bayesian_two_scene_scope_single_ten_still_wins_documented_limit() -> None:
    # Shrinking toward the mean OF THE SCOPE: with only these two scenes in scope,
    # C = (10 + 450)/51 = 460/51 = 9.0196..., which lies between 9 and 10. WR(one) shrinks down
    # toward C from above and WR(fifty) up toward C from below, so the single 10 stays ahead
    # for every m. m = 5:
    c = 460 / 51
    scope = [_sig("one", (10,)), _sig("fifty", (9,) * 50)]
    # WR(one)   = (10 + 5*460/51) / 6   = 2810/306  = 1405/153 = 9.183006...
    # WR(fifty) = (450 + 5*460/51) / 55 = 25250/2805 = 5050/561 = 9.001782...
    parts = _by_key(score_scenes(scope, [], RankParams(m=5.0)))
    assert parts["one"].quality == pytest.approx(9.183006535947712, abs=1e-12)
    assert parts["fifty"].quality == pytest.approx(9.001782531194296, abs=1e-12)
    for m in (5.0, 50.0, 5000.0):
        parts = _by_key(score_scenes(scope, [], RankParams(m=m)))
        one, fifty = parts["one"].quality, parts["fifty"].quality
        assert one is not None and fifty is not None
        assert one > c > fifty


def _quality(scope: list[SceneSignals], m: float, key: str = "x") -> float | None:
    return _by_key(score_scenes(scope, [], RankParams(m=m)))[key].quality


def test_bayesian_edge_cases() -> None:
    # v == 0 -> C, the mean of the scope's votes: (6 + 9) / 2 = 7.5
    assert _quality([_sig("x"), _sig("y", (6, 9))], 5.0) == 7.5
    assert _quality([_sig("x", (4, 8)), _sig("y", (10,))], 0.0) == 6.0  # m == 0 -> plain mean
    # v = 2, R = 6, C = (4 + 8 + 10 + 10)/4 = 8, m = 2: 2/4*6 + 2/4*8 = 7
    assert _quality([_sig("x", (4, 8)), _sig("y", (10, 10))], 2.0) == pytest.approx(7.0, abs=1e-12)
    quality = _quality([_sig("x", (10,) * 7)], 5.3)
    assert quality is not None and quality <= 10.0  # clamped between R and C
    with pytest.raises(ValueError):
        RankParams(m=-1.0)


def test_scope_without_votes_has_no_quality() -> None:
    parts = _by_key(score_scenes([_sig("a", views=1000), _sig("b")], [], RankParams()))
    assert parts["a"].quality is None
    assert parts["b"].quality is None
    # Only the view part is available, so the score is the popularity itself.
    assert parts["a"].score == parts["a"].popularity == parts["a"].view_part
    assert parts["a"].vote_part == 0.0


def test_unvoted_scene_gets_scope_mean_as_quality() -> None:
    # C = (6 + 8)/2 = 7; "c" has no votes but has views, so quality = C and it counts.
    parts = _by_key(
        score_scenes(
            [_sig("a", (6,)), _sig("b", (8,)), _sig("c", views=10_000_000)], [], RankParams()
        )
    )
    assert parts["c"].quality == 7.0
    assert parts["c"].has_signal
    # ew_votes = 0.6, ew_views = 0.2, total 0.8: 7*0.6/0.8 + 10*0.2/0.8 = 5.25 + 2.5 = 7.75
    assert parts["c"].vote_part == pytest.approx(5.25, abs=1e-12)
    assert parts["c"].view_part == pytest.approx(2.5, abs=1e-12)
    assert parts["c"].score == pytest.approx(7.75, abs=1e-12)


# --------------------------------------------------------------------------- Bradley-Terry


def test_bradley_terry_two_items_closed_form() -> None:
    s = bradley_terry([Duel("A", "B")], prior=1.0)
    assert math.isclose(TWO_ITEM_ROOT, 1.6956207695598648, abs_tol=1e-12)
    assert s["A"] == pytest.approx(TWO_ITEM_ROOT, abs=1e-6)
    assert s["B"] == pytest.approx(1 / TWO_ITEM_ROOT, abs=1e-6)  # 0.5897545123...
    assert s["A"] * s["B"] == pytest.approx(1.0, abs=1e-6)


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
    # "a" beat "z", which is not in the scope: same fit as the two-item case above.
    parts = score_scenes([_sig("a", views=5)], [Duel("a", "z")], RankParams())
    assert [p.key for p in parts] == ["a"]
    assert parts[0].n_duels == 1
    assert parts[0].duel_strength == pytest.approx(TWO_ITEM_WINNER, abs=1e-6)


# --------------------------------------------------------------------------- popularity


def test_popularity_values() -> None:
    ref = 10_000_000
    assert popularity(None, ref) is None
    assert popularity(0, ref) == 0.0  # log10(1) = 0
    assert popularity(ref, ref) == 10.0
    # 10 * log10(1001) / log10(10000001) = 10 * 3.000434077479319 / 7.000000043429446
    assert popularity(1_000, ref) == pytest.approx(4.286334369805723, abs=1e-12)
    assert popularity(ref * 50, ref) == 10.0  # clipped above ref
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
    # C = (8 + 10 + 6)/3 = 8, m = 5
    # quality a = (18 + 5*8)/(2 + 5) = 58/7 = 8.285714...; b = (6 + 40)/(1 + 5) = 23/3
    assert a.quality == pytest.approx(58 / 7, abs=1e-12)
    assert b.quality == pytest.approx(23 / 3, abs=1e-12)
    assert a.duel_strength == pytest.approx(TWO_ITEM_WINNER, abs=1e-6)
    assert b.duel_strength == pytest.approx(TWO_ITEM_LOSER, abs=1e-6)
    assert a.popularity == 10.0 and b.popularity is None
    # one duel each: ew_duels = 0.2 * 1/(1+3) = 0.05
    # a: total = 0.6 + 0.05 + 0.2 = 0.85
    #    vote 58/7 * 0.6/0.85 = 696/119 = 5.848739...; duel 6.290279.../17 = 0.370016...;
    #    views 10 * 0.2/0.85 = 40/17 = 2.352941...; score = 8.571697...
    assert a.vote_part == pytest.approx(696 / 119, abs=1e-12)
    assert a.duel_part == pytest.approx(0.3700164330819041, abs=1e-7)
    assert a.view_part == pytest.approx(40 / 17, abs=1e-12)
    assert a.score == pytest.approx(8.571697, abs=1e-6)
    # b: total = 0.6 + 0.05 = 0.65
    #    vote 23/3 * 0.6/0.65 = 92/13 = 7.076923...; duel 3.709720.../13 = 0.285363...;
    #    views 0; score = 7.362286...
    assert b.vote_part == pytest.approx(92 / 13, abs=1e-12)
    assert b.duel_part == pytest.approx(0.2853631259698179, abs=1e-7)
    assert b.view_part == 0.0
    assert b.score == pytest.approx(7.362286, abs=1e-6)
    assert (a.n_votes, a.n_duels, a.latest_views) == (2, 1, 10_000_000)
    scope = [_sig("b", (6,)), _sig("a", (8, 10), 10_000_000)]
    assert [p.key for p in ranked(scope, [Duel("a", "b")], RankParams())] == ["a", "b"]


def test_duel_weight_blends_in_with_more_duels() -> None:
    # c = n/(n + duel_k) with duel_k = 3: 1 duel -> 1/4 of w_duels, 3 duels -> 1/2.
    # "a" has no votes and no views, so its score is its duel strength whatever the blend.
    one = _by_key(score_scenes([_sig("a")], [Duel("a", "z")], RankParams()))["a"]
    assert one.score == one.duel_part == one.duel_strength
    # With views as the other part: total = 0.2*c + 0.2, duel share = c/(c + 1).
    for n, share in ((1, 0.25 / 1.25), (3, 0.5 / 1.5)):
        parts = score_scenes([_sig("a", views=0)], [Duel("a", "z")] * n, RankParams())[0]
        assert parts.duel_strength is not None
        assert parts.duel_part == pytest.approx(parts.duel_strength * share, abs=1e-12)


def test_a_signal_whose_weight_is_zero_does_not_count() -> None:
    # With w_views = 0 (e.g. --method votes) a scene with only views has nothing it is ranked
    # on: it joins the unsignalled tail, ordered by key, though its popularity is still shown.
    scope = [_sig("b", views=1000), _sig("a")]
    b = _by_key(score_scenes(scope, [], RankParams(w_views=0.0)))["b"]
    assert not b.has_signal and b.score == 0.0 and b.popularity is not None
    assert [p.key for p in ranked(scope, [], RankParams(w_views=0.0))] == ["a", "b"]
    # The same scene with a vote is ranked on the vote alone.
    scope = [_sig("b", (7,), 1000), _sig("a")]
    assert [(p.key, p.has_signal, p.score) for p in ranked(scope, [], RankParams(w_views=0.0))] == [
        ("b", True, 7.0),
        ("a", False, 0.0),
    ]


def test_zero_views_is_a_signal() -> None:
    a = score_scenes([_sig("a", views=0)], [], RankParams())[0]
    assert a.has_signal and a.popularity == 0.0 and a.score == 0.0


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
    # "b": four votes averaging 7.75, nothing else: 7.75. "a": five 7s and views at view_ref
    # (popularity 10): 7 * 0.6/0.8 + 10 * 0.2/0.8, which binary floating point makes
    # 7.749999999999999. The same score to a user, so "a"'s extra vote puts it first.
    params = RankParams(m=0.0)
    rows = [("b", 4, 31, None, 0, None), ("a", 5, 35, params.view_ref, 0, None)]
    scored = score_totals(rows, params)
    assert scored.parts(0).score != scored.parts(1).score
    assert scored.parts(0).score == pytest.approx(scored.parts(1).score, abs=1e-12)
    assert _order(rows, params) == ["a", "b"]


def test_equal_scores_fall_back_to_key() -> None:
    scope = [_sig("b", views=1000), _sig("a", views=1000)]
    parts = score_scenes(scope, [], RankParams())
    assert parts[0].score == parts[1].score
    assert [p.key for p in ranked(scope, [], RankParams())] == ["a", "b"]


def test_no_signal_scenes_rank_last_with_score_zero() -> None:
    scope = [_sig("zz", (2,)), _sig("c"), _sig("b"), _sig("a", views=0)]
    by_key = _by_key(score_scenes(scope, [], RankParams()))
    for key in ("b", "c"):
        p = by_key[key]
        assert not p.has_signal
        assert p.score == p.vote_part == p.duel_part == p.view_part == 0.0
        assert p.quality == 2.0  # still reported: C, the mean of the scope's votes
    assert [p.key for p in ranked(scope, [], RankParams())] == ["zz", "a", "b", "c"]


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
    duel_k=st.floats(0, 20),
    bt_prior=st.floats(0.1, 5),
    view_ref=st.integers(1, 10**9),
)


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
    for p in parts:
        assert p.score == p.vote_part + p.duel_part + p.view_part
        assert math.fsum([p.vote_part, p.duel_part, p.view_part]) == pytest.approx(p.score)
        for value in (p.vote_part, p.duel_part, p.view_part):
            assert 0.0 <= value <= 10.0
        for maybe in (p.quality, p.duel_strength, p.popularity):
            assert maybe is None or 0.0 <= maybe <= 10.0
        assert 0.0 <= p.score <= 10.0 + 1e-9
        if not p.has_signal:
            assert p.score == 0.0
        assert (p.duel_strength is None) == (p.n_duels == 0)
    order = ranked(signals, duels, params)
    signal_flags = [p.has_signal for p in order]
    assert signal_flags == sorted(signal_flags, reverse=True)  # no-signal scenes last
    scores = [round(p.score, 9) for p in order if p.has_signal]
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
    """The rule score_totals documents, stated plainly: signalled scenes by score (to 9
    decimal places), then more votes, more views (None as 0), key; the rest by key."""

    def key(p: ScoreParts) -> tuple[bool, int, int, int, str]:
        if not p.has_signal:
            return (True, 0, 0, 0, p.key)
        return (False, -int(p.score * 1e9 + 0.5), -p.n_votes, -(p.latest_views or 0), p.key)

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
    assert scored.unsignalled == sum(1 for p in expected if not p.has_signal)


def test_aggregated_ties_and_tail() -> None:
    rows = [
        ("d", 1, 8, 10, 0, None),
        ("c", 1, 8, 1000, 0, None),
        ("b", 2, 16, None, 0, None),
        ("z", 0, 0, None, 0, None),
        ("a", 1, 8, 10, 0, None),
        ("y", 0, 0, None, 0, None),
    ]
    scored = score_totals(rows, RankParams(w_views=0.0))
    # all voted scenes score 8: more votes, then more views, then key; no signal last by key
    assert [p.key for p in scored.ranked()] == ["b", "c", "a", "d", "y", "z"]
    assert scored.unsignalled == 2 and scored.prior_mean == 8.0


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
