"""The SQL of a duel session: how often scenes have already met, and whether the scenes a
pair showed are still the ones with those ids."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence


def _ids(scene_ids: Sequence[int]) -> str:
    return json.dumps([int(i) for i in scene_ids])


def duels_between(conn: sqlite3.Connection, scene_ids: Sequence[int]) -> dict[tuple[int, int], int]:
    """Duels between any two of `scene_ids`, whoever won, by pair (lower id, higher id).

    Both ends must be in the set, so the duel_pair_by_winner index answers it from the
    winners' side alone."""
    if len(scene_ids) < 2:
        return {}
    met: dict[tuple[int, int], int] = {}
    rows = conn.execute(
        "WITH pool(id) AS (SELECT value FROM json_each(?1)) "
        "SELECT winner_id, loser_id, count(*) FROM duel "
        "WHERE winner_id IN pool AND loser_id IN pool GROUP BY winner_id, loser_id",
        (_ids(scene_ids),),
    )
    for winner, loser, times in rows:
        pair = (winner, loser) if winner < loser else (loser, winner)
        met[pair] = met.get(pair, 0) + int(times)
    return met


def identities(
    conn: sqlite3.Connection, scene_ids: Sequence[int]
) -> dict[int, tuple[str, int, int | None, str]]:
    """(key, drama id, episode, title) of each of `scene_ids` still in the catalogue."""
    rows = conn.execute(
        "SELECT id, key, drama_id, episode, title FROM scene "
        "WHERE id IN (SELECT value FROM json_each(?))",
        (_ids(scene_ids),),
    )
    return {row[0]: (row[1], row[2], row[3], row[4]) for row in rows}
