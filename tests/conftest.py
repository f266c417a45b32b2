"""Shared fixtures: every test gets its own catalogue file through SCENECAT_DB."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

# Helpers (and fixtures, through pytest_plugins) of the website tests, with rewritten asserts.
pytest.register_assert_rewrite("tests.web_support")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample.yaml"
# shared/ sits beside the clone (CI) or at /work/shared (developers' machines).
REAL_DATA = next(
    (
        path
        for path in (ROOT.parent / "shared" / "data" / "real", Path("/work/shared/data/real"))
        if path.is_dir()
    ),
    ROOT.parent / "shared" / "data" / "real",
)


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "catalogue.db"
    monkeypatch.setenv("SCENECAT_DB", str(path))
    monkeypatch.delenv("SCENECAT_DEBUG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    return path


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Output as on a terminal (Rich tables), though the test captures it."""
    monkeypatch.setenv("TTY_COMPATIBLE", "1")


@pytest.fixture(scope="session")
def _built_command() -> object:
    import typer.main

    from scenecat.cli.app import app

    return typer.main.get_command(app)


@pytest.fixture
def cli(db: Path, _built_command: object, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    """Run scenecat in process through the real Typer app; stdout and stderr apart."""
    import typer.testing

    from scenecat.cli.app import app

    # Typer rebuilds the click command on every invoke (~100 ms); build it once per session.
    monkeypatch.setattr(typer.testing, "_get_command", lambda _app: _built_command)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Run:
        from scenecat.cli.common import Interrupted

        try:
            result = runner.invoke(app, list(args), input=input, catch_exceptions=False)
        except Interrupted as exc:  # as app.run() does for the real entry point
            outcome = f": {exc.outcome}" if exc.outcome else ""
            return Run(130, "", f"Interrupted{outcome}.\n")
        return Run(result.exit_code, result.stdout, result.stderr)

    return invoke


@pytest.fixture(scope="session")
def sample_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample catalogue imported once per session; tests copy it."""
    from scenecat.domain.importing import import_file
    from scenecat.storage.connection import open_catalogue

    path = tmp_path_factory.mktemp("sample") / "sample.db"
    cat = open_catalogue(path)
    with cat.write("import") as conn:
        import_file(conn, SAMPLE)
    cat.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    cat.close()
    return path


@pytest.fixture
def sample_db(db: Path, sample_template: Path) -> Path:
    shutil.copyfile(sample_template, db)
    return db


def run_process(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Run:
    """Run `python -m scenecat` as a separate process (the real entry point)."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "scenecat", *args],
        capture_output=True,
        text=True,
        env=full_env,
        input=input,
        timeout=120,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def dump(path: Path) -> str:
    """The whole catalogue as text, to compare before and after a failed command."""
    from scenecat.domain.exporting.catalogue_file import dump_for_compare
    from scenecat.storage.connection import open_catalogue

    cat = open_catalogue(path)
    try:
        return dump_for_compare(cat.conn)
    finally:
        cat.close()


def run_on_terminal(
    args: list[str],
    answers: list[tuple[bytes, bytes]],
    env: dict[str, str],
    cwd: Path | None = None,
) -> tuple[int, str]:
    """Run `python -m scenecat ARGS` on a pseudo-terminal, answering each prompt as it
    appears; returns the exit code and everything the terminal showed."""
    import pty
    import time

    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "scenecat", *args],
        stdin=slave, stdout=slave, stderr=slave, env={**os.environ, **env}, close_fds=True,
        cwd=cwd,
    )  # fmt: skip
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 60
    for prompt, answer in answers:
        while prompt not in seen and time.monotonic() < deadline:
            try:
                seen += os.read(master, 1024)
            except OSError:
                break
        os.write(master, answer)
    proc.wait(timeout=60)
    try:
        while chunk := os.read(master, 1024):
            seen += chunk
    except OSError:
        pass  # the terminal closes when the process has gone
    os.close(master)
    return proc.returncode, seen.decode(errors="replace")
