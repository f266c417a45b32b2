"""`rank --why` prose on a terminal is wrapped at word ends to the terminal's width (issue #22:
it broke mid-word); piped, each sentence stays one line for grep and scripts."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

from tests.terminal import Terminal, plain

KEY = "melting-me-softly-e10-shower-kiss"


@pytest.mark.slow
@pytest.mark.parametrize("columns", [60, 80, 100, 160])
def test_why_wraps_at_word_ends_on_a_terminal(
    sample_template: Path, tmp_path: Path, columns: int
) -> None:
    db = tmp_path / "catalogue.db"
    shutil.copyfile(sample_template, db)
    env = {"SCENECAT_DB": str(db), "NO_COLOR": "1", "TERM": "xterm"}
    piped = subprocess.run(
        [sys.executable, "-m", "scenecat", "rank", "--why", KEY],
        env={**os.environ, **env, "TTY_COMPATIBLE": "0"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    term = Terminal(["rank", "--why", KEY], env, columns=columns, rows=60)
    assert term.wait() == 0
    lines = [line.rstrip() for line in plain(term.output).splitlines() if line.strip()]
    assert all(cell_len(line) <= columns for line in lines), lines
    # The same words in the same order: wrapping only ever breaks between words.
    assert " ".join(lines).split() == " ".join(piped).split()
    words = set(" ".join(piped).split())
    for line in lines:
        for word in line.split():
            assert word in words, (word, line)  # no word cut in two
    if columns < 160:
        assert len(lines) > len(piped)  # the long sentences did wrap


def test_why_piped_is_one_line_per_sentence(cli: object, sample_db: Path) -> None:
    result = cli("rank", "--why", KEY)  # type: ignore[operator]
    lines = result.stdout.splitlines()
    assert len(lines) == 5
    assert lines[0].startswith('"The shower kiss" (Melting Me Softly, episode 10) ranks')
    assert re.match(r"^Score: .* = \d+\.\d\d\. Every scene counts each part", lines[-1])
