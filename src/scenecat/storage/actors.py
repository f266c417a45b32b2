"""Actors and their aliases."""

from __future__ import annotations

import sqlite3

from scenecat.models import Actor
from scenecat.text import name_key


def insert_actor(conn: sqlite3.Connection, name: str, native: str | None, born: int | None) -> int:
    cur = conn.execute(
        "INSERT INTO actor (name, name_key, native, native_key, born) VALUES (?, ?, ?, ?, ?)",
        (name, name_key(name), native, name_key(native) if native else None, born),
    )
    return int(cur.lastrowid or 0)


def update_actor(conn: sqlite3.Connection, actor_id: int, **fields: object) -> None:
    values = dict(fields)
    if "name" in values:
        values["name_key"] = name_key(str(values["name"]))
    if "native" in values:
        values["native_key"] = name_key(str(values["native"])) if values["native"] else None
    if values:
        assignments = ", ".join(f"{column} = ?" for column in values)
        conn.execute(f"UPDATE actor SET {assignments} WHERE id = ?", [*values.values(), actor_id])


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


def all_actor_aliases(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    return list(conn.execute("SELECT actor_id, alias FROM actor_alias"))


def names_starting(conn: sqlite3.Connection, prefix: str, limit: int = 50) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM actor WHERE name LIKE ? ESCAPE '\\' ORDER BY name LIMIT ?",
        (_like_prefix(prefix), limit),
    )
    return [r[0] for r in rows]


def _like_prefix(prefix: str) -> str:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def actor_exists(conn: sqlite3.Connection, actor_id: int) -> bool:
    return conn.execute("SELECT 1 FROM actor WHERE id = ?", (actor_id,)).fetchone() is not None


def get_actor(conn: sqlite3.Connection, actor_id: int) -> Actor:
    row = conn.execute(
        "SELECT id, name, native, born FROM actor WHERE id = ?", (actor_id,)
    ).fetchone()
    aliases = [
        r[0]
        for r in conn.execute(
            "SELECT alias FROM actor_alias WHERE actor_id = ? ORDER BY alias", (actor_id,)
        )
    ]
    return Actor(id=row[0], name=row[1], native=row[2], born=row[3], aliases=aliases)


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
        "SELECT a.id, a.name, a.native, a.born, "
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
        aliases = row[6].split("\x1f") if row[6] else []
        actor = Actor(id=row[0], name=row[1], native=row[2], born=row[3], aliases=aliases)
        result.append((actor, row[4], row[5]))
    return result


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
