#!/usr/bin/env python3
"""What reading watch progress costs `list scenes`, `search` and `rank` (issue 23).

    python bench/bench_progress.py --db NEW.db --meta FILE.jsonl.meta.json \
        --before OLDVENV/bin/scenecat --before-db OLD.db --pairs 21
    python bench/bench_progress.py ... --progress 50   # first store progress in 50 dramas

Each case runs as whole processes, before (another install, on its copy of the catalogue at
its schema) and after (this tree) alternating pair by pair, stdout piped. Reported: the CPU
time (user + system, from os.wait4, less sensitive than wall time to other load on a shared
machine) and the wall time, medians, and the median of the per-pair CPU ratios.

`--progress N` first stores progress (episode 3) in the drama of the first scene listed and
in N-1 others, the busiest actor's first, through `scenecat progress set` on --db: the
screens then hide scenes (list scenes and search read more to fill their page; rank masks).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

PY = sys.executable


def run(cmd: list[str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return usage.ru_utime + usage.ru_stime, wall


def store_progress(scenecat: str, db: Path, count: int, busiest: str) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        first = conn.execute(
            "SELECT d.title FROM scene s JOIN drama d ON d.id = s.drama_id ORDER BY s.id LIMIT 1"
        ).fetchone()[0]
        actor = conn.execute(
            "SELECT d.title FROM drama d JOIN credit c ON c.drama_id = d.id JOIN actor a "
            "ON a.id = c.actor_id WHERE a.name = ? GROUP BY d.id ORDER BY d.id",
            (busiest,),
        ).fetchall()
        others = conn.execute("SELECT title FROM drama ORDER BY id DESC LIMIT ?", (count,))
        titles = list(dict.fromkeys([first, *(t for (t,) in actor), *(t for (t,) in others)]))
    finally:
        conn.close()
    chosen = titles[:count]
    for title in chosen:
        subprocess.run(
            [scenecat, "--db", str(db), "progress", "set", title, "3"],
            check=True,
            capture_output=True,
        )
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--meta", type=Path, required=True)
    parser.add_argument("--scenecat", default=str(Path(PY).parent / "scenecat"))
    parser.add_argument("--before", required=True)
    parser.add_argument("--before-db", type=Path, required=True)
    parser.add_argument("--pairs", type=int, default=21)
    parser.add_argument("--progress", type=int, default=0)
    args = parser.parse_args(argv)
    meta = json.loads(args.meta.read_text())
    busiest, word = meta["busiest_actor"], meta["typical_word"]
    if args.progress:
        chosen = store_progress(args.scenecat, args.db, args.progress, busiest)
        print(f"progress stored in {len(chosen)} dramas (episode 3), e.g. {chosen[:3]}")
    cases = [
        ("list scenes --limit 20", ["list", "scenes", "--limit", "20"]),
        (f"search {word}", ["search", word]),
        ("rank --actor BUSIEST", ["rank", "--actor", busiest]),
        ("rank --kind kiss", ["rank", "--kind", "kiss"]),
    ]
    print(f"pairs: {args.pairs}, alternating; load {os.getloadavg()[0]:.1f}\n")
    print(
        "| case | before CPU | after CPU | after/before (pairs' median) | wall before | wall after |"
    )
    print("|---|---|---|---|---|---|")
    for name, words in cases:
        before_cmd = [args.before, "--db", str(args.before_db), *words]
        after_cmd = [args.scenecat, "--db", str(args.db), *words]
        cpu_b: list[float] = []
        cpu_a: list[float] = []
        wall_b: list[float] = []
        wall_a: list[float] = []
        ratios: list[float] = []
        for i in range(args.pairs + 1):  # the first pair warms the page cache, untimed
            order = [(before_cmd, cpu_b, wall_b), (after_cmd, cpu_a, wall_a)]
            if i % 2:
                order.reverse()
            taken = {}
            for cmd, cpu, wall in order:
                c, w = run(cmd)
                if i:
                    cpu.append(c)
                    wall.append(w)
                taken[id(cpu)] = c
            if i:
                ratios.append(taken[id(cpu_a)] / taken[id(cpu_b)])

        def ms(values: list[float]) -> str:
            return f"{statistics.median(values) * 1000:.0f} ms"

        print(
            f"| {name} | {ms(cpu_b)} | {ms(cpu_a)} | {statistics.median(ratios):.3f}x | "
            f"{ms(wall_b)} | {ms(wall_a)} |"
        )
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
