"""Watch progress: how far the user is in each drama (docs/progress.md).

`progress set/clear` and the tracker imports write it through `put()` here, inside the
caller's `Catalogue.write()`, so each change is one history entry that undo takes back. The
format-1 record `progress` (export, import) is declared once below (PROGRESS_FIELDS): its
keys, parsers and the order a file writes them follow from that table.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from scenecat.domain import names
from scenecat.domain.records import MAX_EPISODE, FieldError, drop_empty, parse_date
from scenecat.errors import InvalidInput, NotFound, UsageError
from scenecat.storage import dramas as drama_store
from scenecat.storage import progress_rows as store
from scenecat.storage.progress import STATUSES
from scenecat.storage.progress_rows import ProgressRow

__all__ = ["STATUSES", "ProgressRow"]


def parse_status(value: Any, path: str = "status") -> str:
    """A status as trackers write it ("On-Hold", "Plan to Watch", "on hold") -> its name."""
    if not isinstance(value, str):
        raise FieldError(path, f"expected one of {', '.join(STATUSES)}")
    text = "-".join(value.strip().lower().replace("_", " ").replace("-", " ").split())
    if text not in STATUSES:
        raise FieldError(path, f"{value!r} is not one of {', '.join(STATUSES)}")
    return text


def parse_seen(value: Any, path: str = "episode") -> int:
    """Episodes seen: 0 (not started) up to the largest episode number a drama may have."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise FieldError(path, "expected a whole number of episodes")
    text = str(value).strip()
    if not text.isdigit() or len(text) > 9:
        raise FieldError(path, f"{value!r} is not a number of episodes (0..{MAX_EPISODE:,})")
    number = int(text)
    if number > MAX_EPISODE:
        raise FieldError(path, f"{number} is out of range 0..{MAX_EPISODE:,}")
    return number


def _drama_name(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FieldError(path, "expected a drama title")
    from scenecat.text import clean_name

    try:
        return clean_name(value, "")
    except InvalidInput as exc:
        raise FieldError(path, exc.message) from None


class ProgressField(NamedTuple):
    """One key of a format-1 `progress` record: its parser and whether it is required."""

    name: str
    parse: Callable[[Any, str], Any]
    required: bool = False


# The record's fields, declared once, in the order a file writes them.
PROGRESS_FIELDS = (
    ProgressField("drama", _drama_name, required=True),
    ProgressField("episode", parse_seen),
    ProgressField("status", parse_status),
    ProgressField("started", parse_date),
    ProgressField("finished", parse_date),
    ProgressField("updated", parse_date),
)
_BY_NAME = {f.name: f for f in PROGRESS_FIELDS}


@dataclass(frozen=True)
class ProgressRec:
    drama: str
    episode: int = 0
    status: str | None = None  # None: worked out from the episode (completed at the last)
    started: str | None = None
    finished: str | None = None
    updated: str | None = None


def parse_progress(data: Any, path: str) -> ProgressRec:
    if not isinstance(data, Mapping):
        raise FieldError(path, "expected a mapping (drama, episode, status, dates)")
    for key in data:
        if key not in _BY_NAME:
            known = ", ".join(_BY_NAME)
            raise FieldError(f"{path}.{key}", "unknown field", hint=f"known fields: {known}")
    values: dict[str, Any] = {}
    for info in PROGRESS_FIELDS:
        raw = data.get(info.name)
        if raw in (None, ""):
            if info.required:
                raise FieldError(f"{path}.{info.name}", "is required")
            continue
        values[info.name] = info.parse(raw, f"{path}.{info.name}")
    return ProgressRec(**values)


def record_of(row: ProgressRow) -> dict[str, Any]:
    """The format-1 record of a stored row (the drama by its title)."""
    values = {"drama": row.drama, "episode": row.episode, "status": row.status}
    values.update(started=row.started, finished=row.finished, updated=row.updated)
    return drop_empty({f.name: values[f.name] for f in PROGRESS_FIELDS})


def progress_records(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return [record_of(row) for row in store.all_rows(conn)]


def today() -> str:
    return dt.date.today().isoformat()


@dataclass(frozen=True)
class Change:
    """What one progress write did: the row before (None: there was none) and after."""

    drama: str
    before: ProgressRow | None
    after: ProgressRow | None

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def lowered(self) -> bool:
        """A lower episode than stored (import asks before it writes one)."""
        return (
            self.before is not None
            and self.after is not None
            and self.after.episode < self.before.episode
        )


def describe(row: ProgressRow | None) -> str:
    if row is None:
        return "no progress"
    of = f" of {row.episodes}" if row.episodes else ""
    if row.status == "completed":
        return "completed"
    episode = f"episode {row.episode}{of}" if row.episode else "not started"
    return episode if row.status == "watching" else f"{episode}, {row.status}"


def planned(
    conn: sqlite3.Connection,
    drama_id: int,
    *,
    episode: int | None = None,
    status: str | None = None,
    completed: bool = False,
    on: str | None = None,
    started: str | None = None,
    finished: str | None = None,
) -> Change:
    """The row `progress set` (or an import) would write for a drama, read inside the
    caller's transaction, and the row it replaces; nothing is written."""
    drama = drama_store.get_drama(conn, drama_id)
    before = store.get(conn, drama_id)
    day = on or today()
    total = drama.episodes
    if completed:
        if status not in (None, "completed"):
            raise UsageError("--completed and --status say different things; give one")
        status = "completed"
    if episode is None:  # --completed: the last episode; --status alone: as it was
        episode = total if status == "completed" and total else (before.episode if before else 0)
    if total is not None and episode > total:
        raise InvalidInput(
            f"{drama.title} has {total} episodes, not {episode}",
            hint=f"`scenecat edit drama {drama.title!r} --episodes N` if it has more",
        )
    if status is None:
        kept = before.status if before and before.status != "completed" else "watching"
        status = "completed" if total and episode == total else kept
        if status == "plan-to-watch" and episode > 0:
            status = "watching"
    first = started or (before.started if before else None)
    if first is None and episode > 0:
        first = day
    last = finished or (before.finished if before and before.status == "completed" else None)
    if status == "completed" and last is None:
        last = day
    if status != "completed" and finished is None:
        last = None
    after = ProgressRow(drama_id, drama.title, total, episode, status, first, last, day)
    if before is not None and _same(before, after):
        after = before  # only the day would change: nothing to write
    return Change(drama.title, before, after)


def _same(a: ProgressRow, b: ProgressRow) -> bool:
    return a._replace(updated=None) == b._replace(updated=None)


def put(conn: sqlite3.Connection, change: Change) -> None:
    if change.changed and change.after is not None:
        store.put(conn, change.after)


def set_progress(conn: sqlite3.Connection, drama: str, **how: Any) -> Change:
    """`progress set`: inside the caller's write."""
    change = planned(conn, names.resolve_drama(conn, drama), **how)
    put(conn, change)
    return change


def clear_progress(conn: sqlite3.Connection, drama: str) -> Change:
    drama_id = names.resolve_drama(conn, drama)
    before = store.get(conn, drama_id)
    if before is None:
        title = drama_store.get_drama(conn, drama_id).title
        raise NotFound(
            f"no progress is stored for {title}", hint="`scenecat progress` lists what is"
        )
    store.delete(conn, drama_id)
    return Change(before.drama, before, None)


def list_progress(conn: sqlite3.Connection) -> list[ProgressRow]:
    return store.all_rows(conn)


def progress_json(row: ProgressRow) -> dict[str, Any]:
    return {
        "drama": row.drama,
        "drama_id": row.drama_id,
        "episode": row.episode,
        "episodes": row.episodes,
        "status": row.status,
        "started": row.started,
        "finished": row.finished,
        "updated": row.updated,
    }


def apply_record(conn: sqlite3.Connection, rec: ProgressRec, path: str) -> Change:
    """A format-1 `progress` record, on import: the file's values as they are (a file is a
    copy of a catalogue's progress, so a lower episode is written as given)."""
    try:
        drama_id = names.resolve_drama(conn, rec.drama)
    except (NotFound, InvalidInput) as exc:
        raise FieldError(f"{path}.drama", exc.message, exc.hint) from None
    try:
        change = planned(
            conn,
            drama_id,
            episode=rec.episode,
            status=rec.status,
            on=rec.updated,
            started=rec.started,
            finished=rec.finished,
        )
    except InvalidInput as exc:
        raise FieldError(f"{path}.episode", exc.message, exc.hint) from None
    put(conn, change)
    return change
