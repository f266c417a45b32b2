"""`import -` reads standard input: `scenecat export jsonl | scenecat import -` through a real
pipe, the format told by the content or by --format, all or nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SAMPLE, Run, dump, run_on_terminal, run_process

pytestmark = pytest.mark.slow


def _pipe(source: Path, export: list[str], target: Path, *extra: str) -> Run:
    """`scenecat --db SOURCE EXPORT... | scenecat --db TARGET import - EXTRA...`."""
    base = [sys.executable, "-m", "scenecat"]
    writer = subprocess.Popen([*base, "--db", str(source), *export], stdout=subprocess.PIPE)
    reader = subprocess.run(
        [*base, "--db", str(target), "import", "-", *extra],
        stdin=writer.stdout,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert writer.stdout is not None
    writer.stdout.close()
    assert writer.wait(timeout=120) == 0
    return Run(reader.returncode, reader.stdout, reader.stderr)


@pytest.mark.parametrize(
    ("export", "label"), [(["export", "jsonl"], "JSON Lines"), (["export", "yaml"], "YAML")]
)
def test_export_piped_into_import_copies_the_catalogue(
    sample_db: Path, tmp_path: Path, export: list[str], label: str
) -> None:
    copy = tmp_path / "copy.db"
    result = _pipe(sample_db, export, copy)
    assert result.exit_code == 0, result
    assert result.stderr.splitlines()[0] == (
        f"Reading standard input as {label} (recognised from its content; --format sets it)"
    )
    assert "Imported standard input: 35 new actors (of 35)" in result.stderr
    assert dump(copy) == dump(sample_db)


def test_format_option_names_the_format(sample_db: Path, tmp_path: Path) -> None:
    # CSV rows name dramas and actors that must exist: read them back into a copy.
    copy = tmp_path / "copy.db"
    shutil.copyfile(sample_db, copy)
    result = _pipe(sample_db, ["export", "csv"], copy, "--format", "csv")
    assert result.exit_code == 0, result
    assert result.stderr.splitlines()[0] == "Reading standard input as CSV"
    assert "Imported standard input: 0 new scenes (of 54)" in result.stderr
    assert dump(copy) == dump(sample_db)


def test_a_bad_record_names_stdin_and_imports_nothing(sample_db: Path, tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace("born: 1987", "born: 3000", 1)
    before = dump(sample_db)
    result = run_process("import", "-", input=text)
    assert result.exit_code == 1, result
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and errors[0].startswith("Error: stdin:"), result.stderr
    assert "scenecat-import-" not in result.stderr
    assert dump(sample_db) == before


@pytest.mark.parametrize(
    ("stdin", "extra", "code", "message"),
    [
        ("", [], 1, "Error: standard input is empty"),
        ("just some words\n", [], 1, "Error: cannot tell the format of standard input"),
        ("{}\n", ["--format", "xml"], 2, "Error: --format 'xml' is not one of yaml, jsonl, csv"),
    ],
)
def test_unusable_stdin_is_one_line_and_changes_nothing(
    sample_db: Path, stdin: str, extra: list[str], code: int, message: str
) -> None:
    before = dump(sample_db)
    result = run_process("import", "-", *extra, input=stdin)
    assert result.exit_code == code, result
    assert message in result.stderr
    assert dump(sample_db) == before


def test_format_is_refused_for_a_named_file(sample_db: Path) -> None:
    result = run_process("import", str(SAMPLE), "--format", "yaml")
    assert result.exit_code == 2
    assert "Error: --format is for `import -`" in result.stderr


def test_stdin_on_a_terminal_is_refused(sample_db: Path) -> None:
    before = dump(sample_db)
    code, shown = run_on_terminal(["import", "-"], [], {"SCENECAT_DB": str(sample_db)})
    assert code == 2, shown
    assert "standard input, which is a terminal here" in shown
    assert dump(sample_db) == before
    assert os.environ.get("SCENECAT_DB") == str(sample_db)


def test_the_pipe_carries_the_records_while_a_bar_shows_on_the_terminal(
    sample_db: Path, tmp_path: Path
) -> None:
    """In a terminal, `export`'s records must go down the pipe (Rich's bar used to capture
    stdout and print them on the terminal); and no bar is drawn while stdout is a pipe, whose
    reader shares the terminal (issue 25: tests/test_pipes_quiet.py)."""
    import pty

    master, slave = pty.openpty()
    base = [sys.executable, "-m", "scenecat"]
    writer = subprocess.Popen(
        [*base, "--db", str(sample_db), "export", "jsonl"],
        stdout=subprocess.PIPE,
        stderr=slave,
        env={**os.environ, "TTY_COMPATIBLE": ""},
    )
    os.close(slave)
    copy = tmp_path / "copy.db"
    reader = subprocess.run(
        [*base, "--db", str(copy), "import", "-"],
        stdin=writer.stdout,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert writer.stdout is not None
    writer.stdout.close()
    assert writer.wait(timeout=120) == 0
    shown = b""
    try:
        while chunk := os.read(master, 4096):
            shown += chunk
    except OSError:
        pass
    os.close(master)
    assert b"Exporting JSONL" not in shown and b'"type"' not in shown
    assert reader.returncode == 0, reader.stderr
    assert dump(copy) == dump(sample_db)
