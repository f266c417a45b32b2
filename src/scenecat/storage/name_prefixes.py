"""The names that complete a typed start, for Tab (shell completion and add-scene's prompts).

Matched on the folded key columns (text.name_key: case, spaces, hyphens, Unicode form), so
`ji chang`, `jichang` and `JI CHANG-` all reach "Ji Chang Wook", and a Hangul start
(`날`) reaches a native title (`날 녹여주오`). Each record is offered once, in the form that
matched: its name, else its native name, else an alias; all three resolve back to it.
"""

from __future__ import annotations

import sqlite3
from typing import NamedTuple


class NamedTable(NamedTuple):
    """Where a kind of record keeps its name, native name and aliases."""

    table: str
    name: str  # the column holding the name
    key: str  # and its folded form
    alias_table: str
    owner: str  # the alias table's column naming the record


ACTORS = NamedTable("actor", "name", "name_key", "actor_alias", "actor_id")
DRAMAS = NamedTable("drama", "title", "title_key", "drama_alias", "drama_id")

# Above every character: key >= start AND key < start || _TOP is a prefix range the key
# columns' indexes answer (BINARY collation compares UTF-8 bytes, which keep code point order).
_TOP = "\U0010ffff"


def forms_starting(
    conn: sqlite3.Connection, where: NamedTable, folded: str, limit: int = 50
) -> list[str]:
    """One form per record whose name, native name or alias folds to something starting with
    `folded` (already text.name_key'd); by name."""
    t = where
    rows = conn.execute(
        f"""
        SELECT id, {t.name}, 0 FROM {t.table} WHERE {t.key} >= :lo AND {t.key} < :hi
        UNION ALL
        SELECT id, native, 1 FROM {t.table} WHERE native_key >= :lo AND native_key < :hi
        UNION ALL
        SELECT {t.owner}, alias, 2 FROM {t.alias_table} WHERE alias_key >= :lo AND alias_key < :hi
        ORDER BY 3, 2
        """,
        {"lo": folded, "hi": folded + _TOP},
    )
    chosen: dict[int, str] = {}
    for record, form, _ in rows:
        chosen.setdefault(record, form)
        if len(chosen) >= limit:
            break
    return sorted(chosen.values(), key=str.casefold)
