"""CPU of a bulk import (JSON Lines into a new catalogue) against the raw loader (issue 27).

    python bench/import_cpu.py --source FILE.jsonl [--runs 3] [--profile | --records-only | --instructions]

Each pair of runs times, as whole processes, `scenecat --db NEW.db import FILE.jsonl` and
bench/run.py's raw loader (BASELINE_IMPORT: json.loads per line, names to ids through dicts,
one executemany per table, the search documents in one INSERT ... SELECT and one FTS5 build,
no validation and no history) on the same file, alternating, each into a fresh file. CPU
(user + system) is the figure compared: on a shared machine it moves far less with the load
than the wall time does. Peak memory (ru_maxrss) of the import is reported too.

`--profile` runs the import once in process under cProfile instead (the 25 functions with the
most time of their own). `--records-only` runs it once in process with the SQL writes stubbed
(each batch of rows dropped instead of written, the end of the load skipped) and prints the
CPU of the per-record phase alone: reading, decoding, parsing and the lookups; run it a few
times, alternating with another tree (`PYTHONPATH=OTHER/src`), to compare that phase.

`--instructions` runs each of the two once under valgrind's callgrind instead and prints the
instructions each executed (user space: Python, SQLite, libc) and their ratio: a count that
the load of a shared machine does not move, for comparing trees (use a small file: 10k
scenes take a few minutes under valgrind).

`import_case()` is what `bench/run.py` calls; it returns the samples of both.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from undo_import import PY, Sample, UndoResult, run_timed, scenecat_command

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def fresh(path: Path) -> Path:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


@dataclass
class ImportResult:
    ours: list[Sample] = field(default_factory=list)
    baseline: list[Sample] = field(default_factory=list)
    load: list[float] = field(default_factory=list)  # 1-minute load average before each pair

    def ratio(self, what: str = "cpu") -> float:
        return UndoResult.median(self.ours, what) / UndoResult.median(self.baseline, what)


def import_case(source: Path, work: Path, runs: int = 3) -> ImportResult:
    """Time `scenecat import SOURCE` into a new catalogue against the raw loader, `runs`
    pairs, alternating."""
    from run import BASELINE_IMPORT  # bench/run.py: the loader its import row compares with

    work.mkdir(parents=True, exist_ok=True)
    ours_db, base_db = work / "import.db", work / "raw.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = ImportResult()
    for _ in range(runs):
        result.load.append(os.getloadavg()[0])
        command = [*scenecat_command(), "--db", str(fresh(ours_db)), "import", str(source)]
        result.ours.append(run_timed(command))
        raw = [PY, "-c", BASELINE_IMPORT, str(source), str(fresh(base_db))]
        result.baseline.append(run_timed(raw, env=env))
    fresh(ours_db)
    fresh(base_db)
    return result


def instructions(command: list[str], env: dict[str, str] | None = None) -> int:
    """The instructions `command` executes, counted by callgrind (valgrind must be installed)."""
    import re
    import subprocess

    counted = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        check=True,
    )
    found = re.search(r"Collected : (\d+)", counted.stderr)
    if found is None:
        raise SystemExit(f"no instruction count from valgrind:\n{counted.stderr[-2000:]}")
    return int(found.group(1))


def instructions_case(source: Path, work: Path) -> tuple[int, int]:
    """(instructions of `scenecat import SOURCE` into a new catalogue, of the raw loader)."""
    from run import BASELINE_IMPORT

    work.mkdir(parents=True, exist_ok=True)
    ours_db, base_db = work / "import.db", work / "raw.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    ours = instructions([PY, "-m", "scenecat", "--db", str(fresh(ours_db)), "import", str(source)])
    raw = instructions([PY, "-c", BASELINE_IMPORT, str(source), str(fresh(base_db))], env=env)
    fresh(ours_db)
    fresh(base_db)
    return ours, raw


def profile(source: Path, work: Path) -> None:
    import cProfile
    import pstats

    from scenecat.domain.importing import import_file
    from scenecat.storage.connection import open_catalogue

    work.mkdir(parents=True, exist_ok=True)
    cat = open_catalogue(fresh(work / "profiled.db"))
    profiler = cProfile.Profile()
    with cat.loading(), cat.write(f"import {source}") as conn:
        profiler.runcall(import_file, conn, source)
    cat.close()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def records_only(source: Path, work: Path) -> float:
    """CPU seconds of the per-record phase of importing `source` (no rows written)."""
    import time

    from scenecat.domain.importing import bulk_importer, import_file
    from scenecat.storage import bulk
    from scenecat.storage.connection import open_catalogue

    class Stop(Exception):
        pass

    def drop(writer: bulk.BatchWriter) -> None:
        for rows in writer.rows.values():
            rows.clear()
        writer.records = 0

    def stop(importer: bulk_importer.BulkImporter) -> bulk_importer.ImportReport:
        raise Stop

    bulk.BatchWriter.flush = drop  # type: ignore[method-assign]
    bulk_importer.BulkImporter.finish = stop  # type: ignore[method-assign]
    work.mkdir(parents=True, exist_ok=True)
    cat = open_catalogue(fresh(work / "records.db"))
    start = time.process_time()
    try:
        with cat.loading(), cat.write(f"import {source}") as conn:
            import_file(conn, source)
    except Stop:
        pass  # the write rolls back: nothing was written anyway
    spent = time.process_time() - start
    cat.close()
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, required=True, help="a JSON Lines catalogue")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/scenecat-bench/import-cpu"))
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--records-only", action="store_true")
    parser.add_argument("--instructions", action="store_true")
    args = parser.parse_args()
    if args.instructions:
        ours, raw = instructions_case(args.source, args.work)
        print(f"scenecat import   {ours:,} instructions")
        print(f"raw loader        {raw:,} instructions")
        print(f"ratio: {ours / raw:.3f}x")
        return
    if args.profile:
        profile(args.source, args.work)
        return
    if args.records_only:
        print(f"per-record phase CPU {records_only(args.source, args.work):.2f} s")
        return
    result = import_case(args.source, args.work, args.runs)
    for name, samples in (("scenecat import", result.ours), ("raw loader", result.baseline)):
        cpus = ", ".join(f"{s.cpu:.2f}" for s in samples)
        print(
            f"{name:<16} CPU {UndoResult.median(samples, 'cpu'):7.2f} s (runs {cpus}); "
            f"wall {UndoResult.median(samples):7.2f} s; "
            f"peak {max(s.max_rss for s in samples) / 2**20:.0f} MiB"
        )
    print(
        f"ratio: CPU {result.ratio('cpu'):.2f}x, wall {result.ratio('wall'):.2f}x; "
        f"load average {', '.join(f'{x:.2f}' for x in result.load)}"
    )


if __name__ == "__main__":
    sys.exit(main())
