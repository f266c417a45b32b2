"""#26.4: `db check` compares the whole schema (tables, indexes, triggers, views and their SQL)
with the one scenecat makes. A trigger scenecat does not make, or one of its objects changed,
is a problem that `db restore` refuses without --force; an index, view or table a user added
is noted and kept."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import dump
from tests.fixtures.safety import OLD_CATALOGUE, scene_keys

PWNED = "CREATE TRIGGER pwn AFTER INSERT ON vote BEGIN UPDATE scene SET title = 'pwned'; END"
NO_OP_SIGNAL = (
    "DROP TRIGGER scene_signal_vote_ins; "
    "CREATE TRIGGER scene_signal_vote_ins AFTER INSERT ON vote BEGIN SELECT 1; END"
)
TAMPERED = {
    "an extra trigger": (PWNED, "a trigger scenecat does not make: pwn on vote"),
    "a signal trigger made a no-op": (
        NO_OP_SIGNAL,
        "the trigger scene_signal_vote_ins on vote is not the one scenecat makes",
    ),
    "a changed table": (
        "ALTER TABLE scene ADD COLUMN secret TEXT",
        "the table scene is not the one scenecat makes",
    ),
    "a dropped index": ("DROP INDEX vote_by_scene", "the index vote_by_scene on vote is missing"),
    "a unique index on a scenecat table": (
        "CREATE UNIQUE INDEX one_vote_each ON vote(voter, id)",
        "a UNIQUE index scenecat does not make: one_vote_each on vote",
    ),
}


def _ok(result) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.stderr


def _tamper(path: Path, script: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.executescript(script)
    finally:
        conn.close()


def _titles(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {row[0] for row in conn.execute("SELECT title FROM scene")}
    finally:
        conn.close()


@pytest.mark.parametrize("kind", list(TAMPERED))
def test_db_check_reports_a_tampered_schema_and_restore_refuses_it(
    cli, sample_db: Path, tmp_path: Path, kind: str
) -> None:
    script, expected = TAMPERED[kind]
    source = tmp_path / "tampered.db"
    _ok(cli("db", "backup", str(source)))
    _tamper(source, script)

    checked = cli("--db", str(source), "db", "check")
    assert checked.exit_code == 1
    assert f"problem: schema: {expected}" in checked.stderr

    before = dump(sample_db)
    refused = cli("db", "restore", str(source), "--yes")
    assert refused.exit_code == 1 and refused.stderr.startswith("Error: cannot restore")
    assert expected in refused.stderr and "--force" in refused.stderr
    assert "report it" not in refused.stderr
    assert dump(sample_db) == before
    assert list(tmp_path.glob(f"{sample_db.name}.before-restore-*")) == []


def test_an_extra_trigger_would_rewrite_every_title(cli, sample_db: Path, tmp_path: Path) -> None:
    """What the refusal prevents: restored with --force, one vote rewrites every title."""
    source = tmp_path / "tampered.db"
    _ok(cli("db", "backup", str(source)))
    _tamper(source, PWNED)
    _ok(cli("db", "restore", str(source), "--yes", "--force"))
    _ok(cli("vote", scene_keys(sample_db)[0], "9"))
    assert _titles(sample_db) == {"pwned"}
    assert cli("db", "check").exit_code == 1


def test_db_check_repair_puts_back_a_signal_trigger_made_a_no_op(cli, sample_db: Path) -> None:
    _tamper(sample_db, NO_OP_SIGNAL)
    assert cli("db", "check").exit_code == 1
    _ok(cli("db", "check", "--repair"))
    _ok(cli("db", "check"))


def test_what_a_user_adds_is_noted_and_kept(cli, sample_db: Path, tmp_path: Path) -> None:
    source = tmp_path / "added.db"
    _ok(cli("db", "backup", str(source)))
    _tamper(
        source,
        "CREATE INDEX scene_by_title ON scene(title); "
        "CREATE VIEW kisses AS SELECT key FROM scene WHERE kind = 'kiss'; "
        "CREATE TABLE notes (scene_key TEXT, note TEXT); "
        "CREATE VIRTUAL TABLE note_search USING fts5(note);",
    )
    checked = cli("--db", str(source), "db", "check")
    _ok(checked)
    notes = " ".join(checked.stderr.split())
    assert "note: added outside scenecat (kept, not a problem):" in notes
    for added in (
        "index scene_by_title on scene",
        "view kisses",
        "table notes",
        "table note_search",
    ):
        assert added in notes
    assert "note_search_data" not in notes  # the virtual table's own tables are part of it

    restored = cli("db", "restore", str(source), "--yes")
    _ok(restored)
    assert "table notes" in restored.stderr
    conn = sqlite3.connect(sample_db)
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    finally:
        conn.close()
    assert {"scene_by_title", "kisses", "notes", "note_search"} <= names
    _ok(cli("vote", scene_keys(sample_db)[0], "9"))
    _ok(cli("db", "check"))


def test_an_older_catalogue_with_an_extra_trigger_is_refused(
    cli, sample_db: Path, tmp_path: Path
) -> None:
    """An old file is checked as it will be once upgraded: the upgrade keeps a trigger it
    does not know, so the trigger is caught before the restore, not after."""
    source = tmp_path / "old.db"
    shutil.copyfile(OLD_CATALOGUE, source)
    _tamper(source, PWNED)
    before = dump(sample_db)
    refused = cli("db", "restore", str(source), "--yes")
    assert refused.exit_code == 1
    assert "a trigger scenecat does not make: pwn on vote" in refused.stderr
    assert dump(sample_db) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("old.db")) == ["old.db"]
    _ok(cli("db", "restore", str(OLD_CATALOGUE), "--yes"))  # untampered, it is restored
    _ok(cli("db", "check"))
