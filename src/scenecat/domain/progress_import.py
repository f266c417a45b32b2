"""`progress import FILE`: where fans already track, into stored progress.

Two kinds of file (shapes in docs/progress.md):

- a Trakt export of watched shows: the JSON array `GET /sync/watched/shows` returns, each
  item `{plays, last_watched_at, show: {title, year, ids: {trakt, slug, tvdb, imdb, tmdb}},
  seasons: [{number, episodes: [{number, plays, last_watched_at}]}]}`;
- a MyDramaList-style list as CSV or TSV: Title, Status, Episodes watched, Rating, Started,
  Ended (and Re-watched, Year, Country, which may be there or not).

Each show is matched to a drama by the source ids the catalogue stores (tmdb, imdb, tvdb),
then by its title against titles, native titles and aliases (folded as names.py folds
them), the year telling namesakes apart. Season 1 is the drama; specials (season 0) are
skipped; season N of a show is the drama titled "TITLE N", "TITLE Season N" or
"TITLE Part N" (or an alias so spelled) when the catalogue has one. What is not matched is
reported with the `--map` line that would match it. Reading and matching write nothing;
`apply()` writes the plan inside the caller's transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scenecat.domain import progress
from scenecat.errors import CatalogueFileError, InvalidInput, UsageError
from scenecat.storage import progress_rows as store
from scenecat.storage.progress_rows import DramaNames
from scenecat.text import name_key

MAX_FILE = 50 * 1024 * 1024  # a tracker's export of a lifetime of watching is far smaller
ID_SOURCES = ("tmdb", "imdb", "tvdb")


@dataclass(frozen=True)
class Entry:
    """One show (or one season of it) as the file says."""

    where: str  # file:line or file: shows[3], for messages
    title: str
    year: int | None
    season: int  # 1 unless the file says another
    episode: int  # episodes seen
    status: str | None  # None: worked out from the episode
    ids: dict[str, str] = field(default_factory=dict)
    started: str | None = None
    finished: str | None = None
    updated: str | None = None

    @property
    def map_key(self) -> str:
        """What `--map KEY=DRAMA` names this entry by."""
        return self.title if self.season == 1 else f"{self.title} (season {self.season})"


@dataclass
class Match:
    entry: Entry
    drama_id: int | None
    how: str  # "id", "title", "map", "unmatched", "skipped"
    reason: str = ""


@dataclass
class Plan:
    """What an import would do: the changes, and what it leaves alone and why."""

    kind: str  # "trakt" or "list"
    matches: list[Match]
    changes: list[tuple[Match, progress.Change]] = field(default_factory=list)
    specials: int = 0

    def by(self, how: str) -> list[Match]:
        return [m for m in self.matches if m.how == how]

    @property
    def lowered(self) -> list[tuple[Match, progress.Change]]:
        return [(m, c) for m, c in self.changes if c.lowered]

    def signature(self) -> list[tuple[int, int, str]]:
        """What the plan writes, to compare a plan made again inside the write."""
        return [
            (c.after.drama_id, c.after.episode, c.after.status)
            for _, c in self.changes
            if c.after is not None and c.changed
        ]


# --- reading ----------------------------------------------------------------------------------


def read_file(path: Path) -> tuple[str, list[Entry], int]:
    """(kind, entries, specials skipped) of a Trakt JSON or a CSV/TSV list."""
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InvalidInput(f"cannot read {name}: {exc.strerror or exc}") from None
    if size > MAX_FILE:
        raise CatalogueFileError(f"{size:,} bytes is too large for a tracker export", file=name)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CatalogueFileError("not UTF-8 text", file=name) from None
    if not text.strip():
        raise CatalogueFileError("the file is empty", file=name)
    if text.lstrip()[:1] in "[{":
        entries, specials = read_trakt(text, name)
        return "trakt", entries, specials
    return "list", read_list(text, name), 0


class _Duplicate(ValueError):
    """A key given twice in a JSON object (refused like every other malformed file)."""


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    record = dict(pairs)
    if len(record) != len(pairs):
        raise _Duplicate(next(k for i, (k, _) in enumerate(pairs) if k in dict(pairs[:i])))
    return record


def read_trakt(text: str, name: str) -> tuple[list[Entry], int]:
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise CatalogueFileError(f"not valid JSON: {exc.msg}", file=name, line=exc.lineno) from None
    except _Duplicate as exc:
        raise CatalogueFileError(
            f"the key {exc} appears twice in one JSON object", file=name
        ) from None
    except (RecursionError, ValueError) as exc:
        raise CatalogueFileError(f"not valid JSON: {str(exc)[:80]}", file=name) from None
    if isinstance(data, dict) and isinstance(data.get("shows"), list):
        data = data["shows"]  # {"shows": [...]}: some backup tools wrap the array
    if not isinstance(data, list):
        raise CatalogueFileError(
            "expected Trakt's watched shows: a JSON array of {show, seasons}",
            file=name,
            hint="save the answer of GET /sync/watched/shows, or a CSV/TSV list",
        )
    entries: list[Entry] = []
    specials = 0
    seen_ids: dict[tuple[str, str], str] = {}
    for index, item in enumerate(data):
        where = f"[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("show"), dict):
            raise CatalogueFileError(
                "expected {show: {...}, seasons: [...]}", file=name, field=where
            )
        show = item["show"]
        title = _text(show.get("title"), name, f"{where}.show.title")
        year = _year(show.get("year"), name, f"{where}.show.year")
        ids = _ids(show.get("ids"), name, f"{where}.show.ids")
        for key in ids.items():
            if key in seen_ids:
                raise CatalogueFileError(
                    f"{title!r} is listed twice (also at {seen_ids[key]}, same {key[0]} id)",
                    file=name,
                    field=where,
                )
            seen_ids[key] = where
        seasons = item.get("seasons", [])
        if not isinstance(seasons, list):
            raise CatalogueFileError("expected a list", file=name, field=f"{where}.seasons")
        numbers: set[int] = set()
        for s_index, season in enumerate(seasons):
            s_where = f"{where}.seasons[{s_index}]"
            if not isinstance(season, dict):
                raise CatalogueFileError("expected {number, episodes}", file=name, field=s_where)
            number = _whole(season.get("number"), name, f"{s_where}.number")
            if number in numbers:
                raise CatalogueFileError(
                    f"season {number} of {title!r} is listed twice", file=name, field=s_where
                )
            numbers.add(number)
            watched = _episodes(season.get("episodes"), name, f"{s_where}.episodes")
            if number == 0:
                specials += 1
                continue
            if not watched:
                continue
            last_episode = max(watched)
            days = sorted(d for d in watched.values() if d)
            entries.append(
                Entry(
                    where=f"{name}: {s_where}",
                    title=title,
                    year=year,
                    season=number,
                    episode=last_episode,
                    status=None,
                    ids=ids if number == 1 else {},
                    started=days[0] if days else None,
                    updated=days[-1] if days else None,
                )
            )
    return entries, specials


def _text(value: Any, name: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CatalogueFileError("expected a title", file=name, field=where)
    from scenecat.text import clean_name

    try:
        return clean_name(value, "")
    except InvalidInput as exc:
        raise CatalogueFileError(exc.message, file=name, field=where) from None


def _year(value: Any, name: str, where: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit():
        raise CatalogueFileError(f"expected a year, got {value!r}", file=name, field=where)
    year = int(value)
    if not 1900 <= year <= 2100:
        raise CatalogueFileError(f"{year} is not a year", file=name, field=where)
    return year


def _whole(value: Any, name: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100_000:
        raise CatalogueFileError(f"expected a whole number, got {value!r}", file=name, field=where)
    return value


def _ids(value: Any, name: str, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CatalogueFileError("expected {tmdb, imdb, ...}", file=name, field=where)
    found = {}
    for source in ID_SOURCES:
        ext = value.get(source)
        if ext in (None, ""):
            continue
        if isinstance(ext, bool) or not isinstance(ext, (int, str)):
            raise CatalogueFileError(
                f"expected an id, got {ext!r}", file=name, field=f"{where}.{source}"
            )
        found[source] = str(ext).strip()
    return found


def _episodes(value: Any, name: str, where: str) -> dict[int, str | None]:
    """Episode number -> the day it was last watched, for episodes with a play."""
    if value is None:
        return {}
    if not isinstance(value, list):
        raise CatalogueFileError("expected a list", file=name, field=where)
    found: dict[int, str | None] = {}
    for index, item in enumerate(value):
        e_where = f"{where}[{index}]"
        if not isinstance(item, dict):
            raise CatalogueFileError("expected {number, plays}", file=name, field=e_where)
        number = _whole(item.get("number"), name, f"{e_where}.number")
        plays = item.get("plays", 1)
        if isinstance(plays, bool) or not isinstance(plays, int) or plays < 0:
            raise CatalogueFileError(
                f"expected a number of plays, got {plays!r}", file=name, field=f"{e_where}.plays"
            )
        if plays and number:
            found[number] = _day(item.get("last_watched_at"), name, f"{e_where}.last_watched_at")
    return found


def _day(value: Any, name: str, where: str) -> str | None:
    """A Trakt timestamp ("2024-03-02T21:40:00.000Z") or a list's date, as YYYY-MM-DD."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        text = value.strip()
        for parse in (_iso_day, _named_month_day):
            day = parse(text)
            if day is not None:
                if day > dt.date.today() + dt.timedelta(days=1) or day.year < 1900:
                    raise CatalogueFileError(
                        f"{text!r} is not a date this side of today", file=name, field=where
                    )
                return day.isoformat()
    raise CatalogueFileError(
        f"{value!r} is not a date (YYYY-MM-DD, or Trakt's 2024-03-02T21:40:00.000Z)",
        file=name,
        field=where,
    )


def _iso_day(text: str) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _named_month_day(text: str) -> dt.date | None:
    for shape in ("%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y"):
        try:
            return dt.datetime.strptime(text, shape).date()
        except ValueError:
            continue
    return None


# A list's columns, each with the header spellings it is known by (compared folded).
LIST_COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title", "name", "drama", "show"),
    "status": ("status", "list", "watch status"),
    "episode": ("episodes watched", "episodes seen", "progress", "watched", "episodes"),
    "rating": ("rating", "score"),
    "started": ("started", "start date", "started on", "date started"),
    "finished": ("ended", "finished", "end date", "completed on", "date finished"),
    "rewatched": ("re-watched", "rewatched", "times rewatched"),
    "year": ("year", "release year"),
    "country": ("country",),
}


def _header_key(text: str) -> str:
    return " ".join(re.sub(r"[_\-]", " ", text.strip().lower()).split())


def read_list(text: str, name: str) -> list[Entry]:
    first = text.splitlines()[0]
    delimiter = "\t" if "\t" in first else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise CatalogueFileError(
            f"not valid {'TSV' if delimiter == chr(9) else 'CSV'}: {exc}", file=name,
            line=reader.line_num,
        ) from None  # fmt: skip
    header = rows[0]
    columns: dict[str, int] = {}
    known = {spelling: column for column, names in LIST_COLUMNS.items() for spelling in names}
    for index, cell in enumerate(header):
        column = known.get(_header_key(cell))
        if column is None:
            continue
        if column in columns:
            raise CatalogueFileError(
                f"two columns mean {column!r}: {header[columns[column]]!r} and {cell!r}",
                file=name,
                line=1,
            )
        columns[column] = index
    for needed in ("title", "episode"):
        if needed not in columns:
            raise CatalogueFileError(
                f"no {needed!r} column (found {', '.join(map(repr, header[:8]))})",
                file=name,
                line=1,
                hint="a list needs Title and Episodes watched columns; Status, Started, "
                "Ended and Year are read when there",
            )
    entries: list[Entry] = []
    seen: dict[tuple[str, int | None], int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise CatalogueFileError(
                f"{len(row)} cells in a row under {len(header)} headers", file=name, line=line
            )

        def value_of(column: str, row: list[str] = row) -> str:
            index = columns.get(column)
            return row[index].strip() if index is not None and index < len(row) else ""

        where = f"{name}:{line}"
        try:
            title = progress.parse_progress({"drama": value_of("title")}, "title").drama
        except InvalidInput as exc:
            raise CatalogueFileError(exc.message, file=name, line=line) from None
        year = _year(value_of("year") or None, name, f"line {line}") if value_of("year") else None
        named = re.fullmatch(r"(.+?)\s*\((\d{4})\)", title)
        if named and year is None:  # "Healer (2014)"
            title, year = named.group(1), int(named.group(2))
        episode_text = value_of("episode").split("/")[0].strip() or "0"  # "8/16" or "8"
        status_text = value_of("status")
        try:
            episode = progress.parse_seen(episode_text, "episodes watched")
            status = progress.parse_status(status_text, "status") if status_text else None
        except InvalidInput as exc:
            raise CatalogueFileError(exc.message, file=name, line=line) from None
        key = (name_key(title), year)
        if key in seen:
            raise CatalogueFileError(
                f"{title!r} is listed twice (also on line {seen[key]})", file=name, line=line
            )
        seen[key] = line
        entries.append(
            Entry(
                where=where,
                title=title,
                year=year,
                season=1,
                episode=episode,
                status=status,
                started=_day(value_of("started"), name, f"line {line}: started"),
                finished=_day(value_of("finished"), name, f"line {line}: ended"),
            )
        )
    return entries


# --- matching ---------------------------------------------------------------------------------


def parse_maps(values: Iterable[str]) -> dict[str, str | None]:
    """`--map "FILE TITLE=DRAMA"` (or `=-` to skip it), keyed by the folded file title."""
    maps: dict[str, str | None] = {}
    for value in values:
        key, sep, drama = value.rpartition("=")
        if not sep or not key.strip() or not drama.strip():
            raise UsageError(
                f"--map {value!r} is not FILE TITLE=DRAMA",
                hint='e.g. --map "Hospital Playlist (season 2)=Hospital Playlist 2", or =- to skip',
            )
        folded = _title_key(key)
        if folded in maps:
            raise UsageError(f"--map names {key.strip()!r} twice")
        maps[folded] = None if drama.strip() == "-" else drama.strip()
    return maps


def _title_key(text: str) -> str:
    return name_key(text.replace(":", " "))


class _Index:
    def __init__(self, dramas: list[DramaNames]) -> None:
        self.dramas = {d.id: d for d in dramas}
        self.by_id: dict[tuple[str, str], int] = {}
        self.by_key: dict[str, set[int]] = {}
        for d in dramas:
            for source, ext in d.ids.items():
                self.by_id[(source, ext)] = d.id
            for text in (d.title, d.native, *d.aliases):
                if text:
                    self.by_key.setdefault(_title_key(text), set()).add(d.id)

    def names_of(self, drama_id: int) -> list[str]:
        d = self.dramas[drama_id]
        return [t for t in (d.title, d.native, *d.aliases) if t]

    def label(self, drama_id: int) -> str:
        d = self.dramas[drama_id]
        return f"{d.title} ({d.year})" if d.year else d.title


def _by_title(index: _Index, titles: list[str], year: int | None) -> tuple[int | None, str]:
    candidates: set[int] = set()
    for title in titles:
        candidates |= index.by_key.get(_title_key(title), set())
    if year is not None and len(candidates) > 1:
        same_year = {i for i in candidates if index.dramas[i].year in (year, None)}
        close = {i for i in candidates if index.dramas[i].year == year}
        candidates = close or same_year or candidates
    if len(candidates) == 1:
        (drama_id,) = candidates
        known = index.dramas[drama_id].year
        if year is not None and known is not None and abs(known - year) > 1:
            return None, f"the title is {index.label(drama_id)}'s, but the file says {year}"
        return drama_id, ""
    if candidates:
        names = ", ".join(sorted(index.label(i) for i in candidates))
        return None, f"ambiguous: the title matches {names}"
    return None, "no drama with this title, alias or id"


def _later_season(index: _Index, base: list[str], season: int) -> int | None:
    shapes = ("{} {}", "{} season {}", "{} part {}", "{} s{}")
    found: set[int] = set()
    for title in base:
        for shape in shapes:
            found |= index.by_key.get(_title_key(shape.format(title, season)), set())
    return found.pop() if len(found) == 1 else None


def match_entries(
    conn: sqlite3.Connection, entries: list[Entry], maps: dict[str, str | None]
) -> list[Match]:
    from scenecat.domain import names

    index = _Index(store.dramas_for_matching(conn))
    matches: list[Match] = []
    first_seasons: dict[str, int] = {}  # the drama each show's season 1 matched (by title)
    for entry in entries:
        mapped = _title_key(entry.map_key)
        if mapped in maps:
            target = maps[mapped]
            if target is None:
                matches.append(Match(entry, None, "skipped", "--map says to skip it"))
            else:
                matches.append(Match(entry, names.resolve_drama(conn, target), "map"))
            continue
        drama_id = None
        how, reason = "unmatched", ""
        for source, ext in entry.ids.items():
            drama_id = index.by_id.get((source, ext))
            if drama_id is not None:
                how = "id"
                break
        if drama_id is None and entry.season == 1:
            drama_id, reason = _by_title(index, [entry.title], entry.year)
            how = "title" if drama_id is not None else "unmatched"
        elif drama_id is None:
            base = [entry.title]
            if entry.title in first_seasons:
                base += index.names_of(first_seasons[entry.title])
            drama_id = _later_season(index, base, entry.season)
            how = "title" if drama_id is not None else "unmatched"
            if drama_id is None:
                reason = (
                    f"no drama entry for season {entry.season} (one titled "
                    f"{entry.title!r} {entry.season} or Season {entry.season})"
                )
        if drama_id is not None and entry.season == 1:
            first_seasons[entry.title] = drama_id
        matches.append(Match(entry, drama_id, how, reason))
    return matches


def plan(
    conn: sqlite3.Connection,
    kind: str,
    entries: list[Entry],
    specials: int,
    maps: dict[str, str | None],
) -> Plan:
    """Match and work out each change; nothing is written."""
    result = Plan(kind, match_entries(conn, entries, maps), specials=specials)
    claimed: dict[int, Match] = {}
    for match in result.matches:
        if match.drama_id is None:
            continue
        if match.drama_id in claimed:
            other = claimed[match.drama_id].entry
            raise CatalogueFileError(
                f"{match.entry.map_key!r} and {other.map_key!r} ({other.where}) both match "
                f"{store.get_title(conn, match.drama_id)}",
                file=match.entry.where,
                hint='tell them apart with --map "FILE TITLE=DRAMA" (=- skips one)',
            )
        claimed[match.drama_id] = match
        entry = match.entry
        try:
            change = progress.planned(
                conn,
                match.drama_id,
                episode=entry.episode,
                status=entry.status,
                on=entry.updated,
                started=entry.started,
                finished=entry.finished,
            )
        except InvalidInput as exc:
            raise CatalogueFileError(exc.message, file=entry.where, hint=exc.hint) from None
        result.changes.append((match, change))
    return result


def apply(conn: sqlite3.Connection, result: Plan, lower: bool) -> list[progress.Change]:
    """Write the plan's changes (a lower episode only when `lower`); the written ones."""
    written = []
    for _, change in result.changes:
        if not change.changed or (change.lowered and not lower):
            continue
        progress.put(conn, change)
        written.append(change)
    return written
