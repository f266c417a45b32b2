"""Text that is not valid Unicode (lone surrogates, from JSON escapes like "\\ud800" or from
command-line bytes that are not UTF-8) is refused with one clear line, and nothing changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import dump

MESSAGE = "must be valid Unicode text (it has a lone surrogate: is the source UTF-8?)"


@pytest.mark.parametrize(
    "args",
    [
        ("add-actor", "T\udc80x"),
        ("add-drama", "Healer \ud800"),
        ("add-scene", "--drama", "Healer", "--episode", "1", "--actor", "Ji Chang Wook",
         "--kind", "kiss", "--title", "New", "--description", "a\udcffb"),
        ("vote", "healer-e9-snowy-rooftop-kiss", "9", "--voter", "fan\udc80"),
    ],
    ids=["actor", "drama", "description", "voter"],
)  # fmt: skip
def test_command_line(sample_db: Path, cli, args: tuple[str, ...]) -> None:
    before = dump(sample_db)
    result = cli(*args)
    assert result.exit_code == 2  # a bad value, whatever the catalogue holds: usage
    assert result.stderr.startswith("Error: ") and MESSAGE in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert dump(sample_db) == before


@pytest.mark.parametrize("bulk", [True, False], ids=["empty catalogue", "non-empty"])
def test_json_lines_import(db: Path, sample_db: Path, cli, tmp_path: Path, bulk: bool) -> None:
    if bulk:
        sample_db.unlink()
    lines = [
        '{"format": "scenecat/1"}',
        '{"type": "actor", "name": "Kim Ok"}',
        '{"type": "drama", "title": "Surrogates", "cast": [{"actor": "Kim Ok"}]}',
        '{"type": "scene", "drama": "Surrogates", "kind": "kiss", "title": "T",'
        ' "description": "a\\ud800b", "actors": ["Kim Ok"]}',
    ]
    source = tmp_path / "bad.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = dump(db) if db.exists() else None
    result = cli("import", str(source))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {source}:4: scene.description: {MESSAGE}"
    if before is not None:
        assert dump(db) == before
    else:
        assert "Kim Ok" not in dump(db)
