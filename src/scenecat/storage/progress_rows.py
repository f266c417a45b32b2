"""Watch progress as records: the rows `progress` lists and writes, and what `progress
import` and the watch-along read (drama names and ids, a favourite scene of a kind). The
table and the rule screens apply are in progress.py."""

from __future__ import annotations

import sqlite3
from typing import NamedTuple


# NamedTuples rather than dataclasses: every listing command imports this module to read
# the progress, and a NamedTuple class costs a tenth of a dataclass's to create.
class ProgressRow(NamedTuple):
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


class DramaNames(NamedTuple):
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
