"""Random command sequences (add, vote, duel, merge, remove, import, undo) through the real
CLI: after every command the catalogue passes `db check`, no command ends in a traceback, and
undoing the newest N changes gives back exactly the catalogue from before them."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fixtures.safety import raw_dump

pytestmark = pytest.mark.slow

ACTORS = ["Ji Chang Wook", "Won Jin Ah", "Park Min Young", "Random Person", "Random Person 2"]
DRAMAS = ["Healer", "Melting Me Softly", "Goblin", "No Such Drama"]
SCENES = [
    "melting-me-softly-e10-shower-kiss",
    "healer-e9-snowy-rooftop-kiss",
    "healer-e3-random-hug",
    "goblin-e1-random-kiss",
    "random-scene",
    "no-such-scene",
]
TITLES = ["Random hug", "Random kiss", "[bold]x[/]"]

IMPORT_FILES = {
    "good": """\
format: scenecat/1
actors:
  - name: Random Person
dramas:
  - title: Goblin
    cast:
      - {actor: Random Person, character: Extra, role: guest}
scenes:
  - key: random-scene
    drama: Goblin
    episode: 2
    kind: hug
    title: An imported hug
    actors: [Random Person]
votes:
  - {scene: random-scene, score: 6, voter: me}
""",
    "bad": """\
format: scenecat/1
actors:
  - name: Random Person 2
scenes:
  - key: random-bad-scene
    drama: No Such Drama
    kind: kiss
    title: Never lands
""",
    "votes": """\
format: scenecat/1
votes:
  - {scene: melting-me-softly-e10-shower-kiss, score: 3, voter: importer}
  - {scene: healer-e9-snowy-rooftop-kiss, score: 10, voter: importer}
duels:
  - {winner: healer-e9-snowy-rooftop-kiss, loser: melting-me-softly-e10-shower-kiss}
""",
}

actor = st.sampled_from(ACTORS)
scene = st.sampled_from(SCENES)

_COMMAND_STRATEGIES = [
    st.tuples(st.just("add-actor"), actor),
    st.builds(
        lambda d, e, a, t: (
            "add-scene",
            "--drama",
            d,
            "--episode",
            str(e),
            "--actor",
            a,
            "--kind",
            "hug",
            "--title",
            t,
        ),
        st.sampled_from(DRAMAS),
        st.integers(0, 4),
        actor,
        st.sampled_from(TITLES),
    ),
    st.builds(
        lambda s, n, v: ("vote", s, str(n), "--voter", v),
        scene,
        st.integers(0, 11),
        st.sampled_from(["me", "you"]),
    ),
    st.builds(lambda w, lo: ("duel", w, lo), scene, scene),
    st.builds(lambda a, b: ("merge", "actor", a, b, "--yes"), actor, actor),
    st.builds(lambda a: ("remove", "actor", a, "--yes"), actor),
    st.builds(lambda s: ("remove", "scene", s, "--yes"), scene),
    st.builds(lambda d: ("remove", "drama", d, "--yes"), st.sampled_from(DRAMAS)),
    st.builds(lambda s, t: ("edit", "scene", s, "--title", t), scene, st.sampled_from(TITLES)),
    st.builds(lambda name: ("import", name), st.sampled_from(sorted(IMPORT_FILES))),
    # undo last: the two-process test leaves these two out
    st.builds(lambda n: ("undo", str(n), "--yes"), st.integers(1, 3)),
    st.builds(lambda n: ("undo", "--change", str(n), "--yes"), st.integers(1, 8)),
]
COMMANDS = st.one_of(*_COMMAND_STRATEGIES)


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def runner() -> Iterator[object]:
    """An in-process CLI runner that builds the Typer command once (building it costs more
    than most commands take)."""
    import typer.testing

    from scenecat.cli.app import app

    command = typer.main.get_command(app)
    original = typer.testing._get_command
    typer.testing._get_command = lambda _app: command  # type: ignore[assignment]
    try:
        yield typer.testing.CliRunner(), app
    finally:
        typer.testing._get_command = original


def _newest_change(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        row = conn.execute(
            "SELECT coalesce(max(id), 0) FROM history_change WHERE kind = 'change' "
            "AND undone_by IS NULL"
        ).fetchone()
        return int(row[0])
    finally:
        conn.close()


@contextmanager
def _catalogue(template: Path) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="scenecat-random-"))
    try:
        path = folder / "catalogue.db"
        shutil.copyfile(template, path)
        for name, text in IMPORT_FILES.items():
            (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(commands=st.lists(COMMANDS, min_size=1, max_size=7))
def test_random_command_sequences_keep_the_catalogue_sound(
    runner, sample_template: Path, monkeypatch: pytest.MonkeyPatch, commands: list[tuple[str, ...]]
) -> None:
    cli_runner, app = runner
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("SCENECAT_DEBUG", raising=False)
    with _catalogue(sample_template) as path:

        def run(*args: str) -> Outcome:
            result = cli_runner.invoke(app, ["--db", str(path), *args], catch_exceptions=False)
            return Outcome(result.exit_code, result.stdout, result.stderr)

        # (change id, catalogue before it) for each change still in place, oldest first
        stack: list[tuple[int, dict[str, list[tuple[object, ...]]]]] = []
        for command in commands:
            args = list(command)
            if args[0] == "import":
                args[1] = str(path.parent / f"{args[1]}.yaml")
            before = raw_dump(path)
            newest = _newest_change(path)
            result = run(*args)
            assert result.exit_code in (0, 1, 2), (args, result.stderr)
            assert "Traceback" not in result.stderr + result.stdout, (args, result.stderr)
            if result.exit_code:
                assert result.stderr.count("Error:") == 1, (args, result.stderr)
                assert raw_dump(path) == before, args  # a refused command changes nothing
            check = run("db", "check")
            assert check.exit_code == 0, (args, check.stderr)

            if args[0] == "undo" and result.exit_code == 0:
                if args[1] == "--change":
                    stack = []  # undoing out of order: older snapshots no longer apply
                    continue
                count = int(args[1])
                if count <= len(stack):
                    expected = stack[-count][1]
                    del stack[-count:]
                    assert raw_dump(path) == expected, args
                else:
                    stack = []
            elif _newest_change(path) > newest:
                stack.append((_newest_change(path), before))


# Two processes interleaving: each runs its own random sequence against one catalogue at the
# same moment. Every command ends cleanly (exit 0, 1 or 2; never a traceback, an "unexpected
# failure" or a lock error), the catalogue passes `db check`, and the history holds every
# acknowledged change whole: undoing all of them, newest first, gives back the catalogue from
# before the two started. (Undo itself is left out of these sequences: an undo cannot be
# undone, and it takes back whichever change is newest, the other process's too.)

TWO_PROCESS_COMMANDS = st.one_of(*_COMMAND_STRATEGIES[:-2])

PAIR_WORKER = r"""
import json, os, sys, time
from typer.main import get_command
from scenecat.cli.app import app

commands = json.loads(sys.argv[1])
go = sys.argv[2]
command = get_command(app)
deadline = time.monotonic() + 60
while not os.path.exists(go) and time.monotonic() < deadline:
    time.sleep(0.002)
codes = []
for args in commands:
    try:
        command.main(args=args, prog_name="scenecat", standalone_mode=True)
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    codes.append(code)
sys.stdout.write(json.dumps(codes))
"""


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    first=st.lists(TWO_PROCESS_COMMANDS, min_size=2, max_size=8),
    second=st.lists(TWO_PROCESS_COMMANDS, min_size=2, max_size=8),
)
def test_two_processes_interleaving_random_commands(
    sample_template: Path, first: list[tuple[str, ...]], second: list[tuple[str, ...]]
) -> None:
    import json
    import subprocess
    import sys

    from tests.fixtures.safety import python_env

    with _catalogue(sample_template) as path:
        start = raw_dump(path)
        batches = []
        for commands in (first, second):
            batch = []
            for command in commands:
                args = list(command)
                if args[0] == "import":
                    args[1] = str(path.parent / f"{args[1]}.yaml")
                batch.append(["--db", str(path), *args])
            batches.append(batch)
        go = path.parent / "go"
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", PAIR_WORKER, json.dumps(batch), str(go)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=python_env(),
            )
            for batch in batches
        ]
        go.touch()
        for proc, batch in zip(workers, batches, strict=True):
            out, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err
            codes = json.loads(out)
            assert len(codes) == len(batch)
            assert set(codes) <= {0, 1, 2}, (batch, codes, err)
            for bad in ("Traceback", "unexpected failure", "report it", "locked"):
                assert bad not in err, (batch, err)

        def run(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [sys.executable, "-m", "scenecat", "--db", str(path), *args],
                capture_output=True, text=True, env=python_env(), timeout=120,
            )  # fmt: skip

        check = run("db", "check")
        assert check.returncode == 0, check.stderr
        changes = _live_changes(path)
        if changes:
            undone = run("undo", str(changes), "--yes")
            assert undone.returncode == 0, undone.stderr
        assert raw_dump(path) == start


def _live_changes(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        row = conn.execute(
            "SELECT count(*) FROM history_change WHERE kind = 'change' AND undone_by IS NULL "
            "AND id > (SELECT coalesce(max(id), 0) FROM history_change WHERE label = 'import')"
        ).fetchone()
        return int(row[0])
    finally:
        conn.close()
