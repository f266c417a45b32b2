"""ScopeRanker.from_classes (scoring/top_n.py), the ranker of the whole catalogue and of one
kind, gives exactly the order of scoring every scene (scores.score_totals) when it starts
from the stored histogram: score classes with their most views and strongest strength, and
members read most views first with their stored strengths, a page at a time.

These are pure tests: the histogram and the class reads come from rows made here, with many
ties, tops that are exact or only bounds, strengths given or left to be fitted, and the
order asked for in growing parts (as `rank --by drama` asks).
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenecat.scoring.params import RankParams
from scenecat.scoring.scores import duel_range, score_totals
from scenecat.scoring.top_n import ClassKey, Cursor, Member, ScopeRanker, StoredClass

# (scene_id, n_votes, vote_sum, latest_views, n_duels, strength)
Full = tuple[int, int, int, int | None, int, float | None]

PARAMS = {
    "combined": RankParams(),
    "votes": RankParams(w_votes=1.0, w_duels=0.0, w_views=0.0),
    "duels": RankParams(w_votes=0.0, w_duels=1.0, w_views=0.0),
    "views": RankParams(w_votes=0.0, w_duels=0.0, w_views=1.0),
    "heavy-views": RankParams(w_votes=0.2, w_duels=0.3, w_views=0.9),
}


def key_of(scene_id: int) -> str:
    return f"k{(scene_id * 7919) % 1009:04d}-{scene_id}"


@st.composite
def scopes(draw: st.DrawFn) -> list[Full]:
    rows: list[Full] = []
    for scene_id in range(1, draw(st.integers(0, 60)) + 1):
        n = draw(st.sampled_from([0, 0, 1, 1, 2, 3]))
        total = sum(draw(st.lists(st.sampled_from([1, 7, 9, 10]), min_size=n, max_size=n)))
        seen = draw(st.sampled_from([None, 0, 10, 999, 10**4, 10**4, 10**7, 10**9]))
        duels = draw(st.sampled_from([0, 0, 0, 1, 1, 2, 7]))
        strength = None
        if duels:  # a strength a fit can give (scores.duel_range)
            low, high = (v / 10 for v in duel_range(duels, RankParams().bt_prior))
            at = draw(st.sampled_from([0.0, 0.3, 0.5, 0.5, 1.0]))
            p = min(max(low + (high - low) * at, 1e-3), 1 - 1e-3)
            strength = p / (1 - p)
        rows.append((scene_id * 3, n, total, seen, duels, strength))
        # Twins: a class read a page at a time ends where the next scene has the same views.
        for twin in range(draw(st.sampled_from([0, 0, 0, 1, 3]))):
            rows.append((scene_id * 3 + 1 + twin % 2, n, total, seen, duels, strength))
    ids = [row[0] for row in rows]
    rows = [row for k, row in enumerate(rows) if row[0] not in ids[:k]]
    return draw(st.permutations(rows))


def histogram(
    rows: Sequence[Full], *, loose: bool, strengths: bool
) -> tuple[list[StoredClass], dict[ClassKey, list[Member]]]:
    """The stored classes of `rows` and each class's members in index order (most views
    first, then highest id). `loose`: tops above the real ones (still bounds); `strengths`:
    strengths stored (else the top strength is unknown and members carry none)."""
    members: dict[ClassKey, list[Member]] = {}
    for scene_id, n, total, seen, duels, strength in rows:
        key = (n, total, duels, seen is not None)
        members.setdefault(key, []).append((scene_id, seen, strength if strengths else None))
    classes: list[StoredClass] = []
    for key, found in members.items():
        found.sort(key=lambda m: (m[1] if m[1] is not None else -1, m[0]), reverse=True)
        views = [m[1] for m in found if m[1] is not None]
        top_views = max(views) if views else None
        known = [m[2] for m in found if m[2] is not None]
        top_strength = max(known) if known else None
        if loose:
            top_views = None if top_views is None else top_views * 3 + 1
            top_strength = None if top_strength is None else top_strength * 1.5
        classes.append((*key, len(found), top_views, top_strength))
    return classes, members


def loader(members: dict[ClassKey, list[Member]], reads: list[int]):  # type: ignore[no-untyped-def]
    def load(key: ClassKey, after: Cursor, limit: int | None) -> list[Member]:
        found = members[key]
        start = 0
        if after is not None:
            # The storage's cursor: strictly after (views, id) in the index order.
            start = next(
                (
                    i
                    for i, m in enumerate(found)
                    if ((m[1] if m[1] is not None else -1), m[0])
                    < ((after[0] if after[0] is not None else -1), after[1])
                ),
                len(found),
            )
        reads.append(key[0])
        return found[start:] if limit is None else found[start : start + limit]

    return load


def check(
    rows: list[Full],
    params: RankParams,
    wants: list[int],
    *,
    loose: bool,
    strengths: bool,
    batch: int,
) -> list[int]:
    # A scope of a larger catalogue: every score's prior comes from the catalogue's votes.
    n_all = sum(r[1] for r in rows) + 7
    totals = (n_all, sum(r[2] for r in rows) + 7 * 8)
    fitted = params.w_duels > 0
    reference = score_totals(
        [(key_of(i), n, s, v, d, st if d and fitted else None) for i, n, s, v, d, st in rows],
        params,
        totals,
    )
    by_id = {row[0]: row for row in rows}
    classes, members = histogram(rows, loose=loose, strengths=strengths)
    reads: list[int] = []

    class Ranker(ScopeRanker):
        BATCH = batch

    ranker = Ranker.from_classes(classes, loader(members, reads), params, totals)
    assert ranker.size == len(rows)
    given: dict[int, float] = {}
    keys = {i: key_of(i) for i in by_id}
    for want in wants:
        for _ in range(10_000):
            need_views, need_strengths = ranker.missing(want, given)
            assert need_views == []  # read with their classes
            if not need_strengths:
                break
            assert not strengths or not fitted, "a stored strength was asked for again"
            for index in need_strengths:
                scene_id = ranker.rows[index][0]
                strength = by_id[scene_id][5]
                assert strength is not None
                given[scene_id] = strength
        else:  # pragma: no cover
            raise AssertionError("missing() never settles")
        order = ranker.ranked(ranker.contenders(want), keys)[:want]
        expected = reference.order[:want]
        assert [ranker.rows[i][0] for i in order] == [rows[i][0] for i in expected]
        for index, ref in zip(order, expected, strict=True):
            scene_id = ranker.rows[index][0]
            assert ranker.parts(index, key_of(scene_id), given) == reference.parts(ref)
    return reads


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(
    scopes(),
    st.sampled_from(sorted(PARAMS)),
    st.lists(st.integers(0, 65), min_size=1, max_size=3),
    st.booleans(),
    st.booleans(),
    st.sampled_from([1, 2, 256]),
)
def test_the_stored_histogram_gives_exactly_the_full_sort(
    rows: list[Full], method: str, wants: list[int], loose: bool, strengths: bool, batch: int
) -> None:
    check(rows, PARAMS[method], sorted(wants), loose=loose, strengths=strengths, batch=batch)


def test_a_class_below_the_top_is_never_read() -> None:
    # Ten scenes with ten 10s and a million views, 500 with one 1 and few views, and one
    # class of one-vote scenes whose best has ten views: the top five come from the first
    # class alone; the classes of weak scenes, their tops known, are never read.
    rows: list[Full] = [(i, 10, 100, 10**6, 0, None) for i in range(1, 11)]
    rows += [(i, 1, 1, i % 7, 0, None) for i in range(100, 600)]
    rows += [(700, 2, 4, 10, 2, 1.0), (701, 2, 4, 3, 2, 0.9)]
    reads = check(rows, RankParams(), [5], loose=False, strengths=True, batch=256)
    assert reads == [10]
    for batch in (1, 2):
        check(rows, RankParams(), [5, 11, 600], loose=False, strengths=True, batch=batch)


def test_a_class_read_in_part_is_bounded_by_the_views_of_its_last_scene() -> None:
    # One class of 300 scenes (one vote of 10 each), views 1..300, and an unvoted scene
    # without a view count (C and the priors put it first). With a batch of 4, the class's
    # first page holds its four most viewed, which bound the rest: one page is read.
    rows: list[Full] = [(i, 1, 10, i, 0, None) for i in range(1, 301)]
    rows += [(1000, 0, 0, None, 0, None)]
    reads = check(rows, RankParams(), [3], loose=False, strengths=True, batch=4)
    assert sorted(reads) == [0, 1]


def test_twins_left_in_a_class_read_in_part_still_compete() -> None:
    # Ten scenes alike (one vote of 10, a million views, no duels) but for their keys: the
    # first is the one with the smallest key, wherever the first page of its class ends.
    rows: list[Full] = [(i, 1, 10, 10**6, 0, None) for i in range(1, 11)]
    rows += [(100 + i, 1, 9, 10**6, 0, None) for i in range(5)]
    for batch in (1, 2, 256):
        for wants in ([1], [2, 5], [12]):
            check(rows, RankParams(), wants, loose=False, strengths=True, batch=batch)
