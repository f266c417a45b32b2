"""Dramas, their aliases, episodes and cast credits."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from scenecat.fields import DRAMA_FIELDS, column_row
from scenecat.storage.ddl import run_in_transaction_statements
from scenecat.text import name_key

if TYPE_CHECKING:
    from sqlite_utils import Database

    from scenecat.people_models import Credit, Drama, Episode

# The declared fields stored in `drama` (fields.DramaFacts), in declaration order.
STORED = tuple(f for f in DRAMA_FIELDS if f.column is not None)


def insert_drama(conn: sqlite3.Connection, values: Mapping[str, object]) -> int:
    """A new drama of `values` (declared field name -> value; a field left out is NULL)."""
    row = column_row(STORED, {f.name: values.get(f.name) for f in STORED})
    columns = ", ".join(row)
    marks = ", ".join("?" * len(row))
    cur = conn.execute(f"INSERT INTO drama ({columns}) VALUES ({marks})", list(row.values()))
    return int(cur.lastrowid or 0)


def update_drama(conn: sqlite3.Connection, drama_id: int, values: Mapping[str, object]) -> None:
    """Set the declared fields `values` names (field name -> value), their keys with them."""
    row = column_row(STORED, values)
    if row:
        assignments = ", ".join(f"{column} = ?" for column in row)
        conn.execute(f"UPDATE drama SET {assignments} WHERE id = ?", [*row.values(), drama_id])


def add_alias(conn: sqlite3.Connection, drama_id: int, alias: str) -> bool:
    cur = conn.execute(
        "INSERT OR IGNORE INTO drama_alias (drama_id, alias, alias_key) VALUES (?, ?, ?)",
        (drama_id, alias, name_key(alias)),
    )
    return cur.rowcount > 0


def remove_alias(conn: sqlite3.Connection, drama_id: int, alias: str) -> bool:
    cur = conn.execute(
        "DELETE FROM drama_alias WHERE drama_id = ? AND alias = ?", (drama_id, alias)
    )
    return cur.rowcount > 0


def drama_ids_by_title(conn: sqlite3.Connection, title: str) -> list[int]:
    return [r[0] for r in conn.execute("SELECT id FROM drama WHERE title = ?", (title,))]


def drama_ids_by_key(conn: sqlite3.Connection, key: str) -> list[int]:
    rows = conn.execute(
        "SELECT id FROM drama WHERE title_key = ?1 OR native_key = ?1 "
        "UNION SELECT drama_id FROM drama_alias WHERE alias_key = ?1 ORDER BY 1",
        (key,),
    )
    return [r[0] for r in rows]


def all_drama_titles(conn: sqlite3.Connection) -> list[tuple[int, str, str | None]]:
    return list(conn.execute("SELECT id, title, native FROM drama ORDER BY title"))


def all_drama_aliases(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    return list(conn.execute("SELECT drama_id, alias FROM drama_alias"))


def _drama_from_row(row: Sequence[Any], aliases: list[str]) -> Drama:
    """The Drama of a row of _DRAMA_COLUMNS."""
    # Imported where used: resolving a name (every `rank --actor`) needs this module, not
    # the records of dramas (people_models.py).
    from scenecat.people_models import Drama

    values = {f.name: value for f, value in zip(STORED, row[1:], strict=True)}
    return Drama(id=int(row[0]), aliases=aliases, **values)


# The drama's id, then its declared columns
_DRAMA_COLUMNS = ", ".join(["d.id", *(f"d.{f.column}" for f in STORED)])
_WIDTH = 1 + len(STORED)


def drama_exists(conn: sqlite3.Connection, drama_id: int) -> bool:
    return conn.execute("SELECT 1 FROM drama WHERE id = ?", (drama_id,)).fetchone() is not None


def get_drama(conn: sqlite3.Connection, drama_id: int) -> Drama:
    row = conn.execute(f"SELECT {_DRAMA_COLUMNS} FROM drama d WHERE id = ?", (drama_id,)).fetchone()
    aliases = [
        r[0]
        for r in conn.execute(
            "SELECT alias FROM drama_alias WHERE drama_id = ? ORDER BY alias", (drama_id,)
        )
    ]
    return _drama_from_row(row, aliases)


def list_dramas(
    conn: sqlite3.Connection,
    *,
    actor_id: int | None = None,
    network: str | None = None,
    year: tuple[int, int] | None = None,
    limit: int | None = None,
) -> list[tuple[Drama, int]]:
    """Dramas with their number of scenes."""
    clauses: list[str] = []
    params: list[object] = []
    if actor_id is not None:
        clauses.append("d.id IN (SELECT drama_id FROM credit WHERE actor_id = ?)")
        params.append(actor_id)
    if network:
        clauses.append("d.network = ? COLLATE NOCASE")
        params.append(network)
    if year:
        clauses.append("d.year BETWEEN ? AND ?")
        params.extend(year)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    sql = (
        f"SELECT {_DRAMA_COLUMNS}, "
        "(SELECT group_concat(alias, char(31)) FROM "
        " (SELECT alias FROM drama_alias WHERE drama_id = d.id ORDER BY alias)), "
        "(SELECT count(*) FROM scene WHERE drama_id = d.id) "
        f"FROM drama d {where} ORDER BY d.year, d.title"
    )
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [
        (_drama_from_row(row[:_WIDTH], row[_WIDTH].split("\x1f") if row[_WIDTH] else []), row[-1])
        for row in conn.execute(sql, params)
    ]


def delete_drama(conn: sqlite3.Connection, drama_id: int) -> None:
    conn.execute("DELETE FROM scene WHERE drama_id = ?", (drama_id,))
    conn.execute("DELETE FROM drama WHERE id = ?", (drama_id,))


def count_drama_scenes(conn: sqlite3.Connection, drama_id: int) -> int:
    row = conn.execute("SELECT count(*) FROM scene WHERE drama_id = ?", (drama_id,)).fetchone()
    return int(row[0])


def max_scene_episode(conn: sqlite3.Connection, drama_id: int) -> int | None:
    row = conn.execute("SELECT max(episode) FROM scene WHERE drama_id = ?", (drama_id,)).fetchone()
    return None if row[0] is None else int(row[0])


# Episodes


def upsert_episode(
    conn: sqlite3.Connection, drama_id: int, number: int, values: Mapping[str, object]
) -> bool:
    """Insert or update; returns True when the episode is new."""
    exists = conn.execute(
        "SELECT 1 FROM episode WHERE drama_id = ? AND number = ?", (drama_id, number)
    ).fetchone()
    if exists:
        fields = {k: v for k, v in values.items() if k in ("aired", "title", "rating")}
        if fields:
            assignments = ", ".join(f"{column} = ?" for column in fields)
            conn.execute(
                f"UPDATE episode SET {assignments} WHERE drama_id = ? AND number = ?",
                [*fields.values(), drama_id, number],
            )
        return False
    conn.execute(
        "INSERT INTO episode (drama_id, number, aired, title, rating) VALUES (?, ?, ?, ?, ?)",
        (drama_id, number, values.get("aired"), values.get("title"), values.get("rating")),
    )
    return True


def list_episodes(
    conn: sqlite3.Connection, *, drama_id: int | None = None, limit: int | None = None
) -> list[Episode]:
    sql = (
        "SELECT e.drama_id, d.title, e.number, e.aired, e.title, e.rating "
        "FROM episode e JOIN drama d ON d.id = e.drama_id"
    )
    params: list[object] = []
    if drama_id is not None:
        sql += " WHERE e.drama_id = ?"
        params.append(drama_id)
    sql += " ORDER BY d.title, e.number"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    from scenecat.people_models import Episode

    return [Episode(*row) for row in conn.execute(sql, params)]


def delete_episode(conn: sqlite3.Connection, drama_id: int, number: int) -> bool:
    cur = conn.execute("DELETE FROM episode WHERE drama_id = ? AND number = ?", (drama_id, number))
    return cur.rowcount > 0


# Credits


def upsert_credit(
    conn: sqlite3.Connection,
    drama_id: int,
    actor_id: int,
    character: str | None,
    role: str,
    billing: int | None,
) -> bool:
    """Add a credit, or update the matching one; returns True when the credit is new.

    An actor may have several credits in one drama, one per character (twins, a dual
    role). The rule (`merge_credit` applies the same one to in-memory rows):
    the same character updates that credit; no character updates the actor's first credit;
    a character for an actor whose first credit has none fills it in; otherwise it is a
    new credit."""
    rows = conn.execute(
        "SELECT id, character FROM credit WHERE drama_id = ? AND actor_id = ? ORDER BY id",
        (drama_id, actor_id),
    ).fetchall()
    target = next((r[0] for r in rows if r[1] == character), None)
    if target is None and rows and (character is None or rows[0][1] is None):
        target = rows[0][0]
    if target is not None:
        conn.execute(
            "UPDATE credit SET character = coalesce(?, character), role = ?, "
            "billing = coalesce(?, billing) WHERE id = ?",
            (character, role, billing, target),
        )
        return False
    conn.execute(
        "INSERT INTO credit (drama_id, actor_id, character, role, billing) VALUES (?, ?, ?, ?, ?)",
        (drama_id, actor_id, character, role, billing),
    )
    return True


def merge_credit(
    rows: list[list[Any]], character: str | None, role: str, billing: int | None
) -> bool:
    """`upsert_credit`'s rule over one actor's credits in one drama held in memory as
    [character, role, billing] lists (bulk import); returns True when one is added."""
    target = next((r for r in rows if r[0] == character), None)
    if target is None and rows and (character is None or rows[0][0] is None):
        target = rows[0]
    if target is None:
        rows.append([character, role, billing])
        return True
    target[0] = character if character is not None else target[0]
    target[1] = role
    target[2] = billing if billing is not None else target[2]
    return False


def is_credited(conn: sqlite3.Connection, drama_id: int, actor_id: int) -> bool:
    row = conn.execute(
        "SELECT 1 FROM credit WHERE drama_id = ? AND actor_id = ?", (drama_id, actor_id)
    ).fetchone()
    return row is not None


def credits(
    conn: sqlite3.Connection, *, drama_id: int | None = None, actor_id: int | None = None
) -> list[Credit]:
    clauses, params = [], []
    if drama_id is not None:
        clauses.append("c.drama_id = ?")
        params.append(drama_id)
    if actor_id is not None:
        clauses.append("c.actor_id = ?")
        params.append(actor_id)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = conn.execute(
        "SELECT c.actor_id, a.name, c.drama_id, d.title, c.character, c.role, c.billing, "
        "d.year, d.network FROM credit c JOIN actor a ON a.id = c.actor_id "
        f"JOIN drama d ON d.id = c.drama_id {where} "
        "ORDER BY d.year, d.title, coalesce(c.billing, 1e9), "
        "CASE c.role WHEN 'main' THEN 0 WHEN 'support' THEN 1 WHEN 'guest' THEN 2 ELSE 3 END, "
        "a.name",
        params,
    )
    from scenecat.people_models import Credit

    return [Credit(*row) for row in rows]


def characters_by_drama(
    conn: sqlite3.Connection, drama_ids: Sequence[int]
) -> dict[int, dict[str, str | None]]:
    """{drama id: {actor name: character}} for many dramas in a few queries (an article of
    10,000 scenes asked once per drama: 7,020 queries at 1M). Where an actor holds several
    credits in a drama, the last in credits() order gives the character, as a dict built
    from credits(drama_id=...) has it."""
    found: dict[int, dict[str, str | None]] = {drama_id: {} for drama_id in drama_ids}
    ids = list(found)
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        marks = ",".join("?" * len(batch))
        rows = conn.execute(
            "SELECT c.drama_id, a.name, c.character FROM credit c "
            f"JOIN actor a ON a.id = c.actor_id WHERE c.drama_id IN ({marks}) "
            "ORDER BY c.drama_id, coalesce(c.billing, 1e9), "
            "CASE c.role WHEN 'main' THEN 0 WHEN 'support' THEN 1 WHEN 'guest' THEN 2 ELSE 3 END, "
            "a.name, c.id",
            batch,
        )
        for drama_id, actor, character in rows:
            found[drama_id][actor] = character
    return found


def ids_after_title(
    conn: sqlite3.Connection, after: str | None, limit: int
) -> list[tuple[int, str]]:
    """(id, title) of up to `limit` dramas in title order whose title sorts after `after`
    (None: from the first): the dramas in title order a page at a time."""
    # Two statements, not `title > ?1 OR ?1 IS NULL`: SQLite would scan from the first row
    # for every page instead of seeking into the index.
    if after is None:
        rows = conn.execute("SELECT id, title FROM drama ORDER BY title LIMIT ?", (limit,))
    else:
        rows = conn.execute(
            "SELECT id, title FROM drama WHERE title > ? ORDER BY title LIMIT ?", (after, limit)
        )
    return [(row[0], row[1]) for row in rows]


def delete_credits(conn: sqlite3.Connection, drama_id: int) -> None:
    conn.execute("DELETE FROM credit WHERE drama_id = ?", (drama_id,))


# 0006: an actor may hold several credits in one drama, one per character. SQLite cannot drop
# the old UNIQUE (drama_id, actor_id), so the table is rebuilt (ids kept, so the change
# history still points at the right rows; its triggers are re-made after every upgrade).
_CREDIT_ROLES = [
    """CREATE TABLE credit_new (
    id INTEGER PRIMARY KEY,
    actor_id INTEGER NOT NULL REFERENCES actor(id) ON DELETE CASCADE,
    drama_id INTEGER NOT NULL REFERENCES drama(id) ON DELETE CASCADE,
    character TEXT,
    role TEXT NOT NULL DEFAULT 'main',
    billing INTEGER
)""",
    "INSERT INTO credit_new (id, actor_id, drama_id, character, role, billing) "
    "SELECT id, actor_id, drama_id, character, role, billing FROM credit",
    "DROP TABLE credit",
    "ALTER TABLE credit_new RENAME TO credit",
    "CREATE INDEX credit_by_actor ON credit(actor_id, drama_id)",
    "CREATE UNIQUE INDEX credit_role ON credit(drama_id, actor_id, ifnull(character, ''))",
]


# Name keys fold look-alike letters and drop invisible characters since 0006 (text.name_key),
# with Unicode's confusables data and small capitals since 0011: the keys of names that are
# not plain ASCII are made again.
_KEYED = (
    ("actor", "name", "name_key"),
    ("actor", "native", "native_key"),
    ("actor_alias", "alias", "alias_key"),
    ("drama", "title", "title_key"),
    ("drama", "native", "native_key"),
    ("drama_alias", "alias", "alias_key"),
)


def credit_roles_and_name_keys(db: Database) -> None:
    """Migration 0006_credit_roles_and_name_keys."""
    run_in_transaction_statements(db, _CREDIT_ROLES)
    remake_name_keys(db)


def remake_name_keys(db: Database) -> None:
    """Migration 0011_look_alike_keys: every stored key of a name that is not plain ASCII
    made again with text.name_key (plain ASCII keys cannot change)."""
    run_in_transaction_statements(db, [])
    for table, column, key in _KEYED:
        rows = db.conn.execute(
            f"SELECT DISTINCT {column}, {key} FROM {table} WHERE {column} GLOB '*[^ -~]*'"
        ).fetchall()
        for value, old in rows:
            new = name_key(value)
            if new != old:
                db.conn.execute(f"UPDATE {table} SET {key} = ? WHERE {column} = ?", (new, value))
