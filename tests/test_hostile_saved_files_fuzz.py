"""Fuzzing every path that reads a saved provider answer (issue 26, "Done when"):
`add-drama --from-file`, `refresh drama --from-file`, `lookup drama --from-file` (TMDB and
Wikidata), `add-scene --clip-json` and `views refresh --from-json`.

Recorded answers (tests/fixtures/sources, shaped as the providers document them) are made
hostile at random places by a seeded generator: nesting 50,000 deep, huge and non-finite
numbers (`NaN`, `Infinity`, `1e400`, 10^30, -1), a value of the wrong type at any field,
a key named twice, and text with terminal escapes, bidi overrides, C1 controls, invisibles,
lone surrogates or 100,000 characters. Each command must end in exit 0 (what was unusable
skipped) or exit 1 with exactly one `Error:` line, never "unexpected failure" or "report
it"; afterwards `export yaml` of the catalogue imports into a fresh catalogue.

SCENECAT_FUZZ_SEED picks another seed (the failing seed is in the assertion message).
"""

from __future__ import annotations

import copy
import json
import os
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run
from tests.sources_helpers import fixture, no_network

__all__ = ["no_network"]

SEED = int(os.environ.get("SCENECAT_FUZZ_SEED", "2026"))


@dataclass(frozen=True)
class Raw:
    """JSON text put in as it is: what json.dumps would never write."""

    text: str


@dataclass(frozen=True)
class Twice:
    """An object that names one of its keys twice."""

    pairs: tuple[tuple[str, Any], ...]


def render(value: Any) -> str:
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Twice):
        return "{" + ", ".join(f"{json.dumps(k)}: {render(v)}" for k, v in value.pairs) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {render(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(render(v) for v in value) + "]"
    return json.dumps(value)


HOSTILE_TEXT = [
    "",
    "   ",
    "\x1b[31mred\x1b[0m",
    "Ma\u202eDong",
    "Kim\u2066Soo",
    "C1\x9bcontrol",
    "bell\x07",
    "new\nline",
    "\u200b",
    "Ji\u200bChang",
    "\ud800",
    "x" * 100_000,
    "2019-13-45",
    "tt0000000",
    "Q0",
    "https://example.com/\x1b]8;;evil\x07",
    "Gong Yoo",
    "지창욱",
]


def hostile(rng: random.Random) -> Any:
    """One hostile value."""
    kind = rng.randrange(6)
    if kind == 0:
        depth = rng.choice([1_000, 50_000])
        return Raw("[" * depth + "]" * depth)
    if kind == 1:
        return Raw(rng.choice(["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "9" * 5000]))
    if kind == 2:
        return rng.choice([10**30, -(10**20), -1, 0, 2**63, 1e300, -1e300, 1e-300, 5.5, 1e20])
    if kind == 3:
        return rng.choice([True, False, None, [], {}, [1, "a"], {"a": 1}, "5"])
    return rng.choice(HOSTILE_TEXT)


def places(doc: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a document a value sits (object members and list items)."""
    found = []
    if isinstance(doc, dict):
        for key, value in doc.items():
            found.append((*path, key))
            found += places(value, (*path, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            found.append((*path, i))
            found += places(value, (*path, i))
    return found


def mutate(doc: Any, rng: random.Random, keep: tuple[str, ...] = ()) -> Any:
    """`doc` with one to three hostile changes; the top-level keys in `keep` unchanged."""
    doc = copy.deepcopy(doc)
    spots = [p for p in places(doc) if p[0] not in keep]
    for _ in range(rng.randint(1, 3)):
        spot = rng.choice(spots)
        parent = doc
        for step in spot[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and rng.random() < 0.15:
            # The key named twice: the first value and a hostile one.
            twice = Twice((*parent.items(), (spot[-1], hostile(rng))))
            if len(spot) == 1:
                return twice
            replace(doc, spot[:-1], twice)
            break  # a Twice is no longer walked into
        parent[spot[-1]] = hostile(rng)
        spots = [p for p in places(doc) if p[0] not in keep]
    return doc


def replace(doc: Any, path: tuple[Any, ...], value: Any) -> None:
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value


def judge(result: Run, what: str) -> None:
    text = result.stdout + result.stderr
    assert "unexpected failure" not in text and "report it" not in text, (what, result.stderr)
    if result.exit_code == 0:
        return
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert result.exit_code == 1 and len(errors) == 1, (what, result.exit_code, result.stderr)


TMDB_SERIES = [
    ("tmdb-tv-melting-me-softly.json", "Melting Me Softly"),
    ("tmdb-tv-secret-garden.json", "Secret Garden"),
    ("tmdb-tv-hospital-playlist.json", "Hospital Playlist"),
    ("tmdb-tv-edge-cases.json", "Twin Rivers"),
    ("tmdb-tv-crash-landing-on-you.json", "Crash Landing on You"),
]
CLIPS = [
    "ytdlp-melting-me-softly-e10.json",
    "ytdlp-melting-me-softly-e10-replayed.json",
    "ytdlp-jcw-kisses-chapters.json",
    "ytdlp-kst-early-upload.json",
    "ytdlp-no-drama.json",
]


@pytest.mark.slow
def test_hostile_saved_answers_are_one_error_or_a_clean_skip(
    cli: Callable[..., Run], db: Path, tmp_path: Path, no_network: list[float]
) -> None:
    rng = random.Random(SEED)
    counter = iter(range(10**6))
    outcomes: Counter[tuple[str, int]] = Counter()

    def saved(doc: Any) -> str:
        path = tmp_path / f"saved-{next(counter)}.json"
        path.write_text(render(doc), encoding="utf-8")
        return str(path)

    def run(*args: str) -> Run:
        result = cli(*args)
        judge(result, f"seed {SEED}: scenecat {' '.join(args)[:300]}")
        outcomes[(args[0], result.exit_code)] += 1
        return result

    # A drama for the clips, from the untouched answer.
    base = fixture("tmdb-tv-melting-me-softly.json")
    assert cli("add-drama", "Melting Me Softly", "--from-file", saved(base)).exit_code == 0

    # add-drama --from-file: each round a drama of its own (its title and id made unique
    # before the hostile changes, which may hit them too).
    for i in range(60):
        name, title = TMDB_SERIES[i % len(TMDB_SERIES)]
        doc = copy.deepcopy(fixture(name))
        doc["name"], doc["id"] = f"{title} R{i}", 500_000 + i
        flags = ["--all-cast"] if i % 2 else []
        run("add-drama", f"{title} R{i}", "--from-file", saved(mutate(doc, rng)), *flags)

    # refresh drama --from-file, onto the drama added first.
    for _ in range(20):
        run(
            "refresh",
            "drama",
            "Melting Me Softly",
            "--yes",
            "--from-file",
            saved(mutate(base, rng)),
        )

    # lookup drama --from-file: saved searches and saved series.
    for i in range(20):
        name = "tmdb-search-healer.json" if i % 2 else TMDB_SERIES[i % 5][0]
        run("lookup", "drama", "Healer", "--from-file", saved(mutate(fixture(name), rng)))

    # Wikidata's saved answers, through the same paths.
    wikidata = fixture("wikidata-wbgetentities-melting-me-softly.json")
    for i in range(20):
        path = saved(mutate(wikidata, rng))
        if i % 3 == 0:
            run("lookup", "drama", "Melting Me Softly", "--source", "wikidata", "--from-file", path)
        elif i % 3 == 1:
            run("add-drama", "Melting Me Softly", "--from", "wikidata", "--from-file", path)
        else:
            run(
                "refresh", "drama", "Melting Me Softly", "--from", "wikidata", "--yes",
                "--from-file", path,
            )  # fmt: skip

    # add-scene --clip-json, each clip with a link of its own.
    for i in range(40):
        doc = copy.deepcopy(fixture(CLIPS[i % len(CLIPS)]))
        video = f"fuzzClip{i:03d}"
        doc["id"] = video
        doc["webpage_url"] = doc["original_url"] = f"https://www.youtube.com/watch?v={video}"
        run(
            "add-scene", "--clip-json", saved(mutate(doc, rng)), "--drama", "Melting Me Softly",
            "--episode", "10", "--kind", "fuzz", "--new-kind", "--title", f"Fuzzed clip {i}",
            "--actor", "Ji Chang Wook",
        )  # fmt: skip

    # views refresh --from-json: a folder of hostile answers for those clips, and good ones.
    folder = tmp_path / "views"
    folder.mkdir()
    for i in range(40):
        doc = copy.deepcopy(fixture(CLIPS[i % len(CLIPS)]))
        video = f"fuzzClip{i:03d}"
        doc["id"] = video
        doc["webpage_url"] = doc["original_url"] = f"https://www.youtube.com/watch?v={video}"
        doc["view_count"] = 5_000_000 + i
        text = render(mutate(doc, rng, keep=("id", "webpage_url")) if i % 3 else doc)
        (folder / f"{video}.json").write_text(text, encoding="utf-8")
    result = run("views", "refresh", "--kind", "fuzz", "--from-json", str(folder))
    assert result.exit_code == 0 and " refreshed, " in result.stderr.splitlines()[-1]

    # Not vacuous: hostile answers were both refused and taken (what was usable of them).
    for command in ("add-drama", "refresh", "add-scene"):
        assert outcomes[(command, 0)] and outcomes[(command, 1)], (SEED, outcomes)

    # What all of it put in the catalogue exports and imports again.
    exported = tmp_path / "export.yaml"
    assert cli("export", "yaml", "-o", str(exported)).exit_code == 0
    fresh = cli("--db", str(tmp_path / "fresh.db"), "import", str(exported))
    assert fresh.exit_code == 0, (f"seed {SEED}", fresh.stderr)
    assert cli("--db", str(tmp_path / "fresh.db"), "db", "check").exit_code == 0
