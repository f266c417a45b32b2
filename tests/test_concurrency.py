"""Several scenecat processes writing one catalogue at once: every write lands, nobody sees
"database is locked", and creating or upgrading the same file at once is safe."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from pathlib import Path

from tests.fixtures.safety import (
    OLD_CATALOGUE,
    finish_workers,
    python_env,
    scene_keys,
    start_workers,
    user_version,
)

WORKERS = 4
WRITES = 100


def _count(db: Path, sql: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def _check(cli, db: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("--db", str(db), "db", "check")
    assert result.exit_code == 0, result.stderr


def test_four_processes_times_a_hundred_writes_all_land(
    cli, sample_db: Path, tmp_path: Path
) -> None:
    keys = scene_keys(sample_db)
    actors_before = _count(sample_db, "SELECT count(*) FROM actor")
    votes_before = _count(sample_db, "SELECT count(*) FROM vote")
    batches = []
    for w in range(WORKERS):
        batch = []
        for i in range(WRITES):
            if i % 2:
                key = keys[(w * WRITES + i) % len(keys)]
                batch.append(["--db", str(sample_db), "vote", key, str(i % 10 + 1),
                              "--voter", f"worker{w}-{i}"])  # fmt: skip
            else:
                batch.append(["--db", str(sample_db), "add-actor", f"Worker {w} Person {i}"])
        batches.append(batch)
    go = tmp_path / "go"
    workers = start_workers(batches, go)
    go.touch()
    failures = finish_workers(workers)
    assert failures == []
    half = WORKERS * WRITES // 2
    assert _count(sample_db, "SELECT count(*) FROM actor") == actors_before + half
    assert _count(sample_db, "SELECT count(*) FROM vote") == votes_before + half
    # every write is its own change in the history
    assert _count(sample_db, "SELECT count(*) FROM history_change") == 1 + WORKERS * WRITES
    _check(cli, sample_db)


def test_processes_creating_the_same_new_catalogue_at_once(cli, tmp_path: Path) -> None:
    db = tmp_path / "fresh" / "new.db"
    batches = [
        [["--db", str(db), "add-actor", f"Creator {w} Person {i}"] for i in range(25)]
        for w in range(WORKERS)
    ]
    go = tmp_path / "go"
    workers = start_workers(batches, go)
    go.touch()
    assert finish_workers(workers) == []
    assert _count(db, "SELECT count(*) FROM actor") == WORKERS * 25
    # One process migrated; the others found the work done.
    assert _count(db, "SELECT count(*) FROM _sqlite_migrations") == user_version(db)
    assert not list(db.parent.glob("*.bak"))
    _check(cli, db)


def test_processes_upgrading_the_same_old_catalogue_at_once(cli, tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copyfile(OLD_CATALOGUE, db)
    batches = [
        [["--db", str(db), "add-actor", f"Upgrader {w} Person {i}"] for i in range(10)]
        for w in range(WORKERS)
    ]
    go = tmp_path / "go"
    workers = start_workers(batches, go)
    go.touch()
    assert finish_workers(workers) == []
    backups = list(tmp_path.glob("old.db.schema2*.bak"))
    assert len(backups) == 1  # exactly one process upgraded, after one backup
    assert user_version(backups[0]) == 2
    assert _count(db, "SELECT count(*) FROM actor WHERE name LIKE 'Upgrader %'") == WORKERS * 10


def _import_file(path: Path, tag: str, scenes: int) -> Path:
    lines = ["format: scenecat/1", "scenes:"]
    for i in range(scenes):
        lines += [
            f"  - key: {tag}-scene-{i}",
            "    drama: Healer",
            f"    episode: {i % 20 + 1}",
            "    kind: kiss",
            f"    title: {tag} scene {i}",
            "    actors: [Ji Chang Wook, Park Min Young]",
        ]
    lines.append("votes:")
    lines += [f"  - {{scene: {tag}-scene-{i}, score: 8, voter: {tag}}}" for i in range(scenes)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_imports_and_votes_at_once(cli, sample_db: Path, tmp_path: Path) -> None:
    keys = scene_keys(sample_db)
    scenes_before = _count(sample_db, "SELECT count(*) FROM scene")
    votes_before = _count(sample_db, "SELECT count(*) FROM vote")
    batches = []
    for w in range(2):
        batch = []
        for n in range(3):
            source = _import_file(tmp_path / f"import-{w}-{n}.yaml", f"imp{w}x{n}", 30)
            batch.append(["--db", str(sample_db), "import", str(source)])
        batches.append(batch)
    for w in range(2):
        batches.append(
            [
                ["--db", str(sample_db), "vote", keys[i % len(keys)], "5", "--voter", f"v{w}-{i}"]
                for i in range(40)
            ]
        )
    go = tmp_path / "go"
    workers = start_workers(batches, go)
    go.touch()
    assert finish_workers(workers) == []
    assert _count(sample_db, "SELECT count(*) FROM scene") == scenes_before + 2 * 3 * 30
    assert _count(sample_db, "SELECT count(*) FROM vote") == votes_before + 2 * 3 * 30 + 2 * 40
    _check(cli, sample_db)


def test_a_real_process_waits_out_a_held_write_lock(cli, sample_db: Path) -> None:
    """Another writer holding the lock for a while: the command waits instead of failing."""
    import subprocess
    import sys

    holder = sqlite3.connect(sample_db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    proc = subprocess.Popen(
        [sys.executable, "-m", "scenecat", "--db", str(sample_db), "add-actor", "Patient Person"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=python_env(),
    )
    # Held for a few seconds: long enough for the process to start and reach its write
    # (the outcome is checked, never the timing).
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=3)
    assert proc.returncode is None  # still waiting for the lock, not failed
    holder.execute("COMMIT")
    holder.close()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "locked" not in err
    assert _count(sample_db, "SELECT count(*) FROM actor WHERE name = 'Patient Person'") == 1
