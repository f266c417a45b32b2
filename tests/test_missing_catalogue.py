"""A read (or a change to existing records) on a path with no catalogue says so and creates
nothing; only init, import and add-* make a catalogue."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import SAMPLE, Run

# Every command that needs an existing catalogue, with arguments good enough to reach it.
NEEDS_ONE = [
    ["rank"],
    ["rank", "--by", "drama"],
    ["trending"],
    ["search", "rain"],
    ["stats"],
    ["history"],
    ["undo", "--yes"],
    ["list", "scenes"],
    ["list", "actors"],
    ["list", "dramas"],
    ["list", "episodes"],
    ["show", "actor", "Ji Chang Wook"],
    ["show", "drama", "Melting Me Softly"],
    ["show", "scene", "some-key"],
    ["edit", "actor", "Ji Chang Wook", "--born", "1987"],
    ["edit", "scene", "some-key", "--title", "x"],
    ["remove", "scene", "some-key", "--yes"],
    ["alias", "actor", "Ji Chang Wook", "JCW"],
    ["merge", "actor", "A", "B", "--yes"],
    ["vote", "some-key", "8"],
    ["views", "some-key", "1000"],
    ["duel", "a-key", "b-key"],
    ["export", "yaml"],
    ["export", "jsonl"],
    ["export", "json"],
    ["export", "csv"],
    ["export", "markdown"],
    ["db", "check"],
    ["db", "backup", "copy.db"],
    ["db", "restore", "other.db", "--yes"],
]


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


@pytest.mark.parametrize("args", NEEDS_ONE, ids=" ".join)
def test_no_catalogue_is_said_and_nothing_is_created(
    cli: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "other.db").write_bytes(b"")
    before = _files(tmp_path)
    result = cli("--db", "typo.db", *args)
    assert result.exit_code == 1, result
    assert result.stderr.startswith("Error: there is no catalogue at typo.db\n"), result.stderr
    assert "scenecat --db typo.db init" in result.stderr
    assert result.stdout == ""
    assert _files(tmp_path) == before


def test_the_default_path_is_not_created_by_a_read(cli: Callable[..., Run], db: Path) -> None:
    result = cli("rank")
    assert result.exit_code == 1 and "there is no catalogue at" in result.stderr
    assert not db.exists()


def test_an_empty_file_is_no_catalogue_and_stays_as_it_is(
    cli: Callable[..., Run], db: Path
) -> None:
    db.write_bytes(b"")
    assert cli("list", "scenes").exit_code == 1
    assert db.read_bytes() == b""


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["init"],
        ["import", str(SAMPLE)],
        ["add-actor", "Ji Chang Wook"],
        ["add-drama", "Melting Me Softly"],
    ],
    ids=" ".join,
)
def test_init_import_and_add_make_a_catalogue(
    cli: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("--db", "new.db", *args)
    assert result.exit_code == 0, result
    assert (tmp_path / "new.db").is_file()
    assert cli("--db", "new.db", "stats").exit_code == 0


def test_add_episode_and_scene_may_create_but_then_need_their_drama(
    cli: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("--db", "new.db", "add-episode", "Nowhere", "1")
    assert result.exit_code == 1 and "there is no catalogue" not in result.stderr


@pytest.mark.parametrize("where", ["XDG_DATA_HOME is a file", "/dev/null", "a folder"])
@pytest.mark.parametrize("command", [["init"], ["add-actor", "Gong Yoo"], ["list", "scenes"]])
def test_a_path_that_cannot_hold_a_catalogue_is_one_clear_error(
    cli: Callable[..., Run],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
    command: list[str],
) -> None:
    """#26.12: the catalogue's path (from --db, SCENECAT_DB or XDG_DATA_HOME) naming a
    device, a folder, or a file where a folder should be: one line saying so, not an
    unexpected failure, and nothing made."""
    if where == "XDG_DATA_HOME is a file":
        data_home = tmp_path / "data"
        data_home.write_text("not a folder")
        monkeypatch.delenv("SCENECAT_DB")
        monkeypatch.setenv("XDG_DATA_HOME", str(data_home))
        expected = f"{data_home} is not a folder"
    elif where == "/dev/null":
        monkeypatch.setenv("SCENECAT_DB", "/dev/null")
        expected = "/dev/null is not a regular file"
    else:
        monkeypatch.setenv("SCENECAT_DB", str(tmp_path))
        expected = f"{tmp_path} is a folder, not a catalogue file"
    before = sorted(tmp_path.rglob("*"))
    result = cli(*command)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and expected in result.stderr.splitlines()[0]
    assert "unexpected" not in result.stderr and "report it" not in result.stderr
    assert sorted(tmp_path.rglob("*")) == before
