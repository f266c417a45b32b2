"""Fitting a table's columns into a terminal's width (pure arithmetic, no Rich).

output.table() measures the cells and draws them; this module decides, from the widths
alone, which columns are shown and how wide each is. Every row stays one line. A table
too wide as it is gets its big numbers made compact; then the columns join one at a time,
the most important first, each only if it fits in the room the columns before it leave
(it may be cut, never below its minimum; they are not cut for it: a scene's title comes
before the actors beside it); those that do not fit are left out. Last, the width the row
leaves unused is given back: first to the columns that were cut (up to their whole text),
then to the columns left out, the most important first, each if it fits whole.

A wider terminal never shows less of any column than a narrower one (issue 25: a title
shown whole at 80 columns was cut at 120 to make room for a column joining): fit() makes
the plan from the widest terminal's down, one column of width at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


# How wide column i draws at width w (its widest cell as cut, or its header): at most w.
Drawn = Callable[[int, int], int]


def fit(
    columns: Sequence[Column],
    importance: Sequence[int],
    width: int,
    drawn: Drawn | None = None,
    last: Sequence[int] = (),
) -> Plan:
    """Widths for `columns` within `width` characters; `importance` lists the indexes of
    the columns that may be shown, the most important first; `last` those shown only if
    they fit whole in the width left over. `drawn` tells how wide a column draws at a
    width (text cut at a word end may end short of it).

    A wider terminal never shows less of any column than a narrower one. The plan is made
    from the widest terminal's (every column whole) down, one column of width at a time:
    a plan made afresh for the next narrower width is taken when it shows no column wider
    than the one before; otherwise the one before is fitted into the width, each of its
    columns at most as wide as it was (so a narrower screen never shows a column, or a
    width of one, that a wider screen leaves out)."""
    drawn = drawn or (lambda _, w: w)
    shown = list(dict.fromkeys(importance))
    top = total([columns[i].natural for i in shown])
    if top <= width:
        return _fit_at(columns, shown, width, drawn, last)
    plan = Plan({i: columns[i].natural for i in sorted(shown)}, False)
    for now in range(top - 1, width - 1, -1):
        fresh = _fit_at(columns, shown, now, drawn, last)
        if _covers(plan, fresh):
            plan = fresh
            continue
        capped = [
            _capped(c, plan.widths[i]) if i in plan.widths else c for i, c in enumerate(columns)
        ]
        inside = [i for i in [*shown, *last] if i in plan.widths]
        fitted = _fit_at(capped, [i for i in inside if i in shown], now, drawn,
                         [i for i in inside if i not in shown])  # fmt: skip
        # Numbers made compact stay compact (their columns are as narrow as that).
        plan = replace(fitted, compact=fitted.compact or plan.compact)
    return plan


def _capped(column: Column, width: int) -> Column:
    """The column at most `width` wide."""
    return Column(
        min(column.natural, width),
        min(column.compacted, width),
        min(column.minimum, width),
        min(column.least, width),
    )


def _covers(new: Plan, old: Plan) -> bool:
    """Whether `new` shows every column `old` shows, each at least as wide."""
    if new.compact and not old.compact:
        return False
    return all(new.widths.get(i, 0) >= w for i, w in old.widths.items())


def _fit_at(
    columns: Sequence[Column],
    importance: Sequence[int],
    width: int,
    drawn: Drawn,
    last: Sequence[int],
) -> Plan:
    """The plan for one width, made afresh."""
    # A name listed twice (rank's `scene` is first and a signal) would be counted twice.
    importance = list(dict.fromkeys(importance))
    shown = sorted(importance)
    naturals = [columns[i].natural for i in shown]
    if total(naturals) <= width:
        return Plan(dict(zip(shown, naturals, strict=True)), False)
    # The most important column first; each next one joins if the row still fits with
    # it, so one wide column left out does not take the narrower ones after it along.
    # A column joins in the room the more important ones leave: it may be cut, they may
    # not (names and titles come first; a less important column never cuts them). The
    # first few columns are what a row is about (a scene's key and title): they are cut
    # down to their `least` rather than left out.
    first = set(importance[:FIRST])
    chosen: list[int] = []
    widths: list[int] = []
    for i in importance:
        trial = sorted([*chosen, i])
        now = dict(zip(chosen, widths, strict=True))
        limits = [
            replace(columns[j], minimum=now[j]) if j in now else _joining(columns[j], j in first)
            for j in trial
        ]
        fitted = _shrink(limits, width)
        if fitted is not None or not chosen:
            chosen = trial
            # The first column alone too wide (a very long key): as wide as the screen.
            widths = fitted or [min(limits[0].minimum, width)]
    placed = dict(zip(chosen, widths, strict=True))
    _give_back(columns, [*importance, *last], placed, width, drawn)
    return Plan(dict(sorted(placed.items())), True)


def _give_back(
    columns: Sequence[Column],
    order: Sequence[int],
    placed: dict[int, int],
    width: int,
    drawn: Drawn,
) -> None:
    """Width left unused goes to the cut columns (each only as wide as what it draws),
    the most important first, up to their whole text; then to the columns left out, in
    `order`, each if it fits whole."""
    for i, now in placed.items():
        while (less := drawn(i, now)) < now:
            now = less
        placed[i] = now
    grown = True
    while grown:
        grown = False
        for i in (i for i in order if i in placed):
            spare = width - total(list(placed.values()))
            wider = min(columns[i].compacted, placed[i] + spare)
            if wider <= placed[i]:
                continue
            # Text cut at a word end may draw narrower at a narrower width: down to a
            # width the column fills.
            got = drawn(i, wider)
            while got > placed[i] and (less := drawn(i, got)) < got:
                got = less
            if got > placed[i]:
                placed[i] = got
                grown = True
    for i in order:
        if i not in placed and total([*placed.values(), columns[i].compacted]) <= width:
            placed[i] = columns[i].compacted


def _joining(column: Column, first: bool) -> Column:
    """The column as it joins: one of the first few may be cut down to its `least`."""
    return replace(column, minimum=column.least) if first and column.least else column


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
