"""Keys shortened on a narrow screen (issue 25): each shortened key is a key.

A listing too wide for the terminal shows `shower-kiss` for
`melting-me-softly-e10-shower-kiss`; `show scene shower-kiss` (and every other command taking
a scene) must then find that scene, and only when no other scene could be meant. And the
arithmetic under it all (layout.fit): a wider table never shows less.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenecat.cli import layout
from tests.conftest import Run


def _shown_keys(out: str) -> list[str]:
    """The key column of a drawn `list scenes` table (the first column)."""
    lines = out.split("\n")
    rule = next(i for i, line in enumerate(lines) if line.startswith("━"))
    keys = []
    for line in lines[rule + 1 :]:
        if "│" not in line:
            break
        keys.append(line.split("│")[0].strip())
    return keys


def _key_of(cli: Callable[..., Run], typed: str) -> str:
    run = cli("show", "scene", typed, "--json")
    assert run.exit_code == 0, run.stderr
    return str(json.loads(run.stdout)["data"]["key"])


@pytest.fixture
def narrow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("COLUMNS", "60")


def _listed(cli: Callable[..., Run], *args: str) -> tuple[list[str], list[str]]:
    """(keys shown at 60 columns, the whole keys in the same order)."""
    import os

    shown = cli("list", "scenes", *args)
    assert shown.exit_code == 0, shown.stderr
    os.environ["TTY_COMPATIBLE"] = "0"
    try:
        whole = json.loads(cli("list", "scenes", *args, "--json").stdout)["data"]
    finally:
        os.environ["TTY_COMPATIBLE"] = "1"
    return _shown_keys(shown.stdout), [s["key"] for s in whole]


def test_every_shortened_key_finds_its_scene(
    cli: Callable[..., Run], sample_db: Path, narrow: None
) -> None:
    shown, whole = _listed(cli)
    assert len(shown) == len(whole) > 40
    assert "shower-kiss" in shown
    assert max(map(len, shown)) <= 20  # at most a third of 60 columns
    for short, key in zip(shown, whole, strict=True):
        assert key.endswith("-" + short)
        assert _key_of(cli, short) == key


def test_a_large_catalogue_lists_whole_keys_and_parts_still_resolve(
    cli: Callable[..., Run], sample_db: Path, narrow: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Above MOST_SCENES, finding each key's own part would read every key on every listing.
    from scenecat.domain import short_keys

    monkeypatch.setattr(short_keys, "MOST_SCENES", 10)
    shown = cli("list", "scenes")
    assert shown.exit_code == 0, shown.stderr
    assert "keys shortened" not in shown.stdout
    assert "shower-kiss" not in _shown_keys(shown.stdout)
    assert _key_of(cli, "shower-kiss") == "melting-me-softly-e10-shower-kiss"


def test_a_part_two_keys_share_is_not_shown_and_does_not_resolve(
    cli: Callable[..., Run], sample_db: Path, narrow: None
) -> None:
    # Another Healer scene ending like healer-e9-snowy-rooftop-kiss, and a scene titled
    # like the part `shower-kiss` (a title is looked up before a part of a key).
    for episode, title in ((3, "Snowy rooftop kiss"), (4, "shower-kiss")):
        added = cli("add-scene", "--drama", "Healer", "--episode", str(episode), "--kind",
                    "kiss", "--title", title, "--actor", "Ji Chang Wook", "--force")  # fmt: skip
        assert added.exit_code == 0, added.stderr
    shown, whole = _listed(cli)
    by_key = dict(zip(whole, shown, strict=True))
    assert by_key["healer-e9-snowy-rooftop-kiss"] == "e9-snowy-rooftop-kiss"
    assert by_key["healer-e3-snowy-rooftop-kiss"] == "e3-snowy-rooftop-kiss"
    assert by_key["melting-me-softly-e10-shower-kiss"] == "e10-shower-kiss"
    for key, short in by_key.items():
        assert _key_of(cli, key) == key
        assert _key_of(cli, short) == key
    # Shared by two keys: never a guess.
    shared = cli("show", "scene", "rooftop-kiss")
    assert shared.exit_code == 1
    assert shared.stderr.startswith("Error: ")
    # The title wins over the part, as it did before parts were accepted.
    assert _key_of(cli, "shower-kiss") == "healer-e4-shower-kiss"


def test_only_key_shaped_text_is_read_as_a_part(cli: Callable[..., Run], sample_db: Path) -> None:
    # Free text is not matched by its ending (a title or a search is meant).
    for typed in ("shower kiss", "Shower-Kiss", "ower-kiss", "kiss*", "shower-kiss-"):
        run = cli("show", "scene", typed)
        assert run.exit_code == 1, typed
        assert run.stderr.startswith("Error: no scene"), run.stderr


def test_a_shortened_key_works_for_a_write(cli: Callable[..., Run], sample_db: Path) -> None:
    voted = cli("vote", "shower-kiss", "7", "--voter", "Hana")
    assert voted.exit_code == 0, voted.stderr
    shown = json.loads(cli("show", "scene", "melting-me-softly-e10-shower-kiss", "--json").stdout)
    assert any(v["voter"] == "Hana" and v["score"] == 7 for v in shown["data"]["votes"])


def test_piped_and_json_keys_stay_whole(cli: Callable[..., Run], sample_db: Path) -> None:
    piped = cli("list", "scenes").stdout
    assert "melting-me-softly-e10-shower-kiss\t" in piped
    assert not re.search(r"^shower-kiss\t", piped, re.M)


# A column: its natural width, compacted width, minimum, least.
_COLUMN = st.integers(1, 60).flatmap(
    lambda natural: st.tuples(
        st.just(natural),
        st.integers(1, natural),
        st.integers(1, natural),
        st.integers(0, natural),
    )
)


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(
    st.lists(_COLUMN, min_size=1, max_size=9),
    st.randoms(use_true_random=False),
    st.lists(st.integers(20, 200), min_size=1, max_size=4),
)
def test_a_wider_table_never_shows_less(
    raw: list[tuple[int, ...]], rnd: object, widths: list[int]
) -> None:
    """layout.fit, for any columns and any order of importance: every column shown at a
    width is shown at a wider one, at least as wide; numbers compact there are compact
    here; the row fits."""
    columns = [
        layout.Column(n, min(c, n), min(m, c, n), min(least, m, c, n)) for n, c, m, least in raw
    ]
    importance = list(range(len(columns)))
    rnd.shuffle(importance)  # type: ignore[attr-defined]
    for width in widths:
        before = layout.fit(columns, importance, width)
        for wider in (width + 1, width + 9):
            plan = layout.fit(columns, importance, wider)
            for i, w in before.widths.items():
                assert plan.widths.get(i, 0) >= w, (width, wider, before, plan)
            assert not plan.compact or before.compact
            assert layout.total(list(plan.widths.values())) <= wider or len(plan.widths) == 1
