"""#13.5: a key named twice in a YAML mapping or a JSON object (or two top-level `actors:`
sections) is an error naming the line, not "the last one wins"; #13.11: very deep nesting
is a clear error too."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import dump

YAML_CASES = {
    "two sections": (
        "format: scenecat/1\nactors:\n  - name: First Section\nactors:\n  - name: Second One\n",
        4,
        "actors",
    ),
    "a field twice": (
        "format: scenecat/1\nactors:\n  - name: Twice Named\n    born: 1980\n    born: 1990\n",
        5,
        "born",
    ),
    "inside a flow mapping": (
        "format: scenecat/1\nactors:\n  - {name: Flow One, name: Flow Two}\n",
        3,
        "name",
    ),
}


@pytest.mark.parametrize("case", YAML_CASES)
def test_yaml_duplicate_keys_are_errors_naming_the_line(
    cli, sample_db: Path, tmp_path: Path, case: str
) -> None:
    text, line, key = YAML_CASES[case]
    source = tmp_path / "dup.yaml"
    source.write_text(text, encoding="utf-8")
    before = dump(sample_db)
    result = cli("import", str(source))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {source}:{line}: ")
    assert f"'{key}' appears twice" in result.stderr
    assert dump(sample_db) == before


def test_yaml_duplicate_keys_into_an_empty_catalogue(cli, db: Path, tmp_path: Path) -> None:
    source = tmp_path / "dup.yaml"
    source.write_text(YAML_CASES["two sections"][0], encoding="utf-8")
    result = cli("import", str(source))
    assert result.exit_code == 1 and "appears twice" in result.stderr


def test_json_duplicate_keys_are_errors_naming_the_line(
    cli, sample_db: Path, tmp_path: Path
) -> None:
    source = tmp_path / "dup.jsonl"
    source.write_text(
        '{"format": "scenecat/1"}\n'
        '{"type": "actor", "name": "Json Person"}\n'
        '{"type": "actor", "name": "Json Twice", "born": 1980, "born": 1990}\n',
        encoding="utf-8",
    )
    before = dump(sample_db)
    result = cli("import", str(source))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {source}:3: ")
    assert "'born' appears twice" in result.stderr
    assert dump(sample_db) == before


def test_json_nested_objects_are_checked_too(cli, sample_db: Path, tmp_path: Path) -> None:
    source = tmp_path / "dup.jsonl"
    source.write_text(
        '{"format": "scenecat/1"}\n'
        '{"type": "drama", "title": "Nested Dup", "cast": [{"actor": "Ji Chang Wook", '
        '"character": "A", "character": "B"}]}\n',
        encoding="utf-8",
    )
    result = cli("import", str(source))
    assert result.exit_code == 1 and "'character' appears twice" in result.stderr


@pytest.mark.parametrize("suffix", ["jsonl", "yaml"])
def test_very_deep_nesting_is_a_clear_error(
    cli, sample_db: Path, tmp_path: Path, suffix: str
) -> None:
    source = tmp_path / f"deep.{suffix}"
    depth = 100_000
    if suffix == "jsonl":
        body = '{"type": "actor", "name": ' + "[" * depth + "]" * depth + "}"
        source.write_text('{"format": "scenecat/1"}\n' + body + "\n", encoding="utf-8")
    else:
        source.write_text(
            "format: scenecat/1\nactors: " + "[" * depth + "]" * depth + "\n", encoding="utf-8"
        )
    before = dump(sample_db)
    result = cli("import", str(source))
    assert result.exit_code == 1, result.stderr
    assert result.stderr.startswith("Error: ") and "unexpected" not in result.stderr
    assert "nest" in result.stderr  # "nested too deeply" / libyaml's "maximum nesting depth"
    assert dump(sample_db) == before


@pytest.mark.slow
def test_editor_text_with_a_duplicate_key_is_refused(sample_db: Path, tmp_path: Path) -> None:
    import sys

    from tests.fixtures.safety import python_env
    from tests.terminal import Terminal

    script = tmp_path / "editor.py"
    script.write_text(
        "import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
        "p.write_text(p.read_text() + 'network: KBS\\nnetwork: MBC\\n')\n"
    )
    editor = f"{sys.executable} {script}"
    before = dump(sample_db)
    env = python_env(EDITOR=editor, VISUAL=editor, SCENECAT_DB=str(sample_db))
    term = Terminal(["edit", "drama", "Healer"], env, cwd=tmp_path)
    shown = term.expect("Edit your text again? [Y/n]: ")
    assert "appears twice" in shown
    term.type("n")
    assert term.wait() == 1, term.output
    # Given up: the person's text is kept in a new file, and the catalogue is unchanged.
    assert "your edited text is saved in" in term.output
    assert dump(sample_db) == before
