"""Watch progress: where the user is in each drama (one row per drama).

The table came with the first schema as (drama_id, episode) and nothing wrote it; migration
0010_watch_progress gives it what trackers keep: a status, the dates started and finished
and the day of the last change (docs/progress.md).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scenecat.storage.ddl import column_names, run_in_transaction_statements

if TYPE_CHECKING:
    from sqlite_utils import Database

# Statuses as trackers name them (MyDramaList's five), written with hyphens like scene kinds.
STATUSES = ("watching", "completed", "on-hold", "dropped", "plan-to-watch")
_STATUS_CHECK = ", ".join(f"'{s}'" for s in STATUSES)

# What 0010 adds to the first schema's two columns. ADD COLUMN keeps the rows, their rowids
# (drama_id is the rowid) and the table's place in the history: its logging triggers are
# made again from the live schema after the upgrade (changelog.install_triggers).
_NEW_COLUMNS = {
    "status": f"TEXT NOT NULL DEFAULT 'watching' CHECK (status IN ({_STATUS_CHECK}))",
    "started": "TEXT",
    "finished": "TEXT",
    "updated": "TEXT",
}


def upgrade_table(db: Database) -> None:
    """Migration 0010_watch_progress: status and dates; a row that already reached the
    drama's last episode is completed."""
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


@dataclass(frozen=True)
class ProgressRow:
    drama_id: int
    drama: str
    episodes: int | None  # the drama's episode count, when known
    episode: int  # episodes seen: 0 = not started
    status: str
    started: str | None = None
    finished: str | None = None
    updated: str | None = None


_SELECT = (
    "SELECT p.drama_id, d.title, d.episodes, p.episode, p.status, p.started, p.finished, "
    "p.updated FROM watch_progress p JOIN drama d ON d.id = p.drama_id"
)


def all_rows(conn: sqlite3.Connection) -> list[ProgressRow]:
    """Every drama's progress, by drama title."""
    return [ProgressRow(*row) for row in conn.execute(_SELECT + " ORDER BY d.title")]


def get(conn: sqlite3.Connection, drama_id: int) -> ProgressRow | None:
    row = conn.execute(_SELECT + " WHERE p.drama_id = ?", (drama_id,)).fetchone()
    return ProgressRow(*row) if row else None


def seen_map(conn: sqlite3.Connection) -> dict[int, tuple[int, str]]:
    """drama id -> (episodes seen, status): what a screen needs to hide spoilers. One small
    table read without a join (a catalogue of a million scenes still has few rows here); a
    catalogue whose table predates 0010 is upgraded before any command reads it; a
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


def put(conn: sqlite3.Connection, row: ProgressRow) -> None:
    """Insert or replace the row of `row.drama_id` (the history logs either)."""
    conn.execute(
        "INSERT INTO watch_progress (drama_id, episode, status, started, finished, updated) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (drama_id) DO UPDATE SET "
        "episode = excluded.episode, status = excluded.status, started = excluded.started, "
        "finished = excluded.finished, updated = excluded.updated",
        (row.drama_id, row.episode, row.status, row.started, row.finished, row.updated),
    )


def delete(conn: sqlite3.Connection, drama_id: int) -> bool:
    return conn.execute("DELETE FROM watch_progress WHERE drama_id = ?", (drama_id,)).rowcount > 0


@dataclass(frozen=True)
class DramaNames:
    """What matching a tracker's show against the catalogue reads of one drama."""

    id: int
    title: str
    native: str | None
    year: int | None
    episodes: int | None
    aliases: tuple[str, ...]
    ids: dict[str, str]


def dramas_for_matching(conn: sqlite3.Connection) -> list[DramaNames]:
    aliases: dict[int, list[str]] = {}
    for drama_id, alias in conn.execute("SELECT drama_id, alias FROM drama_alias ORDER BY alias"):
        aliases.setdefault(drama_id, []).append(alias)
    ids: dict[int, dict[str, str]] = {}
    for drama_id, source, ext_id in conn.execute(
        "SELECT drama_id, source, ext_id FROM drama_source_id"
    ):
        ids.setdefault(drama_id, {})[source] = ext_id
    return [
        DramaNames(i, title, native, year, episodes, tuple(aliases.get(i, ())), ids.get(i, {}))
        for i, title, native, year, episodes in conn.execute(
            "SELECT id, title, native, year, episodes FROM drama ORDER BY title"
        )
    ]


def last_episode_with_scenes(conn: sqlite3.Connection, drama_id: int) -> int | None:
    row = conn.execute("SELECT max(episode) FROM scene WHERE drama_id = ?", (drama_id,)).fetchone()
    return row[0] if row else None


def get_title(conn: sqlite3.Connection, drama_id: int) -> str:
    row = conn.execute("SELECT title FROM drama WHERE id = ?", (drama_id,)).fetchone()
    return str(row[0]) if row else f"drama #{drama_id}"


def favourite_of_kind(
    conn: sqlite3.Connection, kind: str, voter: str, other_than: int
) -> int | None:
    """The scene of `kind` the voter scores highest now (the latest-voted of equal scores):
    the watch-along's "your favourite kiss"."""
    row = conn.execute(
        "SELECT s.id FROM vote v JOIN scene s ON s.id = v.scene_id "
        "WHERE v.voter = ? AND v.current = 1 AND s.kind = ? AND s.id != ? "
        "ORDER BY v.score DESC, v.voted_on DESC, v.id DESC LIMIT 1",
        (voter, kind, other_than),
    ).fetchone()
    return int(row[0]) if row else None
