"""Query plans of the ranking's scope reads at a size where the plan matters: a scope
filtered by its dramas (--network, --year) starts from the dramas that match
(0016_drama_filter_indexes), not from a scan of every scene; an actor's scope still starts
from the actor's scenes, whatever else filters it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from scenecat.storage import rank_queries
from scenecat.storage.scenes import SceneFilter


def plan(conn: sqlite3.Connection, scope: SceneFilter) -> str:
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        rank_queries.scope_members(conn, scope)
    finally:
        conn.set_trace_callback(None)
    return " | ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + statements[-1]))


def test_drama_filters_start_from_the_dramas(sample_db: Path) -> None:
    conn = sqlite3.connect(sample_db)
    try:
        actor = conn.execute("SELECT id FROM actor ORDER BY id LIMIT 1").fetchone()[0]
        by_network = plan(conn, SceneFilter(network="tvN"))
        assert by_network.startswith("SEARCH d USING COVERING INDEX drama_by_network")
        assert "SCAN" not in by_network
        by_year = plan(conn, SceneFilter(year=(2016, 2018)))
        assert by_year.startswith("SEARCH d USING COVERING INDEX drama_by_year")
        assert "SCAN" not in by_year
        with_actor = plan(conn, SceneFilter(network="tvN", actor_ids=(actor,)))
        assert "scene_actor_by_actor" in with_actor and "SCAN" not in with_actor
    finally:
        conn.close()
