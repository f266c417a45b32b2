"""The full-text index over scenes.

`scene_search` holds one denormalised document per scene (its own text plus the drama's
and the actors' names), and `scene_search_fts` is an FTS5 index with `content=scene_search`,
the layout Datasette recognises. Triggers keep the FTS index in step with `scene_search`;
every write path calls `refresh*()` for the scenes whose document may have changed, and bulk
imports call `rebuild()` once at the end.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS scene_search (
    id INTEGER PRIMARY KEY REFERENCES scene(id) ON DELETE CASCADE,
    title TEXT,
    description TEXT,
    tags TEXT,
    kind TEXT,
    drama TEXT,
    actors TEXT,
    characters TEXT
);
CREATE VIRTUAL TABLE IF NOT EXISTS scene_search_fts USING fts5(
    title, description, tags, kind, drama, actors, characters,
    content='scene_search', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS scene_search_ai AFTER INSERT ON scene_search BEGIN
    INSERT INTO scene_search_fts(rowid, title, description, tags, kind, drama, actors, characters)
    VALUES (new.id, new.title, new.description, new.tags, new.kind, new.drama, new.actors,
            new.characters);
END;
CREATE TRIGGER IF NOT EXISTS scene_search_ad AFTER DELETE ON scene_search BEGIN
    INSERT INTO scene_search_fts(scene_search_fts, rowid, title, description, tags, kind, drama,
                                 actors, characters)
    VALUES ('delete', old.id, old.title, old.description, old.tags, old.kind, old.drama,
            old.actors, old.characters);
END;
CREATE TRIGGER IF NOT EXISTS scene_search_au AFTER UPDATE ON scene_search BEGIN
    INSERT INTO scene_search_fts(scene_search_fts, rowid, title, description, tags, kind, drama,
                                 actors, characters)
    VALUES ('delete', old.id, old.title, old.description, old.tags, old.kind, old.drama,
            old.actors, old.characters);
    INSERT INTO scene_search_fts(rowid, title, description, tags, kind, drama, actors, characters)
    VALUES (new.id, new.title, new.description, new.tags, new.kind, new.drama, new.actors,
            new.characters);
END
"""

# The document of a scene, built in SQL so that refreshing many scenes is one statement.
_DOCUMENT = """
SELECT s.id, s.title, s.description,
    (SELECT group_concat(tag, ' ') FROM scene_tag WHERE scene_id = s.id),
    s.kind,
    d.title || coalesce(' ' || d.native, '')
        || coalesce((SELECT ' ' || group_concat(alias, ' ') FROM drama_alias
                     WHERE drama_id = d.id), ''),
    (SELECT group_concat(a.name || coalesce(' ' || a.native, '')
        || coalesce((SELECT ' ' || group_concat(alias, ' ') FROM actor_alias
                     WHERE actor_id = a.id), ''), ' ')
     FROM scene_actor sa JOIN actor a ON a.id = sa.actor_id WHERE sa.scene_id = s.id),
    (SELECT group_concat(coalesce(sa.character, c.character), ' ')
     FROM scene_actor sa LEFT JOIN credit c ON c.actor_id = sa.actor_id AND c.drama_id = s.drama_id
     WHERE sa.scene_id = s.id)
FROM scene s JOIN drama d ON d.id = s.drama_id
"""

_COLUMNS = "id, title, description, tags, kind, drama, actors, characters"


def schema_statements() -> list[str]:
    """Statements of SCHEMA; trigger bodies contain ';' so split on the blank-line-free END."""
    parts: list[str] = []
    buffer = ""
    for chunk in SCHEMA.split(";"):
        buffer += chunk
        stripped = buffer.strip()
        if not stripped:
            buffer = ""
            continue
        if stripped.upper().startswith("CREATE TRIGGER") and not stripped.upper().endswith("END"):
            buffer += ";"
            continue
        parts.append(stripped)
        buffer = ""
    return parts


def refresh(conn: sqlite3.Connection, scene_ids: Iterable[int]) -> None:
    ids = sorted(set(scene_ids))
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        marks = ",".join("?" * len(batch))
        conn.execute(f"DELETE FROM scene_search WHERE id IN ({marks})", batch)
        conn.execute(
            f"INSERT INTO scene_search ({_COLUMNS}) {_DOCUMENT} WHERE s.id IN ({marks})", batch
        )


def refresh_for_actor(conn: sqlite3.Connection, actor_id: int) -> None:
    rows = conn.execute("SELECT scene_id FROM scene_actor WHERE actor_id = ?", (actor_id,))
    refresh(conn, (row[0] for row in rows))


def refresh_for_drama(conn: sqlite3.Connection, drama_id: int) -> None:
    rows = conn.execute("SELECT id FROM scene WHERE drama_id = ?", (drama_id,))
    refresh(conn, (row[0] for row in rows))


def rebuild(conn: sqlite3.Connection) -> None:
    """Rebuild the whole index in bulk: documents first, then one FTS build."""
    conn.execute("DROP TRIGGER IF EXISTS scene_search_ai")
    conn.execute("DELETE FROM scene_search")
    conn.execute(f"INSERT INTO scene_search ({_COLUMNS}) {_DOCUMENT}")
    conn.execute("INSERT INTO scene_search_fts(scene_search_fts) VALUES ('rebuild')")
    for statement in schema_statements():
        if "scene_search_ai" in statement:
            conn.execute(statement)


def check(conn: sqlite3.Connection) -> list[str]:
    """Problems that show the index is out of step with the scenes (empty when it is fine)."""
    problems: list[str] = []
    scenes = conn.execute("SELECT count(*) FROM scene").fetchone()[0]
    documents = conn.execute("SELECT count(*) FROM scene_search").fetchone()[0]
    if scenes != documents:
        problems.append(f"search index has {documents} documents for {scenes} scenes")
    try:
        conn.execute(
            "INSERT INTO scene_search_fts(scene_search_fts, rank) VALUES ('integrity-check', 1)"
        )
    except sqlite3.DatabaseError as exc:
        problems.append(f"search index integrity check failed: {exc}")
    stale = conn.execute(
        f"WITH doc({_COLUMNS}) AS ({_DOCUMENT}) SELECT count(*) FROM doc "
        "LEFT JOIN scene_search ss ON ss.id = doc.id "
        "WHERE ss.id IS NULL OR ss.title IS NOT doc.title OR ss.description IS NOT doc.description "
        "OR ss.tags IS NOT doc.tags OR ss.kind IS NOT doc.kind OR ss.drama IS NOT doc.drama "
        "OR ss.actors IS NOT doc.actors OR ss.characters IS NOT doc.characters"
    ).fetchone()[0]
    if stale:
        problems.append(f"{stale} scene(s) have a stale search document")
    return problems


def _install(db: Database) -> None:
    from scenecat.storage.schema import run_in_transaction_statements

    run_in_transaction_statements(db, schema_statements())
    rebuild(db.conn)


MIGRATIONS: list[tuple[str, Callable[[Database], None]]] = [("0002_search_index", _install)]
