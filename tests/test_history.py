"""History and undo: every change command is recorded, and undo takes it back exactly."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import SAMPLE, dump
from tests.fixtures.safety import raw_dump

KISS = "melting-me-softly-e10-shower-kiss"
HUG = "melting-me-softly-e10-editing-room-hug"
HEALER = "healer-e9-snowy-rooftop-kiss"


def _ok(result) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.stderr


def _history(cli) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    result = cli("history", "--json", "--limit", "50")
    _ok(result)
    return json.loads(result.stdout)["data"]  # type: ignore[no-any-return]


def _check(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("db", "check")
    assert result.exit_code == 0, result.stderr


def _write_yaml(path: Path, text: str) -> Path:
    path.write_text("format: scenecat/1\n" + text, encoding="utf-8")
    return path


EXTRA = """\
actors:
  - name: Extra Person
    aliases: [Extra P]
  - name: Ji Chang Wook
    born: 1987
dramas:
  - title: Extra Drama
    network: tvN
    year: 2024
    episodes: 8
    cast:
      - {actor: Extra Person, character: Lead, role: main}
      - {actor: Ji Chang Wook, character: Cameo, role: cameo}
    episode_list:
      - {number: 1, aired: 2024-01-01}
scenes:
  - key: extra-drama-e1-meeting
    drama: Extra Drama
    episode: 1
    kind: meeting
    title: They meet
    actors: [Extra Person, Ji Chang Wook]
    tags: [cute]
    views:
      - {count: 100, on: 2024-01-02, source: clip}
    sources:
      - {url: "https://example.org/extra", title: Extra}
  - key: melting-me-softly-e10-shower-kiss
    drama: Melting Me Softly
    episode: 10
    kind: kiss
    title: The shower kiss
    actors: [Ji Chang Wook, Won Jin Ah]
    tags: [extra-tag]
votes:
  - {scene: extra-drama-e1-meeting, score: 7, voter: me, on: 2024-01-03}
  - {scene: melting-me-softly-e10-shower-kiss, score: 2, voter: me, on: 2025-01-01}
duels:
  - {winner: extra-drama-e1-meeting, loser: melting-me-softly-e10-shower-kiss, voter: me}
"""


CHANGES = {
    "add-actor": [["add-actor", "New Person", "--native", "새사람", "--alias", "NP", "--born", "1990"]],
    "add-drama": [
        ["add-drama", "New Show", "--network", "MBC", "--year", "2021", "--episodes", "12",
         "--alias", "NS", "--cast", "Ji Chang Wook:Hero"],
    ],
    "add-episode": [["add-episode", "Melting Me Softly", "10", "--aired", "2019-10-27",
                     "--rating", "2.1", "--title", "Ten"]],
    "add-scene": [
        ["add-scene", "--drama", "Healer", "--episode", "3", "--actor", "Ji Chang Wook",
         "--actor", "Won Jin Ah", "--kind", "hug", "--title", "A new hug", "--tag", "sweet",
         "--views", "5000", "--on", "2020-01-01", "--source", "https://example.org/hug"],
    ],
    "edit scene": [["edit", "scene", KISS, "--title", "Retitled", "--spoiler", "minor",
                    "--key", "renamed-kiss"]],
    "edit actor": [["edit", "actor", "Won Jin Ah", "--name", "Won Jin-ah Renamed",
                    "--born", "1991"]],
    "edit drama": [["edit", "drama", "Healer", "--title", "Healer (2014)", "--episodes", "21"]],
    "alias": [["alias", "actor", "Ji Chang Wook", "Chang Wook Ji"], ["alias", "drama", "Healer", "HL"]],
    "alias remove": [["alias", "actor", "Ji Chang Wook", "Ji Chang-wook", "--remove"]],
    "vote": [["vote", KISS, "3"], ["vote", KISS, "4", "--on", "2024-06-01"]],
    "duel": [["duel", KISS, HEALER]],
    "views": [["views", KISS, "2000000", "--on", "2025-01-01", "--source", "tvN"]],
    "merge": [["merge", "actor", "Ji Chang Wook", "Won Jin Ah", "--yes"]],
    "remove scene": [["remove", "scene", KISS, "--yes"]],
    "remove actor": [["remove", "actor", "Won Jin Ah", "--yes"]],
    "remove drama": [["remove", "drama", "Melting Me Softly", "--yes"]],
    "remove episode": [["remove", "episode", "Melting Me Softly", "10", "--yes"]],
    "import": ["IMPORT"],
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CHANGES))
def test_undo_takes_each_kind_of_change_back_exactly(
    cli, sample_db: Path, tmp_path: Path, name: str
) -> None:
    before = raw_dump(sample_db)
    before_export = dump(sample_db)
    commands = CHANGES[name]
    for args in commands:
        if args == "IMPORT":
            args = ["import", str(_write_yaml(tmp_path / "extra.yaml", EXTRA))]
        _ok(cli(*args))
    assert raw_dump(sample_db) != before
    changes = [c for c in _history(cli) if not c["undone"] and c["kind"] == "change"]
    assert len(changes) == len(commands) + 1  # + the sample import
    _check(cli)

    result = cli("undo", str(len(commands)), "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("Undid #") == len(commands)
    assert raw_dump(sample_db) == before
    assert dump(sample_db) == before_export
    _check(cli)
    history = _history(cli)
    assert history[0]["kind"] == "undo"
    assert all(c["undone"] for c in history[1 : 1 + len(commands)])


def test_undo_of_a_merge_restores_both_actors_and_search(cli, sample_db: Path) -> None:
    kept = json.loads(cli("show", "actor", "Ji Chang Wook", "--json").stdout)["data"]
    gone = json.loads(cli("show", "actor", "Won Jin Ah", "--json").stdout)["data"]
    _ok(cli("merge", "actor", "Ji Chang Wook", "Won Jin Ah", "--yes"))
    merged = json.loads(cli("show", "actor", "Won Jin Ah", "--json").stdout)["data"]
    assert merged["name"] == "Ji Chang Wook"  # the old name is now an alias
    _ok(cli("undo", "--yes"))
    assert json.loads(cli("show", "actor", "Ji Chang Wook", "--json").stdout)["data"] == kept
    assert json.loads(cli("show", "actor", "Won Jin Ah", "--json").stdout)["data"] == gone
    scene = json.loads(cli("show", "scene", HUG, "--json").stdout)["data"]
    assert scene["actors"] == ["Ji Chang Wook", "Won Jin Ah"]
    result = cli("search", "Won Jin Ah", "--json")
    _ok(result)
    assert HUG in [s["key"] for s in json.loads(result.stdout)["data"]]
    _check(cli)


def test_undo_of_a_removal_after_a_merge_in_one_go(cli, sample_db: Path) -> None:
    """Found by the two-process random test: a drama removed after its actor was merged
    away. Undoing both (and the actor's addition) at once checks each restored row as it
    stands after the whole undo, not as the removal logged it."""
    start = raw_dump(sample_db)
    assert cli("add-actor", "Random Person 2").exit_code == 0
    assert cli("merge", "actor", "Random Person 2", "Ji Chang Wook", "--yes").exit_code == 0
    assert cli("remove", "drama", "Melting Me Softly", "--yes").exit_code == 0
    undone = cli("undo", "3", "--yes")
    assert undone.exit_code == 0, undone.stderr
    assert cli("db", "check").exit_code == 0
    assert raw_dump(sample_db) == start


@pytest.mark.slow
def test_undo_of_an_import_into_an_empty_catalogue_empties_it(cli, db: Path) -> None:
    _ok(cli("init"))
    empty = raw_dump(db)
    _ok(cli("import", str(SAMPLE)))
    newest = _history(cli)[0]
    assert newest["bulk"] is True and newest["rows"] > 500
    _ok(cli("undo", "--yes"))
    assert raw_dump(db) == empty
    _check(cli)
    # and again: the same file imports as it did the first time
    _ok(cli("import", str(SAMPLE)))
    _check(cli)


@pytest.mark.slow
def test_a_command_that_changes_nothing_leaves_no_history(cli, sample_db: Path) -> None:
    _ok(cli("vote", KISS, "9", "--on", "2025-05-05"))
    count = len(_history(cli))
    result = cli("vote", KISS, "9", "--on", "2025-05-05")
    _ok(result)
    assert "already recorded" in result.stderr
    _ok(cli("import", str(SAMPLE)))  # re-import changes nothing
    assert len(_history(cli)) == count
    assert cli("add-actor", "Ji Chang Wook").exit_code == 1  # refused: nothing recorded
    assert len(_history(cli)) == count


def test_history_lists_labels_newest_first(cli, sample_db: Path) -> None:
    _ok(cli("add-actor", "First Person"))
    _ok(cli("vote", KISS, "8"))
    data = _history(cli)
    assert [c["label"] for c in data[:2]] == [f"vote {KISS}", 'add-actor "First Person"']
    assert data[0]["id"] > data[1]["id"]
    assert {"id", "label", "started", "rows", "undone", "bulk", "kind"} <= set(data[0])
    table = cli("history", "--limit", "2")
    _ok(table)
    assert 'add-actor "First Person"' in table.stdout and "import" not in table.stdout
    assert cli("history", "--limit", "0").exit_code == 2


def test_undo_refuses_when_a_later_change_depends_on_it(cli, sample_db: Path) -> None:
    _ok(cli("add-scene", "--drama", "Healer", "--episode", "2", "--actor", "Ji Chang Wook",
            "--kind", "hug", "--title", "Depended on"))  # fmt: skip
    scene_change = _history(cli)[0]["id"]
    _ok(cli("vote", "healer-e2-depended-on", "9"))
    before = raw_dump(sample_db)
    result = cli("undo", "--change", str(scene_change), "--yes")
    assert result.exit_code == 1
    assert "vote" in result.stderr and "scene" in result.stderr
    assert "Traceback" not in result.stderr
    assert raw_dump(sample_db) == before
    # Undoing both, newest first, is fine.
    _ok(cli("undo", "2", "--yes"))
    assert cli("show", "scene", "healer-e2-depended-on").exit_code == 1
    _check(cli)


def test_undo_refuses_when_the_same_rows_changed_later(cli, sample_db: Path) -> None:
    _ok(cli("add-actor", "Changing Person"))
    first = _history(cli)[0]["id"]
    _ok(cli("edit", "actor", "Changing Person", "--born", "1999"))
    before = raw_dump(sample_db)
    result = cli("undo", "--change", str(first), "--yes")
    assert result.exit_code == 1
    assert "same actor" in result.stderr
    assert raw_dump(sample_db) == before


def test_undo_refuses_when_a_later_change_removed_what_it_refers_to(cli, sample_db: Path) -> None:
    _ok(cli("remove", "scene", HUG, "--yes"))
    removal = _history(cli)[0]["id"]
    _ok(cli("remove", "actor", "Won Jin Ah", "--yes"))
    before = raw_dump(sample_db)
    result = cli("undo", "--change", str(removal), "--yes")
    assert result.exit_code == 1
    assert "actor" in result.stderr
    assert raw_dump(sample_db) == before


def test_undo_refuses_after_a_change_outside_scenecat(cli, sample_db: Path) -> None:
    _ok(cli("add-actor", "Outside Person"))
    conn = sqlite3.connect(sample_db)
    with conn:
        conn.execute("UPDATE actor SET born = 1950 WHERE name = 'Outside Person'")
    conn.close()
    before = raw_dump(sample_db)
    result = cli("undo", "--yes")
    assert result.exit_code == 1
    assert "outside scenecat" in result.stderr
    assert raw_dump(sample_db) == before


def test_undo_refuses_a_restore_that_clashes_with_a_later_record(cli, sample_db: Path) -> None:
    _ok(cli("add-actor", "Clash Person"))
    _ok(cli("remove", "actor", "Clash Person", "--yes"))
    removal = _history(cli)[0]["id"]
    _ok(cli("add-actor", "Clash Person"))  # a new record with the same unique name
    before = raw_dump(sample_db)
    result = cli("undo", "--change", str(removal), "--yes")
    assert result.exit_code == 1
    assert "Clash Person" in result.stderr
    assert raw_dump(sample_db) == before


def test_undo_argument_errors_change_nothing(cli, sample_db: Path) -> None:
    before = raw_dump(sample_db)
    assert cli("undo", "0", "--yes").exit_code == 2
    assert cli("undo", "5", "--yes").exit_code == 1  # only the sample import is there
    assert cli("undo", "--change", "999", "--yes").exit_code == 1
    result = cli("undo")  # no terminal to ask on
    assert result.exit_code == 1 and "--yes" in result.stderr
    assert raw_dump(sample_db) == before
    _ok(cli("undo", "--yes"))
    result = cli("undo", "--yes")
    assert result.exit_code == 1 and "nothing to undo" in result.stderr
    undone = _history(cli)[1]["id"]
    result = cli("undo", "--change", str(undone), "--yes")
    assert result.exit_code == 1 and "already undone" in result.stderr
    result = cli("undo", "--change", str(_history(cli)[0]["id"]), "--yes")
    assert result.exit_code == 1 and "cannot be undone" in result.stderr


def test_undo_one_change_out_of_order_keeps_the_later_ones(cli, sample_db: Path) -> None:
    _ok(cli("add-actor", "Independent One"))
    first = _history(cli)[0]["id"]
    _ok(cli("vote", KISS, "1"))
    _ok(cli("undo", "--change", str(first), "--yes"))
    assert cli("show", "actor", "Independent One").exit_code == 1
    conn = sqlite3.connect(sample_db)
    current = conn.execute(
        "SELECT v.score FROM vote v JOIN scene s ON s.id = v.scene_id "
        "WHERE s.key = ? AND v.voter = 'me' AND v.current = 1",
        (KISS,),
    ).fetchone()
    conn.close()
    assert current == (1,)
    _check(cli)


# The bulk API (Catalogue.write(label, bulk=True) / changelog.start_bulk) used by fast loaders.


def _bulk_load(path: Path, names: list[str], *, alias_on: int | None = None) -> None:
    from scenecat.storage.connection import open_catalogue
    from scenecat.text import name_key

    cat = open_catalogue(path)
    try:
        with cat.write("bulk load", bulk=True) as conn:
            conn.executemany(
                "INSERT INTO actor (name, name_key) VALUES (?, ?)",
                [(n, name_key(n)) for n in names],
            )
            if alias_on is not None:
                conn.execute(
                    "INSERT INTO actor_alias (actor_id, alias, alias_key) VALUES (?, 'x', 'x')",
                    (alias_on,),
                )
    finally:
        cat.close()


def test_bulk_changes_log_no_rows_and_undo_by_rowid_mark(cli, sample_db: Path) -> None:
    before = raw_dump(sample_db)
    conn = sqlite3.connect(sample_db)
    entries = conn.execute("SELECT count(*) FROM history_entry").fetchone()[0]
    conn.close()
    _bulk_load(sample_db, [f"Bulk Person {i}" for i in range(300)])
    conn = sqlite3.connect(sample_db)
    assert conn.execute("SELECT count(*) FROM history_entry").fetchone()[0] == entries
    conn.close()
    newest = _history(cli)[0]
    assert newest["bulk"] and newest["rows"] == 300 and newest["label"] == "bulk load"
    _ok(cli("undo", "--yes"))
    assert raw_dump(sample_db) == before
    _check(cli)


def test_bulk_undo_refuses_rows_it_cannot_tell_apart(cli, sample_db: Path) -> None:
    # An alias added to an older actor inside a bulk change has no rowid to tell it by.
    _bulk_load(sample_db, ["Bulk Alias Person"], alias_on=1)
    before = raw_dump(sample_db)
    result = cli("undo", "--yes")
    assert result.exit_code == 1 and "bulk" in result.stderr
    assert raw_dump(sample_db) == before


def test_bulk_change_blocks_undo_of_older_changes_out_of_order(cli, sample_db: Path) -> None:
    _ok(cli("add-actor", "Before Bulk"))
    older = _history(cli)[0]["id"]
    _bulk_load(sample_db, ["After Bulk"])
    result = cli("undo", "--change", str(older), "--yes")
    assert result.exit_code == 1 and "bulk" in result.stderr
    _ok(cli("undo", "2", "--yes"))
    _check(cli)


@pytest.mark.slow
def test_old_history_is_pruned(cli, sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scenecat.storage import changelog

    monkeypatch.setattr(changelog, "KEEP_CHANGES", 5)
    for i in range(30):
        _ok(cli("vote", KISS, str(i % 10 + 1), "--voter", f"fan{i}"))
    data = _history(cli)
    assert len(data) <= 5 + 25
    assert all(c["label"] != f"import {SAMPLE}" for c in data)
    conn = sqlite3.connect(sample_db)
    oldest = min(c["id"] for c in data)
    stray = conn.execute(
        "SELECT count(*) FROM history_entry WHERE change_id < ?", (oldest,)
    ).fetchone()[0]
    conn.close()
    assert stray == 0
    _ok(cli("undo", "3", "--yes"))
    _check(cli)


def test_history_and_undo_do_not_create_a_catalogue(cli, db: Path) -> None:
    for args in (("history",), ("undo", "--yes")):
        result = cli(*args)
        assert result.exit_code == 1 and "no catalogue" in result.stderr
    assert not db.exists()
