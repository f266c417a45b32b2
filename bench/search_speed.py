#!/usr/bin/env python3
"""In-process search against raw FTS5, with the floor between them (issue 27), paired.

    python bench/search_speed.py --db CATALOGUE.db --meta FILE.jsonl.meta.json [--repeat 201]

For each of the generator's typical words (500 hits at 1M, 50 at 100k) three calls take turns
on one connection, call by call: the raw FTS5 statement that returns the top 20 rowids with
scenecat's weighted bm25 (`top_matches`, the baseline), the same statement joined back to the
rows a result line shows (scene, drama, actors: `ranked_hit_rows`, one statement), and the
whole `domain.search.search()`. Times are the thread's CPU time (steadier than wall time on a
shared machine), medians; ratios are to the raw statement. `--mmap` runs it all again with
SQLite's memory-mapped reads on (for information: scenecat does not set it).
`--before SRC` (the `src` folder of an older checkout, e.g. from `git archive`) adds that
code's `search()` to the turns, on the same connection: a before/after pair in one run.
`measure()` is the part bench/run.py can call.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path


def measure(
    db: Path, words: list[str], repeat: int = 201, mmap: int = 0, before: Path | None = None
) -> list[tuple[str, ...]]:
    """Rows of (word, raw ms, joined ms, search ms, joined/raw, search/raw), and with
    `before`, (before's search ms, before/raw) after them."""
    from scenecat.domain.search import search
    from scenecat.storage.connection import open_catalogue
    from scenecat.storage.search_queries import ranked_hit_rows, top_matches

    old_search = _before_search(before) if before else None

    cat = open_catalogue(db, create=False)
    conn = cat.conn
    conn.execute(f"PRAGMA mmap_size = {mmap}")
    rows = []
    try:
        for word in words:
            calls: list[Callable[[], object]] = [
                partial(top_matches, conn, f'"{word}"', 21),
                partial(ranked_hit_rows, conn, f'"{word}"', 20),
                partial(search, conn, word, None, 20),
            ]
            if old_search is not None:
                calls.append(partial(old_search, conn, word, None, 20))
            for call in calls:
                call()
            samples: list[list[float]] = [[] for _ in calls]
            for _ in range(repeat):
                for call, times in zip(calls, samples, strict=True):
                    start = time.thread_time()
                    call()
                    times.append(time.thread_time() - start)
            raw, joined, ours, *old = (statistics.median(t) * 1000 for t in samples)
            row = (word, f"{raw:.3f}", f"{joined:.3f}", f"{ours:.3f}",
                   f"{joined / raw:.2f}", f"{ours / raw:.2f}")  # fmt: skip
            rows.append(row + tuple(x for ms in old for x in (f"{ms:.3f}", f"{ms / raw:.2f}")))
    finally:
        cat.close()
    return rows


def _before_search(src: Path) -> Callable[..., object]:
    """`search()` of the scenecat package under `src`, imported beside this one: a copy
    named scenecat_before, its absolute imports renamed to match."""
    import atexit
    import importlib
    import re
    import shutil
    import sys
    import tempfile

    home = Path(tempfile.mkdtemp(prefix="scenecat-before-"))
    atexit.register(shutil.rmtree, home, True)
    shutil.copytree(src / "scenecat", home / "scenecat_before")
    for file in (home / "scenecat_before").rglob("*.py"):
        text = file.read_text(encoding="utf-8")
        text = re.sub(r"\bfrom scenecat import\b", "from scenecat_before import", text)
        file.write_text(re.sub(r"\bscenecat\.", "scenecat_before.", text), encoding="utf-8")
    sys.path.insert(0, str(home))
    return importlib.import_module("scenecat_before.domain.search").search  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--meta", type=Path, required=True, help="generator's .meta.json")
    parser.add_argument("--repeat", type=int, default=201)
    parser.add_argument("--mmap", action="store_true", help="again with mmap_size = 4 GiB")
    parser.add_argument("--before", type=Path, help="an older checkout's src folder, paired")
    args = parser.parse_args(argv)
    meta = json.loads(args.meta.read_text())
    words = meta.get("typical_words") or [meta["typical_word"]]
    for mmap in (0, 1 << 32) if args.mmap else (0,):
        load = os.getloadavg()[0]
        rows = measure(args.db, words, args.repeat, mmap, args.before)
        print(f"{args.db}, top 20, median of {args.repeat} (CPU ms), mmap_size {mmap}, "
              f"load {load:.1f} -> {os.getloadavg()[0]:.1f}")  # fmt: skip
        head = "| word | raw FTS5 | FTS5 + rows shown | search() | floor/raw | search/raw |"
        print(head + (" before's search() | before/raw |" if args.before else ""))
        print("|---" * (8 if args.before else 6) + "|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
