"""The search shortcuts give exactly what the plain ways give: the one-statement
page of hits, the literal-first highlight pattern, the single-spaced test of snippets and the
no-filter shortcut."""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pytest

from scenecat.domain.browse import resolve_scope
from scenecat.domain.query import Highlighter, _folded, highlighter, match_expression, parse
from scenecat.domain.scope import Scope
from scenecat.domain.search import _single_spaced, merge_scope, search
from scenecat.storage import search_index, search_queries
from scenecat.storage.connection import open_catalogue

QUERIES = [
    "kiss",
    "shower kiss",
    '"shower kiss"',
    "kiss -rain",
    "kiss OR hug",
    "ki*",
    "Ji Chang Wook",
    "jichangwook",
    "녹여",
    "rain",
]


def _row(row: search_queries.HitRow) -> tuple[object, ...]:
    """Everything of a row but its score (hit_rows() has none)."""
    return (*row[:1], *row[2:], row.actor_names(), row.actors())


@pytest.mark.parametrize("limit", [1, 2, 3, 1000])
@pytest.mark.parametrize("scope", [Scope(), Scope(kind="kiss"), Scope(actors=("Ji Chang Wook",))])
def test_ranked_hit_rows_is_top_matches_then_hit_rows(
    sample_db: Path, limit: int, scope: Scope
) -> None:
    cat = open_catalogue(sample_db)
    try:
        where, params = resolve_scope(cat.conn, scope).where()
        for text in QUERIES:
            expression = match_expression(parse(text))
            assert expression is not None
            ranked = search_queries.top_matches(cat.conn, expression, limit + 1, where, params)
            ids = [scene_id for scene_id, _ in ranked]
            expected = search_queries.hit_rows(cat.conn, ids[:limit])
            got, more = search_queries.ranked_hit_rows(cat.conn, expression, limit, where, params)
            assert [_row(row) for row in got] == [_row(row) for row in expected], text
            assert [row.score for row in got] == [score for _, score in ranked[:limit]]
            assert all(row.score is None for row in expected)
            assert more == (len(ids) > limit)
    finally:
        cat.close()


def test_a_hits_actors_come_in_billing_order_then_by_name(sample_db: Path) -> None:
    # The actors are packed by SQL (group_concat over an ordered subquery): the order is
    # the credits' position, then the name, whatever the actors' ids.
    cat = open_catalogue(sample_db)
    try:
        scene_id, drama_id = cat.conn.execute(
            "SELECT s.id, s.drama_id FROM scene s WHERE (SELECT count(*) FROM scene_actor "
            "WHERE scene_id = s.id) >= 2 ORDER BY s.id LIMIT 1"
        ).fetchone()
        with cat.write("edit") as conn:
            # Two more actors, the later id first by name, all three billed equal.
            for name in ("Zz Last Added", "Aa Added Later"):
                conn.execute(
                    "INSERT INTO actor (name, name_key) VALUES (?, ?)", (name, name.lower())
                )
                conn.execute(
                    "INSERT INTO scene_actor (scene_id, actor_id, position) "
                    "VALUES (?, last_insert_rowid(), 0)",
                    (scene_id,),
                )
            conn.execute("UPDATE scene_actor SET position = 0 WHERE scene_id = ?", (scene_id,))
            search_index.refresh(conn, [scene_id])
        expected = [
            (actor_id, name, native)
            for actor_id, name, native in cat.conn.execute(
                "SELECT a.id, a.name, a.native FROM scene_actor sa JOIN actor a "
                "ON a.id = sa.actor_id WHERE sa.scene_id = ? ORDER BY a.name",
                (scene_id,),
            )
        ]
        (row,) = search_queries.hit_rows(cat.conn, [scene_id])
        assert row.actors() == expected
        assert row.actor_names() == [name for _, name, _ in expected]
        assert row.actor_names()[0] == "Aa Added Later"
        key = cat.conn.execute("SELECT key FROM scene WHERE id = ?", (scene_id,)).fetchone()[0]
        hits = search(cat.conn, "Aa Added Later", limit=1000).hits
        (hit,) = [h for h in hits if h.key == key]
        assert hit.actor_names == [name for _, name, _ in expected]
        assert [m.text for m in hit.actors] == hit.actor_names
        assert drama_id == hit.drama_id
    finally:
        cat.close()


def test_no_filter_shortcut_is_what_the_general_path_comes_to(sample_db: Path) -> None:
    # search() skips merging and resolving the scope when there is no filter at all; these
    # are the values it uses instead.
    cat = open_catalogue(sample_db)
    try:
        for text in QUERIES:
            query = parse(text)
            assert not query.filters.any()
            merged = merge_scope(cat.conn, query, Scope())
            assert merged == Scope()
            scene_filter = resolve_scope(cat.conn, merged)
            assert scene_filter.where() == ("1", [])
            assert scene_filter.drama_id is None
    finally:
        cat.close()


def test_snippet_of_an_irregularly_spaced_description(sample_db: Path) -> None:
    cat = open_catalogue(sample_db)
    try:
        with cat.write("edit") as conn:
            scene_id = conn.execute("SELECT id FROM scene ORDER BY id LIMIT 1").fetchone()[0]
            conn.execute(
                "UPDATE scene SET description = ? WHERE id = ?",
                ("  a\tzebracrossing \n\n  moment  ", scene_id),
            )
            search_index.refresh(conn, [scene_id])
        (hit,) = search(cat.conn, "zebracrossing").hits
    finally:
        cat.close()
    assert hit.snippet.text == "a zebracrossing moment"
    assert hit.to_json()["highlights"] == [[2, 15]]


@pytest.mark.slow
def test_single_spaced_only_says_yes_when_split_and_join_keep_the_text() -> None:
    assert all(map(_single_spaced, ["", "a", "a b", "ab cd, ef.", "날 녹여주오 kiss"]))
    samples = [" ", "a  b", " a", "a "]
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        if ch.isspace() or not ch.isprintable():
            samples.extend([f"a{ch}b", ch, f"a {ch}b", f"{ch}a"])
    for text in samples:
        if _single_spaced(text):
            assert " ".join(text.split()) == text, repr(text)


# --- the highlight pattern -----------------------------------------------------------------

_EDGE = r"(?<![^\W_])"
_END = r"(?![^\W_])"


def _reference(marker: Highlighter) -> re.Pattern[str] | None:
    """The pattern written the plain way, with the word-start look-behind in front."""
    alternatives: list[str] = []
    if marker.words:
        words = sorted(marker.words, key=len, reverse=True)
        alternatives.append(f"{_EDGE}(?:{'|'.join(map(re.escape, words))}){_END}")
    if marker.prefixes:
        alternatives.append(f"{_EDGE}(?:{'|'.join(map(re.escape, marker.prefixes))})[^\\W_]*")
    for glued in sorted(marker.glued, key=len, reverse=True):
        spread = r"[\W_]{0,2}".join(map(re.escape, glued))
        alternatives.append(f"{_EDGE}{spread}{_END}")
    alternatives.extend(map(re.escape, marker.cjk))
    return re.compile("|".join(alternatives)) if alternatives else None


@pytest.mark.slow
def test_literal_first_pattern_matches_like_the_plain_one() -> None:
    rnd = random.Random(3)
    vocabulary = [
        "ab", "abc", "ji", "chang", "wook", "changwook", "jichangwook", "umb", "umbrella",
        "a", "é", "Ée", "녹여", "녹", "x1", "1x", "straße", "ss", "_",
    ]  # fmt: skip
    separators = [" ", "-", "  ", "_", ", ", "", "—", "'", "_-", "   "]
    for _ in range(400):
        words = [rnd.choice(vocabulary) + rnd.choice(["", "", "*"]) for _ in range(3)]
        marker = highlighter(parse(" ".join(words[: rnd.randint(1, 3)])))
        reference = _reference(marker)
        for _ in range(10):
            parts = [rnd.choice(vocabulary) + rnd.choice(separators) for _ in range(6)]
            folded = _folded("".join(parts))[0]
            expected = [m.span() for m in reference.finditer(folded)] if reference else []
            pattern = marker._pattern
            got = [m.span() for m in pattern.finditer(folded)] if pattern else []
            assert got == expected, (words, folded)


def test_word_edges() -> None:
    marker = highlighter(parse("umbrella"))
    spans = marker.spans
    assert spans("umbrella") == [(0, 8)]
    assert spans("an Umbrella.") == [(3, 11)]
    assert spans("_umbrella_") == [(1, 9)]
    assert spans("xumbrella umbrellas 2umbrella") == []
    assert spans("umb-rella") == [(0, 9)]


# --- the page's spans in one scan --------------------------------------------------------------


@pytest.mark.slow
def test_spans_of_a_page_are_the_spans_of_each_text() -> None:
    rnd = random.Random(7)
    vocabulary = [
        "ji", "chang", "wook", "jichangwook", "umbrella", "umbrellas", "umb", "kiss", "a",
        "x1", "rain", "Ji-Chang", "JI", "é", "녹여", "straße", "",
    ]  # fmt: skip
    separators = [" ", "-", "  ", "_", ", ", "", "\n", "\n\n", "—", "'", "_-", "   "]
    queries = ["jichangwook", "ji chang wook", "umb*", "kiss", '"chang wook"', "녹여", "a"]
    for _ in range(3000):
        marker = highlighter(parse(rnd.choice(queries)))
        texts: list[str | None] = []
        for _ in range(rnd.randint(0, 8)):
            if rnd.random() < 0.1:
                texts.append(None)
                continue
            # Short texts, most ending on a word: the joins are where a match could cross.
            parts = [rnd.choice(separators) + rnd.choice(vocabulary) for _ in range(3)]
            texts.append("".join(parts[: rnd.randint(1, 3)]).lstrip(rnd.choice(["", " -"])))
        if rnd.random() < 0.7:
            texts = [t.encode("ascii", "ignore").decode() if t else t for t in texts]
        assert marker.spans_of(texts) == [marker.spans(t) for t in texts], texts
    # A glued name split between two texts, with as many separators as a glued spelling
    # allows between its letters (two): still no match across the join.
    marker = highlighter(parse("jichangwook"))
    for texts in (["Ji", "Chang Wook"], ["x ji-", "_changwook"], ["ji chang", "wook"]):
        assert marker.spans_of(texts) == [marker.spans(t) for t in texts], texts
