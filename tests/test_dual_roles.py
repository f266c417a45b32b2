"""#13.4: an actor who plays two characters in one drama (twins, a dual role) keeps both
credits, from --cast, from import (normal and bulk) and through export and re-import."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.conftest import dump

DUAL = """format: scenecat/1
actors:
  - name: Twin Actor
  - name: Other Actor
dramas:
  - title: Two Of Me
    episodes: 8
    cast:
      - {actor: Twin Actor, character: Elder Twin, role: main}
      - {actor: Twin Actor, character: Younger Twin, role: main}
      - {actor: Other Actor, character: Friend, role: support}
scenes:
  - key: two-of-me-e1-mirror
    drama: Two Of Me
    episode: 1
    kind: confession
    title: The mirror
    actors: [Twin Actor, Other Actor]
"""


def _credits(db: Path) -> list[tuple[str, str | None, str]]:
    conn = sqlite3.connect(db)
    try:
        return sorted(
            conn.execute(
                "SELECT a.name, c.character, c.role FROM credit c JOIN actor a ON a.id = c.actor_id"
            ).fetchall()
        )
    finally:
        conn.close()


WANTED = [
    ("Other Actor", "Friend", "support"),
    ("Twin Actor", "Elder Twin", "main"),
    ("Twin Actor", "Younger Twin", "main"),
]


def test_add_drama_with_one_actor_in_two_roles(cli, db: Path) -> None:
    assert cli("add-actor", "Twin Actor").exit_code == 0
    result = cli(
        "add-drama",
        "Two Of Me",
        "--cast",
        "Twin Actor:Elder Twin",
        "--cast",
        "Twin Actor:Younger Twin",
    )
    assert result.exit_code == 0, result.stderr
    assert "2 cast members" in result.stderr
    assert _credits(db) == [WANTED[1], WANTED[2]]
    shown = json.loads(cli("show", "drama", "Two Of Me", "--json").stdout)["data"]
    assert sorted(c["character"] for c in shown["cast"]) == ["Elder Twin", "Younger Twin"]
    listed = json.loads(cli("list", "actors", "--json").stdout)["data"]
    twin = next(a for a in listed if a["name"] == "Twin Actor")
    assert twin.get("dramas", 1) == 1  # two roles, one drama


def test_import_keeps_both_roles_and_round_trips(cli, db: Path, tmp_path: Path) -> None:
    source = tmp_path / "dual.yaml"
    source.write_text(DUAL, encoding="utf-8")
    # into an empty catalogue: the bulk path
    assert cli("import", str(source)).exit_code == 0
    assert _credits(db) == WANTED
    assert cli("db", "check").exit_code == 0
    exported = tmp_path / "out.yaml"
    assert cli("export", "yaml", "-o", str(exported)).exit_code == 0
    text = exported.read_text(encoding="utf-8")
    assert "Elder Twin" in text and "Younger Twin" in text
    # format 1 represents a dual role as two cast entries naming the same actor
    before = dump(db)
    again = cli("import", str(exported))
    assert again.exit_code == 0, again.stderr
    assert dump(db) == before  # re-importing is a no-op
    # into a catalogue that is not empty: the record-by-record path
    other = tmp_path / "other.db"
    assert cli("--db", str(other), "add-actor", "Somebody Else").exit_code == 0
    assert cli("--db", str(other), "import", str(exported)).exit_code == 0
    assert _credits(other) == WANTED
    assert cli("--db", str(other), "db", "check").exit_code == 0


def test_a_role_without_a_character_does_not_add_a_credit(cli, db: Path, tmp_path: Path) -> None:
    source = tmp_path / "dual.yaml"
    source.write_text(DUAL, encoding="utf-8")
    assert cli("import", str(source)).exit_code == 0
    assert cli("edit", "drama", "Two Of Me", "--year", "2024").exit_code == 0
    assert _credits(db) == WANTED  # an edit keeps both roles
