"""What an import's summary says beyond counts: the kinds it brought that were new, the
scenes it added that near-duplicate another of their episode (write_rules.same_scene), and
the actors it added whose names are another romanisation of an actor already there
(names.romanised_key: "Kong Yoo" beside "Gong Yoo").

An import takes both (a file is data, not a typo at a prompt) and says so. Computed after
the importer ran, inside the same transaction, from what the catalogue holds, so the bulk
and the record-by-record importers report alike and neither carries the work.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from itertools import groupby

from scenecat.domain import kinds, names, write_rules
from scenecat.domain.importing.report import ImportReport
from scenecat.storage import actors, scenes, search_queries
from scenecat.text import name_key

# Near duplicates are looked for when an import adds at most this many scenes: a whole
# catalogue loaded at once (a million scenes) would spend seconds folding every title for a
# report no one reads past its first lines.
MAX_COMPARED = 50_000
# How many near duplicates the summary names (the count is given in full).
MAX_NAMED = 20


@dataclass(frozen=True)
class Before:
    top_scene: int
    kinds: frozenset[str]
    top_actor: int = 0


def before(conn: sqlite3.Connection) -> Before:
    known = set(search_queries.known_values(conn, "kind")) | set(kinds.BUILT_IN)
    return Before(scenes.top_scene_id(conn), frozenset(known), actors.top_actor_id(conn))


def add_findings(conn: sqlite3.Connection, mark: Before, report: ImportReport) -> None:
    """Put the new kinds and the near duplicates of the scenes added since `mark` into
    `report`."""
    report.new_kinds = [k for k in scenes.kinds_added_after(conn, mark.top_scene)
                        if k not in mark.kinds]  # fmt: skip
    report.romanisations = _romanisations(conn, mark.top_actor)
    if not report.created.get("scenes") or report.created["scenes"] > MAX_COMPARED:
        return
    rows = scenes.episodes_with_scenes_after(conn, mark.top_scene)
    found: list[str] = []
    for _, group in groupby(rows, key=lambda r: (r[1], r[2])):
        episode = [(*row, write_rules.title_key(row[4])) for row in group]
        for i, (scene_id, _, number, kind, title, key, folded) in enumerate(episode):
            if scene_id <= mark.top_scene:
                continue
            for _, _, _, other_kind, other_title, other_key, other in episode[:i]:
                if write_rules.same_folded(folded, kind, other, other_kind):
                    where = f"episode {number}" if number is not None else "no episode"
                    found.append(f"{key} ({title!r}) looks like {other_key} ({other_title!r}), "
                                 f"same {where}; kept both")  # fmt: skip
                    break
    report.near_duplicates = found


def _romanisations(conn: sqlite3.Connection, top_actor: int) -> list[str]:
    """The actors added after `top_actor` whose name is another romanisation of a name an
    actor already there goes by (its name, native name or an alias)."""
    added = actors.actor_names_after(conn, top_actor) if top_actor else []
    if not added or len(added) > MAX_COMPARED:
        return []
    known: dict[str, str] = {}
    for name, shown in names.actor_vocabulary(conn, up_to=top_actor):
        if names.has_latin(name):
            known.setdefault(names.romanised_key(name), shown)
    found = []
    for name in added:
        twin = known.get(names.romanised_key(name)) if names.has_latin(name) else None
        if twin is not None and name_key(twin) != name_key(name):
            found.append(f"actor {name!r} looks like {twin!r} romanised another way; kept both")
    return found
