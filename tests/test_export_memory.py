"""Peak memory of `export jsonl` and `export yaml` (issue 27): an export streams the catalogue,
so at 100,000 scenes (300,000 votes, 10,000 duels) its peak resident memory stays within
50 MiB of an idle command, and it does not grow with the catalogue.

The peak is the child process's own high-water mark (ru_maxrss from os.wait4), read from a
real `python -m scenecat` process; a list of every vote (the exporter before issue 27) took
131 MiB here and 1,066 MiB at 1M scenes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MIB = 2**20
# How far above an idle command an export may peak (the bound).
OVER_IDLE = 50 * MIB
# How much more a 10x larger catalogue may take: pages and caches, never the records.
GROWTH = 10 * MIB


def _catalogue(folder: Path, scenes: str) -> Path:
    source, db = folder / f"s{scenes}.jsonl", folder / f"s{scenes}.db"
    generate = [sys.executable, str(ROOT / "bench" / "generate.py"), "--scenes", scenes]
    subprocess.run([*generate, "-o", str(source)], check=True, capture_output=True)
    subprocess.run(
        [sys.executable, "-m", "scenecat", "--db", str(db), "import", str(source)],
        check=True,
        capture_output=True,
    )
    source.unlink()
    return db


@pytest.fixture(scope="module")
def catalogues(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("export-memory")
    return {size: _catalogue(folder, size) for size in ("10k", "100k")}


def _peak(*args: str) -> tuple[int, int]:
    """(peak resident bytes, lines written) of `python -m scenecat ARGS` writing to a pipe."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "scenecat", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    lines = sum(1 for _ in proc.stdout)
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait again
    assert proc.returncode == 0, args
    return usage.ru_maxrss * 1024, lines  # ru_maxrss is in KiB on Linux


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["jsonl", "yaml"])
def test_export_peak_memory_is_an_idle_commands_plus_a_little(
    catalogues: dict[str, Path], fmt: str
) -> None:
    big, small = str(catalogues["100k"]), str(catalogues["10k"])
    idle, _ = _peak("--db", big, "db", "path")
    peak, lines = _peak("--db", big, "export", fmt)
    small_peak, _ = _peak("--db", small, "export", fmt)
    # Everything was written: 5,000 actors, 2,000 dramas, 100,000 scenes, 300,000 votes and
    # 10,000 duels are 417,000 records (a YAML record takes several lines).
    assert lines >= 417_001
    assert peak - idle < OVER_IDLE, f"{fmt}: {peak / MIB:.0f} MiB, idle {idle / MIB:.0f} MiB"
    assert peak - small_peak < GROWTH, (
        f"{fmt}: 100k {peak / MIB:.0f} MiB, 10k {small_peak / MIB:.0f} MiB"
    )
