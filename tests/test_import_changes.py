"""#13.6: importing records whose keys exist with different values says what changed
("1 changed scene"); --dry-run lists the changes and changes nothing; re-importing an
identical file stays a no-op."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SAMPLE, dump
from tests.fixtures.safety import raw_dump

CHANGED = """format: scenecat/1
actors:
  - name: Ji Chang Wook
    born: 1988
scenes:
  - key: healer-e8-elevator-rescue
    drama: Healer
    episode: 8
    kind: rescue
    title: The elevator, sabotaged
    actors: [Ji Chang Wook, Park Min Young]
    spoiler: minor
"""


def test_import_reports_changed_records(cli, sample_db: Path, tmp_path: Path) -> None:
    source = tmp_path / "changed.yaml"
    source.write_text(CHANGED, encoding="utf-8")
    result = cli("import", str(source))
    assert result.exit_code == 0, result.stderr
    assert "0 new actors (of 1), 1 changed actor" in result.stderr
    assert "0 new scenes (of 1), 1 changed scene" in result.stderr


def test_dry_run_lists_changes_and_changes_nothing(cli, sample_db: Path, tmp_path: Path) -> None:
    source = tmp_path / "changed.yaml"
    source.write_text(CHANGED, encoding="utf-8")
    before = raw_dump(sample_db)
    result = cli("import", str(source), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "would change actor Ji Chang Wook: born: 1987 -> 1988" in result.stderr
    assert (
        "would change scene healer-e8-elevator-rescue: "
        "title: 'The sabotaged elevator' -> 'The elevator, sabotaged'"
    ) in result.stderr
    assert "1 changed scene" in result.stderr and "nothing was changed" in result.stderr
    assert raw_dump(sample_db) == before  # not even a history entry


@pytest.mark.slow
def test_reimporting_an_identical_file_is_a_no_op(cli, sample_db: Path, tmp_path: Path) -> None:
    before = dump(sample_db)
    result = cli("import", str(SAMPLE))
    assert result.exit_code == 0, result.stderr
    assert "changed" not in result.stderr
    assert dump(sample_db) == before
    exported = tmp_path / "again.yaml"
    assert cli("export", "yaml", "-o", str(exported)).exit_code == 0
    result = cli("import", str(exported), "--dry-run")
    assert result.exit_code == 0 and "would change" not in result.stderr
    result = cli("import", str(exported))
    assert result.exit_code == 0 and "changed" not in result.stderr
    assert dump(sample_db) == before
