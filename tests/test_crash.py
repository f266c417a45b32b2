"""Crash safety: a scenecat process killed with SIGKILL in the middle of an import, a merge or
a schema upgrade leaves the catalogue as it was before (or, once committed, fully after), and
the next run opens it without any journal trouble.

The kill points are deterministic: a wrapper counts the SQL statements the process runs (a
trace callback on its connections) and SIGKILLs itself at the Nth, or as COMMIT starts.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import dump
from tests.fixtures.safety import OLD_CATALOGUE, python_env, raw_dump, user_version

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")]

CRASHER = r"""
import atexit, os, signal, sys
from scenecat.storage import connection

at = int(os.environ.get("CRASH_AT", "0"))
on = os.environ.get("CRASH_ON", "")
count_file = os.environ.get("CRASH_COUNT")
seen = [0]
original = connection._connect

def connect(path):
    conn = original(path)
    def trace(sql):
        seen[0] += 1
        if (at and seen[0] >= at) or (on and sql.lstrip().upper().startswith(on)):
            os.kill(os.getpid(), signal.SIGKILL)
    conn.set_trace_callback(trace)
    return conn

connection._connect = connect
if count_file:
    atexit.register(lambda: open(count_file, "w").write(str(seen[0])))
from scenecat.cli.app import app
app(args=sys.argv[1:], prog_name="scenecat")
"""


def _run(db: Path, args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CRASHER, "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=python_env(**env),
        timeout=120,
    )


def _statements(db: Path, args: list[str], tmp_path: Path) -> int:
    counter = tmp_path / "count.txt"
    result = _run(db, args, CRASH_COUNT=str(counter))
    assert result.returncode == 0, result.stderr
    return int(counter.read_text())


def _points(total: int) -> list[int | str]:
    """Early, a third and two thirds in, and as COMMIT starts."""
    return [*sorted({1, total // 3, (2 * total) // 3} - {0}), "COMMIT"]


def _assert_killed(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == -signal.SIGKILL, (result.returncode, result.stderr)


def _check(cli, db: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("--db", str(db), "db", "check")
    assert result.exit_code == 0, result.stderr


EXTRA = """\
format: scenecat/1
actors:
  - name: Crash Test Actor
    aliases: [CTA]
  - name: Ji Chang Wook
dramas:
  - title: Crash Test Drama
    network: tvN
    year: 2022
    episodes: 4
    cast:
      - {actor: Crash Test Actor, character: Lead, role: main}
      - {actor: Ji Chang Wook, character: Friend, role: support}
scenes:
"""
for _i in range(40):
    EXTRA += f"""\
  - key: crash-test-drama-e{_i % 4 + 1}-scene-{_i}
    drama: Crash Test Drama
    episode: {_i % 4 + 1}
    kind: kiss
    title: Scene {_i}
    actors: [Crash Test Actor, Ji Chang Wook]
    tags: [t{_i % 3}]
    views:
      - {{count: {1000 + _i}, on: 2022-02-02, source: clip}}
"""
EXTRA += "votes:\n" + "".join(
    f"  - {{scene: crash-test-drama-e{i % 4 + 1}-scene-{i}, score: {i % 10 + 1}, voter: me}}\n"
    for i in range(40)
)


@pytest.mark.parametrize("start", ["empty", "sample"])
def test_import_killed_at_any_point_leaves_the_catalogue_as_before(
    cli, sample_template: Path, tmp_path: Path, start: str
) -> None:
    """Into an empty catalogue the import takes the bulk path, into the sample the
    record-by-record one; both are one transaction."""
    source = tmp_path / "extra.yaml"
    source.write_text(EXTRA, encoding="utf-8")
    base = tmp_path / "base.db"
    if start == "sample":
        shutil.copyfile(sample_template, base)
    else:
        assert cli("--db", str(base), "init").exit_code == 0
    args = ["import", str(source)]
    before_raw, before = raw_dump(base), dump(base)

    finished = tmp_path / "finished.db"
    shutil.copyfile(base, finished)
    total = _statements(finished, args, tmp_path)
    after_raw = raw_dump(finished)
    assert after_raw != before_raw and total > 20

    for point in _points(total):
        victim = tmp_path / f"victim-{point}.db"
        shutil.copyfile(base, victim)
        env = {"CRASH_ON": "COMMIT"} if point == "COMMIT" else {"CRASH_AT": str(point)}
        _assert_killed(_run(victim, args, **env))
        assert raw_dump(victim) == before_raw, f"killed at {point}"
        assert dump(victim) == before
        _check(cli, victim)
        # and the same import then goes through in full
        again = cli("--db", str(victim), *args)
        assert again.exit_code == 0, again.stderr
        assert raw_dump(victim) == after_raw


def test_merge_killed_at_any_point_leaves_both_actors(
    cli, sample_template: Path, tmp_path: Path
) -> None:
    base = tmp_path / "base.db"
    shutil.copyfile(sample_template, base)
    args = ["merge", "actor", "Ji Chang Wook", "Won Jin Ah", "--yes"]
    before_raw = raw_dump(base)
    finished = tmp_path / "finished.db"
    shutil.copyfile(base, finished)
    total = _statements(finished, args, tmp_path)
    for point in _points(total):
        victim = tmp_path / f"victim-{point}.db"
        shutil.copyfile(base, victim)
        env = {"CRASH_ON": "COMMIT"} if point == "COMMIT" else {"CRASH_AT": str(point)}
        _assert_killed(_run(victim, args, **env))
        assert raw_dump(victim) == before_raw, f"killed at {point}"
        _check(cli, victim)
        shown = cli("--db", str(victim), "show", "actor", "Won Jin Ah", "--json")
        assert '"name": "Won Jin Ah"' in shown.stdout


def test_undo_killed_at_any_point_leaves_the_change_in_place(
    cli, sample_template: Path, tmp_path: Path
) -> None:
    base = tmp_path / "base.db"
    shutil.copyfile(sample_template, base)
    assert cli("--db", str(base), "remove", "drama", "Healer", "--yes").exit_code == 0
    args = ["undo", "--yes"]
    before_raw = raw_dump(base)
    finished = tmp_path / "finished.db"
    shutil.copyfile(base, finished)
    total = _statements(finished, args, tmp_path)
    for point in [total // 3, (2 * total) // 3, "COMMIT"]:
        victim = tmp_path / f"victim-{point}.db"
        shutil.copyfile(base, victim)
        env = {"CRASH_ON": "COMMIT"} if point == "COMMIT" else {"CRASH_AT": str(point)}
        _assert_killed(_run(victim, args, **env))
        assert raw_dump(victim) == before_raw, f"killed at {point}"
        _check(cli, victim)


@pytest.mark.parametrize("start", ["old", "new"])
def test_upgrade_or_creation_killed_leaves_a_catalogue_that_opens(
    cli, tmp_path: Path, start: str
) -> None:
    base = tmp_path / "base.db"
    if start == "old":
        shutil.copyfile(OLD_CATALOGUE, base)
        before_raw = raw_dump(base)
    # Only init, import and add-* create a catalogue; a read opens (and upgrades) one.
    args = ["list", "actors", "--json"] if start == "old" else ["init"]
    finished = tmp_path / "finished.db"
    if start == "old":
        shutil.copyfile(base, finished)
    total = _statements(finished, args, tmp_path)
    for point in _points(total):
        victim = tmp_path / f"victim-{point}.db"
        if start == "old":
            shutil.copyfile(base, victim)
        env = {"CRASH_ON": "COMMIT"} if point == "COMMIT" else {"CRASH_AT": str(point)}
        _assert_killed(_run(victim, args, **env))
        if start == "old":
            assert user_version(victim) == 2, f"killed at {point}"
            assert raw_dump(victim) == before_raw
        if start == "new":
            again = cli("--db", str(victim), "init")
            assert again.exit_code == 0, again.stderr
        after = cli("--db", str(victim), "list", "actors", "--json")
        assert after.exit_code == 0, after.stderr
        assert user_version(victim) == user_version(finished)
        if start == "old":
            assert raw_dump(victim) == raw_dump(finished)
