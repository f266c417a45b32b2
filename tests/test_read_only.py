"""#12 (read-only catalogue): a catalogue whose file or folder is not writable can be read
(list, show, search, rank, export, db check, db backup); every write says the catalogue is
read-only, exit 1, and changes nothing.

Root may write any file, so as root the commands run without CAP_DAC_OVERRIDE (dropped from
the capability bounding set before exec): file permissions then hold as for anyone else."""

from __future__ import annotations

import ctypes
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.fixtures.safety import python_env, raw_dump

pytestmark = pytest.mark.slow

PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2


def _without_override() -> None:
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "cannot drop CAP_DAC_OVERRIDE")


def _run(db: Path, *args: str) -> Run:
    proc = subprocess.run(
        [sys.executable, "-m", "scenecat", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=python_env(),
        preexec_fn=_without_override,
        timeout=120,
        cwd=db.parent.parent,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(params=["file", "folder"])
def read_only_db(request: pytest.FixtureRequest, sample_db: Path, tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "catalogue.db"
    shutil.copyfile(sample_db, db)
    if request.param == "file":
        db.chmod(0o444)
    else:
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)
    yield db
    folder.chmod(0o755)
    db.chmod(0o644)


READS = [
    ["list", "scenes"],
    ["list", "actors"],
    ["show", "drama", "Healer"],
    ["search", "kiss"],
    ["rank", "--limit", "3"],
    ["stats"],
    ["history"],
    ["export", "jsonl"],
    ["db", "check"],
]

WRITES = [
    ["add-actor", "Read Only Person"],
    ["vote", "healer-e8-elevator-rescue", "7"],
    ["edit", "drama", "Healer", "--year", "2015"],
    ["alias", "actor", "Ji Chang Wook", "JCW"],
    ["remove", "scene", "healer-e8-elevator-rescue", "--yes"],
]


def test_reads_work_on_a_read_only_catalogue(read_only_db: Path) -> None:
    before = raw_dump(read_only_db)
    for args in READS:
        result = _run(read_only_db, *args)
        assert result.exit_code == 0, (args, result.stderr)
        assert result.stdout or "OK" in result.stderr
    assert raw_dump(read_only_db) == before


def test_writes_say_the_catalogue_is_read_only(read_only_db: Path) -> None:
    before = raw_dump(read_only_db)
    for args in WRITES:
        result = _run(read_only_db, *args)
        assert result.exit_code == 1, (args, result.stderr)
        assert result.stderr.startswith("Error: ") and "read-only" in result.stderr, args
        assert "report it" not in result.stderr
    assert raw_dump(read_only_db) == before


def test_a_backup_of_a_read_only_catalogue(read_only_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    result = _run(read_only_db, "db", "backup", str(copy))
    assert result.exit_code == 0, result.stderr
    assert raw_dump(copy) == raw_dump(read_only_db)
