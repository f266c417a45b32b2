"""Issue 25's questions, asked on a pseudo-terminal as a person meets them: a new kind, a
near-duplicate scene and a romanisation variant are asked about ("no" cancels, exit 0,
nothing written), a typo of a kind is refused or asked again, a "no" to a confirmation is
no error, undo refuses before it asks, and interactive add-scene asks the spoiler level and
the views."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import dump, run_process
from tests.terminal import Terminal

pytestmark = pytest.mark.slow

SHOWER = "melting-me-softly-e10-shower-kiss"
MMS_E10 = ["--drama", "Melting Me Softly", "--episode", "10", "--actor", "Ji Chang Wook"]


def _env(db: Path) -> dict[str, str]:
    return {"SCENECAT_DB": str(db)}


def _keys(db: Path) -> list[str]:
    shown = run_process("list", "scenes", "--json", "--limit", "1000", env=_env(db))
    return [s["key"] for s in json.loads(shown.stdout)["data"]]


def test_a_kind_typo_as_a_flag_is_refused_without_a_question(sample_db: Path) -> None:
    before = dump(sample_db)
    term = Terminal(["add-scene", *MMS_E10, "--kind", "kis", "--title", "T"], _env(sample_db))
    assert term.wait() == 1, term.output
    assert "Error: unknown kind 'kis'; did you mean 'kiss'?" in term.output
    assert "[y/N]" not in term.output
    assert dump(sample_db) == before


@pytest.mark.parametrize(("answer", "added"), [("n", False), ("y", True)])
def test_a_new_kind_is_asked_about(sample_db: Path, answer: str, added: bool) -> None:
    before = dump(sample_db)
    args = ["add-scene", *MMS_E10, "--kind", "umbrella-share", "--title", "Umbrella"]
    term = Terminal(args, _env(sample_db))
    term.expect("'umbrella-share' is a new kind (not built in, no scene has it). Add it? [y/N]")
    term.type(answer)
    assert term.wait() == 0, term.output
    if added:
        assert "Added scene melting-me-softly-e10-umbrella" in term.output
    else:
        assert "Cancelled; nothing changed." in term.output and "Error" not in term.output
        assert dump(sample_db) == before


def test_the_kind_question_asks_again_after_a_typo(sample_db: Path) -> None:
    term = Terminal(["add-scene", *MMS_E10, "--title", "Asked kind"], _env(sample_db))
    term.expect("Kind")
    term.type("kis")
    assert "unknown kind 'kis'; did you mean 'kiss'?" in term.expect("Kind")
    term.type("umbrella-share")
    term.expect("'umbrella-share' is a new kind (not built in, no scene has it). Use it? [y/N]")
    term.type("y")
    term.expect("Spoiler level")
    term.type("")
    term.expect("Views of its clip")
    term.type("")
    assert term.wait() == 0, term.output
    assert "melting-me-softly-e10-asked-kind" in _keys(sample_db)


@pytest.mark.parametrize(("answer", "added"), [("n", False), ("y", True)])
def test_a_near_duplicate_is_asked_about(sample_db: Path, answer: str, added: bool) -> None:
    before = dump(sample_db)
    args = ["add-scene", *MMS_E10, "--kind", "kiss", "--title", "Shower kiss"]
    term = Terminal(args, _env(sample_db))
    shown = term.expect("Add this scene all the same? [y/N]")
    assert f"Melting Me Softly, episode 10, already has 'The shower kiss' (key {SHOWER})" in shown
    term.type(answer)
    assert term.wait() == 0, term.output
    if added:
        assert f"{SHOWER}-2" in _keys(sample_db)
    else:
        assert "Cancelled; nothing changed." in term.output and "Error" not in term.output
        assert dump(sample_db) == before


@pytest.mark.parametrize(("answer", "added"), [("n", False), ("y", True)])
def test_a_romanisation_variant_is_asked_about(sample_db: Path, answer: str, added: bool) -> None:
    before = dump(sample_db)
    term = Terminal(["add-actor", "Kong Yoo"], _env(sample_db))
    term.expect(
        "'Kong Yoo' looks like existing actor 'Gong Yoo' romanised another way. "
        "Add 'Kong Yoo' as a different person? [y/N]"
    )
    term.type(answer)
    assert term.wait() == 0, term.output
    if added:
        assert "Added actor Kong Yoo" in term.output
    else:
        assert "Cancelled; nothing changed." in term.output
        assert dump(sample_db) == before


def test_no_to_a_merge_is_no_error(sample_db: Path) -> None:
    before = dump(sample_db)
    term = Terminal(["merge", "actor", "Ji Chang Wook", "Won Jin Ah"], _env(sample_db))
    term.expect("[y/N]")
    term.type("n")
    assert term.wait() == 0, term.output
    assert "Cancelled; nothing changed." in term.output
    assert "Error" not in term.output
    assert dump(sample_db) == before


def test_undo_refuses_before_it_asks(sample_db: Path) -> None:
    env = _env(sample_db)
    assert run_process("vote", SHOWER, "9", env=env).exit_code == 0
    assert run_process("vote", SHOWER, "4", env=env).exit_code == 0
    history = json.loads(run_process("history", "--json", env=env).stdout)["data"]
    before = dump(sample_db)
    term = Terminal(["undo", "--change", str(history[1]["id"])], env)
    assert term.wait() == 1, term.output
    assert "Error: cannot undo" in term.output and "[y/N]" not in term.output
    assert dump(sample_db) == before


def test_interactive_add_scene_asks_spoiler_and_views(sample_db: Path) -> None:
    term = Terminal(["add-scene", *MMS_E10, "--kind", "hug"], _env(sample_db))
    term.expect("Title: ")
    term.type("Asked hug")
    term.expect("Spoiler level (none, minor, major, ending; Enter: none): ")
    term.type("huge")
    term.expect("Spoiler level")
    term.type("major")
    term.expect("Views of its clip (Enter: none): ")
    term.type("lots")
    term.expect("Views of its clip")
    term.type("1,200,000")
    term.expect("Where the views were seen (a name or a URL; Enter: none): ")
    term.type("tvN drama")
    assert term.wait() == 0, term.output
    shown = run_process(
        "show", "scene", "melting-me-softly-e10-asked-hug", "--json", env=_env(sample_db)
    )
    scene = json.loads(shown.stdout)["data"]
    assert scene["spoiler"] == "major"
    assert [(v["count"], v["source"]) for v in scene["views"]] == [(1_200_000, "tvN drama")]
