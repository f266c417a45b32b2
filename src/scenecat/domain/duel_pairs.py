"""The pairs of a duel session (`scenecat duel` with no keys), and its answers.

Each next pair is the one whose answer tells the ranking the most. The scores pairs are
compared on are the ranking's own (`ranking.rank_scenes`, the scores `rank` shows); nothing
here computes a score. The ranking is read again before every pair, so each answer, and any
other process's writes meanwhile, count for the next one.

Which scenes: the best `window` scenes of the scope's ranking (at first POOL), the ones a
debate is about; the window grows (x GROWTH) only when it holds no pair left to show. Which
pair: of the pairs of those scenes, each scene with its next POOL in the order, not shown
yet in this session, the one of highest value

    closeness x freshness x variety

- closeness = 4p(1 - p), where p = 1 / (1 + e^(-d / SPREAD)) and d is the difference of the
  two scores: 1 for equal scores, 0.79 a point apart, 0.18 three points apart. Whether
  the better of two scenes wins tells the ranking little; a close call tells it the most.
- freshness = 1 / (1 + the duels between the two already): the first answer about a pair
  is worth more than a tenth.
- variety = 1 / (1 + (times either scene was shown in this session) / 2): a session goes
  round the scenes rather than bringing back the one whose score is close to everything.

Ties go to the pair nearer the top (the sum of the two positions), then to the keys, so a
session on the same catalogue always offers the same pairs. A pair is never offered twice
in one session, whatever was answered (a skip included).

Scenes the fan may not be shown: `may_show`, a predicate on a Scene (None: every scene),
is applied to the ranked scenes before any pair is made, so a scene it rejects is never in
a pair; the window grows past them. Stored watch progress plugs in here (a scene past
where the fan is in its drama is not shown); so does anything else that rules scenes out.
"""

from __future__ import annotations

import math
import sqlite3
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from scenecat.domain.ranking import RankedEntry, rank_scenes
from scenecat.domain.scope import Scope
from scenecat.errors import InvalidInput
from scenecat.models import Scene
from scenecat.scoring.params import RankParams
from scenecat.storage import duel_queries, votes_duels
from scenecat.storage import scenes as scene_store

__all__ = [
    "GROWTH",
    "POOL",
    "SPREAD",
    "Contender",
    "MayShow",
    "Move",
    "Pair",
    "PairPicker",
    "Recorded",
    "Standing",
    "record_answer",
]

#: Scenes of the ranking a session starts from, and how far down a scene's partners go.
POOL = 40
#: How much the window grows when it holds no pair left to show.
GROWTH = 4
#: The score difference (0-10 scale) at which a pair's answer is about 3/4 certain.
SPREAD = 1.0

#: Whether a session may show a scene (watch progress, ...): True to show it.
MayShow = Callable[[Scene], bool]


@dataclass(frozen=True)
class Standing:
    position: int  # 1-based, in the session's scope
    score: float


@dataclass(frozen=True)
class Contender:
    """A scene of a pair, as the ranking stood when the pair was picked."""

    scene: Scene
    standing: Standing


@dataclass(frozen=True)
class Pair:
    first: Contender
    second: Contender
    met: int  # duels between the two before this one, anyone's

    @property
    def ids(self) -> tuple[int, int]:
        return self.first.scene.id, self.second.scene.id


@dataclass(frozen=True)
class Move:
    """A scene the session recorded a duel for: its standing before the session (when the
    session first saw it) and now; `after` None when it fell below the part of the ranking
    read (PairPicker.read_to)."""

    scene: Scene
    before: Standing
    after: Standing | None
    won: int  # in this session
    lost: int


@dataclass
class PairPicker:
    """The pair picking of one session: what it has shown, and the ranking as first read."""

    conn: sqlite3.Connection
    scope: Scope
    may_show: MayShow | None = None
    params: RankParams = field(default_factory=RankParams)
    window: int = POOL
    shown: set[tuple[int, int]] = field(default_factory=set)  # pairs offered, (lower, higher id)
    times: Counter[int] = field(default_factory=Counter)  # scene id -> pairs it was in
    before: dict[int, Standing] = field(default_factory=dict)
    scope_size: int = 0
    read_to: int = 0  # how far down the end's ranking was read (a scene lower is `below`)
    # The ranking start() read, for the first pair: no answer has changed it since.
    _fresh: list[RankedEntry] | None = field(default=None, init=False, repr=False)

    def _ranking(self, limit: int) -> list[RankedEntry]:
        result = rank_scenes(self.conn, self.scope, self.params, limit=limit)
        self.scope_size = result.scope_size
        for entry in result.entries:
            self.before.setdefault(entry.scene.id, _standing(entry))
        return result.entries

    def start(self) -> int:
        """Read the ranking before any answer (the standings the end compares with); the
        number of scenes in the scope. Fewer than two the session may show: InvalidInput."""
        entries = self._ranking(self.window)
        showable = [e for e in entries if self._may_show(e.scene)]
        while len(showable) < 2 and self.window < self.scope_size:
            entries = self._grown()
            showable = [e for e in entries if self._may_show(e.scene)]
        self._fresh = entries
        if len(showable) < 2:
            raise InvalidInput(
                f"nothing to duel: {_scenes(len(showable))} to show in these filters",
                hint="widen the filters (--actor, --kind, --drama, ...), or drop them",
            )
        return self.scope_size

    def _grown(self) -> list[RankedEntry]:
        self.window = min(self.window * GROWTH, self.scope_size)
        return self._ranking(self.window)

    def _may_show(self, scene: Scene) -> bool:
        return self.may_show is None or self.may_show(scene)

    def next_pair(self) -> Pair | None:
        """The most informative pair not shown yet (and marks it shown); None when every
        pair of the scope has been shown."""
        entries = self._fresh if self._fresh is not None else self._ranking(self.window)
        self._fresh = None
        while True:
            showable = [e for e in entries if self._may_show(e.scene)]
            chosen = self._best(showable)
            if chosen is not None or self.window >= self.scope_size:
                break
            entries = self._grown()
        if chosen is None:
            return None
        first, second, met = chosen
        pair = Pair(
            Contender(first.scene, _standing(first)),
            Contender(second.scene, _standing(second)),
            met,
        )
        self.shown.add(_key(*pair.ids))
        self.times.update(pair.ids)
        return pair

    def _best(self, entries: Sequence[RankedEntry]) -> tuple[RankedEntry, RankedEntry, int] | None:
        """The pair of highest value among `entries` (best first), with the duels between
        its two scenes; None when every pair has been shown."""
        met = duel_queries.duels_between(self.conn, [e.scene.id for e in entries])
        best: tuple[float, int, str, str] | None = None
        chosen: tuple[RankedEntry, RankedEntry, int] | None = None
        times = self.times
        for i, a in enumerate(entries):
            for b in entries[i + 1 : i + 1 + POOL]:
                pair = _key(a.scene.id, b.scene.id)
                if pair in self.shown:
                    continue
                d = a.parts.score - b.parts.score
                p = 1.0 / (1.0 + math.exp(-d / SPREAD))
                value = (
                    4.0
                    * p
                    * (1.0 - p)
                    / (1.0 + met.get(pair, 0))
                    / (1.0 + (times[a.scene.id] + times[b.scene.id]) / 2.0)
                )
                # Highest value, then nearest the top, then by keys (rank keys are unique).
                rank = (-value, a.position + b.position, a.scene.key, b.scene.key)
                if best is None or rank < best:
                    best, chosen = rank, (a, b, met.get(pair, 0))
        return chosen

    def moves(self, won: Counter[int], lost: Counter[int]) -> list[Move]:
        """How the scenes of the recorded duels (scene id -> wins, losses in this session)
        stand now against before the session, best first now; a scene removed meanwhile is
        left out."""
        ids = set(won) | set(lost)
        if not ids:
            return []
        # Far enough down for every scene as it stood before, with room to fall.
        deepest = max(self.before[i].position for i in ids)
        limit = min(max(self.window, 2 * deepest), max(self.scope_size, 1))
        now = {e.scene.id: e for e in self._ranking(limit) if e.scene.id in ids}
        self.read_to = limit
        found = {s.id: s for s in scene_store.scenes_by_ids(self.conn, sorted(ids))}
        moves = [
            Move(
                scene=now[i].scene if i in now else found[i],
                before=self.before[i],
                after=_standing(now[i]) if i in now else None,
                won=won[i],
                lost=lost[i],
            )
            for i in ids
            if i in found
        ]
        bottom = limit + 1
        moves.sort(key=lambda m: (m.after.position if m.after else bottom, m.scene.key))
        return moves


def _standing(entry: RankedEntry) -> Standing:
    return Standing(entry.position, entry.parts.score)


def _key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _scenes(count: int) -> str:
    return f"{count} scene" + ("" if count == 1 else "s")


@dataclass(frozen=True)
class Recorded:
    """What became of an answer: `created` False when the same duel (same winner, loser,
    voter and date) was recorded already; `gone` the keys of the pair's scenes removed
    from the catalogue since it was shown (then nothing was written)."""

    created: bool
    gone: tuple[str, ...] = ()


def record_answer(
    conn: sqlite3.Connection, pair: Pair, winner: int, voter: str, on: str | None
) -> Recorded:
    """Record the answer to `pair` (winner 1 or 2) inside the caller's write transaction.

    The scenes are the ones shown, by id: a scene whose key was changed since is still the
    one the fan judged, while one removed since (by another process) is reported rather
    than looked for by its key, which a new scene may have taken. An id SQLite gave again
    to a new scene (the removed one had the highest) is told apart by its key, drama,
    episode and title: the same id with another key and another title is another scene."""
    if winner not in (1, 2):
        raise InvalidInput(f"the winner of a pair is 1 or 2, got {winner!r}")
    first, second = pair.first.scene, pair.second.scene
    now = duel_queries.identities(conn, [first.id, second.id])
    gone = tuple(s.key for s in (first, second) if not _same(s, now.get(s.id)))
    if gone:
        return Recorded(created=False, gone=gone)
    win, lose = (first, second) if winner == 1 else (second, first)
    return Recorded(created=votes_duels.add_duel(conn, win.id, lose.id, voter, on))


def _same(scene: Scene, now: tuple[str, int, int | None, str] | None) -> bool:
    if now is None:
        return False
    key, drama_id, episode, title = now
    return key == scene.key or (drama_id, episode, title) == (
        scene.drama_id,
        scene.episode,
        scene.title,
    )
