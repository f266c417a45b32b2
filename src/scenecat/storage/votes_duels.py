"""Fan signals: votes and duels."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator


def add_vote(
    conn: sqlite3.Connection, scene_id: int, voter: str, score: int, on: str | None
) -> bool:
    """Record a vote; it becomes the voter's current vote unless a later-dated one exists.

    Returns False when the very same vote is already recorded (re-import changes nothing).
    """
    same = conn.execute(
        "SELECT 1 FROM vote WHERE scene_id = ? AND voter = ? AND score = ? AND voted_on IS ?",
        (scene_id, voter, score, on),
    ).fetchone()
    if same:
        return False
    conn.execute(
        "INSERT INTO vote (scene_id, voter, score, voted_on, current) VALUES (?, ?, ?, ?, 0)",
        (scene_id, voter, score, on),
    )
    refresh_current_vote(conn, scene_id, voter)
    return True


def refresh_current_vote(conn: sqlite3.Connection, scene_id: int, voter: str) -> None:
    # The current vote is the latest by date, then by insertion; undated votes count as oldest.
    conn.execute(
        "UPDATE vote SET current = (id = (SELECT id FROM vote WHERE scene_id = ?1 AND voter = ?2 "
        "ORDER BY coalesce(voted_on, '') DESC, id DESC LIMIT 1)) "
        "WHERE scene_id = ?1 AND voter = ?2",
        (scene_id, voter),
    )


def current_vote(conn: sqlite3.Connection, scene_id: int, voter: str) -> int | None:
    row = conn.execute(
        "SELECT score FROM vote WHERE scene_id = ? AND voter = ? AND current = 1",
        (scene_id, voter),
    ).fetchone()
    return row[0] if row else None


def add_duel(
    conn: sqlite3.Connection, winner_id: int, loser_id: int, voter: str, on: str | None
) -> bool:
    same = conn.execute(
        "SELECT 1 FROM duel WHERE winner_id = ? AND loser_id = ? AND voter = ? AND decided_on IS ?",
        (winner_id, loser_id, voter, on),
    ).fetchone()
    if same:
        return False
    conn.execute(
        "INSERT INTO duel (winner_id, loser_id, voter, decided_on) VALUES (?, ?, ?, ?)",
        (winner_id, loser_id, voter, on),
    )
    return True


def iter_votes(conn: sqlite3.Connection) -> Iterator[tuple[str, int, str, str | None]]:
    """Every vote as (scene key, score, voter, date), in the order a catalogue file lists
    them, straight from the cursor: SQLite's sorter spills to disk, so a catalogue of any
    size is read in constant memory (a list of 3M votes took a gigabyte)."""
    yield from conn.execute(
        "SELECT s.key, v.score, v.voter, v.voted_on FROM vote v "
        "JOIN scene s ON s.id = v.scene_id ORDER BY s.key, v.voter, coalesce(v.voted_on, ''), v.id"
    )


def iter_duels(conn: sqlite3.Connection) -> Iterator[tuple[str, str, str, str | None]]:
    """Every duel as (winner key, loser key, voter, date), in file order, streamed as
    iter_votes is."""
    yield from conn.execute(
        "SELECT w.key, l.key, d.voter, d.decided_on FROM duel d "
        "JOIN scene w ON w.id = d.winner_id JOIN scene l ON l.id = d.loser_id "
        "ORDER BY w.key, l.key, d.voter, coalesce(d.decided_on, ''), d.id"
    )


def scene_votes(conn: sqlite3.Connection, scene_id: int) -> list[tuple[str, int, str | None]]:
    """Current votes of a scene: (voter, score, date)."""
    rows = conn.execute(
        "SELECT voter, score, voted_on FROM vote WHERE scene_id = ? AND current = 1 ORDER BY voter",
        (scene_id,),
    )
    return [(r[0], r[1], r[2]) for r in rows]


def duel_record(conn: sqlite3.Connection, scene_id: int) -> tuple[int, int]:
    won = conn.execute("SELECT count(*) FROM duel WHERE winner_id = ?", (scene_id,)).fetchone()[0]
    lost = conn.execute("SELECT count(*) FROM duel WHERE loser_id = ?", (scene_id,)).fetchone()[0]
    return int(won), int(lost)
