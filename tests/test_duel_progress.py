"""Duel sessions respect stored watch progress (issues #22 and #23): a spoiler scene past your
progress is never put in a pair, unless `--spoilers show`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_process
from tests.terminal import Terminal

pytestmark = pytest.mark.slow

PROMPT = "Which is better, 1 or 2?"
END = "Every pair of these scenes has been shown in this session."


def _skip_all(db: Path, pairs: int, *args: str) -> str:
    """Skip the session's `pairs` pairs; it must then say it has shown every pair."""
    term = Terminal(
        ["duel", "--actor", "Ji Chang Wook", "--kind", "kiss", *args],
        {"SCENECAT_DB": str(db), "NO_COLOR": "1"},
        columns=100,
        rows=50,
    )
    for _ in range(pairs):
        term.expect(PROMPT)
        term.type("s")
        term.expect("Skipped.")
    term.expect(END)
    assert term.wait() == 0, term.output
    return term.output


def test_pairs_leave_out_scenes_past_your_progress(sample_db: Path) -> None:
    env = {"SCENECAT_DB": str(sample_db)}
    assert run_process("progress", "set", "Healer", "8", env=env).exit_code == 0
    # Healer's two Ji Chang Wook kisses (episodes 9 and 15) are spoilers past episode 8.
    # 7 scenes left: 21 pairs, each shown once.
    guarded = _skip_all(sample_db, 21)
    assert "Healer" not in guarded
    assert "Melting Me Softly" in guarded  # the other dramas' scenes still duel
    # All 9 with --spoilers show: 36 pairs.
    shown = _skip_all(sample_db, 36, "--spoilers", "show")
    assert "The kiss in the snow" in shown and "She knows, and stays" in shown
