"""What a pipe gets (issue 25): `scenecat export json | head` on a terminal showed the progress
bar (stderr, the terminal) drawn into head's output; piped `stats` sent its titles to stderr,
apart from its tables. Each command runs as a process whose stdout is a real pipe and whose
stderr is a pseudo-terminal, as in a person's shell."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

# Every command that draws a progress bar (cli/output.progress_bar), with the bar's label.
# `views refresh` draws one too ("Reading clips"); it needs clip files and is left out here.
WITH_BARS = [
    (["export", "json"], "Exporting scenes"),
    (["export", "csv"], "Exporting scenes"),
    (["export", "jsonl"], "Exporting JSONL"),
    (["export", "yaml"], "Exporting YAML"),
]


def _run(args: list[str], db: Path, stdout: int | object) -> tuple[int, bytes, bytes]:
    """scenecat with stderr on a pseudo-terminal: exit code, stdout (when piped), terminal."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "scenecat", "--db", str(db), *args],
        stdout=stdout,
        stderr=slave,
        env={**os.environ, "TTY_COMPATIBLE": "", "COLUMNS": "80"},
    )
    os.close(slave)
    out = proc.stdout.read() if proc.stdout else b""
    code = proc.wait(timeout=120)
    shown = b""
    try:
        while chunk := os.read(master, 4096):
            shown += chunk
    except OSError:
        pass
    os.close(master)
    return code, out, shown


@pytest.mark.parametrize(
    ("args", "label"), WITH_BARS, ids=[" ".join(args) for args, _ in WITH_BARS]
)
def test_no_bar_on_the_terminal_while_stdout_is_a_pipe(
    sample_db: Path, args: list[str], label: str
) -> None:
    code, out, shown = _run(args, sample_db, subprocess.PIPE)
    assert code == 0, shown
    assert label.encode() not in shown and b"\x1b[" not in shown, shown
    assert out and out.lstrip()[:1] in (b"{", b"[", b"k", b"f", b"#"), out[:80]


@pytest.mark.parametrize(
    ("args", "label"), WITH_BARS, ids=[" ".join(args) for args, _ in WITH_BARS]
)
def test_the_bar_still_shows_when_stdout_is_a_file(
    sample_db: Path, tmp_path: Path, args: list[str], label: str
) -> None:
    # `export json > out.json`: the terminal shows nothing else, so the bar is welcome.
    with open(tmp_path / "out", "wb") as file:
        code, _, shown = _run(args, sample_db, file)
    assert code == 0, shown
    assert label.encode() in shown


def test_export_json_into_head_starts_with_the_json(sample_db: Path) -> None:
    master, slave = pty.openpty()
    line = f'"{sys.executable}" -m scenecat --db "{sample_db}" export json | head -c 2000'
    proc = subprocess.Popen(
        ["bash", "-c", line], stdin=slave, stdout=slave, stderr=slave, env={**os.environ}
    )
    os.close(slave)
    shown = b""
    try:
        while chunk := os.read(master, 4096):
            shown += chunk
    except OSError:
        pass
    os.close(master)
    assert proc.wait(timeout=120) == 0
    # Before: the bar's escapes and "Exporting scenes" came first.
    assert shown.lstrip().startswith(b"{"), shown[:200]


def test_piped_stats_keeps_each_title_with_its_table(sample_db: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "scenecat", "--db", str(sample_db), "stats"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""  # before: the five titles, here, apart from their tables
    sections = run.stdout.split("\n\n")
    titles = [section.split("\n", 1)[0] for section in sections]
    assert titles == [
        "Catalogue",
        "Scenes by kind",
        "Scenes by network",
        "Scenes by year",
        "Scenes by actor (top 20)",
    ]
    assert sections[0].split("\n")[1] == "actors\t35"
    assert sections[1].split("\n")[1:3] == ["kind\tscenes", "kiss\t14"]
    assert "scenes\t54" in sections[0].split("\n")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("into", ["pipe", "file"])
def test_the_bar_helper_itself(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, into: str) -> None:
    """Every command's bar (import, export, views refresh) comes from output.progress_bar:
    none while stdout is a pipe, one while it is a file."""
    from scenecat.cli.output import progress_bar

    monkeypatch.setattr(sys, "stderr", _Terminal())
    if into == "pipe":
        read_end, write_end = os.pipe()
        os.close(read_end)
        stdout = os.fdopen(write_end, "w")
    else:
        stdout = open(tmp_path / "out", "w")  # noqa: SIM115 - closed below
    monkeypatch.setattr(sys, "stdout", stdout)
    try:
        with progress_bar("Reading clips") as update:
            assert (update is None) == (into == "pipe")
    finally:
        monkeypatch.undo()
        stdout.close()
