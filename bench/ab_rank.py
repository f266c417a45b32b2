#!/usr/bin/env python3
"""`rank` in process, two trees side by side: the same cases, run alternately in one run.

    python bench/ab_rank.py --old ../base --old-db OLD-1M.db --new . --new-db NEW-1M.db \\
        --meta scenes-1m.jsonl.meta.json --repeat 9 --broad-repeat 3

Each tree gets a worker process (its own src/ on sys.path, the same Python) that keeps its
catalogue open and runs `domain.ranking.rank_scenes` (top 20, as `scenecat rank` does) when
asked; the driver asks the two workers in turn, case by case (old then new, then new then
old, ...), so that both see the same load on a shared machine. It prints per case the median
wall and CPU time of each side and their ratio (new / old). The two catalogues hold the same
scenes, each at its tree's schema (copy one and let the newer tree upgrade the copy).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

WORKER = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1] + "/src")
from pathlib import Path
from scenecat.domain.ranking import rank_scenes
from scenecat.domain.scope import Scope
from scenecat.scoring.params import RankParams
from scenecat.storage.connection import open_catalogue

conn = open_catalogue(Path(sys.argv[2]), create=False).conn
params = RankParams()
print("ready", flush=True)
for line in sys.stdin:
    scope, by = json.loads(line)
    if "actors" in scope:
        scope["actors"] = tuple(scope["actors"])
    wall, cpu = time.perf_counter(), time.process_time()
    rank_scenes(conn, Scope(**scope), params, by=by, limit=20)
    print(time.perf_counter() - wall, time.process_time() - cpu, flush=True)
"""


class Worker:
    def __init__(self, tree: Path, db: Path) -> None:
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(tree), str(db)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self.proc.stdout is not None and self.proc.stdin is not None
        ready = self.proc.stdout.readline().strip()
        if ready != "ready":
            raise SystemExit(f"worker for {tree} did not start")

    def run(self, case: tuple[dict[str, object], str]) -> tuple[float, float]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(case) + "\n")
        self.proc.stdin.flush()
        wall, cpu = self.proc.stdout.readline().split()
        return float(wall), float(cpu)

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", type=Path, required=True, help="the tree to compare with")
    parser.add_argument("--old-db", type=Path, required=True)
    parser.add_argument("--new", type=Path, required=True, help="the tree measured")
    parser.add_argument("--new-db", type=Path, required=True)
    parser.add_argument("--meta", type=Path, required=True, help="generator's .meta.json")
    parser.add_argument("--repeat", type=int, default=9, help="runs of the actor cases (9)")
    parser.add_argument("--broad-repeat", type=int, default=3, help="runs of broad scopes (3)")
    args = parser.parse_args(argv)
    meta = json.loads(args.meta.read_text(encoding="utf-8"))
    cases: list[tuple[str, dict[str, object], str, int]] = [
        ("whole catalogue", {}, "scene", args.broad_repeat),
        ("whole catalogue, --by drama", {}, "drama", args.broad_repeat),
        ("--kind kiss", {"kind": "kiss"}, "scene", args.broad_repeat),
        ("--network tvN", {"network": "tvN"}, "scene", args.broad_repeat),
        (f"busiest: {meta['busiest_actor']}", {"actors": [meta["busiest_actor"]]}, "scene",
         args.repeat),
        (f"typical: {meta['typical_actor']}", {"actors": [meta["typical_actor"]]}, "scene",
         args.repeat),
    ]  # fmt: skip
    old, new = Worker(args.old, args.old_db), Worker(args.new, args.new_db)
    load = os.getloadavg()
    print(f"old {args.old} on {args.old_db}; new {args.new} on {args.new_db}")
    print(f"load average at start {load[0]:.1f}; medians in ms (wall / CPU)")
    print(f"{'case':<34} {'old wall':>9} {'new wall':>9} {'ratio':>6} "
          f"{'old CPU':>8} {'new CPU':>8} {'ratio':>6}")  # fmt: skip
    try:
        for label, scope, by, repeat in cases:
            case = (scope, by)
            old.run(case), new.run(case)  # warm-up
            samples: dict[str, list[tuple[float, float]]] = {"old": [], "new": []}
            for turn in range(repeat):
                order = (
                    (("old", old), ("new", new)) if turn % 2 == 0 else (("new", new), ("old", old))
                )
                for name, worker in order:
                    samples[name].append(worker.run(case))
            med = {
                name: (
                    statistics.median(s[0] for s in got) * 1000,
                    statistics.median(s[1] for s in got) * 1000,
                )
                for name, got in samples.items()
            }
            print(
                f"{label:<34} {med['old'][0]:>9.1f} {med['new'][0]:>9.1f} "
                f"{med['new'][0] / med['old'][0]:>6.2f} {med['old'][1]:>8.1f} "
                f"{med['new'][1]:>8.1f} {med['new'][1] / max(med['old'][1], 1e-9):>6.2f}"
            )
    finally:
        old.close()
        new.close()
    print(f"load average at end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
