"""`db backup` (online, safe while others write) and `db restore` (asks first, checks the file,
keeps the current catalogue)."""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from tests.conftest import dump, run_on_terminal
from tests.fixtures.safety import (
    OLD_CATALOGUE,
    finish_workers,
    python_env,
    raw_dump,
    scene_keys,
    start_workers,
    user_version,
)


def _ok(result) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.stderr


def _wait_for(db: Path, sql: str, at_least: int) -> None:
    """Until the other process has written something (so the work overlaps it)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        conn = sqlite3.connect(db, timeout=30)
        try:
            if conn.execute(sql).fetchone()[0] >= at_least:
                return
        finally:
            conn.close()
        time.sleep(0.01)
    raise AssertionError("the writer did not start")


def _kept(db: Path) -> list[Path]:
    return sorted(db.parent.glob(db.name + ".before-restore-*.bak"))


def test_backup_and_restore_round_trip(cli, sample_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    result = cli("db", "backup", str(copy))
    _ok(result)
    assert str(copy) in result.stderr
    assert raw_dump(copy) == raw_dump(sample_db)
    _ok(cli("--db", str(copy), "db", "check"))
    assert not list(tmp_path.glob("copy.db-*"))  # one self-contained file

    saved = raw_dump(sample_db)
    _ok(cli("add-actor", "After The Backup"))
    changed = raw_dump(sample_db)
    result = cli("db", "restore", str(copy), "--yes")
    _ok(result)
    assert raw_dump(sample_db) == saved
    kept = _kept(sample_db)
    assert len(kept) == 1 and str(kept[0]) in result.stderr
    assert raw_dump(kept[0]) == changed  # the replaced catalogue is not lost
    _ok(cli("db", "check"))
    # The restored catalogue's history still works.
    _ok(cli("vote", scene_keys(sample_db)[0], "4"))
    _ok(cli("undo", "--yes"))
    assert raw_dump(sample_db) == saved


def test_backup_into_a_folder_and_refusals(cli, sample_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    _ok(cli("db", "backup", str(folder)))
    made = list(folder.iterdir())
    assert len(made) == 1 and made[0].suffix == ".db"
    target = tmp_path / "exists.db"
    target.write_text("keep me")
    result = cli("db", "backup", str(target))
    assert result.exit_code == 1 and "--force" in result.stderr
    assert target.read_text() == "keep me"
    _ok(cli("db", "backup", str(target), "--force"))
    assert raw_dump(target) == raw_dump(sample_db)
    assert cli("db", "backup", str(sample_db), "--force").exit_code == 1
    assert cli("db", "backup", str(tmp_path / "no" / "such" / "dir.db")).exit_code == 1
    _ok(cli("db", "check"))


def test_backup_of_a_missing_catalogue_creates_nothing(cli, db: Path, tmp_path: Path) -> None:
    result = cli("db", "backup", str(tmp_path / "copy.db"))
    assert result.exit_code == 1 and "no catalogue" in result.stderr
    assert not db.exists() and not (tmp_path / "copy.db").exists()


@pytest.mark.slow
def test_backup_while_another_process_writes_passes_db_check(
    cli, sample_db: Path, tmp_path: Path
) -> None:
    keys = scene_keys(sample_db)
    writes = [
        ["--db", str(sample_db), "vote", keys[i % len(keys)], str(i % 10 + 1), "--voter", f"w{i}"]
        for i in range(150)
    ]
    go = tmp_path / "go"
    workers = start_workers([writes], go)
    go.touch()
    _wait_for(sample_db, "SELECT count(*) FROM vote WHERE voter LIKE 'w%'", 5)
    copies = []
    while workers[0].poll() is None and len(copies) < 12:
        copy = tmp_path / f"during-{len(copies)}.db"
        _ok(cli("db", "backup", str(copy)))
        copies.append(copy)
    assert finish_workers(workers) == []
    assert copies
    for copy in copies:
        _ok(cli("--db", str(copy), "db", "check"))
    votes = [len(raw_dump(c)["vote"]) for c in copies]
    assert votes == sorted(votes)  # each a consistent snapshot, later ones no smaller


@pytest.mark.parametrize("kind", ["text", "foreign", "newer", "damaged", "itself", "missing"])
def test_restore_refuses_what_is_not_a_usable_catalogue(
    cli, sample_db: Path, tmp_path: Path, kind: str
) -> None:
    source = tmp_path / "source.db"
    if kind == "text":
        source.write_text("format: scenecat/1\n")
    elif kind == "foreign":
        conn = sqlite3.connect(source)
        conn.execute("CREATE TABLE notes (x)")
        conn.commit()
        conn.close()
    elif kind == "newer":
        shutil.copyfile(OLD_CATALOGUE, source)
        conn = sqlite3.connect(source)
        conn.execute("PRAGMA user_version = 99")
        conn.close()
    elif kind == "damaged":
        data = OLD_CATALOGUE.read_bytes()
        source.write_bytes(data[:100] + b"\x00" * 4096 + data[4196:])
    elif kind == "itself":
        source = sample_db
    before = dump(sample_db)
    result = cli("db", "restore", str(source), "--yes")
    assert result.exit_code == 1, result.stderr
    assert result.stderr.startswith("Error:") and "Traceback" not in result.stderr
    assert dump(sample_db) == before
    assert _kept(sample_db) == []


def test_restore_from_an_older_scenecat_upgrades_it(cli, sample_db: Path) -> None:
    result = cli("db", "restore", str(OLD_CATALOGUE), "--yes")
    _ok(result)
    from scenecat.storage.migrations import schema_version

    assert user_version(sample_db) == schema_version()
    assert user_version(OLD_CATALOGUE) == 2  # the source is only read
    assert len(raw_dump(sample_db)["scene"]) == len(raw_dump(OLD_CATALOGUE)["scene"])


def test_restore_without_yes_needs_a_terminal(cli, sample_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    _ok(cli("db", "backup", str(copy)))
    _ok(cli("add-actor", "Still Here"))
    before = dump(sample_db)
    result = cli("db", "restore", str(copy))
    assert result.exit_code == 1 and "--yes" in result.stderr
    assert dump(sample_db) == before and _kept(sample_db) == []


def _restore_on_a_terminal(db: Path, source: Path, answer: bytes) -> tuple[int, str]:
    return run_on_terminal(
        ["--db", str(db), "db", "restore", str(source)], [(b"[y/N]", answer)], python_env()
    )


@pytest.mark.slow
def test_restore_asks_first_on_a_terminal(cli, sample_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    _ok(cli("db", "backup", str(copy)))
    _ok(cli("add-actor", "Asked About"))
    before = raw_dump(sample_db)
    code, text = _restore_on_a_terminal(sample_db, copy, b"n\n")
    assert code == 0 and "Replace" in text and "Cancelled; nothing changed." in text
    assert raw_dump(sample_db) == before
    code, text = _restore_on_a_terminal(sample_db, copy, b"y\n")
    assert code == 0, text
    assert raw_dump(sample_db) == raw_dump(copy)


@pytest.mark.slow
def test_restore_while_another_process_writes(cli, sample_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    _ok(cli("db", "backup", str(copy)))
    writes = [["--db", str(sample_db), "add-actor", f"Concurrent {i}"] for i in range(120)]
    go = tmp_path / "go"
    workers = start_workers([writes], go)
    go.touch()
    _wait_for(sample_db, "SELECT count(*) FROM actor WHERE name LIKE 'Concurrent %'", 5)
    _ok(cli("db", "restore", str(copy), "--yes"))
    assert finish_workers(workers) == []  # the writer never saw an error
    _ok(cli("db", "check"))
    conn = sqlite3.connect(sample_db)
    names = [r[0] for r in conn.execute("SELECT name FROM actor WHERE name LIKE 'Concurrent %'")]
    conn.close()
    # Writes after the restore are in the restored catalogue, in order; none is half there.
    numbers = sorted(int(n.split()[1]) for n in names)
    assert numbers == list(range(120 - len(numbers), 120))


def test_backup_into_a_new_folder_makes_the_folder(cli, sample_db: Path, tmp_path: Path) -> None:
    # The README Tour's `db backup backups/` with no such folder used to write a file named
    # `backups`, and the next `db backup backups/` then failed.
    folder = tmp_path / "backups"
    _ok(cli("db", "backup", f"{folder}/"))
    assert folder.is_dir()
    _ok(cli("db", "backup", f"{folder}/", "--force"))
    made = sorted(folder.iterdir())
    assert made and all(path.suffix == ".db" for path in made)
    assert raw_dump(made[0]) == raw_dump(sample_db)


def test_backup_to_a_missing_name_without_suffix_is_refused(
    cli, sample_db: Path, tmp_path: Path
) -> None:
    result = cli("db", "backup", str(tmp_path / "backups"))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: there is no folder ")
    assert "backups/" in result.stderr and "backups.db" in result.stderr
    assert not (tmp_path / "backups").exists()
    afile = tmp_path / "taken"
    afile.write_text("keep me")
    result = cli("db", "backup", f"{afile}/")
    assert result.exit_code == 1 and "is a file, not a folder" in result.stderr
    assert afile.read_text() == "keep me"


# A voter that votes until told to stop, printing the voter name of each vote scenecat
# acknowledged (exit 0): the writes that must not be lost.
_VOTER = r"""
import os, sys
from typer.main import get_command
from scenecat.cli.app import app

db, scene, tag, stop = sys.argv[1:5]
command = get_command(app)
i = 0
while not os.path.exists(stop):
    voter = f"{tag}-{i}"
    i += 1
    try:
        command.main(args=["--db", db, "vote", scene, "7", "--voter", voter],
                     prog_name="scenecat", standalone_mode=True)
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    if code == 0:
        print(voter, flush=True)
    else:
        sys.stderr.write(f"FAILED {voter} exit {code}\n")
"""


def _voters(path: Path) -> set[str]:
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        return {r[0] for r in conn.execute("SELECT voter FROM vote WHERE voter LIKE 'p_-%'")}
    finally:
        conn.close()


@pytest.mark.slow
def test_restore_under_three_voting_processes_keeps_every_acknowledged_vote(
    cli, sample_db: Path, tmp_path: Path
) -> None:
    """#26.1: the safety copy is taken under the restore's write lock, so a vote another
    process was told it made is in the restored catalogue or in one of the safety copies,
    over 20 restores while three processes vote."""
    import subprocess
    import sys

    copy = tmp_path / "copy.db"
    _ok(cli("db", "backup", str(copy)))
    stop = tmp_path / "stop"
    scene = scene_keys(sample_db)[0]
    command = [sys.executable, "-c", _VOTER, str(sample_db), scene]
    voters = [
        subprocess.Popen(
            [*command, f"p{n}", str(stop)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=python_env(),
        )
        for n in range(3)
    ]
    try:
        for n in range(3):
            _wait_for(sample_db, f"SELECT count(*) FROM vote WHERE voter LIKE 'p{n}-%'", 1)
        for _ in range(20):
            _ok(cli("db", "restore", str(copy), "--yes"))
            time.sleep(0.05)  # let the voters land a few votes in the restored catalogue
    finally:
        stop.touch()
        outputs = [proc.communicate(timeout=120) for proc in voters]
    assert [line for _, err in outputs for line in err.splitlines() if "FAILED" in line] == []
    acknowledged = {line for out, _ in outputs for line in out.split()}
    kept = _kept(sample_db)
    assert len(kept) == 20 and len(acknowledged) > 20
    found = _voters(sample_db).union(*(_voters(k) for k in kept))
    assert sorted(acknowledged - found) == []
    _ok(cli("db", "check"))
