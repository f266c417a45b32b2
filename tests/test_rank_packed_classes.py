"""A joined scope (--actor, --network, --year...) is classed in memory from rows that carry
their score class packed into one integer (storage/rank_queries.scope_members). A catalogue
whose counts could overflow the packing reads the four counts as they are instead; both
reads must rank exactly alike, and the packing must give back the counts it was given."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from scenecat.storage import rank_queries
from scenecat.storage.scenes import SceneFilter
from tests.test_rank_scope_plans import plan as scope_plan


def _members(db: Path, scope: SceneFilter) -> list[rank_queries.MemberRow]:
    conn = sqlite3.connect(db)
    try:
        return rank_queries.scope_members(conn, scope)
    finally:
        conn.close()


def test_packed_classes_give_back_the_stored_counts(sample_db: Path) -> None:
    conn = sqlite3.connect(sample_db)
    try:
        actor = conn.execute(
            "SELECT actor_id FROM scene_actor GROUP BY actor_id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]
        stored = {
            row[0]: row[1:]
            for row in conn.execute(
                "SELECT g.scene_id, g.votes, g.vote_sum, g.duels, g.has_views, g.views "
                "FROM scene_signal g JOIN scene_actor sa ON sa.scene_id = g.scene_id "
                "WHERE sa.actor_id = ?",
                (actor,),
            )
        }
    finally:
        conn.close()
    members = _members(sample_db, SceneFilter(actor_ids=(actor,)))
    assert len(members) == len(stored) > 1
    assert any(isinstance(m[1], int) and m[1] > 1 for m in members)  # packed, not tuples
    for scene_id, packed, views, _ in members:
        assert (*rank_queries.unpack_class(packed), views) == stored[scene_id]


def test_the_largest_counts_round_trip() -> None:
    top = (
        (1 << rank_queries._VOTE_BITS) - 1,
        (1 << rank_queries._SUM_BITS) - 1,
        (1 << rank_queries._DUEL_BITS) - 1,
        1,
    )
    votes, vote_sum, duels, has_views = top
    packed = ((votes << rank_queries._SUM_BITS | vote_sum) << rank_queries._DUEL_BITS | duels) << 1
    assert packed | has_views < 1 << 63  # a SQLite integer
    assert rank_queries.unpack_class(packed | has_views) == top


@pytest.mark.parametrize(
    "args",
    [
        ("--actor", "Ji Chang Wook"),
        ("--network", "tvN"),
        ("--actor", "Ji Chang Wook", "--by", "drama"),
        ("--network", "tvN", "--method", "duels", "--limit", "50"),
    ],
)
def test_counts_too_large_to_pack_rank_alike(
    sample_db: Path, cli, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    packed = cli("rank", *args, "--json")
    assert packed.exit_code == 0, packed.stderr
    assert json.loads(packed.stdout)["data"]
    # As if the catalogue held a scene with more votes than the packing has room for.
    monkeypatch.setattr(rank_queries, "_VOTE_BITS", 0)
    unpacked = cli("rank", *args, "--json")
    assert unpacked.exit_code == 0, unpacked.stderr
    assert unpacked.stdout == packed.stdout


def test_an_actor_scope_reads_no_scene_row(sample_db: Path) -> None:
    """Actors, a tag and a kind are answered from scene_signal's id and kind: the scope's
    read goes from the actor's index to scene_signal by id (a join, no temporary list of the
    actor's scenes), not through `scene` (a page read per scene of a busy actor at 1M)."""
    conn = sqlite3.connect(sample_db)
    try:
        actor = conn.execute("SELECT id FROM actor ORDER BY id LIMIT 1").fetchone()[0]
        tag = conn.execute("SELECT tag FROM scene_tag LIMIT 1").fetchone()[0]
        for scope in (
            SceneFilter(actor_ids=(actor,)),
            SceneFilter(actor_ids=(actor,), kind="kiss", tag=tag),
        ):
            plan = scope_plan(conn, scope).split(" | ")
            assert any(
                step.startswith("SEARCH sa USING COVERING INDEX scene_actor_by_actor")
                for step in plan
            ), plan
            assert "SEARCH g USING INTEGER PRIMARY KEY (rowid=?)" in plan, plan
            assert not any(step.split()[1] == "s" for step in plan), plan
        assert not SceneFilter(actor_ids=(actor,), kind="kiss", tag=tag).needs_scene_row()
        assert SceneFilter(actor_ids=(actor,), network="tvN").needs_scene_row()
        assert SceneFilter(actor_ids=(actor,), episode=1).needs_scene_row()
    finally:
        conn.close()
