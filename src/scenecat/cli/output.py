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

import json
import os
import re
import sys
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from scenecat.text import UNSAFE as _UNSAFE
from scenecat.text import json_safe as _json_safe

# The characters a terminal acts on (text.UNSAFE: C0/C1 controls but tab and newline, bidi
# overrides, line separators; the one rule that also refuses them on input). In JSON,
# text.json_safe escapes the same set.
_CONTROL = re.compile(f"[{_UNSAFE}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: object) -> str:
    """Control characters (ESC, BEL, OSC sequences...) shown as harmless escapes."""
    value = "" if text is None else str(text)
    return _CONTROL.sub(_escape, value)


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


def warn(text: str) -> None:
    sys.stderr.write("warning: " + visible(text) + "\n")


def error(text: str, hint: str | None = None) -> None:
    sys.stderr.write("Error: " + visible(text).replace("\n", " ") + "\n")
    if hint:
        sys.stderr.write("hint: " + visible(hint) + "\n")


def emit_json(data: Any, meta: dict[str, Any] | None = None) -> None:
    text = json.dumps({"data": data, "meta": meta or {}}, ensure_ascii=False, indent=2)
    sys.stdout.write(_json_safe(text))
    sys.stdout.write("\n")


def plain(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def table(
    title: str | None,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    footer: str | None = None,
    numeric: Iterable[str] = (),
) -> None:
    if not on_terminal():
        # Columns without a name hold bars: drawings, not data.
        kept = [i for i, column in enumerate(columns) if column]
        if title:
            message(title)
        _tsv([[line[i] for i in kept] for line in (columns, *rows)])
        if footer:
            message(footer)
        return
    from rich.table import Table
    from rich.text import Text

    right = set(numeric)
    cells = [
        [cell if isinstance(cell, Text) else Text(visible(cell)) for cell in row] for row in rows
    ]
    console = _console()
    grid = Table(title=Text(visible(title)) if title else None, show_lines=False, expand=False)
    for i, column in enumerate(columns):
        justify: Literal["left", "right"] = "right" if column in right or column == "#" else "left"
        if column == "key":
            # Keys are typed back into other commands: keep them whole and copyable, and
            # let the prose columns wrap instead.
            # ...up to a third of the screen, so the other columns are not squeezed to a few
            # characters (unreadable, and slow to lay out).
            widest = max((cell_len(row[i]) for row in cells), default=3)
            widest = min(widest, max(12, console.width // 3))
            grid.add_column(column, justify=justify, no_wrap=True, min_width=widest)
        else:
            grid.add_column(column, justify=justify, overflow="fold")
    for row in cells:
        grid.add_row(*row)
    console.print(grid)
    if footer:
        console.print(Text(visible(footer), style="dim"))


def cell_len(cell: Any) -> int:
    return len(cell.plain) if hasattr(cell, "plain") else len(str(cell))


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
    for label, shown in shown_fields:
        grid.add_row(Text(label), Text(visible(shown)))
    _console().print(grid)
