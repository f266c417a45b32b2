"""Hostile text: terminal escapes, Rich markup, markdown and HTML in user data are shown as
harmless text, and no flag, query term or sort option ever becomes SQL."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.safety import raw_dump

ESC, BEL = "\x1b", "\x07"
OSC8 = f"{ESC}]8;;https://evil.example/{BEL}click me{ESC}]8;;{BEL}"
CSI_RED = f"{ESC}[31mred{ESC}[0m"
CLEAR = f"{ESC}[2J{ESC}[H"
C1_CSI = "\x9b31m"  # the one-byte CSI some terminals honour
BIDI = "\u202egnp.exe"  # right-to-left override: shows as "exe.png"
TITLE_QUERY = f"{ESC}]0;pwned{BEL}"  # sets the terminal window title
MARKUP = "[bold red]loud[/] [link=https://evil.example]x[/link] :smile:"
MARKDOWN = "**bold** _it_ | a | b | # head [x](https://evil.example)"
HTML = "<script>alert(1)</script><b>b</b>&amp;"

# What must never reach a terminal raw: C0 controls but tab/newline, DEL, C1, bidi controls.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

HOSTILE_ACTOR = f"Evil {OSC8} {CSI_RED}"
HOSTILE_DRAMA = f"Drama {C1_CSI} {TITLE_QUERY}"
HOSTILE_TAG = f"tag{BEL}{CLEAR}"
HOSTILE_KEY = "hostile-scene"


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _safe(text: str) -> None:
    found = UNSAFE.findall(text)
    assert not found, f"raw control characters in output: {found!r}"


@pytest.fixture
def hostile_db(cli, sample_db: Path) -> Path:
    """The sample plus hostile records: some through the CLI (markup, markdown and HTML are
    fine text), some written straight into the file as a catalogue from another tool or
    person (or an older scenecat, which let descriptions hold escapes) could hold them."""
    hostile_description = f"{OSC8} {CSI_RED} {C1_CSI} {BIDI} {TITLE_QUERY}"
    refused = cli(
        "add-scene", "--drama", "Healer", "--episode", "6", "--actor", "Ji Chang Wook",
        "--kind", "kiss", "--title", "x", "--description", hostile_description,
    )  # fmt: skip
    assert refused.exit_code == 2 and "control characters" in refused.stderr
    result = cli(
        "add-scene", "--drama", "Healer", "--episode", "6", "--actor", "Ji Chang Wook",
        "--kind", "kiss", "--title", f"{MARKUP} {MARKDOWN} {HTML}", "--key", HOSTILE_KEY,
        "--description", "to be replaced",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    conn = sqlite3.connect(sample_db)
    with conn:
        conn.execute(
            "UPDATE scene SET description = ? WHERE key = ?", (hostile_description, HOSTILE_KEY)
        )
        conn.execute("UPDATE actor SET name = ? WHERE name = 'Park Min Young'", (HOSTILE_ACTOR,))
        conn.execute("UPDATE drama SET title = ? WHERE title = 'Healer'", (HOSTILE_DRAMA,))
        conn.execute(
            "INSERT INTO scene_tag (scene_id, tag) SELECT id, ? FROM scene WHERE key = ?",
            (HOSTILE_TAG, HOSTILE_KEY),
        )
    conn.close()
    return sample_db


VIEWS = [
    ("list", "actors"),
    ("list", "dramas"),
    ("list", "scenes"),
    ("list", "episodes"),
    ("show", "scene", HOSTILE_KEY),
    ("show", "scene", "healer-e9-snowy-rooftop-kiss"),
    ("search", "kiss"),
    ("search", "alert"),
    ("rank",),
    ("rank", "--explain"),
    ("rank", "--by", "actor"),
    ("rank", "--by", "drama"),
    ("trending",),
    ("stats",),
    ("history",),
]


@pytest.mark.slow
@pytest.mark.parametrize("args", VIEWS, ids=" ".join)
def test_hostile_text_is_shown_harmlessly(cli, hostile_db: Path, args: tuple[str, ...]) -> None:
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    _safe(result.stdout)
    _safe(result.stderr)


def test_escapes_are_visible_and_markup_is_literal(cli, hostile_db: Path) -> None:
    shown = cli("show", "scene", HOSTILE_KEY)
    assert shown.exit_code == 0
    flat = re.sub(r"\s+", "", shown.stdout)  # the table may wrap long cells
    assert re.sub(r"\s+", "", MARKUP) in flat  # Rich markup not interpreted
    assert re.sub(r"\s+", "", HTML) in flat
    assert "**bold**" in flat and "|a|b|" in flat
    assert "\\x1b]8;;https://evil.example/\\x07" in flat  # the OSC-8 link, made visible
    assert "\\x9b31m" in flat and "\\u202e" in flat
    listed = cli("list", "actors")
    assert "\\x1b[31mred\\x1b[0m" in re.sub(r"\s+", "", listed.stdout)


def test_json_keeps_hostile_text_exact_and_escaped(cli, hostile_db: Path) -> None:
    for args in (("show", "scene", HOSTILE_KEY), ("list", "actors"), ("list", "dramas")):
        result = cli(*args, "--json")
        assert result.exit_code == 0, result.stderr
        _safe(result.stdout)
        strings = list(_strings(json.loads(result.stdout)))
        assert any(h in s for s in strings for h in (OSC8, HOSTILE_ACTOR, HOSTILE_DRAMA)), args
    scene = json.loads(cli("show", "scene", HOSTILE_KEY, "--json").stdout)["data"]
    assert scene["title"] == f"{MARKUP} {MARKDOWN} {HTML}"
    assert scene["description"] == f"{OSC8} {CSI_RED} {C1_CSI} {BIDI} {TITLE_QUERY}"
    assert HOSTILE_TAG in scene["tags"]


def test_errors_about_hostile_names_are_one_harmless_line(cli, hostile_db: Path) -> None:
    for args in (
        ("show", "actor", f"nobody {OSC8}"),
        ("show", "scene", f"nokey{CLEAR}"),
        ("vote", f"{TITLE_QUERY}x", "5"),
        ("search", f"actor:{CSI_RED}"),
        ("list", "scenes", "--drama", f"{C1_CSI}none"),
    ):
        result = cli(*args)
        assert result.exit_code in (1, 2), (args, result.stderr)
        _safe(result.stderr)
        _safe(result.stdout)
        assert "Traceback" not in result.stderr


def test_hostile_names_are_refused_as_new_records(cli, sample_db: Path) -> None:
    before = raw_dump(sample_db)
    for args in (
        ("add-actor", f"Bad {CSI_RED}"),
        ("add-drama", f"Bad {OSC8}"),
        ("alias", "actor", "Ji Chang Wook", f"JCW{BEL}"),
    ):
        result = cli(*args)
        assert result.exit_code == 2, (args, result.stderr)  # a bad value: usage
        assert "control characters" in result.stderr
        _safe(result.stderr)
    assert raw_dump(sample_db) == before


INJECTIONS = [
    ("list", "scenes", "--kind", "kiss' OR '1'='1"),
    ("list", "scenes", "--tag", "x'); DROP TABLE scene; --"),
    ("list", "scenes", "--network", "%"),
    ("list", "scenes", "--network", "tvN' --"),
    ("list", "scenes", "--year", "2019 OR 1=1"),
    ("list", "scenes", "--spoiler", "none' OR 1=1"),
    ("list", "scenes", "--episode", "1 OR 1=1"),
    ("list", "scenes", "--drama", "Healer' OR 1=1 --"),
    ("list", "scenes", "--actor", 'x" OR "1"="1'),
    ("search", "kind:kiss' OR 1=1 --"),
    ("search", "sql:DROP"),
    ("search", "title:x"),
    ("search", ") UNION SELECT * FROM actor --"),
    ("search", '"unbalanced'),
    ("search", "NEAR(kiss rain, 2)"),
    ("search", "kiss", "year:2019;DROP"),
    ("search", "spoiler:none' OR 1=1"),
    ("search", "network:%"),
    ("rank", "--by", "scene; DROP TABLE scene"),
    ("rank", "--method", "votes--"),
    ("rank", "--kind", "kiss' OR 1=1"),
    ("export", "yaml", "--output", "-"),
]


@pytest.mark.slow
@pytest.mark.parametrize("args", INJECTIONS, ids=" ".join)
def test_no_sql_from_input(cli, sample_db: Path, args: tuple[str, ...]) -> None:
    before = raw_dump(sample_db)
    result = cli(*args, *(("--json",) if args[0] in ("list", "search", "rank") else ()))
    assert result.exit_code in (0, 1, 2), result.stderr
    assert "Traceback" not in result.stderr
    assert "syntax error" not in result.stderr.lower()
    assert "database problem" not in result.stderr
    if result.exit_code:
        assert result.stderr.count("Error:") == 1
    elif args[0] in ("list", "search", "rank"):
        data = json.loads(result.stdout)["data"]
        # a term that is not a real value narrows to nothing; it never widens to everything
        if args[1:3] in (("scenes", "--kind"), ("scenes", "--tag"), ("scenes", "--network")):
            assert data == []
    assert raw_dump(sample_db) == before


def test_scene_filter_has_only_known_fields() -> None:
    """The filter object is the only way a listing is narrowed: fixed fields, values always
    bound as parameters."""
    import dataclasses

    from scenecat.storage.scenes import SceneFilter

    names = {f.name for f in dataclasses.fields(SceneFilter)}
    assert names == {
        "actor_ids", "drama_id", "kind", "network", "year", "episode", "max_spoiler", "tag",
        "equals",
    }  # fmt: skip
    where, params = SceneFilter(
        kind="kiss' OR 1=1", tag="x; DROP", network="%", equals=(("location", "' OR 1=1"),)
    ).where()
    assert "kiss" not in where and "DROP" not in where and "%" not in where and "OR" not in where
    assert params == ["kiss' OR 1=1", "%", "x; DROP", "' OR 1=1"]
    # a column that is not a declared filter field never reaches the SQL
    with pytest.raises(ValueError):
        SceneFilter(equals=(("1=1 OR title", "x"),)).where()
