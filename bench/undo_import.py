"""Undo of a bulk import into an empty catalogue, against emptying the tables (issue 27).

    python bench/undo_import.py --db CATALOGUE.db [--runs 3] [--check]

CATALOGUE.db must be a catalogue whose newest change is an import into an empty catalogue
(e.g. `scenecat --db CATALOGUE.db import bench-100k.jsonl` into a new file). It is never
written: every run works on a fresh copy. Each pair of runs times, as whole processes,
`scenecat undo --yes` on one copy and the baseline on another:

  the baseline: a plain sqlite3 connection (foreign keys off, SQLite's default), every
  trigger dropped and `DELETE FROM` every table but the history's, in one transaction.
  With no trigger and no foreign key to check, SQLite empties each table without visiting
  its rows (its truncate optimisation): the cheapest way to empty the tables.

`undo_case()` is what `bench/run.py` calls; it returns the samples of both.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

PY = sys.executable

BASELINE_EMPTY = r"""
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
    conn.execute(f'DROP TRIGGER "{name}"')
tables = [name for (name,) in conn.execute(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
    "AND name NOT LIKE 'history_%' AND name NOT LIKE '\\_%' ESCAPE '\\' "
    "AND sql NOT LIKE 'CREATE VIRTUAL%'").fetchall()]
for name in tables:
    conn.execute(f'DELETE FROM "{name}"')
conn.execute("COMMIT")
"""


@dataclass
class Sample:
    wall: float
    cpu: float  # user + system, seconds
    max_rss: int  # bytes


@dataclass
class UndoResult:
    ours: list[Sample] = field(default_factory=list)
    baseline: list[Sample] = field(default_factory=list)
    load: list[float] = field(default_factory=list)  # 1-minute load average before each pair

    @staticmethod
    def median(samples: list[Sample], what: str = "wall") -> float:
        return statistics.median(getattr(s, what) for s in samples)

    def ratio(self, what: str = "wall") -> float:
        return self.median(self.ours, what) / self.median(self.baseline, what)


def run_timed(cmd: list[str], env: dict[str, str] | None = None) -> Sample:
    """Run `cmd` to completion: its wall time, CPU time and peak resident memory."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code  # reaped by wait4
    if code != 0:
        raise SystemExit(f"failed ({code}): {' '.join(cmd)}\n{stderr}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024)


def copy_catalogue(source: Path, target: Path) -> Path:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    wal = Path(f"{source}-wal")
    if wal.exists():
        shutil.copyfile(wal, f"{target}-wal")
    return target


def scenecat_command() -> list[str]:
    script = Path(PY).parent / "scenecat"
    return [str(script)] if script.exists() else [PY, "-m", "scenecat"]


def undo_case(db: Path, work: Path, runs: int = 3, *, check: bool = False) -> UndoResult:
    """Time `scenecat undo --yes` of `db`'s newest change (a bulk import into an empty
    catalogue) against BASELINE_EMPTY, alternating, `runs` pairs, each on a fresh copy."""
    work.mkdir(parents=True, exist_ok=True)
    result = UndoResult()
    ours_db, base_db = work / "undo.db", work / "emptied.db"
    for _ in range(runs):
        result.load.append(os.getloadavg()[0])
        copy_catalogue(db, ours_db)
        result.ours.append(run_timed([*scenecat_command(), "--db", str(ours_db), "undo", "--yes"]))
        copy_catalogue(db, base_db)
        result.baseline.append(run_timed([PY, "-c", BASELINE_EMPTY, str(base_db)]))
    if check:
        done = subprocess.run(
            [*scenecat_command(), "--db", str(ours_db), "db", "check"],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise SystemExit(f"db check after the undo failed:\n{done.stdout}{done.stderr}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="catalogue after a bulk import")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/scenecat-bench/undo"))
    parser.add_argument("--check", action="store_true", help="`db check` the undone copy")
    args = parser.parse_args()
    result = undo_case(args.db, args.work, args.runs, check=args.check)
    for name, samples in (("scenecat undo", result.ours), ("emptying the tables", result.baseline)):
        walls = ", ".join(f"{s.wall:.2f}" for s in samples)
        print(
            f"{name:<20} wall {UndoResult.median(samples):7.2f} s (runs {walls}); "
            f"CPU {UndoResult.median(samples, 'cpu'):7.2f} s; "
            f"peak {max(s.max_rss for s in samples) / 2**20:.0f} MiB"
        )
    print(
        f"ratio: wall {result.ratio():.2f}x, CPU {result.ratio('cpu'):.2f}x; "
        f"load average {', '.join(f'{x:.2f}' for x in result.load)}"
    )


if __name__ == "__main__":
    main()
