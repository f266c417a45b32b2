#!/usr/bin/env python3
"""scenecat's speed at every size, against baselines measured in the same run (issue 6).

    python bench/run.py                      # --size 100k
    python bench/run.py --size 10k,100k,1m   # one table per size, then how cost grows
    python bench/run.py --size 1m --quick    # fewer runs per case
    python bench/run.py --only import --runs 5   # only the JSON Lines import case

Generates its own data with bench/generate.py (cached under /tmp/scenecat-bench/, or
$SCENECAT_BENCH_DIR) and prints, per case, scenecat's median, the baseline's median, the
ratio, the target and whether it is met. Every timing is a whole process started with
subprocess and timed with time.perf_counter(); scenecat and its baseline runs alternate so
that other load on the machine hits both alike. Peak memory is the child's ru_maxrss
(os.wait4). Then it runs the other issues' benchmarks (bench/bench_search.py,
bench_rank.py, bench_export.py) on the same catalogue and prints their output (bench_process.py last: whole processes of
list, search, rank, show and a vote against a Typer + raw query floor, issue 17).

Cases (issue 6):
- `scenecat --version` vs `python -c pass` (<= 1.5x)
- `scenecat --help` vs `python -c "import typer"` (<= 1.3x)
- `scenecat list scenes --limit 20` on the catalogue vs the same queries in a bare
  `python -c` with sqlite3 (<= 2x), and below `sqlite-utils --help`
- import of the size's JSON Lines into a fresh catalogue vs json parse + raw executemany +
  index build of the same data (<= 2x)
- import of 10k scenes from YAML vs a libyaml C-loader parse of the same file (<= 1.3x)
- peak memory of the JSON Lines import (< 1 GiB; the issue's case is 1M scenes)
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import round_three

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
CACHE = Path(os.environ.get("SCENECAT_BENCH_DIR", "/tmp/scenecat-bench"))
PY = sys.executable
GIB = 1024**3

# The baseline import: what a hand-written loader of the same file does, with no
# validation, no name folding and no history: json.loads per line, names to ids through
# dicts, one executemany per table into scenecat's own tables, then the search documents in
# one INSERT ... SELECT and one FTS5 build, in one transaction.
BASELINE_IMPORT = r"""
import json, sqlite3, sys
from scenecat.storage.ddl import statements
from scenecat.storage.schema import INITIAL
source, target = sys.argv[1], sys.argv[2]
conn = sqlite3.connect(target, isolation_level=None)
conn.execute("BEGIN")
for statement in statements(INITIAL):
    conn.execute(statement)
conn.execute("CREATE TABLE scene_search (id INTEGER PRIMARY KEY, title, description, tags, "
             "kind, drama, actors, characters)")
conn.execute("CREATE VIRTUAL TABLE scene_search_fts USING fts5(title, description, tags, kind, "
             "drama, actors, characters, content='scene_search', content_rowid='id', "
             "tokenize='unicode61 remove_diacritics 2')")
actors, dramas, scenes = {}, {}, {}
rows = {t: [] for t in ("actor", "alias", "drama", "credit", "episode", "scene", "tag",
                        "scene_actor", "view", "vote", "duel")}
with open(source, encoding="utf-8") as handle:
    next(handle)
    for line in handle:
        r = json.loads(line)
        kind = r["type"]
        if kind == "scene":
            i = scenes[r["key"]] = len(scenes) + 1
            rows["scene"].append((i, r["key"], dramas[r["drama"]], r.get("episode"), r["kind"],
                                  r["title"], r.get("description"), r.get("spoiler", "none")))
            rows["tag"].extend((i, t) for t in r.get("tags", ()))
            rows["scene_actor"].extend((i, actors[a], p) for p, a in enumerate(r.get("actors", ())))
            rows["view"].extend((i, v["count"], v.get("on"), v.get("source", ""))
                                for v in r.get("views", ()))
        elif kind == "vote":
            rows["vote"].append((scenes[r["scene"]], r.get("voter", "me"), r["score"], r.get("on")))
        elif kind == "actor":
            i = actors[r["name"]] = len(actors) + 1
            rows["actor"].append((i, r["name"], r["name"].lower(), r.get("native"), r.get("born")))
            rows["alias"].extend((i, a, a.lower()) for a in r.get("aliases", ()))
        elif kind == "drama":
            i = dramas[r["title"]] = len(dramas) + 1
            rows["drama"].append((i, r["title"], r["title"].lower(), r.get("native"),
                                  r.get("network"), r.get("year"), r.get("episodes")))
            rows["credit"].extend((i, actors[c["actor"]], c.get("character"), c.get("role", "main"))
                                  for c in r.get("cast", ()))
            rows["episode"].extend((i, e["number"], e.get("aired")) for e in r.get("episode_list", ()))
        elif kind == "duel":
            rows["duel"].append((scenes[r["winner"]], scenes[r["loser"]], r.get("voter", "me"),
                                 r.get("on")))
many = conn.executemany
many("INSERT INTO actor (id, name, name_key, native, born) VALUES (?,?,?,?,?)", rows["actor"])
many("INSERT INTO actor_alias (actor_id, alias, alias_key) VALUES (?,?,?)", rows["alias"])
many("INSERT INTO drama (id, title, title_key, native, network, year, episodes) "
     "VALUES (?,?,?,?,?,?,?)", rows["drama"])
many("INSERT INTO credit (drama_id, actor_id, character, role) VALUES (?,?,?,?)", rows["credit"])
many("INSERT INTO episode (drama_id, number, aired) VALUES (?,?,?)", rows["episode"])
many("INSERT INTO scene (id, key, drama_id, episode, kind, title, description, spoiler) "
     "VALUES (?,?,?,?,?,?,?,?)", rows["scene"])
many("INSERT INTO scene_tag (scene_id, tag) VALUES (?,?)", rows["tag"])
many("INSERT INTO scene_actor (scene_id, actor_id, position) VALUES (?,?,?)", rows["scene_actor"])
many("INSERT INTO view_count (scene_id, count, observed_on, source) VALUES (?,?,?,?)", rows["view"])
many("INSERT INTO vote (scene_id, voter, score, voted_on) VALUES (?,?,?,?)", rows["vote"])
many("INSERT INTO duel (winner_id, loser_id, voter, decided_on) VALUES (?,?,?,?)", rows["duel"])
conn.execute(
    "INSERT INTO scene_search SELECT s.id, s.title, s.description, "
    "(SELECT group_concat(tag, ' ') FROM scene_tag WHERE scene_id = s.id), s.kind, d.title, "
    "(SELECT group_concat(a.name, ' ') FROM scene_actor sa JOIN actor a ON a.id = sa.actor_id "
    " WHERE sa.scene_id = s.id), "
    "(SELECT group_concat(c.character, ' ') FROM scene_actor sa JOIN credit c "
    " ON c.actor_id = sa.actor_id AND c.drama_id = s.drama_id WHERE sa.scene_id = s.id) "
    "FROM scene s JOIN drama d ON d.id = s.drama_id")
conn.execute("INSERT INTO scene_search_fts(scene_search_fts) VALUES ('rebuild')")
conn.execute("COMMIT")
"""

# The queries `scenecat list scenes --limit 20` runs (the page, one row more to know whether
# there is more, and the page's actors, tags, views and sources), printed as plain lines.
BASELINE_LIST = r"""
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
rows = conn.execute(
    "SELECT s.id, s.key, s.drama_id, d.title, s.episode, s.kind, s.title, s.description, "
    "s.start_s, s.end_s, s.spoiler, s.location, d.network, d.year "
    "FROM scene s JOIN drama d ON d.id = s.drama_id ORDER BY s.id LIMIT 21").fetchall()[:20]
ids = [r[0] for r in rows]
marks = ",".join("?" * len(ids))
actors = conn.execute("SELECT sa.scene_id, a.name FROM scene_actor sa JOIN actor a "
                      f"ON a.id = sa.actor_id WHERE sa.scene_id IN ({marks}) "
                      "ORDER BY sa.scene_id, sa.position", ids).fetchall()
tags = conn.execute(f"SELECT scene_id, tag FROM scene_tag WHERE scene_id IN ({marks})",
                    ids).fetchall()
views = conn.execute("SELECT scene_id, count, observed_on, source FROM view_count "
                     f"WHERE scene_id IN ({marks})", ids).fetchall()
sources = conn.execute("SELECT ss.scene_id, so.url FROM scene_source ss JOIN source so "
                       f"ON so.id = ss.source_id WHERE ss.scene_id IN ({marks})", ids).fetchall()
names = {}
for scene_id, name in actors:
    names.setdefault(scene_id, []).append(name)
for r in rows:
    sys.stdout.write(f"{r[1]}\t{r[3]}\t{r[4]}\t{r[5]}\t{r[6]}\t{', '.join(names.get(r[0], []))}\n")
"""

BASELINE_YAML = "import sys, yaml; yaml.load(open(sys.argv[1], 'rb'), Loader=yaml.CSafeLoader)"


# --- running and timing -------------------------------------------------------------------


@dataclass
class Sample:
    seconds: float
    max_rss: int  # bytes


def run_once(cmd: Sequence[str], *, env: dict[str, str] | None = None) -> Sample:
    """Run `cmd` to completion; its wall time and peak resident memory."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code  # wait4 reaped it; stop Popen from waiting again
    if code != 0:
        raise SystemExit(f"failed ({code}): {' '.join(cmd)}\n{stderr}")
    # ru_maxrss is in KiB on Linux.
    return Sample(elapsed, usage.ru_maxrss * 1024)


def alternate(
    first: Callable[[], Sample], second: Callable[[], Sample], runs: int, warmup: int = 1
) -> tuple[list[Sample], list[Sample]]:
    """Run both `runs` times, interleaved, after `warmup` untimed runs of each."""
    for _ in range(warmup):
        first()
        second()
    a: list[Sample] = []
    b: list[Sample] = []
    for _ in range(runs):
        a.append(first())
        b.append(second())
    return a, b


def median(samples: list[Sample]) -> float:
    return statistics.median(s.seconds for s in samples)


def scenecat_command() -> list[str]:
    script = Path(PY).parent / "scenecat"
    if script.exists():
        return [str(script)]
    found = shutil.which("scenecat")
    return [found] if found else [PY, "-m", "scenecat"]


def sqlite_utils_command() -> list[str] | None:
    script = Path(PY).parent / "sqlite-utils"
    if script.exists():
        return [str(script)]
    found = shutil.which("sqlite-utils")
    return [found] if found else None


# --- data -----------------------------------------------------------------------------------


def generated(scenes: int, yaml: bool = False) -> Path:
    name = next((k for k, v in SIZES.items() if v == scenes), str(scenes))
    path = CACHE / f"scenes-{name}.{'yaml' if yaml else 'jsonl'}"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"generating {path.name} ...", file=sys.stderr, flush=True)
        cmd = [PY, str(HERE / "generate.py"), "--scenes", str(scenes), "-o", str(path)]
        if yaml:
            cmd.append("--yaml")
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return path


def fresh(path: Path) -> Path:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return path


# --- cases ----------------------------------------------------------------------------------


@dataclass
class Row:
    case: str
    scenecat: str
    baseline: str
    ratio: str
    target: str
    met: str


@dataclass
class SizeResult:
    size: str
    rows: list[Row] = field(default_factory=list)
    import_s: float = 0.0
    import_rss: int = 0
    list_s: float = 0.0
    yaml_s: float = 0.0
    import_samples: list[float] = field(default_factory=list)
    baseline_samples: list[float] = field(default_factory=list)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def ratio_row(case: str, ours: float, base: float, limit: float, extra: str = "") -> Row:
    ratio = ours / base
    met = ratio <= limit
    return Row(
        case, fmt(ours), fmt(base), f"{ratio:.2f}x", f"<= {limit:g}x{extra}", "yes" if met else "NO"
    )


def startup_cases(runs: int) -> list[Row]:
    sc = scenecat_command()
    rows = []
    ours, base = alternate(
        lambda: run_once([*sc, "--version"]), lambda: run_once([PY, "-c", "pass"]), runs, 3
    )
    rows.append(ratio_row("scenecat --version", median(ours), median(base), 1.5))
    rows[-1].baseline += " (python -c pass)"
    ours, base = alternate(
        lambda: run_once([*sc, "--help"]), lambda: run_once([PY, "-c", "import typer"]), runs, 3
    )
    rows.append(ratio_row("scenecat --help", median(ours), median(base), 1.3))
    rows[-1].baseline += " (import typer)"
    return rows


def list_case(db: Path, runs: int, result: SizeResult) -> list[Row]:
    sc = scenecat_command()
    ours, base = alternate(
        lambda: run_once([*sc, "--db", str(db), "list", "scenes", "--limit", "20"]),
        lambda: run_once([PY, "-c", BASELINE_LIST, str(db)]),
        runs,
        2,
    )
    result.list_s = median(ours)
    row = ratio_row(f"list scenes --limit 20 ({result.size})", median(ours), median(base), 2.0)
    row.baseline += " (sqlite3)"
    rows = [row]
    su = sqlite_utils_command()
    if su:
        helps = [run_once([*su, "--help"]) for _ in range(max(3, runs // 2))]
        theirs = median(helps)
        below = result.list_s < theirs
        rows.append(
            Row(
                f"list scenes --limit 20 ({result.size})",
                fmt(result.list_s),
                f"{fmt(theirs)} (sqlite-utils --help)",
                f"{result.list_s / theirs:.2f}x",
                "below it",
                "yes" if below else "NO",
            )
        )
        row.met = "yes" if row.met == "yes" and below else row.met
    return rows


def import_case(
    scenes: int, runs: int, result: SizeResult, keep: Path, work: Path | None = None
) -> list[Row]:
    sc = scenecat_command()
    source = generated(scenes)
    work = work or CACHE / "work"
    work.mkdir(parents=True, exist_ok=True)
    ours_db, base_db = work / "import.db", work / "baseline.db"

    def ours() -> Sample:
        return run_once([*sc, "--db", str(fresh(ours_db)), "import", str(source)])

    def base() -> Sample:
        env = {"PYTHONPATH": str(ROOT / "src")}
        return run_once([PY, "-c", BASELINE_IMPORT, str(source), str(fresh(base_db))], env=env)

    mine, theirs = alternate(ours, base, runs, warmup=0)
    fresh(base_db)
    # The last import becomes the catalogue the listing and the other benchmarks use.
    fresh(keep)
    ours_db.replace(keep)
    for suffix in ("-wal", "-shm"):
        Path(str(ours_db) + suffix).unlink(missing_ok=True)
    result.import_s = median(mine)
    result.import_samples = [s.seconds for s in mine]
    result.baseline_samples = [s.seconds for s in theirs]
    result.import_rss = max(s.max_rss for s in mine)
    row = ratio_row(f"import {result.size} scenes, JSON Lines", median(mine), median(theirs), 2.0)
    row.baseline += " (json + executemany + FTS)"
    rss = result.import_rss
    memory = Row(
        f"peak memory, import {result.size} JSON Lines",
        f"{rss / 2**20:.0f} MiB",
        "-",
        "-",
        "< 1 GiB",
        "yes" if rss < GIB else "NO",
    )
    return [row, memory]


def yaml_case(scenes: int, runs: int, result: SizeResult) -> list[Row]:
    sc = scenecat_command()
    source = generated(scenes, yaml=True)
    db = CACHE / "work" / "yaml.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    mine, theirs = alternate(
        lambda: run_once([*sc, "--db", str(fresh(db)), "import", str(source)]),
        lambda: run_once([PY, "-c", BASELINE_YAML, str(source)]),
        runs,
        warmup=0,
    )
    fresh(db)
    result.yaml_s = median(mine)
    label = next((k for k, v in SIZES.items() if v == scenes), str(scenes))
    row = ratio_row(f"import {label} scenes, YAML", median(mine), median(theirs), 1.3)
    row.baseline += " (libyaml parse)"
    return [row]


def other_benchmarks(db: Path, scenes: int) -> None:
    meta = generated(scenes).with_name(generated(scenes).name + ".meta.json")
    plans = {
        "bench_search.py": ["--db", str(db), "--meta", str(meta)],
        "bench_rank.py": ["--db", str(db), "--meta", str(meta)],
        "bench_export.py": ["--db", str(db), "--scenes", str(min(scenes, 10_000))],
        # Whole processes against a Typer + raw query floor (issue 17); its vote case writes
        # to this catalogue, so it runs last.
        "bench_process.py": ["--db", str(db), "--meta", str(meta), "--runs", "7"],
    }
    for script, args in plans.items():
        path = HERE / script
        if not path.exists():
            print(f"\n## {script}: not present, skipped")
            continue
        print(f"\n## {script} {' '.join(args)}\n", flush=True)
        proc = subprocess.run([PY, str(path), *args], capture_output=True, text=True)
        sys.stdout.write(proc.stdout)
        if proc.returncode != 0:
            print(f"(exit {proc.returncode})\n{proc.stderr[-2000:]}")


def third_round(size: str, args: argparse.Namespace, cases: list[str]) -> None:
    """The rows of issue 27 (bench/round_three.py) at `size`, each with its baseline."""
    scenes = SIZES[size]
    source = args.source or generated(scenes)
    runs = args.runs or (1 if scenes >= 1_000_000 or args.quick else 3)
    work = CACHE / f"round3-{size}-{os.getpid()}"
    print(f"\n## issue 27 rows, {size} ({source}, {runs} run(s) each)\n", flush=True)
    try:
        rows = round_three.round_three(
            scenecat_command(), source, work, runs, size, cases, args.catalogue
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    round_three.print_rows(rows)


# --- report ---------------------------------------------------------------------------------


def print_table(rows: list[Row]) -> None:
    header = Row("case", "scenecat", "baseline", "ratio", "target", "met?")
    table = [header, *rows]
    widths = [max(len(getattr(r, f)) for r in table) for f in Row.__dataclass_fields__]

    def line(r: Row) -> str:
        cells = [
            getattr(r, f).ljust(w) for f, w in zip(Row.__dataclass_fields__, widths, strict=True)
        ]
        return "| " + " | ".join(cells) + " |"

    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(line(r))


def machine() -> str:
    cpus = os.cpu_count()
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        model = platform.processor() or "unknown CPU"
    import sqlite3

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{platform.system()} {platform.release()}, {model}, {cpus} cores; Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}; load {load:.2f} at start"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--size", default="100k", help="10k, 100k or 1m, or several: 10k,100k,1m (100k)"
    )
    parser.add_argument("--quick", action="store_true", help="fewer runs per case")
    parser.add_argument("--no-others", action="store_true", help="skip bench_search/rank/export")
    parser.add_argument(
        "--only",
        choices=("import", "round3"),
        help="run only this case (import: the JSON Lines import against its baseline; "
        "round3: the rows of issue 27)",
    )
    parser.add_argument("--runs", type=int, help="timed runs per case (default: by size)")
    parser.add_argument(
        "--cases",
        help=f"round3 rows to run, comma-separated (default all: {','.join(round_three.CASES)})",
    )
    parser.add_argument(
        "--source", type=Path, help="round3: this JSON Lines file (with its .meta.json)"
    )
    parser.add_argument(
        "--catalogue",
        type=Path,
        help="round3: a catalogue imported from --source, copied for the rows after import",
    )
    args = parser.parse_args()
    sizes = [s.strip().lower() for s in args.size.split(",")]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size {', '.join(unknown)}; choose from {', '.join(SIZES)}")
    quick = args.quick
    print(f"# scenecat benchmarks\n\n{machine()}")
    options = f"{' --quick' if quick else ''}"
    options += f" --only {args.only}" if args.only else ""
    options += f" --runs {args.runs}" if args.runs else ""
    print(f"command: python bench/run.py --size {args.size}{options}\n")
    start_runs = 11 if quick else 21
    startup = [] if args.only else startup_cases(start_runs)
    results: list[SizeResult] = []
    cases = args.cases.split(",") if args.cases else list(round_three.CASES)
    if unknown := [c for c in cases if c not in round_three.CASES]:
        parser.error(f"unknown case {', '.join(unknown)}; choose from {round_three.CASES}")
    if args.only == "round3":
        for size in sizes:
            third_round(size, args, cases)
        return
    for size in sizes:
        scenes = SIZES[size]
        result = SizeResult(size)
        db = CACHE / f"catalogue-{size}.db"
        import_runs = 1 if scenes >= 1_000_000 or quick else (3 if scenes >= 100_000 else 5)
        result.rows += startup
        if args.only:
            # A private work directory, and the shared catalogue left alone: other runs may
            # be using them.
            work = CACHE / f"work-only-{os.getpid()}"
            db = work / "catalogue.db"
        else:
            work = None
        result.rows += import_case(scenes, args.runs or import_runs, result, db, work)
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
        if not args.only:
            result.rows += list_case(db, 7 if quick else 15, result)
            result.rows += yaml_case(min(scenes, 10_000), 1 if quick else 3, result)
        print(f"\n## {size} scenes\n")
        print_table(result.rows)
        results.append(result)
        if args.only:
            ours = ", ".join(f"{s:.2f}" for s in result.import_samples)
            base = ", ".join(f"{s:.2f}" for s in result.baseline_samples)
            print(f"\nimport runs (s): scenecat {ours}; baseline {base}")
        elif not args.no_others:
            other_benchmarks(db, scenes)
        if not args.only:
            third_round(size, args, cases)
    if len(results) > 1:
        print("\n## how cost grows\n")
        for r in results:
            per = r.import_s / SIZES[r.size] * 1e6
            print(
                f"- {r.size:>4}: import {fmt(r.import_s)} ({per:.0f} µs/scene), peak "
                f"{r.import_rss / 2**20:.0f} MiB; list scenes --limit 20 {fmt(r.list_s)}"
            )


if __name__ == "__main__":
    main()
