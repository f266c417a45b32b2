"""Fitting a table's columns into a terminal's width (pure arithmetic, no Rich).

output.table() measures the cells and draws them; this module decides, from the widths
alone, which columns are shown and how wide each is. Every row stays one line. A table
too wide as it is gets its big numbers made compact; then the columns join one at a time,
the most important first, each only if the row still fits once the columns that may be cut
shrink (the widest first, never below their minimum); those that do not fit are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

# Between two columns: a space of padding on each side of a one-character rule.
GAP = 3
# How many of the most important columns may be cut to their `least`.
FIRST = 3


@dataclass(frozen=True)
class Column:
    natural: int  # the widest cell or header, as printed
    compacted: int  # the same with big numbers made compact (1.85M)
    minimum: int  # narrowest it may be cut to (its header and numbers stay whole)
    least: int = 0  # narrower still, for one of the first few columns (0: as minimum)


@dataclass(frozen=True)
class Plan:
    widths: dict[int, int]  # shown column index -> width, in the table's order
    compact: bool  # big numbers are shown compact


def total(widths: Sequence[int]) -> int:
    return sum(widths) + GAP * max(len(widths) - 1, 0)


def fit(columns: Sequence[Column], importance: Sequence[int], width: int) -> Plan:
    """Widths for `columns` within `width` characters; `importance` lists the indexes of
    the columns that may be shown, the most important first."""
    shown = sorted(importance)
    naturals = [columns[i].natural for i in shown]
    if total(naturals) <= width:
        return Plan(dict(zip(shown, naturals, strict=True)), False)
    # The most important column first; each next one joins if the row still fits with
    # it, so one wide column left out does not take the narrower ones after it along.
    # The first few columns are what a row is about (a scene's key and title): they are
    # cut down to their `least` rather than left out, but a later column may not cut them
    # below their usual minimum to make room for itself.
    first = set(importance[:FIRST])
    chosen: list[int] = []
    widths: list[int] = []
    for i in importance:
        trial = sorted([*chosen, i])
        now = dict(zip(chosen, widths, strict=True))
        limits = [_limit(columns[j], j in first, i in first, now.get(j)) for j in trial]
        fitted = _shrink(limits, width)
        if fitted is not None or not chosen:
            chosen = trial
            # The first column alone too wide (a very long key): as wide as the screen.
            widths = fitted or [min(limits[0].minimum, width)]
    return Plan(dict(zip(chosen, widths, strict=True)), True)


def _limit(column: Column, first: bool, joining_first: bool, now: int | None) -> Column:
    """The column with the minimum that applies while another column tries to join."""
    if not first or not column.least:
        return column
    if joining_first or now is None:
        return replace(column, minimum=column.least)
    return replace(column, minimum=max(column.least, min(column.minimum, now)))


def _shrink(columns: Sequence[Column], width: int) -> list[int] | None:
    """Compacted widths, the widest cut down first to a common level, or None."""
    wanted = [c.compacted for c in columns]
    room = width - GAP * (len(columns) - 1)
    if sum(wanted) <= room:
        return wanted
    if sum(min(c.minimum, c.compacted) for c in columns) > room:
        return None
    # The highest level such that cutting every column down to it (not below its minimum)
    # makes the row fit.
    low, high = 0, max(wanted)
    while low < high:
        level = (low + high + 1) // 2
        if sum(_at(c, level) for c in columns) <= room:
            low = level
        else:
            high = level - 1
    widths = [_at(c, low) for c in columns]
    # What is left over after the cut goes back to the cut columns, left first.
    spare = room - sum(widths)
    for i, c in enumerate(columns):
        if spare <= 0:
            break
        extra = min(spare, c.compacted - widths[i])
        widths[i] += extra
        spare -= extra
    return widths


def _at(column: Column, level: int) -> int:
    return max(min(column.compacted, level), min(column.minimum, column.compacted))
