"""Issue 25, "Reads badly": every listing drawn by the real program on a pseudo-terminal of
60, 80, 120 and 160 columns, on the sample catalogue.

- A wider terminal never shows less of any column than a narrower one: a column shown
  at a width is shown at every wider one, and each of its cells shows at least as much.
- Titles and names are never cut while a key takes more than a third of the width.
- A key on the screen, shortened or not, is a key: `show scene` finds the same scene.
- `show drama` draws no empty or headerless column; `show scene` never cuts a link;
  `sources` shows at 80 columns what the README says it shows.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

from tests.test_screens import _env, _piped, screen, tables

pytestmark = pytest.mark.slow

WIDTHS = (60, 80, 120, 160)

LISTINGS: dict[str, list[str]] = {
    "list-scenes": ["list", "scenes"],
    "list-scenes-kiss": ["list", "scenes", "--kind", "kiss"],
    "list-actors": ["list", "actors"],
    "list-dramas": ["list", "dramas"],
    "list-episodes": ["list", "episodes"],
    "search": ["search", "kiss OR confession"],
    "search-hangul": ["search", "녹여"],
    "rank": ["rank"],
    "rank-by-drama": ["rank", "--by", "drama"],
    "rank-by-actor": ["rank", "--by", "actor"],
    "trending": ["trending", "--days", "400", "--until", "2020-08-31"],
    "history": ["history"],
    "sources": ["sources"],
    "stats": ["stats"],
    "show-drama": ["show", "drama", "Melting Me Softly"],
    "show-actor": ["show", "actor", "Ji Chang Wook"],
    "show-scene": ["show", "scene", "melting-me-softly-e10-shower-kiss"],
}
# Columns holding a title or a name (a list of names, `actors`, may be cut).
NAMES = {"title", "name", "scene", "best scene", "drama", "actor"}


@pytest.fixture(scope="module")
def catalogue(sample_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("round-two") / "catalogue.db"
    shutil.copyfile(sample_template, path)
    for args in (
        ["vote", "melting-me-softly-e10-shower-kiss", "9"],
        ["alias", "actor", "Ji Chang Wook", "Ji Changwook"],
    ):
        subprocess.run([sys.executable, "-m", "scenecat", *args], env=_env(path), check=True)
    return path


@pytest.fixture(scope="module")
def screens(catalogue: Path) -> dict[tuple[str, int], str]:
    return {
        (name, columns): screen(catalogue, args, columns)
        for name, args in LISTINGS.items()
        for columns in WIDTHS
    }


def _columns(shown: str) -> list[dict[str, list[str]]]:
    """Each table's columns by header: the cells of each."""
    found = []
    for header, rows in tables(shown):
        found.append({name: [row[i] for row in rows] for i, name in enumerate(header)})
    return found


def _shows_at_least(wide: str, narrow: str) -> bool:
    """Whether a cell shows at least what a narrower screen's cell shows: the same, or
    more of the same text (a cut one going on), or a key whole where it was shortened."""
    if wide.startswith(narrow):  # the same, or a bar beside the figure
        return True
    if narrow.endswith("…"):
        return wide.removesuffix("…").startswith(narrow[:-1]) and len(wide) >= len(narrow) - 1
    return bool(re.fullmatch(r"[a-z0-9-]+", narrow)) and wide.endswith("-" + narrow)


@pytest.mark.parametrize("name", list(LISTINGS))
def test_a_wider_terminal_never_shows_less(screens: dict[tuple[str, int], str], name: str) -> None:
    for narrow, wide in itertools.pairwise(WIDTHS):
        before, after = _columns(screens[name, narrow]), _columns(screens[name, wide])
        assert len(before) == len(after), (screens[name, narrow], screens[name, wide])
        for table_before, table_after in zip(before, after, strict=True):
            for column, cells in table_before.items():
                assert column in table_after, (
                    f"{column!r} shown at {narrow} columns, not at {wide}:\n" + screens[name, wide]
                )
                for cell, more in zip(cells, table_after[column], strict=True):
                    assert _shows_at_least(more, cell), (
                        f"{column!r}: {cell!r} at {narrow} columns, {more!r} at {wide}"
                    )


@pytest.mark.parametrize("columns", WIDTHS)
@pytest.mark.parametrize("name", list(LISTINGS))
def test_titles_are_not_cut_for_a_wide_key(
    screens: dict[tuple[str, int], str], name: str, columns: int
) -> None:
    shown = screens[name, columns]
    assert all(cell_len(line) <= columns for line in shown.split("\n") if "://" not in line)
    for table in _columns(shown):
        keys = table.get("key", [])
        if not keys or max(map(cell_len, keys)) * 3 <= columns:
            continue
        for column in NAMES & table.keys():
            cut = [cell for cell in table[column] if cell.endswith("…")]
            assert not cut, f"{column} cut while the key is wide:\n{shown}"


@pytest.mark.parametrize("name", ["list-scenes", "search-hangul", "rank", "show-drama"])
def test_every_key_on_the_screen_is_a_key(
    catalogue: Path, screens: dict[tuple[str, int], str], name: str
) -> None:
    """The key column is shown at every width (the next command needs it), and each key
    shown, shortened or whole, finds the scene the row is about."""
    piped = _piped(catalogue, LISTINGS[name]).stdout.split("\n")
    header = next(line.split("\t") for line in piped if "\tkey" in line or "key\t" in line)
    whole = [
        line.split("\t")[header.index("key")]
        for line in piped[piped.index("\t".join(header)) + 1 :]
        if line.count("\t") == len(header) - 1
    ]
    shortened = False
    for columns in WIDTHS:
        [keys] = [t["key"] for t in _columns(screens[name, columns]) if "key" in t]
        for shown, key in zip(keys, whole, strict=True):
            if not key:  # a masked scene
                continue
            assert key == shown or key.endswith("-" + shown), (shown, key)
            shortened |= shown != key
            found = subprocess.run(
                [sys.executable, "-m", "scenecat", "show", "scene", shown, "--json"],
                env={**_env(catalogue), "TTY_COMPATIBLE": "0"},
                capture_output=True,
                text=True,
                check=True,
            )
            assert f'"key": "{key}"' in found.stdout
            if shown == key:
                break  # whole keys need no check beyond the first
    assert shortened, "no key was shortened at 60 columns"


def test_list_scenes_kiss_at_80_shows_whole_titles(screens: dict[tuple[str, int], str]) -> None:
    # The screen: the key took 47 columns and every title read "The kiss…".
    [table] = _columns(screens["list-scenes-kiss", 80])
    assert "The kiss without music" in table["title"]
    assert not [t for t in table["title"] if t.endswith("…")]
    assert max(map(cell_len, table["key"])) <= 80 // 3


def test_rank_by_drama_at_120_shows_every_drama_whole(
    screens: dict[tuple[str, int], str],
) -> None:
    [table] = _columns(screens["rank-by-drama", 120])
    assert "Melting Me Softly" in table["drama"]
    assert not [d for d in table["drama"] if d.endswith("…")]


@pytest.mark.parametrize("columns", [60, 80])
def test_search_hangul_shows_the_key(screens: dict[tuple[str, int], str], columns: int) -> None:
    [table] = _columns(screens["search-hangul", columns])
    assert "shower-kiss" in table["key"] or "melting-me-softly-e10-shower-kiss" in table["key"]


@pytest.mark.parametrize("columns", WIDTHS)
def test_show_drama_draws_no_empty_or_headerless_column(
    screens: dict[tuple[str, int], str], columns: int
) -> None:
    shown = screens["show-drama", columns]
    for table in _columns(shown):
        assert "" not in table, f"a column without a header:\n{shown}"
        for name, cells in table.items():
            assert any(cells), f"{name!r} is empty in every row:\n{shown}"


@pytest.mark.parametrize("columns", WIDTHS)
def test_show_scene_never_cuts_a_link(
    catalogue: Path, screens: dict[tuple[str, int], str], columns: int
) -> None:
    piped = _piped(catalogue, LISTINGS["show-scene"]).stdout
    links = set(re.findall(r"https?://\S+", piped))
    assert links
    shown = screens["show-scene", columns]
    assert "https://example…" not in shown
    # Each link whole on one line of output (the terminal may wrap it; the program does not).
    raw_lines = shown.split("\n")
    for link in links:
        assert any(link in line for line in raw_lines), f"{link} is not whole:\n{shown}"


@pytest.mark.parametrize("columns", [60, 80])
def test_sources_shows_what_they_need_and_their_terms(
    catalogue: Path, screens: dict[tuple[str, int], str], columns: int
) -> None:
    # README: `scenecat sources  # the sources, what they need, their terms`.
    shown = " ".join(screens["sources", columns].split())
    piped = _piped(catalogue, ["sources"]).stdout.split("\n")
    header = piped[0].split("\t")
    for line in piped[1:]:
        fields = line.split("\t")
        if len(fields) != len(header):
            continue
        for field in (fields[header.index(n)] for n in ("source", "needs", "terms")):
            assert " ".join(field.split()) in shown, f"{field!r} not shown:\n{shown}"
