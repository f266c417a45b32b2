"""Schema upgrades: an older catalogue is upgraded in place after a backup copy; a newer one,
or a file that is not a catalogue, is refused and left untouched."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.fixtures.safety import OLD_CATALOGUE, raw_dump, user_version


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def old_db(db: Path) -> Path:
    """A copy of a catalogue made by the first released schema (version 2)."""
    shutil.copyfile(OLD_CATALOGUE, db)
    return db


def test_fixture_is_the_released_schema() -> None:
    # Guards the fixture itself: it must stay what the old scenecat wrote.
    assert user_version(OLD_CATALOGUE) == 2
    conn = sqlite3.connect(OLD_CATALOGUE.resolve().as_uri() + "?mode=ro", uri=True)
    names = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert names == ["0001_initial", "0002_search_index"]
    assert not any(t.startswith("history_") for t in tables)


def test_old_catalogue_is_upgraded_after_a_backup_and_keeps_every_fact(
    cli, old_db: Path, sample_db_export: str
) -> None:
    original = raw_dump(old_db)
    result = cli("db", "check")
    assert result.exit_code == 0, result.stderr
    assert "Upgraded the catalogue from schema 2" in result.stderr
    backup = old_db.with_name(old_db.name + ".schema2.bak")
    assert backup.exists()
    assert str(backup) in result.stderr
    # The backup is the old catalogue, still at the old schema, every row as it was.
    assert user_version(backup) == 2
    assert raw_dump(backup) == original

    from scenecat.storage.migrations import schema_version

    assert user_version(old_db) == schema_version()
    exported = cli("export", "yaml")
    assert exported.exit_code == 0, exported.stderr
    assert exported.stdout == sample_db_export
    # Opening again does not upgrade (or back up) a second time.
    again = cli("list", "actors", "--json")
    assert again.exit_code == 0 and "Upgraded" not in again.stderr
    assert sorted(p.name for p in old_db.parent.iterdir() if ".bak" in p.name) == [backup.name]


@pytest.fixture
def sample_db_export(cli, sample_template: Path, tmp_path: Path) -> str:
    """The YAML export of data/sample.yaml imported with the current code."""
    copy = tmp_path / "sample-now.db"
    shutil.copyfile(sample_template, copy)
    result = cli("--db", str(copy), "export", "yaml")
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_upgraded_catalogue_records_history_and_undoes(cli, old_db: Path) -> None:
    assert cli("db", "check").exit_code == 0
    before = raw_dump(old_db)
    assert cli("vote", "melting-me-softly-e10-shower-kiss", "2").exit_code == 0
    assert cli("remove", "drama", "Healer", "--yes").exit_code == 0
    result = cli("undo", "2", "--yes")
    assert result.exit_code == 0, result.stderr
    assert raw_dump(old_db) == before
    assert cli("db", "check").exit_code == 0


def test_newer_catalogue_is_refused_and_untouched(cli, old_db: Path) -> None:
    conn = sqlite3.connect(old_db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    digest = _sha(old_db)
    for args in (("list", "actors"), ("add-actor", "Someone"), ("db", "check"), ("undo", "--yes")):
        result = cli(*args)
        assert result.exit_code == 1
        assert "newer scenecat" in result.stderr and "untouched" in result.stderr
        assert result.stderr.count("Error:") == 1
    assert _sha(old_db) == digest
    assert not list(old_db.parent.glob("*.bak"))


def test_a_file_that_is_not_a_catalogue_is_refused_and_untouched(
    cli, db: Path, tmp_path: Path
) -> None:
    db.write_text("just some notes, not a database\n" * 20)
    digest = _sha(db)
    result = cli("list", "actors")
    assert result.exit_code == 1 and "not a scenecat catalogue" in result.stderr
    assert _sha(db) == digest


def test_another_sqlite_database_is_not_turned_into_a_catalogue(cli, db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.execute("INSERT INTO recipes VALUES ('kimchi')")
    conn.commit()
    conn.close()
    digest = _sha(db)
    result = cli("add-actor", "Someone")
    assert result.exit_code == 1 and "not a scenecat catalogue" in result.stderr
    assert _sha(db) == digest
    conn = sqlite3.connect(db)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    conn.close()
    assert tables == ["recipes"]


def test_a_fresh_catalogue_needs_no_backup(cli, db: Path) -> None:
    result = cli("init")
    assert result.exit_code == 0 and "Upgraded" not in result.stderr
    assert not list(db.parent.glob("*.bak"))


def test_a_data_migration_is_not_logged_as_a_change(
    cli, sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A later scenecat whose migration rewrites rows: the upgrade is no user change, and
    undo of an older change to a rewritten row is refused rather than clobbering it."""
    assert cli("edit", "drama", "Healer", "--network", "KBS").exit_code == 0
    assert cli("vote", "melting-me-softly-e10-shower-kiss", "2").exit_code == 0
    from scenecat.storage import migrations

    def rewrite(db) -> None:  # type: ignore[no-untyped-def]
        db.execute("UPDATE drama SET synopsis = coalesce(synopsis, '') || ' (checked)'")

    # The version follows the list: one more step is all a later scenecat adds.
    later = f"{len(migrations.MIGRATIONS) + 1:04d}_rewrite"
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, (later, rewrite)])
    result = cli("history", "--json")
    assert result.exit_code == 0 and "Upgraded" in result.stderr
    conn = sqlite3.connect(sample_db)
    unrecorded = conn.execute(
        "SELECT count(*) FROM history_entry WHERE change_id IS NULL"
    ).fetchone()[0]
    conn.close()
    assert unrecorded == 0
    assert cli("undo", "--yes").exit_code == 0  # the vote: untouched by the migration
    refused = cli("undo", "--yes")  # the drama edit: its row was rewritten since
    assert refused.exit_code == 1 and "changed since" in refused.stderr
    assert cli("db", "check").exit_code == 0


def test_migrations_are_numbered_in_order_and_the_version_is_their_count() -> None:
    from scenecat.storage.migrations import MIGRATIONS, schema_version

    names = [name for name, _ in MIGRATIONS]
    assert [name[:5] for name in names] == [f"{n:04d}_" for n in range(1, len(names) + 1)]
    assert len(set(names)) == len(names)
    assert schema_version() == len(MIGRATIONS)


def test_a_fresh_catalogue_records_every_step_by_its_released_name(cli, db: Path) -> None:
    """Existing catalogues are upgraded by the names they have not recorded: a renamed
    step would run twice, so the names stay exactly what earlier releases wrote."""
    assert cli("init").exit_code == 0
    conn = sqlite3.connect(db)
    recorded = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = 'scenecat' ORDER BY rowid"
        )
    ]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    conn.close()
    from scenecat.storage.migrations import MIGRATIONS

    assert recorded == [name for name, _ in MIGRATIONS]
    assert version == len(MIGRATIONS)
    assert recorded[:9] == [
        "0001_initial",
        "0002_search_index",
        "0003_search_terms",
        "0004_history",
        "0005_ranking_indexes",
        "0006_credit_roles_and_name_keys",
        "0007_scene_signals",
        "0008_source_ids",
        "0009_search_location",
    ]


def test_migration_0006_keeps_credits_allows_dual_roles_and_rekeys_names(cli, old_db: Path) -> None:
    """0006 rebuilds the credit table (ids and rows kept, one credit per character from then
    on) and makes again the keys of names that are not ASCII (look-alike letters fold,
    invisible characters go)."""
    conn = sqlite3.connect(old_db)
    with conn:
        credits = conn.execute("SELECT * FROM credit ORDER BY id").fetchall()
        # as an older scenecat keyed them: the Cyrillic е and the word joiner kept
        conn.execute(
            "INSERT INTO actor (name, name_key) VALUES (?, ?)",
            ("Test P\u0435rson", "testp\u0435rson"),
        )
        conn.execute(
            "INSERT INTO actor (name, name_key) VALUES (?, ?)",
            ("Joined\u2060 Name", "joined\u2060name"),
        )
    conn.close()
    assert cli("db", "check").exit_code == 0
    conn = sqlite3.connect(old_db)
    try:
        assert conn.execute("SELECT * FROM credit ORDER BY id").fetchall() == credits
        keys = dict(conn.execute("SELECT name, name_key FROM actor WHERE name LIKE '%e%'"))
    finally:
        conn.close()
    assert keys["Test P\u0435rson"] == "testperson"
    assert keys["Joined\u2060 Name"] == "joinedname"
    assert cli("add-actor", "Test Person").exit_code == 1  # looks like the re-keyed one
    assert cli("add-actor", "Twin Actor").exit_code == 0
    result = cli("add-drama", "Twins", "--cast", "Twin Actor:One", "--cast", "Twin Actor:Two")
    assert result.exit_code == 0, result.stderr
    shown = cli("show", "drama", "Twins", "--json")
    import json

    cast = json.loads(shown.stdout)["data"]["cast"]
    assert sorted(c["character"] for c in cast) == ["One", "Two"]


# --- the search document's columns follow the searchable fields -------------------------------

AIRPORT = "lovestruck-in-the-city-e1-airport-pickup"  # location: Yangyang, in no other text
# The search document as schema 8 wrote it, before `location` was searchable.
SCHEMA8_SEARCH = """
DROP TRIGGER scene_search_ai; DROP TRIGGER scene_search_ad; DROP TRIGGER scene_search_au;
DROP TABLE scene_search_fts;
ALTER TABLE scene_search RENAME TO scene_search_now;
CREATE TABLE scene_search (
    id INTEGER PRIMARY KEY REFERENCES scene(id) ON DELETE CASCADE,
    title TEXT, description TEXT, tags TEXT, kind TEXT,
    drama TEXT, actors TEXT, characters TEXT, terms TEXT);
INSERT INTO scene_search SELECT id, title, description, tags, kind, drama, actors,
    characters, terms FROM scene_search_now;
DROP TABLE scene_search_now;
CREATE VIRTUAL TABLE scene_search_fts USING fts5(
    title, description, tags, kind, drama, actors, characters, terms,
    content="scene_search", content_rowid='id', tokenize='unicode61 remove_diacritics 2');
INSERT INTO scene_search_fts(scene_search_fts) VALUES ('rebuild');
CREATE TRIGGER scene_search_ai AFTER INSERT ON scene_search BEGIN SELECT 1; END;
CREATE TRIGGER scene_search_ad AFTER DELETE ON scene_search BEGIN SELECT 1; END;
CREATE TRIGGER scene_search_au AFTER UPDATE ON scene_search BEGIN SELECT 1; END;
DELETE FROM _sqlite_migrations WHERE name = '0009_search_location';
PRAGMA user_version = 8;
"""


def _search_columns(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[1] for row in conn.execute("PRAGMA table_info(scene_search)")]
    finally:
        conn.close()


def _matching(path: Path, word: str) -> list[int]:
    conn = sqlite3.connect(path)
    try:
        sql = "SELECT rowid FROM scene_search_fts WHERE scene_search_fts MATCH ?"
        return [row[0] for row in conn.execute(sql, (word,))]
    finally:
        conn.close()


def _search_keys(cli, *args: str) -> list[str]:  # type: ignore[no-untyped-def]
    import json

    run = cli("search", "--json", *args)
    assert run.exit_code == 0, run.stderr
    return [hit["key"] for hit in json.loads(run.stdout)["data"]]


def test_a_schema8_catalogue_gets_location_into_its_search_documents(cli, sample_db: Path) -> None:
    conn = sqlite3.connect(sample_db)
    conn.executescript(SCHEMA8_SEARCH)
    conn.close()
    assert "location" not in _search_columns(sample_db)
    assert _matching(sample_db, "yangyang") == []
    before = raw_dump(sample_db)
    before.pop("scene_search")

    run = cli("search", "--json", "Yangyang")
    assert run.exit_code == 0, run.stderr
    assert "Upgraded the catalogue from schema 8" in run.stderr
    assert _search_keys(cli, "Yangyang") == [AIRPORT]
    assert _search_keys(cli, "location:yangyang") == [AIRPORT]
    assert _search_columns(sample_db)[:6] == [
        "id", "title", "description", "tags", "kind", "location",
    ]  # fmt: skip
    after = raw_dump(sample_db)
    after.pop("scene_search")
    assert after.pop("_sqlite_migrations", None) == before.pop("_sqlite_migrations", None)
    assert after == before  # only the search documents changed
    check = cli("db", "check")
    assert check.exit_code == 0, check.stdout + check.stderr
    # The index keeps up with later writes through its triggers, made again too.
    assert cli("edit", "scene", AIRPORT, "--location", "Sokcho").exit_code == 0
    assert _search_keys(cli, "Sokcho") == [AIRPORT]
    assert _search_keys(cli, "Yangyang") == []
    assert cli("db", "check").exit_code == 0


def test_the_schema2_catalogue_searches_locations_after_its_upgrade(cli, old_db: Path) -> None:
    assert _matching(old_db, "yangyang") == []
    assert _search_keys(cli, "Yangyang") == [AIRPORT]
    assert _search_keys(cli, "shower kiss")[0] == "melting-me-softly-e10-shower-kiss"
    check = cli("db", "check")
    assert check.exit_code == 0, check.stdout + check.stderr


def test_the_search_step_waits_for_the_columns_it_reads(tmp_path: Path) -> None:
    """A searchable field added later gets its `scene` column from a later step
    (scenes.add_declared_columns): the search steps before that one make no index, and the
    one after it makes the whole index."""
    from sqlite_utils import Database

    from scenecat.storage import scenes, schema, search_index

    conn = sqlite3.connect(tmp_path / "c.db", isolation_level=None)
    db = Database(conn)
    schema.create_tables(db)
    conn.execute("ALTER TABLE scene DROP COLUMN location")  # as if it were not there yet
    search_index.create_index(db)
    search_index.upgrade_layout(db)
    assert not _exists(conn, "scene_search")
    scenes.add_declared_columns(db)
    columns = {row[1]: row[2] for row in conn.execute("PRAGMA table_info(scene)")}
    assert columns["location"] == "TEXT"
    scenes.add_declared_columns(db)  # a second run finds nothing to add
    search_index.upgrade_layout(db)
    assert _exists(conn, "scene_search") and _exists(conn, "scene_search_fts")
    conn.execute("COMMIT")  # the steps ran in one transaction, as an upgrade runs them
    conn.close()
    conn = sqlite3.connect(tmp_path / "c.db")
    try:
        assert search_index.check(conn) == []
    finally:
        conn.close()


def _exists(conn: sqlite3.Connection, table: str) -> bool:
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    return found is not None
