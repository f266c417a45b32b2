"""The search index stays right after every write path, and `db check` proves it."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from scenecat.storage import search_index
from tests.conftest import REAL_DATA, Run

Cli = Callable[..., Run]


@contextmanager
def opened(path: Path) -> Iterator[sqlite3.Connection]:
    from scenecat.storage.connection import open_catalogue

    cat = open_catalogue(path)
    try:
        yield cat.conn
    finally:
        cat.close()


def keys(cli: Cli, query: str) -> set[str]:
    run = cli("search", "--json", "--limit", "10000", "--", query)
    assert run.exit_code == 0, run.stderr
    return {hit["key"] for hit in json.loads(run.stdout)["data"]}


def assert_index_sound(cli: Cli, path: Path) -> None:
    with opened(path) as conn:
        assert search_index.check(conn) == []
        scenes = conn.execute("SELECT count(*) FROM scene").fetchone()[0]
        documents = conn.execute("SELECT count(*) FROM scene_search").fetchone()[0]
        assert documents == scenes
    run = cli("db", "check")
    assert run.exit_code == 0, run.stderr


SHOWER = "melting-me-softly-e10-shower-kiss"


def test_sample_catalogue_index_is_sound(cli: Cli, sample_db: Path) -> None:
    assert_index_sound(cli, sample_db)


def test_add_scene(cli: Cli, sample_db: Path) -> None:
    run = cli(
        "add-scene", "--drama", "Healer", "--episode", "3", "--actor", "Ji Chang Wook",
        "--kind", "funny", "--title", "The lighthouse pratfall", "--tag", "slapstick",
        "--description", "Jung Hoo trips over a kaleidoscope.",
    )  # fmt: skip
    assert run.exit_code == 0, run.stderr
    key = "healer-e3-the-lighthouse-pratfall"
    for query in (
        "lighthouse",
        "kaleidoscope",
        "slapstick",
        "힐러 pratfall",
        "jichangwook lighthouse",
    ):
        assert keys(cli, query) == {key}, query
    assert_index_sound(cli, sample_db)


def test_edit_scene(cli: Cli, sample_db: Path) -> None:
    run = cli("edit", "scene", SHOWER, "--title", "The sprinkler kiss", "--description", "Wet.")
    assert run.exit_code == 0, run.stderr
    assert keys(cli, "sprinkler") == {SHOWER}
    assert SHOWER not in keys(cli, "shower")
    assert SHOWER not in keys(cli, "temperature")
    assert_index_sound(cli, sample_db)


def test_edit_actor(cli: Cli, sample_db: Path) -> None:
    before = keys(cli, "Won Jin Ah")
    run = cli("edit", "actor", "Won Jin Ah", "--name", "Won Jinah Renamed", "--native", "원지나")
    assert run.exit_code == 0, run.stderr
    assert keys(cli, "Renamed") == before
    assert keys(cli, "지나") == before
    assert keys(cli, "원진아") == set()
    assert_index_sound(cli, sample_db)


def test_edit_drama(cli: Cli, sample_db: Path) -> None:
    before = keys(cli, "녹여")
    run = cli(
        "edit", "drama", "Melting Me Softly", "--title", "Melt Me Gently", "--native", "녹지마"
    )
    assert run.exit_code == 0, run.stderr
    assert keys(cli, "Gently") == before
    assert keys(cli, "Meltmegently") == before
    assert keys(cli, "녹지") == before
    assert keys(cli, "녹여") == set()
    assert_index_sound(cli, sample_db)


def test_alias_actor_and_remove_alias(cli: Cli, sample_db: Path) -> None:
    theirs = keys(cli, "Won Jin Ah")
    assert cli("alias", "actor", "Won Jin Ah", "Jinny Won").exit_code == 0
    assert keys(cli, "Jinny") == theirs
    assert_index_sound(cli, sample_db)
    assert cli("alias", "actor", "Won Jin Ah", "Jinny Won", "--remove").exit_code == 0
    assert keys(cli, "Jinny") == set()
    assert_index_sound(cli, sample_db)


def test_alias_drama_and_remove_alias(cli: Cli, sample_db: Path) -> None:
    theirs = keys(cli, "녹여")
    assert cli("alias", "drama", "Melting Me Softly", "Frozen Love").exit_code == 0
    assert keys(cli, "frozenlove") == theirs
    assert_index_sound(cli, sample_db)
    assert cli("alias", "drama", "Melting Me Softly", "Frozen Love", "--remove").exit_code == 0
    assert keys(cli, "frozenlove") == set()
    assert_index_sound(cli, sample_db)


def test_merge_actor(cli: Cli, sample_db: Path) -> None:
    jcw, won = keys(cli, "지창욱"), keys(cli, "원진아")
    run = cli("merge", "actor", "Ji Chang Wook", "Won Jin Ah", "--yes")
    assert run.exit_code == 0, run.stderr
    # The merged-away name and native name became aliases of the kept actor.
    assert keys(cli, "지창욱") == jcw | won
    assert keys(cli, "Won Jin Ah") == jcw | won
    assert_index_sound(cli, sample_db)


def test_remove_scene_actor_and_drama(cli: Cli, sample_db: Path) -> None:
    assert cli("remove", "scene", SHOWER, "--yes").exit_code == 0
    assert SHOWER not in keys(cli, "shower kiss")
    assert_index_sound(cli, sample_db)

    assert keys(cli, "Gong Yoo")
    assert cli("remove", "actor", "Gong Yoo", "--yes").exit_code == 0
    assert keys(cli, "Gong Yoo") == set()
    assert_index_sound(cli, sample_db)

    assert keys(cli, "도깨비")
    assert cli("remove", "drama", "Goblin", "--yes").exit_code == 0
    assert keys(cli, "도깨비") == set()
    assert_index_sound(cli, sample_db)


def test_import_small_file(cli: Cli, sample_db: Path, tmp_path: Path) -> None:
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "format: scenecat/1\n"
        "actors:\n  - {name: Lee Min Ho, native: 이민호, aliases: [Lee Min-ho]}\n"
        "dramas:\n  - {title: The King, native: 더 킹 영원의 군주, network: SBS, year: 2020}\n"
        "scenes:\n"
        "  - {key: the-king-e1-horse, drama: The King, episode: 1, kind: first-meeting,\n"
        "     title: The white horse, actors: [Lee Min Ho], tags: [stallion]}\n",
        encoding="utf-8",
    )
    assert cli("import", str(extra)).exit_code == 0
    for query in ("horse", "Leeminho", "Lee Min-ho", "민호", "영원", "stallion"):
        assert keys(cli, query) == {"the-king-e1-horse"}, query
    assert_index_sound(cli, sample_db)


def _bulk_file(path: Path, scenes: int) -> None:
    lines: list[dict[str, object]] = [
        {"format": "scenecat/1"},
        {"type": "actor", "name": "Bulk Actor", "native": "벌크배우"},
        {"type": "drama", "title": "Bulk Drama", "native": "대량 드라마"},
    ]
    for i in range(scenes):
        word = "zeppelin" if i % 1000 == 0 else "ordinary"
        lines.append(
            {
                "type": "scene",
                "key": f"bulk-{i}",
                "drama": "Bulk Drama",
                "kind": "hug",
                "title": f"Scene number {i}",
                "actors": ["Bulk Actor"],
                "description": f"An {word} moment.",
            }
        )
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")


@pytest.mark.slow
def test_import_above_the_rebuild_threshold(cli: Cli, db: Path, tmp_path: Path) -> None:
    from scenecat.storage.search_index import REBUILD_THRESHOLD

    bulk = tmp_path / "bulk.jsonl"
    _bulk_file(bulk, REBUILD_THRESHOLD + 100)
    run = cli("import", str(bulk))
    assert run.exit_code == 0, run.stderr
    assert_index_sound(cli, db)
    assert keys(cli, "zeppelin") == {"bulk-0", "bulk-1000", "bulk-2000", "bulk-3000", "bulk-4000",
                                     "bulk-5000"}  # fmt: skip
    assert len(keys(cli, "벌크 드라마")) == REBUILD_THRESHOLD + 100
    # The rebuild put the triggers back: a later single write is indexed as before.
    add = cli(
        "add-scene", "--drama", "Bulk Drama", "--actor", "Bulk Actor", "--kind", "hug",
        "--title", "After the bulk", "--description", "A blimp.",
    )  # fmt: skip
    assert add.exit_code == 0, add.stderr
    assert keys(cli, "blimp") == {"bulk-drama-after-the-bulk"}
    assert_index_sound(cli, db)


def test_check_finds_a_stale_or_missing_document(cli: Cli, sample_db: Path) -> None:
    with opened(sample_db) as conn:
        conn.execute("UPDATE scene SET title = 'Changed behind the index' WHERE key = ?", (SHOWER,))
        assert search_index.check(conn) == ["1 scene has a stale search document"]
        conn.execute("DELETE FROM scene_search WHERE id = (SELECT min(id) FROM scene)")
        problems = search_index.check(conn)
    assert any("documents for" in p for p in problems)
    run = cli("db", "check")
    assert run.exit_code == 1
    assert "search index" in run.stderr


def test_rebuild_repairs_and_upgrades_an_old_layout(sample_db: Path) -> None:
    with opened(sample_db) as conn:
        conn.execute("DROP TABLE scene_search_fts")
        conn.execute("DROP TABLE scene_search")
        conn.execute("CREATE TABLE scene_search (id INTEGER PRIMARY KEY, title TEXT)")
        assert "outdated layout" in search_index.check(conn)[0]
        conn.execute("BEGIN")
        search_index.rebuild(conn)
        conn.execute("COMMIT")
        assert search_index.check(conn) == []


def test_datasette_and_sqlite_utils_recognise_the_fts_table(sample_db: Path) -> None:
    from sqlite_utils import Database

    with opened(sample_db) as conn:
        # The query Datasette runs to find a table's FTS index (datasette/utils detect_fts).
        row = conn.execute(
            "SELECT name FROM sqlite_master WHERE rootpage = 0 AND ("
            " sql LIKE '%VIRTUAL TABLE%USING FTS%content=\"scene_search\"%'"
            " OR sql LIKE '%VIRTUAL TABLE%USING FTS%content=[scene_search]%')"
        ).fetchone()
        assert row == ("scene_search_fts",)
        assert Database(conn).table("scene_search").detect_fts() == "scene_search_fts"
        # And a plain FTS query, as Datasette would run it, works on the stored documents.
        hits = conn.execute(
            "SELECT count(*) FROM scene_search WHERE rowid IN "
            "(SELECT rowid FROM scene_search_fts WHERE scene_search_fts MATCH 'shower')"
        ).fetchone()[0]
        assert hits == 1


# --- real data (skipped when ../shared/data/real is absent) ------------------------------


@pytest.mark.slow
@pytest.mark.skipif(not REAL_DATA.exists(), reason="real data folder is absent")
def test_real_names_romanised_and_hangul(cli: Cli, db: Path, tmp_path: Path) -> None:
    """MyDramaList credits (romanised names, characters) and Korean Wikipedia dramas (Hangul
    titles and casts): every glued or hyphenated spelling and every Hangul fragment finds
    the scene that carries it."""
    import csv

    lines: list[dict[str, object]] = [{"format": "scenecat/1"}]
    actors: dict[str, dict[str, object]] = {}
    dramas: dict[str, list[tuple[str, str]]] = {}
    with (REAL_DATA / "mdl_actor_credits.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name, drama = " ".join(row["actor_name"].split()), " ".join(row["drama_name"].split())
            if not name or not drama or (len(dramas) >= 60 and drama not in dramas):
                continue
            actors.setdefault(name, {"type": "actor", "name": name})
            cast = dramas.setdefault(drama, [])
            if len(cast) < 3 and name not in (n for n, _ in cast):
                cast.append((name, " ".join(row["character_name"].split())))
    hangul: dict[str, list[str]] = {}
    with (REAL_DATA / "kowiki_namuwiki_dramas.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            title = " ".join(row["제목"].split())
            if len(title) >= 4 and title not in dramas and len(hangul) < 40:
                hangul[title] = []
    lines.extend(actors.values())
    for title, cast in dramas.items():
        lines.append(
            {
                "type": "drama",
                "title": title,
                "cast": [{"actor": a, **({"character": c} if c else {})} for a, c in cast],
            }
        )
    lines.extend({"type": "drama", "title": t, "native": t} for t in hangul)
    for i, (title, cast) in enumerate(dramas.items()):
        lines.append(
            {
                "type": "scene", "key": f"mdl-{i}", "drama": title, "kind": "kiss",
                "title": f"Scene {i}", "actors": [a for a, _ in cast],
            }
        )  # fmt: skip
    for i, title in enumerate(hangul):
        lines.append({"type": "scene", "key": f"kowiki-{i}", "drama": title, "kind": "hug",
                      "title": f"Scene {i}"})  # fmt: skip
    path = tmp_path / "real.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    run = cli("import", str(path))
    assert run.exit_code == 0, run.stderr
    assert_index_sound(cli, db)

    checked = 0
    for i, (_title, cast) in enumerate(dramas.items()):
        for name, character in cast:
            parts = name.split()
            if len(parts) < 2 or not all(p.isalpha() and p.isascii() for p in parts):
                continue
            variants = [
                "".join(parts),  # Jichangwook
                parts[0] + " " + "".join(parts[1:]),  # Ji Changwook
                parts[0] + " " + "-".join(parts[1:]).lower(),  # Ji chang-wook
                name.upper(),
            ]
            for variant in variants:
                assert f"mdl-{i}" in keys(cli, variant), (name, variant)
            if character and all(p.isalpha() and p.isascii() for p in character.split()):
                assert f"mdl-{i}" in keys(cli, f'"{character}"'), character
            checked += 1
    assert checked >= 30
    inside = 0
    for i, title in enumerate(hangul):
        longest = max(re.findall("[가-힣]+", title), key=len, default="")
        if len(longest) < 3:
            continue
        middle = longest[1:3]
        assert f"kowiki-{i}" in keys(cli, middle), (title, middle)
        inside += 1
    assert inside >= 20


@pytest.mark.slow
def test_a_schema_2_catalogue_is_upgraded_to_the_current_index(cli: Cli, db: Path) -> None:
    """Catalogues written before the `terms` column get it by migration 0003."""
    import shutil

    from tests.conftest import ROOT

    old = ROOT / "tests" / "fixtures" / "catalogue-schema2.db"
    assert old.exists(), "the schema-2 fixture is part of the repository"
    shutil.copyfile(old, db)
    assert keys(cli, "녹여") == keys(cli, "Melting Me Softly")
    assert keys(cli, "Jichangwook") and keys(cli, "Jichangwook") == keys(cli, "지창욱")
    assert_index_sound(cli, db)
