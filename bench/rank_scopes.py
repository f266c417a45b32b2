#!/usr/bin/env python3
"""Median in-process time of `rank` (top 20) for the whole catalogue and for `--kind kiss`,
with the scenecat source tree given, so two trees can be run alternately on one catalogue:

    python bench/rank_scopes.py NEW-TREE CATALOGUE.db; python bench/rank_scopes.py OLD-TREE CATALOGUE.db

Both trees must read the catalogue's schema (an older tree refuses a newer one).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path


def main() -> int:
    tree, db = Path(sys.argv[1]), Path(sys.argv[2])
    repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    sys.path.insert(0, str(tree / "src"))
    from scenecat.domain.ranking import rank_scenes
    from scenecat.domain.scope import Scope
    from scenecat.scoring.params import RankParams
    from scenecat.storage.connection import open_catalogue

    cat = open_catalogue(db)
    for name, scope in {"whole": Scope(), "kiss": Scope(kind="kiss")}.items():
        rank_scenes(cat.conn, scope, RankParams(), limit=20)
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            rank_scenes(cat.conn, scope, RankParams(), limit=20)
            times.append(time.perf_counter() - start)
        print(f"{tree} {name}: {statistics.median(times) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
