"""A duel session's pair picking (domain/duel_pairs.py) on the sample catalogue: the rule its
docstring states, checked against an oracle that values every pair of the scope from the
ranking's own scores and the duel table; no pair twice; the `may_show` predicate; answers
recorded by scene id while other writers change the catalogue; the standings at the end."""

from __future__ import annotations

import math
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from scenecat.domain.duel_pairs import (
    SPREAD,
    Contender,
    Pair,
    PairPicker,
    Recorded,
    Standing,
    record_answer,
)
from scenecat.domain.ranking import RankedEntry, rank_scenes
from scenecat.domain.scope import Scope
from scenecat.errors import InvalidInput
from scenecat.models import Scene
from scenecat.scoring.params import RankParams
from scenecat.storage.connection import Catalogue, open_catalogue
from tests.conftest import Run

JCW = Scope(actors=("Ji Chang Wook",))


@pytest.fixture
def cat(sample_db: Path) -> Iterator[Catalogue]:
    opened = open_catalogue(sample_db, create=False)
    try:
        yield opened
    finally:
        opened.close()


def _ranked(conn: sqlite3.Connection, scope: Scope) -> list[RankedEntry]:
    return rank_scenes(conn, scope, RankParams()).entries


def _met(conn: sqlite3.Connection) -> Counter[tuple[int, int]]:
    met: Counter[tuple[int, int]] = Counter()
    for winner, loser in conn.execute("SELECT winner_id, loser_id FROM duel"):
        met[(min(winner, loser), max(winner, loser))] += 1
    return met


def _expected(
    conn: sqlite3.Connection, scope: Scope, shown: set[tuple[int, int]], times: Counter[int]
) -> tuple[int, int] | None:
    """The pair the module's docstring says comes next, from every pair of the scope."""
    entries = _ranked(conn, scope)
    met = _met(conn)
    best = None
    for i, a in enumerate(entries):
        for b in entries[i + 1 :]:
            pair = (min(a.scene.id, b.scene.id), max(a.scene.id, b.scene.id))
            if pair in shown:
                continue
            p = 1 / (1 + math.exp(-(a.parts.score - b.parts.score) / SPREAD))
            value = 4 * p * (1 - p) / (1 + met[pair])
            value /= 1 + (times[a.scene.id] + times[b.scene.id]) / 2
            key = (-value, a.position + b.position, a.scene.key, b.scene.key)
            if best is None or key < best[0]:
                best = (key, (a.scene.id, b.scene.id))
    return None if best is None else best[1]


def test_each_next_pair_is_the_most_informative_one_as_answers_come_in(cat: Catalogue) -> None:
    picker = PairPicker(cat.conn, JCW)
    picker.start()
    shown: set[tuple[int, int]] = set()
    times: Counter[int] = Counter()
    duels_before = cat.conn.execute("SELECT count(*) FROM duel").fetchone()[0]
    for round_number in range(12):
        expected = _expected(cat.conn, JCW, shown, times)
        pair = picker.next_pair()
        assert pair is not None and pair.ids == expected, round_number
        assert pair.met == _met(cat.conn)[(min(pair.ids), max(pair.ids))]
        shown.add((min(pair.ids), max(pair.ids)))
        times.update(pair.ids)
        # Answers alternate, and every third pair is skipped: the next pair reads the
        # ranking the answers made.
        if round_number % 3 != 2:
            with cat.write("duel") as conn:
                assert record_answer(conn, pair, 1 + round_number % 2, "me", "2026-01-01").created
    recorded = cat.conn.execute("SELECT count(*) FROM duel").fetchone()[0] - duels_before
    assert recorded == 8


def test_the_first_pair_has_the_closest_scores_of_the_pairs_that_never_met(
    cat: Catalogue,
) -> None:
    entries = _ranked(cat.conn, JCW)
    met = _met(cat.conn)
    score = {e.scene.id: e.parts.score for e in entries}
    picker = PairPicker(cat.conn, JCW)
    picker.start()
    pair = picker.next_pair()
    assert pair is not None and pair.met == 0
    gap = abs(score[pair.ids[0]] - score[pair.ids[1]])
    for i, a in enumerate(entries):
        for b in entries[i + 1 :]:
            if not met[(min(a.scene.id, b.scene.id), max(a.scene.id, b.scene.id))]:
                assert abs(a.parts.score - b.parts.score) >= gap
    # The pair as shown stands where the ranking puts it.
    for contender in (pair.first, pair.second):
        entry = next(e for e in entries if e.scene.id == contender.scene.id)
        assert contender.standing.position == entry.position
        assert contender.standing.score == entry.parts.score


def test_every_pair_once_then_none(cat: Catalogue) -> None:
    scope = Scope(drama="Healer")
    ids = {e.scene.id for e in _ranked(cat.conn, scope)}
    picker = PairPicker(cat.conn, scope)
    assert picker.start() == len(ids) == 4
    seen = []
    while (pair := picker.next_pair()) is not None:
        assert set(pair.ids) <= ids and pair.ids[0] != pair.ids[1]
        seen.append(frozenset(pair.ids))
    assert len(seen) == len(set(seen)) == 6
    assert picker.next_pair() is None


def test_scenes_the_predicate_refuses_are_never_in_a_pair(cat: Catalogue) -> None:
    def not_healer(scene: Scene) -> bool:
        return scene.drama != "Healer"

    entries = _ranked(cat.conn, JCW)
    allowed = {e.scene.id for e in entries if e.scene.drama != "Healer"}
    assert len(allowed) < len(entries)
    picker = PairPicker(cat.conn, JCW, may_show=not_healer)
    picker.start()
    seen = set()
    while (pair := picker.next_pair()) is not None:
        assert set(pair.ids) <= allowed
        seen.add(frozenset(pair.ids))
    assert len(seen) == len(allowed) * (len(allowed) - 1) // 2


def test_the_window_grows_past_scenes_that_may_not_be_shown(cat: Catalogue) -> None:
    entries = _ranked(cat.conn, JCW)
    top = {entries[0].scene.id, entries[1].scene.id}
    picker = PairPicker(cat.conn, JCW, may_show=lambda s: s.id not in top, window=2)
    picker.start()
    pair = picker.next_pair()
    assert pair is not None and not set(pair.ids) & top
    assert picker.window > 2


def test_too_few_scenes_to_show_is_said_plainly(cat: Catalogue) -> None:
    with pytest.raises(InvalidInput, match="nothing to duel: 1 scene to show in these filters"):
        PairPicker(cat.conn, Scope(drama="Healer"), may_show=lambda s: s.episode == 9).start()
    with pytest.raises(InvalidInput, match="nothing to duel: 0 scenes"):
        PairPicker(cat.conn, Scope(kind="no-such-kind")).start()


def test_an_answer_about_a_scene_removed_meanwhile_writes_nothing(
    cat: Catalogue, sample_db: Path
) -> None:
    picker = PairPicker(cat.conn, JCW)
    picker.start()
    pair = picker.next_pair()
    assert pair is not None
    other = open_catalogue(sample_db, create=False)  # another process, as far as SQLite knows
    try:
        with other.write("remove") as conn:
            conn.execute("DELETE FROM scene WHERE id = ?", (pair.second.scene.id,))
    finally:
        other.close()
    before = cat.conn.execute("SELECT count(*) FROM duel").fetchone()[0]
    with cat.write("duel") as conn:
        result = record_answer(conn, pair, 1, "me", "2026-01-01")
    assert not result.created and result.gone == (pair.second.scene.key,)
    assert cat.conn.execute("SELECT count(*) FROM duel").fetchone()[0] == before
    # The session goes on without the removed scene.
    following = picker.next_pair()
    assert following is not None and pair.second.scene.id not in following.ids


def test_an_answer_is_recorded_by_scene_id_even_after_a_key_change(cat: Catalogue) -> None:
    picker = PairPicker(cat.conn, JCW)
    picker.start()
    pair = picker.next_pair()
    assert pair is not None
    with cat.write("edit") as conn:
        conn.execute("UPDATE scene SET key = 'renamed-meanwhile' WHERE id = ?", pair.ids[:1])
    with cat.write("duel") as conn:
        assert record_answer(conn, pair, 2, "me", "2026-01-01").created
    row = cat.conn.execute(
        "SELECT winner_id, loser_id, voter, decided_on FROM duel ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert row == (pair.ids[1], pair.ids[0], "me", "2026-01-01")


def test_a_new_scene_given_a_removed_scenes_id_does_not_get_its_answer(
    cat: Catalogue, cli: Callable[..., Run]
) -> None:
    """SQLite gives the highest id again once its row is gone: a scene removed and another
    added meanwhile may carry the shown scene's id, and must not receive its answer."""
    by_id = {e.scene.id: e for e in _ranked(cat.conn, Scope())}
    highest = max(by_id)
    shown = by_id[highest].scene
    other = by_id[min(by_id)].scene
    pair = Pair(Contender(shown, Standing(1, 8.0)), Contender(other, Standing(2, 8.0)), 0)
    assert cli("remove", "scene", shown.key, "--yes").exit_code == 0
    added = cli(
        "add-scene", "--drama", "The K2", "--episode", "2", "--actor", "Ji Chang Wook",
        "--kind", "hug", "--title", "A new scene", "--key", "the-k2-e2-new",
    )  # fmt: skip
    assert added.exit_code == 0, added
    new_id = cat.conn.execute("SELECT id FROM scene WHERE key = 'the-k2-e2-new'").fetchone()[0]
    assert new_id == highest
    before = cat.conn.execute("SELECT count(*) FROM duel").fetchone()[0]
    with cat.write("duel") as conn:
        result = record_answer(conn, pair, 1, "me", "2026-01-01")
    assert result == Recorded(created=False, gone=(shown.key,))
    assert cat.conn.execute("SELECT count(*) FROM duel").fetchone()[0] == before


def test_moves_compare_the_standings_before_the_session_with_now(cat: Catalogue) -> None:
    before = {e.scene.id: (e.position, e.parts.score) for e in _ranked(cat.conn, JCW)}
    picker = PairPicker(cat.conn, JCW)
    picker.start()
    won: Counter[int] = Counter()
    lost: Counter[int] = Counter()
    for _ in range(4):
        pair = picker.next_pair()
        assert pair is not None
        with cat.write("duel") as conn:
            record_answer(conn, pair, 2, "me", "2026-01-01")
        won[pair.ids[1]] += 1
        lost[pair.ids[0]] += 1
    now = {e.scene.id: (e.position, e.parts.score) for e in _ranked(cat.conn, JCW)}
    moves = picker.moves(won, lost)
    assert {m.scene.id for m in moves} == set(won) | set(lost)
    for move in moves:
        assert (move.before.position, move.before.score) == before[move.scene.id]
        assert move.after is not None
        assert (move.after.position, move.after.score) == now[move.scene.id]
        assert (move.won, move.lost) == (won[move.scene.id], lost[move.scene.id])
    positions = [m.after.position for m in moves if m.after]
    assert positions == sorted(positions)


def test_pairs_that_met_often_and_scenes_just_shown_give_way(
    cli: Callable[..., Run], db: Path
) -> None:
    """Four scenes alike in every signal (each has won and lost one duel, against the same
    partner), so their scores are equal whatever the score model: freshness alone keeps the
    two pairs that met out, and variety alone turns the second pair away from the first's
    scenes. Ties would otherwise go to the top, i.e. to the pair of scenes a and b."""
    for args in (
        ["add-actor", "Solo Actor"],
        ["add-drama", "Tie Drama", "--episodes", "4"],
        *(
            ["add-scene", "--drama", "Tie Drama", "--episode", "1", "--actor", "Solo Actor",
             "--kind", "kiss", "--title", f"Scene {name}", "--key", f"{name}-scene"]
            for name in "abcd"
        ),
        ["duel", "a-scene", "b-scene", "--voter", "x"],
        ["duel", "b-scene", "a-scene", "--voter", "y"],
        ["duel", "c-scene", "d-scene", "--voter", "x"],
        ["duel", "d-scene", "c-scene", "--voter", "y"],
    ):  # fmt: skip
        assert cli(*args).exit_code == 0, args
    cat = open_catalogue(db, create=False)
    try:
        scope = Scope(drama="Tie Drama")
        entries = _ranked(cat.conn, scope)
        assert len({e.parts.score for e in entries}) == 1
        assert [e.scene.key for e in entries] == ["a-scene", "b-scene", "c-scene", "d-scene"]
        picker = PairPicker(cat.conn, scope)
        picker.start()
        keys = []
        while (pair := picker.next_pair()) is not None:
            keys.append((pair.first.scene.key[0], pair.second.scene.key[0], pair.met))
        assert keys == [
            ("a", "c", 0),  # not a-b: they met twice
            ("b", "d", 0),  # not a-d (nearer the top): a and c were just shown
            ("a", "d", 0),
            ("b", "c", 0),
            ("a", "b", 2),
            ("c", "d", 2),
        ]
    finally:
        cat.close()
