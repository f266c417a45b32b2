"""The core loop through the real command line: add, browse, edit, alias, merge, remove."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import dump
from tests.terminal import Terminal


def _add_news_scene(cli) -> None:
    assert (
        cli(
            "add-actor",
            "Ji Chang Wook",
            "--native",
            "지창욱",
            "--alias",
            "Ji Chang-wook",
            "--born",
            "1987",
        ).exit_code
        == 0
    )
    assert cli("add-actor", "Won Jin Ah", "--alias", "Won Jin-ah").exit_code == 0
    result = cli(
        "add-drama", "Melting Me Softly", "--native", "날 녹여주오", "--network", "tvN",
        "--year", "2019", "--episodes", "16",
        "--cast", "Ji Chang Wook:Ma Dong Chan", "--cast", "Won Jin Ah:Go Mi Ran",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    result = cli(
        "add-scene", "--drama", "melting me softly", "--episode", "10",
        "--actor", "ji chang-wook", "--actor", "WON JINAH", "--kind", "kiss",
        "--title", "The shower kiss", "--spoiler", "major", "--at", "52:10",
        "--views", "1,000,000", "--on", "2019-11-10", "--source", "tvN official upload",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "melting-me-softly-e10-the-shower-kiss" in result.stderr


def test_add_the_news_scene_and_browse_it(cli) -> None:
    _add_news_scene(cli)
    result = cli("list", "scenes", "--actor", "지창욱", "--json")
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["meta"]["count"] == 1
    scene = payload["data"][0]
    assert scene["key"] == "melting-me-softly-e10-the-shower-kiss"
    assert scene["drama"] == "Melting Me Softly"
    assert scene["episode"] == 10
    assert scene["actors"] == ["Ji Chang Wook", "Won Jin Ah"]
    assert scene["at"] == "52:10"
    assert scene["latest_views"] == {
        "count": 1_000_000,
        "on": "2019-11-10",
        "source": "tvN official upload",
    }
    assert result.stderr == ""

    shown = cli("show", "scene", "melting-me-softly-e10-the-shower-kiss")
    assert shown.exit_code == 0
    assert "1,000,000" in shown.stdout and "Melting Me Softly (tvN, 2019)" in shown.stdout

    actor = cli("show", "actor", "JI CHANGWOOK", "--json")
    data = json.loads(actor.stdout)["data"]
    assert data["name"] == "Ji Chang Wook" and data["scenes"] == 1
    assert data["credits"][0]["character"] == "Ma Dong Chan"

    drama = cli("show", "drama", "날 녹여주오", "--json")
    assert json.loads(drama.stdout)["data"]["title"] == "Melting Me Softly"


def test_listing_json_is_clean_and_tables_print_on_stdout(sample_db: Path, cli) -> None:
    for kind in ("actors", "dramas", "episodes", "scenes"):
        result = cli("list", kind, "--json")
        assert result.exit_code == 0
        payload = json.loads(result.stdout)
        assert set(payload) == {"data", "meta"}
        assert "\x1b" not in result.stdout
        table = cli("list", kind)
        assert table.exit_code == 0 and table.stdout.strip()


def test_list_filters(sample_db: Path, cli) -> None:
    all_kisses = json.loads(cli("list", "scenes", "--kind", "kiss", "--json").stdout)["data"]
    assert len(all_kisses) >= 10 and len({s["drama"] for s in all_kisses}) >= 5
    kisses = json.loads(
        cli("list", "scenes", "--actor", "Ji Chang Wook", "--kind", "kiss", "--json").stdout
    )
    assert len({s["drama"] for s in kisses["data"]}) >= 5
    assert all(s["kind"] == "kiss" and "Ji Chang Wook" in s["actors"] for s in kisses["data"])
    tvn = json.loads(cli("list", "scenes", "--network", "tvn", "--json").stdout)["data"]
    assert tvn and all(s["network"] == "tvN" for s in tvn)
    years = json.loads(cli("list", "scenes", "--year", "2016..2017", "--json").stdout)["data"]
    assert years and all(2016 <= s["year"] <= 2017 for s in years)
    safe = json.loads(cli("list", "scenes", "--spoiler", "minor", "--json").stdout)["data"]
    assert safe and all(s["spoiler"] in ("none", "minor") for s in safe)
    limited = json.loads(cli("list", "scenes", "--limit", "3", "--json").stdout)
    assert len(limited["data"]) == 3 and limited["meta"]["more"] is True
    everything = json.loads(cli("list", "scenes", "--json").stdout)
    assert everything["meta"]["more"] is False and everything["meta"]["count"] > 3
    by_drama = json.loads(cli("list", "dramas", "--actor", "Ji Chang-wook", "--json").stdout)[
        "data"
    ]
    assert {"Healer", "The K2", "Melting Me Softly"} <= {d["title"] for d in by_drama}


def test_near_miss_gets_did_you_mean(sample_db: Path, cli) -> None:
    result = cli("list", "scenes", "--actor", "Ji Chang Wok")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "Error: no actor called 'Ji Chang Wok'"
    assert "did you mean 'Ji Chang Wook'" in result.stderr


def test_add_actor_with_folded_twin_needs_force(db: Path, cli) -> None:
    assert cli("add-actor", "Jang Jin Young").exit_code == 0
    before = dump(db)
    result = cli("add-actor", "Jang Jin-young")
    assert result.exit_code == 1
    assert "looks like existing actor 'Jang Jin Young'" in result.stderr
    assert "--force" in result.stderr
    assert dump(db) == before
    assert cli("add-actor", "Jang Jin-young", "--force").exit_code == 0
    ambiguous = cli("show", "actor", "jang jinyoung")
    assert ambiguous.exit_code == 1
    assert "matches 2 actors" in ambiguous.stderr
    assert cli("show", "actor", "Jang Jin-young").exit_code == 0


@pytest.mark.slow
def test_edit_with_flags_and_editor(sample_db: Path, cli, monkeypatch, tmp_path: Path) -> None:
    key = "melting-me-softly-e10-shower-kiss"
    assert cli("edit", "scene", key, "--title", "The cold shower kiss").exit_code == 0
    data = json.loads(cli("show", "scene", key, "--json").stdout)["data"]
    assert data["title"] == "The cold shower kiss"
    assert data["latest_views"]["count"] >= 1_000_000  # views survive a flag edit

    script = tmp_path / "editor.py"
    script.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "p.write_text(p.read_text().replace('network: tvN', 'network: tvN (CJ ENM)'))\n"
    )
    import sys

    # $EDITOR needs a terminal: a pseudo-terminal here.
    env = {"EDITOR": f"{sys.executable} {script}", "VISUAL": "", "SCENECAT_DB": str(sample_db)}
    term = Terminal(["edit", "drama", "Melting Me Softly"], env)
    assert term.wait() == 0, term.output
    drama = json.loads(cli("show", "drama", "Melting Me Softly", "--json").stdout)["data"]
    assert drama["network"] == "tvN (CJ ENM)"
    assert len(drama["cast"]) >= 2 and len(drama["scene_list"]) >= 1


@pytest.mark.slow
def test_editor_with_bad_yaml_changes_nothing(
    sample_db: Path, cli, monkeypatch, tmp_path: Path
) -> None:
    import sys

    script = tmp_path / "editor.py"
    script.write_text(
        "import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
        "p.write_text(p.read_text().replace('episodes: 16', 'episodes: sixteen'))\n"
    )
    env = {"EDITOR": f"{sys.executable} {script}", "VISUAL": "", "SCENECAT_DB": str(sample_db)}
    before = dump(sample_db)
    term = Terminal(["edit", "drama", "Melting Me Softly"], env, cwd=tmp_path)
    shown = term.expect("Edit your text again? [Y/n]: ")
    assert "The edit was not applied: episodes: expected a whole number" in shown
    term.type("n")
    assert term.wait() == 1, term.output
    assert "Error: nothing was changed; your edited text is saved in ./" in term.output
    assert dump(sample_db) == before


def test_alias_then_find_by_alias(sample_db: Path, cli) -> None:
    assert cli("alias", "actor", "Ji Chang Wook", "JCW").exit_code == 0
    data = json.loads(cli("show", "actor", "jcw", "--json").stdout)["data"]
    assert data["name"] == "Ji Chang Wook"
    assert cli("alias", "actor", "Ji Chang Wook", "JCW", "--remove").exit_code == 0
    assert cli("show", "actor", "jcw").exit_code == 1
    assert cli("alias", "drama", "Melting Me Softly", "Melt Me Softly").exit_code == 0
    assert cli("list", "scenes", "--drama", "melt me softly").exit_code == 0


def test_merge_moves_credits_scenes_and_keeps_name_as_alias(db: Path, cli) -> None:
    _add_news_scene(cli)
    assert cli("add-actor", "Jichang Wook", "--force").exit_code == 0
    cli("add-drama", "Healer", "--episodes", "20", "--cast", "Jichang Wook:Seo Jung Hoo")
    assert (
        cli(
            "add-scene",
            "-d",
            "Healer",
            "-e",
            "9",
            "-a",
            "Jichang Wook",
            "-k",
            "kiss",
            "-t",
            "Snow kiss",
        ).exit_code
        == 0
    )
    assert cli("vote", "healer-e9-snow-kiss", "9").exit_code == 0
    refused = cli("merge", "actor", "Ji Chang Wook", "Jichang Wook")
    assert refused.exit_code == 1 and "--yes" in refused.stderr
    result = cli("merge", "actor", "Ji Chang Wook", "Jichang Wook", "--yes")
    assert result.exit_code == 0, result.stderr
    actor = json.loads(cli("show", "actor", "Ji Chang Wook", "--json").stdout)["data"]
    assert actor["scenes"] == 2
    assert "Jichang Wook" in actor["aliases"]
    assert {c["drama"] for c in actor["credits"]} == {"Healer", "Melting Me Softly"}
    scene = json.loads(cli("show", "scene", "healer-e9-snow-kiss", "--json").stdout)["data"]
    assert scene["actors"] == ["Ji Chang Wook"] and scene["votes"][0]["score"] == 9
    assert cli("db", "check").exit_code == 0


def test_remove_asks_first(sample_db: Path, cli) -> None:
    key = "melting-me-softly-e10-shower-kiss"
    before = dump(sample_db)
    refused = cli("remove", "scene", key)
    assert refused.exit_code == 1 and "pass --yes" in refused.stderr
    assert dump(sample_db) == before
    assert cli("remove", "scene", key, "--yes").exit_code == 0
    assert cli("show", "scene", key).exit_code == 1
    assert cli("remove", "drama", "Healer", "--yes").exit_code == 0
    assert json.loads(cli("list", "scenes", "--json").stdout)["data"]
    assert cli("show", "drama", "Healer").exit_code == 1
    assert cli("remove", "actor", "Won Jin Ah", "--yes").exit_code == 0
    assert cli("db", "check").exit_code == 0


def test_add_episode_and_views_warning(sample_db: Path, cli) -> None:
    assert (
        cli(
            "add-episode", "Melting Me Softly", "11", "--aired", "2019-11-02", "--rating", "2.5"
        ).exit_code
        == 0
    )
    episodes = json.loads(cli("list", "episodes", "--drama", "Melting Me Softly", "--json").stdout)[
        "data"
    ]
    assert {"drama_id": episodes[0]["drama_id"], "drama": "Melting Me Softly", "number": 11,
            "aired": "2019-11-02", "title": None, "rating": 2.5} in episodes  # fmt: skip
    key = "melting-me-softly-e10-shower-kiss"
    low = cli("views", key, "10", "--on", "2020-06-01", "--source", "tvN official upload")
    assert low.exit_code == 0
    assert "warning:" in low.stderr and "lower than" in low.stderr


def test_vote_replaces_and_keeps_history(sample_db: Path, cli) -> None:
    key = "healer-e9-snowy-rooftop-kiss"
    assert cli("vote", key, "3", "--voter", "zed", "--on", "2024-01-01").exit_code == 0
    again = cli("vote", key, "8", "--voter", "zed", "--on", "2024-02-01")
    assert again.exit_code == 0 and "replaces zed's earlier vote of 3" in again.stderr
    votes = json.loads(cli("show", "scene", key, "--json").stdout)["data"]["votes"]
    assert {"voter": "zed", "score": 8, "on": "2024-02-01"} in votes
    assert cli("db", "check").exit_code == 0


def test_db_path_and_init(db: Path, cli) -> None:
    assert cli("db", "path").stdout.strip() == str(db)
    assert cli("init").exit_code == 0
    assert cli("init").exit_code == 0
    assert db.exists()


def test_db_option_beats_env(tmp_path: Path, cli) -> None:
    other = tmp_path / "other.db"
    assert cli("--db", str(other), "db", "path").stdout.strip() == str(other)


def test_views_out_of_order_warn_both_ways(sample_db: Path, cli) -> None:
    key = "melting-me-softly-e10-shower-kiss"
    assert (
        cli("views", key, "5000000", "--on", "2024-01-01", "--source", "fan upload").exit_code == 0
    )
    high = cli("views", key, "6000000", "--on", "2023-01-01", "--source", "fan upload")
    assert high.exit_code == 0
    assert "is higher than the 5,000,000 on fan upload seen later on 2024-01-01" in high.stderr
    shown = json.loads(cli("show", "scene", key, "--json").stdout)["data"]
    # Per source the latest date wins, then the largest across sources.
    assert shown["latest_views"]["count"] == 5_000_000
