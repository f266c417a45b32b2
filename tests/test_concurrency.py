"""Several scenecat processes writing one catalogue at once: every write lands, nobody sees
"database is locked", and creating or upgrading the same file at once is safe."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.fixtures.safety import (
    OLD_CATALOGUE,
    finish_workers,
    python_env,
    scene_keys,
    start_workers,
    user_version,
)

pytestmark = pytest.mark.slow

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


def _held_lock_run(db: Path, batches: list[list[list[str]]], tmp_path: Path) -> list[str]:
    """Start the workers while another connection holds the write lock, so that every
    command is queued at once when it is let go (the case that loses updates when a
    command reads before it takes the lock)."""
    import time

    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    go = tmp_path / "go"
    workers = start_workers(batches, go)
    go.touch()
    time.sleep(3)  # long enough for every worker to reach its first write and wait
    holder.execute("COMMIT")
    holder.close()
    return finish_workers(workers)


def test_eight_processes_editing_different_fields_of_the_same_records(
    cli, sample_db: Path, tmp_path: Path
) -> None:
    """#13.1: every acknowledged change is present afterwards; no edit writes back a field
    it was not asked to change."""
    db = str(sample_db)
    scenes = ["healer-e7-blindfolded-on-the-rooftop", "healer-e8-elevator-rescue"]
    rounds = 6
    for i in range(rounds):
        assert cli("--db", db, "add-actor", f"Dupe Person {i}", "--force").exit_code == 0
    votes_before = _count(sample_db, "SELECT count(*) FROM vote")

    def edits(field: str, value: str) -> list[list[str]]:
        return [
            ["--db", db, "edit", "scene", key, field, value.format(i=i)]
            for i in range(rounds)
            for key in scenes
        ]

    batches = [
        edits("--title", "Title {i}"),
        edits("--description", "Description {i}"),
        edits("--location", "Location {i}"),
        [[*edit, "--new-kind"] for edit in edits("--kind", "kind-{i}")],
        [["--db", db, "edit", "actor", "Ji Chang Wook", "--born", str(1980 + i)]
         for i in range(rounds)]
        + [["--db", db, "edit", "drama", "Healer", "--year", str(2010 + i)]
           for i in range(rounds)],
        [["--db", db, "edit", "actor", "Ji Chang Wook", "--native", f"지창욱{i}"]
         for i in range(rounds)]
        + [["--db", db, "edit", "drama", "Healer", "--network", f"KBS{i}"]
           for i in range(rounds)],
        [["--db", db, "alias", "actor", "Ji Chang Wook", f"JCW {i}"] for i in range(rounds)]
        + [["--db", db, "alias", "drama", "Healer", f"Healer {i}"] for i in range(rounds)],
        [["--db", db, "vote", scenes[i % 2], str(i + 1), "--voter", f"racer{i}"]
         for i in range(rounds)]
        + [["--db", db, "merge", "actor", "Ji Chang Wook", f"Dupe Person {i}", "--yes"]
           for i in range(rounds)],
    ]  # fmt: skip
    assert _held_lock_run(sample_db, batches, tmp_path) == []

    last = rounds - 1
    for key in scenes:
        shown = cli("--db", db, "show", "scene", key, "--json")
        assert shown.exit_code == 0, shown.stderr
        import json

        scene = json.loads(shown.stdout)["data"]
        assert scene["title"] == f"Title {last}"
        assert scene["description"] == f"Description {last}"
        assert scene["location"] == f"Location {last}"
        assert scene["kind"] == f"kind-{last}"
    conn = sqlite3.connect(sample_db)
    try:
        born, native = conn.execute(
            "SELECT born, native FROM actor WHERE name = 'Ji Chang Wook'"
        ).fetchone()
        assert (born, native) == (1980 + last, f"지창욱{last}")
        year, network = conn.execute(
            "SELECT year, network FROM drama WHERE title = 'Healer'"
        ).fetchone()
        assert (year, network) == (2010 + last, f"KBS{last}")
        aliases = {
            r[0]
            for r in conn.execute(
                "SELECT alias FROM actor_alias JOIN actor ON actor.id = actor_id "
                "WHERE actor.name = 'Ji Chang Wook'"
            )
        }
        for i in range(rounds):
            assert f"JCW {i}" in aliases
            assert f"Dupe Person {i}" in aliases  # the merged name became an alias
        drama_aliases = {
            r[0]
            for r in conn.execute(
                "SELECT alias FROM drama_alias JOIN drama ON drama.id = drama_id "
                "WHERE drama.title = 'Healer'"
            )
        }
        assert {f"Healer {i}" for i in range(rounds)} <= drama_aliases
        assert (
            conn.execute("SELECT count(*) FROM actor WHERE name LIKE 'Dupe Person %'").fetchone()[0]
            == 0
        )
    finally:
        conn.close()
    assert _count(sample_db, "SELECT count(*) FROM vote") == votes_before + rounds
    _check(cli, sample_db)
