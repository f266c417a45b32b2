"""The top-N ranking of broad scopes (scoring.top_n.ScopeRanker, domain.ranking.rank_scenes) gives
exactly what scoring every scene and sorting them all gives.

`rank_scenes` loads votes for every scene of a scope but view counts and Bradley-Terry fits only
for the scenes that can reach the part of the order it shows. These tests hold it to the
straightforward computation (every scene's signals from `storage.rank_queries.scope_rows`, every
duel component touching the scope fitted, `scoring.scores.score_totals`, a walk over the whole order
for --by), number for number: pure rows with many ties, and small catalogues with votes, duels,
view snapshots from several sources (dated and not), ties and scenes with no evidence at all
(they score the priors and rank among the others). Scopes are scored against the whole
catalogue's votes, as rank_scenes does.
"""

from __future__ import annotations

import json
import math
import random
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenecat.scoring.bradley_terry import bradley_terry_counts
from scenecat.scoring.params import RankParams
from scenecat.scoring.scores import ScoredScope, duel_range, score_totals
from scenecat.scoring.top_n import NOT_LOADED, ScopeRanker
from tests.test_rank import ACTORS, duel, scene, views, vote, write_catalogue

# --------------------------------------------------------------------------- pure rows

# (scene_id, n_votes, vote_sum, latest_views, n_duels, strength)
Full = tuple[int, int, int, int | None, int, float | None]

# A scene without a view count is scored as 100,000 views:
# 10 * log10(100001) / log10(10000001) = 7.142863302717208.
POP_PRIOR = 10 * math.log10(100_001) / math.log10(10_000_001)

PARAMS = {
    "combined": RankParams(),
    "votes": RankParams(w_votes=1.0, w_duels=0.0, w_views=0.0),
    "duels": RankParams(w_votes=0.0, w_duels=1.0, w_views=0.0),
    "views": RankParams(w_votes=0.0, w_duels=0.0, w_views=1.0),
    "m0": RankParams(m=0.0),
    "no-votes": RankParams(w_votes=0.0, w_duels=1.0, w_views=0.5),
    "heavy-views": RankParams(w_votes=0.2, w_duels=0.3, w_views=0.9),
}


def key_of(scene_id: int) -> str:
    # Keys whose order is not the order of the ids, so the key tie-break is seen.
    return f"k{(scene_id * 7919) % 1009:04d}-{scene_id}"


def reference(rows: Sequence[Full], params: RankParams) -> tuple[ScoredScope, list]:
    # As rank_scenes does: without a duel weight no strength is fitted (parts show 5.0).
    fitted = params.w_duels > 0
    totals = [(key_of(i), n, s, v, d, st if d and fitted else None) for i, n, s, v, d, st in rows]
    return score_totals(totals, params), totals


def fast(
    rows: Sequence[Full], params: RankParams, want: int, *, lazy: bool, batch: int = 256
) -> tuple[ScopeRanker, list[int], dict[int, float]]:
    """Drive a ScopeRanker the way domain.rank_order.ScopeOrder does; strengths and view counts are
    handed over only when asked for."""
    given = [(i, n, s, NOT_LOADED if lazy else v) for i, n, s, v, _d, _st in rows]
    n_duels = {i: d for i, _n, _s, _v, d, _st in rows if d}
    by_id = {row[0]: row for row in rows}
    index_of = {row[0]: k for k, row in enumerate(rows)}

    class Ranker(ScopeRanker):
        BATCH = batch

    ranker = Ranker(given, n_duels, params)
    strengths: dict[int, float] = {}
    for _ in range(10_000):
        need_views, need_strengths = ranker.missing(want, strengths)
        if need_strengths:
            for index in need_strengths:
                scene_id = rows[index][0]
                strength = by_id[scene_id][5]
                assert strength is not None and rows[index][4] > 0
                strengths[scene_id] = strength
        elif need_views:
            ranker.add_views({i: rows[i][3] for i in need_views})
        else:
            break
    else:  # pragma: no cover
        raise AssertionError("missing() never settles")
    keys = {i: key_of(i) for i in by_id}
    order = ranker.ranked(ranker.contenders(want), keys)[:want]
    assert all(index_of[rows[i][0]] == i for i in order)
    return ranker, order, strengths


def check_same(rows: Sequence[Full], params: RankParams, want: int, **how: Any) -> None:
    scored, totals = reference(rows, params)
    ranker, order, strengths = fast(rows, params, want, **how)
    assert order == list(scored.order[:want])
    assert ranker.totals == scored.totals
    for index in order:
        assert ranker.parts(index, key_of(rows[index][0]), strengths) == scored.parts(index)
        assert ranker.scene_totals(index, key_of(rows[index][0]), strengths) == totals[index]


@st.composite
def scopes(draw: st.DrawFn) -> list[Full]:
    count = draw(st.integers(0, 40))
    rows: list[Full] = []
    for scene_id in range(1, count + 1):
        # Few distinct values: many scenes share their votes, views or strength (ties).
        n = draw(st.sampled_from([0, 0, 1, 1, 2, 3, 5]))
        total = sum(draw(st.lists(st.sampled_from([1, 5, 7, 9, 10]), min_size=n, max_size=n)))
        seen = draw(st.sampled_from([None, None, 0, 1, 999, 10**4, 10**7, 10**9]))
        duels = draw(st.sampled_from([0, 0, 0, 1, 2, 7]))
        # A strength a fit can give a scene with this many duels (scores.duel_range): the
        # ranker's bounds rest on it.
        strength = None
        if duels:
            low, high = (v / 10 for v in duel_range(duels, RankParams().bt_prior))
            at = draw(st.sampled_from([0.0, 0.001, 0.5, 0.5, 0.9, 1.0]))
            p = min(max(low + (high - low) * at, 1e-3), 1 - 1e-3)
            strength = p / (1 - p)
        rows.append((scene_id * 3, n, total, seen, duels, strength))
    return draw(st.permutations(rows))


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(
    scopes(),
    st.sampled_from(sorted(PARAMS)),
    st.integers(0, 45),
    st.booleans(),
    st.sampled_from([1, 2, 256]),
)
def test_top_of_the_order_is_exactly_the_full_sort(
    rows: list[Full], method: str, want: int, lazy: bool, batch: int
) -> None:
    check_same(rows, PARAMS[method], want, lazy=lazy, batch=batch)


def test_hand_computed_top_two_by_votes() -> None:
    # a: one 10; b: five 9s; c: no vote but views (not counted with --method votes).
    # The votes: 6, summing to 55; m = 5; each C leaves the scene's own votes out:
    # a: C = (55 - 10 + 27.5)/(6 - 1 + 5) = 72.5/10 = 7.25, WR = (10 + 5*7.25)/6 = 46.25/6
    # b: C = (55 - 45 + 27.5)/(6 - 5 + 5) = 37.5/6 = 6.25, WR = (45 + 5*6.25)/10 = 7.625
    # c: C = (55 + 27.5)/(6 + 5) = 82.5/11 = 7.5
    # With w_views = 0 views do not matter: a's and b's bounds are exact without them.
    rows: list[Full] = [(1, 1, 10, 3, 0, None), (2, 5, 45, 7, 0, None), (3, 0, 0, 10**6, 0, None)]
    params = PARAMS["votes"]
    ranker, order, strengths = fast(rows, params, 2, lazy=True)
    assert order == [0, 1]
    assert ranker.totals == (6, 55)
    a, b = ranker.parts(0, "a", strengths), ranker.parts(1, "b", strengths)
    assert (a.prior, b.prior) == pytest.approx((7.25, 6.25), abs=1e-12)
    assert a.score == pytest.approx(46.25 / 6, abs=1e-12)
    assert b.score == pytest.approx(7.625, abs=1e-12)
    # c, without votes, is third on its C alone (no tail: it is scored like the others)
    scored, _ = reference(rows, params)
    assert list(scored.order) == [0, 1, 2]
    assert scored.parts(2).score == pytest.approx(7.5, abs=1e-12)
    check_same(rows, params, 3, lazy=True)


def test_only_scenes_that_can_reach_the_top_are_loaded() -> None:
    # 200 scenes with three votes of 1, one with ten 10s, one with ten 10s and duels: 620
    # votes summing to 800; m = 5. A weak scene: C = (800 - 3 + 27.5)/(620 - 3 + 5) =
    # 824.5/622 = 1.3256, WR = (3 + 5C)/8 = 1.2035; at most 0.6*1.2035 + 0.2*5 (no duels: the
    # prior) + 0.2*10 (any view count) = 3.73. A strong one: C = (800 - 100 + 27.5)/(620 - 10
    # + 5) = 727.5/615 = 1.1829, WR = (100 + 5C)/15 = 7.0610; at least 0.6*7.0610 + 0 + 0 =
    # 4.24. Only the two strong ones can be first, so only their views and the duel scene's
    # strength are asked for.
    rows: list[Full] = [(i, 3, 3, 100, 0, None) for i in range(1, 201)]
    rows += [(500, 10, 100, 5, 0, None), (501, 10, 100, 1000, 3, 2.0)]
    ranker = ScopeRanker([(i, n, s, NOT_LOADED) for i, n, s, *_ in rows], {501: 3}, RankParams())
    asked_views: list[int] = []
    asked_strengths: list[int] = []
    strengths: dict[int, float] = {}
    while True:
        need_views, need_strengths = ranker.missing(1, strengths)
        if need_strengths:
            asked_strengths += need_strengths
            strengths.update({rows[i][0]: 2.0 for i in need_strengths})
        elif need_views:
            asked_views += need_views
            ranker.add_views({i: rows[i][3] for i in need_views})
        else:
            break
    assert sorted(rows[i][0] for i in asked_views) == [500, 501]
    assert [rows[i][0] for i in asked_strengths] == [501]
    check_same(rows, RankParams(), 1, lazy=True)
    check_same(rows, RankParams(), 1, lazy=True, batch=1)


def test_a_scene_without_a_view_count_holds_the_view_prior() -> None:
    # No "unsignalled" scenes any more: a scene without votes, duels or a view count scores
    # the priors and competes like any other, so its view count (or its absence) is asked
    # for like anyone's, and the order is known only once it is loaded.
    rows: list[Full] = [(1, 0, 0, None, 0, None), (2, 0, 0, 12, 0, None), (3, 2, 15, 4, 0, None)]
    ranker = ScopeRanker([(i, n, s, NOT_LOADED) for i, n, s, *_ in rows], {}, RankParams())
    need_views, need_strengths = ranker.missing(1, {})
    # Every bound overlaps (below), so all three are asked for.
    assert sorted(need_views) == [0, 1, 2] and need_strengths == []
    with pytest.raises(RuntimeError):
        ranker.contenders(1)  # the views asked for are not loaded yet
    ranker.add_views({0: None, 1: 12, 2: 4})
    assert ranker.missing(1, {}) == ([], [])
    # The votes: 2 summing to 15; m = 5. Scenes 1 and 2: C = (15 + 27.5)/(2 + 5) = 42.5/7;
    # scene 3's C has no other votes, 5.5, and WR = (15 + 5*5.5)/7 = 42.5/7 too (the only
    # voted scene of a catalogue sits at the unvoted ones' C). So the views decide:
    # 1: no count, the prior's 10*log10(100001)/log10(10000001) = 7.142863 -> part 1.428573
    # 2: 10*log10(13)/log10(10000001) = 1.591305 -> 0.318261
    # 3: 10*log10(5)/log10(10000001) = 0.998557 -> 0.199711
    # Scores: 42.5/7*0.6 + 5*0.2 = 4.642857 plus those.
    keys = {scene_id: f"k{scene_id}" for scene_id, *_ in rows}
    assert ranker.ranked(ranker.contenders(3), keys) == [0, 1, 2]
    scores = [ranker.parts(i, keys[i + 1], {}).score for i in range(3)]
    log_ref = math.log10(10_000_001)
    base = 42.5 / 7 * 0.6 + 1.0
    assert scores == pytest.approx(
        [base + 2 * math.log10(100_001) / log_ref, base + 2 * math.log10(13) / log_ref,
         base + 2 * math.log10(5) / log_ref], abs=1e-12
    )  # fmt: skip
    assert not ranker.parts(0, "k1", {}).has_signal
    for want in range(4):
        check_same(rows, RankParams(), want, lazy=True)


def test_ranker_rejects_bad_rows_and_misuse() -> None:
    with pytest.raises(ValueError, match="negative view count"):
        ScopeRanker([(1, 1, 5, -5)], {}, RankParams())
    with pytest.raises(ValueError, match=r"not all in 1\.\.10"):
        ScopeRanker([(1, 2, 30, NOT_LOADED)], {}, RankParams())
    ranker = ScopeRanker([(1, 1, 5, NOT_LOADED), (2, 1, 6, NOT_LOADED)], {}, RankParams())
    need_views, _ = ranker.missing(1, {})
    assert sorted(need_views) == [0, 1]
    with pytest.raises(RuntimeError):
        ranker.missing(1, {})  # the views asked for were not loaded
    with pytest.raises(KeyError):
        ranker.add_views({need_views[0]: 3})


def test_storage_and_scoring_agree_on_the_not_loaded_marker() -> None:
    from scenecat.storage import rank_queries

    assert rank_queries.NOT_LOADED == NOT_LOADED


# --------------------------------------------------------------------------- storage


def _view_db() -> sqlite3.Connection:
    from scenecat.storage import rank_queries

    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE scene (id INTEGER PRIMARY KEY)")
    conn.execute(
        "CREATE TABLE view_count (id INTEGER PRIMARY KEY, scene_id INTEGER, count INTEGER, "
        "observed_on TEXT, source TEXT NOT NULL DEFAULT '')"
    )
    conn.execute(rank_queries.INDEXES[1])
    return conn


OLD_LATEST_VIEWS = (
    "(SELECT max(vc.count) FROM view_count vc WHERE vc.scene_id = s.id "
    "AND coalesce(vc.observed_on, '') = (SELECT coalesce(max(o.observed_on), '') "
    "FROM view_count o WHERE o.scene_id = s.id AND o.source = vc.source))"
)


def test_latest_views_query_keeps_the_rule() -> None:
    """Per source the largest count on its latest date (undated and '' count as oldest and
    equal), then the largest over sources: the same as the earlier formulation of the query
    and as Scene.latest_views."""
    from scenecat.models import ViewCount
    from scenecat.storage import rank_queries

    rng = random.Random(7)
    conn = _view_db()
    expected: dict[int, list[ViewCount]] = {}
    for scene_id in range(1, 400):
        conn.execute("INSERT INTO scene (id) VALUES (?)", (scene_id,))
        expected[scene_id] = []
        for _ in range(rng.choice([0, 1, 2, 3, 5])):
            on = rng.choice([None, "", "2021-01-01", "2021-01-02", "2020-12-31"])
            source = rng.choice(["", "official", "fan"])
            count = rng.choice([0, 5, 10, 10**6])
            conn.execute(
                "INSERT INTO view_count (scene_id, count, observed_on, source) VALUES (?, ?, ?, ?)",
                (scene_id, count, on, source),
            )
            expected[scene_id].append(ViewCount(count=count, on=on or None, source=source))
    new = dict(conn.execute(f"SELECT s.id, {rank_queries.LATEST_VIEWS} FROM scene s"))
    old = dict(conn.execute(f"SELECT s.id, {OLD_LATEST_VIEWS} FROM scene s"))
    assert new == old
    assert rank_queries.latest_views(conn, list(new)) == new
    for scene_id, snapshots in expected.items():
        best: dict[str, ViewCount] = {}
        for view in snapshots:  # Scene.latest_views, with '' read as undated
            current = best.get(view.source)
            if current is None or (view.on or "", view.count) > (current.on or "", current.count):
                best[view.source] = view
        assert new[scene_id] == (max(v.count for v in best.values()) if best else None)


# --------------------------------------------------------------------------- catalogues


KINDS = ["kiss", "kiss", "hug", "fight"]
DRAMAS = ["Test Drama", "Other Drama"]
SOURCES = ["official", "fan edit", "clip"]
DAYS = ["2021-01-01", "2021-02-01", "2021-03-01"]


def random_catalogue(seed: int, scenes: int = 45) -> list[dict[str, Any]]:
    """Scenes with ties in votes, duels in pairs and chains, views from several sources (some
    undated), and scenes with no evidence at all."""
    rng = random.Random(seed)
    # An actor added last whose name sorts first: couples are labelled in name order, which is
    # then not the order of the ids.
    records: list[dict[str, Any]] = [{"type": "actor", "name": "Aaron Actor"}]
    cast = [*ACTORS, "Aaron Actor"]
    keys = [f"s{i:02d}-{rng.choice(['a', 'b'])}" for i in range(scenes)]
    for key in keys:
        snapshots = []
        for _ in range(rng.choice([0, 0, 1, 2, 3])):
            on = rng.choice([*DAYS, None])
            snapshot = views(
                rng.choice([0, 10, 500, 10**5, 10**7, 10**8]), "x", rng.choice(SOURCES)
            )
            if on is None:
                del snapshot["on"]
            else:
                snapshot["on"] = on
            snapshots.append(snapshot)
        records.append(
            scene(
                key,
                rng.choice(KINDS),
                actors=rng.sample(cast, rng.choice([1, 2, 2, 3])),
                drama=rng.choice(DRAMAS),
                views=snapshots,
            )
        )
    for key in keys:
        for voter in range(rng.choice([0, 0, 1, 2, 4])):
            records.append(vote(key, rng.choice([6, 8, 10]), f"fan{voter}"))
    for n in range(rng.choice([0, 5, 25])):
        winner, loser = rng.sample(keys, 2)
        records.append(duel(winner, loser, voter=f"v{n}"))
    return records


@pytest.fixture
def catalogue(tmp_path: Path) -> Iterator[Any]:
    from scenecat.domain.importing import import_file
    from scenecat.storage.connection import open_catalogue

    opened = []

    def build(records: list[dict[str, Any]], name: str = "c") -> sqlite3.Connection:
        cat = open_catalogue(tmp_path / f"{name}.db")
        opened.append(cat)
        with cat.write("import") as conn:
            import_file(conn, write_catalogue(tmp_path / f"{name}.jsonl", records))
        return cat.conn

    yield build
    for cat in opened:
        cat.close()


def straightforward(
    conn: sqlite3.Connection,
    scope: Any,
    params: RankParams,
    by: str,
    method: str,
    limit: int | None,
    couple: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """rank_scenes the simple way: score every scene of the scope, sort them all, walk them."""
    from scenecat.domain import ranking
    from scenecat.storage import rank_queries
    from scenecat.storage import scenes as scene_store
    from scenecat.storage.scenes import SceneFilter

    params = ranking.effective_params(params, method)
    filt = ranking.scope_filter(conn, scope, couple)
    rows = rank_queries.scope_rows(conn, filt)
    # Every score is against the whole catalogue's votes, counted here from every scene's row
    # (rank_scenes reads them from the score classes).
    everything = rank_queries.scope_rows(conn, SceneFilter())
    catalogue = (sum(row[3] for row in everything), sum(row[4] for row in everything))
    seeds = [row[0] for row in rows if row[6]] if params.w_duels > 0 else []
    pairs = rank_queries.duel_graph(conn, seeds) if seeds else {}
    strengths = bradley_terry_counts(pairs, params.bt_prior)
    totals = [
        (key, n, total, seen, duels, strengths.get(i) if duels else None)
        for i, key, _drama, n, total, seen, duels in rows
    ]
    scored = score_totals(totals, params, catalogue)
    order = list(scored.order)
    chosen: list[tuple[int, str | None, int | None]] = []
    groups = len(rows)
    if by == "scene":
        chosen = [(i, None, None) for i in (order if limit is None else order[:limit])]
    else:
        member: dict[int, list[tuple[object, str]]] = {}
        if by == "drama":
            titles = rank_queries.drama_titles(conn, [row[2] for row in rows])
            for i, row in enumerate(rows):
                member[i] = [(row[2], titles[row[2]])]
        else:
            cast = rank_queries.scene_actors(conn, [row[0] for row in rows])
            for i, row in enumerate(rows):
                people = cast.get(row[0], [])
                if by == "actor":
                    member[i] = list(people)
                else:
                    people = sorted(people, key=lambda a: (a[1], a[0]))
                    member[i] = [
                        ((a[0], b[0]), f"{a[1]} & {b[1]}")
                        for n, a in enumerate(people)
                        for b in people[n + 1 :]
                    ]
        sizes: dict[object, int] = {}
        for found in member.values():
            for group_id, _ in found:
                sizes[group_id] = sizes.get(group_id, 0) + 1
        seen_groups: set[object] = set()
        for i in order:
            for group_id, label in member[i]:
                if group_id not in seen_groups:
                    seen_groups.add(group_id)
                    chosen.append((i, label, sizes[group_id]))
        chosen = chosen if limit is None else chosen[:limit]
        groups = len(sizes)
    full = {s.id: s for s in scene_store.scenes_by_ids(conn, [rows[i][0] for i, _, _ in chosen])}
    entries = []
    for position, (i, group, size) in enumerate(chosen, 1):
        scene_id = rows[i][0]
        won = sum(t for (w, _), t in pairs.items() if w == scene_id)
        lost = sum(t for (_, lo), t in pairs.items() if lo == scene_id)
        entries.append(
            (
                position,
                full[scene_id].key,
                group,
                size,
                order.index(i) + 1,
                scored.parts(i),
                won,
                lost,
            )
        )
    # C of a scene without votes: the catalogue's votes started from 5.5 as if from m votes
    # (5.5 when there are none and m = 0).
    count, total = catalogue
    prior_mean = (total + params.m * 5.5) / (count + params.m) if count + params.m > 0 else 5.5
    return {
        "entries": entries,
        "scope_size": len(rows),
        "prior_mean": prior_mean,
        "groups": groups,
    }


def summary(result: Any) -> dict[str, Any]:
    return {
        "entries": [
            (
                e.position,
                e.scene.key,
                e.group,
                e.group_size,
                e.scene_position,
                e.parts,
                e.wins,
                e.losses,
            )
            for e in result.entries
        ],
        "scope_size": result.scope_size,
        "prior_mean": result.prior_mean,
        "groups": result.groups,
    }


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(6))
def test_rank_scenes_matches_the_straightforward_ranking(
    catalogue: Any, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scenecat.domain import rank_order
    from scenecat.domain.ranking import rank_scenes
    from scenecat.domain.scope import Scope

    conn = catalogue(random_catalogue(seed))
    # Small batches: several rounds of loading views before the top is settled; for --by,
    # several looks further down the order before enough groups are found.
    monkeypatch.setattr(ScopeRanker, "BATCH", 1 + seed % 3)
    monkeypatch.setattr(rank_order, "_GROUP_FIRST", 1)
    monkeypatch.setattr(rank_order, "_GROUP_LOOKAHEAD", 1)
    scopes = [Scope(), Scope(kind="kiss"), Scope(actors=(ACTORS[0],)), Scope(drama=DRAMAS[1])]
    for scope in scopes:
        for by in ("scene", "drama", "actor", "couple"):
            for method in ("combined", "votes", "duels", "views"):
                for limit in (1, 3, 20, None):
                    params = RankParams(m=2.0) if seed % 2 else RankParams()
                    got = rank_scenes(conn, scope, params, by=by, method=method, limit=limit)
                    want = straightforward(conn, scope, params, by, method, limit)
                    assert summary(got) == want, (scope, by, method, limit)


def test_couple_scope_and_custom_weights_match(catalogue: Any) -> None:
    from scenecat.domain.ranking import make_params, rank_scenes
    from scenecat.domain.scope import Scope

    conn = catalogue(random_catalogue(11, scenes=60))
    couple = (ACTORS[0], ACTORS[1])
    for weights in ((0.0, 1.0, 0.5), (0.6, 0.2, 0.2), (1.0, 0.0, 3.0), (0.3, 0.0, 0.0)):
        params = make_params(w_votes=weights[0], w_duels=weights[1], w_views=weights[2])
        for by in ("scene", "drama"):
            got = rank_scenes(conn, Scope(), params, by=by, limit=7, couple=couple)
            want = straightforward(conn, Scope(), params, by, "combined", 7, couple)
            assert summary(got) == want


def test_scenes_without_any_evidence_and_an_empty_scope(catalogue: Any) -> None:
    from scenecat.domain.ranking import rank_scenes
    from scenecat.domain.scope import Scope

    conn = catalogue([scene(f"quiet-{i}", "hug") for i in range(5)] + [scene("loud", "kiss")])
    # No votes anywhere: C = (0 + 5*5.5)/(0 + 5) = 5.5; no duels: 5; no count: 7.142863...
    # Every scene scores the priors, so all tie and go by key (no votes, no views).
    prior = {
        "combined": 5.5 * 0.6 + 5 * 0.2 + POP_PRIOR * 0.2,  # 3.3 + 1 + 1.428572... = 5.728572...
        "votes": 5.5,
        "duels": 5.0,
        "views": POP_PRIOR,
    }
    for method in ("combined", "votes", "duels", "views"):
        for by in ("scene", "drama", "couple"):
            got = rank_scenes(conn, Scope(kind="hug"), RankParams(), by=by, method=method, limit=3)
            want = straightforward(conn, Scope(kind="hug"), RankParams(), by, method, 3)
            assert summary(got) == want
            assert got.scope_size == 5 and got.prior_mean == 5.5
            for entry in got.entries:
                assert not entry.parts.has_signal
                assert entry.parts.score == pytest.approx(prior[method], abs=1e-12)
        got = rank_scenes(conn, Scope(kind="hug"), RankParams(), method=method, limit=None)
        assert [e.scene.key for e in got.entries] == [f"quiet-{i}" for i in range(5)]
    empty = rank_scenes(conn, Scope(kind="fight"), RankParams(), limit=3)
    assert (empty.entries, empty.scope_size, empty.prior_mean) == ([], 0, 5.5)


def test_duel_counts_agree_both_ways(catalogue: Any) -> None:
    """Counting the whole duel table (many scenes) or looking up each scene (few) gives the
    same counts for the scenes asked about."""
    from scenecat.storage import rank_queries

    keys = [f"d{i}" for i in range(12)]
    records: list[dict[str, Any]] = [scene(key) for key in keys]
    rng = random.Random(4)
    for n in range(15):
        winner, loser = rng.sample(keys[:10], 2)  # d10 and d11 never duel
        records.append(duel(winner, loser, voter=f"v{n}"))
    conn = catalogue(records)
    ids = [row[0] for row in conn.execute("SELECT id FROM scene ORDER BY id")]
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    every = rank_queries.duel_counts(conn, ids)  # 12 scenes * 3 >= 15 duels * 2: the whole table
    assert "SELECT winner_id, loser_id FROM duel" in statements
    expected: dict[int, int] = {}
    for winner, loser in conn.execute("SELECT winner_id, loser_id FROM duel"):
        expected[winner] = expected.get(winner, 0) + 1
        expected[loser] = expected.get(loser, 0) + 1
    assert every == expected and expected
    for scene_id in ids:  # one scene: looked up
        statements.clear()
        assert rank_queries.duel_counts(conn, [scene_id]) == (
            {scene_id: expected[scene_id]} if scene_id in expected else {}
        )
        assert any("json_each" in sql for sql in statements)
    conn.set_trace_callback(None)


def test_group_sizes_match_a_count_in_python(catalogue: Any) -> None:
    from scenecat.storage import rank_queries
    from scenecat.storage.scenes import SceneFilter

    conn = catalogue(random_catalogue(5))
    for filt in (SceneFilter(), SceneFilter(kind="kiss"), SceneFilter(network="TVN")):
        ids = rank_queries.scope_rows(conn, filt)
        cast = rank_queries.scene_actors(conn, [row[0] for row in ids])
        dramas: dict[object, int] = {}
        actors: dict[object, int] = {}
        couples: dict[object, int] = {}
        for row in ids:
            dramas[row[2]] = dramas.get(row[2], 0) + 1
            people = sorted(a for a, _ in cast.get(row[0], []))
            for n, a in enumerate(people):
                actors[a] = actors.get(a, 0) + 1
                for b in people[n + 1 :]:
                    couples[(a, b)] = couples.get((a, b), 0) + 1
        assert rank_queries.group_sizes(conn, filt, "drama") == dramas
        assert rank_queries.group_sizes(conn, filt, "actor") == actors
        assert rank_queries.group_sizes(conn, filt, "couple") == couples


def test_signals_query_reads_indexes_only(catalogue: Any) -> None:
    from scenecat.storage import rank_queries
    from scenecat.storage.scenes import SceneFilter

    conn = catalogue(random_catalogue(1))
    for views_too in (True, False):
        sql, params = rank_queries.signals_sql(SceneFilter(kind="kiss"), views=views_too)
        plan = "\n".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params))
        assert "COVERING INDEX scene_by_kind" in plan
        assert "COVERING INDEX vote_current_by_scene" in plan
        assert ("COVERING INDEX view_count_latest" in plan) == views_too
        assert "drama" not in plan  # no drama filter: no join
        assert "SCAN" not in plan
    sql, params = rank_queries.signals_sql(SceneFilter(network="tvN"))
    assert "JOIN drama d" in sql


def test_rank_command_output_does_not_depend_on_the_batch(
    db: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scenecat.domain.importing import import_file
    from scenecat.storage.connection import open_catalogue

    cat = open_catalogue(db)
    with cat.write("import") as conn:
        import_file(conn, write_catalogue(db.with_suffix(".jsonl"), random_catalogue(2, 60)))
    cat.close()
    for args in (["--kind", "kiss"], ["--by", "drama"], ["--by", "couple", "-n", "3"], []):
        first = cli("rank", "--json", *args)
        with monkeypatch.context() as patch:
            patch.setattr(ScopeRanker, "BATCH", 1)
            second = cli("rank", "--json", *args)
        assert first.exit_code == second.exit_code == 0
        assert first.stdout == second.stdout
        data = json.loads(first.stdout)
        assert data["meta"]["scope_size"] >= len(data["data"]) > 0
