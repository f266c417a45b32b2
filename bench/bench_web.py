#!/usr/bin/env python3
"""The website's pages against the scenecat calls they stand for, on one catalogue.

    python bench/bench_web.py --db CATALOGUE.db --meta FILE.jsonl.meta.json --repeat 11

Each case is one request through Datasette's test client on the site `scenecat serve` builds
(immutable), timed as a median of --repeat runs, next to the median of the domain call that
gives the same answer in the CLI (the baseline), measured alternately in the same run.
Needs the web extra.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote


def median_ms(work: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--meta", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=11)
    args = parser.parse_args()

    from scenecat.domain import ranking
    from scenecat.domain.browse import list_scenes
    from scenecat.domain.scope import Scope
    from scenecat.domain.search import search
    from scenecat.storage import site_queries as store
    from scenecat.web import serve

    meta = json.loads(args.meta.read_text())
    info = serve.inspect(args.db)
    ds = serve.datasette(info, live=False)
    loop = asyncio.new_event_loop()
    loop.run_until_complete(ds.invoke_startup())
    conn = store.open_read_only(args.db, immutable=True)
    base = f"/{info.name}"
    actor = meta["busiest_actor"]

    def get(url: str) -> Callable[[], Any]:
        def run() -> Any:
            response = loop.run_until_complete(ds.client.get(url))
            assert response.status_code == 200, (url, response.status_code)
            return response

        return run

    params = ranking.make_params("combined")
    cases = [
        (
            "scene table, first page (HTML, facets)",
            get(f"{base}/scene"),
            "list_scenes(limit 50)",
            lambda: list_scenes(conn, Scope(), 50),
        ),
        (
            f"search {meta['typical_word']!r} (JSON)",
            get(f"{base}/scene.json?_search={meta['typical_word']}"),
            "search(limit 50)",
            lambda: search(conn, meta["typical_word"], limit=50),
        ),
        (
            f"search {meta['broad_word']!r} (JSON, {meta['word_hits'][meta['broad_word']]:,} hits)",
            get(f"{base}/scene.json?_search={meta['broad_word']}"),
            "search(limit 50)",
            lambda: search(conn, meta["broad_word"], limit=50),
        ),
        (
            f"search {meta['broad_word']!r} (HTML page)",
            get(f"{base}/scene?_search={meta['broad_word']}"),
            "search(limit 50)",
            lambda: search(conn, meta["broad_word"], limit=50),
        ),
        (
            "best_per_drama, busiest actor, kiss (JSON)",
            get(f"{base}/best_per_drama.json?actor={quote(actor)}&kind=kiss"),
            "rank_scenes(by drama)",
            lambda: ranking.rank_scenes(
                conn, Scope(actors=(actor,), kind="kiss"), params, by="drama", limit=20
            ),
        ),
        (
            "best_scenes, whole catalogue (JSON)",
            get(f"{base}/best_scenes.json?actor=&kind="),
            "rank_scenes(whole)",
            lambda: ranking.rank_scenes(conn, Scope(), params, by="scene", limit=20),
        ),
    ]
    print(f"{args.db.name}: median of {args.repeat}, milliseconds")
    print(f"| {'page':<52} | web ms | baseline          | base ms | ratio |")
    print(f"|{'-' * 54}|--------|-------------------|---------|-------|")
    for name, web, base_name, baseline in cases:
        web(), baseline()  # warm caches once
        web_ms = base_ms = 0.0
        # Alternate so that load from other jobs falls on both alike.
        web_times, base_times = [], []
        for _ in range(args.repeat):
            web_times.append(median_ms(web, 1))
            base_times.append(median_ms(baseline, 1))
        web_ms, base_ms = statistics.median(web_times), statistics.median(base_times)
        print(
            f"| {name:<52} | {web_ms:6.0f} | {base_name:<17} | {base_ms:7.0f} | "
            f"{web_ms / base_ms:4.1f}x |"
        )
    loop.close()


if __name__ == "__main__":
    main()
