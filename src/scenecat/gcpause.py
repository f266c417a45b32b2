"""Pausing the garbage collector while a large, acyclic object graph is built."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Switch the cyclic collector off for the block, and back on only if it was on before.

    Loading a catalogue file, a bulk import and a long article build tens of thousands of
    small objects that all stay alive to the end and hold no reference cycles: the
    collector's passes over them find nothing and cost up to an eighth of the time
    (bench/bench_export.py).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
