"""`history` and `undo`: what changed, and taking it back.

Undo works on the row log kept by storage/changelog.py. Before anything is written it refuses
(with the reason) when a later change still in place depends on the change being undone:
it changed the same rows, it added rows that refer to rows this change added, or it removed
rows this change would bring back references to. While replaying it checks every row is still
as the change left it, and afterwards that nothing else was swept along (a cascade), so a
change made outside scenecat's history is caught too. Any refusal rolls everything back.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from scenecat.errors import Conflict, InvalidInput, NotFound, UsageError
from scenecat.storage import changelog, search_index, undo_queries
from scenecat.storage.bulk import clear_load
from scenecat.storage.changelog import Change, TableInfo
from scenecat.storage.undo_queries import Entry, ForeignKey
from scenecat.text import counted

NOUNS = {
    "actor": "actor",
    "actor_alias": "actor alias",
    "drama": "drama",
    "drama_alias": "drama alias",
    "episode": "episode",
    "credit": "cast credit",
    "scene": "scene",
    "scene_tag": "scene tag",
    "scene_actor": "scene appearance",
    "source": "source",
    "scene_source": "scene source link",
    "view_count": "view count",
    "vote": "vote",
    "duel": "duel",
    "watch_progress": "watch progress",
}
_NAME_FIELDS = ("key", "name", "title", "alias", "tag", "url", "voter", "number")


@dataclass
class UndoResult:
    undo_id: int
    undone: list[Change]
    rows: int


def recent(conn: sqlite3.Connection, limit: int = 20) -> list[Change]:
    if limit < 1:
        raise UsageError("--limit must be at least 1")
    return changelog.recent(conn, limit)


def change_json(change: Change) -> dict[str, Any]:
    return {
        "id": change.id,
        "label": change.label,
        "kind": change.kind,
        "started": change.started,
        "finished": change.finished,
        "rows": change.rows,
        "bulk": change.bulk,
        "undone": change.undone,
        "undone_by": change.undone_by,
    }


def describe(change: Change) -> str:
    return f"#{change.id} {change.label}"


def plan(conn: sqlite3.Connection, count: int = 1, change_id: int | None = None) -> list[Change]:
    """The changes an undo would revert, newest first."""
    if change_id is not None:
        change = changelog.get_change(conn, change_id)
        if change is None:
            raise NotFound(
                f"no change #{change_id} in the history", hint="`scenecat history` lists them"
            )
        if change.kind != "change":
            raise InvalidInput(f"#{change_id} is an undo; an undo cannot be undone")
        if change.undone:
            raise InvalidInput(f"#{change_id} was already undone (by #{change.undone_by})")
        return [change]
    if count < 1:
        raise UsageError(f"cannot undo {count} changes; give a number from 1 up")
    changes = changelog.undoable(conn, count)
    if not changes:
        raise NotFound("nothing to undo", hint="`scenecat history` lists the recorded changes")
    if len(changes) < count:
        raise InvalidInput(
            f"only {counted(len(changes), 'change')} can be undone, not {count}",
            hint="`scenecat history` lists them",
        )
    return changes


def is_undone(conn: sqlite3.Connection, change_id: int) -> bool:
    """Whether change #change_id has been taken back (after a Ctrl-C: did the undo commit?)."""
    change = changelog.get_change(conn, change_id)
    return change is not None and bool(change.undone)


def check_undoable(conn: sqlite3.Connection, changes: list[Change]) -> None:
    """Refuse now, as undo() would, when a later change depends on one of `changes`: so
    that `undo` says so before it asks, not after a "yes". undo() checks again inside its
    write (the history may move in between)."""
    schema = _Schema(conn)
    excluding = {c.id for c in changes}
    for change in changes:
        _check_dependencies(conn, schema, change, undo_queries.entries(conn, change.id), excluding)


def undo(
    conn: sqlite3.Connection,
    count: int = 1,
    change_id: int | None = None,
    *,
    expected: list[int] | None = None,
) -> UndoResult:
    """Revert changes inside the caller's `Catalogue.write()`; all or nothing."""
    undo_id = changelog.current_change(conn)
    if undo_id is None:
        raise RuntimeError("undo() runs inside Catalogue.write()")
    changes = plan(conn, count, change_id)
    if expected is not None and [c.id for c in changes] != expected:
        raise Conflict(
            "the history changed while you were asked; nothing was undone",
            hint="run the command again",
        )
    undo_queries.defer_foreign_keys(conn)
    schema = _Schema(conn)
    undone_ids = [c.id for c in changes]
    # The undo's own replay is logged under its id (to spot cascades); it is no later change.
    excluding = {*undone_ids, undo_id}
    replayed: list[Entry] = []
    bulk_undone = False
    for change in changes:
        own = undo_queries.entries(conn, change.id)
        _check_dependencies(conn, schema, change, own, excluding)
        if change.bulk:
            _undo_bulk(conn, change)
            bulk_undone = True
        for entry in reversed(own):
            _replay(conn, schema, change, entry)
        replayed.extend(own)
    _check_side_effects(conn, undo_id, replayed, changes)
    undo_queries.drop_entries(conn, undo_id)
    for change in changes:
        _check_references(conn, schema, change, [e for e in replayed if e.change_id == change.id])
    _refresh_search(conn, replayed, rebuild=bulk_undone)
    rows = sum(c.rows for c in changes)
    label = "undo " + "; ".join(describe(c) for c in changes)
    changelog.mark_undone(conn, undone_ids, undo_id, label[:300], rows)
    return UndoResult(undo_id, changes, rows)


# Dependencies


class _Schema:
    """Table layouts and foreign keys, read once per undo."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._infos: dict[str, TableInfo] = {}
        self._fks: dict[str, list[ForeignKey]] = {}
        self._children: dict[str, list[ForeignKey]] | None = None

    def info(self, table: str, change: Change) -> TableInfo:
        if table not in self._infos:
            if not changelog.table_exists(self.conn, table):
                raise Conflict(
                    f"cannot undo {describe(change)}: its table {table!r} no longer exists"
                )
            self._infos[table] = changelog.table_info(self.conn, table)
        return self._infos[table]

    def fks(self, table: str) -> list[ForeignKey]:
        if table not in self._fks:
            exists = changelog.table_exists(self.conn, table)
            self._fks[table] = undo_queries.foreign_keys(self.conn, table) if exists else []
        return self._fks[table]

    def children(self, table: str) -> list[ForeignKey]:
        if self._children is None:
            self._children = defaultdict(list)
            for child in changelog.tracked_tables(self.conn):
                for fk in self.fks(child):
                    self._children[fk.parent].append(fk)
        return self._children.get(table, [])

    def key_of(self, table: str) -> tuple[str, ...] | None:
        if not changelog.table_exists(self.conn, table):
            return None
        return changelog.table_info(self.conn, table).key


def _noun(table: str) -> str:
    return NOUNS.get(table, table.replace("_", " "))


def _what(table: str, image: dict[str, Any] | None, key: tuple[Any, ...] | None) -> str:
    noun = _noun(table)
    if image:
        for name in _NAME_FIELDS:
            value = image.get(name)
            if value not in (None, ""):
                return f"{noun} {value!r}" if isinstance(value, str) else f"{noun} {value}"
    if key:
        return f"{noun} {', '.join(map(str, key))}"
    return noun


def _by(conn: sqlite3.Connection, entry: Entry) -> str:
    if entry.change_id is None:
        return "a change made outside scenecat's history"
    change = changelog.get_change(conn, entry.change_id)
    return f"the later change {describe(change) if change else f'#{entry.change_id}'}"


def _check_dependencies(
    conn: sqlite3.Connection,
    schema: _Schema,
    change: Change,
    own: list[Entry],
    excluding: set[int],
) -> None:
    def refuse(reason: str, later_id: int | None) -> Conflict:
        hint = (
            f"undo #{later_id} first (or both together with `scenecat undo N`)"
            if later_id is not None
            else "this change can no longer be undone safely"
        )
        return Conflict(f"cannot undo {describe(change)}: {reason}", hint=hint)

    for bulk in changelog.later_bulk_changes(conn, change.id):
        if bulk.id not in excluding:
            raise refuse(f"the later bulk change {describe(bulk)} may build on it", bulk.id)
    later_entries = undo_queries.later_entries(conn, change.first_seq, excluding)
    if not later_entries:
        return
    if change.bulk:
        first = later_entries[0]
        raise refuse(f"{_by(conn, first)} came after it", first.change_id)
    touched = {(e.table, k) for e in own for k in e.keys}
    added: dict[tuple[str, tuple[Any, ...]], dict[str, Any] | None] = {}
    for e in own:
        if e.op == "I" or (e.op == "U" and e.key_old != e.key_new):
            assert e.key_new is not None
            added[(e.table, e.key_new)] = e.new
    # Rows this change's undo would bring back, and what they refer to.
    needed: set[tuple[str, tuple[Any, ...]]] = set()
    for e in own:
        if e.op in ("D", "U") and e.old:
            for fk in schema.fks(e.table):
                value = _fk_value(e.old, fk)
                if value is not None and fk.parent_columns == schema.key_of(fk.parent):
                    needed.add((fk.parent, value))
    for later in later_entries:
        for key in later.keys:
            if (later.table, key) in touched:
                what = _what(later.table, later.new or later.old, key)
                raise refuse(f"{_by(conn, later)} changed the same {what}", later.change_id)
        for fk in schema.fks(later.table):
            if fk.parent_columns != schema.key_of(fk.parent):
                continue
            for image in (later.new, later.old):
                value = _fk_value(image, fk) if image else None
                if value is not None and (fk.parent, value) in added:
                    raise refuse(
                        f"{_by(conn, later)} recorded a {_noun(later.table)} on the "
                        f"{_what(fk.parent, added[(fk.parent, value)], value)} it added",
                        later.change_id,
                    )
        gone = later.op == "D" or (later.op == "U" and later.key_old != later.key_new)
        if gone and later.key_old is not None and (later.table, later.key_old) in needed:
            what = _what(later.table, later.old, later.key_old)
            raise refuse(f"{_by(conn, later)} removed the {what} it refers to", later.change_id)


def _fk_value(image: dict[str, Any], fk: ForeignKey) -> tuple[Any, ...] | None:
    values = tuple(image.get(c) for c in fk.columns)
    return None if any(v is None for v in values) else values


# Replay


def _replay(conn: sqlite3.Connection, schema: _Schema, change: Change, entry: Entry) -> None:
    info = schema.info(entry.table, change)

    def refuse(reason: str) -> Conflict:
        return Conflict(
            f"cannot undo {describe(change)}: {reason}",
            hint="it was changed since in a way the history does not show",
        )

    try:
        if entry.op == "I":
            assert entry.key_new is not None and entry.new is not None
            current = undo_queries.current_image(conn, info, entry.key_new)
            if not undo_queries.same_image(info, entry.new, current):
                raise refuse(
                    f"the {_what(entry.table, entry.new, entry.key_new)} was changed since"
                )
            undo_queries.delete_row(conn, info, entry.key_new)
        elif entry.op == "D":
            assert entry.key_old is not None and entry.old is not None
            if undo_queries.current_image(conn, info, entry.key_old) is not None:
                raise refuse(
                    f"a later record took the place of the {_what(entry.table, entry.old, None)}"
                )
            undo_queries.insert_row(conn, info, entry.old)
        else:
            assert entry.key_new is not None and entry.key_old is not None
            assert entry.new is not None and entry.old is not None
            current = undo_queries.current_image(conn, info, entry.key_new)
            if not undo_queries.same_image(info, entry.new, current):
                raise refuse(
                    f"the {_what(entry.table, entry.new, entry.key_new)} was changed since"
                )
            if entry.key_old != entry.key_new and undo_queries.current_image(
                conn, info, entry.key_old
            ):
                raise refuse(
                    f"a later record took the place of the {_what(entry.table, entry.old, None)}"
                )
            undo_queries.update_row(conn, info, entry.key_new, entry.old)
    except sqlite3.IntegrityError as exc:
        raise Conflict(
            f"cannot undo {describe(change)}: bringing back the "
            f"{_what(entry.table, entry.old, entry.key_old)} clashes with a later record ({exc})",
            hint="rename or remove the later record first",
        ) from None


_INVERSE = {"I": "D", "D": "I", "U": "U"}


def _check_side_effects(
    conn: sqlite3.Connection, undo_id: int, replayed: list[Entry], changes: list[Change]
) -> None:
    """Every replayed row logs exactly one entry under the undo; anything more was swept
    along by a cascade, i.e. rows a later change (or another tool) made."""
    expected: dict[tuple[str, str], int] = defaultdict(int)
    for entry in replayed:
        expected[(entry.table, _INVERSE[entry.op])] += 1
    actual = undo_queries.entry_counts(conn, undo_id)
    for (table, op), n in sorted(actual.items()):
        extra = n - expected.get((table, op), 0)
        if extra > 0:
            verb = {"D": "remove", "I": "add", "U": "change"}[op]
            raise Conflict(
                f"cannot undo {', '.join(describe(c) for c in changes)}: it would also {verb} "
                f"{counted(extra, _noun(table) + ' row')} made later",
                hint="undo the later changes first",
            )


def _check_references(
    conn: sqlite3.Connection, schema: _Schema, change: Change, entries: list[Entry]
) -> None:
    """Foreign keys are deferred during the replay; name the first broken one here rather
    than fail at COMMIT with SQLite's bare message. Only rows as they stand after the whole
    undo count (an older change undone in the same go may take a restored row away again)."""
    for entry in entries:
        info = schema.info(entry.table, change)
        if entry.op in ("D", "U") and entry.old and entry.key_old is not None:
            current = undo_queries.current_image(conn, info, entry.key_old)
            if current is None:
                continue
            # The row as it stands now: an older change undone in the same go may have
            # pointed it elsewhere since (a merge undone after the removal it preceded).
            for fk in schema.fks(entry.table):
                value = _fk_value(current, fk)
                if value is not None and not undo_queries.row_exists(
                    conn, fk.parent, fk.parent_columns, value
                ):
                    raise Conflict(
                        f"cannot undo {describe(change)}: the "
                        f"{_what(entry.table, entry.old, None)} refers to a "
                        f"{_noun(fk.parent)} that a later change removed",
                        hint="undo the later change first",
                    )
        if entry.op == "I" or (entry.op == "U" and entry.key_old != entry.key_new):
            image, key = entry.new, entry.key_new
            if image is None or key is None or undo_queries.current_image(conn, info, key):
                continue
            for fk in schema.children(entry.table):
                values = tuple(image.get(c) for c in fk.parent_columns)
                if any(v is None for v in values):
                    continue
                if undo_queries.row_exists(conn, fk.table, fk.columns, values):
                    raise Conflict(
                        f"cannot undo {describe(change)}: later {_noun(fk.table)} rows refer "
                        f"to the {_what(entry.table, image, None)} it added",
                        hint="undo the later change first",
                    )


def _undo_bulk(conn: sqlite3.Connection, change: Change) -> None:
    marks = [
        m for m in undo_queries.bulk_marks(conn, change.id) if changelog.table_exists(conn, m.table)
    ]
    marked = {m.table for m in marks}
    if all(m.row_count == 0 for m in marks) and marked >= set(changelog.tracked_tables(conn)):
        # A load into an empty catalogue: every row there now is the load's (a later change
        # would have been refused or undone first), so the tables are emptied wholesale.
        clear_load(conn, sorted(marked))
    changelog.set_logging(conn, False)
    try:
        for mark in marks:
            if changelog.table_info(conn, mark.table).has_rowid:
                undo_queries.delete_above(conn, mark.table, mark.max_rowid)
        # Rows of tables without rowids go with their parents (ON DELETE CASCADE); whatever
        # count is off now was not the bulk change's alone.
        for mark in marks:
            now = changelog.count_rows(conn, mark.table)
            if now != mark.row_count:
                raise Conflict(
                    f"cannot undo {describe(change)}: {_noun(mark.table)} has {now} rows "
                    f"after taking the bulk change back, not the {mark.row_count} it had before",
                    hint="rows a bulk change added to non-empty tables cannot always be "
                    "told apart from older ones",
                )
    finally:
        changelog.set_logging(conn, True)


def _refresh_search(conn: sqlite3.Connection, replayed: list[Entry], *, rebuild: bool) -> None:
    if rebuild:
        search_index.rebuild(conn)
        return
    scenes: set[int] = set()
    actors: set[int] = set()
    dramas: set[int] = set()
    for entry in replayed:
        for image, key in ((entry.old, entry.key_old), (entry.new, entry.key_new)):
            if image is None:
                continue
            if entry.table == "scene" and key:
                scenes.add(key[0])
            if entry.table == "actor" and key:
                actors.add(key[0])
            if entry.table == "drama" and key:
                dramas.add(key[0])
            for column, bucket in (
                ("scene_id", scenes),
                ("actor_id", actors),
                ("drama_id", dramas),
            ):
                value = image.get(column)
                if isinstance(value, int):
                    bucket.add(value)
    if len(scenes) + len(actors) + len(dramas) > search_index.REBUILD_THRESHOLD:
        search_index.rebuild(conn)
        return
    search_index.refresh(conn, scenes)
    for actor_id in sorted(actors):
        search_index.refresh_for_actor(conn, actor_id)
    for drama_id in sorted(dramas):
        search_index.refresh_for_drama(conn, drama_id)
