"""`db restore backups/catalogue-*.db`, as the README writes it, once a second backup exists
(issue 25): the shell hands over every match and the newest is restored, named as such."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import dump


def _scenecat(cwd: Path, line: str) -> subprocess.CompletedProcess[str]:
    """`line` through a real shell, which expands the glob as it does for a person."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("SCENECAT_DB", None)
    return subprocess.run(
        ["bash", "-c", line], cwd=cwd, capture_output=True, text=True, env=env, timeout=120
    )


@pytest.mark.slow
def test_the_readme_line_restores_the_newest_of_two_backups(
    sample_db: Path, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    shutil.copyfile(sample_db, work / "catalogue.db")
    assert _scenecat(work, "scenecat --db catalogue.db db backup backups/").returncode == 0
    older = next((work / "backups").glob("catalogue-*.db"))
    assert _scenecat(work, 'scenecat --db catalogue.db add-actor "Backed Up Later"').returncode == 0
    newest = work / "backups" / "catalogue-20991231-235959.db"
    assert _scenecat(work, f"scenecat --db catalogue.db db backup {newest}").returncode == 0
    assert _scenecat(work, 'scenecat --db catalogue.db add-actor "Not Backed Up"').returncode == 0
    # The older one is written last, so its modification time cannot decide.
    os.utime(older)

    # Before: "Got unexpected extra argument (backups/catalogue-....db)", exit 2.
    run = _scenecat(work, "scenecat --db catalogue.db db restore backups/catalogue-*.db --yes")
    assert run.returncode == 0, run.stderr
    assert f"from backups/{newest.name} (the newest of the 2 given)" in run.stderr
    assert "Backed Up Later" in _scenecat(work, "scenecat --db catalogue.db list actors").stdout
    assert "Not Backed Up" not in _scenecat(work, "scenecat --db catalogue.db list actors").stdout


def test_without_the_time_in_their_names_the_last_written_is_newest(
    cli, sample_db: Path, tmp_path: Path
) -> None:
    first, second = tmp_path / "monday.db", tmp_path / "tuesday.db"
    assert cli("db", "backup", str(first)).exit_code == 0
    assert cli("add-actor", "Between The Two").exit_code == 0
    assert cli("db", "backup", str(second)).exit_code == 0
    os.utime(first, (1_000_000_000, 1_000_000_000))
    os.utime(second, (2_000_000_000, 2_000_000_000))
    assert cli("add-actor", "After Both").exit_code == 0
    result = cli("db", "restore", str(second), str(first), "--yes")
    assert result.exit_code == 0, result.stderr
    assert f"from {second} (the newest of the 2 given)" in result.stderr
    actors = cli("list", "actors").stdout
    assert "Between The Two" in actors and "After Both" not in actors


def test_a_missing_file_among_several_is_named_and_nothing_changes(
    cli, sample_db: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.db"
    assert cli("db", "backup", str(copy)).exit_code == 0
    before = dump(sample_db)
    result = cli("db", "restore", str(copy), str(tmp_path / "typo.db"), "--yes")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: no file at {tmp_path / 'typo.db'}"
    assert dump(sample_db) == before
