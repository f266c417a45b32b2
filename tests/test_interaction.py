"""Terminal behaviour: prompts for missing values on a terminal, errors without one, completion."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import dump, run_on_terminal, run_process


def test_add_scene_without_terminal_is_a_usage_error(sample_db: Path, cli) -> None:
    before = dump(sample_db)
    result = cli("add-scene", "--drama", "Healer", "--episode", "3", "--kind", "kiss")
    assert result.exit_code == 2
    assert "missing --actor" in result.stderr
    assert dump(sample_db) == before


@pytest.mark.slow
def test_add_scene_prompts_on_a_terminal(sample_db: Path) -> None:
    code, shown = run_on_terminal(
        ["add-scene", "--drama", "Healer", "--kind", "hug"],
        [
            (b"Episode", b"4\n"),
            (b"Actor:", b"Ji Chang Wook\n"),
            (b"Actor (empty when done):", b"\n"),
            (b"Title", b"Rooftop hug\n"),
            (b"Spoiler level", b"\n"),
            (b"Views", b"\n"),
        ],
        {"SCENECAT_DB": str(sample_db)},
    )
    assert code == 0, shown
    result = run_process(
        "show", "scene", "healer-e4-rooftop-hug", "--json", env={"SCENECAT_DB": str(sample_db)}
    )
    scene = json.loads(result.stdout)["data"]
    assert scene["episode"] == 4 and scene["kind"] == "hug" and scene["actors"] == ["Ji Chang Wook"]


@pytest.mark.slow
def test_shell_completion_offers_catalogue_names(sample_db: Path) -> None:
    env = {
        "SCENECAT_DB": str(sample_db), "_SCENECAT_COMPLETE": "complete_bash",
        "COMP_WORDS": "scenecat show actor Ji", "COMP_CWORD": "3",
    }  # fmt: skip
    result = run_process(env=env)
    assert r"Ji\ Chang\ Wook" in result.stdout.splitlines()  # bash: one argument
    env.update(COMP_WORDS="scenecat show scene melting-me-softly-e1", COMP_CWORD="3")
    assert "melting-me-softly-e10-shower-kiss" in run_process(env=env).stdout.splitlines()


def test_completion_never_creates_a_catalogue(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    env = {
        "SCENECAT_DB": str(missing), "_SCENECAT_COMPLETE": "complete_bash",
        "COMP_WORDS": "scenecat show actor Ji", "COMP_CWORD": "3",
    }  # fmt: skip
    result = run_process(env=env)
    assert result.exit_code == 0 and result.stdout.strip() == ""
    assert not missing.exists()


def test_no_traceback_without_debug(tmp_path: Path) -> None:
    bad = tmp_path / "not-a-db.db"
    bad.write_bytes(b"this is not sqlite at all" * 100)
    result = run_process("list", "scenes", env={"SCENECAT_DB": str(bad)})
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "Traceback" not in result.stderr
    assert "not a scenecat catalogue" in result.stderr
