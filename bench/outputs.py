#!/usr/bin/env python3
"""Every command's output on a catalogue, written to a folder, to prove a change is behaviour-free.

    python bench/outputs.py --db sample.db --out /tmp/before --python OLD/.venv/bin/python
    python bench/outputs.py --db sample.db --out /tmp/after
    diff -r /tmp/before /tmp/after && echo identical

For a restructuring (docs/ARCHITECTURE.md): run it with the code before and after, on the
sample and on a generated catalogue (bench/generate.py), and `diff -r` the two folders.

Each case runs `PYTHON -m scenecat ...` in a fresh working folder and records its exit code,
stdout, stderr and every file it wrote there. Piped cases see a pipe, as a script does;
`tty` cases run in a pseudo-terminal of the given width, as a person sees them. A case that
changes the catalogue works on its own copy and records the copy's rows afterwards, table by
table (a digest and a count per table). Names of records are taken from the catalogue, so any
catalogue works.

Only what differs between two runs of the same code is masked: clock times (ISO date-times,
timestamps in backup names) and the temporary folder's path. Standard library only.
"""

from __future__ import annotations

import argparse
import errno
import fcntl
import hashlib
import json
import os
import re
import select
import shutil
import sqlite3
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "sources"
# The same path in every run, so messages match (masked as <work>). Two runs at once need two
# folders: SCENECAT_OUTPUTS_WORK names another, of the same length so that text wraps alike.
WORK = Path(os.environ.get("SCENECAT_OUTPUTS_WORK", "/tmp/scenecat-outputs-work"))

# Clock readings: ISO date-times (history, backups' names, import reports), and the
# YYYYMMDD-HHMMSS stamps of safety copies.
CLOCK = re.compile(
    rb"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?"
    rb"|\d{8}[-T]\d{6}(-\d+)?"
)
# Tables whose rows hold clock readings of when a change was made.
CLOCK_TABLES = {"history_change", "history_entry", "history_state", "_sqlite_migrations"}


@dataclass(frozen=True)
class Case:
    name: str
    argv: list[str]
    writes: bool = False  # changes the catalogue: runs on a copy, rows recorded after
    tty: int = 0  # columns of a pseudo-terminal; 0 = a pipe
    stdin: str = ""
    env: dict[str, str] = field(default_factory=dict)


def names(db: Path) -> dict[str, str]:
    """Records to name in commands, picked the same way from any catalogue."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)

    def one(sql: str) -> str:
        return str(conn.execute(sql).fetchone()[0])

    scene = one(
        "SELECT s.key FROM scene s JOIN scene_signal g ON g.scene_id = s.id "
        "ORDER BY g.votes DESC, s.key LIMIT 1"
    )
    drama = one(
        f"SELECT d.title FROM drama d JOIN scene s ON s.drama_id = d.id WHERE s.key = '{scene}'"
    )
    actor = one(
        "SELECT a.name FROM actor a JOIN scene_actor x ON x.actor_id = a.id "
        f"JOIN scene s ON s.id = x.scene_id WHERE s.key = '{scene}' ORDER BY a.name LIMIT 1"
    )
    other = one(
        f"SELECT key FROM scene WHERE key <> '{scene}' AND kind = "
        f"(SELECT kind FROM scene WHERE key = '{scene}') ORDER BY key LIMIT 1"
    )
    actor2 = one(f"SELECT name FROM actor WHERE name <> '{actor}' ORDER BY name LIMIT 1")
    kind = one(f"SELECT kind FROM scene WHERE key = '{scene}'")
    word = one(f"SELECT title FROM scene WHERE key = '{scene}'").split()[-1]
    episode = one(f"SELECT coalesce(episode, 1) FROM scene WHERE key = '{scene}'")
    conn.close()
    return {
        "scene": scene,
        "other": other,
        "drama": drama,
        "actor": actor,
        "actor2": actor2,
        "kind": kind,
        "word": word,
        "episode": episode,
    }


def cases(n: dict[str, str]) -> list[Case]:
    s, o, d, a, a2, k, w = (
        n[x] for x in ("scene", "other", "drama", "actor", "actor2", "kind", "word")
    )
    fx = str(FIXTURES)
    reads: list[tuple[str, list[str]]] = [
        ("help", ["--help"]),
        ("version", ["--version"]),
        ("db-path", ["db", "path"]),
        ("db-check", ["db", "check"]),
        ("list-actors", ["list", "actors"]),
        ("list-dramas", ["list", "dramas"]),
        ("list-dramas-actor-json", ["list", "dramas", "--actor", a, "--json"]),
        ("list-episodes", ["list", "episodes", "--drama", d]),
        ("list-scenes", ["list", "scenes", "--limit", "50"]),
        ("list-scenes-actor-kind", ["list", "scenes", "--actor", a, "--kind", k]),
        ("list-scenes-json", ["list", "scenes", "--drama", d, "--json"]),
        ("show-scene", ["show", "scene", s]),
        ("show-scene-json", ["show", "scene", s, "--json"]),
        ("show-drama", ["show", "drama", d]),
        ("show-drama-json", ["show", "drama", d, "--json"]),
        ("show-actor", ["show", "actor", a]),
        ("show-actor-json", ["show", "actor", a, "--json"]),
        ("search-word", ["search", w]),
        ("search-phrase", ["search", f'"{w}" -zzz* OR kiss']),
        ("search-field", ["search", f'actor:"{a}" {w}']),
        ("search-json", ["search", w, "--json"]),
        ("search-slip", ["search", w[:-1] + "q" if len(w) > 3 else "kis"]),
        ("search-hangul", ["search", "녹여"]),
        ("search-bad", ["search", '"unclosed']),
        ("rank", ["rank"]),
        ("rank-actor-kind", ["rank", "--actor", a, "--kind", k]),
        ("rank-by-drama", ["rank", "--actor", a, "--kind", k, "--by", "drama"]),
        ("rank-explain", ["rank", "--actor", a, "--explain", "--limit", "15"]),
        ("rank-why", ["rank", "--why", s]),
        ("rank-couple-json", ["rank", "--couple", a, a2, "--json"]),
        ("rank-json", ["rank", "--kind", k, "--json", "--limit", "30"]),
        ("trending", ["trending", "--days", "30", "--until", "2019-11-10"]),
        ("trending-json", ["trending", "--days", "3650", "--until", "2026-01-01", "--json"]),
        ("stats", ["stats"]),
        ("stats-json", ["stats", "--json"]),
        ("history", ["history"]),
        ("history-json", ["history", "--json"]),
        ("export-md", ["export", "markdown", "--actor", a, "--limit", "10", "--spoilers", "warn"]),
        ("export-md-file", ["export", "markdown", "--kind", k, "-o", "top.md"]),
        ("export-md-spotlight", ["export", "markdown", "--template", "spotlight", "--scene", s]),
        (
            "export-md-drama",
            ["export", "markdown", "--template", "drama", "--drama", d, "--spoilers", "hide"],
        ),
        ("export-md-actor", ["export", "markdown", "--template", "actor", "--actor", a]),
        ("export-csv", ["export", "csv", "--kind", k, "-o", "kisses.csv"]),
        ("export-json", ["export", "json", "--actor", a]),
        ("export-yaml", ["export", "yaml", "-o", "catalogue.yaml"]),
        ("export-jsonl", ["export", "jsonl", "-o", "catalogue.jsonl"]),
        ("export-bad-format", ["export", "toml"]),
        ("sources", ["sources"]),
        ("lookup-unknown-source", ["lookup", "drama", "Healer", "--source", "nosuch"]),
        ("unknown-scene", ["show", "scene", "no-such-scene-anywhere"]),
        ("unknown-actor", ["rank", "--actor", "Nobody Atall"]),
        ("huge-number", ["list", "scenes", "--limit", "99999999999999999999"]),
        ("control-chars", ["search", "kiss\x1b[31m"]),
    ]
    new_scene = ["add-scene", "--drama", d, "--episode", n["episode"], "--actor", a]
    new_scene += ["--kind", k, "--title", "A harness scene", "--spoiler", "minor"]
    writes: list[tuple[str, list[str]]] = [
        ("add-actor", ["add-actor", "Kim Test Actor", "--native", "김테스트", "--born", "1990"]),
        ("add-actor-dup", ["add-actor", a]),
        (
            "add-drama",
            [
                "add-drama",
                "A Test Drama",
                "--year",
                "2020",
                "--episodes",
                "12",
                "--cast",
                f"{a}:Lead",
            ],
        ),
        ("add-episode", ["add-episode", d, "1", "--aired", "2020-01-01", "--title", "Harness"]),
        ("add-episode-past-end", ["add-episode", d, "9999"]),
        ("add-scene", new_scene),
        ("add-scene-dup", [*new_scene, "--force"]),
        ("vote", ["vote", s, "9"]),
        ("vote-bad", ["vote", s, "11"]),
        ("duel", ["duel", s, o]),
        ("views", ["views", s, "1850000", "--on", "2026-01-05", "--source", "harness"]),
        ("edit-scene", ["edit", "scene", s, "--spoiler", "major"]),
        ("alias", ["alias", "actor", a, "Harness Alias"]),
        ("merge", ["merge", "actor", a, a2, "--yes"]),
        ("remove-scene", ["remove", "scene", o, "--yes"]),
        ("remove-drama", ["remove", "drama", d, "--yes"]),
        ("undo", ["undo", "--yes"]),
        ("import-again", ["import", "catalogue.yaml"]),
        ("import-dry-run", ["import", "catalogue.yaml", "--dry-run"]),
        ("import-csv", ["import", "scenes.csv"]),
        ("import-bad", ["import", "bad.yaml"]),
        (
            "add-drama-from-file",
            [
                "add-drama",
                "Secret Garden",
                "--from",
                "tmdb",
                "--from-file",
                f"{fx}/tmdb-tv-secret-garden.json",
            ],
        ),
        (
            "add-scene-clip-json",
            [
                "add-scene",
                "--clip-json",
                f"{fx}/ytdlp-melting-me-softly-e10.json",
                "--kind",
                "kiss",
                "--title",
                "Clip scene",
                "--actor",
                a,
                "--drama",
                d,
                "--episode",
                n["episode"],
            ],
        ),
        ("views-refresh-json", ["views", "refresh", "--from-json", f"{fx}/views-later"]),
        ("db-backup", ["db", "backup", "backups/"]),
    ]
    out = [Case(name, argv) for name, argv in reads]
    out += [Case(name, argv, writes=True) for name, argv in writes]
    out.append(Case("import-stdin", ["import", "-"], writes=True, stdin=_SMALL_YAML))
    out.append(
        Case(
            "edit-editor",
            ["edit", "drama", d],
            writes=True,
            tty=80,
            env={"EDITOR": "sed -i s/^year:.*/year:\\ 2001/"},
        )
    )
    for cols in (60, 80, 160):
        for name, argv in (
            ("list-scenes", ["list", "scenes", "--limit", "30"]),
            ("show-drama", ["show", "drama", d]),
            ("rank-explain", ["rank", "--actor", a, "--explain", "--limit", "15"]),
            ("search", ["search", w]),
            ("stats", ["stats"]),
            ("history", ["history"]),
            ("help", ["--help"]),
            ("export-help", ["export", "markdown", "--help"]),
        ):
            out.append(Case(f"tty{cols}-{name}", argv, tty=cols))
    return out


_SMALL_YAML = """format: scenecat/1
actors:
  - name: Stdin Actor
dramas:
  - title: Stdin Drama
    year: 2021
    cast:
      - actor: Stdin Actor
        character: Someone
"""


def prepare(folder: Path, n: dict[str, str]) -> None:
    """Input files some cases read from their working folder."""
    (folder / "bad.yaml").write_text("format: scenecat/1\nactors:\n  - name: [unclosed\n", "utf-8")
    (folder / "scenes.csv").write_text(
        f"drama,episode,kind,title,actors\n{n['drama']},{n['episode']},hug,A CSV scene,{n['actor']}\n",
        "utf-8",
    )


def run(
    case: Case, python: str, env: dict[str, str], db: Path, folder: Path
) -> tuple[int, bytes, bytes]:
    argv = [python, "-m", "scenecat", "--db", str(db), *case.argv]
    full = {**env, **case.env}
    if not case.tty:
        proc = subprocess.run(
            argv, cwd=folder, env=full, input=case.stdin.encode(), capture_output=True, timeout=600
        )
        return proc.returncode, proc.stdout, proc.stderr
    return run_in_pty(argv, folder, full, case.tty)


def run_in_pty(
    argv: list[str], folder: Path, env: dict[str, str], columns: int
) -> tuple[int, bytes, bytes]:
    """stdout and stderr share the terminal, as on a screen: both come back as stdout."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = {**env, "COLUMNS": str(columns), "LINES": "40", "TERM": "xterm-256color"}
    proc = subprocess.Popen(
        argv, cwd=folder, env=env, stdin=slave, stdout=slave, stderr=slave, start_new_session=True
    )
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError as exc:  # EIO: the child closed the terminal
                if exc.errno != errno.EIO:
                    raise
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    os.close(master)
    return proc.wait(timeout=60), b"".join(chunks), b""


def rows_digest(db: Path) -> str:
    """Each table's row count and a digest of its rows in key order, clock readings masked."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    lines = []
    tables = [
        r[0]
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    ]
    for table in tables:
        if table.startswith("scene_search_fts_"):
            continue  # FTS5's own pages: the index is checked through `search` and `db check`
        digest = hashlib.sha256()
        count = 0
        for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY 1, 2'):
            text = repr(row).encode()
            if table in CLOCK_TABLES:
                text = CLOCK.sub(b"<clock>", text)
            digest.update(text)
            count += 1
        lines.append(f"{table}\t{count}\t{digest.hexdigest()[:16]}")
    conn.close()
    return "\n".join(lines) + "\n"


def mask(data: bytes) -> bytes:
    return CLOCK.sub(b"<clock>", data)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db", type=Path, required=True, help="the catalogue to run every command on"
    )
    parser.add_argument("--out", type=Path, required=True, help="a new folder for the outputs")
    parser.add_argument(
        "--python", default=sys.executable, help="the interpreter whose scenecat runs"
    )
    parser.add_argument("--only", default="", help="a regular expression: run only matching cases")
    args = parser.parse_args()
    db = args.db.resolve()
    args.out.mkdir(parents=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if k in {"PATH", "HOME", "LANG", "LC_ALL", "PYTHONPATH", "TMPDIR"}
    }
    env.update(
        {"TZ": "UTC", "SCENECAT_DB": "", "EDITOR": "true", "NO_COLOR": "", "PYTHONHASHSEED": "0"}
    )
    env.pop("SCENECAT_DB")
    env.pop("NO_COLOR")
    picked = names(db)
    todo = cases(picked)
    pick = re.compile(args.only)
    for case in todo:
        if not pick.search(case.name):
            continue
        folder = WORK / case.name
        shutil.rmtree(WORK, ignore_errors=True)
        folder.mkdir(parents=True)
        prepare(folder, picked)
        target = db
        if case.writes:
            target = folder / "catalogue.db"
            shutil.copyfile(db, target)
            if case.name in {"import-again", "import-dry-run"}:
                run(
                    Case("seed", ["export", "yaml", "-o", "catalogue.yaml"]),
                    args.python,
                    env,
                    target,
                    folder,
                )
            if case.name == "undo":
                run(Case("seed", ["vote", picked["scene"], "3"]), args.python, env, target, folder)
        before = {p.name for p in folder.iterdir()}
        start = time.monotonic()
        code, out, err = run(case, args.python, env, target, folder)
        took = time.monotonic() - start
        dest = args.out / case.name
        dest.mkdir()
        (dest / "exit").write_text(f"{code}\n")
        (dest / "stdout").write_bytes(mask(out.replace(str(WORK).encode(), b"<work>")))
        (dest / "stderr").write_bytes(mask(err.replace(str(WORK).encode(), b"<work>")))
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if (
                path.is_file()
                and (rel.parts[0] not in before or rel.parts[0] == "catalogue.yaml")
                and not path.name.endswith((".db-wal", ".db-shm"))
            ):
                saved = dest / "files" / mask(str(rel).encode()).decode()
                saved.parent.mkdir(parents=True, exist_ok=True)
                if path.suffix == ".db":
                    saved.write_text(rows_digest(path))
                else:
                    saved.write_bytes(mask(path.read_bytes()))
        if case.writes:
            (dest / "catalogue-rows").write_text(rows_digest(target))
        print(f"{case.name:28} exit {code}  {took:6.2f} s", flush=True)
    shutil.rmtree(WORK, ignore_errors=True)
    print(json.dumps({"cases": len(todo), "out": str(args.out)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
