"""Moments a clip offers, answered on a pseudo-terminal of a real size (tests/terminal.py):
its most replayed stretch ("Most replayed: 1:23-1:40. Use as the scene? [Y/n]") and its
chapters; and `scenecat open` with a stand-in browser (BROWSER), never a real one."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_process
from tests.sources_helpers import FIXTURES, offline_env
from tests.terminal import Terminal

pytestmark = pytest.mark.slow

REPLAYED = str(FIXTURES / "ytdlp-melting-me-softly-e10-replayed.json")
CHAPTERS = str(FIXTURES / "ytdlp-jcw-kisses-chapters.json")
SCENE = ["--kind", "kiss", "--actor", "Ji Chang Wook"]


@pytest.fixture
def env(sample_db: Path, tmp_path: Path) -> dict[str, str]:
    return {**offline_env(tmp_path), "SCENECAT_DB": str(sample_db)}


def moment(db: Path, key: str) -> list[tuple[int | None, int | None]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT ss.start_s, ss.end_s FROM scene_source ss JOIN scene s ON s.id = ss.scene_id "
            "WHERE s.key = ?",
            (key,),
        ).fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_the_most_replayed_stretch_is_offered_and_taken(
    sample_db: Path, env: dict[str, str], columns: int
) -> None:
    term = Terminal(
        ["add-scene", "--clip-json", REPLAYED, *SCENE, "--title", "Replayed"], env, columns=columns
    )
    term.expect("Guess: Melting Me Softly, episode 10. Right? [Y/n]")
    term.type("")
    term.expect("Most replayed: 1:23-1:40. Use as the scene? [Y/n]")
    term.type("")  # Enter: yes
    term.expect("Added scene melting-me-softly-e10-replayed (1:23-1:40 in the clip)")
    assert term.wait() == 0, term.output
    assert moment(sample_db, "melting-me-softly-e10-replayed") == [(83, 100)]


def test_the_most_replayed_stretch_declined_leaves_no_moment(
    sample_db: Path, env: dict[str, str]
) -> None:
    term = Terminal(["add-scene", "--clip-json", REPLAYED, *SCENE, "--title", "Declined"], env)
    term.expect("Right? [Y/n]")
    term.type("y")
    term.expect("Most replayed: 1:23-1:40. Use as the scene? [Y/n]")
    term.type("maybe")
    term.expect("Please answer y or n.")
    term.type("n")
    term.expect("Added scene melting-me-softly-e10-declined")
    assert term.wait() == 0, term.output
    assert term.output.rstrip().endswith("Added scene melting-me-softly-e10-declined")
    assert moment(sample_db, "melting-me-softly-e10-declined") == [(None, None)]


def test_a_chapter_is_offered_by_number(sample_db: Path, env: dict[str, str]) -> None:
    term = Terminal(
        ["add-scene", "--clip-json", CHAPTERS, "--drama", "Healer", "--episode", "9", *SCENE,
         "--title", "Chaptered"],
        env,
    )  # fmt: skip
    term.expect("Chapters of the clip:")
    listed = term.expect("Which one is the scene? [1-4, Enter: none]")
    assert "1  0:00-0:15  Intro" in listed
    assert "2  0:15-2:40  Healer EP.9 rooftop kiss" in listed
    assert "4  4:05-5:00  Outro" in listed
    term.type("9")
    term.expect("Please answer a number from 1 to 4, or Enter for none.")
    term.expect("Which one is the scene? [1-4, Enter: none]")
    term.type("2")
    term.expect("Added scene healer-e9-chaptered (0:15-2:40 in the clip)")
    assert term.wait() == 0, term.output
    assert moment(sample_db, "healer-e9-chaptered") == [(15, 160)]


def test_enter_at_the_chapters_means_none(sample_db: Path, env: dict[str, str]) -> None:
    term = Terminal(
        ["add-scene", "--clip-json", CHAPTERS, "--drama", "Healer", "--episode", "9", *SCENE,
         "--title", "Unchaptered"],
        env,
    )  # fmt: skip
    term.expect("Which one is the scene? [1-4, Enter: none]")
    term.type("")
    term.expect("Added scene healer-e9-unchaptered")
    assert term.wait() == 0, term.output
    assert moment(sample_db, "healer-e9-unchaptered") == [(None, None)]


def test_ctrl_c_at_the_offer_adds_nothing(sample_db: Path, env: dict[str, str]) -> None:
    from tests.conftest import dump

    before = dump(sample_db)
    term = Terminal(["add-scene", "--clip-json", REPLAYED, *SCENE, "--title", "Stopped"], env)
    term.expect("Right? [Y/n]")
    term.type("")
    term.expect("Use as the scene? [Y/n]")
    term.interrupt()
    term.expect("Interrupted: nothing was changed.")
    assert term.wait() == 130
    assert dump(sample_db) == before


# open: a stand-in browser that writes down what it was asked to open

BROWSER = """\
import sys
with open({out!r}, "a", encoding="utf-8") as handle:
    handle.write(" ".join(sys.argv[1:]) + "\\n")
"""


def stand_in_browser(tmp_path: Path, *, fails: bool = False) -> tuple[dict[str, str], Path]:
    out = tmp_path / "opened.txt"
    script = tmp_path / "browser.py"
    script.write_text(BROWSER.format(out=str(out)) + ("sys.exit(3)\n" if fails else ""))
    env = {
        "BROWSER": f"{sys.executable} {script} %s",
        # Nothing else a desktop would offer: only the stand-in may be tried.
        "DISPLAY": "",
        "WAYLAND_DISPLAY": "",
        "TERM": "",
    }
    return env, out


def test_open_opens_the_scene_s_moment_in_the_browser(
    sample_db: Path, env: dict[str, str], tmp_path: Path
) -> None:
    key = "melting-me-softly-e10-shower-kiss"
    link = "https://www.youtube.com/watch?v=mmsE10kiss1"
    yaml = tmp_path / "moment.yaml"
    yaml.write_text(
        "format: scenecat/1\nscenes:\n"
        f"  - {{key: {key}, drama: Melting Me Softly, kind: kiss, title: The shower kiss,\n"
        f'     sources: [{{url: "{link}", kind: official-clip, start: "1:23", end: "1:41"}}]}}\n',
        encoding="utf-8",
    )
    assert run_process("import", str(yaml), env=env).exit_code == 0
    browser, opened = stand_in_browser(tmp_path)
    result = run_process("open", key, env={**env, **browser})
    assert result.exit_code == 0, result.stderr
    assert opened.read_text(encoding="utf-8") == f"{link}&t=83s\n"
    assert result.stdout == f"{link}&t=83s\n"
    assert result.stderr == (
        "Opened The shower kiss (https://www.youtube.com/watch?v=mmsE10kiss1, "
        "1:23-1:41 in the clip)\n"
    )
    # The same link `show scene` gives.
    shown = run_process("show", "scene", key, "--json", env=env)
    assert json.loads(shown.stdout)["data"]["watch"] == f"{link}&t=83s"


def test_open_without_a_clip_or_a_browser_says_so(
    sample_db: Path, env: dict[str, str], tmp_path: Path
) -> None:
    browser, opened = stand_in_browser(tmp_path)
    result = run_process("open", "backstreet-rookie-e1-cigarette-request", env={**env, **browser})
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "Error: scene backstreet-rookie-e1-cigarette-request has no clip to watch"
    )
    assert not opened.exists()
    failing, _ = stand_in_browser(tmp_path, fails=True)
    # An environment without PATH entries for other browsers: the failing one is all there is.
    bare = tmp_path / "bin"
    bare.mkdir()
    result = run_process(
        "open", "melting-me-softly-e10-shower-kiss", env={**env, **failing, "PATH": str(bare)}
    )
    assert result.exit_code == 1
    assert result.stdout == "https://example.org/clips/melting-me-softly-ep10-shower-kiss\n"
    assert result.stderr.splitlines() == [
        "Error: found no web browser to open it with",
        "hint: open the link above yourself, or name a browser in BROWSER",
    ]
    unknown = run_process("open", "no-such-scene", env={**env, **browser})
    assert unknown.exit_code == 1 and unknown.stderr.startswith("Error: no scene")


def test_the_stand_in_is_the_only_browser_tried(tmp_path: Path) -> None:
    """Guards the tests above: with BROWSER set and no display, Python's webbrowser tries
    the stand-in first (a real browser is never started by these tests)."""
    browser, opened = stand_in_browser(tmp_path)
    code = "import webbrowser, sys; sys.exit(0 if webbrowser.open('https://example.org/') else 1)"
    result = subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, **browser}, capture_output=True
    )
    assert result.returncode == 0
    assert opened.read_text(encoding="utf-8") == "https://example.org/\n"


def test_open_keeps_a_spoiler_past_your_progress_closed(
    sample_db: Path, env: dict[str, str], tmp_path: Path
) -> None:
    key = "healer-e9-snowy-rooftop-kiss"  # a minor spoiler in episode 9, with an official clip
    assert run_process("progress", "set", "Healer", "8", env=env).exit_code == 0
    browser, opened = stand_in_browser(tmp_path)
    hidden = run_process("open", key, env={**env, **browser})
    assert hidden.exit_code == 1
    assert hidden.stderr.splitlines() == [
        "Error: a scene in episode 9 of Healer is past your progress (episode 8); not opened",
        "hint: --spoilers show opens it all the same",
    ]
    assert hidden.stdout == "" and not opened.exists()
    warned = run_process("open", key, "--spoilers", "warn", env={**env, **browser})
    assert warned.exit_code == 0, warned.stderr
    assert warned.stderr.splitlines()[0] == (
        "warning: a scene in episode 9 of Healer is past your progress (episode 8)"
    )
    shown = run_process("open", key, "--spoilers", "show", env={**env, **browser})
    assert shown.exit_code == 0 and "warning" not in shown.stderr
    assert opened.read_text(encoding="utf-8").splitlines() == [warned.stdout.strip()] * 2
