"""What a person sees: every listing drawn by the real program on a pseudo-terminal of 60,
80, 100 and 160 columns, on the sample catalogue.

Each screen must keep every line within the terminal, draw one line per record (the rows
counted against the same command's --json), keep headers whole (each one of the names the
piped output uses) and numbers whole (no digit group cut or wrapped).

A few screens are kept in tests/screens/ for a reviewer to read; test_kept_screens compares
them. After a deliberate change of the layout, write them again with
`SCENECAT_UPDATE_SCREENS=1 python -m pytest tests/test_screens.py` and review the diff.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

from tests.test_readme_tour import on_terminal

pytestmark = pytest.mark.slow

SCREENS = Path(__file__).parent / "screens"
UPDATE = os.environ.get("SCENECAT_UPDATE_SCREENS") == "1"
WIDTHS = (60, 80, 100, 160)

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _each(key: str) -> Callable[[Any], list[int]]:
    return lambda data: [len(data[key])] if data[key] else []


def _data(data: Any) -> list[int]:
    return [len(data)] if data else []


def _drama(data: Any) -> list[int]:
    return [len(data[k]) for k in ("cast", "episode_list", "scene_list") if data[k]]


def _stats(data: Any) -> list[int]:
    groups: dict[str, int] = {}
    for item in data:
        groups[item["group"]] = groups.get(item["group"], 0) + 1
    return list(groups.values())


# The commands the issue names; for each, the number of rows of each table it draws, read
# from its --json.
COMMANDS: dict[str, tuple[list[str], Callable[[Any], list[int]]]] = {
    "list-scenes": (["list", "scenes"], _data),
    "list-actors": (["list", "actors"], _data),
    "list-dramas": (["list", "dramas"], _data),
    "search": (["search", "kiss OR confession"], _data),
    "rank": (["rank"], _data),
    "rank-by-drama": (["rank", "--by", "drama", "--kind", "kiss"], _data),
    "rank-explain": (["rank", "--actor", "Ji Chang Wook", "--explain", "--limit", "5"], _data),
    "trending": (["trending", "--days", "400", "--until", "2020-08-31"], _data),
    "show-drama": (["show", "drama", "Melting Me Softly"], _drama),
    "show-actor": (["show", "actor", "Ji Chang Wook"], _each("credits")),
    "stats": (["stats"], _stats),
    "history": (["history"], _data),
}

# Kept for a reviewer: (name, columns).
KEPT = [
    *((name, 80) for name in COMMANDS if name != "history"),  # history shows clock times
    ("list-scenes", 60),
    ("search", 60),
    ("search", 160),
    ("rank-by-drama", 160),
]


@pytest.fixture(scope="module")
def catalogue(sample_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample, with a few changes so that `history` has rows to show."""
    path = tmp_path_factory.mktemp("screens") / "catalogue.db"
    shutil.copyfile(sample_template, path)
    for args in (
        ["vote", "melting-me-softly-e10-shower-kiss", "9"],
        ["alias", "actor", "Ji Chang Wook", "Ji Changwook"],
        ["remove", "scene", "healer-e8-elevator-rescue", "--yes"],
    ):
        subprocess.run([sys.executable, "-m", "scenecat", *args], env=_env(path), check=True)
    return path


def _env(path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "TTY_COMPATIBLE")}
    env.update(SCENECAT_DB=str(path), NO_COLOR="1", TERM="xterm", PYTHON=sys.executable)
    env.pop("SCENECAT_DEBUG", None)
    return env


def screen(catalogue: Path, args: list[str], columns: int) -> str:
    import shlex

    code, shown = on_terminal(
        shlex.join(["scenecat", *args]), catalogue.parent, _env(catalogue), columns
    )
    assert code == 0, shown
    return "\n".join(line.rstrip() for line in _ANSI.sub("", shown).split("\n")).rstrip() + "\n"


def _piped(catalogue: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    return _piped_once(catalogue, tuple(args))


@functools.cache
def _piped_once(catalogue: Path, args: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    # The same for every width: run once per command (the catalogue is not changed).
    return subprocess.run(
        [sys.executable, "-m", "scenecat", *args],
        env={**_env(catalogue), "TTY_COMPATIBLE": "0"},
        capture_output=True,
        text=True,
        check=True,
    )


def tables(text: str) -> list[tuple[list[str], list[list[str]]]]:
    """Each table on a screen: its header cells and its rows' cells."""
    lines = text.split("\n")
    found = []
    for i, line in enumerate(lines):
        if line.startswith("━") or re.match(r"^━+┿", line):
            header = [cell.strip() for cell in lines[i - 1].split("│")]
            rows = []
            for row in lines[i + 1 :]:
                # One column has no rule between cells: its rows end at a note or a blank.
                alone = "│" not in lines[i - 1] and row and not row.startswith("not shown")
                if "│" not in row and not alone:
                    break
                rows.append([cell.strip() for cell in row.split("│")])
            found.append((header, rows))
    return found


@pytest.mark.parametrize("columns", WIDTHS)
@pytest.mark.parametrize("name", list(COMMANDS))
def test_screen_fits(catalogue: Path, name: str, columns: int) -> None:
    args, counts = COMMANDS[name]
    shown = screen(catalogue, args, columns)
    wide = [line for line in shown.split("\n") if cell_len(line) > columns]
    assert not wide, f"wider than {columns} columns:\n" + "\n".join(wide)

    expected = counts(json.loads(_piped(catalogue, [*args, "--json"]).stdout)["data"])
    drawn = tables(shown)
    assert [len(rows) for _, rows in drawn] == expected, shown

    piped = _piped(catalogue, args).stdout
    names = {field for line in piped.split("\n") for field in line.split("\t")}
    fields = sorted(names)
    for header, rows in drawn:
        for cell in header:
            assert cell == "" or cell in names, f"header {cell!r} is cut:\n{shown}"
        for row in rows:
            assert len(row) == len(header), shown
            for cell in row:
                # Digit groups whole (1,850,000 or 1.85M, never `1,85` or `720` / `,000`).
                for number in re.findall(r"[\d,]*\d[\d,]*", cell):
                    assert re.fullmatch(r"\d{1,3}(,\d{3})*|\d+", number.strip(",")), cell
                if cell.endswith("…"):
                    # Cut where the whole value (as piped) goes on with a word's or a
                    # number's next part, never inside a number.
                    cut = cell[:-1]
                    whole = [field for field in fields if field.startswith(cut)]
                    assert whole, f"{cell!r} is not the start of any value"
                    assert any(not re.match(r"[,.]?\d", f[len(cut) :]) for f in whole), cell


@pytest.mark.parametrize(("name", "columns"), KEPT, ids=[f"{n}-{c}" for n, c in KEPT])
def test_kept_screens(catalogue: Path, name: str, columns: int) -> None:
    shown = screen(catalogue, COMMANDS[name][0], columns)
    path = SCREENS / f"{name}-{columns}.txt"
    if UPDATE:
        SCREENS.mkdir(exist_ok=True)
        path.write_text(shown, encoding="utf-8")
    assert path.exists(), f"no {path.name}: write it with SCENECAT_UPDATE_SCREENS=1"
    assert shown == path.read_text(encoding="utf-8"), (
        f"{path.name} differs; if the change is meant, run with SCENECAT_UPDATE_SCREENS=1 "
        "and review the diff"
    )


def test_piped_listings_are_unchanged_by_the_layout(catalogue: Path) -> None:
    # Piped output is tab-separated whatever the terminal width says.
    for columns in ("40", "200"):
        out = subprocess.run(
            [sys.executable, "-m", "scenecat", "list", "scenes"],
            env={**_env(catalogue), "COLUMNS": columns},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert out.split("\n", 1)[0] == "key\tdrama\tep\tkind\ttitle\tactors\tspoiler\tviews"
        assert "\t1,850,000\n" in out


def test_awkward_values_stay_one_line(catalogue: Path, tmp_path: Path) -> None:
    # A title that is one long word, one with a line break, and Hangul (two cells a letter).
    path = tmp_path / "awkward.db"
    shutil.copyfile(catalogue, path)
    titles = [
        "Supercalifragilistic" * 5,
        "Two\nlines",
        "눈 속의 키스, 지붕 위에서 다시 만난 두 사람의 이야기",
    ]
    for number, title in enumerate(titles, 1):
        subprocess.run(
            [sys.executable, "-m", "scenecat", "add-scene", "--drama", "Healer", "--episode",
             str(number), "--kind", "kiss", "--title", title, "--actor", "Ji Chang Wook"],
            env=_env(path), check=True, capture_output=True,
        )  # fmt: skip
    for columns in (60, 80):
        shown = screen(path, ["list", "scenes", "--drama", "Healer"], columns)
        assert all(cell_len(line) <= columns for line in shown.split("\n")), shown
        [(_, rows)] = tables(shown)
        assert len(rows) == 3 + 3, shown  # the sample's three Healer scenes left, and these


def test_empty_columns_give_way_to_text(tmp_path: Path) -> None:
    # Real lists (MyDramaList credits) have dramas with a title only: the empty native,
    # network, year and episodes columns must not cut the titles.
    path = tmp_path / "titles.db"
    title = "2021 Summer Drama Collage: Monster Mansion"
    for name in (title, "18 Again", "100 Days My Prince"):
        subprocess.run(
            [sys.executable, "-m", "scenecat", "add-drama", name],
            env=_env(path), check=True, capture_output=True,
        )  # fmt: skip
    shown = screen(path, ["list", "dramas"], 80)
    [(_, rows)] = tables(shown)
    assert title in [row[0] for row in rows], shown
    # Empty in every row: not drawn at all (issue 25), nor named as left out for width.
    assert rows[0] == [cell for cell in rows[0]] and len(rows[0]) == 2, shown
    assert "native" not in shown and "not shown at this width" not in shown


# Every table command, for the rule on unused width (`sources` as well: a table of prose).
SPARE = {
    **{name: args for name, (args, _) in COMMANDS.items()},
    "sources": ["sources"],
    "list-episodes": ["list", "episodes", "--drama", "Goblin"],
}
_GROUPED = re.compile(r"([+-]?)(\d{1,3}(?:,\d{3})+)")


def _column_widths(rule: str) -> list[int]:
    # `━━┿━━━━━━━┿━━━`: no outer edges, so the first and last columns have one space of
    # padding (towards the rule between columns), the others two.
    parts = rule.split("┿")
    if len(parts) == 1:
        return [cell_len(rule)]
    return [
        cell_len(parts[0]) - 1,
        *(cell_len(p) - 2 for p in parts[1:-1]),
        cell_len(parts[-1]) - 1,
    ]


def _whole_width(piped: str, name: str) -> int:
    """How wide the column `name` is whole (its header, its values; big numbers compact)."""
    from scenecat.cli.output import compact

    widest = cell_len(name)
    lines = [line.split("\t") for line in piped.split("\n")]
    for i, header in enumerate(lines):
        if name not in header:
            continue
        at = header.index(name)
        for fields in lines[i + 1 :]:
            if len(fields) != len(header):
                break
            value = fields[at]
            if m := _GROUPED.fullmatch(value):
                value = m.group(1) + compact(int(m.group(2).replace(",", "")))
            widest = max(widest, cell_len(value))
    return widest


def _left_out_wider(catalogue: Path, args: list[str], columns: int, name: str) -> bool:
    """Whether a terminal wider than `columns` (up to 160) leaves the column out."""
    for wider in range(columns + 1, 161):
        shown = subprocess.run(
            [sys.executable, "-m", "scenecat", *args],
            env={**_env(catalogue), "TTY_COMPATIBLE": "1", "COLUMNS": str(wider)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        lines = _ANSI.sub("", shown).split("\n")
        for i, line in enumerate(lines):
            if line.startswith("not shown at this width: ") and name in _left_out(lines[i:]):
                return True
    return False


def _left_out(after: list[str]) -> list[str]:
    """The columns the note under a table names (a long note wraps after a comma)."""
    if not after or not after[0].startswith("not shown at this width: "):
        return []
    note = after[0].removeprefix("not shown at this width: ")
    for line in after[1:]:
        if not note.rstrip().endswith(","):
            break
        note = note.rstrip() + " " + line.strip()
    return [name.strip() for name in note.split(",") if name.strip()]


def _next_word_end(cut: str, whole: str) -> int:
    """How wide `whole` shows cut at the first word end after `cut` (with its `…`)."""
    end = len(cut)
    while end < len(whole) and whole[end] in " ,;:.!?-":
        end += 1
    while end < len(whole) and whole[end] not in " ,;:.!?-":
        end += 1
    if end < len(whole) and whole[end] == "-":
        end += 1
    if end >= len(whole):
        return cell_len(whole)
    return cell_len(whole[:end].rstrip(" ,;:-")) + 1


@pytest.mark.parametrize("columns", WIDTHS)
@pytest.mark.parametrize("name", list(SPARE))
def test_no_width_is_left_unused_while_text_is_cut(
    catalogue: Path, name: str, columns: int
) -> None:
    """The rule: a column is as wide as its widest cell or header (no blank strip in it);
    the width the table leaves unused at the right is too narrow to show any cut cell
    up to its next word end (…it is given to cut cells first), and too narrow for any
    column left out to come back whole (3 for the rule between columns + its width);
    and a cut cell fills at least half its column (else it is cut mid-word, `Crash
    Landin…`, rather than `Crash…`)."""
    args = SPARE[name]
    shown = screen(catalogue, args, columns)
    piped = _piped(catalogue, args).stdout
    values = sorted({field for line in piped.split("\n") for field in line.split("\t")})
    lines = shown.split("\n")
    rules = [i for i, line in enumerate(lines) if re.match(r"^━+(┿━+)*$", line)]
    assert rules or "kiss" not in shown, shown
    drawn = dict(zip(rules, tables(shown), strict=True))
    for at, (header, rows) in drawn.items():
        widths = _column_widths(lines[at])
        spare = columns - cell_len(lines[at])
        assert len(widths) == len(header), shown
        for column, width in enumerate(widths):
            cells = [header[column], *(row[column] for row in rows)]
            assert max(map(cell_len, cells)) == width, (
                f"column {header[column]!r} has a blank strip:\n{shown}"
            )
            for cell in cells[1:]:
                if not cell.endswith("…"):
                    continue
                assert 2 * cell_len(cell) >= width, (
                    f"{cell!r} fills less than half its column:\n{shown}"
                )
                whole = [v for v in values if v.startswith(cell[:-1]) and v != cell]
                assert whole, f"{cell!r} is not the start of any value"
                # More of it would show in its column with the unused width added.
                more = [_next_word_end(cell[:-1], v) for v in whole]
                assert max(more) > width + spare, (
                    f"{cell!r} is cut while {spare} columns are unused:\n{shown}"
                )
        for left_out in _left_out(lines[at + 1 + len(rows) :]):
            if left_out == "bars" or 3 + _whole_width(piped, left_out) > spare:
                continue
            # It may stay out when a wider screen leaves it out too: a narrower one may
            # not show more (issue 25; tests/test_widths_round_two.py).
            assert _left_out_wider(catalogue, args, columns, left_out), (
                f"{left_out!r} would fit whole in {spare} unused columns:\n{shown}"
            )
