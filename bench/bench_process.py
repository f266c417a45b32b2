#!/usr/bin/env python3
"""Whole-process timings of everyday commands against a Typer floor (issue 17).

    python bench/bench_process.py --db CATALOGUE.db --meta FILE.jsonl.meta.json
    python bench/bench_process.py --db NEW.db --meta M.json --before OLD/bin/scenecat --before-db OLD.db

Each case runs `scenecat ...` as a fresh process, piped (stdout to a pipe, as a script or `| less`
would), against a baseline process that imports Typer and runs the equivalent raw sqlite3
query (the floor of any Typer-based command that answers the same question). With
`--before`, the same command of another install (e.g. the previous commit's, in its own venv)
runs too, on `--before-db` (a copy of the same catalogue at its schema), so before and after
come from one run. All three alternate, so machine load hits them alike; medians of --runs.

Cases: `list scenes --limit 20`, `search umbrella` (the generator's typical word), `rank
--actor BUSIEST`, `show scene KEY`, whole-catalogue `rank` and `rank --kind kiss` (against 400
ms, no baseline), a vote (a write; each run a new voter, on the catalogue itself), `--version`
against `python -c pass` and `--help` against `import typer`. It says whether scenecat's
modules have .pyc files (PYTHONDONTWRITEBYTECODE makes an editable install compile every
module on every run).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

PY = sys.executable

# The baselines: Typer imported (as any Typer command must), then the raw query a command
# answering the same question would run, its rows printed.
FLOOR = "import sys, sqlite3, typer\nconn = sqlite3.connect(sys.argv[1])\n"
BASE_LIST = FLOOR + (
    "rows = conn.execute('SELECT s.id, s.key, d.title, s.episode, s.kind, s.title FROM scene s "
    "JOIN drama d ON d.id = s.drama_id ORDER BY s.id LIMIT 21').fetchall()[:20]\n"
    "ids = [r[0] for r in rows]\n"
    "marks = ','.join('?' * len(ids))\n"
    "actors = conn.execute('SELECT sa.scene_id, a.name FROM scene_actor sa JOIN actor a ON "
    "a.id = sa.actor_id WHERE sa.scene_id IN (' + marks + ') ORDER BY sa.scene_id, "
    "sa.position', ids).fetchall()\n"
    "print('\\n'.join('\\t'.join(map(str, r)) for r in rows), actors)\n"
)
BASE_SEARCH = FLOOR + (
    "rows = conn.execute(\"SELECT s.key, s.title, d.title, snippet(scene_search_fts, 1, '', '', "
    "'...', 24) FROM scene_search_fts f JOIN scene s ON s.id = f.rowid JOIN drama d ON "
    'd.id = s.drama_id WHERE scene_search_fts MATCH ? ORDER BY f.rank LIMIT 21", '
    "(sys.argv[2],)).fetchall()\n"
    "print('\\n'.join('\\t'.join(map(str, r)) for r in rows))\n"
)
BASE_RANK_ACTOR = FLOOR + (
    "rows = conn.execute('SELECT s.key, s.title, count(v.id), avg(v.score) FROM scene s "
    "JOIN scene_actor sa ON sa.scene_id = s.id JOIN actor a ON a.id = sa.actor_id "
    "LEFT JOIN vote v ON v.scene_id = s.id AND v.current = 1 WHERE a.name = ? "
    "GROUP BY s.id ORDER BY avg(v.score) DESC, count(v.id) DESC LIMIT 20', "
    "(sys.argv[2],)).fetchall()\n"
    "print('\\n'.join('\\t'.join(map(str, r)) for r in rows))\n"
)
BASE_SHOW = FLOOR + (
    "s = conn.execute('SELECT s.*, d.title FROM scene s JOIN drama d ON d.id = s.drama_id "
    "WHERE s.key = ?', (sys.argv[2],)).fetchone()\n"
    "a = conn.execute('SELECT a.name FROM scene_actor sa JOIN actor a ON a.id = sa.actor_id "
    "WHERE sa.scene_id = ? ORDER BY sa.position', (s[0],)).fetchall()\n"
    "v = conn.execute('SELECT count(*), avg(score) FROM vote WHERE scene_id = ? AND current = 1', "
    "(s[0],)).fetchone()\n"
    "c = conn.execute('SELECT count, observed_on, source FROM view_count WHERE scene_id = ?', "
    "(s[0],)).fetchall()\n"
    "print(s, a, v, c)\n"
)


def run(cmd: Sequence[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(list(cmd), capture_output=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr.decode()}")
    return elapsed


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def has_pyc(command: str) -> str:
    """Whether the scenecat a launcher runs has .pyc files for its modules."""
    python = Path(command).parent / "python"
    probe = (
        "import importlib.util, scenecat.cli.app as m, os, sys\n"
        "c = importlib.util.cache_from_source(m.__file__)\n"
        "print(os.path.exists(c), sys.flags.dont_write_bytecode)"
    )
    out = subprocess.run([str(python), "-c", probe], capture_output=True, text=True).stdout
    exists, dont = (out.split() + ["?", "?"])[:2]
    return f".pyc {'present' if exists == 'True' else 'absent'}, PYTHONDONTWRITEBYTECODE={dont}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--meta", type=Path, required=True, help="generator's .meta.json")
    parser.add_argument("--scenecat", default=str(Path(PY).parent / "scenecat"))
    parser.add_argument("--before", help="another install's scenecat launcher (before)")
    parser.add_argument("--before-db", type=Path, help="its catalogue (a copy of --db's data)")
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--only", help="comma-separated case names")
    args = parser.parse_args(argv)
    meta = json.loads(args.meta.read_text())
    conn = sqlite3.connect(args.db)
    key = conn.execute("SELECT key FROM scene ORDER BY id LIMIT 1 OFFSET 12345").fetchone()[0]
    conn.close()
    busiest, word = meta["busiest_actor"], meta["typical_word"]
    db = str(args.db)
    before_db = str(args.before_db or args.db)
    voters = itertools.count()
    stamp = int(time.time())

    def vote(launcher: str, path: str) -> list[str]:
        return [launcher, "--db", path, "vote", key, "7", "--voter", f"b{stamp}-{next(voters)}"]

    cases: list[tuple[str, Callable[[str, str], list[str]], list[str] | None, float | None]] = [
        ("--version", lambda sc, d: [sc, "--version"], [PY, "-c", "pass"], 1.5),
        ("--help", lambda sc, d: [sc, "--help"], [PY, "-c", "import typer"], 1.3),
        (
            "list scenes --limit 20",
            lambda sc, d: [sc, "--db", d, "list", "scenes", "--limit", "20"],
            [PY, "-c", BASE_LIST, db],
            1.5,
        ),
        (
            f"search {word}",
            lambda sc, d: [sc, "--db", d, "search", word],
            [PY, "-c", BASE_SEARCH, db, word],
            1.5,
        ),
        (
            "rank --actor BUSIEST",
            lambda sc, d: [sc, "--db", d, "rank", "--actor", busiest],
            [PY, "-c", BASE_RANK_ACTOR, db, busiest],
            1.5,
        ),
        (
            "show scene KEY",
            lambda sc, d: [sc, "--db", d, "show", "scene", key],
            [PY, "-c", BASE_SHOW, db, key],
            1.5,
        ),
        ("rank (whole catalogue)", lambda sc, d: [sc, "--db", d, "rank"], None, None),
        ("rank --kind kiss", lambda sc, d: [sc, "--db", d, "rank", "--kind", "kiss"], None, None),
        ("vote (a write)", vote, None, None),
    ]
    wanted = set(args.only.split(",")) if args.only else None
    print(f"scenecat: {args.scenecat} ({has_pyc(args.scenecat)})")
    if args.before:
        print(f"before:   {args.before} ({has_pyc(args.before)})")
    print(f"catalogue: {db}; runs: {args.runs}, alternating; load {os.getloadavg()[0]:.1f}\n")
    print("| case | scenecat | before | baseline | ratio to baseline | target | after/before |")
    print("|---|---|---|---|---|---|---|")
    for name, command, baseline, target in cases:
        if wanted and name not in wanted:
            continue
        ours: list[float] = []
        theirs: list[float] = []
        old: list[float] = []
        for i in range(args.runs + 1):  # the first round warms the page cache, untimed
            runs = [(ours, command(args.scenecat, db))]
            if baseline:
                runs.append((theirs, baseline))
            if args.before:
                runs.append((old, command(args.before, before_db)))
            for samples, cmd in runs:
                elapsed = run(cmd)
                if i:
                    samples.append(elapsed)
        ms = median_ms(ours)
        base = f"{median_ms(theirs):.0f} ms" if theirs else "-"
        ratio = f"{ms / median_ms(theirs):.2f}x" if theirs else "-"
        goal = f"<= {target}x" if target else ("< 400 ms" if name.startswith("rank") else "-")
        before = f"{median_ms(old):.0f} ms" if old else "-"
        change = f"{ms / median_ms(old):.2f}x" if old else "-"
        print(f"| {name} | {ms:.0f} ms | {before} | {base} | {ratio} | {goal} | {change} |")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
