"""The full-text index declared on `scene` itself (storage/scene_text_index.py): what
sqlite-utils and a Datasette without scenecat's metadata search, kept in step by every write."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

SHOWER = "melting-me-softly-e10-shower-kiss"


def sqlite_utils_search(db: Path, *words: str) -> list[str]:
    """`sqlite-utils search DB scene WORDS` (the tool as a user runs it): the keys found."""
    proc = subprocess.run(
        [sys.executable, "-m", "sqlite_utils", "search", str(db), "scene", *words, "-c", "key"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return [row["key"] for row in json.loads(proc.stdout or "[]")]


def scenecat_search(cli, text: str) -> list[str]:
    result = cli("search", text, "--json", "--limit", "500")
    assert result.exit_code == 0, result.stderr
    return [hit["key"] for hit in json.loads(result.stdout)["data"]]


def own_text(db: Path, word: str) -> set[str]:
    """Keys of the scenes whose title, description, kind or location has `word` (Python)."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT key, title, description, kind, location FROM scene")
        return {
            key
            for key, *texts in rows
            if any(word in re.findall(r"[^\W_]+", (t or "").lower()) for t in texts)
        }
    finally:
        conn.close()


@pytest.mark.slow
def test_sqlite_utils_finds_what_scenecat_search_finds(cli, sample_db: Path) -> None:
    for word in ("kiss", "rooftop", "snow", "hospital", "airport"):
        found = sqlite_utils_search(sample_db, word)
        assert found, word
        # every scene sqlite-utils finds, scenecat search finds too, and it finds every scene
        # whose own text has the word (names of actors and dramas are scenecat's alone)
        assert set(found) <= set(scenecat_search(cli, word)), word
        assert set(found) == own_text(sample_db, word), word
    assert SHOWER in sqlite_utils_search(sample_db, "shower")


def test_datasette_finds_the_index_on_scene(sample_db: Path) -> None:
    from datasette.utils import detect_fts
    from sqlite_utils import Database

    conn = sqlite3.connect(sample_db)
    try:
        assert detect_fts(conn, "scene") == "scene_fts"
        # scenecat's own index is still found on its documents
        assert detect_fts(conn, "scene_search") == "scene_search_fts"
        assert Database(conn).table("scene").detect_fts() == "scene_fts"
    finally:
        conn.close()


def _matches(db: Path, word: str) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT s.key FROM scene_fts JOIN scene s ON s.id = scene_fts.rowid "
            "WHERE scene_fts MATCH ?",
            (word,),
        )
        return {r[0] for r in rows}
    finally:
        conn.close()


def test_every_write_keeps_the_index_in_step(cli, sample_db: Path) -> None:
    assert _matches(sample_db, "shower") == {SHOWER}
    assert cli("edit", "scene", SHOWER, "--title", "The bathhouse kiss").exit_code == 0
    assert _matches(sample_db, "bathhouse") == {SHOWER}
    assert cli("edit", "scene", SHOWER, "--title", "The sauna kiss").exit_code == 0
    assert _matches(sample_db, "sauna") == {SHOWER}
    assert _matches(sample_db, "bathhouse") == set()  # the old title's word is gone
    assert cli("remove", "scene", SHOWER, "--yes").exit_code == 0
    assert _matches(sample_db, "sauna") == set()
    assert cli("undo", "--yes").exit_code == 0  # the removal comes back, in the index too
    assert _matches(sample_db, "sauna") == {SHOWER}
    assert cli("undo", "--yes").exit_code == 0  # and the title before
    assert _matches(sample_db, "bathhouse") == {SHOWER}
    assert _matches(sample_db, "sauna") == set()
    result = cli("db", "check")
    assert result.exit_code == 0, result.stdout + result.stderr


def test_a_new_scene_is_indexed(cli, sample_db: Path) -> None:
    result = cli(
        "add-scene", "--drama", "Healer", "--kind", "hug", "--title", "The lighthouse hug",
        "--location", "Sokcho harbour", "--actor", "Ji Chang Wook",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert len(_matches(sample_db, "lighthouse")) == 1
    assert _matches(sample_db, "sokcho") == _matches(sample_db, "lighthouse")
    assert cli("db", "check").exit_code == 0


def test_db_check_sees_an_index_out_of_step(cli, sample_db: Path) -> None:
    conn = sqlite3.connect(sample_db)
    # A scene changed behind the index's back (its triggers dropped first, as a foreign
    # tool might): the index no longer matches its content table.
    conn.execute("DROP TRIGGER scene_fts_au")
    conn.execute("UPDATE scene SET title = 'Nothing like before' WHERE key = ?", (SHOWER,))
    conn.commit()
    conn.close()
    result = cli("db", "check")
    assert result.exit_code == 1
    assert "scene_fts triggers missing: scene_fts_au" in result.stdout + result.stderr
    assert "scene_fts does not match the scenes" in result.stdout + result.stderr


def test_an_upgraded_catalogue_gets_the_index(cli, db: Path) -> None:
    from tests.fixtures.safety import OLD_CATALOGUE

    db.write_bytes(OLD_CATALOGUE.read_bytes())
    assert cli("db", "check").exit_code == 0  # upgrades it
    assert SHOWER in _matches(db, "shower")
    assert _matches(db, "kiss") == own_text(db, "kiss")


PLAIN_DATASETTE = """
import asyncio, json, sys
sys._called_from_test = True  # Datasette then loads no installed plugin: scenecat's neither
from datasette.app import Datasette

async def main():
    ds = Datasette(immutables=[sys.argv[1]])
    await ds.invoke_startup()
    name = list(ds.databases)[-1]
    plugins = (await ds.client.get("/-/plugins.json")).json()
    page = await ds.client.get(f"/{name}/scene.json?_search={sys.argv[2]}&_shape=array&_col=key")
    print(json.dumps({"plugins": plugins, "status": page.status_code, "rows": page.json()}))

asyncio.run(main())
"""


@pytest.mark.slow
def test_datasette_without_scenecat_searches_scene(sample_db: Path) -> None:
    """As a published catalogue served by a Datasette that has neither scenecat's plugin nor
    its metadata: the scene table's search box finds scenes by their own words."""
    proc = subprocess.run(
        [sys.executable, "-c", PLAIN_DATASETTE, str(sample_db), "rooftop"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    assert found["plugins"] == [] and found["status"] == 200
    assert {row["key"] for row in found["rows"]} == own_text(sample_db, "rooftop") != set()
