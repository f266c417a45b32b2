#!/usr/bin/env python3
"""Search benchmark: scenecat's in-process search against a raw FTS5 query, in one run.

    python bench/generate.py --scenes 1m -o /tmp/s1m.jsonl
    scenecat --db /tmp/s1m.db import /tmp/s1m.jsonl
    python bench/bench_search.py --db /tmp/s1m.db --meta /tmp/s1m.jsonl.meta.json

For a rare, a typical and a broad word (named in the generator's .meta.json) it times
`scenecat.domain.search.search()` (parse, top-N by bm25 inside FTS5, join the page back,
highlight, snippet) and the bare FTS5 statement that returns the same top-N rowids with the
same weighted bm25, alternating them so machine load hits both alike. It prints medians,
the ratio, and the catalogue's hit count for each word. A second baseline, for information,
is FTS5 doing in C what a result line needs: the same top-N with the title and FTS5's own
snippet() of the description ("FTS5+snippet"); the target is against the first. A few extra lines (a filtered query,
a name, a Hangul fragment) are printed for information; they have no baseline.

Targets on 1M scenes (issue 3): typical within 1.3x of raw FTS5 and under 50 ms; broad must
not materialise all hits (its ratio stays near 1 when the top-N is taken inside FTS5).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, type=Path, help="catalogue built by import")
    parser.add_argument("--meta", type=Path, help="the generator's FILE.meta.json")
    parser.add_argument("--limit", type=int, default=20, help="results per query (default 20)")
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per query")
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="also split the typical query's time: FTS scan, joins back, Python",
    )
    args = parser.parse_args()

    from scenecat.domain.scope import Scope
    from scenecat.domain.search import search
    from scenecat.storage.connection import open_catalogue
    from scenecat.storage.search_queries import ranked_hit_rows, top_matches

    if not args.db.exists():
        print(f"no catalogue at {args.db}", file=sys.stderr)
        return 1
    meta = json.loads(args.meta.read_text()) if args.meta else {}
    rare = meta.get("rare_word", "kaleidoscope")
    typical = meta.get("typical_word", "umbrella")
    broad = meta.get("broad_word", "rain")

    cat = open_catalogue(args.db, create=False)
    conn = cat.conn
    if not _layout_ok(conn):
        print("the catalogue's search index has an older layout: re-import it", file=sys.stderr)
        return 1
    scenes = conn.execute("SELECT count(*) FROM scene").fetchone()[0]
    print(
        f"catalogue {args.db} ({scenes:,} scenes), SQLite {sqlite3.sqlite_version}, "
        f"top {args.limit}, median of {args.repeat}"
    )
    header = (
        f"{'query':<28}{'hits':>9}{'scenecat ms':>13}{'raw FTS5 ms':>13}{'ratio':>7}"
        f"{'FTS5+snippet ms':>17}{'ratio':>7}"
    )
    print(header)
    print("-" * len(header))
    for label, word in (("rare", rare), ("typical", typical), ("broad", broad)):
        hits = conn.execute(
            "SELECT count(*) FROM scene_search_fts WHERE scene_search_fts MATCH ?", (f'"{word}"',)
        ).fetchone()[0]
        ours, raw, snippet = _alternated(
            [
                partial(search, conn, word, None, args.limit),
                partial(top_matches, conn, f'"{word}"', args.limit),
                partial(_with_snippets, conn, f'"{word}"', args.limit),
            ],
            args.repeat,
        )
        print(
            f"{label + ': ' + word:<28}{hits:>9,}{ours:>13.2f}{raw:>13.2f}{ours / raw:>7.2f}"
            f"{snippet:>17.2f}{ours / snippet:>7.2f}"
        )

    if args.breakdown:
        # Three-way alternation: the raw statement, the statement that also joins the page
        # back to scenes, dramas and actors (what search() runs), and the whole search().
        # Differences of medians, so only a rough split.
        runs = {
            "raw FTS5 top-N": partial(top_matches, conn, f'"{typical}"', args.limit),
            "top-N + joins, one statement": partial(
                ranked_hit_rows, conn, f'"{typical}"', args.limit
            ),
            "search()": partial(search, conn, typical, None, args.limit),
        }
        medians = _alternated(list(runs.values()), args.repeat)
        raw_ms, page_ms, search_ms = medians
        print()
        print(f"breakdown of typical: {typical} (median of {args.repeat}, alternated)")
        for label, ms in zip(runs, medians, strict=True):
            print(f"  {label:<30}{ms:>10.2f} ms")
        print(f"  {'joins back, rows built':<30}{page_ms - raw_ms:>10.2f} ms")
        print(f"  {'parse, highlight, snippets':<30}{search_ms - page_ms:>10.2f} ms")

    extra: list[tuple[str, str, Scope | None]] = []
    typical_actor = meta.get("typical_actor")
    busiest_actor = meta.get("busiest_actor")
    if busiest_actor:
        extra.append((f"{broad} --actor (busiest)", broad, Scope(actors=(busiest_actor,))))
        extra.append((f"name: {busiest_actor}", busiest_actor, None))
    if typical_actor:
        extra.append((f"{typical} + name (typical actor)", f"{typical} {typical_actor}", None))
    native = conn.execute(
        "SELECT native FROM actor WHERE native IS NOT NULL AND length(native) >= 3 LIMIT 1"
    ).fetchone()
    if native:
        extra.append((f"Hangul fragment: {native[0][1:3]}", native[0][1:3], None))
    extra.append((f"no hit: {typical}x (did you mean)", f"{typical}x", None))
    print()
    print(f"{'other queries (no baseline)':<34}{'shown':>10}{'scenecat ms':>14}")
    for label, text, scope in extra:
        shown = len(search(conn, text, scope, args.limit).hits)
        ms = median_ms(partial(search, conn, text, scope, args.limit), args.repeat)
        print(f"{label[:33]:<34}{shown:>10}{ms:>14.2f}")
    cat.close()
    return 0


def _alternated(fns: list[Callable[[], object]], repeat: int) -> list[float]:
    """Medians of each of `fns`, run in turn (after one warm-up call each)."""
    for fn in fns:
        fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for fn, spent in zip(fns, times, strict=True):
            start = time.perf_counter()
            fn()
            spent.append((time.perf_counter() - start) * 1000)
    return [statistics.median(spent) for spent in times]


def _with_snippets(conn: sqlite3.Connection, expression: str, limit: int) -> list[tuple]:
    """The raw top-N with what a result line shows, computed by FTS5 itself: the title and
    FTS5's snippet() of the description (column 1), ranked by the same weighted bm25."""
    from scenecat.storage.search_queries import _BM25

    sql = (
        f"SELECT rowid, title, snippet(scene_search_fts, 1, '[', ']', '…', 24), {_BM25} AS score "
        "FROM scene_search_fts WHERE scene_search_fts MATCH ? ORDER BY score, rowid LIMIT ?"
    )
    return conn.execute(sql, (expression, limit)).fetchall()


def _layout_ok(conn: sqlite3.Connection) -> bool:
    from scenecat.storage.search_index import COLUMNS

    columns = [row[1] for row in conn.execute("PRAGMA table_info(scene_search)")]
    return columns == ["id", *COLUMNS]


if __name__ == "__main__":
    sys.exit(main())
