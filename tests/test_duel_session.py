"""`scenecat duel` with no keys, played in a pseudo-terminal of a real size as a fan would:
the pairs it shows, each answer in the catalogue and the history at once, skips, no pair
twice, Ctrl-C keeping what was answered (exit 130), `undo` taking back the last duel only,
the layout at 60 and 80 columns, and other processes writing while the session runs."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from rich.cells import cell_len

from tests.conftest import dump, run_process
from tests.terminal import Terminal

pytestmark = pytest.mark.slow

JCW = ["--actor", "Ji Chang Wook"]
PROMPT = "Which is better, 1 or 2?"
RECORDED = re.compile(r"(.+) beats (.+)\.")


def _session(db: Path, *args: str, columns: int = 80) -> Terminal:
    return Terminal(
        ["duel", *args], {"SCENECAT_DB": str(db), "NO_COLOR": "1"}, columns=columns, rows=50
    )


def _scenes(db: Path) -> dict[str, dict[str, object]]:
    """Every scene's JSON by key."""
    shown = run_process("list", "scenes", "--json", "--limit", "1000", env={"SCENECAT_DB": str(db)})
    assert shown.exit_code == 0, shown
    return {s["key"]: s for s in json.loads(shown.stdout)["data"]}


def _key(db: Path, title: str) -> str:
    (key,) = [k for k, s in _scenes(db).items() if s["title"] == title]
    return key


def _duels(db: Path) -> list[tuple[str, str, str, str | None]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT w.key, l.key, d.voter, d.decided_on FROM duel d JOIN scene w "
            "ON w.id = d.winner_id JOIN scene l ON l.id = d.loser_id ORDER BY d.id"
        ).fetchall()
    finally:
        conn.close()


def _history(db: Path) -> list[str]:
    shown = run_process("history", "--json", env={"SCENECAT_DB": str(db)})
    assert shown.exit_code == 0, shown
    return [c["label"] for c in json.loads(shown.stdout)["data"] if not c["undone"]]


def _answer(term: Terminal, key: str) -> str:
    """Wait for the question, answer it; what the screen showed up to the question."""
    shown = term.expect(PROMPT)
    term.type(key)
    return shown


def _recorded(term: Terminal) -> tuple[str, str]:
    """The titles of the "Recorded: WINNER beats LOSER." line (wrapped or not)."""
    term.expect("Recorded: ")
    line = " ".join(term.expect("\n\n").split())
    match = RECORDED.fullmatch(line)
    assert match, line
    return match[1], match[2]


def test_answers_are_recorded_at_once_each_its_own_change(sample_db: Path) -> None:
    before = _duels(sample_db)
    term = _session(sample_db, *JCW, "--spoilers", "show")
    intro = term.expect("Duel 1 · Ji Chang Wook")
    assert "Which scene of each pair is better? Answer 1 or 2; s skips a pair, q stops." in intro
    first = _answer(term, "1")
    winner, loser = _recorded(term)
    # Both scenes were on screen, side by side: 1 on the left, 2 on the right.
    top = next(line for line in first.splitlines() if line.startswith("1 "))
    assert re.match(r"1 .{20,}\s2 \S", top), top
    assert top.index(winner[:15]) < top.index(loser[:15])
    # Written before the next question is even answered.
    term.expect(PROMPT)
    assert _duels(sample_db)[len(before) :] == [
        (_key(sample_db, winner), _key(sample_db, loser), "me", dt.date.today().isoformat())
    ]
    term.type("2")
    second = _recorded(term)
    term.expect(PROMPT)
    term.type("s")
    term.expect("Skipped.")
    term.expect(PROMPT)
    term.type("q")
    summary = term.expect("takes back the last one.")
    assert term.wait() == 0, term.output
    assert "How the ranking moved" in summary
    assert "Positions among the 36 scenes of Ji Chang Wook." in summary
    assert "Recorded 2 duels; `scenecat undo` takes back the last one." in summary
    for title in (winner, loser, *second):
        assert title[:12] in summary
    new = _duels(sample_db)[len(before) :]
    assert [(w, lo) for w, lo, _, _ in new] == [
        (_key(sample_db, winner), _key(sample_db, loser)),
        (_key(sample_db, second[0]), _key(sample_db, second[1])),
    ]
    # One history entry per answer, labelled as `duel WINNER LOSER` labels its own.
    assert _history(sample_db)[:2] == [f"duel {w} {lo}" for w, lo, _, _ in reversed(new)]


def test_undo_takes_back_the_last_duel_of_a_session_only(sample_db: Path) -> None:
    before = _duels(sample_db)
    term = _session(sample_db, *JCW, "--rounds", "2", "--spoilers", "show")
    _answer(term, "1")
    _answer(term, "2")
    term.expect("takes back the last one.")
    assert term.wait() == 0, term.output
    answered = _duels(sample_db)[len(before) :]
    assert len(answered) == 2
    undone = run_process("undo", "--yes", env={"SCENECAT_DB": str(sample_db)})
    assert undone.exit_code == 0, undone
    assert f"duel {answered[1][0]} {answered[1][1]}" in undone.stderr
    assert _duels(sample_db) == [*before, answered[0]]


def test_rounds_end_the_session_without_a_q(sample_db: Path) -> None:
    term = _session(sample_db, *JCW, "--rounds", "2")
    term.expect("Duel 1 of 2")
    _answer(term, "s")
    term.expect("Duel 2 of 2")
    _answer(term, "s")
    term.expect("No duel recorded; the ranking is as it was.")
    assert term.wait() == 0, term.output
    assert "Duel 3" not in term.output


def test_ctrl_c_keeps_the_answers_given(sample_db: Path) -> None:
    before = _duels(sample_db)
    term = _session(sample_db, *JCW)
    _answer(term, "2")
    _recorded(term)
    term.expect(PROMPT)
    term.interrupt()
    assert term.wait() == 130, term.output
    assert (
        "Interrupted: the duel recorded is kept (`scenecat undo` takes back the last)."
        in term.output
    )
    assert len(_duels(sample_db)) == len(before) + 1
    check = run_process("db", "check", env={"SCENECAT_DB": str(sample_db)})
    assert check.exit_code == 0, check


def test_ctrl_c_before_any_answer_says_nothing_was_recorded(sample_db: Path) -> None:
    before = dump(sample_db)
    term = _session(sample_db, *JCW)
    term.expect(PROMPT)
    term.interrupt()
    assert term.wait() == 130, term.output
    assert "Interrupted: no duel was recorded." in term.output
    assert dump(sample_db) == before


def test_end_of_input_ends_the_session_as_q_does(sample_db: Path) -> None:
    term = _session(sample_db, *JCW)
    _answer(term, "1")
    term.expect(PROMPT)
    term.send(b"\x04")
    term.expect("Recorded 1 duel; `scenecat undo` takes back the last one.")
    assert term.wait() == 0, term.output


def test_every_pair_once_and_skips_change_nothing(sample_db: Path) -> None:
    before = dump(sample_db)
    term = _session(sample_db, "--drama", "Healer", "--spoilers", "show", columns=60)
    pairs = []
    while True:
        shown = term.expect(PROMPT)
        lines = shown.splitlines()
        one = next(line[2:].strip() for line in lines if line.startswith("1 "))
        two = next(line[2:].strip() for line in lines if line.startswith("2 "))
        pairs.append(frozenset((one, two)))
        term.type("s")
        term.expect("Skipped.")
        if len(pairs) == 6:
            break
    term.expect("Every pair of these scenes has been shown in this session.")
    term.expect("No duel recorded; the ranking is as it was.")
    assert term.wait() == 0, term.output
    titles = {s["title"] for s in _scenes(sample_db).values() if s["drama"] == "Healer"}
    assert len(set(pairs)) == 6 and set().union(*pairs) == titles
    assert dump(sample_db) == before


def test_a_wrong_answer_is_asked_again(sample_db: Path) -> None:
    term = _session(sample_db, *JCW, "--spoilers", "show")
    _answer(term, "3")
    assert "Please answer 1, 2, s or q." in term.expect(PROMPT)
    term.type("quit")
    term.expect("No duel recorded")
    assert term.wait() == 0, term.output


def _words(text: str) -> set[str]:
    """The words of `text`, without the commas and full stops that follow some."""
    return {word.rstrip(",.;:") for word in text.split()}


def _card_titles(shown: str) -> list[str]:
    """The first line of each card of a pair (with --spoilers show, the title's start):
    "1 " and "2 " at the start of a line, or "2 " beside the first card."""
    found = []
    for line in shown.splitlines():
        if line.startswith(("1 ", "2 ")):
            found += [part.strip() for part in re.split(r"\s{2,}2 ", line[2:])]
    return found


@pytest.mark.parametrize("columns", [60, 80])
def test_the_layout_is_readable_at_60_and_80_columns(sample_db: Path, columns: int) -> None:
    """At 80 the scenes stand side by side, at 60 one under the other; no line is wider than
    the terminal and no word of a scene's title, drama or actors is broken across lines."""
    scenes = _scenes(sample_db)
    term = _session(sample_db, *JCW, "--rounds", "8", "--spoilers", "show", columns=columns)
    shown_scenes = []
    card_lines = []
    for _ in range(8):
        shown = term.expect(PROMPT)
        card_lines += [line for line in shown.splitlines() if re.match(r"[12] \S", line)]
        starts = _card_titles(shown)
        assert len(starts) == 2, shown
        for start in starts:
            (scene,) = [s for s in scenes.values() if str(s["title"]).startswith(start)]
            shown_scenes.append(scene)
        term.type("s")
    term.expect("No duel recorded")
    assert term.wait() == 0, term.output
    lines = term.output.splitlines()
    assert all(cell_len(line) <= columns for line in lines), [
        line for line in lines if cell_len(line) > columns
    ]
    tokens = _words(term.output)
    for scene in shown_scenes:
        for part in (scene["title"], scene["drama"], *scene["actors"]):  # type: ignore[misc]
            assert _words(str(part)) <= tokens, (part, columns)
    if columns == 80:
        assert all(re.match(r"1 .{20,}\s2 \S", line) for line in card_lines), card_lines
    else:
        assert not any(re.search(r"\s2 \S", line[2:]) for line in card_lines), card_lines
        assert len([line for line in card_lines if line.startswith("2 ")]) == 8


@pytest.mark.parametrize("columns", [60, 80])
def test_major_spoilers_are_folded_until_r(sample_db: Path, columns: int) -> None:
    """A major or ending spoiler shows only its drama and episode and the articles' note;
    r unfolds the pair, under the articles' warning; --spoilers show folds nothing."""
    scenes = _scenes(sample_db)
    folded = [s for s in scenes.values() if s["spoiler"] in ("major", "ending")]
    term = _session(sample_db, *JCW, columns=columns)
    for _ in range(20):
        shown = term.expect(PROMPT)
        if "(details hidden)" in shown:
            break
        term.type("s")
    else:
        pytest.fail("no folded scene in the first 20 pairs of the sample")
    assert {"Details", "hidden", "to", "keep", "this", "spoiler-free"} <= _words(shown)
    assert re.search(r"\((major|ending) spoiler\)\.", shown)
    assert not any(str(s["title"]) in shown for s in folded)
    assert PROMPT + " (r reveals, s skips, q stops)" in term.output
    term.type("r")
    unfolded = term.expect(PROMPT)
    assert "(details hidden)" not in unfolded
    assert "Major spoilers ahead for" in " ".join(unfolded.split())
    assert any(_words(str(s["title"])) <= _words(unfolded) for s in folded)
    term.type("q")
    assert term.wait() == 0, term.output
    # Shown in full with --spoilers show.
    term = _session(sample_db, *JCW, "--spoilers", "show", "--rounds", "20", columns=columns)
    for _ in range(20):
        assert "(details hidden)" not in term.expect(PROMPT)
        term.type("s")
    assert term.wait() == 0, term.output


def test_other_writers_during_a_session(sample_db: Path) -> None:
    """Another process records a duel and removes a scene on screen; later the catalogue's
    write lock is held while an answer comes: the answer about the removed scene is not
    recorded (one line says so) and the session goes on, and nothing else is lost."""
    env = {"SCENECAT_DB": str(sample_db)}
    term = _session(sample_db, *JCW, "--spoilers", "show")
    shown = term.expect(PROMPT)
    top = next(line for line in shown.splitlines() if line.startswith("1 "))
    scenes = _scenes(sample_db)
    on_screen = [k for k, s in scenes.items() if str(s["title"])[:15] in top]
    assert len(on_screen) == 2, top
    others = [k for k, s in scenes.items() if k not in on_screen and "Ji Chang Wook" in s["actors"]]
    assert run_process("duel", others[0], others[1], "--voter", "other", env=env).exit_code == 0
    removed = on_screen[1]
    assert run_process("remove", "scene", removed, "--yes", env=env).exit_code == 0
    term.type("1")
    title = scenes[removed]["title"]
    assert (
        f"Not recorded: {title} was removed from the catalogue meanwhile; on to the next pair."
        in " ".join(term.expect(PROMPT).split())
    )
    # The write lock held by someone else for a moment: the answer waits for it.
    lock = sqlite3.connect(sample_db, isolation_level=None, check_same_thread=False)
    lock.execute("BEGIN IMMEDIATE")
    release = threading.Timer(2.0, lambda: lock.execute("COMMIT"))
    release.start()
    started = time.monotonic()
    term.type("2")
    winner, loser = _recorded(term)
    assert time.monotonic() - started >= 1.5
    release.join()
    lock.close()
    term.expect(PROMPT)
    term.type("q")
    term.expect("takes back the last one.")
    assert term.wait() == 0, term.output
    later = " ".join(term.output.split()).split("on to the next pair.", 1)[1]
    assert str(title) not in later
    duels = [(w, lo, v) for w, lo, v, _ in _duels(sample_db)]
    assert (others[0], others[1], "other") in duels
    assert (_key(sample_db, winner), _key(sample_db, loser), "me") in duels
    assert run_process("db", "check", env=env).exit_code == 0


def test_a_session_needs_standard_output_to_be_the_terminal_too(sample_db: Path) -> None:
    """Questions on the terminal but the scenes going down a pipe would be a blind session."""
    import os
    import subprocess
    import sys

    master, slave = os.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "scenecat", "duel"],
            stdin=slave, capture_output=True, text=True, timeout=120,
            env={**os.environ, "SCENECAT_DB": str(sample_db)},
        )  # fmt: skip
    finally:
        os.close(slave)
        os.close(master)
    assert proc.returncode == 2, proc
    assert proc.stderr.splitlines() == [
        "Error: `duel` with no scenes starts a session of questions, which needs a terminal; "
        "standard output is not one",
        "hint: record one duel without a terminal: scenecat duel WINNER LOSER",
    ]
    assert proc.stdout == ""


def test_a_read_only_catalogue_is_said_before_any_question(sample_db: Path) -> None:
    import stat

    from tests.test_read_only import _run

    before = dump(sample_db)
    folder = sample_db.parent
    sample_db.chmod(stat.S_IRUSR | stat.S_IRGRP)
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        result = _run(sample_db, "duel", "--actor", "Ji Chang Wook")
    finally:
        folder.chmod(stat.S_IRWXU)
        sample_db.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert result.exit_code == 1, result
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"Error: the catalogue {sample_db} is read-only ("), lines
    assert lines[0].endswith("); a duel session could record no answer"), lines
    assert lines[1].startswith("hint: make the file and its folder writable"), lines
    assert dump(sample_db) == before
