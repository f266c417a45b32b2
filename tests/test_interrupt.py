"""Ctrl-C in a real terminal: the command says it was interrupted and what became of it, and
exits 130, during a long import and at every kind of prompt."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, dump
from tests.terminal import Terminal

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def big_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20,000 generated scenes: an import of a few seconds, long enough to interrupt."""
    path = tmp_path_factory.mktemp("big") / "big.jsonl"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--scenes", "20k", "-o", str(path)],
        check=True,
        capture_output=True,
    )
    return path


def _env(db: Path) -> dict[str, str]:
    return {"SCENECAT_DB": str(db)}


@pytest.mark.parametrize("start", ["sample", "empty"])
def test_ctrl_c_during_an_import_says_nothing_was_imported(
    sample_db: Path, big_catalogue: Path, start: str
) -> None:
    db = sample_db
    if start == "empty":  # the bulk path into a fresh catalogue
        db.unlink()
        db = sample_db.with_name("fresh.db")
        subprocess.run([sys.executable, "-m", "scenecat", "--db", str(db), "init"], check=True)
    before = dump(db)
    term = Terminal(["--db", str(db), "import", str(big_catalogue)], {})
    term.expect("Importing big.jsonl")
    time.sleep(0.5)
    term.interrupt()
    code = term.wait()
    assert code == 130, term.output
    assert "Interrupted: nothing was imported (an import is all or nothing)." in term.output
    assert "Traceback" not in term.output and "Aborted" not in term.output
    assert dump(db) == before


def test_ctrl_c_at_an_add_scene_prompt(sample_db: Path) -> None:
    before = dump(sample_db)
    term = Terminal(["add-scene"], _env(sample_db))
    term.expect("Drama")
    term.interrupt()
    assert term.wait() == 130, term.output
    assert "Interrupted: nothing was changed." in term.output
    assert "Aborted" not in term.output
    assert dump(sample_db) == before


def test_ctrl_c_at_a_confirmation(sample_db: Path) -> None:
    before = dump(sample_db)
    term = Terminal(["remove", "scene", "melting-me-softly-e10-shower-kiss"], _env(sample_db))
    term.expect("[y/N]")
    term.interrupt()
    assert term.wait() == 130, term.output
    assert "Interrupted: nothing was changed." in term.output
    assert dump(sample_db) == before


def test_ctrl_d_at_a_confirmation_cancels(sample_db: Path) -> None:
    before = dump(sample_db)
    term = Terminal(["remove", "scene", "melting-me-softly-e10-shower-kiss"], _env(sample_db))
    term.expect("[y/N]")
    term.send(b"\x04")
    assert term.wait() == 1, term.output
    assert "Error: cancelled (end of input); nothing was changed" in term.output
    assert dump(sample_db) == before
