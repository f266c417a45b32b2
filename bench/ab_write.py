#!/usr/bin/env python3
"""One write of `duel`, `vote` or `views` in process, two trees side by side.

    python bench/ab_write.py --old ../base --old-db OLD-COPY.db --new . --new-db NEW-COPY.db \\
        --writes 30

The catalogues are written to (one change per run): pass copies. Each tree gets a worker
process that keeps its catalogue open and writes the way the command does (one change:
`Catalogue.write` around `domain.catalogue.apply_duel`, `apply_vote` or `record_view`); the
driver hands the same writes to both, alternately, and prints the median wall and CPU time
per kind:

- a duel between two scenes at random: mostly scenes without duels or in a pair (at 1M
  scenes and 100,000 duels, 72,000 components, the largest of 201 scenes);
- a duel inside the largest component, whose every strength the new tree fits again in the
  duel's transaction;
- a vote, and a view count, on a scene at random: its score class and the class's tops move.
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
from scenecat.domain.catalogue import apply_duel, apply_vote, record_view
from scenecat.domain.names import resolve_scene
from scenecat.domain.records import DuelRec, VoteRec
from scenecat.storage.connection import open_catalogue

cat = open_catalogue(Path(sys.argv[2]), create=False)
print("ready", flush=True)
for line in sys.stdin:
    kind, first, second, voter = json.loads(line)
    wall, cpu = time.perf_counter(), time.process_time()
    with cat.write(f"{kind} {first}") as conn:
        if kind == "duel":
            apply_duel(conn, DuelRec(winner=first, loser=second, voter=voter, on="2024-01-01"))
        elif kind == "vote":
            apply_vote(conn, VoteRec(scene=first, score=int(second), voter=voter))
        else:
            record_view(conn, resolve_scene(conn, first), int(second), "2024-02-02", voter)
    print(time.perf_counter() - wall, time.process_time() - cpu, flush=True)
"""


#: (command, scene key, other scene key / score / count, voter or source)
Write = tuple[str, str, str, str]


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

    def run(self, write: Write) -> tuple[float, float]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(write) + "\n")
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
    parser.add_argument("--writes", type=int, default=30, help="writes of each kind (30)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    conn = sqlite3.connect(args.new_db.resolve().as_uri() + "?mode=ro", uri=True)
    top = conn.execute("SELECT max(id) FROM scene").fetchone()[0]
    component = largest_component(conn)

    def key(scene_id: int) -> str:
        return str(conn.execute("SELECT key FROM scene WHERE id = ?", (scene_id,)).fetchone()[0])

    label = f"duel inside the largest component ({len(component)} scenes)"
    kinds: dict[str, list[Write]] = {
        "duel, two scenes at random": [],
        label: [],
        "vote on a scene at random": [],
        "views of a scene at random": [],
    }
    for n in range(args.writes):
        a, b = rng.sample(range(1, top + 1), 2)
        kinds["duel, two scenes at random"].append(("duel", key(a), key(b), f"bench-r{n}"))
        a, b = rng.sample(component, 2)
        kinds[label].append(("duel", key(a), key(b), f"bench-c{n}"))
        scene = key(rng.randrange(1, top + 1))
        kinds["vote on a scene at random"].append(("vote", scene, str(n % 10 + 1), f"b{n}"))
        scene = key(rng.randrange(1, top + 1))
        kinds["views of a scene at random"].append(("views", scene, str(10**n % 999_983), "b"))
    conn.close()
    old, new = Worker(args.old, args.old_db), Worker(args.new, args.new_db)
    print(f"old {args.old} on {args.old_db}; new {args.new} on {args.new_db}")
    print(f"load average at start {os.getloadavg()[0]:.1f}; medians in ms (wall / CPU)")
    print(f"{'write':<50} {'old wall':>9} {'new wall':>9} {'old CPU':>8} {'new CPU':>8}")
    try:
        for name, writes in kinds.items():
            samples: dict[str, list[tuple[float, float]]] = {"old": [], "new": []}
            for turn, write in enumerate(writes):
                order = [("old", old), ("new", new)]
                for side, worker in order if turn % 2 == 0 else order[::-1]:
                    samples[side].append(worker.run(write))
            med = {
                side: [statistics.median(s[i] for s in got) * 1000 for i in (0, 1)]
                for side, got in samples.items()
            }
            print(
                f"{name:<50} {med['old'][0]:>9.1f} {med['new'][0]:>9.1f} "
                f"{med['old'][1]:>8.1f} {med['new'][1]:>8.1f}"
            )
    finally:
        old.close()
        new.close()
    print(f"load average at end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
