#!/usr/bin/env python3
"""The website's fan pages against plain Datasette serving the same file, paired.

    python bench/bench_web.py --db CATALOGUE.db --meta FILE.jsonl.meta.json --repeat 21

Starts two real servers on loopback: `scenecat serve` (immutable, scenecat's plugin and
templates) and plain Datasette on the same file with no plugin (Datasette's entry points
are not loaded) and the same full-text settings (`fts_table: scene_search_fts`, `fts_pk: id`)
and settings (`scenecat serve`'s: no suggested facets, the same page size and limits). Each
case is a pair of pages answering the same question; the two are requested alternately,
each --repeat times after a warm-up, and the medians of both and of the per-pair ratios are
printed. The home page's rankings are kept until the catalogue changes (the warm-up makes
them); a search is worked out on every request.
Needs the web extra. Nothing but the two local servers is contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import quote

# Plain Datasette: `sys._called_from_test` makes Datasette skip the plugins of installed
# packages (scenecat's among them); everything else is Datasette as installed.
PLAIN = (
    "import sys; sys._called_from_test = True; "
    "from datasette.cli import cli; sys.argv[0] = 'datasette'; cli()"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(command: list[str], port: int) -> Iterator[str]:
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise SystemExit(
                    f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}"
                )
            try:
                with urllib.request.urlopen(f"{base}/-/versions.json", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("server did not answer in 120 s") from None
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def get_ms(url: str) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=600) as response:
        response.read()
        assert response.status == 200, (url, response.status)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--meta", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()

    from scenecat.web.serve import SETTINGS

    meta = json.loads(args.meta.read_text())
    name = args.db.stem
    plain_meta = {"databases": {name: {"tables": {"scene": {"fts_table": "scene_search_fts",
                                                            "fts_pk": "id"}}}}}  # fmt: skip
    settings = [a for k, v in SETTINGS.items() for a in ("--setting", k, str(v).lower()
                if isinstance(v, bool) else str(v))]  # fmt: skip
    broad, typical = meta["broad_word"], meta["typical_word"]
    hits = meta["word_hits"]
    cases = [
        ("home page", "/", "/"),
        (
            f"search {broad!r} ({hits[broad]:,} hits)",
            f"/{name}/-/scenes?q={quote(broad)}",
            f"/{name}/scene?_search={quote(broad)}",
        ),
        (
            f"search {typical!r} ({hits[typical]:,} hits)",
            f"/{name}/-/scenes?q={quote(typical)}",
            f"/{name}/scene?_search={quote(typical)}",
        ),
    ]
    with ExitStack() as stack, tempfile.TemporaryDirectory() as work:
        metadata = Path(work) / "plain.json"
        metadata.write_text(json.dumps(plain_meta))
        p1, p2 = free_port(), free_port()
        site = stack.enter_context(server(
            [sys.executable, "-m", "scenecat", "--db", str(args.db), "serve", "--port", str(p1)],
            p1,
        ))  # fmt: skip
        plain = stack.enter_context(server(
            [sys.executable, "-c", PLAIN, "serve", "-i", str(args.db), "--metadata",
             str(metadata), "--port", str(p2), *settings],
            p2,
        ))  # fmt: skip
        print(
            f"{args.db.name}: median of {args.repeat} pairs, milliseconds (load {os.getloadavg()[0]:.1f})"
        )
        print("| page | scenecat | plain Datasette | ratio of medians | median of pair ratios |")
        print("|---|---|---|---|---|")
        for label, ours, theirs in cases:
            for _ in range(3):  # warm-up: caches, the home page's kept rankings
                get_ms(site + ours), get_ms(plain + theirs)
            mine, base, ratios = [], [], []
            for i in range(args.repeat):
                # alternate which goes first, so that load falls on both alike
                if i % 2:
                    a = get_ms(site + ours)
                    b = get_ms(plain + theirs)
                else:
                    b = get_ms(plain + theirs)
                    a = get_ms(site + ours)
                mine.append(a), base.append(b), ratios.append(a / b)
            m, b = statistics.median(mine), statistics.median(base)
            print(
                f"| {label} | {m:.0f} | {b:.0f} | {m / b:.2f}x | {statistics.median(ratios):.2f}x |"
            )


if __name__ == "__main__":
    main()
