"""The search query language: parsing, the FTS5 expression it compiles to, highlighting."""

from __future__ import annotations

import re
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenecat.domain.query import (
    MAX_QUERY,
    MAX_TERMS,
    _parsed,
    _plain_words,
    highlighter,
    match_expression,
    parse,
)
from scenecat.errors import InvalidInput
from scenecat.storage.search_index import COLUMNS, cjk_grams, glued_runs, name_terms


def expr(text: str) -> str | None:
    return match_expression(parse(text))


def test_plain_words_are_anded_and_tried_glued() -> None:
    assert expr("shower kiss") == ('("shower" OR "showerkiss") AND ("kiss" OR "showerkiss")')
    assert expr("kiss") == '"kiss"'


def test_phrase_hyphen_prefix_or_and_exclusion() -> None:
    assert expr('"shower kiss"') == '("shower kiss" OR "showerkiss")'
    assert expr("Chang-wook") == '("chang wook" OR "changwook")'
    assert expr("umbrel*") == '"umbrel"*'
    assert expr("kiss OR hug rain") == '("kiss" OR "hug") AND "rain"'
    assert expr("kiss -rain NOT snow") == '("kiss") NOT ("rain" OR "snow")'
    assert expr('kiss -"cold shower"') == '("kiss") NOT (("cold shower" OR "coldshower"))'


def test_case_and_diacritics_fold() -> None:
    assert expr("KISS") == expr("kiss") == expr("kíss")


def test_hangul_goes_to_the_bigram_column() -> None:
    assert expr("녹여") == 'terms : "녹여"'
    assert expr("녹") == 'terms : "녹"*'
    assert expr("녹여주오") == 'terms : "녹여 여주 주오"'
    # A phrase over two runs keeps the first run's closing character, as the index does.
    assert expr('"날 녹여"') == 'terms : "날 녹여"'
    assert expr('"녹여주오 날"') == 'terms : "녹여 여주 주오 오 날"*'
    assert expr("tvN드라마") == '("tvn" AND terms : "드라 라마")'


def test_index_side_tokens() -> None:
    assert cjk_grams("날 녹여주오") == ["날", "녹여", "여주", "주오", "오"]
    assert glued_runs("Ji Chang-wook") == ["jichang", "changwook", "jichangwook"]
    assert name_terms(["Ji Chang Wook", "지창욱", "Ji Chang-wook"]) == [
        "jichang",
        "changwook",
        "jichangwook",
        "지창",
        "창욱",
        "욱",
    ]


def test_filters_parse_into_fields() -> None:
    query = parse(
        'kiss actor:"Ji Chang Wook" actor:JCW drama:Healer kind:kiss network:tvN '
        "year:2016..2020 episode:10 spoiler:minor"
    )
    f = query.filters
    assert f.actors == ["Ji Chang Wook", "JCW"]
    assert (f.drama, f.kind, f.network) == (["Healer"], ["kiss"], ["tvN"])
    assert (f.year, f.episode, f.spoiler) == (["2016..2020"], [10], ["minor"])
    assert expr('kiss actor:"Ji Chang Wook"') == '"kiss"'
    assert parse("KIND:kiss").filters.kind == ["kiss"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title:kiss", "unknown search field 'title:'"),
        ("actor:", "actor: needs a value"),
        ("episode:ten", "episode:ten is not an episode number"),
        ("-actor:JCW kiss", "filters cannot be excluded"),
        ("x" * (MAX_QUERY + 1), "the limit is 1,000"),
        (" ".join(["w"] * 40), "the limit is 32"),
    ],
)
def test_bad_queries_say_why(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse(text)
    assert message in caught.value.message


def test_punctuation_operators_and_emoji_are_not_searched() -> None:
    query = parse("^ * 💋 NEAR( kiss")
    assert query.ignored == ["^", "*", "💋"]
    assert match_expression(query) == '("near" OR "nearkiss") AND ("kiss" OR "nearkiss")'
    assert match_expression(parse("💋 *")) is None
    assert match_expression(parse("")) is None


def test_unbalanced_and_smart_quotes() -> None:
    assert expr('"shower kiss') == expr('"shower kiss"')
    assert expr("“shower kiss”") == expr('"shower kiss"')


def test_or_at_the_edges_is_dropped() -> None:
    assert expr("OR kiss OR") == '"kiss"'
    assert expr("kiss OR -rain") == '("kiss") NOT ("rain")'


def test_highlighter_marks_words_prefixes_glued_names_and_hangul() -> None:
    marker = highlighter(parse("jichangwook shower 녹여 umb* -rain"))
    text = "Ji Chang Wook takes a shower in 날 녹여주오 under an umbrella in the rain"
    assert [text[s:e] for s, e in marker.spans(text)] == [
        "Ji Chang Wook",
        "shower",
        "녹여",
        "umbrella",
    ]
    spaced = highlighter(parse("ji changwook"))
    assert [text[s:e] for s, e in spaced.spans(text)] == ["Ji Chang Wook"]


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute(
        f"CREATE VIRTUAL TABLE t USING fts5({', '.join(COLUMNS)}, "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    row = {
        "title": "The shower kiss",
        "description": "they kiss",
        "kind": "kiss",
        "drama": "Melting Me Softly 날 녹여주오",
    }
    conn.execute(
        f"INSERT INTO t VALUES ({', '.join('?' * len(COLUMNS))})",
        [row.get(column, "") for column in COLUMNS],
    )
    return conn


_ALPHABET = st.sampled_from(
    list("abc XYZ\"'-*^():;|&{}[]+,.0123456789")
    + ["OR", "AND", "NOT", "NEAR", "녹", "여", "💋", "é"]
)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_any_text_is_rejected_cleanly_or_compiles_to_valid_fts(
    fts: sqlite3.Connection, text: str
) -> None:
    try:
        expression = expr(text)
    except InvalidInput:
        return
    if expression is not None:
        fts.execute("SELECT count(*) FROM t WHERE t MATCH ?", (expression,)).fetchone()


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_unicode_is_rejected_cleanly_or_compiles_to_valid_fts(
    fts: sqlite3.Connection, text: str
) -> None:
    try:
        expression = expr(text)
    except InvalidInput:
        return
    if expression is not None:
        fts.execute("SELECT count(*) FROM t WHERE t MATCH ?", (expression,)).fetchone()


# Words of ASCII letters and digits take a shortcut in parse(); anything else goes the
# general way. Both must make the same Query, operators and limits included.
_PLAIN_PIECES = ["kiss", "Rain", "UMBRELLA", "x1", "2016", "a", "OR", "AND", "NOT", "or", "not"]
_OTHER_PIECES = ["-rain", '"hug', "ki*", "kind:kiss", "|", "&&", "_", "é", "녹여", "a-b", "(x)"]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(_PLAIN_PIECES + _OTHER_PIECES), max_size=8),
    st.lists(st.sampled_from([" ", "  ", "\t", "\n", "\x1f", "\u3000"]), min_size=8, max_size=8),
)
def test_the_plain_words_shortcut_parses_as_the_lexer_does(
    pieces: list[str], spaces: list[str]
) -> None:
    text = "".join(piece + space for piece, space in zip(pieces, spaces, strict=False))
    try:
        expected = _parsed(text)
    except InvalidInput as exc:
        with pytest.raises(InvalidInput, match=re.escape(str(exc))):
            parse(text)
        return
    assert parse(text) == expected


def test_the_plain_words_shortcut_is_taken_only_for_plain_words() -> None:
    assert _plain_words("Shower kiss 2016") == ["Shower", "kiss", "2016"]
    for text in ["", "  ", "kiss OR hug", "NOT rain", "kiss AND hug", "ki*", "-rain", "café",
                 "kind:kiss", '"kiss"', "a_b", " ".join(["w"] * (MAX_TERMS + 1))]:  # fmt: skip
        assert _plain_words(text) is None, text
    too_many = " ".join(["w"] * (MAX_TERMS + 1))
    with pytest.raises(InvalidInput, match="the limit is 32"):
        parse(too_many)
