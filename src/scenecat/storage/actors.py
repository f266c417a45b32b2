"""Actors and their aliases."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from scenecat.fields import ACTOR_FIELDS, column_row
from scenecat.text import name_key

if TYPE_CHECKING:
    from scenecat.people_models import Actor

# The declared fields stored in `actor` (fields.ActorFacts), in declaration order.
STORED = tuple(f for f in ACTOR_FIELDS if f.column is not None)
# The actor's id, then its declared columns
_ACTOR_COLUMNS = ", ".join(["a.id", *(f"a.{f.column}" for f in STORED)])
_WIDTH = 1 + len(STORED)


def _actor_from_row(row: Sequence[Any], aliases: list[str]) -> Actor:
    """The Actor of a row of _ACTOR_COLUMNS."""
    # Imported here: resolving a name (every `rank --actor`) needs this module, not Actor.
    from scenecat.people_models import Actor

    values = {f.name: value for f, value in zip(STORED, row[1:], strict=True)}
    return Actor(id=int(row[0]), aliases=aliases, **values)


def insert_actor(conn: sqlite3.Connection, values: Mapping[str, object]) -> int:
    """A new actor of `values` (declared field name -> value; a field left out is NULL)."""
    row = column_row(STORED, {f.name: values.get(f.name) for f in STORED})
    columns, marks = ", ".join(row), ", ".join("?" * len(row))
    cur = conn.execute(f"INSERT INTO actor ({columns}) VALUES ({marks})", list(row.values()))
    return int(cur.lastrowid or 0)


def update_actor(conn: sqlite3.Connection, actor_id: int, **fields: object) -> None:
    """Set the declared fields named (field name=value), their keys with them."""
    row = column_row(STORED, fields)
    if row:
        assignments = ", ".join(f"{column} = ?" for column in row)
        conn.execute(f"UPDATE actor SET {assignments} WHERE id = ?", [*row.values(), actor_id])


def add_alias(conn: sqlite3.Connection, actor_id: int, alias: str) -> bool:
    cur = conn.execute(
        "INSERT OR IGNORE INTO actor_alias (actor_id, alias, alias_key) VALUES (?, ?, ?)",
        (actor_id, alias, name_key(alias)),
    )
    return cur.rowcount > 0


def remove_alias(conn: sqlite3.Connection, actor_id: int, alias: str) -> bool:
    cur = conn.execute(
        "DELETE FROM actor_alias WHERE actor_id = ? AND alias = ?", (actor_id, alias)
    )
    return cur.rowcount > 0


def actor_ids_by_name(conn: sqlite3.Connection, name: str) -> list[int]:
    return [r[0] for r in conn.execute("SELECT id FROM actor WHERE name = ?", (name,))]


def actor_ids_by_key(conn: sqlite3.Connection, key: str) -> list[int]:
    rows = conn.execute(
        "SELECT id FROM actor WHERE name_key = ?1 OR native_key = ?1 "
        "UNION SELECT actor_id FROM actor_alias WHERE alias_key = ?1 ORDER BY 1",
        (key,),
    )
    return [r[0] for r in rows]


def all_actor_names(conn: sqlite3.Connection) -> list[tuple[int, str, str | None]]:
    return list(conn.execute("SELECT id, name, native FROM actor ORDER BY name"))


def top_actor_id(conn: sqlite3.Connection) -> int:
    """The highest actor id (0 for none): actors added later have higher ones."""
    return int(conn.execute("SELECT coalesce(max(id), 0) FROM actor").fetchone()[0])


def actor_names_after(conn: sqlite3.Connection, top: int) -> list[str]:
    """The names of the actors added after `top` (top_actor_id), oldest first."""
    return [r[0] for r in conn.execute("SELECT name FROM actor WHERE id > ? ORDER BY id", (top,))]


def all_actor_aliases(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    return list(conn.execute("SELECT actor_id, alias FROM actor_alias"))


def actor_exists(conn: sqlite3.Connection, actor_id: int) -> bool:
    return conn.execute("SELECT 1 FROM actor WHERE id = ?", (actor_id,)).fetchone() is not None


def get_actor(conn: sqlite3.Connection, actor_id: int) -> Actor:
    row = conn.execute(f"SELECT {_ACTOR_COLUMNS} FROM actor a WHERE id = ?", (actor_id,)).fetchone()
    aliases = [
        r[0]
        for r in conn.execute(
            "SELECT alias FROM actor_alias WHERE actor_id = ? ORDER BY alias", (actor_id,)
        )
    ]
    return _actor_from_row(row, aliases)


def list_actors(
    conn: sqlite3.Connection, *, drama_id: int | None = None, limit: int | None = None
) -> list[tuple[Actor, int, int]]:
    """Actors with their number of credits and scenes."""
    where = ""
    params: list[object] = []
    if drama_id is not None:
        where = "WHERE a.id IN (SELECT actor_id FROM credit WHERE drama_id = ?)"
        params.append(drama_id)
    sql = (
        f"SELECT {_ACTOR_COLUMNS}, "
        "(SELECT count(DISTINCT drama_id) FROM credit WHERE actor_id = a.id), "
        "(SELECT count(*) FROM scene_actor WHERE actor_id = a.id), "
        "(SELECT group_concat(alias, char(31)) FROM "
        " (SELECT alias FROM actor_alias WHERE actor_id = a.id ORDER BY alias)) "
        f"FROM actor a {where} ORDER BY a.name"
    )
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    result = []
    for row in conn.execute(sql, params):
        credits, scenes, listed = row[_WIDTH:]
        actor = _actor_from_row(row[:_WIDTH], listed.split("\x1f") if listed else [])
        result.append((actor, credits, scenes))
    return result


def actors_after(conn: sqlite3.Connection, after: str | None, limit: int) -> list[Actor]:
    """Up to `limit` actors in name order whose name sorts after `after` (None: from the
    first), with their aliases: an export pages through any number of actors this way."""
    # (not `a.name > ?1 OR ?1 IS NULL`: that scans from the first actor for every page)
    where, params = ("WHERE a.name > ?", [after]) if after is not None else ("", [])
    rows = conn.execute(
        f"SELECT {_ACTOR_COLUMNS} FROM actor a {where} ORDER BY a.name LIMIT ?", [*params, limit]
    ).fetchall()
    aliases: dict[int, list[str]] = {}
    ids = [row[0] for row in rows]
    if ids:
        marks = ",".join("?" * len(ids))
        for actor_id, alias in conn.execute(
            f"SELECT actor_id, alias FROM actor_alias WHERE actor_id IN ({marks}) "
            "ORDER BY actor_id, alias",
            ids,
        ):
            aliases.setdefault(actor_id, []).append(alias)
    return [_actor_from_row(row, aliases.get(row[0], [])) for row in rows]


def merge_actors(conn: sqlite3.Connection, keep_id: int, gone_id: int) -> None:
    """Move everything of `gone_id` onto `keep_id`, then delete `gone_id`."""
    # A credit or scene both actors share stays once, under the kept actor.
    conn.execute("UPDATE OR IGNORE credit SET actor_id = ? WHERE actor_id = ?", (keep_id, gone_id))
    conn.execute(
        "UPDATE OR IGNORE scene_actor SET actor_id = ? WHERE actor_id = ?", (keep_id, gone_id)
    )
    conn.execute("DELETE FROM scene_actor WHERE actor_id = ?", (gone_id,))
    conn.execute(
        "INSERT OR IGNORE INTO actor_alias (actor_id, alias, alias_key) "
        "SELECT ?, alias, alias_key FROM actor_alias WHERE actor_id = ?",
        (keep_id, gone_id),
    )
    conn.execute(
        "UPDATE OR IGNORE actor_source_id SET actor_id = ? WHERE actor_id = ?", (keep_id, gone_id)
    )
    conn.execute("DELETE FROM actor WHERE id = ?", (gone_id,))


def delete_actor(conn: sqlite3.Connection, actor_id: int) -> None:
    conn.execute("DELETE FROM scene_actor WHERE actor_id = ?", (actor_id,))
    conn.execute("DELETE FROM actor WHERE id = ?", (actor_id,))


def count_actor_scenes(conn: sqlite3.Connection, actor_id: int) -> int:
    return int(
        conn.execute("SELECT count(*) FROM scene_actor WHERE actor_id = ?", (actor_id,)).fetchone()[
            0
        ]
    )
