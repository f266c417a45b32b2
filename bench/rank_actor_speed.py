#!/usr/bin/env python3
"""`scenecat rank --actor BUSIEST` against a Typer + raw query process (issue 27), paired.

    python bench/rank_actor_speed.py --db CATALOGUE.db --meta FILE.jsonl.meta.json \\
        [--before OLD/bin/scenecat] [--runs 21]

The baseline is bench_process.py's: a process that imports Typer and runs one raw query for
the actor's top 20 (votes averaged, no duels or views). Each round runs the baseline,
`scenecat rank --actor NAME` (stdout piped) and with `--before` another install's, in an order
that turns round every round. It prints medians of wall time and of CPU time (user +
system, from wait4: on a shared machine the CPU time is the steadier figure), the ratios to
the baseline, and the load average. `measure()` is the part bench/run.py can call.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_process import BASE_RANK_ACTOR
from check_speed import Timing, report, timed


def measure(
    db: Path,
    actor: str,
    runs: int = 21,
    scenecat: str | None = None,
    before: str | None = None,
    before_db: Path | None = None,
) -> list[Timing]:
    launcher = scenecat or str(Path(sys.executable).parent / "scenecat")
    cases = [
        ("typer + raw query", [sys.executable, "-c", BASE_RANK_ACTOR, str(db), actor]),
        ("scenecat rank --actor", [launcher, "--db", str(db), "rank", "--actor", actor]),
    ]
    if before:
        cases.append(("rank --actor, before", [before, "--db", str(before_db or db), "rank",
                                               "--actor", actor]))  # fmt: skip
    timings = [Timing(name, [], []) for name, _ in cases]
    for cmd in (c for _, c in cases):
        timed(cmd)  # one untimed round: the file's pages in the OS cache
    for round_ in range(runs):
        order = list(range(len(cases)))
        if round_ % 2:
            order.reverse()
        for i in order:
            wall, cpu = timed(cases[i][1])
            timings[i].wall.append(wall)
            timings[i].cpu.append(cpu)
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--meta", type=Path, required=True, help="generator's .meta.json")
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--scenecat", help="the launcher measured (default: this venv's)")
    parser.add_argument("--before", help="another install's scenecat launcher")
    parser.add_argument("--before-db", type=Path, help="its copy of the catalogue")
    args = parser.parse_args(argv)
    actor = json.loads(args.meta.read_text())["busiest_actor"]
    load = os.getloadavg()
    timings = measure(args.db, actor, args.runs, args.scenecat, args.before, args.before_db)
    print(f"{args.db}, rank --actor {actor!r}, median of {args.runs}; load average before "
          f"{load[0]:.1f}, after {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(report(timings, unit="ms"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
