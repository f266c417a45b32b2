"""`watch DRAMA EP`: an episode's scenes while you watch it, then your votes.

Each answer is its own write (one history change each), so Ctrl-C in the middle keeps what
was answered. The episode's spoiler scenes past your progress are masked in the listing
until the episode is marked seen (the guard of progress_guard.py).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from scenecat.domain import names, progress, progress_guard
from scenecat.errors import InvalidInput
from scenecat.models import Scene
from scenecat.storage import dramas as drama_store
from scenecat.storage import progress_rows as store
from scenecat.storage import scenes
from scenecat.storage.scenes import SceneFilter
from scenecat.text import format_clock

VOTER = "me"
_CLIP_KINDS = ("official-clip", "fan-edit", "episode")


@dataclass(frozen=True)
class WatchScene:
    id: int
    key: str
    title: str
    kind: str
    spoiler: str
    at: str  # "52:10", or "" when the time is not known
    clip: str  # the first clip's link ("" when none)


@dataclass(frozen=True)
class EpisodeView:
    drama: str
    drama_id: int
    episode: int
    scenes: list[WatchScene]
    hidden: int  # scenes masked (past your progress)


def _clip(scene: Scene) -> str:
    links = sorted(
        scene.sources,
        key=lambda s: _CLIP_KINDS.index(s.kind) if s.kind in _CLIP_KINDS else len(_CLIP_KINDS),
    )
    return links[0].url if links else ""


def _watch_scene(scene: Scene, masked: bool) -> WatchScene:
    at = (format_clock(scene.at) if scene.at is not None else None) or ""
    if masked:
        title = progress_guard.masked_title(None) + (f" at {at}" if at else "")
        return WatchScene(scene.id, "", title, "hidden", "hidden", at, "")
    return WatchScene(scene.id, scene.key, scene.title, scene.kind, scene.spoiler, at, _clip(scene))


def episode(conn: sqlite3.Connection, drama: str, number: int, mode: str = "hide") -> EpisodeView:
    drama_id = names.resolve_drama(conn, drama)
    record = drama_store.get_drama(conn, drama_id)
    if number < 1 or (record.episodes is not None and number > record.episodes):
        count = f"episodes 1..{record.episodes}" if record.episodes else "episodes from 1"
        raise InvalidInput(f"{record.title} has no episode {number} ({count})")
    guard = progress_guard.load_guard(conn, mode)
    found = scenes.list_scenes(conn, SceneFilter(drama_id=drama_id, episode=number))
    shown = [_watch_scene(s, guard.hides_scene(s)) for s in found]
    hidden = sum(1 for s in found if guard.hides_scene(s))
    return EpisodeView(record.title, drama_id, number, shown, hidden)


def mark_seen(conn: sqlite3.Connection, view: EpisodeView) -> progress.Change:
    """The episode seen, inside the caller's write: progress moves on, never back (watching
    episode 3 again after episode 8 keeps 8)."""
    before = store.get(conn, view.drama_id)
    if before is not None and (before.episode >= view.episode or before.status == "completed"):
        return progress.Change(view.drama, before, before)
    change = progress.planned(conn, view.drama_id, episode=view.episode)
    progress.put(conn, change)
    return change


def to_vote(conn: sqlite3.Connection, view: EpisodeView) -> list[WatchScene]:
    """The episode's scenes you have not voted on, shown in full (you have seen them now)."""
    from scenecat.storage import votes_duels

    found = scenes.list_scenes(conn, SceneFilter(drama_id=view.drama_id, episode=view.episode))
    return [
        _watch_scene(s, False) for s in found if votes_duels.current_vote(conn, s.id, VOTER) is None
    ]


def favourite(conn: sqlite3.Connection, item: WatchScene) -> WatchScene | None:
    """Your highest-voted other scene of the same kind, to duel against."""
    found = store.favourite_of_kind(conn, item.kind, VOTER, item.id)
    if found is None:
        return None
    return _watch_scene(scenes.scenes_by_ids(conn, [found])[0], False)


def vote(conn: sqlite3.Connection, item: WatchScene, answer: str) -> str:
    """Record a vote typed as an answer, inside the caller's write."""
    from scenecat.domain.catalogue import apply_vote
    from scenecat.domain.fast_parsers import parse_vote
    from scenecat.domain.records import today

    rec = parse_vote(
        {"scene": item.key, "score": answer, "voter": VOTER, "on": today().isoformat()}, "vote"
    )
    apply_vote(conn, rec)
    from scenecat.domain.write_rules import gave_vote

    return gave_vote(VOTER, rec.score, item.key)


def duel(conn: sqlite3.Connection, winner: WatchScene, loser: WatchScene) -> str:
    from scenecat.domain.catalogue import apply_duel
    from scenecat.domain.records import DuelRec, today

    apply_duel(conn, DuelRec(winner.key, loser.key, VOTER, today().isoformat()))
    return f"Recorded: {winner.key} beats {loser.key}"
