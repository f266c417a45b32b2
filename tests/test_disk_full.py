"""#13.12: a full disk is not a bug. A write that runs out of space says the disk is full
and what to do, exit 1, and leaves the catalogue as it was; an export leaves no partial file.

The full disk is a small tmpfs mounted for the test (root only: CI runs as root; elsewhere
the test is skipped, saying why)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_process
from tests.fixtures.safety import raw_dump


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "small"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1200k", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder: Path, leave: int) -> None:
    """Take all but about `leave` bytes of the file system."""
    stat = os.statvfs(folder)
    free = stat.f_bavail * stat.f_frsize
    (folder / "filler").write_bytes(b"\0" * max(0, free - leave))


@pytest.mark.slow
def test_an_import_on_a_full_disk_says_so(
    sample_db: Path, small_disk: Path, tmp_path: Path
) -> None:
    db = small_disk / "catalogue.db"
    shutil.copyfile(sample_db, db)
    before = raw_dump(db)
    source = tmp_path / "many.yaml"
    lines = ["format: scenecat/1", "actors:"]
    lines += [
        f"  - name: Person Number {i} With A Rather Long Name To Fill Pages" for i in range(20000)
    ]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _fill(small_disk, 64 * 1024)
    result = run_process("--db", str(db), "import", str(source))
    assert result.exit_code == 1, result.stderr
    assert "disk is full" in result.stderr and "free some space" in result.stderr
    assert "report it" not in result.stderr and "unexpected" not in result.stderr
    (small_disk / "filler").unlink()
    assert raw_dump(db) == before
    assert run_process("--db", str(db), "db", "check").exit_code == 0


def test_an_export_on_a_full_disk_says_so_and_leaves_nothing(
    sample_db: Path, small_disk: Path
) -> None:
    out = small_disk / "export.jsonl"
    _fill(small_disk, 16 * 1024)
    result = run_process("--db", str(sample_db), "export", "jsonl", "-o", str(out))
    assert result.exit_code == 1, result.stderr
    assert "disk is full" in result.stderr and "report it" not in result.stderr
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]
