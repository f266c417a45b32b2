"""The Bradley-Terry strength of every scene with duels, cached in `scene_signal.strength`.

A strength depends on every duel of the scene's connected component of the duel graph, so a
ranking that needed them all on read fitted hundreds of components per query. They are kept
here instead, as derived data like the rest of scene_signal:

- a trigger on every duel insert, update and delete (commands, imports, merges, removals,
  foreign-key cascades, undo) sets the strength of both scenes of the duel to NULL, marking
  their components to be fitted again;
- before a write commits, :func:`refresh` fits the components of the marked scenes and
  stores every strength in them (storage.connection.Catalogue.write calls it): the duel
  that `scenecat duel` records refits its own component in its transaction;
- the rebuilds of scene_signal (bulk import, upgrade, `db check --repair`, salvage) fit
  every component once (:func:`fit_all`);
- a reader that still finds marked scenes (a catalogue written by another program) fits
  their components in memory (domain.rank_order.Duels): results are exact either way.

Only the catalogue's own prior (RankParams().bt_prior) is cached; a what-if with another
prior fits on read. The fit of a component depends on that component's duels alone and is
deterministic, so a stored strength equals a fresh fit to the last bit: :func:`problems`
(`db check`) compares them.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from scenecat.scoring.params import DEFAULT_PARAMS
from scenecat.text import counted

#: The prior the cached strengths are fitted with.
PRIOR = DEFAULT_PARAMS.bt_prior

# Scenes with duels whose strength is to be fitted (again): the partial index
# scene_signal_unfitted holds exactly these, so asking costs nothing when there are none.
# (In its order: without ORDER BY, SQLite 3.40 scans the strength index instead, 20 ms at 1M.)
UNFITTED = (
    "SELECT scene_id FROM scene_signal WHERE duels > 0 AND strength IS NULL ORDER BY scene_id"
)


def unfitted(conn: sqlite3.Connection, limit: int | None = None) -> list[int]:
    """Scenes with duels whose stored strength is not current (at most `limit`)."""
    sql = UNFITTED if limit is None else f"{UNFITTED} LIMIT {int(limit)}"
    return [int(row[0]) for row in conn.execute(sql)]


def all_current(conn: sqlite3.Connection) -> bool:
    """Whether every stored strength is that of a fit of the current duels."""
    return not unfitted(conn, 1)


def _store(conn: sqlite3.Connection, strengths: Mapping[int, float], seeds: Iterable[int]) -> None:
    # A scene whose duels the fit ignored (none can be: a duel needs two different scenes)
    # would score as strength 1, as compute() scores a missing strength: stored as such, so
    # that it is not fitted again at every write.
    values = dict.fromkeys(seeds, 1.0)
    values.update(strengths)
    conn.executemany(
        "UPDATE scene_signal SET strength = ? WHERE scene_id = ?",
        [(strength, scene_id) for scene_id, strength in sorted(values.items())],
    )


def refresh(conn: sqlite3.Connection) -> int:
    """Fit the duel components of the scenes marked by the triggers and store their
    strengths (inside the caller's transaction); how many scenes were fitted."""
    seeds = unfitted(conn)
    if not seeds:
        return 0
    # Imported here: every write asks, few have fitting to do.
    from scenecat.scoring.bradley_terry import bradley_terry_counts
    from scenecat.storage import rank_queries

    pairs = rank_queries.duel_graph(conn, seeds)
    strengths = bradley_terry_counts(pairs, PRIOR)
    _store(conn, strengths, seeds)
    return len(strengths)


def fit_all(conn: sqlite3.Connection) -> None:
    """Fit every component and store every strength (the rebuilds of scene_signal)."""
    from scenecat.scoring.bradley_terry import bradley_terry_counts

    conn.execute("UPDATE scene_signal SET strength = NULL WHERE strength IS NOT NULL")
    strengths = bradley_terry_counts(_all_pairs(conn), PRIOR)
    _store(conn, strengths, unfitted(conn))


def _all_pairs(conn: sqlite3.Connection) -> dict[tuple[int, int], int]:
    return dict(Counter(conn.execute("SELECT winner_id, loser_id FROM duel")))


def stored(conn: sqlite3.Connection, scene_ids: Sequence[int]) -> dict[int, float]:
    """The stored strengths of those of `scene_ids` that have one."""
    from scenecat.storage import rank_queries

    return dict(
        conn.execute(
            "SELECT scene_id, strength FROM scene_signal WHERE strength IS NOT NULL "
            "AND scene_id IN (SELECT value FROM json_each(?))",
            (rank_queries.id_list(scene_ids),),
        )
    )


def problems(conn: sqlite3.Connection, shown: int = 5) -> list[str]:
    """Stored strengths that differ from a fit of every duel. Scenes marked to be fitted,
    and the rest of their components, are not compared: readers fit those themselves."""
    from scenecat.scoring.bradley_terry import bradley_terry_counts
    from scenecat.storage import rank_queries

    pairs = _all_pairs(conn)
    fitted = bradley_terry_counts(pairs, PRIOR)
    marked = set(unfitted(conn))
    if marked:
        marked = _components_of(pairs, marked)
    wrong: list[int] = []
    for scene_id, duels, strength in conn.execute(
        "SELECT scene_id, duels, strength FROM scene_signal "
        "WHERE duels > 0 OR strength IS NOT NULL ORDER BY scene_id"
    ):
        if scene_id in marked:
            continue
        expected = fitted.get(scene_id, 1.0) if duels else None
        if strength != expected:
            wrong.append(scene_id)
    if not wrong:
        return []
    keys = dict(
        conn.execute(
            "SELECT id, key FROM scene WHERE id IN (SELECT value FROM json_each(?))",
            (rank_queries.id_list(wrong[:shown]),),
        )
    )
    named = ", ".join(str(keys.get(scene_id, scene_id)) for scene_id in wrong[:shown])
    more = f" and {len(wrong) - shown} more" if len(wrong) > shown else ""
    return [
        f"{counted(len(wrong), 'scene')} whose stored duel strength differs from a fit of their duels: "
        f"{named}{more} (scenecat db check --repair fits them again)"
    ]


def _components_of(pairs: Mapping[tuple[int, int], int], seeds: set[int]) -> set[int]:
    """Every scene connected to one of `seeds` by duels (the seeds included)."""
    around: dict[int, list[int]] = {}
    for winner, loser in pairs:
        around.setdefault(winner, []).append(loser)
        around.setdefault(loser, []).append(winner)
    seen = set(seeds)
    stack = list(seeds)
    while stack:
        for other in around.get(stack.pop(), ()):
            if other not in seen:
                seen.add(other)
                stack.append(other)
    return seen
