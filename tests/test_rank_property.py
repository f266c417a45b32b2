"""Property: the order in which votes and duels were recorded never changes `rank`.

Two catalogues get the same scenes and the same votes and duels, written in two different
orders through the same domain functions the `vote` and `duel` commands use; every ranking of
them must be identical, number for number.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_rank import scene, views, write_catalogue

pytestmark = pytest.mark.slow

KEYS = [f"s{i}-scene" for i in range(6)]
VOTERS = ["me", "ann", "bob", "cho"]
DAYS = [f"2021-01-0{d}" for d in range(1, 6)]

# A vote is (scene, voter, day, score); one vote per scene, voter and day, so "the latest vote"
# is defined by the facts alone (two votes of one voter on one day would be told apart only by
# the order they were typed in, which is what a later vote replacing an earlier one means).
votes_st = st.lists(
    st.tuples(
        st.sampled_from(KEYS), st.sampled_from(VOTERS), st.sampled_from(DAYS), st.integers(1, 10)
    ),
    max_size=30,
    unique_by=lambda v: (v[0], v[1], v[2]),
)
duels_st = st.lists(
    st.tuples(
        st.sampled_from(KEYS), st.sampled_from(KEYS), st.sampled_from(VOTERS), st.sampled_from(DAYS)
    ).filter(lambda d: d[0] != d[1]),
    max_size=20,
)


@st.composite
def scenes_st(draw: st.DrawFn) -> list[dict[str, Any]]:
    records = []
    for key in KEYS:
        counts = draw(st.lists(st.integers(0, 10**8), max_size=2))
        records.append(
            scene(
                key,
                draw(st.sampled_from(["kiss", "fight"])),
                actors=draw(
                    st.lists(
                        st.sampled_from(["Alpha Actor", "Beta Actor", "Gamma Actor"]),
                        min_size=1,
                        max_size=3,
                        unique=True,
                    )
                ),
                drama=draw(st.sampled_from(["Test Drama", "Other Drama"])),
                views=[views(c, DAYS[i]) for i, c in enumerate(counts)],
            )
        )
    return records


def _build(folder: Path, name: str, base: list[dict[str, Any]], votes: list, duels: list) -> Any:
    from scenecat.domain.catalogue import apply_duel, apply_vote
    from scenecat.domain.importing import import_file
    from scenecat.domain.records import DuelRec, VoteRec
    from scenecat.storage.connection import open_catalogue

    cat = open_catalogue(folder / f"{name}.db")
    with cat.write("base") as conn:
        import_file(conn, write_catalogue(folder / f"{name}.jsonl", base))
    with cat.write("signals") as conn:
        for key, voter, day, score in votes:
            apply_vote(conn, VoteRec(scene=key, score=score, voter=voter, on=day))
        for winner, loser, voter, day in duels:
            apply_duel(conn, DuelRec(winner=winner, loser=loser, voter=voter, on=day))
    return cat


def _rankings(conn: Any) -> list[Any]:
    from scenecat.domain.rank_why import why
    from scenecat.domain.ranking import rank_scenes
    from scenecat.domain.scope import Scope
    from scenecat.scoring.params import RankParams

    out = []
    for scope in (Scope(), Scope(kind="kiss"), Scope(actors=("Alpha Actor",))):
        for by in ("scene", "drama", "couple"):
            for method in ("combined", "votes", "duels"):
                result = rank_scenes(conn, scope, RankParams(m=2.0), by=by, method=method)
                out.append(
                    (result.prior_mean, result.scope_size, result.groups)
                    + tuple(
                        (e.position, e.scene.key, e.group, e.parts, e.wins, e.losses, why(e))
                        for e in result.entries
                    )
                )
    return out


@settings(max_examples=25, deadline=None)
@given(scenes_st(), votes_st, duels_st, st.data())
def test_shuffling_votes_and_duels_never_changes_rank(
    base: list[dict[str, Any]], votes: list, duels: list, data: st.DataObject
) -> None:
    other_votes = data.draw(st.permutations(votes))
    other_duels = data.draw(st.permutations(duels))
    with tempfile.TemporaryDirectory() as folder:
        first = _build(Path(folder), "first", base, votes, duels)
        second = _build(Path(folder), "second", base, other_votes, other_duels)
        try:
            assert _rankings(first.conn) == _rankings(second.conn)
        finally:
            first.close()
            second.close()
