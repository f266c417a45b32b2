"""Ctrl-C in a real terminal: the command says it was interrupted and what became of it, and
exits 130, during a long import and at every kind of prompt."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, dump
from tests.fixtures.ctrl_c import ENDLESS, ctrl_c_when_ready
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


# An import whose search index build (the longest statement of the bulk path's end) would
# run for minutes: only an interrupt ends it within a test run.
IMPORT_WITH_ENDLESS_INDEX = f"""
import sys
from scenecat.storage import search_index

def endless(conn):
    sys.stderr.write("started\\n")
    sys.stderr.flush()
    conn.execute({ENDLESS!r}).fetchall()

search_index.end_bulk = endless
sys.argv = ["scenecat", "--db", sys.argv[1], "import", sys.argv[2]]
from scenecat.__main__ import main
main()
"""


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT")
def test_ctrl_c_while_the_index_is_built_stops_at_once(tmp_path: Path) -> None:
    """Python runs its SIGINT handler only between bytecodes, so Ctrl-C once waited for the
    search index's build to end (13 s at 1M scenes, the bar standing at 100%): the statement
    is interrupted now, and nothing is imported."""
    db = tmp_path / "fresh.db"
    subprocess.run([sys.executable, "-m", "scenecat", "--db", str(db), "init"], check=True)
    before = dump(db)
    code, err = ctrl_c_when_ready(
        IMPORT_WITH_ENDLESS_INDEX, str(db), str(ROOT / "data/sample.yaml"), ready="started"
    )
    assert code == 130, err
    assert "Interrupted: nothing was imported (an import is all or nothing)." in err
    assert "Traceback" not in err
    assert dump(db) == before


# An undo that waits (in Python, where Ctrl-C lands) once it has emptied the loaded tables
# (sys.argv[2] == "cleared"), or once its transaction has committed ("committed").
UNDO_THAT_WAITS = """
import sys, time
from scenecat.domain import history
from scenecat.storage import connection

moment = sys.argv[2]

def then_wait(step, name):
    def patched(*args):
        step(*args)
        if moment == name:
            sys.stderr.write(name + "\\n")
            sys.stderr.flush()
            time.sleep(120)
    return patched

history.clear_load = then_wait(history.clear_load, "cleared")
connection._commit = then_wait(connection._commit, "committed")
sys.argv = ["scenecat", "--db", sys.argv[1], "undo", "--yes"]
from scenecat.__main__ import main
main()
"""


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT")
def test_ctrl_c_during_an_undo_says_nothing_was_undone(tmp_path: Path) -> None:
    db = tmp_path / "loaded.db"
    for args in (["init"], ["import", str(ROOT / "data/sample.yaml")]):
        subprocess.run([sys.executable, "-m", "scenecat", "--db", str(db), *args], check=True)
    before = dump(db)
    code, err = ctrl_c_when_ready(UNDO_THAT_WAITS, str(db), "cleared", ready="cleared")
    assert code == 130, err
    assert err.strip() == "Interrupted: nothing was undone.", err
    assert dump(db) == before
    listed = subprocess.run(
        [sys.executable, "-m", "scenecat", "--db", str(db), "history", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    changes = json.loads(listed.stdout)["data"]
    assert [(c["kind"], c["undone"]) for c in changes] == [("change", False)]


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT")
def test_ctrl_c_just_after_an_undo_commits_says_it_had_finished(tmp_path: Path) -> None:
    db = tmp_path / "loaded.db"
    for args in (["init"], ["import", str(ROOT / "data/sample.yaml")]):
        subprocess.run([sys.executable, "-m", "scenecat", "--db", str(db), *args], check=True)
    code, err = ctrl_c_when_ready(UNDO_THAT_WAITS, str(db), "committed", ready="committed")
    assert code == 130, err
    assert err.strip() == "Interrupted: the undo had just finished; see `scenecat history`.", err
    listed = subprocess.run(
        [sys.executable, "-m", "scenecat", "--db", str(db), "history", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    changes = json.loads(listed.stdout)["data"]
    assert [(c["kind"], c["undone"]) for c in changes] == [("undo", False), ("change", True)]
