"""#13.9: one rule for every text field (ESC, BEL, OSC sequences, C1 controls and bidi
overrides are refused everywhere; multi-line fields keep newline and tab), and nothing a
terminal would act on leaves scenecat, even from data an older version let in.
#13.10: invisible characters are dropped from names, and mixed-script look-alike names are
found as, and warned about as, the name they imitate."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import dump

ESC_OSC = "\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07"
BIDI = "\u202egnp.exe"
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

ADD_SCENE = ["add-scene", "--drama", "Healer", "--episode", "3", "--actor", "Ji Chang Wook",
             "--kind", "kiss", "--title", "Plain title"]  # fmt: skip

FIELDS = {
    "actor name": ["add-actor", f"Evil {ESC_OSC}"],
    "actor native": ["add-actor", "Plain Person", "--native", f"x{BIDI}"],
    "alias": ["alias", "actor", "Ji Chang Wook", f"JCW{BIDI}"],
    "drama synopsis": ["add-drama", "Plain Drama", "--synopsis", f"Once {ESC_OSC}"],
    "scene title": [*ADD_SCENE[:-1], f"Kiss {BIDI}"],
    "scene description": [*ADD_SCENE, "--description", f"What happens {ESC_OSC}"],
    "scene description C1": [*ADD_SCENE, "--description", "CSI \x9b31m red"],
    "scene location": [*ADD_SCENE, "--location", f"roof{BIDI}"],
    "edit description": ["edit", "scene", "healer-e8-elevator-rescue", "--description",
                         f"x {ESC_OSC}"],
    "edit synopsis": ["edit", "drama", "Healer", "--synopsis", f"x {BIDI}"],
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("field", FIELDS)
def test_every_text_field_refuses_terminal_controls(cli, sample_db: Path, field: str) -> None:
    before = dump(sample_db)
    result = cli(*FIELDS[field])
    assert result.exit_code == 2, result.stderr  # a bad flag value: usage
    assert result.stderr.startswith("Error: ") and "control characters" in result.stderr
    assert dump(sample_db) == before


def test_multi_line_fields_keep_newlines_and_tabs(cli, sample_db: Path) -> None:
    text = "First line\nsecond\tline"
    assert cli(*ADD_SCENE, "--key", "multi-line", "--description", text).exit_code == 0
    shown = json.loads(cli("show", "scene", "multi-line", "--json").stdout)["data"]
    assert shown["description"] == text


def test_an_import_with_escapes_in_a_description_is_refused(
    cli, sample_db: Path, tmp_path: Path
) -> None:
    source = tmp_path / "evil.jsonl"
    record = {"type": "scene", "drama": "Healer", "episode": 2, "kind": "kiss",
              "title": "Evil", "description": f"x {ESC_OSC}"}  # fmt: skip
    source.write_text('{"format": "scenecat/1"}\n' + json.dumps(record) + "\n", encoding="utf-8")
    before = dump(sample_db)
    result = cli("import", str(source))
    assert result.exit_code == 1
    assert f"{source}:2:" in result.stderr and "control characters" in result.stderr
    assert dump(sample_db) == before


@pytest.fixture
def legacy_db(sample_db: Path) -> Path:
    """Hostile text an older scenecat let into descriptions and synopses."""
    conn = sqlite3.connect(sample_db)
    with conn:
        conn.execute(
            "UPDATE scene SET description = ? WHERE key = 'healer-e8-elevator-rescue'",
            (f"{ESC_OSC} {BIDI} \x9b31m",),
        )
        conn.execute("UPDATE drama SET synopsis = ? WHERE title = 'Healer'", (f"{BIDI} {ESC_OSC}",))
    conn.close()
    return sample_db


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [["export", "csv"], ["export", "json"], ["export", "jsonl"], ["export", "yaml"],
     ["export", "markdown", "--drama", "Healer"]],
)  # fmt: skip
def test_no_export_to_stdout_carries_terminal_controls(
    cli, legacy_db: Path, command: list[str]
) -> None:
    result = cli(*command)
    assert result.exit_code == 0, result.stderr
    assert not UNSAFE.findall(result.stdout)


def test_json_exports_keep_the_data_exact(cli, legacy_db: Path) -> None:
    data = json.loads(cli("export", "json", "--drama", "Healer").stdout)["data"]
    scene = next(s for s in data if s["key"] == "healer-e8-elevator-rescue")
    assert scene["description"] == f"{ESC_OSC} {BIDI} \x9b31m"
    lines = [json.loads(line) for line in cli("export", "jsonl").stdout.splitlines()]
    healer = next(r for r in lines if r.get("title") == "Healer")
    assert healer["synopsis"] == f"{BIDI} {ESC_OSC}"


# 10. Look-alike names


@pytest.mark.parametrize(
    "invisible", ["\u2060", "\u200b", "\ufeff", "\u00ad", "\u200d", "\u2800"]
)  # U+2800: the braille blank, an invisible character rather than a look-alike
def test_invisible_characters_are_dropped_from_names(cli, sample_db: Path, invisible: str) -> None:
    result = cli("add-actor", f"Ji Chang{invisible} Wook")
    assert result.exit_code == 1
    assert "already exists" in result.stderr  # it is the same name
    result = cli("add-actor", f"New Person{invisible}")
    assert result.exit_code == 0, result.stderr
    listed = json.loads(cli("list", "actors", "--json").stdout)["data"]
    assert "New Person" in [a["name"] for a in listed]


@pytest.mark.parametrize("look_alike", ["Ji Chang W\u043eok", "J\u0456 Chang Wook",
                                        "Ji \u0421hang Wook", "Ji Chang W\u03bfok"])  # fmt: skip
def test_a_mixed_script_look_alike_gets_the_looks_like_warning(
    cli, sample_db: Path, look_alike: str, tmp_path: Path
) -> None:
    result = cli("add-actor", look_alike)
    assert result.exit_code == 1
    assert "looks like existing actor 'Ji Chang Wook'" in result.stderr
    shown = json.loads(cli("show", "actor", look_alike, "--json").stdout)["data"]
    assert shown["name"] == "Ji Chang Wook"  # found as the name it imitates
    source = tmp_path / "look.yaml"
    source.write_text(f"format: scenecat/1\nactors:\n  - name: {look_alike}\n", encoding="utf-8")
    imported = cli("import", str(source))
    assert imported.exit_code == 0
    assert "spelled like 'Ji Chang Wook'" in imported.stderr


# Look-alikes from Unicode's confusables data (UTS #39) beyond Cyrillic and Greek, and small
# capitals: issue #26.
ACTOR_LOOK_ALIKES = [
    ("Go\u0578g Yoo", "Gong Yoo"),  # Armenian ո
    ("\u0262\u1d0f\u0274\u0262 \u028f\u1d0f\u1d0f", "Gong Yoo"),  # small capitals
    ("GONG Y\u1d0f\u1d0f", "Gong Yoo"),
    ("Ji Chang \u13b3ook", "Ji Chang Wook"),  # Cherokee Ꮃ
    ("Ji \u0421\u041dang Wook", "Ji Chang Wook"),  # Cyrillic capitals С Н
]
DRAMA_LOOK_ALIKES = [
    ("H\u0435aler", "Healer"),  # Cyrillic е
    ("\u13bbealer", "Healer"),  # Cherokee Ꮋ
    ("\u029cealer", "Healer"),  # small capital H
]


@pytest.mark.parametrize(("look_alike", "original"), ACTOR_LOOK_ALIKES)
def test_look_alike_actors_from_the_confusables_data(
    cli, sample_db: Path, look_alike: str, original: str, tmp_path: Path
) -> None:
    before = dump(sample_db)
    result = cli("add-actor", look_alike)
    assert result.exit_code == 1
    assert f"looks like existing actor {original!r}" in result.stderr
    assert dump(sample_db) == before
    shown = json.loads(cli("show", "actor", look_alike, "--json").stdout)["data"]
    assert shown["name"] == original  # found as the name it imitates
    source = tmp_path / "look.yaml"
    source.write_text(f"format: scenecat/1\nactors:\n  - name: {look_alike}\n", encoding="utf-8")
    imported = cli("import", str(source))
    assert imported.exit_code == 0
    assert f"spelled like {original!r}" in imported.stderr


@pytest.mark.parametrize(("look_alike", "original"), DRAMA_LOOK_ALIKES)
def test_look_alike_dramas_are_refused_or_warned_about(
    cli, sample_db: Path, look_alike: str, original: str, tmp_path: Path
) -> None:
    before = dump(sample_db)
    result = cli("add-drama", look_alike, "--year", "2014")
    assert result.exit_code == 1
    assert f"looks like existing drama {original!r}" in result.stderr
    assert "--force" in result.stderr
    assert dump(sample_db) == before
    shown = json.loads(cli("show", "drama", look_alike, "--json").stdout)["data"]
    assert shown["title"] == original
    source = tmp_path / "look.yaml"
    source.write_text(f"format: scenecat/1\ndramas:\n  - title: {look_alike}\n", encoding="utf-8")
    imported = cli("import", str(source))
    assert imported.exit_code == 0
    assert f"spelled like {original!r}" in imported.stderr
    forced = cli("add-drama", f"{look_alike} 2", "--force")
    assert forced.exit_code == 0, forced.stderr


def test_a_look_alike_drama_in_a_file_loaded_into_an_empty_catalogue(
    cli, db: Path, tmp_path: Path
) -> None:
    """The bulk import (into an empty catalogue) warns as the record-by-record one does."""
    source = tmp_path / "two.yaml"
    source.write_text(
        "format: scenecat/1\ndramas:\n  - title: Healer\n  - title: \u13bbealer\n",
        encoding="utf-8",
    )
    imported = cli("import", str(source))
    assert imported.exit_code == 0, imported.stderr
    assert "spelled like 'Healer'" in imported.stderr


def test_a_name_wholly_in_another_script_is_its_own(cli, sample_db: Path) -> None:
    assert cli("add-actor", "Иван Петров").exit_code == 0
    assert cli("add-actor", "Ivan Petrov").exit_code == 0  # not a look-alike: different letters
