"""Bad input through the command line: one clear line, exit 1 (2 for usage), nothing changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import dump

SCENE = ["add-scene", "--drama", "Melting Me Softly", "--actor", "Ji Chang Wook", "--kind", "kiss"]

CASES = {
    "empty actor name": (["add-actor", "   "], 2, "Error: name: must not be empty"),
    "control chars in name": (["add-actor", "Bad\x1b[31mName"], 2, "Error: name: must not contain control characters"),
    "huge name": (["add-actor", "x" * 1000], 2, "Error: name: is 1000 characters long; the limit is 300"),
    "born not a number": (["add-actor", "New Person", "--born", "abc"], 2, "Error: Invalid value for '--born'"),
    "born in the future": (["add-actor", "New Person", "--born", "2999"], 2, "Error: born: 2999 is out of range"),
    "duplicate actor": (["add-actor", "Ji Chang Wook"], 1, "Error: actor 'Ji Chang Wook' already exists"),
    "duplicate drama": (["add-drama", "Healer"], 1, "Error: drama 'Healer' already exists"),
    "cast of unknown actor": (["add-drama", "New Show", "--cast", "Nobody:Someone"], 1, "Error: cast[0].actor: no actor called 'Nobody'"),
    "unknown drama": ([*SCENE[:1], "--drama", "Melting You Softly", *SCENE[3:], "--title", "T", "--episode", "1"], 1, "Error: drama: no drama called 'Melting You Softly'"),
    "episode zero": ([*SCENE, "--title", "T", "--episode", "0"], 2, "Error: episode: 0 is out of range"),
    "episode past the end": ([*SCENE, "--title", "T", "--episode", "17"], 1, "Error: episode: episode 17 is past the end of Melting Me Softly (16 episodes)"),
    "duplicate scene key": ([*SCENE, "--title", "T", "--episode", "1", "--key", "melting-me-softly-e10-shower-kiss"], 1, "Error: key: duplicate scene key"),
    "bad key": ([*SCENE, "--title", "T", "--episode", "1", "--key", "Not A Key!"], 2, "Error: key: 'Not A Key!' is not a scene key"),
    "huge description": ([*SCENE, "--title", "T", "--episode", "1", "--description", "y" * 50_000], 2, "Error: description: is 50000 characters long"),
    "bad spoiler": ([*SCENE, "--title", "T", "--episode", "1", "--spoiler", "huge"], 2, "Error: spoiler: 'huge' is not one of none, minor, major, ending"),
    "bad clock": ([*SCENE, "--title", "T", "--episode", "1", "--at", "99:99"], 2, "Error: at: time '99:99' is not mm:ss or h:mm:ss"),
    "views without count": ([*SCENE, "--title", "T", "--episode", "1", "--source", "x"], 2, "--on and --source describe --views"),
    "unknown scene vote": (["vote", "no-such-scene", "5"], 1, "Error: no scene with key 'no-such-scene'"),
    "episode number text": (["add-episode", "Healer", "three"], 2, "Error: Invalid value"),
    "rating out of range": (["add-episode", "Healer", "3", "--rating", "140"], 2, "Error: rating: 140.0 is out of range 0..100"),
    "bad air date": (["add-episode", "Healer", "3", "--aired", "2014-02-30"], 2, "Error: aired: '2014-02-30' is not a date"),
    "bad year range": (["list", "scenes", "--year", "20x6"], 2, "Error: year '20x6' is not YYYY or YYYY..YYYY"),
    "backwards year range": (["list", "scenes", "--year", "2020..2016"], 2, "Error: year range '2020..2016' is empty"),
    "unknown spoiler filter": (["list", "scenes", "--spoiler", "all"], 2, "Error: spoiler level 'all' is not one of"),
    "alias taken by another actor": (["alias", "actor", "Ji Chang Wook", "Won Jin Ah"], 1, "Error: 'Won Jin Ah' is the name of another actor"),
    "merge with itself": (["merge", "actor", "Ji Chang Wook", "ji chang-wook", "--yes"], 1, "Error: 'Ji Chang Wook' and 'ji chang-wook' are already the same actor"),
    "remove unknown": (["remove", "scene", "nope", "--yes"], 1, "Error: no scene with key 'nope'"),
    "remove missing episode": (["remove", "episode", "Healer", "19", "--yes"], 1, "Error: Healer has no episode 19 recorded"),
    "edit to a taken name": (["edit", "actor", "Won Jin Ah", "--name", "Ji Chang Wook"], 1, "Error: another actor is already called 'Ji Chang Wook'"),
    "edit episodes below a scene": (["edit", "drama", "Melting Me Softly", "--episodes", "5"], 1, "is past the drama's 5"),
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input(sample_db: Path, cli, case: str) -> None:
    args, code, expected = CASES[case]
    before = dump(sample_db)
    result = cli(*args)
    assert result.exit_code == code, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert dump(sample_db) == before


def test_quotes_markup_and_emoji_are_data(sample_db: Path, cli) -> None:
    title = "[bold]Rain[/] \"kiss\" 'under' | the 💋 umbrella: *finally*"
    result = cli(
        *SCENE,
        "--title",
        title,
        "--episode",
        "3",
        "--tag",
        "비",
        "--description",
        "<script>x</script>",
    )
    assert result.exit_code == 0, result.stderr
    listing = cli("list", "scenes", "--drama", "Melting Me Softly", "--episode", "3")
    assert "[bold]Rain[/]" in listing.stdout
    shown = cli("show", "scene", title)  # a unique title finds the scene too
    assert shown.exit_code == 0 and "<script>x</script>" in shown.stdout


def test_edit_actor_and_remove_episode(sample_db: Path, cli) -> None:
    assert cli("edit", "actor", "Won Jin Ah", "--born", "1991").exit_code == 0
    assert '"born": 1991' in cli("show", "actor", "Won Jin Ah", "--json").stdout
    assert cli("add-episode", "Healer", "3", "--aired", "2014-12-15").exit_code == 0
    assert cli("remove", "episode", "Healer", "3", "--yes").exit_code == 0
    assert '"number": 3' not in cli("list", "episodes", "--drama", "Healer", "--json").stdout
