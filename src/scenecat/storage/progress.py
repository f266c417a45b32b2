"""Watch progress: where the user is in each drama (one row per drama).

The table came with the first schema as (drama_id, episode) and nothing wrote it; migration
0012_watch_progress gives it what trackers keep: a status, the dates started and finished
and the day of the last change (docs/progress.md).

This module is what every screen reads (seen_map, the rule); the rows as records, their
writes and what progress import matches against are in progress_rows.py, which only the
progress commands import (start-up of `list scenes`, `search`, `rank`).
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

# Statuses as trackers name them (MyDramaList's five), written with hyphens like scene kinds.
STATUSES = ("watching", "completed", "on-hold", "dropped", "plan-to-watch")
_STATUS_CHECK = ", ".join(f"'{s}'" for s in STATUSES)

# What 0012 adds to the first schema's two columns. ADD COLUMN keeps the rows, their rowids
# (drama_id is the rowid) and the table's place in the history: its logging triggers are
# made again from the live schema after the upgrade (changelog.install_triggers).
_NEW_COLUMNS = {
    "status": f"TEXT NOT NULL DEFAULT 'watching' CHECK (status IN ({_STATUS_CHECK}))",
    "started": "TEXT",
    "finished": "TEXT",
    "updated": "TEXT",
}


def upgrade_table(db: Database) -> None:
    """Migration 0012_watch_progress: status and dates; a row that already reached the
    drama's last episode is completed."""
    from scenecat.storage.ddl import column_names, run_in_transaction_statements

    have = set(column_names(db.conn, "watch_progress"))
    statements = [
        f"ALTER TABLE watch_progress ADD COLUMN {name} {ddl}"
        for name, ddl in _NEW_COLUMNS.items()
        if name not in have
    ]
    statements.append(
        "UPDATE watch_progress SET status = 'completed' WHERE episode >= "
        "(SELECT episodes FROM drama WHERE drama.id = watch_progress.drama_id)"
    )
    run_in_transaction_statements(db, statements)


def seen_map(conn: sqlite3.Connection) -> dict[int, tuple[int, str]]:
    """drama id -> (episodes seen, status): what a screen needs to hide spoilers. One small
    table read without a join (a catalogue of a million scenes still has few rows here); a
    catalogue whose table predates 0012 is upgraded before any command reads it; a
    published copy has no table at all (site_queries.PRIVATE_TABLES): no progress."""
    try:
        rows = conn.execute("SELECT drama_id, episode, status FROM watch_progress").fetchall()
    except sqlite3.OperationalError:
        return {}
    return {d: (e, s) for d, e, s in rows}


def is_past_progress(
    seen: tuple[int, str] | None, episode: int | None, spoiler: str | None
) -> bool:
    """The rule (docs/progress.md): a spoiler scene after the last episode seen (or of an
    unknown episode) of a drama not completed. `seen` is seen_map()'s (episodes, status).
    Here, below the domain, so that the website's SQL helpers apply the same rule;
    domain/progress_guard.py is where commands reach it."""
    if seen is None or spoiler in (None, "none") or seen[1] == "completed":
        return False
    return episode is None or episode > seen[0]


def past_progress_of(conn: sqlite3.Connection, scene_id: int) -> int | None:
    """Episodes seen of the scene's drama when the scene is past the progress, else None."""
    row = conn.execute(
        "SELECT drama_id, episode, spoiler FROM scene WHERE id = ?", (scene_id,)
    ).fetchone()
    if row is None:
        return None
    seen = seen_map(conn).get(row[0])
    return seen[0] if seen is not None and is_past_progress(seen, row[1], row[2]) else None
