"""Listings piped or redirected: tab-separated records, messages on stderr, no Rich.

On a terminal the same commands draw Rich tables (TTY_COMPATIBLE=1 forces that here, as
it does for Rich itself).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_process
from tests.test_startup import loaded, roots

SCENE_HEADER = ["key", "drama", "ep", "kind", "title", "actors", "spoiler", "views"]


def records(stdout: str) -> list[list[str]]:
    return [line.split("\t") for line in stdout.splitlines()]


def test_list_scenes_is_one_record_per_line(sample_db: Path, cli) -> None:
    result = cli("list", "scenes", "--actor", "Ji Chang Wook", "--kind", "kiss")
    assert result.exit_code == 0, result.stderr
    header, *rows = records(result.stdout)
    assert header == SCENE_HEADER
    assert len(rows) == 9 and all(len(row) == len(header) for row in rows)
    keys = {row[0] for row in rows}
    assert "melting-me-softly-e10-shower-kiss" in keys
    shower = next(row for row in rows if row[0] == "melting-me-softly-e10-shower-kiss")
    assert shower[1:3] == ["Melting Me Softly", "10"]
    assert "Ji Chang Wook" in shower[5] and "Won Jin Ah" in shower[5]
    # The count is a message, not a record; no box drawing anywhere.
    assert "9 scenes" in result.stderr and "9 scenes" not in result.stdout
    assert not set("│┃━─┏┗") & set(result.stdout)


def test_same_records_as_json(sample_db: Path, cli) -> None:
    import json

    piped = records(cli("list", "scenes", "--drama", "Healer").stdout)[1:]
    data = json.loads(cli("list", "scenes", "--drama", "Healer", "--json").stdout)["data"]
    assert [row[0] for row in piped] == [scene["key"] for scene in data]
    assert [row[4] for row in piped] == [scene["title"] for scene in data]


def test_terminal_gets_the_table(sample_db: Path, cli, terminal: None) -> None:
    result = cli("list", "scenes", "--drama", "Healer")
    assert result.exit_code == 0, result.stderr
    assert "Scenes" in result.stdout  # the table's title
    assert "\t" not in result.stdout
    assert "scenes" in result.stdout  # the footer under the table


def test_tabs_newlines_and_escapes_stay_inside_their_field(db: Path, cli) -> None:
    # A bidi override is refused as input (#13.9); one already in a catalogue (an older
    # scenecat allowed it) is put there straight.
    assert cli("add-actor", "A\u202eB").exit_code == 2
    assert cli("add-actor", "AB").exit_code == 0
    assert cli("add-drama", "Tab Drama", "--cast", "AB:Lead").exit_code == 0
    added = cli(
        "add-scene", "--drama", "Tab Drama", "--episode", "1", "--actor", "AB",
        "--kind", "kiss", "--title", "[bold]x[/] | a |",
        "--description", "line one\nline\ttwo",
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    import sqlite3

    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE actor SET name = 'A\u202eB' WHERE name = 'AB'")
    conn.close()
    listed = records(cli("list", "scenes").stdout)
    assert len(listed) == 2 and len(listed[1]) == len(SCENE_HEADER)
    title = listed[1][4]
    assert title == "[bold]x[/] | a |"
    assert listed[1][5] == "A\\u202eB"  # a bidi override is shown, not obeyed
    key = listed[1][0]
    shown = dict(
        (line.split("\t", 1)[0], line.split("\t", 1)[1])
        for line in cli("show", "scene", key).stdout.splitlines()
    )
    assert shown["description"] == "line one\\nline\\ttwo"
    assert shown["title"] == title


def test_show_is_label_value_lines(sample_db: Path, cli) -> None:
    result = cli("show", "actor", "지창욱")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "name\tJi Chang Wook"
    assert "native\t지창욱" in lines
    # The credits table follows, with its own header line.
    assert "year\tdrama\tnetwork\tcharacter\trole" in lines


def test_rank_piped_has_every_column_and_messages_on_stderr(sample_db: Path, cli) -> None:
    result = cli("rank", "--actor", "Ji Chang Wook", "--kind", "kiss", "--by", "drama")
    assert result.exit_code == 0, result.stderr
    header, first, *_ = records(result.stdout)
    assert header == ["#", "drama", "score", "best scene", "ep", "votes", "duels", "views", "key"]
    # The catalogue has 41 current votes summing to 334; m = 5; Bradley-Terry values from a fit
    # of the sample's 16 duels with 3 virtual wins and losses each (gradient ascent on the
    # log-posterior, as in tests/test_scoring.py).
    # The shower kiss (DESIGN section 5): 4 votes summing to 36, C = (334 - 36 + 27.5)/(41 - 4
    # + 5) = 7.75, WR = (36 + 5*7.75)/9 = 8.305556; head-to-head 6.288978 (won 4, lost 1);
    # 1,850,000 views: 10*log10(1850001)/log10(10000001) = 8.953103.
    # 0.6*8.305556 + 0.2*6.288978 + 0.2*8.953103 = 4.983333 + 1.257796 + 1.790621 = 8.031749.
    # Healer e9: 3 votes summing to 28, C = (334 - 28 + 27.5)/(41 - 3 + 5) = 333.5/43,
    # WR = (28 + 5*333.5/43)/8 = 8.347384; head-to-head 5.861325 (won 2, lost 1); 2,100,000
    # views: 9.031742. 5.008430 + 1.172265 + 1.806348 = 7.987044: second.
    assert first[:4] == ["1", "Melting Me Softly", "8.03", "The shower kiss"]
    assert first[-1] == "melting-me-softly-e10-shower-kiss"
    assert 'Answer: Melting Me Softly, with "The shower kiss"' in result.stderr
    assert "█" not in result.stdout  # bars are for terminals


@pytest.mark.slow
@pytest.mark.parametrize("forced, table", [("0", False), ("1", True)])
def test_tty_compatible_forces_either_way(sample_db: Path, forced: str, table: bool) -> None:
    result = run_process(
        "list",
        "scenes",
        "--limit",
        "2",
        env={"SCENECAT_DB": str(sample_db), "TTY_COMPATIBLE": forced},
    )
    assert result.exit_code == 0, result.stderr
    assert ("\t" not in result.stdout) is table


def test_piped_listing_does_not_import_rich(sample_db: Path) -> None:
    modules, out = loaded(sample_db, "list", "scenes", "--limit", "3")
    assert out.startswith("key\tdrama\t")
    assert "rich" not in roots(modules)


def test_closed_pipe_is_not_an_error(sample_db: Path) -> None:
    # `scenecat list scenes | head -1`: the reader goes away after one line.
    cmd = [sys.executable, "-m", "scenecat", "--db", str(sample_db), "list", "scenes"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, err
    assert first.startswith(b"key\t")
    assert "Traceback" not in err and "Error" not in err


def test_bar_columns_are_left_out_when_piped(sample_db: Path, cli) -> None:
    result = cli("stats")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "kind\tscenes" in lines and "kiss\t14" in lines
    assert not any(line.endswith("\t") for line in lines)
    assert "█" not in result.stdout


def test_backslashes_are_escaped_so_tab_and_newline_escapes_read_back(db: Path, cli) -> None:
    assert cli("add-actor", "Kim").exit_code == 0
    assert cli("add-drama", "Paths", "--cast", "Kim:Lead").exit_code == 0
    for title, description in (("Literal", "C:\\new\\table"), ("Real", "C:\new\table")):
        added = cli(
            "add-scene", "--drama", "Paths", "--episode", "1", "--actor", "Kim",
            "--kind", "kiss", "--title", title, "--description", description,
        )  # fmt: skip
        assert added.exit_code == 0, added.stderr
    shown = {}
    for key in ("paths-e1-literal", "paths-e1-real"):
        lines = cli("show", "scene", key).stdout.splitlines()
        shown[key] = next(line for line in lines if line.startswith("description\t"))
    assert shown["paths-e1-literal"] == "description\tC:\\\\new\\\\table"
    assert shown["paths-e1-real"] == "description\tC:\\new\\table"  # \n + "ew"


def test_table_titles_go_to_stderr(sample_db: Path, cli) -> None:
    result = cli("rank", "--actor", "Ji Chang Wook", "--kind", "kiss")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("Best kiss scenes: Ji Chang Wook\n")
    assert "Best kiss scenes" not in result.stdout
