"""How much a template may write, and for how long.

A template is a program: one copied from a forum can nest two loops of 100,000 and write
gigabytes, or loop without writing anything and never end. The sandbox keeps it from
reaching the system; these bounds keep it from filling the disk, the memory or the
afternoon. By default 50 MB and 60 s, ten times what a 10,000-scene listicle needs
(5 MB in 2 s); SCENECAT_TEMPLATE_MAX_MB and SCENECAT_TEMPLATE_MAX_SECONDS allow more.

The text is counted as the template writes it, so a bound is met as soon as it is passed;
a loop that writes nothing is stopped by a timer (SIGALRM: on Unix, in the main thread;
elsewhere time is checked only as text is written). One expression that would build a huge
value at once (`"x" * 10**10`, `10**10**8`, `"%999999999d" % 1`) is refused before it is
computed (`binop`); a filter or method that pads a value (`center`, `ljust`) is bounded only
by memory.
"""

from __future__ import annotations

import math
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import Any

from scenecat.errors import InvalidInput

MAX_MB = 50.0
MAX_SECONDS = 60.0
_POWER_BITS = 1 << 20
_RAISE = "set SCENECAT_TEMPLATE_MAX_MB or SCENECAT_TEMPLATE_MAX_SECONDS to allow more"


@dataclass(frozen=True)
class Bounds:
    chars: int
    seconds: float

    @property
    def described(self) -> str:
        return f"{self.chars / 1_000_000:g} MB in {self.seconds:g} s"


def bounds() -> Bounds:
    """The bounds in force: the defaults, or the environment's."""
    return Bounds(
        int(_setting("SCENECAT_TEMPLATE_MAX_MB", MAX_MB) * 1_000_000),
        _setting("SCENECAT_TEMPLATE_MAX_SECONDS", MAX_SECONDS),
    )


def _setting(name: str, default: float) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise InvalidInput(f"{name}={text!r} is not a positive number")
    return value


def _too_much(
    what: str, limit: Bounds, *, look_for: str = "a loop that runs too often"
) -> InvalidInput:
    return InvalidInput(
        f"the template {what} (a template may write {limit.described}); nothing was written",
        hint=f"look for {look_for}; {_RAISE}",
    )


def render_bounded(generate: Callable[[], Iterator[str]], limit: Bounds) -> str:
    """The text `generate()` yields, stopped with a clear error past `limit`."""
    # Templates write in small pieces (a word, a number): taken 1,024 at a time (islice, no
    # Python per piece: a 10,000-scene article writes 200,000) and joined at once, they take
    # about the memory of their text, not ten times it, and the bounds are checked per
    # thousand pieces.
    chunks: list[str] = []
    size = 0
    deadline = time.monotonic() + limit.seconds
    pieces = generate()
    with _timer(limit):
        while batch := list(islice(pieces, 1024)):  # ends when no piece is left, not an empty one
            chunk = "".join(batch)
            size += len(chunk)
            if size > limit.chars:
                raise _too_much(f"wrote more than {limit.chars / 1_000_000:g} MB", limit)
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise _too_much(f"ran for more than {limit.seconds:g} s", limit)
    return "".join(chunks)


@contextmanager
def _timer(limit: Bounds) -> Iterator[None]:
    """Stop a template that runs past its time even when it writes nothing."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def out_of_time(signum: int, frame: Any) -> None:
        raise _too_much(f"ran for more than {limit.seconds:g} s", limit)

    previous = signal.signal(signal.SIGALRM, out_of_time)
    earlier = signal.setitimer(signal.ITIMER_REAL, limit.seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if earlier[0]:  # someone else's timer: put it back
            signal.setitimer(signal.ITIMER_REAL, *earlier)


_WIDTH = re.compile(r"%[-+ #0]*(\*|\d*)(?:\.(\*|\d+))?")


def binop(operator: str, left: Any, right: Any, limit: Bounds) -> None:
    """Refuse `*`, `**` and `%` whose result alone would pass the output bound (the sandbox
    computes them, and every other operator, as usual)."""
    if operator == "%" and isinstance(left, str):
        # "%999999999d" % 1, or "%*d" % (999999999, 1): a width past the bound
        stars = right if isinstance(right, tuple) else (right,)
        for match in _WIDTH.finditer(left):
            for part in match.groups():
                wide = (
                    any(isinstance(v, int) and v > limit.chars for v in stars)
                    if part == "*"
                    else bool(part) and int(part) > limit.chars
                )
                if wide:
                    raise _too_much(
                        "pads a value past what it may write", limit, look_for="a number too large"
                    )
    elif operator == "*":
        for seq, times in ((left, right), (right, left)):
            sized = isinstance(seq, (str, list, tuple)) and isinstance(times, int)
            if sized and len(seq) * times > limit.chars:
                raise _too_much(
                    "repeats a value past what it may write", limit, look_for="a number too large"
                )
    # Python writes at most 4,300 digits of a number anyway; a far larger power is only
    # time spent (10**10**8 takes minutes, and cannot be stopped on the way).
    elif (
        operator == "**"
        and isinstance(left, int)
        and isinstance(right, int)
        and abs(left) > 1
        and right * math.log2(abs(left)) > _POWER_BITS
    ):
        raise _too_much(
            "raises a number to a power far larger than it can write",
            limit,
            look_for="a number too large",
        )
