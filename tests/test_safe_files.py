"""#13.2, #13.3, #13.8: files scenecat writes. Safety copies never replace anything; exports,
backups and restores go through exclusively created temporary files (no fixed name a planted
link can catch), write to pipes and devices directly, leave no litter when interrupted; a
restore refuses a catalogue that fails `db check`."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import dump, run_process
from tests.fixtures.safety import raw_dump


def _ok(result) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.stderr


def _litter(folder: Path) -> list[str]:
    return sorted(
        p.name for p in folder.iterdir() if p.name.endswith((".part", ".tmp", "-journal"))
    )


# 2. Safety copies


@pytest.mark.slow
def test_two_restores_in_the_same_second_keep_both_copies(
    cli, sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scenecat.domain import health

    monkeypatch.setattr(health, "_stamp", lambda: "20260101-120000")  # the same second
    original = raw_dump(sample_db)
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    _ok(cli("add-actor", "Only In First"))
    _ok(cli("db", "backup", str(first)))
    _ok(cli("add-actor", "Only In Second"))
    _ok(cli("db", "backup", str(second)))
    # back to the original content, the one that must not be lost
    _ok(cli("undo", "2", "--yes"))
    assert raw_dump(sample_db)["actor"] == original["actor"]
    _ok(cli("db", "restore", str(first), "--yes"))
    _ok(cli("db", "restore", str(second), "--yes"))
    kept = sorted(tmp_path.glob(sample_db.name + ".before-restore-*.bak"))
    assert len(kept) == 2, kept
    actors = [{r[1] for r in raw_dump(k)["actor"]} for k in kept]
    assert {r[1] for r in original["actor"]} in actors  # the original catalogue survives
    assert any("Only In First" in a for a in actors)


def test_a_backup_into_a_folder_twice_in_one_second_keeps_both(
    cli, sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scenecat.domain import health

    monkeypatch.setattr(health, "_stamp", lambda: "20260101-120000")
    folder = tmp_path / "backups"
    folder.mkdir()
    _ok(cli("db", "backup", str(folder)))
    _ok(cli("add-actor", "Between Backups"))
    _ok(cli("db", "backup", str(folder)))
    made = sorted(folder.iterdir())
    assert len(made) == 2
    assert {"Between Backups" in {r[1] for r in raw_dump(m)["actor"]} for m in made} == {
        True,
        False,
    }


# 3. Temporary files, links, pipes, devices


@pytest.mark.parametrize("command", [["export", "yaml"], ["export", "jsonl"], ["export", "json"],
                                     ["export", "csv"], ["export", "markdown"]])  # fmt: skip
def test_a_link_planted_at_the_old_temporary_name_is_not_followed(
    cli, sample_db: Path, tmp_path: Path, command: list[str]
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    out = tmp_path / "out.txt"
    (tmp_path / "out.txt.part").symlink_to(victim)
    _ok(cli(*command, "-o", str(out)))
    assert victim.read_text() == "precious\n"
    assert out.is_file() and not out.is_symlink() and out.stat().st_size > 0
    assert not any(p.name.startswith(".out.txt.") for p in tmp_path.iterdir())


def test_a_link_at_the_target_is_replaced_not_written_through(
    cli, sample_db: Path, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    out = tmp_path / "out.yaml"
    out.symlink_to(victim)
    _ok(cli("export", "yaml", "-o", str(out)))
    assert victim.read_text() == "precious\n"
    assert not out.is_symlink() and "format: scenecat/1" in out.read_text()


@pytest.mark.parametrize("command", [["export", "jsonl"], ["export", "csv"]])
def test_export_to_a_fifo_writes_into_the_pipe(
    cli, sample_db: Path, tmp_path: Path, command: list[str]
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    _ok(cli(*command, "-o", str(fifo)))
    reader.join(timeout=30)
    assert received and len(received[0]) > 100
    assert fifo.is_fifo()  # still a pipe, not replaced by a file
    assert _litter(tmp_path) == []


@pytest.mark.slow
def test_export_to_dev_stdout_writes_to_stdout(sample_db: Path) -> None:
    result = run_process("--db", str(sample_db), "export", "jsonl", "-o", "/dev/stdout")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) > 10 and json.loads(lines[0])
    assert os.path.islink("/dev/stdout") or not os.path.isfile("/dev/stdout")


@pytest.mark.slow
def test_export_to_dev_stdout_appended_to_a_file_keeps_what_was_there(
    sample_db: Path, tmp_path: Path
) -> None:
    import subprocess
    import sys

    log = tmp_path / "log.txt"
    log.write_text("earlier line\n")
    with log.open("a") as handle:
        done = subprocess.run(
            [sys.executable, "-m", "scenecat", "--db", str(sample_db), "export", "jsonl",
             "-o", "/dev/stdout"],
            stdout=handle, stderr=subprocess.PIPE, text=True, timeout=120,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = log.read_text().splitlines()
    assert lines[0] == "earlier line" and json.loads(lines[1]) == {"format": "scenecat/1"}


@pytest.mark.parametrize("command", [["export", "yaml"], ["export", "csv"],
                                     ["export", "markdown"], ["db", "backup"]])  # fmt: skip
def test_an_empty_output_name_is_a_clear_error(
    cli, sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    args = [*command, "-o", ""] if command[0] == "export" else [*command, ""]
    result = cli(*args)
    assert result.exit_code == 1, result.stderr
    assert result.stderr.startswith("Error: ") and "unexpected" not in result.stderr
    assert "empty" in result.stderr
    assert _litter(tmp_path) == []


@pytest.mark.parametrize("salvage", [[], ["--salvage"]])
def test_backup_to_a_fifo_is_refused(
    cli, sample_db: Path, tmp_path: Path, salvage: list[str]
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = cli("db", "backup", *salvage, str(fifo), "--force")
    assert result.exit_code == 1 and "not a regular file" in result.stderr
    assert fifo.is_fifo()


def test_an_interrupted_backup_or_restore_leaves_no_litter(
    cli, sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scenecat.storage import connection

    copy = tmp_path / "copy.db"
    _ok(cli("db", "backup", str(copy)))
    before = dump(sample_db)

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(connection, "_backup_progress", interrupt)
    assert cli("db", "backup", str(tmp_path / "second.db")).exit_code == 130
    assert cli("db", "restore", str(copy), "--yes").exit_code == 130
    assert _litter(tmp_path) == [] and not (tmp_path / "second.db").exists()
    monkeypatch.undo()
    assert dump(sample_db) == before


def test_leftovers_of_a_killed_backup_are_swept(cli, sample_db: Path, tmp_path: Path) -> None:
    """A SIGKILLed process cannot clean up: its (unlocked, old) temporary files are removed by
    the next write to the same target; one that a live process holds is left alone."""
    import fcntl

    out = tmp_path / "copy.db"
    stale = tmp_path / ".copy.db.k1ll3d00.part"
    stale.write_bytes(b"half a backup")
    busy = tmp_path / ".copy.db.busy0001.part"
    busy.write_bytes(b"being written")
    restore_stale = tmp_path / f".{sample_db.name}.k1ll3d00.restore.tmp"
    restore_stale.write_bytes(b"half a restore")
    # a temporary of a temporary, as scenecat named them before #26.8
    nested = tmp_path / f"..{sample_db.name}.k1ll3d00.check.tmp.k1ll3d01.part"
    nested.write_bytes(b"half a check")
    users = tmp_path / ".copy.db.old.part"  # not a name scenecat gives a temporary
    users.write_bytes(b"the user's own")
    old = time.time() - 3600
    for path in (stale, busy, restore_stale, nested, users):
        os.utime(path, (old, old))
    with busy.open("rb") as holder:
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX)
        _ok(cli("db", "backup", str(out)))
        _ok(cli("db", "restore", str(out), "--yes"))
        assert not stale.exists() and not restore_stale.exists() and not nested.exists()
        assert busy.exists() and users.exists()


# 8. Restore checks the source


def _damaged_copy(cli, tmp_path: Path, damage: str) -> Path:  # type: ignore[no-untyped-def]
    source = tmp_path / f"{damage}.db"
    _ok(cli("db", "backup", str(source)))
    conn = sqlite3.connect(source, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    if damage == "foreign-key":
        conn.execute("DELETE FROM actor WHERE name = 'Ji Chang Wook'")
    else:
        conn.execute(
            "DELETE FROM scene_search WHERE rowid IN (SELECT rowid FROM scene_search LIMIT 3)"
        )
    conn.close()
    return source


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["foreign-key", "search-index"])
def test_restore_refuses_a_catalogue_that_fails_db_check(
    cli, sample_db: Path, tmp_path: Path, damage: str
) -> None:
    source = _damaged_copy(cli, tmp_path, damage)
    assert cli("--db", str(source), "db", "check").exit_code == 1
    before = dump(sample_db)
    result = cli("db", "restore", str(source), "--yes")
    assert result.exit_code == 1
    assert "fails `db check`" in result.stderr and "--force" in result.stderr
    assert dump(sample_db) == before
    assert list(tmp_path.glob(sample_db.name + ".before-restore-*")) == []
    _ok(cli("db", "restore", str(source), "--yes", "--force"))
    assert raw_dump(sample_db)["actor"] == raw_dump(source)["actor"]


def test_a_staged_folder_lands_whole_or_not_at_all(tmp_path: Path) -> None:
    """`publish` writes its folder through files.staged_folder: complete or absent, a folder
    with contents never replaced, no temporary folder left behind."""
    from scenecat.files import staged_folder

    target = tmp_path / "site"
    with pytest.raises(RuntimeError), staged_folder(target) as work:
        (work / "half.txt").write_text("x", encoding="utf-8")
        raise RuntimeError("failed half-way")
    assert not target.exists() and list(tmp_path.iterdir()) == []

    with staged_folder(target) as work:
        (work / "whole.txt").write_text("x", encoding="utf-8")
    assert [p.name for p in target.iterdir()] == ["whole.txt"]

    with pytest.raises(OSError), staged_folder(target) as work:
        (work / "other.txt").write_text("y", encoding="utf-8")
    assert [p.name for p in target.iterdir()] == ["whole.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


# A scenecat run killed (SIGKILL, nothing cleaned up) at a given function: the function is
# replaced by one that kills the process, as a crash or the OOM killer would.
_KILLED_AT = r"""
import importlib, os, signal, sys
from typer.main import get_command
from scenecat.cli.app import app

module, name = sys.argv[1].rsplit(".", 1)
setattr(importlib.import_module(module), name, lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL))
get_command(app).main(args=sys.argv[2:], prog_name="scenecat")
"""


def _run_killed_at(where: str, *args: str) -> None:
    import subprocess
    import sys

    from tests.fixtures.safety import python_env

    done = subprocess.run([sys.executable, "-c", _KILLED_AT, where, *args], env=python_env(),
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == -9, done.stderr


def _age(folder: Path) -> None:
    old = time.time() - 3600
    for path in folder.rglob("*"):
        os.utime(path, (old, old), follow_symlinks=False)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("command", "killed_at"),
    [
        (["db", "backup", "--salvage", "saved.db"], "scenecat.storage.salvage._drop_orphans"),
        (["db", "restore", "copy.db", "--yes"], "scenecat.storage.connection._backup_progress"),
        (["publish", "site"], "shutil.copytree"),
    ],
)
def test_leftovers_of_killed_salvage_restore_and_publish_are_swept(
    cli, sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    command: list[str], killed_at: str,
) -> None:  # fmt: skip
    """#26.8: every temporary (a catalogue's -wal and -journal files too, a temporary made
    while checking a restore's source, publish's folder) is named so that the next run to
    the same place finds it: once old and unlocked, it is removed."""
    monkeypatch.chdir(tmp_path)
    _ok(cli("db", "backup", "copy.db"))
    # the catalogue's own -wal and -shm files come and go
    before = {p.name for p in tmp_path.iterdir()} | {
        f"{sample_db.name}{s}" for s in ("-wal", "-shm")
    }
    _run_killed_at(killed_at, "--db", str(sample_db), *command)
    left = {p.name for p in tmp_path.iterdir()} - before
    assert left and all(name.startswith(".") for name in left), left
    _age(tmp_path)
    _ok(cli(*command))
    after = {p.name for p in tmp_path.iterdir()} - before
    assert after <= {"saved.db", "site"} | {p.name for p in tmp_path.glob("*.before-restore-*")}


def test_a_leftover_a_live_process_holds_is_kept(cli, sample_db: Path, tmp_path: Path) -> None:
    """Sweeping never takes a temporary (or its -wal file, or a temporary folder) that a
    running process holds, however old."""
    import fcntl

    held = tmp_path / ".saved.db.busy0001.part"
    held.write_bytes(b"being salvaged")
    wal = tmp_path / ".saved.db.busy0001.part-wal"
    wal.write_bytes(b"its log")
    orphan_wal = tmp_path / ".saved.db.gone0001.part-wal"  # its catalogue is gone: litter
    orphan_wal.write_bytes(b"a log of nothing")
    folder = tmp_path / ".site.busy0002.part"
    folder.mkdir()
    (folder / "catalogue.db").write_bytes(b"being published")
    _age(tmp_path)
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with held.open("rb") as holder:
            fcntl.flock(holder.fileno(), fcntl.LOCK_EX)
            _ok(cli("db", "backup", "--salvage", str(tmp_path / "saved.db")))
            _ok(cli("publish", str(tmp_path / "site")))
            assert held.exists() and wal.exists() and (folder / "catalogue.db").exists()
            assert not orphan_wal.exists()
    finally:
        os.close(fd)


@pytest.mark.parametrize("kind", ["link to an empty folder", "dangling link", "link to a file"])
def test_publish_onto_a_link(cli, sample_db: Path, tmp_path: Path, kind: str) -> None:
    """#26.9: a link to an empty folder is followed (the site goes where it points, the link
    stays); a link to nothing or to a file is one clear error and nothing is written."""
    link = tmp_path / "site"
    real = tmp_path / "www"
    if kind == "link to an empty folder":
        real.mkdir()
    elif kind == "link to a file":
        real.write_text("keep me")
    link.symlink_to(real)
    result = cli("publish", str(link))
    if kind == "link to an empty folder":
        _ok(result)
        assert link.is_symlink() and (real / "catalogue.db").is_file()
        assert (real / "plugins" / "scenecat_site.py").is_file()
    else:
        assert result.exit_code == 1
        assert result.stderr.startswith("Error: ") and "unexpected" not in result.stderr
        assert len(result.stderr.splitlines()) == 2  # the error and its hint
        expected = "which does not exist" if kind == "dangling link" else "a link to a file"
        assert expected in result.stderr
        left = {p.name for p in tmp_path.iterdir() if not p.name.startswith(sample_db.name)}
        assert left == {"site", *(["www"] if real.exists() else [])}
