"""Interactive `add-scene` in a real 80-column terminal: each answer is checked as it is
typed (a typo is asked again with "did you mean", never fatal), several actors, Tab
completion of drama and actor names, and the catalogue unchanged when the person gives up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import dump, run_process
from tests.terminal import Terminal

pytestmark = pytest.mark.slow


def _scene(db: Path, key: str) -> dict[str, object]:
    shown = run_process("show", "scene", key, "--json", env={"SCENECAT_DB": str(db)})
    assert shown.exit_code == 0, shown
    data: dict[str, object] = json.loads(shown.stdout)["data"]
    return data


def test_typos_are_asked_again_and_nothing_typed_is_lost(sample_db: Path) -> None:
    term = Terminal(["add-scene"], {"SCENECAT_DB": str(sample_db)})
    term.expect("Drama: ")
    term.type("Melting You Softly")
    shown = term.expect("Drama: ")
    assert "no drama called 'Melting You Softly'" in shown
    assert "did you mean 'Melting Me Softly'" in shown
    term.type("melting me softly")
    term.expect("Episode (1-16, empty if none): ")
    term.type("17")
    assert "episode 17 is past the end of Melting Me Softly" in term.expect("Episode")
    term.type("ten")
    assert "expected a whole number" in term.expect("Episode")
    term.type("10")
    term.expect("Actor: ")
    term.type("Ji Chang Wok, Won Jin Ah")
    shown = term.expect("Actor (empty when done): ")
    assert "no actor called 'Ji Chang Wok'" in shown and "did you mean 'Ji Chang Wook'" in shown
    assert "(kept Won Jin Ah)" in shown
    term.type("won jin ah")
    assert "won jin ah is in this scene already" in term.expect("Actor (empty when done): ")
    term.type("Ji Chang Wook")
    term.expect("Actor (empty when done): ")
    term.type("")
    term.expect("Kind")
    term.type("a kiss!")
    assert "is not a scene kind" in term.expect("Kind")
    term.type("kiss")
    term.expect("Title: ")
    term.type("the shower KISS")
    shown = term.expect("Add this scene all the same? [y/N]")
    assert "This episode already has 'The shower kiss' (key melting-me-softly-e10-shower-kiss)" in (
        shown
    )
    term.type("n")
    term.expect("Title: ")
    term.type("The second shower kiss")
    term.expect("Spoiler level (none, minor, major, ending; Enter: none): ")
    term.type("")
    term.expect("Views of its clip (Enter: none): ")
    term.type("")
    assert term.wait() == 0, term.output
    assert "Added scene melting-me-softly-e10-the-second-shower-kiss" in term.output
    scene = _scene(sample_db, "melting-me-softly-e10-the-second-shower-kiss")
    assert scene["drama"] == "Melting Me Softly" and scene["episode"] == 10
    assert scene["actors"] == ["Won Jin Ah", "Ji Chang Wook"]
    assert scene["kind"] == "kiss"


def test_tab_completes_drama_and_actor_names(sample_db: Path) -> None:
    term = Terminal(["add-scene", "--kind", "hug"], {"SCENECAT_DB": str(sample_db)})
    assert "(Tab completes drama and actor names.)" in term.expect("Drama: ")
    term.send(b"Melting M\t")
    term.expect("Melting Me Softly")
    term.type("")
    term.expect("Episode")
    term.type("")  # no episode
    term.expect("Actor: ")
    term.send(b"Won Jin A\t, Ji Chang W\t")
    term.expect("Ji Chang Wook")
    term.type("")
    term.expect("Actor (empty when done): ")
    term.type("")
    term.expect("Title: ")
    term.type("Tabbed hug")
    term.expect("Spoiler level")
    term.type("")
    term.expect("Views of its clip")
    term.type("")
    assert term.wait() == 0, term.output
    scene = _scene(sample_db, "melting-me-softly-tabbed-hug")
    assert scene["episode"] is None
    assert scene["actors"] == ["Won Jin Ah", "Ji Chang Wook"]


def test_a_wrong_flag_ends_before_any_question(sample_db: Path) -> None:
    before = dump(sample_db)
    term = Terminal(["add-scene", "--drama", "Melting You Softly"], {"SCENECAT_DB": str(sample_db)})
    assert term.wait() == 1
    assert "Error: no drama called 'Melting You Softly'" in term.output
    assert "Episode" not in term.output
    assert dump(sample_db) == before


def test_end_of_input_cancels_and_changes_nothing(sample_db: Path) -> None:
    before = dump(sample_db)
    term = Terminal(["add-scene", "--drama", "Healer"], {"SCENECAT_DB": str(sample_db)})
    term.expect("Episode")
    term.type("3")
    term.expect("Actor: ")
    term.send(b"\x04")
    assert term.wait() == 1, term.output
    assert "Error: cancelled (end of input); nothing was changed" in term.output
    assert dump(sample_db) == before


def test_no_catalogue_is_said_before_asking(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    term = Terminal(["--db", str(missing), "add-scene"], {})
    assert term.wait() == 1
    assert "there is no catalogue at" in term.output and "Drama" not in term.output
    assert not missing.exists()
