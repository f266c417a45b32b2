#!/usr/bin/env python3
"""Benchmark a duel session (`scenecat duel` with no keys): the wait between an answer and
the next pair, in process, against one `rank` measured in the same run.

    python bench/generate.py --scenes 1m -o /tmp/s1m.jsonl
    scenecat --db /tmp/s1m.db import /tmp/s1m.jsonl
    python bench/bench_duel.py --db /tmp/s1m.db --meta /tmp/s1m.jsonl.meta.json

For the whole catalogue, `--kind kiss`, the busiest and a typical actor (named by the
generator's .meta.json) it plays a session as domain/duel_pairs.py and cli/duel_session.py
do, answers alternating 1 and 2, and prints the median time of

- "next pair": from an answer to the next pair ready to draw: the answer written in its own
  transaction and history change (`record_answer` inside `Catalogue.write`), the ranking
  read again (`rank_scenes`, the session's window of the best scenes), the pair picked and
  both scenes' cards made (`make_card`);
- "rank" (the baseline): `rank_scenes` of the same scope, top 20, as `scenecat rank` runs it;

taking turns round by round, so that the load of a shared machine falls on both alike; and
their ratio, in wall time and in the process's CPU time (what a loaded shared machine
changes least). Also, once per scope: the start of a session (the first ranking and pair) and
its end (`PairPicker.moves`, the table of how the ranking moved). Target (issue 22): the next
pair within 500 ms at 1M scenes.

The session's duels are written to the catalogue (voter `bench-duel`) and taken back at the
end with one undo, as `scenecat undo N` would; the catalogue keeps the undo in its history.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from scenecat.domain import history  # noqa: E402
from scenecat.domain.duel_cards import make_card  # noqa: E402
from scenecat.domain.duel_pairs import Pair, PairPicker, record_answer  # noqa: E402
from scenecat.domain.ranking import rank_scenes  # noqa: E402
from scenecat.domain.scope import Scope  # noqa: E402
from scenecat.scoring.params import RankParams  # noqa: E402
from scenecat.storage.connection import Catalogue, open_catalogue  # noqa: E402

TARGET_MS = 500.0
VOTER = "bench-duel"
ON = "2026-11-01"


class Session:
    """A session played as the CLI plays it, without the terminal."""

    def __init__(self, cat: Catalogue, scope: Scope) -> None:
        self.cat = cat
        self.picker = PairPicker(cat.conn, scope)
        self.pair: Pair | None = None
        self.answers = 0
        self.won: Counter[int] = Counter()
        self.lost: Counter[int] = Counter()

    def first(self) -> None:
        self.picker.start()
        self._next()

    def _next(self) -> None:
        self.pair = self.picker.next_pair()
        if self.pair is None:
            raise SystemExit("the scope ran out of pairs; use a larger one or fewer --repeat")
        for contender in (self.pair.first, self.pair.second):
            make_card(contender.scene, "warn")

    def answer(self) -> None:
        pair = self.pair
        assert pair is not None
        winner = 1 + self.answers % 2
        win, lose = (pair.first, pair.second) if winner == 1 else (pair.second, pair.first)
        with self.cat.write(f"duel {win.scene.key} {lose.scene.key}") as conn:
            if not record_answer(conn, pair, winner, VOTER, ON).created:
                raise SystemExit(f"the duel {win.scene.key} {lose.scene.key} was there already")
        self.answers += 1
        self.won[win.scene.id] += 1
        self.lost[lose.scene.id] += 1
        self._next()

    def end(self) -> None:
        self.picker.moves(self.won, self.lost)


def once_ms(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def timed(fn: Callable[[], object], wall: list[float], cpu: list[float]) -> None:
    """Run `fn`, adding its wall and CPU time (ms) to the lists: the CPU time is this
    process's own, the figure a loaded shared machine changes least."""
    started, used = time.perf_counter(), time.process_time()
    fn()
    cpu.append((time.process_time() - used) * 1000)
    wall.append((time.perf_counter() - started) * 1000)


def take_back(cat: Catalogue, count: int) -> None:
    if count:
        with cat.write("undo") as conn:
            history.undo(conn, count)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="imported catalogue (written)")
    parser.add_argument("--meta", type=Path, required=True, help="generator's .meta.json")
    parser.add_argument("--repeat", type=int, default=15, help="answers timed per scope (15)")
    args = parser.parse_args(argv)

    meta = json.loads(args.meta.read_text(encoding="utf-8"))
    cat = open_catalogue(args.db, create=False)
    conn = cat.conn
    counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("scene", "vote", "duel")}  # fmt: skip
    print(
        f"catalogue {args.db}: {counts['scene']:,} scenes, {counts['vote']:,} votes, "
        f"{counts['duel']:,} duels"
    )
    print(
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{args.repeat} answers per scope, medians in ms; load {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{'':<16} {'':>9} {'next pair':>12} {'rank top 20':>12} {'ratio':>13} {'once (wall)':>13}"
    )
    print(
        f"{'scope':<16} {'scenes':>9} {'wall':>6} {'CPU':>5} {'wall':>6} {'CPU':>5} "
        f"{'wall':>6} {'CPU':>6} {'start':>6} {'end':>6}  target (next pair, wall)"
    )
    params = RankParams()
    ok = True
    for label, scope, target in (
        ("whole catalogue", Scope(), TARGET_MS),
        ("--kind kiss", Scope(kind="kiss"), None),
        ("busiest actor", Scope(actors=(meta["busiest_actor"],)), None),
        ("typical actor", Scope(actors=(meta["typical_actor"],)), None),
    ):
        session = Session(cat, scope)
        start = once_ms(session.first)
        walls: dict[str, list[float]] = {"next": [], "rank": []}
        cpus: dict[str, list[float]] = {"next": [], "rank": []}
        try:
            # One untimed round first (caches), then answer and rank take turns.
            session.answer()
            rank_scenes(conn, scope, params, limit=20)
            for _ in range(args.repeat):
                timed(session.answer, walls["next"], cpus["next"])
                timed(
                    lambda scope=scope: rank_scenes(conn, scope, params, limit=20),
                    walls["rank"],
                    cpus["rank"],
                )
            end = once_ms(session.end)
        finally:
            take_back(cat, session.answers)
        wall = {name: statistics.median(values) for name, values in walls.items()}
        cpu = {name: statistics.median(values) for name, values in cpus.items()}
        met = "-" if target is None else ("yes" if wall["next"] < target else "**no**")
        ok = ok and met != "**no**"
        wanted = f"< {target:.0f} ms: {met}" if target is not None else ""
        print(
            f"{label:<16} {session.picker.scope_size:>9,} "
            f"{wall['next']:>6.0f} {cpu['next']:>5.0f} {wall['rank']:>6.0f} {cpu['rank']:>5.0f} "
            f"{wall['next'] / wall['rank']:>5.2f}x {cpu['next'] / cpu['rank']:>5.2f}x "
            f"{start:>6.0f} {end:>6.0f}  {wanted}"
        )
    left = conn.execute("SELECT count(*) FROM duel WHERE voter = ?", (VOTER,)).fetchone()[0]
    cat.close()
    if left:
        print(f"warning: {left} duels of {VOTER} are still in the catalogue", file=sys.stderr)
        return 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
