"""The output layer: Rich tables for people, JSON for programs, messages on stderr.

The only module besides the Typer app that imports Rich. User text is always passed to
Rich as `Text` (never parsed as markup) and control characters are made visible, so a
scene titled `[bold]x[/]` or carrying terminal escapes prints exactly as typed.

Tables are drawn only on a terminal. Piped or redirected, a table is written as
tab-separated lines, a header line first, one record per line (title and footer go to
stderr): `grep`, `cut` and `sort` see whole records instead of a table folded to 80
columns, and Rich is not even imported. `TTY_COMPATIBLE=1` / `=0` forces either way, as it
does for Rich.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Literal

from scenecat.text import compact, lazy_pattern, visible_escapes
from scenecat.text import json_safe as _json_safe

# Control characters (ESC, BEL, OSC sequences...; text.UNSAFE, the one rule that also refuses
# them on input) shown as harmless escapes; the commands know it as output.visible. In JSON,
# text.json_safe escapes the same set.
visible = visible_escapes


def on_terminal() -> bool:
    """Whether stdout is a terminal (tables) or a pipe or file (tab-separated lines)."""
    forced = os.environ.get("TTY_COMPATIBLE", "")
    if forced in ("0", "1"):
        return forced == "1"
    try:
        return sys.stdout.isatty()
    except ValueError:  # closed
        return False


def _tsv_cell(cell: object) -> str:
    # A tab or newline inside a value would split the record: written as \t and \n, after
    # a backslash itself became \\ (so that the escapes, and visible()'s, read back
    # unambiguously).
    value = cell.plain if hasattr(cell, "plain") else cell
    text = visible("" if value is None else str(value).replace("\\", "\\\\"))
    return text.replace("\t", "\\t").replace("\n", "\\n")


def _tsv(lines: Iterable[Sequence[object]]) -> None:
    sys.stdout.write("".join("\t".join(map(_tsv_cell, line)) + "\n" for line in lines))


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(
        stderr=stderr,
        no_color="NO_COLOR" in os.environ or None,
        highlight=False,
        soft_wrap=False,
    )


def message(text: str) -> None:
    sys.stderr.write(visible(text) + "\n")


def note(text: str) -> None:
    """A message wrapped at word ends to the width of the terminal stderr goes to (as
    message() when it is not a terminal): a line of prose read as it comes, such as a duel
    session's, not broken mid-word by the terminal."""
    if not sys.stderr.isatty():
        message(text)
        return
    from rich.text import Text

    _console(stderr=True).print(Text(visible(text)))


def warn(text: str) -> None:
    sys.stderr.write("warning: " + visible(text) + "\n")


def error(text: str, hint: str | None = None) -> None:
    sys.stderr.write("Error: " + visible(text).replace("\n", " ") + "\n")
    if hint:
        sys.stderr.write("hint: " + visible(hint) + "\n")


def emit_json(data: Any, meta: dict[str, Any] | None = None) -> None:
    import json  # here: a table or a message has no use for it (5 M instructions)

    text = json.dumps({"data": data, "meta": meta or {}}, ensure_ascii=False, indent=2)
    sys.stdout.write(_json_safe(text))
    sys.stdout.write("\n")


def plain(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def prose(text: str) -> None:
    """A paragraph for people: on a terminal wrapped at word ends to its width (wide Hangul
    counted as two cells); piped, one line as given, for grep and scripts."""
    text = visible(text)
    if not on_terminal():
        plain(text)
        return
    from rich.text import Text

    _console().print(Text(text), overflow="fold", soft_wrap=False)


def table(
    title: str | None,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    footer: str | None = None,
    numeric: Iterable[str] = (),
    keep: Sequence[str] = (),
    short: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """A table: drawn to fit the terminal, tab-separated lines when piped.

    On a terminal every row is one line: a column empty in every row is not drawn; when
    space is short, values of a column named in `short` are shown in their shorter forms
    (scene keys by their last words, each still a key: domain/short_keys.py), big numbers
    become compact (1.85M), bars shorter, long text is cut at a word end with `…`, and
    columns are left out, the least important first (`keep` names the columns, most
    important first; those it does not name come after, in table order). Headers, numbers,
    keys, links and dates are never cut (a key wider than most of the screen excepted); a
    dim line under the table names the columns left out. A wider terminal never shows
    less of a column than a narrower one (layout.fit).
    """
    if not on_terminal():
        # Columns without a name hold bars: drawings, not data.
        kept = [i for i, column in enumerate(columns) if column]
        if title:
            message(title)
        _tsv([[line[i] for i in kept] for line in (columns, *rows)])
        if footer:
            message(footer)
        return
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from scenecat.cli import layout

    right = set(numeric) | {"#"}
    cells = [[_one_line(cell) for cell in row] for row in rows]
    columns, cells = _bars_under_their_figures(columns, cells)
    console = _console()
    # A column empty in every row says nothing (a drama without episode titles): not drawn.
    empty = {i for i in range(len(columns)) if not any(row[i].plain for row in cells)}
    shortened = _shortened(columns, cells, short or {}, empty, console.width)
    kinds = [_kind(column, right, [row[i] for row in cells]) for i, column in enumerate(columns)]
    measured = [
        _measure(column, kinds[i], [row[i] for row in cells], console.width)
        for i, column in enumerate(columns)
    ]
    named = [columns.index(name) for name in keep if name in columns]
    importance = [
        i for i in named + [i for i in range(len(columns)) if i not in named] if i not in empty
    ]
    importance = _names_before_a_wide_key(columns, measured, importance)
    plan = layout.fit(measured, importance, console.width, _drawn(columns, kinds, cells))
    left_out = [i for i in range(len(columns)) if i not in plan.widths and i not in empty]
    if title:
        console.print(_cut(Text(visible(title), style="bold"), console.width))
    grid = Table(
        box=box.MINIMAL_HEAVY_HEAD, show_edge=False, pad_edge=False, padding=(0, 1), expand=False
    )
    for i, width in plan.widths.items():
        # Figures whose bars did not fit line up as numbers do.
        justify: Literal["left", "right"] = (
            "right" if kinds[i] == "number" or _bars_dropped(kinds[i], cells, i, width) else "left"
        )
        grid.add_column(columns[i], justify=justify, no_wrap=True, width=width)
    # Bars too short to tell anything are left out (in a whole column at once).
    kinds = [
        "figure" if _bars_dropped(k, cells, i, plan.widths.get(i, 0)) else k
        for i, k in enumerate(kinds)
    ]
    for row in cells:
        grid.add_row(*(_fitted(row[i], kinds[i], w, plan.compact) for i, w in plan.widths.items()))
    console.print(grid)
    if left_out:
        hidden = ", ".join(columns[i] or "bars" for i in left_out)
        console.print(Text(f"not shown at this width: {hidden}", style="dim"))
    if shortened and any(columns.index(name) in plan.widths for name in shortened):
        names = " and ".join(f"{name}s" for name in shortened)
        console.print(
            Text(f"{names} shortened to their last words; each works as typed", style="dim")
        )
    if footer:
        console.print(Text(visible(footer), style="dim"))


def records(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Rows of prose: tab-separated lines when piped, as table() writes them; on a
    terminal a record per row, the first column its title and every other field wrapped
    at word ends to the terminal's width, so nothing is cut or left out at any width."""
    rows = list(rows)
    if not on_terminal():
        table(None, columns, rows)
        return
    for n, row in enumerate(rows):
        if n:
            _console().print()
        record(str(row[0]), list(zip(columns[1:], row[1:], strict=True)))


def links(title: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Records holding a link (column `url`): tab-separated lines when piped, as table()
    writes them; on a terminal one record after another, what it says on one line and
    its link whole on the next. A link is never cut (a cut one opens nothing) nor broken
    by the program: a link wider than the terminal is wrapped by the terminal itself, so
    it still copies and opens as one."""
    rows = list(rows)
    if not on_terminal():
        table(title, columns, rows)
        return
    from rich.text import Text

    at = list(columns).index("url")
    console = _console()
    console.print(_cut(Text(visible(title), style="bold"), console.width))
    for row in rows:
        words = [visible(str(v)) for i, v in enumerate(row) if i != at and v not in (None, "")]
        if words:
            console.print(Text(" · ".join(words)), overflow="fold", soft_wrap=False)
        console.file.flush()
        sys.stdout.write("  " + visible(str(row[at])) + "\n")
        sys.stdout.flush()


def _bars_under_their_figures(
    columns: Sequence[str], cells: list[list[Any]]
) -> tuple[list[str], list[list[Any]]]:
    """A column without a header holds the bars of the column before it: drawn beside
    their figures, under that column's header (every drawn column has a header), the
    figures right-aligned so that the bars start in one line."""
    from rich.text import Text

    columns = list(columns)
    for at in range(len(columns) - 1, 0, -1):
        if columns[at]:
            continue
        widest = max((cell_len(row[at - 1]) for row in cells), default=0)
        for row in cells:
            figure, drawing = row[at - 1], row.pop(at)
            if drawing.plain:
                padded = Text(" " * (widest - cell_len(figure))) + figure
                row[at - 1] = padded + Text(" ") + drawing
        del columns[at]
    return columns, cells


# Title and name columns: never cut for a key wider than a third of the screen.
_NAMES = frozenset({"title", "name", "scene", "best scene", "drama", "actor", "couple"})
# A key column at most this wide (a third of a 60-column terminal) may come before them.
_NARROW_KEY = 20


def _names_before_a_wide_key(
    columns: Sequence[str], measured: list[Any], importance: list[int]
) -> list[int]:
    """For a key wider than a third of a narrow terminal (no short form of a third): the
    key joins right after the first title or name column, and the other title and name
    columns are shown whole or not at all, so that no name is cut for the key. This does
    not depend on the width, so a wider terminal still never shows less."""
    from dataclasses import replace

    if "key" not in columns:
        return importance
    key = columns.index("key")
    names = [i for i in importance if columns[i] in _NAMES]
    if key not in importance or not names or measured[key].natural <= _NARROW_KEY:
        return importance
    for i in names:
        whole = measured[i].compacted
        measured[i] = replace(measured[i], minimum=whole, least=whole)
    moved = [i for i in importance if i != key]
    moved.insert(moved.index(names[0]) + 1, key)
    return moved


def _shortened(
    columns: Sequence[str],
    cells: list[list[Any]],
    short: Mapping[str, Mapping[str, str]],
    empty: set[int],
    width: int,
) -> list[str]:
    """Put the shorter forms of `short`'s columns in `cells` when the table, drawn whole,
    is wider than the terminal; the names of the columns shortened."""
    from scenecat.cli import layout

    drawn = [i for i in range(len(columns)) if i not in empty]
    naturals = [max(cell_len(columns[i]), *(cell_len(row[i]) for row in cells)) for i in drawn]
    if not short or layout.total(naturals) <= width:
        return []
    done = []
    for name, forms in short.items():
        if name not in columns or not forms:
            continue
        at = columns.index(name)
        for row in cells:
            cell = row[at]
            if cell.plain in forms:
                row[at] = type(cell)(forms[cell.plain], style=cell.style)
        done.append(name)
    return done


# Columns printed whole whatever the width: what is typed back into other commands (a
# scene's key, lookup's SOURCE:ID for --from), and dates (a cut one reads as another date).
# A link cut short opens nothing, and a moment cut short ("1:23-1:…") misleads: both whole.
_WHOLE = frozenset(
    {"key", "id", "when", "on", "aired", "between", "born", "year", "clip", "url", "moment"}
)
# The narrowest a column of prose is cut to.
_NARROWEST = 8
_SHORTEST_BAR = 6
_BAR = lazy_pattern("(?:^| )([█·]{3,})$")
_LETTER = lazy_pattern(r"[^\W\d_]")
_GROUPED = lazy_pattern(r"([+-]?)(\d{1,3}(?:,\d{3})+)")


def _kind(column: str, right: set[str], cells: list[Any]) -> str:
    plains = [cell.plain for cell in cells if cell.plain]
    if plains and all(_BAR().search(text) for text in plains):
        return "bar"
    if column in right:
        return "number"
    # Figures such as `9.0 (3)`, `5-1`, `5.77 = 8.47×64%` or `#12` read wrong when cut.
    if column in _WHOLE or (plains and not any(_LETTER().search(text) for text in plains)):
        return "whole"
    return "text"


def _measure(column: str, kind: str, cells: list[Any], screen: int) -> Any:
    from scenecat.cli.layout import Column

    header = cell_len(column)
    natural = max([header, *(cell_len(cell) for cell in cells)])
    if kind == "number":
        compacted = max([header, *(cell_len(_compacted(cell.plain)) for cell in cells)])
        return Column(natural, compacted, compacted)
    if kind == "whole":
        # Whole, unless it would take most of the screen (a key made from a very long
        # title): then it is cut rather than leave no room for anything else.
        return Column(natural, natural, natural if natural <= screen * 4 // 5 else screen // 2)
    if kind == "bar":
        # A bar can be drawn shorter, and is, before any text is cut (it is a drawing of
        # a figure that stays whole beside it).
        values = [cell_len(_BAR().sub("", cell.plain).rstrip()) for cell in cells]
        least = min(natural, max([header, *(v if v else _SHORTEST_BAR for v in values)]))
        return Column(natural, least, least)
    # Cut by a third at most (long text: to 24 at least), so that a less important column
    # is left out rather than this one cut to noise; `least` is for the first few columns.
    least = min(natural, max(header, _NARROWEST))
    return Column(natural, natural, max(least, min(natural * 2 // 3, 24)), least)


def _compacted(text: str) -> str:
    """`1,850,000` -> `1.85M`, `+650,000` -> `+650K`; other text unchanged."""
    match = _GROUPED().fullmatch(text.strip())
    if not match:
        return text
    return match.group(1) + compact(int(match.group(2).replace(",", "")))


def _fitted(cell: Any, kind: str, width: int, compact_numbers: bool) -> Any:
    from rich.text import Text

    if kind == "number" and compact_numbers:
        shown = _compacted(cell.plain)
        return cell if shown == cell.plain else Text(shown, style=cell.style)
    if kind == "figure":
        return Text(_BAR().sub("", cell.plain).rstrip(), style=cell.style)
    if kind == "bar" and cell_len(cell) > width:
        return _shorter_bar(cell, width)
    if cell_len(cell) > width:  # text; or, last resort, a key wider than the screen
        return _cut(cell, width)
    return cell


def _bars_dropped(kind: str, cells: list[list[Any]], column: int, width: int) -> bool:
    if kind != "bar":
        return False
    values = [cell_len(_BAR().sub("", row[column].plain).rstrip()) for row in cells]
    return max(values, default=0) > 0 and width - max(values) - 1 < _SHORTEST_BAR


def _shorter_bar(cell: Any, width: int) -> Any:
    """The bar drawn again in fewer characters, in the same proportion."""
    match = _BAR().search(cell.plain)
    assert match is not None
    value = cell.plain[: match.start(1)]
    drawn = match.group(1)
    room = width - cell_len(value)
    filled = round(room * drawn.count("█") / len(drawn))
    return cell[: len(value)] + bar(filled, room, width=room)


def _one_line(cell: object) -> Any:
    """A cell as one line of Rich Text: a newline or tab inside it becomes a space."""
    from rich.text import Text

    text = cell if isinstance(cell, Text) else Text(visible(cell))
    for separator in ("\n", "\t"):
        if separator in text.plain:
            text = Text(" ").join(text.split(separator, allow_blank=True))
    return text


def _drawn(columns: Sequence[str], kinds: list[str], cells: list[list[Any]]) -> Any:
    """How wide each column draws at a width: its header or widest cell as cut (text cut
    at a word end may end short of the width; figures whose bars are left out are
    narrower than the column)."""
    import functools

    @functools.cache
    def drawn(column: int, width: int) -> int:
        kind = kinds[column]
        if kind == "bar" and _bars_dropped(kind, cells, column, width):
            values = [_BAR().sub("", row[column].plain).rstrip() for row in cells]
            return max(cell_len(text) for text in [columns[column], *values])
        if kind != "text":
            return width
        widest = cell_len(columns[column])
        for row in cells:
            kept = _kept(row[column].plain, width)
            shown = (
                cell_len(row[column]) if kept is None else cell_len(row[column].plain[:kept]) + 1
            )
            widest = max(widest, shown)
        return min(widest, width)

    return drawn


def _cut(text: Any, width: int) -> Any:
    """`text` in `width` cells, cut and marked `…`."""
    kept = _kept(text.plain, width)
    if kept is None:
        return text
    piece = text[:kept]
    piece.append("…")
    return piece


# What a cut may not leave a cell's text going on with: the rest of a number.
_NUMBER_GOES_ON = lazy_pattern(r"[,.]?\d")
_WORD_ENDS = lazy_pattern(r"-|.[- ;:!?]|.[,.](?!\d)")


def _kept(plain: str, width: int) -> int | None:
    """How many characters of `plain` are kept before `…` to fit `width` cells (None:
    it fits whole). At the end of a word (or after a hyphen), unless that leaves less
    than half the width used ("Crash…" for "Crash Landing on You" in 13): then at the
    edge, mid-word, as "Crash Landin…" (more of the text tells more), but never inside
    a number."""
    from rich.cells import get_character_cell_size as size

    used = 0
    end = None
    for index, char in enumerate(plain):
        used += size(char)
        if end is None and used > width - 1:
            end = index  # the characters that fit beside the `…`
        if used > width:
            break
    else:
        return None
    assert end is not None
    # The last word end that fits: before a space, a hyphen or a mark ending a clause
    # (not a digit group's comma), or after a hyphen.
    word = next((at for at in range(end, 0, -1) if _WORD_ENDS().match(plain, at - 1)), 0)
    word = len(plain[:word].rstrip(" ,;:-"))
    if word and 2 * (cell_len(plain[:word]) + 1) >= width:
        return word
    edge = end
    while edge > 0 and _NUMBER_GOES_ON().match(plain, edge):
        edge -= 1
    edge = len(plain[:edge].rstrip(" ,;:-"))
    # A cell that starts with a long number: cut at the word end, or at last in it.
    return edge or word or end


def cell_len(cell: Any) -> int:
    from rich.cells import cell_len as width

    return width(cell.plain if hasattr(cell, "plain") else str(cell))


def bar(value: float, maximum: float, width: int = 12) -> Any:
    """A horizontal bar as Rich Text (for scores and counts); nothing when piped."""
    if not on_terminal():
        return ""
    from rich.text import Text

    filled = 0 if maximum <= 0 else round(width * max(0.0, min(value / maximum, 1.0)))
    return Text("█" * filled + "·" * (width - filled), style="cyan")


def with_bar(text: str, value: float, maximum: float, width: int = 8) -> Any:
    """`text` followed by a bar on a terminal; `text` alone when piped."""
    if not on_terminal():
        return text
    return text_cell(text + " ") + bar(value, maximum, width)


def text_cell(value: object, style: str | None = None) -> Any:
    from rich.text import Text

    return Text(visible(value), style=style or "")


def record(
    title: str, fields: Sequence[tuple[str, object]], *, title_field: str | None = None
) -> None:
    """A record as a two-column grid (for `show`); `label<TAB>value` lines when piped,
    the title first as `title_field<TAB>title` when it is a value of the record."""
    shown_fields = [
        (label, ", ".join(map(str, value)) if isinstance(value, list) else value)
        for label, value in fields
        if value not in (None, "", [])
    ]
    if not on_terminal():
        if title and not title_field:
            message(title)
        _tsv([(title_field, title), *shown_fields] if title_field else shown_fields)
        return
    from rich.table import Table
    from rich.text import Text

    grid = Table(
        title=Text(visible(title), style="bold"), show_header=False, box=None, padding=(0, 1)
    )
    grid.add_column(style="dim", justify="right")
    grid.add_column(overflow="fold")
    # A link folded into the grid would copy as two broken halves: links go under it,
    # each whole on its own line (the terminal wraps one wider than itself).
    linked = [(label, str(shown)) for label, shown in shown_fields if _is_link(shown)]
    for label, shown in shown_fields:
        if not _is_link(shown):
            grid.add_row(Text(label), Text(visible(shown)))
    console = _console()
    console.print(grid)
    console.file.flush()
    for label, shown in linked:
        sys.stdout.write(f"{visible(label)}: {visible(shown)}\n")
    sys.stdout.flush()


def _is_link(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://"))


def terminal_width() -> int:
    """The width of the terminal stdout goes to (COLUMNS when set), in character cells."""
    return int(_console().width)


# A line of a card: its text (user text, made visible) and a Rich style ("" for none).
CardLine = tuple[str, str]


def cards(
    cards: Sequence[tuple[str, Sequence[CardLine]]], *, side_by_side: bool, widest: int = 0
) -> None:
    """Cards, each a label ("1") and its lines, side by side in equal columns or one under
    another; a line too long for its column wraps at word ends inside the column, so a
    card never spills into its neighbour (wide Hangul counts as two cells). Side by side
    they take the terminal's width, or `widest` cells when it is wider (so that the eye
    need not cross a wide screen from one card to the other)."""
    from rich.table import Table
    from rich.text import Text

    def body(lines: Sequence[CardLine]) -> Any:
        text = Text()
        for n, (line, style) in enumerate(lines):
            text.append(("\n" if n else "") + visible(line), style=style)
        return text

    console = _console()
    if side_by_side:
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.width = min(console.width, widest) if widest else None
        row: list[Any] = []
        for n, (label, lines) in enumerate(cards):
            if n:
                grid.add_column(width=1)  # a gutter between two cards
                row.append(Text(""))
            grid.add_column(no_wrap=True)
            grid.add_column(ratio=1, overflow="fold")
            row += [Text(label, style="bold"), body(lines)]
        grid.add_row(*row)
        console.print(grid)
        return
    for n, (label, lines) in enumerate(cards):
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        grid.add_row(Text(label, style="bold"), body(lines))
        if n:
            console.print()
        console.print(grid)


def _into_pipe(stream: Any) -> bool:
    """Whether `stream` is a pipe or socket: its reader (`| head`, `| less`) most likely
    writes to the same terminal as stderr, where a bar would be drawn into what it shows.
    A file (`> out.json`) is not: the bar is all the terminal shows then."""
    import stat

    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (AttributeError, OSError, ValueError):
        return False  # no descriptor (a test's capture): not a pipe a person reads
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[..., None] | None]:
    """A Rich progress bar on stderr when it is a terminal and stdout is not a pipe;
    nothing otherwise.

    Yields `update(done, total, stage=None)`: a total of 0 shows an open-ended bar, and
    `stage` replaces the label (e.g. "Building the search index" after the rows).
    """
    if not sys.stderr.isatty() or _into_pipe(sys.stdout):
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(stderr=True, no_color="NO_COLOR" in os.environ or None)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
    )
    # Rich would otherwise capture sys.stdout while the bar shows: `export jsonl | ...` with
    # the bar on the terminal sent the records to the terminal and nothing down the pipe.
    with Progress(
        *columns, console=console, transient=True, redirect_stdout=False, redirect_stderr=False
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int, stage: str | None = None) -> None:
            bar.update(task, completed=done, total=total if total > 0 else None)
            if stage:
                bar.update(task, description=stage)

        yield update
