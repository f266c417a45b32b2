"""The same scene added twice (same drama, episode and title, spelled alike) is refused with
the existing key, unless --force; the check reads inside the write transaction."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run, dump, run_process

SHOWER = ["--drama", "Melting Me Softly", "--episode", "10", "--actor", "Ji Chang Wook"]
SHOWER += ["--kind", "kiss"]


def test_the_same_scene_twice_is_refused_with_the_existing_key(
    cli: Callable[..., Run], sample_db: Path
) -> None:
    before = dump(sample_db)
    result = cli("add-scene", *SHOWER, "--title", "THE  shower-kiss")
    assert result.exit_code == 1, result
    assert result.stderr.splitlines() == [
        "Error: Melting Me Softly, episode 10, already has 'The shower kiss' "
        "(key melting-me-softly-e10-shower-kiss)",
        "hint: see it with `scenecat show scene melting-me-softly-e10-shower-kiss`; "
        "--force adds this one anyway",
    ]
    assert result.stdout == ""
    assert dump(sample_db) == before


def test_force_adds_it_all_the_same(cli: Callable[..., Run], sample_db: Path) -> None:
    result = cli("add-scene", *SHOWER, "--title", "The shower kiss", "--force")
    assert result.exit_code == 0, result
    assert result.stderr.startswith("Added scene melting-me-softly-e10-")


def test_another_title_or_episode_is_no_duplicate(cli: Callable[..., Run], sample_db: Path) -> None:
    assert cli("add-scene", *SHOWER, "--title", "The second shower kiss").exit_code == 0
    other = [*SHOWER[:3], "9", *SHOWER[4:]]
    assert cli("add-scene", *other, "--title", "The shower kiss").exit_code == 0


@pytest.mark.slow
def test_two_at_once_add_one_scene(sample_db: Path) -> None:
    """Both processes see no twin before either writes only if the check were outside the
    write transaction; inside it, the second one finds the first one's scene."""
    results: list[Run] = []
    args = ["add-scene", *SHOWER[:3], "3", *SHOWER[4:], "--title", "Raced"]

    def add() -> None:
        results.append(run_process(*args))

    threads = [threading.Thread(target=add) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.exit_code for r in results) == [0, 1, 1], results
    listed = run_process("list", "scenes", "--drama", "Melting Me Softly", "--episode", "3")
    assert listed.stdout.count("Raced") == 1
