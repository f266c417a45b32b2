"""Catalogue files: import all-or-nothing with file:line:field errors, idempotence, round trips."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.conftest import SAMPLE, dump

GOOD = textwrap.dedent(
    """\
    format: scenecat/1
    actors:
      - name: Ji Chang Wook
        native: 지창욱
      - name: Won Jin Ah
    dramas:
      - title: Melting Me Softly
        network: tvN
        year: 2019
        episodes: 16
        cast:
          - {actor: Ji Chang Wook, character: Ma Dong Chan, role: main}
          - {actor: Won Jin Ah, character: Go Mi Ran, role: main}
    scenes:
      - key: melting-me-softly-e10-shower-kiss
        drama: Melting Me Softly
        episode: 10
        kind: kiss
        title: The shower kiss
        actors: [Ji Chang Wook, Won Jin Ah]
        views:
          - {count: 1000000, on: 2019-11-10, source: tvN official upload}
    votes:
      - {scene: melting-me-softly-e10-shower-kiss, score: 9, voter: me, on: 2019-11-11}
    """
)


def _write(tmp_path: Path, text: str, name: str = "in.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.slow
def test_sample_imports_and_reimport_changes_nothing(db: Path, cli) -> None:
    first = cli("import", str(SAMPLE))
    assert first.exit_code == 0, first.stderr
    before = dump(db)
    second = cli("import", str(SAMPLE))
    assert second.exit_code == 0
    assert "0 new scenes" in second.stderr
    assert dump(db) == before
    assert cli("db", "check").exit_code == 0


@pytest.mark.slow
def test_export_import_export_is_identical(sample_db: Path, cli, tmp_path: Path) -> None:
    exported = tmp_path / "out.yaml"
    assert cli("export", "yaml", "-o", str(exported)).exit_code == 0
    other = tmp_path / "other.db"
    assert cli("--db", str(other), "import", str(exported)).exit_code == 0
    again = cli("--db", str(other), "export", "yaml")
    assert again.stdout == exported.read_text(encoding="utf-8")
    assert "on: 2019-11-10" in again.stdout  # a date, not YAML 1.1's boolean `on`


@pytest.mark.slow
def test_jsonl_round_trip(sample_db: Path, cli, tmp_path: Path) -> None:
    exported = tmp_path / "out.jsonl"
    assert cli("export", "jsonl", "-o", str(exported)).exit_code == 0
    lines = exported.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0]) == {"format": "scenecat/1"}
    assert {json.loads(line)["type"] for line in lines[1:]} == {
        "actor",
        "drama",
        "scene",
        "vote",
        "duel",
    }
    other = tmp_path / "other.db"
    assert cli("--db", str(other), "import", str(exported)).exit_code == 0
    assert cli("--db", str(other), "export", "jsonl").stdout == exported.read_text(encoding="utf-8")
    assert cli("--db", str(other), "export", "yaml").stdout == cli("export", "yaml").stdout


BAD_CASES = {
    "malformed yaml": (GOOD.replace("    kind: kiss\n", "    kind: [kiss\n"), "in.yaml:", "not valid YAML"),
    "unknown key": (GOOD.replace("    kind: kiss\n", "    kind: kiss\n    mood: happy\n"), "in.yaml:19: scenes[0].mood: unknown field", None),
    "wrong type": (GOOD.replace("    episode: 10\n", "    episode: ten\n"), "in.yaml:17: scenes[0].episode: expected a whole number", None),
    "unknown drama": (GOOD.replace("    drama: Melting Me Softly\n", "    drama: Melting Me Slowly\n"), "in.yaml:16: scenes[0].drama: no drama called 'Melting Me Slowly'", None),
    "unknown actor": (GOOD.replace("actors: [Ji Chang Wook, Won Jin Ah]", "actors: [Ji Chang Wook, Nobody Here]"), "in.yaml:20: scenes[0].actors[1]: no actor called 'Nobody Here'", None),
    "episode zero": (GOOD.replace("    episode: 10\n", "    episode: 0\n"), "scenes[0].episode: 0 is out of range", None),
    "episode past end": (GOOD.replace("    episode: 10\n", "    episode: 17\n"), "scenes[0].episode: episode 17 is past the end of Melting Me Softly (16 episodes)", None),
    "empty name": (GOOD.replace("  - name: Won Jin Ah\n", "  - name: '  '\n"), "in.yaml:5: actors[1].name: must not be empty", None),
    "bad score": (GOOD.replace("score: 9", "score: 11"), "votes[0].score: 11 is out of range 1..10", None),
    "future date": (GOOD.replace("on: 2019-11-11", "on: 2099-01-01"), "votes[0].on: 2099-01-01 is in the future", None),
    "bad format": (GOOD.replace("format: scenecat/1", "format: scenecat/9"), "format: expected 'scenecat/1'", None),
    "unknown section": (GOOD + "comments: []\n", "comments: unknown section", None),
    "not a mapping": ("- just\n- a list\n", "expected a scenecat catalogue", None),
    "huge text": (GOOD.replace("    title: The shower kiss\n", "    title: " + "x" * 5000 + "\n"), "scenes[0].title: is 5000 characters long; the limit is 300", None),
    "duplicate key": (
        GOOD.replace("votes:", textwrap.indent(GOOD.split("scenes:\n")[1].split("votes:")[0], "") + "votes:"),
        "duplicate scene key 'melting-me-softly-e10-shower-kiss' in this file", None,
    ),
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_file_gives_one_line_and_changes_nothing(
    sample_db: Path, cli, tmp_path: Path, case: str
) -> None:
    text, expected, extra = BAD_CASES[case]
    path = _write(tmp_path, text)
    before = dump(sample_db)
    result = cli("import", str(path))
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith("Error: ")
    assert expected in first
    if extra:
        assert extra in first
    assert "Traceback" not in result.stderr
    assert [line for line in result.stderr.splitlines() if not line.startswith("hint: ")] == [first]
    assert dump(sample_db) == before


def test_half_good_file_writes_nothing(db: Path, cli, tmp_path: Path) -> None:
    # The actors and drama are fine; the scene at the end is not: nothing may be written.
    path = _write(tmp_path, GOOD.replace("    episode: 10\n", "    episode: 99\n"))
    assert cli("import", str(path)).exit_code == 1
    assert json.loads(cli("list", "actors", "--json").stdout)["data"] == []


def test_jsonl_errors_name_the_line(db: Path, cli, tmp_path: Path) -> None:
    lines = [
        {"format": "scenecat/1"},
        {"type": "actor", "name": "Ji Chang Wook"},
        {"type": "drama", "title": "Healer", "episodes": 20},
        {"type": "scene", "drama": "Healer", "episode": "x", "kind": "kiss", "title": "A"},
    ]
    path = _write(tmp_path, "\n".join(json.dumps(x) for x in lines) + "\n", "in.jsonl")
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert (
        result.stderr.startswith("Error: ")
        and "in.jsonl:4: scene.episode: expected a whole number" in result.stderr
    )
    assert json.loads(cli("list", "actors", "--json").stdout)["data"] == []
    broken = _write(
        tmp_path, '{"format": "scenecat/1"}\n{"type": "actor", "name": \n', "broken.jsonl"
    )
    result = cli("import", str(broken))
    assert result.exit_code == 1 and "broken.jsonl:2: not valid JSON" in result.stderr


def test_unsupported_and_missing_files(db: Path, cli, tmp_path: Path) -> None:
    missing = cli("import", str(tmp_path / "nope.yaml"))
    assert missing.exit_code == 1 and "no file at" in missing.stderr
    odd = _write(tmp_path, "x", "notes.txt")
    result = cli("import", str(odd))
    assert result.exit_code == 1 and "unknown file type .txt" in result.stderr
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    result = cli("import", str(binary))
    assert result.exit_code == 1 and result.stderr.startswith("Error: ")


def test_unicode_forms_are_one_name(db: Path, cli, tmp_path: Path) -> None:
    import unicodedata

    nfd = unicodedata.normalize("NFD", "지창욱")
    assert nfd != "지창욱"
    assert cli("add-actor", "Ji Chang Wook", "--native", nfd).exit_code == 0
    data = json.loads(cli("show", "actor", "지창욱", "--json").stdout)["data"]
    assert data["native"] == "지창욱"  # stored NFC
    assert cli("show", "actor", nfd).exit_code == 0
