"""Stored watch progress: `progress set/clear`, its history and undo, format 1 (YAML and
JSON Lines, both import paths), the 0012 upgrade, and the screens that respect it."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import dump
from tests.fixtures.safety import OLD_CATALOGUE

HEALER_LATER = ("healer-e9-snowy-rooftop-kiss", "healer-e15-she-kisses-him")  # minor, major
HEALER_EARLIER = ("healer-e7-blindfolded-on-the-rooftop", "healer-e8-elevator-rescue")


def data(cli: Any, *args: str) -> tuple[Any, dict[str, Any]]:
    run = cli(*args, "--json")
    assert run.exit_code == 0, run.stderr
    parsed = json.loads(run.stdout)
    return parsed["data"], parsed["meta"]


def progress_rows(cli: Any) -> list[dict[str, Any]]:
    return data(cli, "progress")[0]  # type: ignore[no-any-return]


# --- set, clear, list, undo ---------------------------------------------------------------


def test_set_lists_and_undo_takes_it_back(cli: Any, sample_db: Path) -> None:
    before = dump(sample_db)
    result = cli("progress", "set", "healer", "8")
    assert result.exit_code == 0, result.stderr
    assert "Healer: episode 8 of 20" in result.stderr
    (row,) = progress_rows(cli)
    assert row["drama"] == "Healer" and row["episode"] == 8 and row["episodes"] == 20
    assert row["status"] == "watching" and row["started"] == row["updated"]
    assert row["finished"] is None
    history = data(cli, "history")[0]
    assert history[0]["label"] == "progress set healer 8" and history[0]["rows"] == 1
    assert cli("undo", "--yes").exit_code == 0
    assert progress_rows(cli) == []
    assert dump(sample_db) == before


def test_set_again_moves_on_and_completes_at_the_last_episode(cli: Any, sample_db: Path) -> None:
    assert cli("progress", "set", "Healer", "8", "--on", "2024-01-02").exit_code == 0
    assert cli("progress", "set", "Healer", "20", "--on", "2024-02-03").exit_code == 0
    (row,) = progress_rows(cli)
    assert (row["episode"], row["status"]) == (20, "completed")
    assert (row["started"], row["finished"], row["updated"]) == (
        "2024-01-02",
        "2024-02-03",
        "2024-02-03",
    )
    same = cli("progress", "set", "Healer", "20")
    assert same.exit_code == 0 and "nothing changed" in same.stderr
    assert len(data(cli, "history")[0]) == 3  # the import and two sets: no empty change


def test_completed_status_and_clear(cli: Any, sample_db: Path) -> None:
    assert cli("progress", "set", "Goblin", "--completed").exit_code == 0
    assert cli("progress", "set", "The K2", "--status", "Plan to Watch").exit_code == 0
    assert cli("progress", "set", "Healer", "3", "--status", "on hold").exit_code == 0
    rows = {r["drama"]: r for r in progress_rows(cli)}
    assert (rows["Goblin"]["episode"], rows["Goblin"]["status"]) == (16, "completed")
    assert (rows["The K2"]["episode"], rows["The K2"]["status"]) == (0, "plan-to-watch")
    assert rows["The K2"]["started"] is None
    assert rows["Healer"]["status"] == "on-hold"
    cleared = cli("progress", "clear", "goblin")
    assert cleared.exit_code == 0 and "Goblin: progress cleared (was completed)" in cleared.stderr
    assert "Goblin" not in {r["drama"] for r in progress_rows(cli)}
    assert cli("undo", "--yes").exit_code == 0
    assert "Goblin" in {r["drama"] for r in progress_rows(cli)}


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("progress", "set", "Healer", "21"), 1, "Healer has 20 episodes, not 21"),
        (("progress", "set", "Nobody Drama", "2"), 1, "no drama called"),
        (("progress", "set", "Healer", "-1"), 2, ""),
        (("progress", "set", "Healer"), 2, "give the episodes seen, --completed or --status"),
        (("progress", "set", "Healer", "3", "--status", "binging"), 2, "not one of watching"),
        (("progress", "set", "Healer", "3", "--on", "2999-01-01"), 2, "in the future"),
        (("progress", "set", "Healer", "3", "--completed", "--status", "dropped"), 2, "say"),
        (("progress", "set", "", "3"), 1, "must not be empty"),
        (("progress", "set", "Heal\x1b[31mer", "3"), 1, ""),
        (("progress", "clear", "Healer"), 1, "no progress is stored for Healer"),
        (("list", "scenes", "--spoilers", "minor"), 2, "not one of show, hide, warn"),
        (("list", "scenes", "--spoiler", "hide"), 2, "--spoilers hide (with an s)"),
    ],
)
def test_bad_input_is_one_error_and_changes_nothing(
    cli: Any, sample_db: Path, args: tuple[str, ...], code: int, says: str
) -> None:
    before = dump(sample_db)
    result = cli(*args)
    assert result.exit_code == code, result.stderr
    assert result.stderr.count("Error:") == 1 and "Traceback" not in result.stderr
    assert says in result.stderr
    assert dump(sample_db) == before


def test_removing_a_drama_removes_its_progress_and_undo_brings_both_back(
    cli: Any, sample_db: Path
) -> None:
    assert cli("progress", "set", "Healer", "8").exit_code == 0
    assert cli("remove", "drama", "Healer", "--yes").exit_code == 0
    assert progress_rows(cli) == []
    assert cli("undo", "--yes").exit_code == 0
    assert [r["drama"] for r in progress_rows(cli)] == ["Healer"]
    assert cli("db", "check").exit_code == 0


# --- format 1 ---------------------------------------------------------------------------------


def test_exports_without_progress_are_unchanged(cli: Any, sample_db: Path) -> None:
    yaml_text = cli("export", "yaml").stdout
    assert "progress" not in yaml_text and "\nduels:\n" in yaml_text
    assert '"type": "progress"' not in cli("export", "jsonl").stdout


@pytest.mark.parametrize("kind", ["yaml", "jsonl"])
def test_export_import_round_trip(cli: Any, sample_db: Path, tmp_path: Path, kind: str) -> None:
    assert cli("progress", "set", "Healer", "8", "--on", "2024-01-05").exit_code == 0
    assert cli("progress", "set", "Goblin", "--completed", "--on", "2024-02-01").exit_code == 0
    assert cli("progress", "set", "The K2", "--status", "dropped").exit_code == 0
    out = tmp_path / f"c.{kind}"
    assert cli("export", kind, "-o", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    if kind == "yaml":
        assert "progress:\n- drama: Goblin\n  episode: 16\n  status: completed\n" in text
        assert "  started: 2024-01-05\n" in text  # a date, not a quoted string
    else:
        assert '{"type": "progress", "drama": "Healer", "episode": 8' in text
    mine = progress_rows(cli)
    # Into an empty catalogue (the bulk path), and again into one that has it (record by
    # record): the same progress, and the second import changes nothing.
    fresh = tmp_path / "fresh.db"
    result = cli("--db", str(fresh), "import", str(out))
    assert result.exit_code == 0, result.stderr
    assert "3 new progress (of 3)" in result.stderr
    assert data(cli, "--db", str(fresh), "progress")[0] == [
        {**row, "drama_id": data(cli, "--db", str(fresh), "show", "drama", row["drama"])[0]["id"]}
        for row in mine
    ]
    again = cli("--db", str(fresh), "import", str(out))
    assert again.exit_code == 0 and "0 new progress (of 3)" in again.stderr
    assert "changed progress" not in again.stderr
    # Undo of the bulk import takes the progress with it.
    assert cli("--db", str(fresh), "undo", "--yes").exit_code == 0
    assert data(cli, "--db", str(fresh), "progress")[0] == []


def test_import_changes_progress_and_says_so(cli: Any, sample_db: Path, tmp_path: Path) -> None:
    assert cli("progress", "set", "Healer", "3").exit_code == 0
    file = tmp_path / "p.yaml"
    file.write_text(
        "format: scenecat/1\nprogress:\n  - {drama: healer, episode: 9, status: watching}\n",
        encoding="utf-8",
    )
    dry = cli("import", str(file), "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert "would change progress Healer: episode 3 of 20 -> episode 9 of 20" in dry.stderr
    assert progress_rows(cli)[0]["episode"] == 3
    result = cli("import", str(file))
    assert result.exit_code == 0 and "1 changed progress" in result.stderr
    assert progress_rows(cli)[0]["episode"] == 9


@pytest.mark.parametrize(
    ("records", "says"),
    [
        ("- {drama: Healer, episode: 3}\n  - {drama: healer, episode: 4}", "listed twice"),
        ("- {drama: Healer, episode: 30}", "Healer has 20 episodes, not 30"),
        ("- {drama: Nowhere, episode: 3}", "no drama called 'Nowhere'"),
        ("- {drama: Healer, episode: three}", "not a number of episodes"),
        ("- {drama: Healer, episodes: 3}", "unknown field"),
        ("- {drama: Healer, status: binging}", "not one of watching"),
        ("- {episode: 3}", "progress[0].drama: is required"),
        ("- {drama: Healer, updated: 2999-01-01}", "in the future"),
    ],
)
@pytest.mark.parametrize("fresh", [True, False])
def test_bad_progress_records_name_the_line_and_change_nothing(
    cli: Any, db: Path, sample_template: Path, tmp_path: Path, records: str, says: str, fresh: bool
) -> None:
    """Both import paths (bulk into an empty catalogue, record by record) judge the same."""
    sample = (Path(__file__).resolve().parent.parent / "data" / "sample.yaml").read_text("utf-8")
    file = tmp_path / "c.yaml"
    if fresh:
        file.write_text(sample + f"progress:\n  {records}\n", encoding="utf-8")
    else:
        shutil.copyfile(sample_template, db)
        file.write_text(f"format: scenecat/1\nprogress:\n  {records}\n", encoding="utf-8")
    before = dump(db) if not fresh else None
    result = cli("import", str(file))
    assert result.exit_code == 1, result.stderr
    assert result.stderr.count("Error:") == 1 and says in result.stderr
    assert f"{file}:" in result.stderr  # the file and its line
    if fresh:
        assert not db.exists() or "Healer" not in dump(db)
    else:
        assert dump(db) == before


# --- the upgrade of an older catalogue -------------------------------------------------------


def test_a_schema2_catalogue_keeps_its_progress_rows_and_gains_status(cli: Any, db: Path) -> None:
    shutil.copyfile(OLD_CATALOGUE, db)
    conn = sqlite3.connect(db)
    with conn:
        ids = dict(conn.execute("SELECT title, id FROM drama"))
        # what a hand-written row looked like in the first schema (nothing wrote it)
        conn.execute("INSERT INTO watch_progress VALUES (?, 8)", (ids["Healer"],))
        conn.execute("INSERT INTO watch_progress VALUES (?, 16)", (ids["Goblin"],))
    conn.close()
    result = cli("progress", "--json")
    assert result.exit_code == 0, result.stderr
    assert "Upgraded the catalogue from schema 2" in result.stderr
    rows = {r["drama"]: r for r in json.loads(result.stdout)["data"]}
    assert (rows["Healer"]["episode"], rows["Healer"]["status"]) == (8, "watching")
    assert (rows["Goblin"]["episode"], rows["Goblin"]["status"]) == (16, "completed")
    columns = [r[1] for r in sqlite3.connect(db).execute("PRAGMA table_info(watch_progress)")]
    assert columns == ["drama_id", "episode", "status", "started", "finished", "updated"]
    # The upgraded table is in the history like any other: a change to it is undone.
    assert cli("progress", "set", "Healer", "9").exit_code == 0
    assert cli("undo", "--yes").exit_code == 0
    assert {r["drama"]: r["episode"] for r in progress_rows(cli)}["Healer"] == 8
    check = cli("db", "check")
    assert check.exit_code == 0, check.stdout + check.stderr


def test_the_status_column_refuses_what_scenecat_would_not_write(cli: Any, sample_db: Path) -> None:
    assert cli("progress", "set", "Healer", "3").exit_code == 0
    conn = sqlite3.connect(sample_db)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE watch_progress SET status = 'binging'")
    conn.close()


# --- screens -----------------------------------------------------------------------------------


def keys_of(items: list[dict[str, Any]]) -> list[str | None]:
    return [item.get("key") for item in items]


def test_a_drama_without_progress_behaves_as_before(cli: Any, sample_db: Path) -> None:
    for args in (
        ("list", "scenes"),
        ("search", "kiss"),
        ("rank", "--kind", "kiss"),
        ("trending", "--days", "3650", "--until", "2024-06-01"),
        ("show", "drama", "Healer"),
    ):
        plain = cli(*args, "--json")
        shown = cli(*args, "--json", "--spoilers", "show")
        assert plain.exit_code == shown.exit_code == 0, plain.stderr
        assert plain.stdout == shown.stdout, args
        assert '"hidden"' not in plain.stdout


def test_list_scenes_drops_exactly_the_spoilers_past_progress(cli: Any, sample_db: Path) -> None:
    assert cli("progress", "set", "Healer", "8").exit_code == 0
    everything, _ = data(cli, "list", "scenes", "--spoilers", "show")
    past = {
        s["key"] for s in everything if s["drama"] == "Healer" and s["episode"] > 8
        and s["spoiler"] != "none"
    }  # fmt: skip
    assert past == set(HEALER_LATER)
    shown, meta = data(cli, "list", "scenes")
    assert keys_of(shown) == [s["key"] for s in everything if s["key"] not in past]
    assert meta["hidden"] == 2 and meta["count"] == len(everything) - 2
    warned, _ = data(cli, "list", "scenes", "--spoilers", "warn")
    assert {s["key"] for s in warned if s.get("past_progress")} == past
    table = cli("list", "scenes", "--drama", "Healer")
    assert "2 scenes past your progress hidden; --spoilers show shows them." in table.stderr
    assert not any(key in table.stdout for key in HEALER_LATER)


def test_list_scenes_with_a_limit_fills_the_page_past_hidden_scenes(
    cli: Any, sample_db: Path
) -> None:
    assert cli("progress", "set", "Healer", "0").exit_code == 0
    everything, _ = data(cli, "list", "scenes", "--drama", "Healer", "--spoilers", "show")
    assert [s["episode"] for s in everything] == [7, 8, 9, 15]  # all minor or worse
    assert cli("progress", "set", "Healer", "7").exit_code == 0
    page, meta = data(cli, "list", "scenes", "--drama", "Healer", "--limit", "1")
    assert keys_of(page) == [HEALER_EARLIER[0]] and meta["more"] is False
    # Every hidden scene before the first shown ones is passed over, not counted as shown.
    assert cli("progress", "set", "Healer", "0").exit_code == 0
    page, meta = data(cli, "list", "scenes", "--drama", "Healer", "--limit", "2")
    assert page == [] and meta["hidden"] == 4


def test_search_drops_hidden_hits_and_keeps_the_page_full(cli: Any, sample_db: Path) -> None:
    everything, _ = data(cli, "search", "kiss", "--limit", "5", "--spoilers", "show")
    first = everything[0]
    assert first["key"] == "healer-e9-snowy-rooftop-kiss"
    assert cli("progress", "set", "Healer", "8").exit_code == 0
    hits, meta = data(cli, "search", "kiss", "--limit", "5")
    assert len(hits) == 5 and meta["hidden"] == 1
    longer, _ = data(cli, "search", "kiss", "--limit", "6", "--spoilers", "show")
    assert keys_of(hits) == keys_of(longer)[1:6]
    gone = cli("search", "she knows and stays")
    assert gone.exit_code == 0
    assert "No scene matches" in gone.stderr and "1 scene past your progress hidden" in gone.stderr


def test_rank_masks_in_place_and_json_marks_hidden(cli: Any, sample_db: Path) -> None:
    args = ("rank", "--actor", "Ji Chang Wook", "--kind", "kiss")
    shown, _ = data(cli, *args, "--spoilers", "show")
    assert cli("progress", "set", "Healer", "8").exit_code == 0
    masked, meta = data(cli, *args)
    assert [e["position"] for e in masked] == [e["position"] for e in shown]
    assert [e["score"] for e in masked] == [e["score"] for e in shown]
    hidden = [e for e in masked if e.get("hidden")]
    assert sorted(e["episode"] for e in hidden) == [9, 15] and meta["hidden"] == 2
    for entry in hidden:
        assert set(entry) == {
            "position", "group", "group_scenes", "scene_position", "drama", "episode",
            "score", "has_signal", "title", "hidden",
        }  # fmt: skip
        assert entry["title"] == f"a scene in episode {entry['episode']}"
    for was, now in zip(shown, masked, strict=True):
        if not now.get("hidden"):
            assert now == was
    # The answer itself masked: Melting Me Softly's shower kiss (episode 10) leads.
    assert cli("progress", "set", "Melting Me Softly", "9").exit_code == 0
    by_drama = cli(*args, "--by", "drama")
    assert (
        "Answer: Melting Me Softly, with a scene in episode 10 past your progress"
        in by_drama.stderr
    )
    assert "The shower kiss" not in by_drama.stdout + by_drama.stderr
    assert "The kiss in the snow" not in by_drama.stdout + by_drama.stderr


def test_trending_masks_in_place(cli: Any, sample_db: Path) -> None:
    args = ("trending", "--days", "3650", "--until", "2024-06-01")
    shown, _ = data(cli, *args, "--spoilers", "show")
    healer = [e for e in shown if e["drama"] == "Healer" and e["episode"] > 8]
    assert healer, "the sample has a Healer scene past episode 8 with growth measured"
    assert cli("progress", "set", "Healer", "8").exit_code == 0
    masked, meta = data(cli, *args)
    assert [e["position"] for e in masked] == [e["position"] for e in shown]
    assert [e["position"] for e in masked if e.get("hidden")] == [e["position"] for e in healer]
    assert meta["hidden"] == len(healer)
    assert all("key" not in e for e in masked if e.get("hidden"))


def test_show_masks_scene_pages_and_drama_lists(cli: Any, sample_db: Path) -> None:
    assert cli("progress", "set", "Healer", "8").exit_code == 0
    page, _ = data(cli, "show", "scene", HEALER_LATER[1])
    assert page["hidden"] is True and page["episode"] == 15
    assert "description" not in page and page["title"] == "a scene in episode 15"
    table = cli("show", "scene", HEALER_LATER[1])
    assert "She knows" not in table.stdout and "past your progress (episode 8)" in table.stdout
    full, _ = data(cli, "show", "scene", HEALER_LATER[1], "--spoilers", "show")
    assert full["title"] == "She knows, and stays"
    drama, meta = data(cli, "show", "drama", "Healer")
    assert [s.get("hidden", False) for s in drama["scene_list"]] == [False, False, True, True]
    assert meta == {"hidden": 2}
    earlier, _ = data(cli, "show", "scene", HEALER_EARLIER[1])
    assert "hidden" not in earlier


def test_completed_or_cleared_progress_hides_nothing(cli: Any, sample_db: Path) -> None:
    everything, _ = data(cli, "list", "scenes", "--spoilers", "show")
    assert cli("progress", "set", "Healer", "--completed").exit_code == 0
    assert data(cli, "list", "scenes")[0] == everything
    assert cli("progress", "set", "Healer", "8").exit_code == 0
    assert cli("progress", "clear", "Healer").exit_code == 0
    assert data(cli, "list", "scenes")[0] == everything


def test_export_markdown_uses_progress_only_with_watched_mine(cli: Any, sample_db: Path) -> None:
    args = ("export", "markdown", "--template", "drama", "--drama", "Healer", "--spoilers", "show")
    before = cli(*args)
    assert cli("progress", "set", "Healer", "8").exit_code == 0
    after = cli(*args)
    assert after.exit_code == 0 and after.stdout == before.stdout
    assert "The kiss in the snow" in after.stdout
    mine = cli(*args, "--watched", "mine")
    assert mine.exit_code == 0, mine.stderr
    assert "The kiss in the snow" not in mine.stdout
    assert "Safe for readers up to episode 8 of Healer" in mine.stdout
    assert mine.stdout == cli(*args, "--watched", "Healer:8").stdout
    # A drama named as well takes the N given.
    both = cli(*args, "--watched", "mine", "--watched", "Healer:9")
    assert "The kiss in the snow" in both.stdout


def test_guard_predicate() -> None:
    from scenecat.domain.progress_guard import SpoilerGuard, is_past_progress

    assert is_past_progress((8, "watching"), 9, "minor")
    assert is_past_progress((8, "dropped"), None, "major")
    assert not is_past_progress((8, "watching"), 8, "ending")
    assert not is_past_progress((8, "watching"), 9, "none")
    assert not is_past_progress((8, "completed"), 16, "ending")
    assert not is_past_progress(None, 16, "ending")
    guard = SpoilerGuard("warn", {1: (3, "watching")})
    assert guard.warns(1, 4, "minor") and not guard.hides(1, 4, "minor")
    assert SpoilerGuard("show", {1: (3, "watching")}).active is False
