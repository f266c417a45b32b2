"""`trending`: scenes by views gained per day between their snapshots in a window, measured
per source. Only rising scenes trend: a flat or falling count is measured and counted, never
listed.
"""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
from dataclasses import asdict, dataclass
from typing import Any

from scenecat.domain import browse
from scenecat.domain.scope import Scope
from scenecat.errors import UsageError
from scenecat.models import Scene, ViewCount
from scenecat.storage import rank_queries
from scenecat.storage import scenes as scene_store

MAX_TRENDING_DAYS = 36_500


@dataclass
class SourceTrend:
    source: str
    first: ViewCount
    last: ViewCount

    @property
    def gained(self) -> int:
        return self.last.count - self.first.count

    @property
    def days(self) -> int:
        assert self.first.on and self.last.on
        return (dt.date.fromisoformat(self.last.on) - dt.date.fromisoformat(self.first.on)).days

    @property
    def per_day(self) -> float:
        return self.gained / self.days


@dataclass
class TrendEntry:
    position: int
    scene: Scene
    per_day: float  # views gained per day, summed over the scene's sources
    gained: int  # views gained between the first and last snapshot of each source
    sources: list[SourceTrend]


@dataclass
class TrendResult:
    entries: list[TrendEntry]
    since: str
    until: str
    days: int
    single_snapshot: int  # scenes seen in the window whose growth cannot be measured
    measured: int  # rising scenes: growth measured and above 0 (entries may be fewer: --limit)
    not_rising: int = 0  # scenes whose growth was measured and is 0 or less


def parse_today(text: str | None) -> dt.date:
    from scenecat.domain.records import today

    if text is None:
        return today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--until {text!r} is not a date (YYYY-MM-DD)") from None


def trending(
    conn: sqlite3.Connection,
    days: int,
    today: dt.date,
    *,
    scope: Scope | None = None,
    limit: int | None = None,
) -> TrendResult:
    """Scenes by views gained per day between their snapshots inside the last `days` days.

    Growth is measured per source (an official upload and a fan edit are different counters):
    from the first to the last snapshot of that source inside the window, on different days.
    A scene's rate is the sum over its sources; only scenes whose rate is above 0 are listed
    (flat and falling ones are counted). Scenes seen in the window without two such
    snapshots from one source cannot be measured: they are left out and counted.
    """
    if not 1 <= days <= MAX_TRENDING_DAYS:
        raise UsageError(f"--days must be between 1 and {MAX_TRENDING_DAYS:,}, got {days}")
    browse.check_limit(limit)
    since = (today - dt.timedelta(days=days)).isoformat()
    until = today.isoformat()
    with rank_queries.read_snapshot(conn):
        filt = browse.resolve_scope(conn, scope or Scope())
        # Per scene and source, the first and the last snapshot in the window (by date, then
        # count), kept as plain values: a window can hold hundreds of thousands of snapshots.
        spans: dict[tuple[int, str], list[Any]] = {}
        for scene_id, source, on, count in rank_queries.view_snapshots(conn, filt, since, until):
            span = spans.get((scene_id, source))
            if span is None:
                spans[(scene_id, source)] = [on, count, on, count]
                continue
            if on < span[0] or (on == span[0] and count < span[1]):
                span[0], span[1] = on, count
            if on > span[2] or (on == span[2] and count > span[3]):
                span[2], span[3] = on, count
        seen: set[int] = set()
        growth: dict[int, list[SourceTrend]] = {}
        for (scene_id, source), (first_on, first, last_on, last) in sorted(spans.items()):
            seen.add(scene_id)
            if first_on != last_on:
                growth.setdefault(scene_id, []).append(
                    SourceTrend(
                        source,
                        ViewCount(count=first, on=first_on, source=source),
                        ViewCount(count=last, on=last_on, source=source),
                    )
                )
        rates = {
            scene_id: math.fsum(t.per_day for t in trends) for scene_id, trends in growth.items()
        }
        rising = [scene_id for scene_id, rate in rates.items() if rate > 0]
        keys = rank_queries.scene_keys(conn, rising)
        measured = sorted(
            (
                (-rates[scene_id], -sum(t.gained for t in growth[scene_id]), scene_id)
                for scene_id in rising
            ),
            key=lambda m: (m[0], m[1], keys[m[2]]),
        )
        chosen = measured if limit is None else measured[:limit]
        full = {s.id: s for s in scene_store.scenes_by_ids(conn, [m[2] for m in chosen])}
    entries = [
        TrendEntry(position, full[scene_id], -neg_rate, -neg_gained, growth[scene_id])
        for position, (neg_rate, neg_gained, scene_id) in enumerate(chosen, 1)
    ]
    return TrendResult(
        entries=entries,
        since=since,
        until=until,
        days=days,
        single_snapshot=len(seen) - len(growth),
        measured=len(measured),
        not_rising=len(growth) - len(measured),
    )


def trending_json(result: TrendResult) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    data = [
        {
            "position": e.position,
            "key": e.scene.key,
            "title": e.scene.title,
            "drama": e.scene.drama,
            "episode": e.scene.episode,
            "per_day": e.per_day,
            "gained": e.gained,
            "sources": [
                {
                    "source": t.source,
                    "from": asdict(t.first),
                    "to": asdict(t.last),
                    "gained": t.gained,
                    "days": t.days,
                    "per_day": t.per_day,
                }
                for t in e.sources
            ],
            "scene": browse.scene_json(e.scene),
        }
        for e in result.entries
    ]
    meta = {
        "count": len(result.entries),
        "measured": result.measured,
        "since": result.since,
        "until": result.until,
        "days": result.days,
        "single_snapshot": result.single_snapshot,
        "not_rising": result.not_rising,
    }
    return data, meta
