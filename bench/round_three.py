"""The rows of issue 27 ("Speed, round three"), each against its baseline in the same run.

    python bench/run.py --only round3                  # 100k scenes
    python bench/run.py --only round3 --size 1m        # 1M (about an hour on 2 cores)
    python bench/run.py --only round3 --cases export,article --source FILE.jsonl --catalogue DB

run.py calls `round_three(...)`; every figure comes from whole `scenecat` processes, or for
search from the public `search()` function, so the table holds whatever the code inside does.
scenecat and its baseline alternate, so that other load on the machine falls on both alike;
the load average is printed with every row. Peak memory is the child's own high-water mark
(ru_maxrss from os.wait4), CPU its user + system time.

| case | scenecat | baseline | target |
|---|---|---|---|
| `undo` of a bulk import into an empty catalogue | `scenecat undo --yes` | the data tables emptied (triggers off: truncation), FTS5 'delete-all', one transaction | <= 2x |
| `export jsonl` / `export yaml` | peak memory, time | a raw-SQL streaming exporter writing the same bytes (checked) | peak within 50 MiB of an idle command, time <= 1.2x |
| 10,000-scene article | `export markdown --limit 10000` | the ranking's top 10k, one query for their rows with credits, f-strings | <= 1.2x |
| bulk import CPU | `scenecat import FILE` into a new catalogue | run.py's raw loader (json + executemany + FTS) | <= 1.5x |
| `db check` | `scenecat db check` | PRAGMA integrity_check + foreign_key_check | <= 1.5x |
| `rank --actor BUSIEST` | `scenecat rank --actor NAME` | Typer + the raw query (bench_process.py) | <= 1.3x |
| search, in process | `search()` of the typical word | the raw FTS5 top-20 with the same weighted bm25 | <= 1.3x |
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable
MIB = 2**20
CASES = ("import", "undo", "export", "article", "check", "rank-actor", "search")

# --- baselines ------------------------------------------------------------------------------

# Emptying what a bulk import wrote, the cheapest way SQLite has: in one transaction, the
# data tables' triggers dropped (so that DELETE without WHERE truncates instead of deleting
# row by row), foreign keys off, every data table emptied, both FTS5 indexes cleared with
# 'delete-all', the triggers made again. History and migration bookkeeping stay.
BASELINE_EMPTY = r"""
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA foreign_keys = OFF")
conn.execute("BEGIN")
virtual = [r[0] for r in conn.execute(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'")]
shadow = tuple(f"{v}_" for v in virtual)
tables = [r[0] for r in conn.execute(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' "
    "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'history%' AND name NOT LIKE '\\_%' "
    "ESCAPE '\\'") if not r[0].startswith(shadow)]
marks = ",".join("?" * len(tables))
triggers = conn.execute(
    f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({marks})",
    tables).fetchall()
for name, _ in triggers:
    conn.execute(f'DROP TRIGGER "{name}"')
for table in tables:
    conn.execute(f'DELETE FROM "{table}"')
for table in virtual:
    conn.execute(f"INSERT INTO \"{table}\"(\"{table}\") VALUES ('delete-all')")
for _, sql in triggers:
    conn.execute(sql)
conn.execute("COMMIT")
"""

# A streaming exporter written against the tables: a cursor per section (scenes a page at a
# time, their details in four IN queries a page), json.dumps per record. It covers what the
# generated catalogues hold; the run checks that it writes scenecat's bytes.
BASELINE_EXPORT = r"""
import json, sqlite3, sys
fmt, path = sys.argv[1], sys.argv[2]
conn = sqlite3.connect(path)
out = sys.stdout
if fmt == "yaml":
    import datetime as dt
    from scenecat.yamlio import dump  # the same YAML dumper settings: the bytes must match
    DATES = ("on", "aired")
    def dated(v):
        if isinstance(v, dict):
            return {k: dt.date.fromisoformat(x) if k in DATES and isinstance(x, str) else dated(x)
                    for k, x in v.items()}
        return [dated(x) for x in v] if isinstance(v, list) else v
    out.write("format: scenecat/1\n")
    def section(name, kind, records):
        first = True
        for r in records:
            if first:
                out.write(f"{name}:\n")
                first = False
            out.write(dump([dated(r)]))
        if first:
            out.write(f"{name}: []\n")
else:
    out.write('{"format": "scenecat/1"}\n')
    def section(name, kind, records):
        for r in records:
            out.write(json.dumps({"type": kind, **r}, ensure_ascii=False) + "\n")
def kept(d):
    return {k: v for k, v in d.items() if v is not None and v != [] and v != ""}
def ids(table, column, record_id):
    return dict(conn.execute(f"SELECT source, ext_id FROM {table} WHERE {column} = ? "
                             "ORDER BY source", (record_id,)).fetchall()) or None
def actors():
    for i, name, native, born in conn.execute(
            "SELECT id, name, native, born FROM actor ORDER BY name"):
        aliases = [a for a, in conn.execute(
            "SELECT alias FROM actor_alias WHERE actor_id = ? ORDER BY alias", (i,))]
        yield kept({"name": name, "native": native, "aliases": aliases, "born": born,
                    "ids": ids("actor_source_id", "actor_id", i)})
def dramas():
    for i, *facts in conn.execute("SELECT id, title, native, network, country, year, episodes, "
                                  "synopsis FROM drama ORDER BY title"):
        title, native, network, country, year, episodes, synopsis = facts
        aliases = [a for a, in conn.execute(
            "SELECT alias FROM drama_alias WHERE drama_id = ? ORDER BY alias", (i,))]
        cast = [kept({"actor": a, "character": c, "role": r, "billing": b})
                for a, c, r, b in conn.execute(
            "SELECT a.name, c.character, c.role, c.billing FROM credit c JOIN actor a "
            "ON a.id = c.actor_id WHERE c.drama_id = ? ORDER BY coalesce(c.billing, 1e9), "
            "CASE c.role WHEN 'main' THEN 0 WHEN 'support' THEN 1 WHEN 'guest' THEN 2 "
            "ELSE 3 END, a.name", (i,))]
        episodes_ = [kept({"number": n, "aired": a, "title": t, "rating": r})
                     for n, a, t, r in conn.execute(
            "SELECT number, aired, title, rating FROM episode WHERE drama_id = ? "
            "ORDER BY number", (i,))]
        yield kept({"title": title, "native": native, "aliases": aliases, "network": network,
                    "country": country, "year": year, "episodes": episodes,
                    "synopsis": synopsis, "cast": cast, "episode_list": episodes_,
                    "ids": ids("drama_source_id", "drama_id", i)})
def scenes():
    after = ""
    while True:
        page = conn.execute(
            "SELECT s.id, s.key, d.title, s.episode, s.kind, s.title, s.spoiler, s.location, "
            "s.description FROM scene s JOIN drama d ON d.id = s.drama_id WHERE s.key > ? "
            "ORDER BY s.key LIMIT 2000", (after,)).fetchall()
        if not page:
            return
        marks = ",".join("?" * len(page))
        page_ids = [r[0] for r in page]
        who, tags, views = {}, {}, {}
        for i, name in conn.execute(
                "SELECT sa.scene_id, a.name FROM scene_actor sa JOIN actor a ON a.id = "
                f"sa.actor_id WHERE sa.scene_id IN ({marks}) ORDER BY sa.scene_id, "
                "sa.position, a.name", page_ids):
            who.setdefault(i, []).append(name)
        for i, tag in conn.execute(f"SELECT scene_id, tag FROM scene_tag WHERE scene_id IN "
                                   f"({marks}) ORDER BY tag", page_ids):
            tags.setdefault(i, []).append(tag)
        for i, count, on, source in conn.execute(
                "SELECT scene_id, count, observed_on, source FROM view_count WHERE scene_id IN "
                f"({marks}) ORDER BY scene_id, observed_on, source, count, id", page_ids):
            views.setdefault(i, []).append(kept({"count": count, "on": on, "source": source}))
        for i, key, drama, episode, kind, title, spoiler, location, description in page:
            yield kept({"key": key, "drama": drama, "episode": episode, "kind": kind,
                        "title": title, "actors": who.get(i, []),
                        "spoiler": None if spoiler == "none" else spoiler,
                        "tags": tags.get(i, []), "location": location,
                        "description": description, "views": views.get(i, [])})
        after = page[-1][1]
def votes():
    for scene, score, voter, on in conn.execute(
            "SELECT s.key, v.score, v.voter, v.voted_on FROM vote v JOIN scene s "
            "ON s.id = v.scene_id ORDER BY s.key, v.voter, coalesce(v.voted_on, ''), v.id"):
        yield kept({"scene": scene, "score": score, "voter": voter, "on": on})
def duels():
    for winner, loser, voter, on in conn.execute(
            "SELECT w.key, l.key, d.voter, d.decided_on FROM duel d JOIN scene w "
            "ON w.id = d.winner_id JOIN scene l ON l.id = d.loser_id "
            "ORDER BY w.key, l.key, d.voter, coalesce(d.decided_on, ''), d.id"):
        yield kept({"winner": winner, "loser": loser, "voter": voter, "on": on})
section("actors", "actor", actors())
section("dramas", "drama", dramas())
section("scenes", "scene", scenes())
section("votes", "vote", votes())
section("duels", "duel", duels())
"""

# The floor of a 10,000-scene article: the ranking's top 10k (its public function), one query
# for their rows with drama, actors and characters (credits), then one f-string per entry.
BASELINE_ARTICLE = r"""
import sqlite3, sys
from pathlib import Path
from scenecat.domain import ranking
from scenecat.domain.scope import Scope
from scenecat.scoring.params import RankParams
from scenecat.storage.connection import open_catalogue
cat = open_catalogue(Path(sys.argv[1]), create=False)
conn = cat.conn
result = ranking.rank_scenes(conn, Scope(), RankParams(), limit=int(sys.argv[2]))
ids = [e.scene.id for e in result.entries]
conn.execute("CREATE TEMP TABLE top (id INTEGER PRIMARY KEY)")
conn.executemany("INSERT INTO top VALUES (?)", [(i,) for i in ids])
rows = {}
for i, title, drama, network, year, episode, description, who in conn.execute(
    "SELECT s.id, s.title, d.title, d.network, d.year, s.episode, s.description, "
    "(SELECT group_concat(a.name || coalesce(' as ' || c.character, ''), ', ') "
    " FROM scene_actor sa JOIN actor a ON a.id = sa.actor_id LEFT JOIN credit c "
    " ON c.actor_id = sa.actor_id AND c.drama_id = s.drama_id WHERE sa.scene_id = s.id) "
    "FROM top t JOIN scene s ON s.id = t.id JOIN drama d ON d.id = s.drama_id"):
    rows[i] = (title, drama, network, year, episode, description, who)
out = []
for e in result.entries:
    title, drama, network, year, episode, description, who = rows[e.scene.id]
    latest = e.latest
    out.append(
        f"## {e.position}. {title} ({drama})\n\n"
        f"- **Drama:** {drama} ({network}, {year}), episode {episode}\n"
        f"- **Who:** {who}\n"
        f"- **Views:** {latest.count if latest else 0:,}\n"
        f"- **Score:** {e.parts.score:.1f}/10\n\n{description}\n\n"
    )
sys.stdout.write("".join(out))
"""

BASELINE_CHECK = r"""
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
print(conn.execute("PRAGMA integrity_check").fetchall())
print(conn.execute("PRAGMA foreign_key_check").fetchall())
"""

# In one process: search() of a word against the raw FTS5 top-20 with the same weighted bm25,
# alternating; prints the two medians in ms as JSON.
SEARCH_IN_PROCESS = r"""
import json, sqlite3, statistics, sys, time
from pathlib import Path
from scenecat.domain.search import search
from scenecat.storage.connection import open_catalogue
try:
    from scenecat.storage.search_index import WEIGHTS
    bm25 = "bm25(scene_search_fts, " + ", ".join(map(str, WEIGHTS)) + ")"
except ImportError:
    bm25 = "bm25(scene_search_fts)"
cat = open_catalogue(Path(sys.argv[1]), create=False)
conn, word, repeat = cat.conn, sys.argv[2], int(sys.argv[3])
raw = (f"SELECT rowid, {bm25} AS score FROM scene_search_fts WHERE scene_search_fts MATCH ? "
       "ORDER BY score, rowid LIMIT 20")
runs = {"ours": lambda: search(conn, word, None, 20),
        "raw": lambda: conn.execute(raw, (f'"{word}"',)).fetchall()}
times = {name: [] for name in runs}
for i in range(repeat + 3):
    for name, run in runs.items():
        start = time.perf_counter()
        run()
        if i >= 3:
            times[name].append(time.perf_counter() - start)
print(json.dumps({name: statistics.median(t) * 1000 for name, t in times.items()}))
"""


# --- running --------------------------------------------------------------------------------


@dataclass
class Sample:
    seconds: float
    cpu: float  # user + system seconds
    max_rss: int  # bytes
    digest: str = ""  # sha256 of its standard output, when asked for


def run(cmd: Sequence[str], *, digest: bool = False, env: dict[str, str] | None = None) -> Sample:
    """Run `cmd` to completion: wall time, CPU time, peak memory (and its output's digest)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd),
        stdout=subprocess.PIPE if digest else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    hashed = hashlib.sha256()
    if digest:
        assert proc.stdout is not None
        while chunk := proc.stdout.read(1 << 20):
            hashed.update(chunk)
        proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code  # reaped by wait4: Popen must not wait again
    if code != 0:
        raise SystemExit(f"failed ({code}): {' '.join(cmd)}\n{stderr[-2000:]}")
    return Sample(
        elapsed,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss * 1024,  # KiB on Linux
        hashed.hexdigest() if digest else "",
    )


def alternate(
    ours: Callable[[], Sample], base: Callable[[], Sample], runs: int
) -> tuple[list[Sample], list[Sample]]:
    a: list[Sample] = []
    b: list[Sample] = []
    for _ in range(runs):
        a.append(ours())
        b.append(base())
    return a, b


def med(samples: list[Sample], attr: str = "seconds") -> float:
    return float(statistics.median(getattr(s, attr) for s in samples))


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def copy(src: Path, dest: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(str(dest) + suffix).unlink(missing_ok=True)
    shutil.copyfile(src, dest)
    return dest


@dataclass
class Row:
    case: str
    scenecat: str
    baseline: str
    ratio: str
    target: str
    met: str
    load: str


def ratio_row(
    case: str,
    ours: float,
    base: float,
    limit: float,
    show: Callable[[float], str] = fmt,
    note: str = "",
) -> Row:
    ratio = ours / base
    return Row(
        case,
        show(ours),
        show(base) + note,
        f"{ratio:.2f}x",
        f"<= {limit:g}x",
        "yes" if ratio <= limit else "NO",
        load(),
    )


def cpu_row(
    case: str, mine: list[Sample], theirs: list[Sample], limit: float, baseline: str
) -> Row:
    """A row judged by CPU time (user + system), wall time beside: on a shared machine a
    process waits for a core as long as the other jobs make it, and one run's wall time
    swings by a second or more, while the work it does stays put."""
    row = ratio_row(case, med(mine, "cpu"), med(theirs, "cpu"), limit, note=f" CPU ({baseline})")
    row.scenecat += " CPU"
    row.ratio += f" (wall {med(mine) / med(theirs):.2f}x: {fmt(med(mine))} / {fmt(med(theirs))})"
    return row


# --- the cases ------------------------------------------------------------------------------


class Round:
    """The cases of one size, sharing one catalogue made by the first (import)."""

    def __init__(
        self, sc: list[str], source: Path, work: Path, runs: int, label: str, given: Path | None
    ) -> None:
        self.sc = sc
        self.given = given  # a catalogue of `source` to copy instead of importing one
        self.source = source
        self.work = work
        self.runs = runs
        self.label = label
        self.catalogue = work / "catalogue.db"
        meta = source.with_name(source.name + ".meta.json")
        self.meta = json.loads(meta.read_text()) if meta.exists() else {}
        self.env = {"PYTHONPATH": str(ROOT / "src")}

    def fresh(self, name: str) -> Path:
        path = self.work / name
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return path

    def import_cpu(self) -> list[Row]:
        from run import BASELINE_IMPORT  # the raw loader of issue 6, the same in both tables

        def ours() -> Sample:
            return run([*self.sc, "--db", str(self.fresh("import.db")), "import", str(self.source)])

        def base() -> Sample:
            target = str(self.fresh("baseline.db"))
            return run([PY, "-c", BASELINE_IMPORT, str(self.source), target], env=self.env)

        mine, theirs = alternate(ours, base, self.runs)
        self.fresh("baseline.db")
        (self.work / "import.db").replace(self.catalogue)
        row = ratio_row(
            f"bulk import CPU ({self.label})",
            med(mine, "cpu"),
            med(theirs, "cpu"),
            1.5,
            note=" (raw loader)",
        )
        row.scenecat += f" ({fmt(med(mine))} wall, {med(mine, 'max_rss') / MIB:.0f} MiB peak)"
        return [row]

    def ensure_catalogue(self) -> None:
        if self.catalogue.exists():
            return
        if self.given is not None:
            copy(self.given, self.catalogue)  # never the given file itself: cases write
            # Upgrade the copy (if its schema is older) before anything is timed.
            run([*self.sc, "--db", str(self.catalogue), "db", "path"])
            run([*self.sc, "--db", str(self.catalogue), "stats"])
        else:
            run([*self.sc, "--db", str(self.fresh("catalogue.db")), "import", str(self.source)])

    def undo(self) -> list[Row]:
        self.ensure_catalogue()
        ours_db, base_db = self.work / "undo.db", self.work / "empty.db"
        copy(self.catalogue, ours_db)
        copy(self.catalogue, base_db)
        mine = run([*self.sc, "--db", str(ours_db), "undo", "--yes"])
        theirs = run([PY, "-c", BASELINE_EMPTY, str(base_db)])
        for path in (ours_db, base_db):
            self.fresh(path.name)
        row = ratio_row(
            f"undo of a bulk import ({self.label})",
            mine.seconds,
            theirs.seconds,
            2.0,
            note=" (tables emptied)",
        )
        row.scenecat += f" ({fmt(mine.cpu)} CPU)"
        return [row]

    def export(self) -> list[Row]:
        self.ensure_catalogue()
        db = str(self.catalogue)
        idle = min(run([*self.sc, "--db", db, "db", "path"]).max_rss for _ in range(3))
        rows = []
        for fmt_ in ("jsonl", "yaml"):
            mine, theirs = alternate(
                partial(run, [*self.sc, "--db", db, "export", fmt_], digest=True),
                partial(run, [PY, "-c", BASELINE_EXPORT, fmt_, db], digest=True, env=self.env),
                1 if fmt_ == "yaml" else self.runs,  # YAML: a minute per 100k scenes
            )
            same = {s.digest for s in mine} == {s.digest for s in theirs}
            peak = max(s.max_rss for s in mine)
            over = peak - idle
            rows.append(
                Row(
                    f"export {fmt_} peak memory ({self.label})",
                    f"{peak / MIB:.0f} MiB",
                    f"{max(s.max_rss for s in theirs) / MIB:.0f} MiB (streaming, same bytes: "
                    f"{'yes' if same else 'NO'}); idle {idle / MIB:.0f} MiB",
                    f"+{over / MIB:.0f} MiB over idle",
                    "<= +50 MiB",
                    "yes" if over <= 50 * MIB and same else "NO",
                    load(),
                )
            )
            rows.append(
                cpu_row(
                    f"export {fmt_} time ({self.label})", mine, theirs, 1.2, "streaming exporter"
                )
            )
        return rows

    def article(self) -> list[Row]:
        self.ensure_catalogue()
        db = str(self.catalogue)
        n = "10000"
        mine, theirs = alternate(
            lambda: run(
                [*self.sc, "--db", db, "export", "markdown", "--limit", n, "--date", "2024-05-01"]
            ),
            lambda: run([PY, "-c", BASELINE_ARTICLE, db, n], env=self.env),
            self.runs,
        )
        ranks = [run([*self.sc, "--db", db, "rank", "--limit", n]) for _ in range(self.runs)]
        row = cpu_row(
            f"10,000-scene article ({self.label})", mine, theirs, 1.2, "rank + 1 query + f-strings"
        )
        info = Row(
            f"rank --limit 10000 ({self.label})",
            f"{fmt(med(ranks))} ({fmt(med(ranks, 'cpu'))} CPU)",
            "-",
            "-",
            "faster than before",
            "see docs",
            load(),
        )
        return [row, info]

    def check(self) -> list[Row]:
        self.ensure_catalogue()
        db = str(self.catalogue)
        mine, theirs = alternate(
            lambda: run([*self.sc, "--db", db, "db", "check"]),
            lambda: run([PY, "-c", BASELINE_CHECK, db]),
            self.runs,
        )
        return [
            ratio_row(
                f"db check ({self.label})",
                med(mine),
                med(theirs),
                1.5,
                note=" (integrity + foreign keys)",
            )
        ]

    def rank_actor(self) -> list[Row]:
        from bench_process import BASE_RANK_ACTOR  # the Typer + raw query floor of issue 17

        self.ensure_catalogue()
        db = str(self.catalogue)
        busiest = self.meta.get("busiest_actor")
        if not busiest:
            return [Row("rank --actor BUSIEST", "-", "-", "-", "<= 1.3x", "no .meta.json", load())]
        run([*self.sc, "--db", db, "rank", "--actor", busiest])  # warm the page cache
        mine, theirs = alternate(
            lambda: run([*self.sc, "--db", db, "rank", "--actor", busiest]),
            lambda: run([PY, "-c", BASE_RANK_ACTOR, db, busiest]),
            max(11, self.runs),
        )
        return [
            ratio_row(
                f"rank --actor BUSIEST ({self.label})",
                med(mine),
                med(theirs),
                1.3,
                note=" (Typer + raw query)",
            )
        ]

    def search(self) -> list[Row]:
        self.ensure_catalogue()
        word = self.meta.get("typical_word", "umbrella")
        proc = subprocess.run(
            [PY, "-c", SEARCH_IN_PROCESS, str(self.catalogue), word, "101"],
            capture_output=True,
            text=True,
            env={**os.environ, **self.env},
            check=True,
        )
        found = json.loads(proc.stdout)
        ms = lambda v: f"{v:.2f} ms"  # noqa: E731
        return [
            ratio_row(
                f"search {word}, in process ({self.label})",
                found["ours"],
                found["raw"],
                1.3,
                show=ms,
                note=" (raw FTS5)",
            )
        ]


def round_three(
    sc: list[str],
    source: Path,
    work: Path,
    runs: int,
    label: str,
    cases: Sequence[str] = CASES,
    catalogue: Path | None = None,
) -> list[Row]:
    """The rows of issue 27 for one catalogue size, in the issue's order. `catalogue`: one
    made from `source` to copy (into `work`) for the cases after import, instead of importing."""
    work.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(HERE))
    r = Round(sc, source, work, runs, label, catalogue)
    plan: dict[str, Callable[[], list[Row]]] = {
        "import": r.import_cpu,  # first: its last run is the catalogue of the others
        "undo": r.undo,
        "export": r.export,
        "article": r.article,
        "check": r.check,
        "rank-actor": r.rank_actor,
        "search": r.search,
    }
    rows: list[Row] = []
    for name in CASES:
        if name in cases:
            print(f"  {name} ... (load {load()})", file=sys.stderr, flush=True)
            rows.extend(plan[name]())
    return rows


def print_rows(rows: list[Row]) -> None:
    header = Row("case", "scenecat", "baseline", "ratio", "target", "met?", "load")
    fields = list(Row.__dataclass_fields__)
    table = [header, *rows]
    widths = [max(len(getattr(r, f)) for r in table) for f in fields]

    def line(r: Row) -> str:
        return (
            "| "
            + " | ".join(getattr(r, f).ljust(w) for f, w in zip(fields, widths, strict=True))
            + " |"
        )

    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(line(r))
