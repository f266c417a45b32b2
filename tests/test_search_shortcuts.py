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
    return (
        row.id,
        row.key,
        row.title,
        row.description,
        row.kind,
        row.episode,
        row.spoiler,
        row.drama_id,
        row.drama,
        row.network,
        row.year,
        row.actors,
        row.actor_ids,
        row.characters,
    )


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
            assert [_row(row) for row, _ in got] == [_row(row) for row in expected], text
            assert [score for _, score in got] == [score for _, score in ranked[:limit]]
            assert more == (len(ids) > limit)
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
