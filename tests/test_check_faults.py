"""`db check` finds each kind of fault it looks for (issue 27 made the checks cheaper: the
search documents are compared through one join per credit pair).

Every fault is made behind scenecat's back (a plain sqlite3 connection, as another program
would), then `db check` must report it; the documents the new query makes are compared with
those of the query before issue 27, kept here as the reference."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from scenecat.storage import integrity, search_index
from tests.conftest import Run

Cli = Callable[..., Run]

# The document query before issue 27 (search_index._DOCUMENT at 9bdacbb), over the same temp
# tables: a scene's own text, its drama, and per scene actor a correlated read of the
# actor's first credit in the drama.
_FIELDS = search_index._FIELD_SQL
_OWN = "(" + " || ' ' || ".join(f"coalesce({sql}, '')" for sql in _FIELDS) + ")"
REFERENCE = f"""
SELECT s.id, {", ".join(_FIELDS)}, td.text,
    group_concat(ta.text, ' '),
    group_concat(coalesce(sa.character, c.character), ' '),
    nullif(trim(coalesce(td.terms, '') || ' '
        || coalesce(group_concat(nullif(trim(coalesce(ta.terms, '') || ' '
                                             || coalesce(tc.terms, '')), ''), ' '), '') || ' '
        || coalesce(CASE WHEN length({_OWN}) <> length(CAST({_OWN} AS BLOB))
                         THEN scenecat_cjk_grams({_OWN}) END, '')), '')
FROM scene s
JOIN temp.scenecat_search_drama td ON td.id = s.drama_id
LEFT JOIN scene_actor sa ON sa.scene_id = s.id
LEFT JOIN temp.scenecat_search_actor ta ON ta.id = sa.actor_id
LEFT JOIN credit c ON c.id = (SELECT min(c1.id) FROM credit c1
    WHERE c1.actor_id = sa.actor_id AND c1.drama_id = s.drama_id)
LEFT JOIN temp.scenecat_search_character tc ON tc.character = coalesce(sa.character, c.character)
GROUP BY s.id
"""


@contextmanager
def raw(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain connection: what another program would change the file through."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        yield conn
    finally:
        conn.close()


def _varied(path: Path) -> None:
    """The sample made harder for the documents: an actor playing two characters in one
    drama, a scene actor with a character of its own, one without any credit in the drama,
    and Hangul in a scene's own text; then every document made again."""
    from scenecat.storage.connection import open_catalogue

    with raw(path) as conn:
        conn.executescript(
            """
            INSERT INTO credit (actor_id, drama_id, character, role)
                SELECT actor_id, drama_id, 'Second Self', 'support' FROM credit
                WHERE id = (SELECT min(id) FROM credit);
            UPDATE scene_actor SET character = 'Masked Stranger'
                WHERE (scene_id, actor_id) =
                    (SELECT scene_id, actor_id FROM scene_actor ORDER BY scene_id DESC LIMIT 1);
            DELETE FROM credit WHERE id = (SELECT c.id FROM credit c
                JOIN scene s ON s.drama_id = c.drama_id
                JOIN scene_actor sa ON sa.scene_id = s.id AND sa.actor_id = c.actor_id
                ORDER BY c.id DESC LIMIT 1);
            UPDATE scene SET description = description || ' 비 오는 날'
                WHERE id = (SELECT max(id) FROM scene);
            """
        )
    cat = open_catalogue(path)
    try:
        with cat.write("rebuild") as conn:
            search_index.rebuild(conn)
    finally:
        cat.close()


def test_documents_are_those_of_the_reference_query(sample_db: Path) -> None:
    _varied(sample_db)
    with raw(sample_db) as conn:
        search_index._prepare(conn, None)
        reference = conn.execute(REFERENCE).fetchall()
        made = conn.execute(search_index._documents(conn, None)).fetchall()
        stored = conn.execute(f"SELECT * FROM {search_index.TABLE} ORDER BY id").fetchall()
        # and a refresh of a few scenes (the write paths' way) makes the same rows
        some = [row[0] for row in reference[::7]]
        refreshed = conn.execute(search_index._documents(conn, some), some).fetchall()
        characters = conn.execute("SELECT count(character) FROM scene_actor").fetchone()[0]
    assert characters == 1
    assert made == reference
    assert stored == reference
    assert refreshed == [row for row in reference if row[0] in set(some)]
    assert any("오는" in (row[-1] or "") for row in made)  # the Hangul scene got its grams


# Each fault: the SQL that makes it, and the SQL counting the scenes whose document it
# leaves stale (what `db check` must count).
FAULTS = {
    "a scene's title": (
        "UPDATE scene SET title = 'Changed behind the index' WHERE id = (SELECT min(id) FROM scene)",
        "SELECT 1",
    ),
    "a tag": (
        "INSERT INTO scene_tag (scene_id, tag) VALUES ((SELECT min(id) FROM scene), 'zeppelin')",
        "SELECT 1",
    ),
    "a drama's title": (
        "UPDATE drama SET title = title || ' II' WHERE id = (SELECT min(drama_id) FROM scene)",
        "SELECT count(*) FROM scene WHERE drama_id = (SELECT min(drama_id) FROM scene)",
    ),
    "a drama's alias": (
        "INSERT INTO drama_alias (drama_id, alias, alias_key) "
        "VALUES ((SELECT min(drama_id) FROM scene), 'Melty', 'melty')",
        "SELECT count(*) FROM scene WHERE drama_id = (SELECT min(drama_id) FROM scene)",
    ),
    "an actor's name": (
        "UPDATE actor SET name = name || ' Jr' WHERE id = (SELECT min(actor_id) FROM scene_actor)",
        "SELECT count(*) FROM scene_actor WHERE actor_id = (SELECT min(actor_id) FROM scene_actor)",
    ),
    "a credited character": (
        "UPDATE credit SET character = 'Someone Else' WHERE id = (SELECT min(c.id) FROM credit c "
        "JOIN scene s ON s.drama_id = c.drama_id "
        "JOIN scene_actor sa ON sa.scene_id = s.id AND sa.actor_id = c.actor_id)",
        "SELECT count(*) FROM scene_actor sa JOIN scene s ON s.id = sa.scene_id "
        "JOIN credit c ON c.drama_id = s.drama_id AND c.actor_id = sa.actor_id "
        "WHERE c.character = 'Someone Else'",
    ),
    "a scene actor's own character": (
        "UPDATE scene_actor SET character = 'Twin' WHERE (scene_id, actor_id) = "
        "(SELECT scene_id, actor_id FROM scene_actor ORDER BY scene_id LIMIT 1)",
        "SELECT 1",
    ),
    "an actor taken off a scene": (
        "DELETE FROM scene_actor WHERE (scene_id, actor_id) = "
        "(SELECT scene_id, actor_id FROM scene_actor ORDER BY scene_id LIMIT 1)",
        "SELECT 1",
    ),
    "a document edited in place": (
        "UPDATE scene_search SET terms = 'nonsense' WHERE id = (SELECT min(id) FROM scene)",
        "SELECT 1",
    ),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_db_check_finds_a_stale_document(cli: Cli, sample_db: Path, fault: str) -> None:
    _varied(sample_db)
    assert cli("db", "check").exit_code == 0
    make, count = FAULTS[fault]
    with raw(sample_db) as conn:
        conn.execute(make)
        stale = conn.execute(count).fetchone()[0]
    assert stale >= 1
    run = cli("db", "check")
    assert run.exit_code == 1
    assert f"problem: {stale} scene(s) have a stale search document" in run.stderr


def test_db_check_finds_an_index_out_of_step_with_its_documents(cli: Cli, sample_db: Path) -> None:
    with raw(sample_db) as conn:
        conn.execute("DROP TRIGGER scene_search_au")
        conn.execute(
            "UPDATE scene_search SET title = 'Zeppelin' WHERE id = (SELECT min(id) FROM scene)"
        )
    run = cli("db", "check")
    assert run.exit_code == 1
    assert "search index triggers missing: scene_search_au" in run.stderr
    assert "search index integrity check failed" in run.stderr
    assert "1 scene(s) have a stale search document" in run.stderr


def _faulty(path: Path) -> None:
    """Faults for every part of the check: a vote pair with two current votes, a stale
    document, a dangling foreign key and a stored signal out of step."""
    with raw(path) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.executescript(
            """
            INSERT INTO vote (scene_id, voter, score, current)
                SELECT scene_id, voter, score, 1 FROM vote WHERE current = 1 LIMIT 1;
            UPDATE scene SET title = 'Changed' WHERE id = (SELECT max(id) FROM scene);
            INSERT INTO scene_tag (scene_id, tag) VALUES (999999, 'orphan');
            UPDATE scene_signal SET votes = votes + 5 WHERE scene_id = (SELECT min(id) FROM scene);
            """
        )


def test_several_faults_are_each_reported_once_in_order(sample_db: Path) -> None:
    _faulty(sample_db)
    with raw(sample_db) as conn:
        found = integrity.problems(conn)
    assert found[0] == "a row of scene_tag points to a missing scene"
    kinds = ["points to a missing", "stale search document", "without exactly one current vote",
             "stored signals differ"]  # fmt: skip
    # each found once, in the order the checks have always been reported in
    positions = [next(i for i, line in enumerate(found) if kind in line) for kind in kinds]
    assert positions == sorted(positions)
    assert len(found) == len(kinds)


def test_a_catalogue_in_memory_is_checked(sample_db: Path) -> None:
    with raw(sample_db) as conn:
        memory = sqlite3.connect(":memory:", isolation_level=None)
        conn.backup(memory)
    try:
        assert integrity.problems(memory) == []
        memory.execute(
            "INSERT INTO vote (scene_id, voter, score, current) "
            "SELECT scene_id, voter, score, 1 FROM vote WHERE current = 1 LIMIT 1"
        )
        found = integrity.problems(memory)
    finally:
        memory.close()
    assert any("without exactly one current vote" in line for line in found)
