"""Integrity checks over the catalogue file."""

from __future__ import annotations

import sqlite3

from scenecat.storage import search_index


def problems(conn: sqlite3.Connection) -> list[str]:
    found: list[str] = []
    result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    if result != ["ok"]:
        found.extend(f"integrity: {line}" for line in result[:20])
    for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
        found.append(f"{table} row {rowid} points to a missing {parent}")
        if len(found) > 50:
            break
    found.extend(search_index.check(conn))
    bad_votes = conn.execute(
        "SELECT count(*) FROM (SELECT scene_id, voter FROM vote GROUP BY scene_id, voter "
        "HAVING sum(current) <> 1)"
    ).fetchone()[0]
    if bad_votes:
        found.append(f"{bad_votes} voter/scene pair(s) without exactly one current vote")
    return found
