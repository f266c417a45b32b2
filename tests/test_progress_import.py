"""`progress import`: Trakt's watched shows and MyDramaList-style lists (CSV, TSV), matched
by source ids, then titles, aliases and year; later seasons to their own drama; nothing
written on any error."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import dump

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "progress"
TRAKT = FIXTURES / "trakt-watched-shows.json"
MDL_CSV = FIXTURES / "mdl-list.csv"
MDL_TSV = FIXTURES / "mdl-list.tsv"


@pytest.fixture
def catalogue(cli: Any, sample_db: Path) -> Path:
    result = cli("import", str(FIXTURES / "extra-dramas.yaml"))
    assert result.exit_code == 0, result.stderr
    return sample_db


def progress(cli: Any) -> dict[str, dict[str, Any]]:
    run = cli("progress", "--json")
    assert run.exit_code == 0, run.stderr
    return {row["drama"]: row for row in json.loads(run.stdout)["data"]}


def test_trakt_happy_path(cli: Any, catalogue: Path) -> None:
    result = cli("progress", "import", str(TRAKT))
    assert result.exit_code == 0, result.stderr
    said = result.stderr
    assert (
        "Imported trakt-watched-shows.json (Trakt): 2 matched by id, "
        "2 by title, 1 unmatched, 1 season of specials skipped; 4 changed"
    ) in said
    assert "unmatched: 'Breaking Bad': no drama with this title, alias or id\n" in said
    assert '  hint: --map "Breaking Bad=DRAMA"' in said
    rows = progress(cli)
    assert set(rows) == {
        "Crash Landing on You",
        "Healer",
        "Hospital Playlist",
        "Hospital Playlist 2",
    }
    cloy = rows["Crash Landing on You"]  # by its tmdb id (and imdb id)
    assert (cloy["episode"], cloy["status"], cloy["started"], cloy["updated"]) == (
        10, "watching", "2024-02-20", "2024-03-02",
    )  # fmt: skip
    assert rows["Healer"]["episode"] == 8  # by title; the special (season 0) skipped
    assert (rows["Hospital Playlist"]["episode"], rows["Hospital Playlist"]["status"]) == (
        12, "completed",
    )  # fmt: skip
    assert rows["Hospital Playlist"]["finished"] == "2024-04-26"
    # Season 2 of the show is the catalogue's drama "Hospital Playlist 2".
    assert rows["Hospital Playlist 2"]["episode"] == 5
    history = json.loads(cli("history", "--json").stdout)["data"]
    assert history[0]["label"] == "progress import trakt-watched-shows.json"
    assert cli("undo", "--yes").exit_code == 0 and progress(cli) == {}


@pytest.mark.parametrize("file", [MDL_CSV, MDL_TSV], ids=["csv", "tsv"])
def test_mdl_list_happy_path_unknown_and_ambiguous(cli: Any, catalogue: Path, file: Path) -> None:
    result = cli("progress", "import", str(file))
    assert result.exit_code == 0, result.stderr
    said = result.stderr
    assert "0 matched by id, 3 by title, 2 unmatched; 3 changed" in said
    assert (
        "unmatched: 'Mask': ambiguous: the title matches Mask (JTBC) (2023), Mask (MBC) (2015)"
        in said
    )
    assert "unmatched: 'Twenty-Five Twenty-One': no drama with this title" in said
    rows = progress(cli)
    assert (rows["Goblin"]["status"], rows["Goblin"]["finished"]) == ("completed", "2017-01-30")
    assert rows["Melting Me Softly"]["episode"] == 6  # by its alias "Melt Me Softly"
    assert (rows["The K2"]["episode"], rows["The K2"]["status"]) == (0, "plan-to-watch")
    # The hint works: --map settles the ambiguous title, =- skips the other.
    again = cli(
        "progress", "import", str(file), "--map", "Mask=Mask (MBC)",
        "--map", "twenty-five twenty-one=-",
    )  # fmt: skip
    assert again.exit_code == 0, again.stderr
    assert "1 by --map, 0 unmatched, 1 skipped by --map; 1 changed" in again.stderr
    mask = progress(cli)["Mask (MBC)"]
    assert (mask["episode"], mask["status"]) == (3, "on-hold")


def test_a_year_tells_namesakes_apart(cli: Any, catalogue: Path, tmp_path: Path) -> None:
    file = tmp_path / "list.csv"
    file.write_text("Title,Episodes watched\nMask (2023),5/16\n", encoding="utf-8")
    result = cli("progress", "import", str(file))
    assert result.exit_code == 0, result.stderr
    assert progress(cli)["Mask (JTBC)"]["episode"] == 5


def test_lower_progress_is_kept_without_yes_off_a_terminal(cli: Any, catalogue: Path) -> None:
    assert cli("progress", "set", "Healer", "12").exit_code == 0
    result = cli("progress", "import", str(TRAKT))
    assert result.exit_code == 0, result.stderr
    assert (
        "kept Healer at episode 12 of 20: the file says episode 8 of 20 (--yes lowers it)"
        in result.stderr
    )
    assert progress(cli)["Healer"]["episode"] == 12
    assert progress(cli)["Crash Landing on You"]["episode"] == 10  # the rest is written
    lowered = cli("progress", "import", str(TRAKT), "--yes")
    assert lowered.exit_code == 0 and "set Healer: episode 8 of 20" in lowered.stderr
    assert progress(cli)["Healer"]["episode"] == 8


def test_dry_run_writes_nothing(cli: Any, catalogue: Path) -> None:
    before = dump(catalogue)
    result = cli("progress", "import", str(TRAKT), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "would set Healer: episode 8 of 20" in result.stderr
    assert "4 would change; nothing was changed" in result.stderr
    assert dump(catalogue) == before


def _trakt_item(title: str, tmdb: int, episodes: int, year: int | None = None) -> dict[str, Any]:
    return {
        "plays": episodes,
        "last_watched_at": "2024-01-02T20:00:00.000Z",
        "last_updated_at": "2024-01-02T20:00:00.000Z",
        "reset_at": None,
        "show": {"title": title, "year": year, "ids": {"trakt": 1, "slug": "x", "tmdb": tmdb}},
        "seasons": [
            {
                "number": 1,
                "episodes": [
                    {"number": n, "plays": 1, "last_watched_at": "2024-01-02T20:00:00.000Z"}
                    for n in range(1, episodes + 1)
                ],
            }
        ],
    }


BAD_FILES = {
    "empty.json": ("", "the file is empty"),
    "broken.json": ('[{"show": {"title": "Healer"}', "not valid JSON"),
    "object.json": ('{"title": "Healer"}', "expected Trakt's watched shows"),
    "no-title.json": (
        '[{"show": {"year": 2014}, "seasons": []}]',
        "[0].show.title: expected a title",
    ),
    "bad-episode.json": (
        '[{"show": {"title": "Healer"}, "seasons": [{"number": 1, "episodes": [{"number": "x"}]}]}]',
        "[0].seasons[0].episodes[0].number: expected a whole number",
    ),
    "same-key.json": ('[{"show": {"title": "Healer", "title": "Goblin"}}]', "appears twice"),
    "duplicate-show.json": (
        json.dumps([_trakt_item("Crash Landing on You", 94796, 3), _trakt_item("CLOY", 94796, 4)]),
        "'CLOY' is listed twice (also at [0], same tmdb id)",
    ),
    "both-match.json": (
        json.dumps([_trakt_item("Goblin", 67915, 3), _trakt_item("Dokkaebi", 999, 4)]),
        "'Dokkaebi' and 'Goblin'",
    ),
    "too-far.json": (json.dumps([_trakt_item("Healer", 5, 21)]), "Healer has 20 episodes, not 21"),
    "duplicate-rows.csv": (
        "Title,Episodes watched\nHealer,3\nhealer,5\n",
        "'healer' is listed twice (also on line 2)",
    ),
    "no-episodes.csv": ("Title,Status\nHealer,Watching\n", "no 'episode' column"),
    "bad-status.csv": (
        "Title,Episodes watched,Status\nHealer,3,Binging\n",
        "'Binging' is not one of",
    ),
    "bad-number.tsv": ("Title\tEpisodes watched\nHealer\tthree\n", "not a number of episodes"),
    "bad-date.csv": ("Title,Episodes watched,Started\nHealer,3,03/04/2024\n", "is not a date"),
    "bad-quote.csv": ('Title,Episodes watched\n"Healer,3\n', "not valid CSV"),
    "long-row.csv": ("Title,Episodes watched\nHealer,3,extra\n", "3 cells in a row under 2"),
    "control.csv": ("Title,Episodes watched\nHeal\x1b[31mer,3\n", "control"),
    "latin1.csv": (None, "not UTF-8"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_a_bad_file_is_one_error_and_nothing_is_written(
    cli: Any, catalogue: Path, tmp_path: Path, name: str
) -> None:
    text, says = BAD_FILES[name]
    file = tmp_path / name
    if text is None:
        file.write_bytes("Title,Episodes watched\nGo\xe9blin,3\n".encode("latin-1"))
    else:
        file.write_text(text, encoding="utf-8")
    assert cli("progress", "set", "Goblin", "2").exit_code == 0
    before = dump(catalogue)
    result = cli("progress", "import", str(file))
    assert result.exit_code == 1, result.stdout + result.stderr
    assert result.stderr.count("Error:") == 1 and "Traceback" not in result.stderr
    assert says in result.stderr, result.stderr
    assert str(file) in result.stderr
    assert dump(catalogue) == before


def test_missing_file_and_bad_map(cli: Any, catalogue: Path, tmp_path: Path) -> None:
    missing = cli("progress", "import", str(tmp_path / "nope.json"))
    assert missing.exit_code == 1 and missing.stderr.count("Error:") == 1
    bad_map = cli("progress", "import", str(TRAKT), "--map", "Breaking Bad")
    assert bad_map.exit_code == 2 and "is not FILE TITLE=DRAMA" in bad_map.stderr
    unknown = cli("progress", "import", str(TRAKT), "--map", "Breaking Bad=Nowhere Drama")
    assert unknown.exit_code == 1 and "no drama called 'Nowhere Drama'" in unknown.stderr
    assert progress(cli) == {}


def test_a_later_season_without_its_own_entry_is_reported(
    cli: Any, sample_db: Path, tmp_path: Path
) -> None:
    item = _trakt_item("Healer", 1, 3)
    item["seasons"].append(
        {"number": 2, "episodes": [{"number": 1, "plays": 1, "last_watched_at": None}]}
    )
    file = tmp_path / "seasons.json"
    file.write_text(json.dumps([item]), encoding="utf-8")
    result = cli("progress", "import", str(file))
    assert result.exit_code == 0, result.stderr
    assert "unmatched: 'Healer (season 2)': no drama entry for season 2" in result.stderr
    assert '--map "Healer (season 2)=DRAMA"' in result.stderr
    assert progress(cli)["Healer"]["episode"] == 3
    shutil.copyfile(sample_db, tmp_path / "copy.db")  # the catalogue stays usable
    assert cli("db", "check").exit_code == 0
