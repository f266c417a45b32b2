"""#13.1: `edit` changes only what it names. The record is read again inside the write
transaction; what the user changed (by flag or in $EDITOR) is laid over that fresh copy, so a
change another process made meanwhile is never written back over."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.conftest import run_on_terminal
from tests.fixtures.safety import python_env


def _editor(tmp_path: Path, db: Path, change: str, meanwhile: list[list[str]]) -> str:
    """An $EDITOR that, while 'open', lets other scenecat processes change the record, then
    saves the user's own change (`change`: Python over the loaded mapping `r`)."""
    script = tmp_path / "editor.py"
    script.write_text(
        "import pathlib, subprocess, sys, yaml\n"
        f"for args in {meanwhile!r}:\n"
        f"    subprocess.run([sys.executable, '-m', 'scenecat', '--db', {str(db)!r}, *args],"
        " check=True, capture_output=True)\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "r = yaml.safe_load(p.read_text())\n"
        f"{change}\n"
        "p.write_text(yaml.safe_dump(r, allow_unicode=True))\n",
        encoding="utf-8",
    )
    return f"{sys.executable} {script}"


@pytest.mark.slow
def test_editor_change_keeps_what_others_changed_meanwhile(
    sample_db: Path, cli, tmp_path: Path
) -> None:
    editor = _editor(
        tmp_path,
        sample_db,
        "r['network'] = 'tvN (CJ ENM)'; r['aliases'].append('Melting')",
        [
            ["edit", "drama", "Melting Me Softly", "--year", "2020"],
            ["alias", "drama", "Melting Me Softly", "Melting Me Gently"],
        ],
    )
    code, screen = run_on_terminal(
        ["--db", str(sample_db), "edit", "drama", "Melting Me Softly"],
        [],
        python_env(EDITOR=editor, VISUAL=editor),
    )
    assert code == 0, screen
    drama = json.loads(cli("show", "drama", "Melting Me Softly", "--json").stdout)["data"]
    assert drama["network"] == "tvN (CJ ENM)"  # the user's change
    assert drama["year"] == 2020  # another process's change, kept
    # the user's addition, the concurrent one, and the one that was there
    assert {"Melting", "Melting Me Gently", "Melt Me Softly"} <= set(drama["aliases"])


def test_flag_edit_changes_only_the_named_field(sample_db: Path, cli, tmp_path: Path) -> None:
    key = "melting-me-softly-e10-shower-kiss"
    before = json.loads(cli("show", "scene", key, "--json").stdout)["data"]
    assert cli("edit", "scene", key, "--location", "a bathroom").exit_code == 0
    after = json.loads(cli("show", "scene", key, "--json").stdout)["data"]
    assert after["location"] == "a bathroom"
    assert {k: v for k, v in after.items() if k != "location"} == {
        k: v for k, v in before.items() if k != "location"
    }


@pytest.mark.slow
def test_editing_a_record_another_process_removed(sample_db: Path, cli, tmp_path: Path) -> None:
    editor = _editor(
        tmp_path,
        sample_db,
        "r['kind'] = 'hug'",
        [["remove", "scene", "melting-me-softly-e10-shower-kiss", "--yes"]],
    )
    code, screen = run_on_terminal(
        ["--db", str(sample_db), "edit", "scene", "melting-me-softly-e10-shower-kiss"],
        [],
        python_env(EDITOR=editor, VISUAL=editor),
        cwd=tmp_path,
    )
    assert code == 1
    assert "removed by another command while you were editing" in screen
    assert "your edited text is saved in" in screen  # not reopened: it cannot apply
    assert cli("show", "scene", "melting-me-softly-e10-shower-kiss").exit_code == 1
