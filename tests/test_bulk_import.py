"""The bulk import path gives the same catalogue, report and errors as record by record."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, SAMPLE, dump

from scenecat.domain.importing import ImportReport, import_file
from scenecat.errors import CatalogueFileError
from scenecat.storage.connection import open_catalogue

# Every table a user fact lives in, with an order that includes the ids: the bulk path
# chooses ids itself and should choose the ones SQLite would have.
TABLES = {
    "actor": "id",
    "actor_alias": "actor_id, alias",
    "drama": "id",
    "drama_alias": "drama_id, alias",
    "episode": "id",
    "credit": "id",
    "scene": "id",
    "scene_tag": "scene_id, tag",
    "scene_actor": "scene_id, actor_id",
    "source": "id",
    "scene_source": "scene_id, source_id",
    "view_count": "id",
    "vote": "id",
    "duel": "id",
    "scene_search": "id",
}


def _import(db: Path, source: Path, fast: bool) -> ImportReport:
    cat = open_catalogue(db)
    try:
        with cat.write("import") as conn:
            return import_file(conn, source, fast=fast)
    finally:
        cat.close()


def _rows(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(db)
    try:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
            for table, order in TABLES.items()
        }
    finally:
        conn.close()


def _check(db: Path) -> list[str]:
    from scenecat.domain.health import check

    cat = open_catalogue(db)
    try:
        return check(cat.conn)
    finally:
        cat.close()


def _assert_same(tmp_path: Path, source: Path, *, bulk_all_the_way: bool = True) -> ImportReport:
    from scenecat.domain.importing import bulk_importer

    slow_db, fast_db = tmp_path / "slow.db", tmp_path / "fast.db"
    slow = _import(slow_db, source, fast=False)
    finished = []
    original = bulk_importer.BulkImporter.finish

    def spy(self: Any) -> ImportReport:
        finished.append(True)
        return original(self)

    bulk_importer.BulkImporter.finish = spy  # type: ignore[method-assign]
    try:
        fast = _import(fast_db, source, fast=True)
    finally:
        bulk_importer.BulkImporter.finish = original  # type: ignore[method-assign]
    # Proves the comparison is against the bulk path, not its record-by-record fallback.
    assert finished == ([True] if bulk_all_the_way else [])
    assert fast == slow
    assert dump(fast_db) == dump(slow_db)
    assert _rows(fast_db) == _rows(slow_db)
    assert _check(fast_db) == [] == _check(slow_db)
    return fast


@pytest.mark.slow
def test_sample_catalogue_same_both_ways(tmp_path: Path) -> None:
    report = _assert_same(tmp_path, SAMPLE)
    assert report.created["scenes"] > 20


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gen") / "s2k.jsonl"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--scenes", "2000", "-o", str(path)],
        check=True,
        capture_output=True,
    )
    return path


@pytest.mark.slow
def test_generated_jsonl_same_both_ways(tmp_path: Path, generated: Path) -> None:
    report = _assert_same(tmp_path, generated)
    assert report.created["scenes"] == 2000
    assert report.created["votes"] == 6000


@pytest.mark.slow
def test_generated_file_through_the_cli(
    cli: Any, db: Path, tmp_path: Path, generated: Path
) -> None:
    result = cli("import", str(generated))
    assert result.exit_code == 0, result.stderr
    assert "2,000 new scenes (of 2,000)" in result.stderr
    slow_db = tmp_path / "slow.db"
    _import(slow_db, generated, fast=False)
    assert dump(db) == dump(slow_db)
    assert cli("db", "check").exit_code == 0
    found = cli("search", "kaleidoscope", "--json")
    if found.exit_code == 0:  # the search command belongs to another issue
        assert len(json.loads(found.stdout)["data"]) == 1


EDGE_CASES = """\
format: scenecat/1
actors:
  - {name: Jang Jin Young, native: 장진영, aliases: [JJY]}
  - {name: Jang Jin-young}
  - {name: Kim Ha Neul, aliases: [Sky Kim, Sky Kim]}
  - {name: Lee Min Ho, native: 이민호}
dramas:
  - title: Melting Me Softly
    native: 날 녹여주오
    aliases: [MMS]
    episodes: 16
    cast:
      - {actor: JJY, character: First, role: main}
      - {actor: Jang Jin Young, character: Second, role: support, billing: 2}
      - {actor: sky kim}
      - {actor: Kim Ha Neul, role: guest}
    episode_list:
      - {number: 1, aired: 2019-09-28, title: Pilot, rating: 3.2}
      - {number: 10}
  - {title: Second Drama, year: 2020}
scenes:
  - drama: MMS
    episode: 1
    kind: Kiss
    title: The kiss
    actors: [JJY, 이민호]
    tags: [Romantic, romantic, rain]
    at: "1:02"
    end: "1:30"
    views:
      - {count: 500, on: 2019-10-01, source: tvN}
      - {count: 900, on: 2019-10-05, source: tvN}
      - {count: 700, on: 2019-10-09, source: tvN}
      - {count: 700, on: 2019-10-09, source: tvN}
      - {count: 10, source: Viki}
      - {count: 5}
    sources:
      - {url: "https://example.org/a", title: First title}
      - https://example.org/a
      - {url: "https://example.org/b", kind: article}
  - drama: melting me softly
    episode: 1
    kind: kiss
    title: The kiss
    actors: [Kim Ha Neul]
    sources:
      - {url: "https://example.org/a", publisher: tvN, title: Second title}
  - {key: melting-me-softly-e1-the-kiss-3, drama: 날 녹여주오, kind: hug, title: A hug}
  - {drama: Second Drama, kind: fight, title: Roof fight, actors: [Lee Min Ho, Jang Jin-young]}
  - {key: second-drama-e9, drama: Second Drama, episode: 9, kind: fight, title: Later, spoiler: ending}
votes:
  - {scene: melting-me-softly-e1-the-kiss, score: 7, on: 2019-11-01}
  - {scene: melting-me-softly-e1-the-kiss, score: 7, on: 2019-11-01}
  - {scene: melting-me-softly-e1-the-kiss, score: 9, on: 2019-10-01}
  - {scene: melting-me-softly-e1-the-kiss, score: 3, on: 2019-12-01}
  - {scene: melting-me-softly-e1-the-kiss, score: 4}
  - {scene: Roof fight, score: 8, voter: fan1}
  - {scene: Second Drama Roof Fight, score: 6, voter: fan1}
  - {scene: second-drama-e9, score: 10, voter: fan2, on: 2020-01-01}
duels:
  - {winner: second-drama-e9, loser: melting-me-softly-e1-the-kiss}
  - {winner: second-drama-e9, loser: melting-me-softly-e1-the-kiss}
  - {winner: second-drama-e9, loser: melting-me-softly-e1-the-kiss, voter: fan2}
"""


@pytest.mark.slow
def test_edge_cases_same_both_ways(tmp_path: Path) -> None:
    source = tmp_path / "edge.yaml"
    source.write_text(EDGE_CASES, encoding="utf-8")
    report = _assert_same(tmp_path, source)
    text = "\n".join(report.warnings)
    for expected in ("spelled like", "not in the cast", "lower than", "replaces your earlier"):
        assert expected in text
    assert report.created["votes"] == 7 and report.created["duels"] == 2


@pytest.mark.slow
def test_edge_cases_as_json_lines(tmp_path: Path) -> None:
    from scenecat import yamlio

    document = yamlio.load(EDGE_CASES)
    lines = [json.dumps({"format": "scenecat/1"})]
    for section in ("actors", "dramas", "scenes", "votes", "duels"):
        for record in document[section]:
            if isinstance(record, dict):
                record = {k: str(v) if hasattr(v, "isoformat") else v for k, v in record.items()}
                for item in record.get("views", []) + record.get("episode_list", []):
                    for k, v in list(item.items()):
                        if hasattr(v, "isoformat"):
                            item[k] = str(v)
            lines.append(json.dumps({"type": section[:-1], **record}, ensure_ascii=False))
    source = tmp_path / "edge.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _assert_same(tmp_path, source)


@pytest.mark.slow
def test_explicit_key_equal_to_a_generated_one_merges_as_the_slow_path_does(
    tmp_path: Path,
) -> None:
    source = tmp_path / "merge.yaml"
    source.write_text(
        "format: scenecat/1\n"
        "dramas: [{title: One}]\n"
        "scenes:\n"
        "  - {drama: One, kind: kiss, title: First, tags: [a]}\n"
        "  - {key: one-first, drama: One, kind: kiss, title: First, tags: [b]}\n",
        encoding="utf-8",
    )
    report = _assert_same(tmp_path, source, bulk_all_the_way=False)
    assert report.created["scenes"] == 1 and report.seen["scenes"] == 2


BAD_FILES = {
    "unknown cast actor": "actors: [{name: Ji Chang Wook}]\n"
    "dramas: [{title: D, cast: [{actor: Ji Chang Wock}]}]\n",
    "ambiguous actor": "actors: [{name: Jang Jin Young}, {name: Jang Jin-young}]\n"
    "dramas: [{title: D, cast: [{actor: jang jinyoung}]}]\n",
    "unknown drama": "dramas: [{title: Melting Me Softly}]\n"
    "scenes: [{drama: Melting Me Softy, kind: kiss, title: T}]\n",
    "episode past end": "dramas: [{title: D, episodes: 2}]\n"
    "scenes: [{drama: D, episode: 3, kind: kiss, title: T}]\n",
    "duplicate key": "dramas: [{title: D}]\n"
    "scenes: [{key: k, drama: D, kind: kiss, title: T}, {key: k, drama: D, kind: hug, title: U}]\n",
    "same actor twice": "actors: [{name: A B, aliases: [AB]}]\ndramas: [{title: D}]\n"
    "scenes: [{drama: D, kind: kiss, title: T, actors: [A B, AB]}]\n",
    "ends before start": "dramas: [{title: D}]\n"
    "scenes: [{drama: D, kind: kiss, title: T, at: '2:00', end: '1:00'}]\n",
    "vote for unknown scene": "dramas: [{title: D}]\n"
    "scenes: [{key: d-kiss, drama: D, kind: kiss, title: T}]\n"
    "votes: [{scene: d-kis, score: 5}]\n",
    "duel with itself": "dramas: [{title: D}]\n"
    "scenes: [{key: d-kiss, drama: D, kind: kiss, title: The kiss}]\n"
    "duels: [{winner: d-kiss, loser: The Kiss}]\n",
    "actor twice": "actors: [{name: A}, {name: A}]\n",
    "drama twice": "dramas: [{title: D}, {title: D}]\n",
    "bad field": "dramas: [{title: D}]\nscenes: [{drama: D, kind: kiss, title: T, colour: red}]\n",
}


@pytest.mark.slow
@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
@pytest.mark.parametrize("suffix", [".yaml", ".jsonl"])
def test_errors_are_the_same_both_ways(tmp_path: Path, case: str, suffix: str) -> None:
    from scenecat import yamlio

    body = "format: scenecat/1\n" + BAD_FILES[case]
    source = tmp_path / f"bad{suffix}"
    if suffix == ".yaml":
        source.write_text(body, encoding="utf-8")
    else:
        document = yamlio.load(body)
        lines = [json.dumps({"format": "scenecat/1"})]
        for section in ("actors", "dramas", "scenes", "votes", "duels"):
            lines += [json.dumps({"type": section[:-1], **r}) for r in document.get(section, [])]
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors = []
    for fast in (False, True):
        db = tmp_path / f"{fast}.db"
        cat = open_catalogue(db)
        before = dump(db)
        with pytest.raises(CatalogueFileError) as caught, cat.write("import") as conn:
            import_file(conn, source, fast=fast)
        cat.close()
        assert dump(db) == before
        errors.append((caught.value.message, caught.value.hint))
    assert errors[0] == errors[1]
    assert str(source) in errors[0][0]


@pytest.mark.slow
def test_import_into_a_catalogue_with_scenes_takes_the_slow_path(cli: Any, db: Path) -> None:
    assert cli("import", str(SAMPLE)).exit_code == 0
    before = dump(db)
    result = cli("import", str(SAMPLE))
    assert result.exit_code == 0, result.stderr
    assert dump(db) == before
    assert "0 new scenes" in result.stderr


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from scenecat.cli.output import progress_bar

    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with progress_bar("Importing s.jsonl") as update:
        assert update is not None
        update(5, 10)
        update(10, 10, "Building the search index")
    shown = terminal.getvalue()
    assert "Importing s.jsonl" in shown or "Building the search index" in shown


@pytest.mark.slow
def test_no_progress_bar_when_piped(cli: Any, db: Path, tmp_path: Path, generated: Path) -> None:
    result = cli("import", str(generated))
    assert result.exit_code == 0
    # one summary line, after the near duplicates the generated file has (findings.py)
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("Imported ")
    assert all(line.startswith(("near duplicate: ", "... and ")) for line in lines[:-1])
    out = tmp_path / "out.jsonl"
    result = cli("export", "jsonl", "-o", str(out))
    assert result.exit_code == 0
    assert result.stderr.strip() == f"Wrote {2000 + 6000 + 200 + 100 + 40} records to {out}"


@pytest.mark.slow
def test_import_reports_its_stages(tmp_path: Path, generated: Path) -> None:
    calls: list[tuple[Any, ...]] = []
    cat = open_catalogue(tmp_path / "c.db")
    with cat.write("import") as conn:
        import_file(conn, generated, lambda *args: calls.append(args))
    cat.close()
    assert calls[-1][2] == "Building the search index"
    assert calls[-1][0] == calls[-1][1] == generated.stat().st_size
    assert len(calls) > 3


def test_bulk_import_is_one_undoable_change_and_logging_resumes(cli: Any, db: Path) -> None:
    empty = dump(db)
    assert cli("import", str(SAMPLE)).exit_code == 0
    imported = dump(db)
    # The history's row triggers were dropped for the load: they must be back.
    assert cli("add-actor", "Bae Suzy", "--born", "1994").exit_code == 0
    history = cli("history", "--json")
    assert history.exit_code == 0, history.stderr
    newest, bulk = json.loads(history.stdout)["data"]
    assert bulk["bulk"] and bulk["rows"] > 500
    assert not newest["bulk"] and newest["rows"] == 1  # logged row by row again
    assert cli("undo", "--yes").exit_code == 0
    assert dump(db) == imported
    assert cli("undo", "--yes").exit_code == 0
    assert dump(db) == empty
    assert cli("db", "check").exit_code == 0


def _journal_mode(path: Path) -> str:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.slow
def test_fresh_load_runs_with_a_rollback_journal_and_ends_in_wal(cli, tmp_path: Path) -> None:
    """A load into an empty catalogue writes with a rollback journal (WAL would write every
    page twice); the catalogue is in WAL after it, and after a load killed half-way once it
    is opened again."""
    from tests.test_crash import EXTRA, _assert_killed, _run

    source = tmp_path / "extra.yaml"
    source.write_text(EXTRA, encoding="utf-8")
    db = tmp_path / "c.db"
    assert cli("--db", str(db), "init").exit_code == 0
    assert _journal_mode(db) == "wal"
    killed = tmp_path / "killed.db"
    shutil.copyfile(db, killed)
    # Killed as it commits: the mode the load ran in is still the file's.
    _assert_killed(_run(killed, ["import", str(source)], CRASH_ON="COMMIT"))
    assert _journal_mode(killed) == "delete"
    assert cli("--db", str(killed), "db", "check").exit_code == 0
    assert _journal_mode(killed) == "wal"
    assert cli("--db", str(db), "import", str(source)).exit_code == 0
    assert _journal_mode(db) == "wal"
    # Into a catalogue that is not empty nothing changes: the write stays in WAL.
    shutil.copyfile(db, killed)
    _assert_killed(_run(killed, ["vote", "crash-test-drama-e1-scene-0", "3"], CRASH_ON="COMMIT"))
    assert _journal_mode(killed) == "wal"
