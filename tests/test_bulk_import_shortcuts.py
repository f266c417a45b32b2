"""The shortcuts of a big import give exactly what the general code gives.

- fast_parsers.py: parse_view/scene/vote/duel try a fast path for plain values first; for any
  input both paths give the same record or the same error;
- search_index.BulkDocuments makes the search documents in Python as the document query does;
- bulk.insert_rows writes rows with multi-row INSERTs, the same rows executemany writes;
- the FTS build with a larger buffer leaves the index's settings as they were;
- the bulk path's view-count warnings (lower than earlier, higher than later) are the
  record-by-record path's.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import dump
from hypothesis import given, settings
from hypothesis import strategies as st

from scenecat.domain import fast_parsers, records
from scenecat.domain.importing import import_file
from scenecat.domain.records import FieldError
from scenecat.errors import CatalogueFileError
from scenecat.storage import bulk, search_index
from scenecat.storage.connection import open_catalogue

# --- parsers: fast path == general path ----------------------------------------------------

TEXTS = [
    "Ji Chang Wook",
    "a",
    "",
    " ",
    " padded ",
    "two  spaces",
    "tab\there",
    "line\n",
    "x\x1b[31m",
    "Café",
    "Cafe\u0301",
    "지창욱",
    "날 녹여주오",
    "ＦＵＬＬ",
    "x" * 300,
    "x" * 301,
    "melting-me-softly-e1-kiss",
    "Kiss",
    "kiss",
    "first kiss",
    "KISS-",
    "abc\n",
    "minor",
    "Minor",
    "none",
]
DATES = [
    "2020-01-01",
    " 2020-01-01 ",
    "2020-02-30",
    "1899-12-31",
    "1900-01-01",
    "20200101",
    "9999-12-31",
    (dt.date.today() + dt.timedelta(days=1)).isoformat(),
    dt.date.today().isoformat(),
    dt.date(2019, 9, 28),
    dt.datetime(2019, 9, 28, 10, 0),
    "yesterday",
]
ODD = [None, 0, 1, -1, 5, 11, 10**13, 10**13 + 1, 1.0, 2.5, float("nan"), True, False, [], {}]
CLOCKS = ["1:02", "52:10", "1:02:03", "61:00", "1:2", 0, 3130, 100_001, -1, 90.5, "x"]

texts = st.sampled_from(TEXTS)
dates = st.sampled_from(DATES)
odd = st.sampled_from(ODD)
names = st.one_of(texts, odd, st.lists(st.one_of(texts, odd), max_size=4))
views = st.one_of(
    odd,
    texts,
    st.dictionaries(
        st.sampled_from(["count", "on", "source", "colour"]),
        st.one_of(odd, texts, dates),
        max_size=4,
    ),
    st.fixed_dictionaries(
        {"count": st.one_of(st.integers(0, 10**6), odd)},
        optional={"on": st.one_of(dates, odd), "source": st.one_of(texts, odd)},
    ),
)
SCENE_VALUES: dict[str, Any] = {
    "key": st.one_of(texts, odd),
    "drama": st.one_of(texts, odd),
    "episode": st.one_of(st.integers(-1, 3), odd, texts),
    "kind": st.one_of(texts, odd),
    "title": st.one_of(texts, odd),
    "actors": names,
    "description": st.one_of(texts, odd, st.just("  words  \n"), st.just("x" * 20_001)),
    "at": st.one_of(st.sampled_from(CLOCKS), odd),
    "end": st.one_of(st.sampled_from(CLOCKS), odd),
    "spoiler": st.one_of(texts, odd),
    "tags": names,
    "location": st.one_of(texts, odd),
    "views": st.one_of(odd, st.lists(views, max_size=3)),
    "sources": st.one_of(st.just([]), odd, st.just(["https://example.org/a"])),
    "colour": texts,
}
plain_scene = st.fixed_dictionaries(
    {
        "drama": st.sampled_from(["Melting Me Softly", "D"]),
        "kind": st.sampled_from(["kiss", "first-kiss"]),
        "title": st.sampled_from(["The kiss", "A"]),
    },
    optional={
        k: v
        for k, v in SCENE_VALUES.items()
        if k not in ("drama", "kind", "title", "colour", "sources")
    },
)
any_scene = st.one_of(
    plain_scene,
    st.dictionaries(st.sampled_from(list(SCENE_VALUES)), odd, max_size=3),
    st.fixed_dictionaries({}, optional=SCENE_VALUES),
    odd,
    texts,
)
any_vote = st.one_of(
    st.fixed_dictionaries(
        {"scene": st.one_of(texts, odd), "score": st.one_of(st.integers(0, 11), odd, texts)},
        optional={
            "voter": st.one_of(texts, odd),
            "on": st.one_of(dates, odd),
            "colour": texts,
        },
    ),
    odd,
)
any_duel = st.one_of(
    st.fixed_dictionaries(
        {"winner": st.one_of(texts, odd), "loser": st.one_of(texts, odd)},
        optional={"voter": st.one_of(texts, odd), "on": st.one_of(dates, odd), "colour": texts},
    ),
    odd,
)


def _outcome(parse: Callable[[Any, str], Any], data: Any) -> Any:
    try:
        return ("ok", parse(data, "scenes[3]"))
    except FieldError as exc:
        return ("error", exc.path, exc.reason, exc.hint)


def _same(fast: Callable[[Any, str], Any], general: Callable[[Any, str], Any], data: Any) -> None:
    expected = _outcome(general, data)
    assert _outcome(fast, data) == expected
    assert _outcome(fast, data) == expected  # again: now with the dates remembered


@pytest.mark.slow
@settings(max_examples=600, deadline=None)
@given(any_scene)
def test_scene_fast_path_is_the_general_path(data: Any) -> None:
    _same(fast_parsers.parse_scene, records.parse_scene_general, data)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(views)
def test_view_fast_path_is_the_general_path(data: Any) -> None:
    _same(fast_parsers.parse_view, records.parse_view_general, data)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(any_vote)
def test_vote_fast_path_is_the_general_path(data: Any) -> None:
    _same(fast_parsers.parse_vote, records.parse_vote_general, data)
    values = fast_parsers.vote_values(data)
    if values is not None:
        assert records.VoteRec(*values) == records.parse_vote_general(data, "v")


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(any_duel)
def test_duel_fast_path_is_the_general_path(data: Any) -> None:
    _same(fast_parsers.parse_duel, records.parse_duel_general, data)


@pytest.mark.parametrize(
    "data",
    [
        {"drama": "D", "kind": "kiss", "title": "T", "key": "abc\n"},
        {"drama": "D", "kind": "kiss\n", "title": "T"},
        {"drama": "D", "kind": "Kiss", "title": "T", "tags": ["Sad", "sad", "SAD"]},
        {"drama": "D", "kind": "kiss", "title": "T", "actors": ["A", "A", "B"]},
        {"drama": "D", "kind": "kiss", "title": "T", "actors": "A"},
        {"drama": "D", "kind": "kiss", "title": "T", "description": "   "},
        {"drama": "D", "kind": "kiss", "title": "T", "description": "Café\u0301 "},
        {"drama": "D", "kind": "kiss", "title": "T", "views": [{"count": 1, "source": ""}]},
        {"drama": "D", "kind": "kiss", "title": "T", "spoiler": ["none"]},
        {"drama": "D", "kind": "kiss", "title": "T", "at": "1:00", "end": 30},
        {"drama": None, "kind": "kiss", "title": "T"},
        {"drama": "", "kind": "kiss", "title": "T"},
    ],
)
def test_scene_corner_cases(data: dict[str, Any]) -> None:
    _same(fast_parsers.parse_scene, records.parse_scene_general, data)


@pytest.mark.parametrize(
    "data",
    [
        {"drama": "D", "kind": "kiss", "title": "T", "tags": ["sad", "rain"]},
        {"drama": "D", "kind": "kiss", "title": "T", "tags": ["rain", "Sad", "sad", "rain"]},
        {"drama": "D", "kind": "kiss", "title": "T", "tags": ["sad", ["rain"]]},
        {"drama": "D", "kind": "kiss", "title": "T", "tags": ["sad", " rain"]},
        {"drama": "D", "kind": "kiss", "title": "T", "tags": "sad"},
        {"drama": "D", "kind": "Kiss", "title": "T", "tags": []},
        {"drama": "D", "kind": "kiss\n", "title": "T"},
        {"drama": "D", "kind": "k" * 41, "title": "T"},
        {"drama": "D", "kind": "kiss", "title": "T", "views": [{"count": 1}, {"count": -1}]},
        {"drama": "D", "kind": "kiss", "title": "T", "views": [{"count": 2, "on": "2020-01-01"}]},
    ],
)
def test_remembered_tags_and_kinds_give_the_general_answer(data: dict[str, Any]) -> None:
    # The plain lower-case tags and the kinds the fast path accepted are remembered: the
    # second parse of each record (and of the ones after it) answers from those sets.
    _same(fast_parsers.parse_scene, records.parse_scene_general, data)
    assert "Sad" not in fast_parsers.PLAIN_LOWER and " rain" not in fast_parsers.PLAIN_LOWER
    assert {"Kiss", "kiss\n", "k" * 41}.isdisjoint(fast_parsers._KINDS)


def test_plain_records_take_the_fast_path() -> None:
    scene = {
        "key": "d-e1-kiss",
        "drama": "D",
        "episode": 1,
        "kind": "kiss",
        "title": "The kiss",
        "actors": ["A B", "C D"],
        "tags": ["rain"],
        "description": "Words.",
        "spoiler": "none",
        "views": [{"count": 5, "on": "2020-01-01", "source": "tvN"}],
    }
    assert fast_parsers._scene_fast(scene) == records.parse_scene_general(scene, "s")
    vote = {"scene": "d-e1-kiss", "score": 7, "voter": "fan1", "on": "2020-01-02"}
    assert fast_parsers.vote_values(vote) == ("d-e1-kiss", 7, "fan1", "2020-01-02")
    duel = {"winner": "a", "loser": "b", "on": "2020-01-02"}
    assert fast_parsers._duel_fast(duel) == records.parse_duel_general(duel, "d")


def test_a_future_date_is_never_remembered() -> None:
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    for _ in range(2):
        with pytest.raises(FieldError, match="in the future"):
            fast_parsers.parse_vote({"scene": "s", "score": 5, "on": tomorrow}, "votes[0]")
    assert tomorrow not in fast_parsers.PAST_DATES


# --- documents, rows, FTS build ---------------------------------------------------------------

CJK_CATALOGUE = [
    {"format": "scenecat/1"},
    {
        "type": "actor",
        "name": "Ji Chang Wook",
        "native": "지창욱",
        "aliases": ["JCW", "Ji Chang-wook"],
    },
    {"type": "actor", "name": "Kim Ji Won", "aliases": ["김지원"]},
    {"type": "actor", "name": "Lee Min Ho", "native": "이민호"},
    {"type": "actor", "name": "Solo"},
    {
        "type": "drama",
        "title": "Melting Me Softly",
        "native": "날 녹여주오",
        "aliases": ["MMS", "Defrost"],
        "cast": [
            {"actor": "Ji Chang Wook", "character": "Ma Dong Chan 마동찬"},
            {"actor": "Kim Ji Won", "character": "Go Mi Ran"},
            {"actor": "JCW", "character": "Dong Chan"},
        ],
    },
    {"type": "drama", "title": "Empty"},
    {
        "type": "scene",
        "key": "mms-kiss",
        "drama": "Melting Me Softly",
        "kind": "kiss",
        "title": "The 냉동 kiss",
        "actors": ["Kim Ji Won", "Ji Chang Wook", "Lee Min Ho"],
        "tags": ["눈물", "rain", "Rain"],
        "description": "설렘 under the snow",
    },
    {
        "type": "scene",
        "drama": "MMS",
        "kind": "hug",
        "title": "A hug",
        "actors": ["Solo"],
        "location": "Seoul",
    },
    # only the location is not ASCII: its grams are all the scene's own
    {"type": "scene", "drama": "Empty", "kind": "walk", "title": "A walk", "location": "남산 타워"},
    {"type": "scene", "drama": "Empty", "kind": "fight", "title": "Nobody"},
    {"type": "scene", "drama": "Empty", "kind": "fight", "title": "Nobody", "tags": ["x"]},
    {
        "type": "scene",
        "drama": "Melting Me Softly",
        "kind": "confession",
        "title": "Cafe\u0301 talk",
        "actors": ["Lee Min Ho", "Kim Ji Won"],
        "description": "plain words",
        "views": [
            {"count": 900, "on": "2020-01-05", "source": "tvN"},
            {"count": 500, "on": "2020-01-09", "source": "tvN"},
            {"count": 500, "on": "2020-01-09", "source": "tvN"},
            {"count": 100},
        ],
    },
    {"type": "vote", "scene": "mms-kiss", "score": 7, "on": "2020-01-01"},
    {"type": "vote", "scene": "mms-kiss", "score": 9, "on": "2020-02-01"},
    {"type": "vote", "scene": "mms-kiss", "score": 9, "on": "2020-02-01"},
    {"type": "vote", "scene": "A hug", "score": 3, "voter": "fan"},
]


def _import(db: Path, source: Path, fast: bool) -> Any:
    cat = open_catalogue(db)
    try:
        with cat.write("import") as conn:
            return import_file(conn, source, fast=fast)
    finally:
        cat.close()


def _table(db: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_documents_made_in_python_are_the_query_documents(tmp_path: Path) -> None:
    source = tmp_path / "cjk.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in CJK_CATALOGUE]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reports = [_import(tmp_path / f"{fast}.db", source, fast) for fast in (False, True)]
    assert reports[0] == reports[1]
    assert dump(tmp_path / "False.db") == dump(tmp_path / "True.db")
    documents = [
        _table(tmp_path / f"{fast}.db", "SELECT * FROM scene_search ORDER BY id")
        for fast in (False, True)
    ]
    assert documents[0] == documents[1]
    assert any(row[-1] and "냉동" in row[-1] for row in documents[1])  # CJK grams made
    assert any(row[-1] and "남산" in row[-1] for row in documents[1])  # of a location too
    conn = sqlite3.connect(tmp_path / "True.db")
    try:
        assert search_index.check(conn) == []
        hits = conn.execute(
            "SELECT rowid FROM scene_search_fts WHERE scene_search_fts MATCH 'jichangwook'"
        ).fetchall()
        assert hits == [(1,)]
    finally:
        conn.close()


@pytest.mark.parametrize("table", ["scene_tag", "vote", "actor_alias"])
def test_insert_rows_writes_what_executemany_writes(table: str) -> None:
    _, per = bulk._MULTI[table]
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE TABLE scene_tag (scene_id INTEGER, tag TEXT, PRIMARY KEY (scene_id, tag)) "
        "WITHOUT ROWID"
    )
    conn.execute(
        "CREATE TABLE vote (id INTEGER PRIMARY KEY, scene_id, voter, score, voted_on, current)"
    )
    conn.execute(
        "CREATE TABLE actor_alias (actor_id INTEGER, alias TEXT, alias_key TEXT, "
        "PRIMARY KEY (actor_id, alias)) WITHOUT ROWID"
    )

    def row(i: int) -> tuple[Any, ...]:
        if table == "scene_tag":
            return (i, f"tag{i % 7}")
        if table == "vote":
            return (i, i % 13, "me", i % 10 + 1, None if i % 3 else "2020-01-01", i % 2)
        return (i // 2, f"alias{i % 2}", "Ωmega" if i % 5 else None)

    for count in (0, 1, per - 1, per, per + 1, 3 * per + 5):
        rows = [row(i) for i in range(1, count + 1)]
        if table == "actor_alias":
            rows += rows[:3]  # INSERT OR IGNORE: repeats are skipped either way
        conn.execute(f"DELETE FROM {table}")
        bulk.insert_rows(conn, table, rows)
        ours = conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
        conn.execute(f"DELETE FROM {table}")
        conn.executemany(bulk._INSERTS[table], rows)
        assert ours == conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()


def test_fts_build_keeps_the_index_settings(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    config = f"SELECT k, v FROM {search_index.FTS_TABLE}_config ORDER BY k"
    for hashsize in (None, 2000000):
        cat = open_catalogue(db)
        try:
            with cat.write("x") as conn:
                if hashsize:
                    conn.execute(
                        f"INSERT INTO {search_index.FTS_TABLE}({search_index.FTS_TABLE}, rank) "
                        "VALUES ('hashsize', ?)",
                        (hashsize,),
                    )
                before = conn.execute(config).fetchall()
                search_index.rebuild(conn)
                assert conn.execute(config).fetchall() == before
        finally:
            cat.close()
        assert _table(db, config) == before
    assert ("hashsize", 2000000) in before


def test_garbage_collection_comes_back_after_an_import(tmp_path: Path) -> None:
    source = tmp_path / "bad.jsonl"
    good = [json.dumps(r, ensure_ascii=False) for r in CJK_CATALOGUE]
    source.write_text("\n".join(good) + "\n", encoding="utf-8")
    assert gc.isenabled()
    _import(tmp_path / "ok.db", source, fast=True)
    assert gc.isenabled()
    source.write_text("\n".join([*good, '{"type": "vote", "scene": "nope", "score": 1}']) + "\n")
    with pytest.raises(CatalogueFileError):
        _import(tmp_path / "bad.db", source, fast=True)
    assert gc.isenabled()


view_lists = st.lists(
    st.fixed_dictionaries(
        {"count": st.sampled_from([5, 10, 10, 20])},
        optional={
            "on": st.sampled_from(["2020-01-01", "2020-01-02", "2020-01-03"]),
            "source": st.sampled_from(["tvN", "Viki"]),
        },
    ),
    min_size=1,
    max_size=5,
)


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(view_lists)
def test_view_warnings_and_rows_same_both_ways(views: list[dict[str, Any]]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "views.jsonl"
        lines = [
            {"format": "scenecat/1"},
            {"type": "drama", "title": "D"},
            {"type": "scene", "key": "d-kiss", "drama": "D", "kind": "kiss", "title": "T"},
            {"type": "scene", "drama": "D", "kind": "hug", "title": "U", "views": views},
        ]
        source.write_text("\n".join(json.dumps(r) for r in lines) + "\n", encoding="utf-8")
        results = []
        for fast in (False, True):
            db = Path(tmp) / f"{fast}.db"
            report = _import(db, source, fast)
            results.append((report, _table(db, "SELECT * FROM view_count ORDER BY id")))
        assert results[0] == results[1]


def test_every_value_type_has_a_parser_and_a_fast_path() -> None:
    """fields.VALUE_TYPES is the list a declaration picks from: each needs its general
    parser and its fast path, or a field declared with it could not be read."""
    from scenecat.domain.fast_parsers import FAST_VALUES
    from scenecat.domain.records import VALUE_PARSERS
    from scenecat.fields import VALUE_TYPES

    assert set(VALUE_PARSERS) == set(VALUE_TYPES)
    assert set(FAST_VALUES) == set(VALUE_TYPES)
    assert all("{v}" in expression for expression in FAST_VALUES.values())
