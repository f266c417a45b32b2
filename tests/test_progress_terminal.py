"""Progress as a person meets it: `watch` and `progress import` on a pseudo-terminal of a
real size (answers, a retry, Ctrl-C keeping what was answered), screens at 80 columns,
several processes writing progress at once, and the website folding scenes past it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.safety import finish_workers, start_workers
from tests.terminal import Terminal

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "progress"
GOBLIN_KISS = "goblin-e7-kiss-instead-of-the-sword"
SNOW_KISS = "healer-e9-snowy-rooftop-kiss"  # the sample's favourite kiss of `me` (9/10)


def _env(db: Path) -> dict[str, str]:
    return {"SCENECAT_DB": str(db), "NO_COLOR": "1", "TERM": "xterm"}


def _votes(db: Path, key: str) -> list[int]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT v.score FROM vote v JOIN scene s ON s.id = v.scene_id "
            "WHERE s.key = ? AND v.voter = 'me' ORDER BY v.id",
            (key,),
        )
        return [r[0] for r in rows]
    finally:
        conn.close()


def _duels(db: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT w.key, l.key FROM duel d JOIN scene w ON w.id = d.winner_id "
            "JOIN scene l ON l.id = d.loser_id ORDER BY d.id"
        )
        return [(a, b) for a, b in rows]
    finally:
        conn.close()


def _progress(cli: Any) -> dict[str, dict[str, Any]]:
    run = cli("progress", "--json")
    assert run.exit_code == 0, run.stderr
    return {r["drama"]: r for r in json.loads(run.stdout)["data"]}


def test_watch_lists_marks_seen_asks_a_vote_and_a_duel(cli: Any, sample_db: Path) -> None:
    duels_before = _duels(sample_db)
    term = Terminal(["watch", "Goblin", "7"], _env(sample_db), columns=80)
    shown = term.expect("Finished episode 7 of Goblin? [Y/n]")
    assert "A kiss instead of the sword" in shown
    assert "https://" in shown  # its clip, printed whole
    term.type("")
    term.expect("Goblin: episode 7 of 16")
    term.expect("Your vote for 'A kiss instead of the sword', 1-10 (Enter skips):")
    term.type("11")
    term.expect("11 is out of range 1..10; try again")
    term.type("9")
    term.expect("You gave 9/10 to " + GOBLIN_KISS)
    shown = term.expect("1 or 2 (Enter skips):")
    assert "2  The kiss in the snow (your favourite kiss)" in shown
    term.type("2")
    term.expect("Done: 2 answers recorded.")
    assert term.wait() == 0
    assert max(len(line) for line in term.output.splitlines()) <= 80
    assert _progress(cli)["Goblin"]["episode"] == 7
    assert _votes(sample_db, GOBLIN_KISS) == [9]
    assert _duels(sample_db) == [*duels_before, (SNOW_KISS, GOBLIN_KISS)]
    # Three changes, each its own: progress, vote, duel.
    labels = [c["label"] for c in json.loads(cli("history", "--json").stdout)["data"][:3]]
    assert labels == [
        f"duel {SNOW_KISS} {GOBLIN_KISS}",
        f"vote {GOBLIN_KISS}",
        "progress set Goblin 7",
    ]


def test_ctrl_c_in_watch_keeps_what_was_answered(cli: Any, sample_db: Path) -> None:
    duels_before = _duels(sample_db)
    term = Terminal(["watch", "Goblin", "7"], _env(sample_db), columns=80)
    term.expect("Finished episode 7 of Goblin? [Y/n]")
    term.type("y")
    term.expect("(Enter skips):")
    term.type("8")
    term.expect("1 or 2 (Enter skips):")
    term.interrupt()
    term.expect("Interrupted: kept the episode and 1 answer given.")
    assert term.wait() == 130
    assert _progress(cli)["Goblin"]["episode"] == 7
    assert _votes(sample_db, GOBLIN_KISS) == [8]
    assert _duels(sample_db) == duels_before
    assert cli("db", "check").exit_code == 0


def test_watch_off_a_terminal_lists_and_marks_only_when_told(cli: Any, sample_db: Path) -> None:
    listed = cli("watch", "Goblin", "7")
    assert listed.exit_code == 0 and GOBLIN_KISS not in listed.stdout  # keys are not listed
    assert "A kiss instead of the sword" in listed.stdout
    assert "Not asked (no terminal): --finished marks the episode seen." in listed.stderr
    assert _progress(cli) == {}
    marked = cli("watch", "Goblin", "7", "--finished")
    assert marked.exit_code == 0 and "Goblin: episode 7 of 16" in marked.stderr
    again = cli("watch", "Goblin", "3", "--finished")  # an earlier episode: no step back
    assert again.exit_code == 0 and "already episode 7 of 16" in again.stderr
    assert _progress(cli)["Goblin"]["episode"] == 7
    bad = cli("watch", "Goblin", "17")
    assert bad.exit_code == 1 and "Goblin has no episode 17" in bad.stderr


def test_watch_masks_the_episodes_spoilers_until_it_is_seen(cli: Any, sample_db: Path) -> None:
    assert cli("progress", "set", "Goblin", "7").exit_code == 0
    listed = cli("watch", "Goblin", "14")
    assert listed.exit_code == 0
    assert "First snow" not in listed.stdout and "a scene" in listed.stdout
    assert "1 past your progress masked" in listed.stderr
    assert "First snow" in cli("watch", "Goblin", "14", "--spoilers", "show").stdout


@pytest.mark.parametrize(("answer", "episode"), [("y", 8), ("n", 12)])
def test_import_asks_before_lowering_on_a_terminal(
    cli: Any, sample_db: Path, answer: str, episode: int
) -> None:
    assert cli("import", str(FIXTURES / "extra-dramas.yaml")).exit_code == 0
    assert cli("progress", "set", "Healer", "12").exit_code == 0
    args = ["progress", "import", str(FIXTURES / "trakt-watched-shows.json")]
    term = Terminal(args, _env(sample_db), columns=80)
    shown = term.expect("[y/N]")
    assert "Lower your progress (Healer: episode 12 of 20 -> episode 8 of 20)?" in shown
    term.type(answer)
    term.expect("Imported trakt-watched-shows.json")
    assert term.wait() == 0
    assert _progress(cli)["Healer"]["episode"] == episode
    assert _progress(cli)["Crash Landing on You"]["episode"] == 10


def test_screens_at_80_columns_say_what_was_hidden(cli: Any, sample_db: Path) -> None:
    assert cli("progress", "set", "Healer", "8").exit_code == 0
    term = Terminal(["list", "scenes", "--drama", "Healer"], _env(sample_db), columns=80)
    assert term.wait() == 0
    screen = term.output
    assert "2 scenes past your progress hidden; --spoilers show shows them." in screen
    assert "The kiss in the snow" not in screen and "sabotaged" in screen
    term = Terminal(["rank", "--actor", "Ji Chang Wook", "--kind", "kiss"], _env(sample_db))
    assert term.wait() == 0
    screen = term.output
    assert "(hidden)" in screen and "The kiss in the snow" not in screen
    assert "2 scenes past your progress masked; --spoilers show shows them." in screen
    assert max(len(line) for line in screen.splitlines()) <= 80


def test_processes_setting_progress_at_once_all_land(
    cli: Any, sample_db: Path, tmp_path: Path
) -> None:
    dramas = ["Healer", "Goblin", "The K2", "Empress Ki"]
    batches = [
        [["--db", str(sample_db), "progress", "set", drama, str(n)] for n in range(1, 13)]
        for drama in dramas
    ]
    go = tmp_path / "go"
    workers = start_workers(batches, go)
    go.touch()
    assert finish_workers(workers) == []
    rows = _progress(cli)
    assert {d: rows[d]["episode"] for d in dramas} == dict.fromkeys(dramas, 12)
    history = json.loads(cli("history", "--json", "--limit", "100").stdout)["data"]
    assert sum(1 for c in history if c["label"].startswith("progress set")) == 48
    assert cli("db", "check").exit_code == 0


def test_the_website_folds_scenes_past_progress(cli: Any, tmp_path: Path) -> None:
    from tests.test_web_browser import browse, page_url, require_chromium
    from tests.web_support import build_catalogue, scene_id, served

    chromium = require_chromium()
    db = build_catalogue(tmp_path)
    assert cli("--db", str(db), "progress", "set", "Healer", "8").exit_code == 0
    later = "healer-e15-she-kisses-him"
    with served(db) as base:
        _, table = browse(
            chromium, page_url(base, "/scene?drama_id=" + _drama_id(db)), "progress-table"
        )
        _, page = browse(chromium, page_url(base, f"/scene/{scene_id(db, later)}"), "progress-page")
        _, rank = browse(
            chromium, page_url(base, "/best_scenes?actor=Ji+Chang+Wook&kind=kiss"), "progress-rank"
        )
    # Folded: the title is there only inside a closed <details>, under its summary.
    assert (
        table.count('<details class="scenecat-past">') == 2 * 4
    )  # two scenes: title, key, kind and description each
    assert "Past your progress (episode 8): click to reveal" in table
    assert "The sabotaged elevator" in table  # episode 8: shown as it was
    folded = page.split('<details class="scenecat-past">', 1)
    assert len(folded) == 2 and "She knows, and stays" not in folded[0]
    assert "<h1" in folded[0] and "A scene in episode 15" in folded[0]
    # its kind and tags (the card's chips) are inside the fold too
    assert "<li>reveal</li>" not in folded[0] and "<li>reveal</li>" in folded[1]
    assert "She knows, and stays" in folded[1]  # one click away
    assert (
        "a scene in episode 9 (past your progress)" in rank and "The kiss in the snow" not in rank
    )


def _drama_id(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("SELECT id FROM drama WHERE title = 'Healer'").fetchone()[0])
    finally:
        conn.close()
