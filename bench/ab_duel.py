#!/usr/bin/env python3
"""The write of one duel (`scenecat duel WINNER LOSER` in process), two trees side by side.

    python bench/ab_duel.py --old ../base --old-db OLD-COPY.db --new . --new-db NEW-COPY.db \\
        --pairs 30

The catalogues are written to (one duel per run): pass copies. Each tree gets a worker
process that keeps its catalogue open and records a duel the way the command does (one
change: `Catalogue.write` around `domain.catalogue.apply_duel`); the driver hands the same
pairs to both, alternately, and prints the median wall and CPU time per kind of pair:

- "two scenes at random": mostly scenes without duels or in a pair (at 1M scenes and 100,000
  duels, 72,000 components, half of the largest ten under 100 scenes);
- "inside the largest component": both scenes in the catalogue's largest duel component,
  whose every strength the new tree fits again in the duel's transaction.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

WORKER = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1] + "/src")
from pathlib import Path
from scenecat.domain.catalogue import apply_duel
from scenecat.domain.records import DuelRec
from scenecat.storage.connection import open_catalogue

cat = open_catalogue(Path(sys.argv[2]), create=False)
print("ready", flush=True)
for line in sys.stdin:
    winner, loser, voter = json.loads(line)
    wall, cpu = time.perf_counter(), time.process_time()
    with cat.write(f"duel {winner} {loser}") as conn:
        apply_duel(conn, DuelRec(winner=winner, loser=loser, voter=voter, on="2024-01-01"))
    print(time.perf_counter() - wall, time.process_time() - cpu, flush=True)
"""


class Worker:
    def __init__(self, tree: Path, db: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(tree), str(db)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        if self.proc.stdout.readline().strip() != "ready":
            raise SystemExit(f"worker for {tree} did not start")

    def run(self, pair: tuple[str, str, str]) -> tuple[float, float]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(pair) + "\n")
        self.proc.stdin.flush()
        wall, cpu = self.proc.stdout.readline().split()
        return float(wall), float(cpu)

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def largest_component(conn: sqlite3.Connection) -> list[int]:
    around: dict[int, list[int]] = defaultdict(list)
    for winner, loser in conn.execute("SELECT winner_id, loser_id FROM duel"):
        around[winner].append(loser)
        around[loser].append(winner)
    seen: set[int] = set()
    best: list[int] = []
    for start in around:
        if start in seen:
            continue
        members, stack = [start], [start]
        seen.add(start)
        while stack:
            for other in around[stack.pop()]:
                if other not in seen:
                    seen.add(other)
                    members.append(other)
                    stack.append(other)
        if len(members) > len(best):
            best = members
    return sorted(best)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", type=Path, required=True)
    parser.add_argument("--old-db", type=Path, required=True, help="a copy: it is written")
    parser.add_argument("--new", type=Path, required=True)
    parser.add_argument("--new-db", type=Path, required=True, help="a copy: it is written")
    parser.add_argument("--pairs", type=int, default=30, help="duels of each kind (30)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    conn = sqlite3.connect(args.new_db.resolve().as_uri() + "?mode=ro", uri=True)
    top = conn.execute("SELECT max(id) FROM scene").fetchone()[0]
    component = largest_component(conn)

    def key(scene_id: int) -> str:
        return str(conn.execute("SELECT key FROM scene WHERE id = ?", (scene_id,)).fetchone()[0])

    label = f"inside the largest component ({len(component)} scenes)"
    kinds: dict[str, list[tuple[str, str, str]]] = {"two scenes at random": [], label: []}
    for n in range(args.pairs):
        a, b = rng.sample(range(1, top + 1), 2)
        kinds["two scenes at random"].append((key(a), key(b), f"bench-r{n}"))
        a, b = rng.sample(component, 2)
        kinds[label].append((key(a), key(b), f"bench-c{n}"))
    conn.close()
    old, new = Worker(args.old, args.old_db), Worker(args.new, args.new_db)
    print(f"old {args.old} on {args.old_db}; new {args.new} on {args.new_db}")
    print(f"load average at start {os.getloadavg()[0]:.1f}; medians in ms (wall / CPU)")
    print(f"{'duel':<44} {'old wall':>9} {'new wall':>9} {'old CPU':>8} {'new CPU':>8}")
    try:
        for name, pairs in kinds.items():
            samples: dict[str, list[tuple[float, float]]] = {"old": [], "new": []}
            for turn, pair in enumerate(pairs):
                order = [("old", old), ("new", new)]
                for side, worker in order if turn % 2 == 0 else order[::-1]:
                    samples[side].append(worker.run(pair))
            med = {
                side: [statistics.median(s[i] for s in got) * 1000 for i in (0, 1)]
                for side, got in samples.items()
            }
            print(
                f"{name:<44} {med['old'][0]:>9.1f} {med['new'][0]:>9.1f} "
                f"{med['old'][1]:>8.1f} {med['new'][1]:>8.1f}"
            )
    finally:
        old.close()
        new.close()
    print(f"load average at end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
