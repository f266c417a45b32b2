"""Catalogue statistics: record totals and scene counts per kind, network, year and actor."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from scenecat.storage import scenes as scene_store

GROUPS = ("kind", "network", "year", "actor")
# Storage reports a missing network or year as "?"; JSON readers get null instead.
_UNKNOWN = "?"


@dataclass
class Count:
    value: str | int | None
    scenes: int


@dataclass
class Stats:
    totals: dict[str, int]
    groups: dict[str, list[Count]]
    actor_limit: int = 20  # the actor list is the busiest actors only


def _value(group: str, raw: str) -> str | int | None:
    if raw == _UNKNOWN and group in ("network", "year"):
        return None
    if group == "year":
        return int(raw)
    return raw


def catalogue_stats(conn: sqlite3.Connection) -> Stats:
    by = scene_store.scene_counts_by(conn)
    groups = {g: [Count(_value(g, value), n) for value, n in by.get(g, [])] for g in GROUPS}
    # Known years in order, then the scenes whose drama has no year.
    groups["year"].sort(key=lambda c: (c.value is None, c.value or 0))
    return Stats(scene_store.table_counts(conn), groups)


def stats_json(stats: Stats) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """`data`: one row per (group, value); `meta`: the record totals."""
    data = [
        {"group": group, "value": count.value, "scenes": count.scenes}
        for group in GROUPS
        for count in stats.groups[group]
    ]
    return data, {"totals": stats.totals, "actor_limit": stats.actor_limit}
