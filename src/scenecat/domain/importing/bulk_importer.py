"""The fast import path: a file into a fresh catalogue (no actors, dramas or scenes yet).

It gives the same catalogue, report and errors as applying the records one by one through
domain/catalogue.py (one_by_one.py), but with a handful of executemany batches instead
of ~15 queries per scene: records are validated by the same parsers, names are resolved
against dictionaries built as the file is read (exact name first, then the folded key, as
domain/names.py does), ids are chosen here, search documents are made as each scene is read
(search_index.BulkDocuments) and the full-text index is built once at the end.

Whenever a name does not resolve to exactly one record, the pending rows are written and the
database resolver is asked instead, so errors ("did you mean", "matches 2 actors") come out
word for word as on the slow path. The one case this path does not model (a record whose
explicit key equals a key generated earlier in the same import, which the slow path merges)
raises `NeedsSlowPath`; the caller (runner.py) rolls back to a savepoint and imports the
slow way.
"""

from __future__ import annotations

import itertools
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from typing import Any

from scenecat.domain import names
from scenecat.domain.catalogue import scene_key
from scenecat.domain.fast_parsers import (
    PAST_DATES,
    PLAIN,
    VOTE_KEYS,
    parse_duel,
    parse_scene,
    parse_vote,
    past_date,
    plain,
    vote_values,
)
from scenecat.domain.importing.report import ImportReport
from scenecat.domain.records import FieldError, SceneRec, check_duel, parse_actor, parse_drama
from scenecat.domain.write_rules import (
    added_as_support,
    check_actors,
    check_scene,
    replaced_vote,
    spelled_like,
    view_count_warning,
)
from scenecat.errors import ScenecatError
from scenecat.gcpause import paused_gc
from scenecat.storage import bulk, search_index, source_ids, votes_duels
from scenecat.storage.dramas import merge_credit
from scenecat.storage.interrupting import ctrl_c_stops
from scenecat.text import name_key

NOTHING: tuple[str, ...] = ()  # no warnings (shared: most records have none)
NO_TAGS: list[str] = []
# A vote line's score as the pattern cuts it out (1-10) -> the number
_SCORES = {str(n): n for n in range(1, 11)}


class NeedsSlowPath(Exception):
    """The file does something only the record-by-record path models exactly."""


class _Names:
    """Exact-name and folded-key lookups for actors or dramas, kept in step with inserts."""

    def __init__(self) -> None:
        self.exact: dict[str, int] = {}
        self.by_key: dict[str, list[int]] = {}

    def add_key(self, key: str, record_id: int) -> None:
        ids = self.by_key.setdefault(key, [])
        if record_id not in ids:
            ids.append(record_id)

    def find(self, value: str) -> int | None:
        """The one id `value` names, or None when it names none or several."""
        found = self.exact.get(value)
        if found is not None:
            return found
        ids = self.by_key.get(name_key(value))
        return ids[0] if ids is not None and len(ids) == 1 else None


class BulkImporter:
    """An Importer (report.py), as RecordImporter: apply(section, raw, path) per record,
    finish()."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.report = ImportReport()
        self.load = bulk.begin_load(conn)
        search_index.begin_bulk(conn)
        self.docs = search_index.BulkDocuments()
        self.out = bulk.BatchWriter(conn)
        self.rows = self.out.rows
        self.vote_rows = self.rows["vote"]
        self.scene_rows = self.rows["scene"]
        self.search_rows = self.rows["scene_search"]
        self.tag_rows = self.rows["scene_tag"]
        self.scene_actor_rows = self.rows["scene_actor"]
        self.seen = self.report.seen
        self.created = self.report.created
        # Each handler parses its record (raw, path) and applies it.
        self.handlers: dict[str, Callable[[Any, str], Sequence[str] | None]] = {
            "actors": self._actor,
            "dramas": self._drama,
            "scenes": self._scene,
            "votes": self._vote,
            "duels": self._duel,
            "progress": self._progress,
        }
        self.progress_dramas: set[int] = set()
        # table -> a function giving the next id (itertools.count: a C call per row)
        self.new_id = {t: itertools.count(n).__next__ for t, n in bulk.next_ids(conn).items()}
        self.next_vote_id = self.new_id["vote"]
        self.next_scene_id = self.new_id["scene"]
        self.actors = _Names()
        self.actor_names: dict[int, str] = {}
        self.dramas = _Names()
        self.drama_info: dict[int, tuple[str, int | None]] = {}  # id -> (title, episodes)
        # drama_id << 32 | actor_id of every credit: self.docs.parts
        # scene key -> id; negated for keys this import generated (so that a later record
        # naming one explicitly is recognised), positive for keys given in the file
        self._scene_ids: dict[str, int] = {}
        # url -> [id, title, publisher, kind, published]
        self.sources: dict[str, list[Any]] = {}
        self.changed_sources: set[str] = set()
        self.voters: dict[str, int] = {}
        self.voter_names: list[str] = []
        # (scene_id << 32 | voter) -> the vote's code, or [current code, every code] once a
        # voter has voted on a scene twice; a code is yyyymmdd * 16 + score (undated = 0).
        self.votes: dict[int, Any] = {}
        # "yyyy-mm-dd" -> the codes of that day by score: one int object per distinct code,
        # shared by every vote with it (saves memory)
        self.day_codes: dict[str, tuple[int, ...]] = {}
        # a vote line's day as written -> (the day, its codes): days vote_line accepted
        self.vote_days: dict[str, tuple[str, tuple[int, ...]]] = {}
        # votes vote_line counted as seen and created, not yet in the report
        self.fast_votes = 0
        self.stale_votes: set[int] = set()
        self.duels: set[tuple[int, int, int, str | None]] = set()
        # (kind, source, id) -> actor or drama id, written when the rows are
        self.source_ids: dict[tuple[str, str, str], int] = {}
        # The load builds large dicts of plain values (no reference cycles): the collector's
        # passes over them are pure cost. close() switches it back on.
        self._gc_pause = ExitStack()
        self._gc_pause.enter_context(paused_gc())

    # helpers

    # The error paths are passed as (record path, field) and joined only on failure: the
    # f-strings would otherwise cost more than the lookups.

    def _resolve_actor(self, value: str, path: str, field: str) -> int:
        found = self.actors.find(value)
        if found is not None:
            return found
        return self._resolve_in_db(names.resolve_actor, value, path, field)

    def _resolve_drama(self, value: str, path: str, field: str) -> int:
        found = self.dramas.find(value)
        if found is not None:
            return found
        return self._resolve_in_db(names.resolve_drama, value, path, field)

    def _resolve_scene(self, value: str, path: str, field: str) -> int:
        found = self._scene_ids.get(value)
        if found is not None:
            return abs(found)
        return self._resolve_in_db(names.resolve_scene, value, path, field)

    def _resolve_in_db(self, resolver: Any, value: str, path: str, field: str) -> int:
        # Not one match in memory: let the database resolver (which sees every row written
        # so far) answer, so the error (or a slug / title match) is the slow path's own.
        self.out.flush()
        try:
            return int(resolver(self.conn, value))
        except ScenecatError as exc:
            raise FieldError(f"{path}.{field}", exc.message, exc.hint) from None

    # records

    def apply(self, section: str, raw: Any, path: str) -> None:
        # Each handler returns the record's warnings, or None when it added nothing new.
        warnings = self.handlers[section](raw, path)
        self.seen[section] += 1
        out = self.out
        out.records += 1
        if out.records >= out.batch_records:
            out.flush()
        if warnings is not None:
            self.created[section] += 1
            if warnings:
                self.report.warnings.extend(f"{path}: {w}" for w in warnings)

    def _progress(self, raw: Any, path: str) -> Sequence[str]:
        """A reader's progress: a few rows at most, so written as the record-by-record path
        writes them (same checks, same errors), once the rows read so far are in."""
        from scenecat.domain import progress

        rec = progress.parse_progress(raw, path)
        self.out.flush()
        change = progress.apply_record(self.conn, rec, path)
        assert change.after is not None
        if change.after.drama_id in self.progress_dramas:
            raise FieldError(f"{path}.drama", f"progress in {change.drama} is listed twice")
        self.progress_dramas.add(change.after.drama_id)
        return []

    def _actor(self, raw: Any, path: str) -> Sequence[str]:
        rec = parse_actor(raw, path)
        if rec.name in self.actors.exact:
            raise FieldError(f"{path}.name", f"actor {rec.name!r} is listed twice in this file")
        warnings = []
        key = name_key(rec.name)
        twins = self.actors.by_key.get(key)
        if twins:
            warnings.append(spelled_like(rec.name, [self.actor_names[i] for i in sorted(twins)]))
        actor_id = self.new_id["actor"]()
        self.rows["actor"].append(bulk.declared_row("actor", actor_id, rec))
        self.actor_names[actor_id] = rec.name
        self._names(self.actors, "actor_alias", actor_id, rec.name, rec.native, rec.aliases)
        self.docs.actor(actor_id, rec.name, rec.native, rec.aliases)
        self._source_ids("actor", actor_id, rec.ids, path)
        return warnings

    def _names(
        self,
        names: _Names,
        alias_table: str,
        record_id: int,
        name: str,
        native: str | None,
        aliases: Sequence[str],
    ) -> None:
        """An actor's or drama's names in the lookups (as names.py resolves them) and its
        aliases in their table."""
        names.exact[name] = record_id
        names.add_key(name_key(name), record_id)
        if native:
            names.add_key(name_key(native), record_id)
        for alias in aliases:
            alias_key = name_key(alias)
            self.rows[alias_table].append((record_id, alias, alias_key))
            names.add_key(alias_key, record_id)

    def _drama(self, raw: Any, path: str) -> Sequence[str]:
        rec = parse_drama(raw, path)
        if rec.title in self.dramas.exact:
            raise FieldError(f"{path}.title", f"drama {rec.title!r} is listed twice in this file")
        twins = self.dramas.by_key.get(name_key(rec.title))
        warnings: Sequence[str] = (
            [spelled_like(rec.title, [self.drama_info[i][0] for i in sorted(twins)])]
            if twins
            else NOTHING
        )
        drama_id = self.new_id["drama"]()
        self.rows["drama"].append(bulk.declared_row("drama", drama_id, rec))
        self.drama_info[drama_id] = (rec.title, rec.episodes)
        self._names(self.dramas, "drama_alias", drama_id, rec.title, rec.native, rec.aliases)
        self.docs.drama(drama_id, rec.title, rec.native, rec.aliases)
        self._source_ids("drama", drama_id, rec.ids, path)
        # One actor listed twice in a cast: one credit per character (a dual role), merged
        # by the rule upsert_credit applies in the database.
        cast: dict[int, list[list[Any]]] = {}
        for i, credit in enumerate(rec.cast):
            actor_id = self._resolve_actor(credit.actor, path, f"cast[{i}].actor")
            merge_credit(
                cast.setdefault(actor_id, []), credit.character, credit.role, credit.billing
            )
        for actor_id, roles in cast.items():
            for character, role, billing in roles:
                self.rows["credit"].append(
                    (self.new_id["credit"](), drama_id, actor_id, character, role, billing)
                )
            # a scene's document names the character of the actor's first credit
            self.docs.credit(drama_id, actor_id, roles[0][0])
        for episode in rec.episode_list:
            self.rows["episode"].append(
                (
                    self.new_id["episode"](),
                    drama_id,
                    episode.number,
                    episode.aired,
                    episode.title,
                    episode.rating,
                ),
            )
        return warnings

    def _scene(self, raw: Any, path: str) -> Sequence[str]:
        rec = parse_scene(raw, path)
        if rec.key:
            known = self._scene_ids.get(rec.key)
            if known is not None and known > 0:
                raise FieldError(f"{path}.key", f"duplicate scene key {rec.key!r} in this file")
            if known is not None:
                raise NeedsSlowPath(f"{path}.key names a scene key generated earlier")
        drama_id = self.dramas.exact.get(rec.drama) or self._resolve_drama(rec.drama, path, "drama")
        title, episodes = self.drama_info[drama_id]
        episode = rec.episode
        # check_scene's own tests, made here first: it is called only when it may raise
        if (
            episode is not None and (episode < 1 or (episodes is not None and episode > episodes))
        ) or (rec.at is not None and rec.end is not None):
            check_scene(rec, title, episodes, path)
        # each actor by its exact name (the usual case: one C call for the list), else the
        # names that found none resolved one by one, in order
        found: list[int | None] = [*map(self.actors.exact.get, rec.actors)]
        actor_ids: list[int] = (
            found  # type: ignore[assignment]
            if None not in found
            else [
                self._resolve_actor(actor, path, f"actors[{i}]") if known is None else known
                for i, (actor, known) in enumerate(zip(rec.actors, found, strict=True))
            ]
        )
        if len(actor_ids) > 1:
            check_actors(actor_ids, path)
        scene_id = self.next_scene_id()
        if rec.key:
            key = rec.key
            self._scene_ids[key] = scene_id
        else:
            base = key = scene_key(title, rec.episode, rec.title)
            n = 1
            while key in self._scene_ids:
                n += 1
                key = f"{base}-{n}"
            self._scene_ids[key] = -scene_id
        self.scene_rows.append((scene_id, key, drama_id, *bulk.scene_values(rec)))
        # rows made by zip in C (a list comprehension is a call of its own a scene)
        tags = list(dict.fromkeys(rec.tags)) if rec.tags else NO_TAGS
        if tags:
            self.tag_rows.extend(zip(itertools.repeat(scene_id), tags))
        if actor_ids:
            self.scene_actor_rows.extend(
                zip(itertools.repeat(scene_id), actor_ids, itertools.count())
            )
        warnings: list[str] = []
        credits = self.docs.parts
        for actor_id, actor in zip(actor_ids, rec.actors, strict=True):
            if drama_id << 32 | actor_id not in credits:
                self.rows["credit"].append(
                    (self.new_id["credit"](), drama_id, actor_id, None, "support", None)
                )
                self.docs.credit(drama_id, actor_id, None)
                warnings.append(added_as_support(actor, title))
        self.search_rows.append(self.docs.document(scene_id, rec, drama_id, actor_ids))
        if rec.views:
            self._views(scene_id, rec, warnings)
        if rec.sources:
            linked: set[int] = set()
            for source in rec.sources:
                source_id = self._source(source)
                if source_id not in linked:
                    linked.add(source_id)
                    self.rows["scene_source"].append(
                        (scene_id, source_id, source.start, source.end)
                    )
        return warnings

    def _views(self, scene_id: int, rec: SceneRec, warnings: list[str]) -> None:
        # As catalogue.record_view: warn when a count is lower than the highest earlier one
        # of the same source, or else higher than the lowest later one, and do not store an
        # identical snapshot twice.
        kept: list[tuple[str | None, int, str]] = []  # (observed_on, count, source)
        rows = self.rows["view_count"]
        new_id = self.new_id["view_count"]
        for view in rec.views:
            on, count, source = view.on, view.count, view.source
            # Only a higher count, or a lower one seen later, of the same source can make a
            # warning: without one (the usual case: counts grow) there is nothing to look up.
            for seen_on, seen_count, seen_source in kept:
                if seen_source == source and (
                    seen_count > count
                    or (
                        seen_count < count
                        and on is not None
                        and seen_on is not None
                        and seen_on > on
                    )
                ):
                    break
            else:
                if (on, count, source) not in kept:
                    kept.append((on, count, source))
                    rows.append((new_id(), scene_id, count, on, source))
                continue
            earlier: tuple[int, str | None] | None = None
            later: tuple[int, str | None] | None = None
            # Index order (undated first, then by date; insertion order within a date),
            # first of equal counts wins.
            for seen_on, seen_count, seen_source in sorted(
                kept, key=lambda v: (v[0] is not None, v[0] or "")
            ):
                if seen_source != source:
                    continue
                if on is not None and seen_on is not None and seen_on > on:
                    if later is None or seen_count < later[0]:
                        later = (seen_count, seen_on)
                    continue
                if earlier is None or seen_count > earlier[0]:
                    earlier = (seen_count, seen_on)
            if (on, count, source) not in kept:
                kept.append((on, count, source))
                rows.append((new_id(), scene_id, count, on, source))
            warning = view_count_warning(count, on, source, earlier, later)
            if warning:
                warnings.append(warning)

    def _source(self, source: Any) -> int:
        known = self.sources.get(source.url)
        values = [source.title, source.publisher, source.kind, source.published]
        if known is None:
            source_id = self.new_id["source"]()
            self.sources[source.url] = [source_id, *values]
            self.rows["source"].append((source_id, source.url, *values))
            return source_id
        # As link_source: a later record's values win, an absent one keeps the earlier value.
        for i, value in enumerate(values, start=1):
            if value is not None and known[i] != value:
                known[i] = value
                self.changed_sources.add(source.url)
        return int(known[0])

    def _vote(self, raw: Any, path: str) -> Sequence[str] | None:
        # The hot loop of a big import (3 votes a scene): the fast parser inlined, and what
        # it checks by calls answered from lookups where it can be: a scene key read earlier
        # in this file is a plain name (a slug), a voter found plain before is (PLAIN), and
        # a day accepted before is (PAST_DATES).
        scene_id: int | None = None
        scene: Any
        score: Any
        voter_name: Any
        on: Any
        if type(raw) is dict and raw.keys() <= VOTE_KEYS:
            get = raw.get
            scene, score, voter_name, on = get("scene"), get("score"), get("voter"), get("on")
            if type(scene) is str:
                scene_id = self._scene_ids.get(scene)
            if scene_id is not None and type(score) is int and 1 <= score <= 10:
                if voter_name is None:
                    voter_name = "me"
                elif type(voter_name) is not str or (
                    voter_name not in PLAIN and not plain(voter_name)
                ):
                    scene_id = None
                if on is not None and scene_id is not None:
                    on = PAST_DATES.get(on) if type(on) is str else None
                    if on is None:
                        on = past_date(get("on"))
                        if on is None:
                            scene_id = None
            else:
                scene_id = None
        if scene_id is None:
            values = vote_values(raw)
            if values is None:
                rec = parse_vote(raw, path)
                values = rec.scene, rec.score, rec.voter, rec.on
            scene, score, voter_name, on = values
            scene_id = self._scene_ids.get(scene)
            if scene_id is None:
                scene_id = self._resolve_in_db(names.resolve_scene, scene, path, "scene")
        if scene_id < 0:
            scene_id = -scene_id
        return self._add_vote(scene_id, score, voter_name, on)

    def vote_lines(
        self,
        number: int,
        line: str,
        lines: Iterator[tuple[int, str]],
        match: Callable[[str], re.Match[str] | None],
        tick: Callable[[], None] | None = None,
    ) -> tuple[int, str] | None:
        """A run of vote lines as this program's own export writes them, from (`number`,
        `line`) on through `lines` (numbered lines): each line's values are cut out by
        `match` (jsonl_file's pattern: groups scene, score, voter, day) instead of decoded,
        and the vote applied as apply() would apply its record, while the line matches, its
        scene was read earlier in this file, its voter is plain and its day in the past.
        Returns the first (number, line) it did not take, with nothing done for it (that line
        goes the general way), or None at the end of `lines`. `tick` is called at every
        2,000th line (the progress bar).

        Three in four lines of a big file, so one loop with its lookups held in locals (a
        call and a dozen attribute reads a line cost as much as the work): a day seen before
        is looked up once (with its codes), and a first vote of a voter on a scene (the usual
        case) is written here."""
        scene_ids = self._scene_ids
        vote_days = self.vote_days
        voters = self.voters
        voter_names = self.voter_names
        votes = self.votes
        vote_rows = self.vote_rows
        next_vote_id = self.next_vote_id
        scores = _SCORES
        plain_names = PLAIN
        out = self.out
        batch = out.batch_records
        records = out.records
        fast = 0
        left: tuple[int, str] | None = None
        try:
            while True:
                found = match(line)
                if found is None:
                    left = number, line
                    break
                scene, score_text, voter, on = found.groups()
                scene_id = scene_ids.get(scene)
                if scene_id is None:
                    left = number, line
                    break
                score = scores[score_text]
                if on is None:
                    code = score
                else:
                    day = vote_days.get(on)
                    if day is None:
                        accepted = past_date(on)
                        if accepted is None:
                            left = number, line
                            break
                        day = vote_days[on] = (accepted, self._day_codes(accepted))
                    on = day[0]
                    code = day[1][score]
                if voter is None:
                    voter = "me"
                elif voter not in plain_names and not plain(voter):
                    left = number, line
                    break
                voter_index = voters.get(voter)
                if voter_index is None:
                    voter_index = voters[voter] = len(voter_names)
                    voter_names.append(voter)
                if scene_id < 0:
                    scene_id = -scene_id
                pair = scene_id << 32 | voter_index
                if pair not in votes:
                    votes[pair] = code
                    vote_rows.append((next_vote_id(), scene_id, voter, score, on, 1))
                    fast += 1  # seen and created: added to the report by finish()
                else:
                    self._vote_again(scene_id, score, voter, on, "vote")
                records += 1
                if records >= batch:
                    out.flush()
                    records = 0
                if tick is not None and number % 2000 == 0:
                    tick()
                following = next(lines, None)
                if following is None:
                    break
                number, line = following
        finally:
            out.records = records
            self.fast_votes += fast
        return left

    def _vote_again(self, scene_id: int, score: int, voter: str, on: str | None, path: str) -> None:
        """A vote line of a voter on a scene voted on before in this file, as apply() counts
        and reports it."""
        self.seen["votes"] += 1
        warnings = self._add_vote(scene_id, score, voter, on)
        if warnings is not None:
            self.created["votes"] += 1
            if warnings:
                self.report.warnings.extend(f"{path}: {w}" for w in warnings)

    def _day_codes(self, on: str) -> tuple[int, ...]:
        """The vote codes of day `on` ("yyyy-mm-dd"), one per score."""
        codes = self.day_codes.get(on)
        if codes is None:
            day = int(on.replace("-", "")) << 4
            codes = self.day_codes[on] = tuple([day | n for n in range(16)])
        return codes

    def _add_vote(
        self, scene_id: int, score: int, voter_name: str, on: str | None
    ) -> Sequence[str] | None:
        voter = self.voters.get(voter_name)
        if voter is None:
            voter = self.voters[voter_name] = len(self.voter_names)
            self.voter_names.append(voter_name)
        pair = scene_id << 32 | voter
        code = self._day_codes(on)[score] if on else score
        state = self.votes.get(pair)
        if state is None:
            self.votes[pair] = code
            self.vote_rows.append((self.next_vote_id(), scene_id, voter_name, score, on, 1))
            return NOTHING
        current, every = (state, [state]) if isinstance(state, int) else state
        if code in every:
            return None  # the very same vote again: nothing new
        every.append(code)
        previous = current & 15
        # The current vote is the latest by date, then by insertion (undated = oldest).
        is_current = code >> 4 >= current >> 4
        if is_current:
            current = code
            self.stale_votes.add(pair)
        self.votes[pair] = [current, every]
        self.vote_rows.append(
            (self.next_vote_id(), scene_id, voter_name, score, on, int(is_current))
        )
        if previous != score:
            return [replaced_vote(voter_name, previous)]
        return NOTHING

    def _duel(self, raw: Any, path: str) -> Sequence[str] | None:
        rec = parse_duel(raw, path)
        winner = self._resolve_scene(rec.winner, path, "winner")
        loser = self._resolve_scene(rec.loser, path, "loser")
        check_duel(winner, loser, path)
        voter = self.voters.get(rec.voter)
        if voter is None:
            voter = self.voters[rec.voter] = len(self.voter_names)
            self.voter_names.append(rec.voter)
        fact = (winner, loser, voter, rec.on)
        if fact in self.duels:
            return None
        self.duels.add(fact)
        self.rows["duel"].append((self.new_id["duel"](), winner, loser, rec.voter, rec.on))
        return NOTHING

    def _source_ids(self, kind: str, record_id: int, ids: dict[str, str], path: str) -> None:
        for source, ext_id in ids.items():
            if (kind, source, ext_id) in self.source_ids:
                raise FieldError(
                    f"{path}.ids.{source}", f"{source} id {ext_id} is given to two {kind}s"
                )
            self.source_ids[(kind, source, ext_id)] = record_id

    def finish(self) -> ImportReport:
        self.seen["votes"] += self.fast_votes
        self.created["votes"] += self.fast_votes
        self.fast_votes = 0
        self.out.flush()
        for (kind, source, ext_id), record_id in self.source_ids.items():
            source_ids.set_id(self.conn, kind, record_id, source, ext_id)
        changed = [(*self.sources[url][1:5], self.sources[url][0]) for url in self.changed_sources]
        # Free the lookups first: the index builds below sort in memory of their own, and
        # the peak of a 1M-scene import is here.
        self.votes.clear()
        self._scene_ids.clear()
        self.sources.clear()
        self.duels.clear()
        self.docs.clear()
        # The index builds are long single statements (the search index's 13 s at 1M):
        # Ctrl-C stops them at once rather than after them.
        with ctrl_c_stops(self.conn):
            bulk.end_load(self.conn, self.load)
            if changed:
                bulk.update_sources(self.conn, changed)
            for pair in self.stale_votes:
                votes_duels.refresh_current_vote(
                    self.conn, pair >> 32, self.voter_names[pair & 0xFFFFFFFF]
                )
            search_index.end_bulk(self.conn)
        return self.report

    def close(self) -> None:
        """Give the connection its usual page cache back (after finish() or a failure), and
        the garbage collector its work."""
        bulk.restore_cache(self.conn, self.load)
        self._gc_pause.close()
