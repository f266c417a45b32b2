"""What a Datasette serving a scenecat catalogue refuses, whoever started it.

`scenecat serve` and a published folder's metadata already say the rules with Datasette's
own settings and `allow` blocks (web/serve.py, web/metadata.py). The plugin says them again,
so that they hold wherever the plugin runs (a host started without the metadata, or a plain
`datasette catalogue.db` with scenecat installed), and says what metadata cannot:

- a table scenecat does not document (change history, watch progress, migrations, search
  index internals, whatever a later version adds) is refused (`view-table`), also as the
  link table of a `?_through=` filter;
- the catalogue file is never offered for download (`view-database-download`): it holds the
  change history, and with it every removed scene whole;
- arbitrary SQL (`execute-sql`, which `?_where=` needs too) is refused unless the site's
  metadata opts in with `allow_sql` (`scenecat serve --sql`);
- /-/databases lists a catalogue without the path of its file;
- a row's page counts no rows of a private table ("Links from other tables": a drama's
  watch progress would show as "1 row").

Databases that are not catalogues are left as Datasette serves them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast
from weakref import WeakKeyDictionary

from datasette import hookimpl
from datasette.utils.asgi import Response

_F = TypeVar("_F", bound=Callable[..., Any])
hook = cast("Callable[[_F], _F]", hookimpl)

# Per Datasette instance (held weakly, so a new instance never inherits an old answer):
# database name -> whether it is a scenecat catalogue.
_KNOWN: WeakKeyDictionary[Any, dict[str, bool]] = WeakKeyDictionary()

RULED = ("view-table", "view-database-download", "execute-sql")


async def is_catalogue(datasette: Any, database: str) -> bool:
    known = _KNOWN.setdefault(datasette, {})
    if database not in known:
        from scenecat.storage import site_queries as store

        db = datasette.databases.get(database)
        if db is None or db.is_memory:
            return False

        def check(conn: sqlite3.Connection) -> bool:
            try:
                return store.has_search_index(conn)
            except sqlite3.Error:
                return False

        known[database] = bool(await db.execute_fn(check))
    return known[database]


def _is_public(table: str) -> bool:
    from scenecat.web.metadata import is_public

    return is_public(table)


@hook
def permission_allowed(
    datasette: Any, actor: Any, action: str, resource: Any
) -> Callable[[], Awaitable[bool | None]] | None:
    """False for what a catalogue's site never serves; None (Datasette decides) otherwise.
    Datasette takes the last plugin's answer that is not None, and scenecat answers only
    with refusals, so no other rule can re-open these."""
    if action not in RULED or resource is None:
        return None

    async def inner() -> bool | None:
        database = resource[0] if isinstance(resource, (tuple, list)) else resource
        if not await is_catalogue(datasette, database):
            return None
        if action == "view-table":
            return None if _is_public(resource[1]) else False
        if action == "view-database-download":
            return False
        # execute-sql: only where the metadata says so (serve --sql writes allow_sql: true).
        return None if datasette.metadata("allow_sql", database=database) else False

    return inner


@hook
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    # Plugin routes come before Datasette's own, so this one answers /-/databases.
    return [(r"^/-/databases(\.(?P<format>json))?$", _databases)]


async def _databases(datasette: Any, request: Any) -> Any:
    """Datasette's /-/databases, with no catalogue's file path (nor its name on disk)."""
    await datasette.ensure_permissions(request.actor, ["view-instance"])
    listing = []
    for name, db in datasette.databases.items():
        if name == "_internal":
            continue
        entry = {
            "name": db.name,
            "route": db.route,
            "path": db.path,
            "size": db.size,
            "is_mutable": db.is_mutable,
            "is_memory": db.is_memory,
            "hash": db.hash,
        }
        if await is_catalogue(datasette, name):
            del entry["path"]
        listing.append(entry)
    if request.url_vars.get("format"):
        return Response.json(listing)
    return Response.html(
        await datasette.render_template(
            "show_json.html",
            {"filename": "databases.json", "data_json": json.dumps(listing, indent=4)},
            request=request,
        )
    )


@hook
def startup(datasette: Any) -> Callable[[], Awaitable[None]]:
    async def inner() -> None:
        for name, db in list(datasette.databases.items()):
            if await is_catalogue(datasette, name):
                _public_foreign_keys(db)

    return inner


def _public_foreign_keys(db: Any) -> None:
    """Datasette's row page counts the rows of every table pointing at the row ("Links from
    other tables"), private ones included, and no permission is asked. Its foreign keys are
    read from Database.get_all_foreign_keys (only there and on the index and database pages,
    which list tables): on a catalogue, that answer leaves private tables out."""
    if getattr(db, "_scenecat_public_keys", False):
        return
    everything = db.get_all_foreign_keys

    async def get_all_foreign_keys() -> dict[str, Any]:
        keys = await everything()
        return {
            table: {
                direction: [fk for fk in links if _is_public(fk["other_table"])]
                for direction, links in sides.items()
            }
            for table, sides in keys.items()
            if _is_public(table)
        }

    db.get_all_foreign_keys = get_all_foreign_keys
    db._scenecat_public_keys = True
