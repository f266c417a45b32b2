#!/usr/bin/env python3
"""`db check` against SQLite's own checks of the same file (issue 27), paired in one run.

    python bench/check_speed.py --db CATALOGUE.db [--before OLD/bin/scenecat --before-db OLD.db]

Each round runs, as fresh processes and in an order that turns round every round: the
baseline (a Python process running `PRAGMA integrity_check` and `PRAGMA foreign_key_check`
on the file, the floor of any whole-file check), `scenecat db check`, and with `--before`
another install's `db check` on its copy of the catalogue. It prints the medians of wall time
and of CPU time (user + system of the process and its threads, from wait4), the ratios to
the baseline, and the load average.

`measure()` is the part bench/run.py can call. With `--parts`, each part of the check is
timed instead, in this process, in turn on one connection (CPU from time.process_time):

    python bench/check_speed.py --db CATALOGUE.db --parts
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

BASELINE = (
    "import sqlite3, sys\n"
    "conn = sqlite3.connect(sys.argv[1])\n"
    "assert conn.execute('PRAGMA integrity_check').fetchall() == [('ok',)]\n"
    "conn.execute('PRAGMA foreign_key_check').fetchall()\n"
)


@dataclass
class Timing:
    name: str
    wall: list[float]
    cpu: list[float]

    @property
    def wall_s(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_s(self) -> float:
        return statistics.median(self.cpu)


def timed(cmd: Sequence[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, threads included) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(list(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    assert proc.stderr is not None
    err = proc.stderr.read().decode()
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err}")
    return wall, usage.ru_utime + usage.ru_stime


def measure(
    db: Path,
    runs: int = 3,
    scenecat: str | None = None,
    before: str | None = None,
    before_db: Path | None = None,
) -> list[Timing]:
    """Baseline, `db check` (and another install's), alternated; one Timing each."""
    launcher = scenecat or str(Path(sys.executable).parent / "scenecat")
    cases: list[tuple[str, list[str]]] = [
        ("integrity_check + foreign_key_check", [sys.executable, "-c", BASELINE, str(db)]),
        ("scenecat db check", [launcher, "--db", str(db), "db", "check"]),
    ]
    if before:
        cases.append(("db check, before", [before, "--db", str(before_db or db), "db", "check"]))
    timings = [Timing(name, [], []) for name, _ in cases]
    for round_ in range(runs):
        order = list(range(len(cases)))
        if round_ % 2:
            order.reverse()
        for i in order:
            wall, cpu = timed(cases[i][1])
            timings[i].wall.append(wall)
            timings[i].cpu.append(cpu)
    return timings


def report(timings: list[Timing], unit: str = "s") -> str:
    """Medians and ratios to the first (the baseline), in seconds or milliseconds."""
    scale, digits = (1000, 0) if unit == "ms" else (1, 1)
    base = timings[0]
    lines = [
        f"{'case':<38}{'wall ' + unit:>9}{'ratio':>7}{'CPU ' + unit:>9}{'ratio':>7}  runs (wall)"
    ]
    for t in timings:
        runs = ", ".join(f"{w * scale:.{digits}f}" for w in t.wall)
        lines.append(
            f"{t.name:<38}{t.wall_s * scale:>9.{digits}f}{t.wall_s / base.wall_s:>7.2f}"
            f"{t.cpu_s * scale:>9.{digits}f}{t.cpu_s / base.cpu_s:>7.2f}  {runs}"
        )
    return "\n".join(lines)


def parts(db: Path) -> list[tuple[str, float, list[str]]]:
    """Each part of `db check` in turn, in one transaction: (name, CPU seconds, problems).
    In the order integrity.problems() runs them (the FTS checks last)."""
    import sqlite3

    from scenecat.storage import integrity, scene_signals, scene_text_index, search_index

    conn = sqlite3.connect(db, isolation_level=None)
    checks: list[tuple[str, Callable[[sqlite3.Connection], list[str]]]] = [
        ("PRAGMA integrity_check", integrity.integrity),
        ("PRAGMA foreign_key_check", integrity._keys),
        ("search documents made and compared", search_index.check_documents),
        ("votes (one current per voter and scene)", integrity._votes),
        ("signals and duel strengths", scene_signals.problems),
        ("search index: counts, triggers", search_index.check_counts),
        ("scene_search_fts integrity-check", search_index.check_fts),
        ("scene_fts integrity-check", scene_text_index.check),
    ]
    found: list[tuple[str, float, list[str]]] = []
    try:
        conn.execute("BEGIN IMMEDIATE")
        for name, check in checks:
            start = time.process_time()
            problems = check(conn)
            found.append((name, time.process_time() - start, problems))
    finally:
        conn.close()
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scenecat", help="the launcher measured (default: this venv's)")
    parser.add_argument("--before", help="another install's scenecat launcher")
    parser.add_argument("--before-db", type=Path, help="its copy of the catalogue")
    parser.add_argument("--parts", action="store_true", help="time each part in process")
    args = parser.parse_args(argv)
    if args.parts:
        load = os.getloadavg()[0]
        timed_parts = parts(args.db)
        print(f"{args.db}, each part in process; load average {load:.1f}")
        for name, seconds, problems in timed_parts:
            print(f"{name:<42}{seconds:>8.2f} s CPU  {'; '.join(problems) or 'ok'}")
        total = sum(seconds for _, seconds, _ in timed_parts)
        print(f"{'total (the first two: the baseline)':<42}{total:>8.2f} s CPU")
        return 0
    load = os.getloadavg()
    timings = measure(args.db, args.runs, args.scenecat, args.before, args.before_db)
    print(f"{args.db}, median of {args.runs}; load average before {load[0]:.1f}, "
          f"after {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(report(timings))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
