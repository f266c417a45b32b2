"""Peak memory of a bulk import of 100k scenes, read from the importing process itself.

Issue 27 asks for an import under 1 GiB at 1M scenes and proportionally less at 100k. An
import's memory is a fixed part and a part that grows with the file: the bulk load's page
cache (storage/bulk.BULK_CACHE_KIB, 128 MiB, filled by any file past ~130 MiB of catalogue)
and the interpreter with its modules and SQLite's sorters (~64 MiB), then the lookups the
loader keeps per record. The bound is the straight line from a fixed 224 MiB at no scenes
to 1 GiB at 1M scenes: 304 MiB at 100k (measured: 252-258 MiB at 100k alone, 827-842 MiB at
1M; docs/benchmarks.md). The fixed part is that 192 MiB and a margin: one full-suite run
under load 8 read 295 MiB for code that reads 252 MiB run alone (not explained yet), so the
test takes the lower of two imports. A loader that kept every record would grow with the file
and still fail it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MIB = 2**20
FIXED = 224 * MIB
AT_1M = 1024 * MIB


def bound(scenes: int) -> int:
    return FIXED + (AT_1M - FIXED) * scenes // 1_000_000


def _peak_rss(cmd: list[str]) -> int:
    """Run `cmd`; its peak resident memory in bytes (ru_maxrss of that child alone)."""
    import tempfile

    # No bar (TTY_COMPATIBLE=0); stderr to a file, so a long one can never block the child.
    env = {**os.environ, "TTY_COMPATIBLE": "0"}
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errors, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        assert proc.returncode == 0, errors.read().decode(errors="replace")
    return int(usage.ru_maxrss) * 1024  # KiB on Linux


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss in KiB: Linux")
def test_bulk_import_of_100k_scenes_stays_under_its_share_of_1_gib(tmp_path: Path) -> None:
    scenes = 100_000
    source = tmp_path / "scenes-100k.jsonl"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--scenes", str(scenes)]
        + ["-o", str(source)],
        check=True,
        capture_output=True,
    )
    peaks = []
    for attempt in (1, 2):
        db = tmp_path / f"catalogue-{attempt}.db"
        peaks.append(
            _peak_rss([sys.executable, "-m", "scenecat", "--db", str(db), "import", str(source)])
        )
    peak = min(peaks)
    # the import did load everything (a process that failed early would use little memory)
    stats = subprocess.run(
        [sys.executable, "-m", "scenecat", "--db", str(db), "stats", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    totals = json.loads(stats.stdout)["meta"]["totals"]
    assert totals["scene"] == scenes and totals["vote"] == 3 * scenes
    assert peak < bound(scenes), f"peak {peak / MIB:.0f} MiB, bound {bound(scenes) / MIB:.0f} MiB"
