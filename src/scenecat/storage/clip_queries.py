"""The SQL of clips: drama names and air dates to guess from, and the clip links of scenes."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

# Links that are clips: marked as such, or on a video site.
_CLIP_WHERE = (
    "(src.kind IN ('official-clip', 'fan-edit') OR src.url LIKE 'https://www.youtube.com/%' "
    "OR src.url LIKE 'https://youtube.com/%' OR src.url LIKE 'https://youtu.be/%' "
    "OR src.url LIKE 'https://m.youtube.com/%' OR src.url LIKE 'https://tv.naver.com/%')"
)


def drama_names(
    conn: sqlite3.Connection,
) -> list[tuple[int, str, list[str], int | None, dict[str, int]]]:
    """Every drama: id, title, [title, native, aliases...], episode count, air date -> episode."""
    result: dict[int, tuple[int, str, list[str], int | None, dict[str, int]]] = {}
    for drama_id, title, native, episodes in conn.execute(
        "SELECT id, title, native, episodes FROM drama ORDER BY id"
    ):
        result[drama_id] = (drama_id, title, [t for t in (title, native) if t], episodes, {})
    for drama_id, alias in conn.execute("SELECT drama_id, alias FROM drama_alias"):
        result[drama_id][2].append(alias)
    for drama_id, number, aired in conn.execute(
        "SELECT drama_id, number, aired FROM episode WHERE aired IS NOT NULL"
    ):
        result[drama_id][4][aired] = number
    return list(result.values())


def clip_links(
    conn: sqlite3.Connection, scene_ids: Sequence[int]
) -> list[tuple[int, str, str, str | None]]:
    """(scene id, scene key, clip URL, date of the latest count from that URL) per clip."""
    found: list[tuple[int, str, str, str | None]] = []
    for start in range(0, len(scene_ids), 500):
        batch = list(scene_ids[start : start + 500])
        marks = ",".join("?" * len(batch))
        found += conn.execute(
            "SELECT ss.scene_id, s.key, src.url, (SELECT max(observed_on) FROM view_count v "
            " WHERE v.scene_id = ss.scene_id AND v.source = src.url) "
            "FROM scene_source ss JOIN source src ON src.id = ss.source_id "
            f"JOIN scene s ON s.id = ss.scene_id WHERE ss.scene_id IN ({marks}) AND {_CLIP_WHERE} "
            "ORDER BY s.key, src.url",
            batch,
        ).fetchall()
    return found


def latest_count(conn: sqlite3.Connection, scene_id: int, url: str) -> int | None:
    """The count of the newest snapshot from this clip."""
    row = conn.execute(
        "SELECT count FROM view_count WHERE scene_id = ? AND source = ? "
        "ORDER BY observed_on DESC, count DESC LIMIT 1",
        (scene_id, url),
    ).fetchone()
    return int(row[0]) if row else None
