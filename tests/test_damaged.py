"""#13.7: `db check` on a catalogue with a damaged page reports the damage, says what can
still be read and how to save it, exit 1 — never "unexpected failure ... report it"; other
commands say the file is damaged; `db backup` keeps a copy, damage included, and says so."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest


def _damage(db: Path, table: str) -> None:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    conn.close()
    data = bytearray(db.read_bytes())
    start = (root - 1) * page_size
    data[start : start + page_size] = b"\xff" * page_size
    db.write_bytes(bytes(data))


@pytest.fixture
def damaged_db(cli, sample_db: Path) -> Path:
    assert cli("db", "check").exit_code == 0
    _damage(sample_db, "scene")
    return sample_db


def test_db_check_reports_damage_and_what_can_be_saved(cli, damaged_db: Path) -> None:
    result = cli("db", "check")
    assert result.exit_code == 1
    assert "unexpected failure" not in result.stderr and "report it" not in result.stderr
    assert "problem: integrity:" in result.stderr
    assert "cannot be read to the end: scenes" in result.stderr
    assert "35 actors" in result.stderr  # what can still be read
    assert ".recover" in result.stderr and "db backup COPY.db" in result.stderr
    assert (
        result.stderr.rstrip().splitlines()[-1].startswith("Error: the catalogue file is damaged")
    )


@pytest.mark.parametrize("command", [["list", "scenes"], ["search", "kiss"], ["rank"]])
def test_other_commands_say_the_file_is_damaged(cli, damaged_db: Path, command: list[str]) -> None:
    result = cli(*command)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: the catalogue file is damaged")
    assert "db check" in result.stderr and "report it" not in result.stderr


def test_backup_of_a_damaged_catalogue_keeps_the_copy(
    cli, damaged_db: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.db"
    result = cli("db", "backup", str(copy))
    assert result.exit_code == 0, result.stderr
    assert "warning: the catalogue is damaged, so this copy is too" in result.stderr
    assert copy.exists() and copy.read_bytes()[:16] == b"SQLite format 3\x00"


def test_salvage_saves_what_can_be_read_into_a_sound_catalogue(
    cli, damaged_db: Path, tmp_path: Path
) -> None:
    saved = tmp_path / "saved.db"
    result = cli("db", "backup", "--salvage", str(saved))
    assert result.exit_code == 0, result.stderr
    assert "35 actors" in result.stderr and "13 dramas" in result.stderr
    assert "could not be read (or not to the end): scenes" in result.stderr
    assert "left out (the scene, actor, drama or vote they belong to was lost):" in result.stderr
    assert cli("--db", str(saved), "db", "check").exit_code == 0
    conn = sqlite3.connect(saved)
    try:
        assert conn.execute("SELECT count(*) FROM actor").fetchone()[0] == 35
        assert conn.execute("SELECT count(*) FROM scene").fetchone()[0] == 0
    finally:
        conn.close()


@pytest.mark.slow
def test_salvage_reads_around_damaged_pages(cli, db: Path, tmp_path: Path) -> None:
    """A few damaged leaf pages in the middle of a big table lose only their rows."""
    lines = ["format: scenecat/1", "actors:", "  - name: Salvage Actor", "dramas:",
             "  - title: Salvage Drama", "scenes:"]  # fmt: skip
    for i in range(3000):
        lines += [
            f"  - key: salvage-scene-{i}",
            "    drama: Salvage Drama",
            "    kind: kiss",
            f"    title: Scene number {i} with a long title to fill the pages a little",
            "    actors: [Salvage Actor]",
        ]
    source = tmp_path / "many.yaml"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert cli("import", str(source)).exit_code == 0
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    try:
        leaves = [
            r[0]
            for r in conn.execute(
                "SELECT pageno FROM dbstat WHERE name = 'scene' AND pagetype = 'leaf' "
                "ORDER BY pageno"
            )
        ]
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no dbstat table to find a leaf page with")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    assert len(leaves) > 10
    data = bytearray(db.read_bytes())
    for page in leaves[len(leaves) // 2 : len(leaves) // 2 + 2]:
        data[(page - 1) * page_size : page * page_size] = b"\0" * page_size
    db.write_bytes(bytes(data))
    assert cli("db", "check").exit_code == 1
    saved = tmp_path / "saved.db"
    result = cli("db", "backup", "--salvage", str(saved))
    assert result.exit_code == 0, result.stderr
    assert "read around damaged pages: scenes" in result.stderr
    assert cli("--db", str(saved), "db", "check").exit_code == 0
    conn = sqlite3.connect(saved)
    try:
        scenes = conn.execute("SELECT count(*) FROM scene").fetchone()[0]
    finally:
        conn.close()
    assert 2500 < scenes < 3000  # most scenes saved; those on the two pages lost
    found = cli("--db", str(saved), "search", "number")
    assert found.exit_code == 0  # the search index was made again


def _leaf_pages(db: Path, table: str) -> list[tuple[int, int]]:
    """(page number, rows on it) of each leaf page of `table`, in rowid order."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return conn.execute(
            "SELECT pageno, ncell FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY path",
            (table,),
        ).fetchall()
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no dbstat table to find a leaf page with")
    finally:
        conn.close()


def _count(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.slow
@pytest.mark.parametrize("damage", [b"\xff", b"\x00"])
@pytest.mark.parametrize("which", ["first", "middle", "last"])
def test_salvage_around_one_damaged_leaf_finishes_and_loses_only_its_rows(
    cli, sample_db: Path, tmp_path: Path, which: str, damage: bytes
) -> None:
    """#26.5: salvage used to walk rowids one by one from -2^63 past a damaged `scene` leaf
    page, and never finished. It finds the first readable rowid past the damage in a few
    dozen lookups, and saves every row on the other pages."""
    import subprocess
    import sys

    from tests.fixtures.safety import python_env

    scenes = _count(sample_db, "scene")
    leaves = _leaf_pages(sample_db, "scene")
    assert len(leaves) >= 3, leaves
    page, lost = {"first": leaves[0], "middle": leaves[1], "last": leaves[-1]}[which]
    page_size = 4096
    data = bytearray(sample_db.read_bytes())
    data[(page - 1) * page_size : page * page_size] = damage * page_size
    sample_db.write_bytes(bytes(data))
    saved = tmp_path / "saved.db"
    done = subprocess.run(
        [sys.executable, "-m", "scenecat", "db", "backup", "--salvage", str(saved)],
        capture_output=True, text=True, env=python_env(SCENECAT_DB=str(sample_db)), timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert _count(saved, "scene") == scenes - lost
    assert f"{scenes - lost} scenes" in " ".join(done.stderr.split())
    if which == "last":  # nothing past it to read again
        assert "could not be read (or not to the end): scenes" in done.stderr, leaves
    else:
        assert "read around damaged pages: scenes" in done.stderr
    assert cli("--db", str(saved), "db", "check").exit_code == 0


def test_salvage_reports_exactly_what_it_saved(cli, sample_db: Path, tmp_path: Path) -> None:
    """#26.5: a row read from a damaged page may hold values its table refuses (here a
    score of 99); it is left out and said so, and the counts are those of the new file
    (salvage used to say 41 votes and save 40)."""
    conn = sqlite3.connect(sample_db, isolation_level=None)
    conn.execute("PRAGMA ignore_check_constraints = ON")
    conn.execute("UPDATE vote SET score = 99 WHERE id = (SELECT min(id) FROM vote)")
    conn.close()
    votes = _count(sample_db, "vote")
    saved = tmp_path / "saved.db"
    result = cli("db", "backup", "--salvage", str(saved))
    assert result.exit_code == 0, result.stderr
    report = " ".join(result.stderr.split())
    assert _count(saved, "vote") == votes - 1
    assert f" {votes - 1} votes," in report and f" {votes} votes" not in report
    assert "read but left out (damaged values the table refuses): 1 vote " in report
    for table, label in (("actor", "actors"), ("scene", "scenes"), ("duel", "duels")):
        assert f" {_count(saved, table)} {label}" in report
    assert "scene_signal" not in report  # made again, not saved
    assert cli("--db", str(saved), "db", "check").exit_code == 0
