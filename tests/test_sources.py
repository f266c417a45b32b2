"""Facts from the web (issue 15): metadata sources, lookup, add-drama --from, refresh drama.

Every response is recorded (tests/fixtures/sources, shaped as the providers document them)
and served by respx; pytest-socket blocks any real connection, and subprocesses get a dead
proxy, so nothing here reaches the internet.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from tests.conftest import Run, dump, run_process
from tests.sources_helpers import (
    FIXTURES,
    WIKIDATA,
    fixture,
    no_network,
    offline_env,
    tmdb_routes,
)

__all__ = ["no_network"]  # the fixture, used by name

SG_FILE = str(FIXTURES / "tmdb-tv-secret-garden.json")
EDGE_FILE = str(FIXTURES / "tmdb-tv-edge-cases.json")
MMS_FILE = str(FIXTURES / "tmdb-tv-melting-me-softly.json")
WD_FILE = str(FIXTURES / "wikidata-wbgetentities-melting-me-softly.json")


def show(cli: Callable[..., Run], what: str, name: str) -> dict[str, Any]:
    result = cli("show", what, name, "--json")
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)["data"]
    return data


def actor_names(cli: Callable[..., Run]) -> list[str]:
    result = cli("list", "actors", "--json")
    return [a["name"] for a in json.loads(result.stdout)["data"]]


# `scenecat sources` and plugins


def test_sources_lists_both_built_ins_with_their_terms(cli: Callable[..., Run]) -> None:
    result = cli("sources")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[1].startswith("wikidata\t") and "CC0" in lines[1]
    assert lines[2].startswith("tmdb\t") and "TMDB_API_KEY" in lines[2]
    assert "terms of use" in lines[2]
    notice = "This product uses the TMDB API but is not endorsed or certified by TMDB."
    assert lines[-1] == notice
    data = json.loads(cli("sources", "--json").stdout)
    assert [s["name"] for s in data["data"]] == ["wikidata", "tmdb"]
    assert data["meta"]["notice"] == notice


def test_a_source_installed_as_a_package_appears(tmp_path: Path) -> None:
    # A real distribution on sys.path with an entry point in the `scenecat` group.
    site = tmp_path / "site"
    (site / "fansource-1.0.dist-info").mkdir(parents=True)
    (site / "fansource-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: fansource\nVersion: 1.0\n"
    )
    (site / "fansource-1.0.dist-info" / "entry_points.txt").write_text(
        "[scenecat]\nfansource = fansource_plugin\n"
    )
    (site / "fansource_plugin.py").write_text(
        textwrap.dedent(
            """
            from scenecat.sources.plugins import hookimpl

            class FanSource:
                name = "fanwiki"
                summary = "dramas from a fan wiki"
                terms = "CC BY-SA"
                setup = None

            @hookimpl
            def register_sources(register):
                register(FanSource())
            """
        )
    )
    env = {**offline_env(tmp_path), "PYTHONPATH": str(site)}
    result = run_process("sources", env=env)
    assert result.exit_code == 0, result.stderr
    assert "fanwiki\tdramas from a fan wiki\tnothing\tCC BY-SA" in result.stdout.splitlines()


def test_an_unknown_source_is_one_error_line(cli: Callable[..., Run], no_network: Any) -> None:
    result = cli("lookup", "drama", "Healer", "--source", "nowhere")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no metadata source called 'nowhere'")
    assert "installed: wikidata, tmdb" in result.stderr


# lookup


def test_lookup_strong_match_on_tmdb_with_a_descriptive_user_agent(
    cli: Callable[..., Run], no_network: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMDB_API_KEY", "k123")
    with respx.mock(assert_all_called=False) as mock:
        routes = tmdb_routes(mock)
        routes["search"].respond(json=fixture("tmdb-search-secret-garden.json"))
        result = cli("lookup", "drama", "secret garden", "--year", "2010", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)["data"]
    assert data == [
        {
            "source": "tmdb",
            "id": "9001",
            "title": "Secret Garden",
            "native": "시크릿 가든",
            "year": 2010,
            "network": None,
            "episodes": None,
            "country": "South Korea",
            "distance": 0.0,
            "strong": True,
        }
    ]
    request = routes["search"].calls.last.request
    assert request.url.params["api_key"] == "k123"
    assert request.url.params["query"] == "secret garden"
    assert request.url.params["first_air_date_year"] == "2010"
    assert request.headers["User-Agent"].startswith("scenecat/")
    assert "K-drama scene catalogue" in request.headers["User-Agent"]


def test_lookup_several_candidates_shows_distances_and_no_strong_match(
    cli: Callable[..., Run], no_network: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMDB_TOKEN", "token-abc")
    with respx.mock(assert_all_called=False) as mock:
        routes = tmdb_routes(mock)
        routes["search"].respond(json=fixture("tmdb-search-healer.json"))
        result = cli("lookup", "drama", "Healer")
    assert result.exit_code == 0
    rows = [line.split("\t") for line in result.stdout.splitlines()[1:]]
    assert [(r[2], r[1], r[5]) for r in rows] == [
        ("tmdb:9004", "0.00", "2014"),
        ("tmdb:9005", "0.00", "2016"),
    ]
    assert "No strong match" in result.stderr
    # A bearer token is sent as such, not as a query parameter.
    request = routes["search"].calls.last.request
    assert request.headers["Authorization"] == "Bearer token-abc"
    assert "api_key" not in request.url.params


def test_lookup_year_breaks_the_tie(
    cli: Callable[..., Run], no_network: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMDB_API_KEY", "k")
    with respx.mock(assert_all_called=False) as mock:
        tmdb_routes(mock)["search"].respond(json=fixture("tmdb-search-healer.json"))
        data = json.loads(cli("lookup", "drama", "Healer", "--year", "2014", "--json").stdout)
    assert [(d["id"], d["distance"], d["strong"]) for d in data["data"]] == [
        ("9004", 0.0, True),
        ("9005", 0.25, False),
    ]


def test_lookup_on_wikidata_keeps_series_only(cli: Callable[..., Run], no_network: Any) -> None:
    with respx.mock(assert_all_called=False) as mock:
        api = mock.get(host=WIKIDATA, path="/w/api.php")

        def answer(request: httpx.Request) -> httpx.Response:
            params = request.url.params
            if params["action"] == "wbsearchentities":
                return httpx.Response(
                    200, json=fixture("wikidata-wbsearchentities-melting-me-softly.json")
                )
            if "Q650000001" in params["ids"]:
                return httpx.Response(200, json=fixture("wikidata-wbgetentities-search.json"))
            return httpx.Response(200, json=fixture("wikidata-wbgetentities-labels.json"))

        api.side_effect = answer
        result = cli("lookup", "drama", "Melting Me Softly", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)["data"]
    assert [(d["id"], d["network"], d["episodes"], d["year"], d["strong"]) for d in data] == [
        ("Q650000001", "tvN", 16, 2019, True)
    ]
    # One query at a time, each with the format and a User-Agent.
    assert [c.request.url.params["action"] for c in api.calls] == [
        "wbsearchentities",
        "wbgetentities",
        "wbgetentities",
    ]
    assert all(c.request.url.params["format"] == "json" for c in api.calls)


def test_lookup_finds_nothing(cli: Callable[..., Run], no_network: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("TMDB_API_KEY", "k")
    with respx.mock(assert_all_called=False) as mock:
        tmdb_routes(mock)["search"].respond(json=fixture("tmdb-search-none.json"))
        result = cli("lookup", "drama", "No Such Drama")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "tmdb has no drama matching 'No Such Drama'" in result.stderr


# add-drama --from


@pytest.mark.slow
def test_done_when_add_drama_from_a_saved_tmdb_response_on_the_sample(
    sample_db: Path, tmp_path: Path
) -> None:
    from tests.conftest import dump as dump_db

    before_actors = dump_db(sample_db).count("\n")
    env = {**offline_env(tmp_path), "SCENECAT_DB": str(sample_db)}
    result = run_process(
        "add-drama", "Secret Garden", "--from", "tmdb", "--from-file", SG_FILE, env=env
    )
    assert result.exit_code == 0, result.stderr
    assert "8 cast members (3 already in the catalogue, 5 new), 20 episodes" in result.stderr
    assert "Linked: Ha Ji Won, Hyun Bin, Yoo In Na" in result.stderr
    shown = json.loads(run_process("show", "drama", "Secret Garden", "--json", env=env).stdout)[
        "data"
    ]
    assert (shown["native"], shown["network"], shown["year"], shown["episodes"]) == (
        "시크릿 가든",
        "SBS",
        2010,
        20,
    )
    assert shown["ids"] == {"tmdb": "9001", "wikidata": "Q483960001"}
    assert [(c["actor"], c["character"], c["billing"]) for c in shown["cast"]][:3] == [
        ("Ha Ji Won", "Gil Ra-im", 1),
        ("Hyun Bin", "Kim Joo-won", 2),
        ("Yoon Sang Hyun", "Oska", 3),
    ]
    assert len(shown["cast"]) == 8
    episodes = shown["episode_list"]
    assert [e["number"] for e in episodes] == list(range(1, 21))
    assert (episodes[0]["aired"], episodes[-1]["aired"]) == ("2010-11-13", "2011-01-16")
    # Every actor already present was linked: the sample actor gained the credit, and no
    # second "Ha Ji-won" was made.
    env_cli = env
    actors = json.loads(run_process("list", "actors", "--json", env=env_cli).stdout)["data"]
    names = [a["name"] for a in actors]
    assert "Ha Ji-won" not in names and "Yoo In-na" not in names
    assert {"Yoon Sang Hyun", "Kim Sa Rang", "Lee Philip", "Lee Jong Suk", "Kim Sung Oh"} <= set(
        names
    )
    ha = json.loads(run_process("show", "actor", "하지원", "--json", env=env).stdout)["data"]
    assert ha["born"] == 1978 and ha["ids"] == {"tmdb": "90001"}
    assert "Secret Garden" in [c["drama"] for c in ha["credits"]]
    new = json.loads(run_process("show", "actor", "Yoon Sang-hyun", "--json", env=env).stdout)
    # A saved en-US answer has Latin names only (a person's `original_name` is TMDB's primary
    # name, not the Hangul one): the catalogue's spelling, the source's as an alias.
    assert new["data"]["native"] is None and new["data"]["aliases"] == ["Yoon Sang-hyun"]
    assert dump_db(sample_db).count("\n") > before_actors


def test_adding_the_same_drama_again_is_refused(cli: Callable[..., Run], sample_db: Path) -> None:
    assert cli("add-drama", "Secret Garden", "--from-file", SG_FILE).exit_code == 0
    before = dump(sample_db)
    again = cli("add-drama", "Secret Garden", "--from-file", SG_FILE)
    assert again.exit_code == 1
    assert "TMDB 9001 is already in the catalogue as 'Secret Garden'" in again.stderr
    assert "refresh drama" in again.stderr
    assert dump(sample_db) == before


def test_from_with_hand_typed_facts_is_a_usage_error(
    cli: Callable[..., Run], sample_db: Path
) -> None:
    result = cli("add-drama", "Secret Garden", "--from-file", SG_FILE, "--network", "KBS2")
    assert result.exit_code == 2
    assert "the source fills the drama" in result.stderr


def test_from_file_about_another_drama_is_refused(cli: Callable[..., Run], sample_db: Path) -> None:
    before = dump(sample_db)
    result = cli("add-drama", "Goblin 2", "--from", "tmdb", "--from-file", SG_FILE)
    assert result.exit_code == 1
    assert "is about 'Secret Garden', not 'Goblin 2'" in result.stderr
    assert dump(sample_db) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"page": 1, "results": []}', "not a TMDB TV series response"),
        ("[1, 2]", "not a TMDB TV series response"),
    ],
)
def test_a_bad_saved_file_changes_nothing(
    cli: Callable[..., Run], sample_db: Path, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "saved.json"
    path.write_text(content)
    before = dump(sample_db)
    result = cli("add-drama", "Secret Garden", "--from", "tmdb", "--from-file", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert dump(sample_db) == before


def test_edge_cases_two_roles_hangul_only_missing_fields(
    cli: Callable[..., Run], sample_db: Path
) -> None:
    result = cli("add-drama", "Twin Rivers", "--from-file", EDGE_FILE)
    assert result.exit_code == 0, result.stderr
    shown = show(cli, "drama", "Twin Rivers")
    # Missing first air date, episode count, seasons: left empty, not invented.
    assert (shown["year"], shown["episodes"], shown["episode_list"]) == (None, None, [])
    cast = {c["actor"]: c for c in shown["cast"]}
    # One actor in two roles: one credit per character, as a dual role from --cast or import.
    roles = [c["character"] for c in shown["cast"] if c["actor"] == "Ji Chang Wook"]
    assert roles == ["Kang Ho", "Kang Min"]
    # A romanised Korean name takes the catalogue's spelling in a Korean drama.
    assert show(cli, "actor", "Park Ha-neul")["name"] == "Park Ha Neul"
    # An empty character and an entry without roles: no character.
    assert cast["Lee Dong Wook"]["character"] is None
    assert cast["Seo Eun Ho"]["character"] is None


def test_same_name_different_birth_year_stays_apart_wikidata(
    cli: Callable[..., Run], db: Path
) -> None:
    cli("add-actor", "Kim Ji Won", "--native", "김지원", "--born", "1992")
    cli("add-actor", "Ji Chang Wook", "--native", "지창욱", "--born", "1987")
    result = cli("add-drama", "Melting Me Softly", "--from", "wikidata", "--from-file", WD_FILE)
    assert result.exit_code == 0, result.stderr
    assert (
        "warning: kept apart: Kim Ji-won (Wikidata Q650000011): born 2001, not 1992"
        in result.stderr
    )
    shown = show(cli, "drama", "Melting Me Softly")
    assert shown["ids"] == {"wikidata": "Q650000001"}
    assert (shown["network"], shown["country"], shown["year"], shown["episodes"]) == (
        "tvN",
        "South Korea",
        2019,
        16,
    )
    # No P1545 ordinals: no billing (statement order is not one), listed by name.
    assert [(c["actor"], c["character"]) for c in shown["cast"]] == [
        ("Ji Chang Wook", "Ma Dong-chan"),
        ("Kim Ji Won (2001)", "Hye-jin"),
        ("Won Jin Ah", "Go Mi-ran"),
    ]
    # The catalogue's Kim Ji Won is untouched and not in the cast.
    assert show(cli, "actor", "Kim Ji Won")["credits"] == []
    assert show(cli, "actor", "Kim Ji Won (2001)")["born"] == 2001


@pytest.mark.slow
def test_same_name_different_tmdb_id_stays_apart(
    cli: Callable[..., Run], db: Path, tmp_path: Path
) -> None:
    catalogue = tmp_path / "c.yaml"
    catalogue.write_text(
        "format: scenecat/1\nactors:\n  - {name: Kim Ji Won, native: 김지원, ids: {tmdb: '1234'}}\n"
    )
    assert cli("import", str(catalogue)).exit_code == 0
    result = cli("add-drama", "Twin Rivers", "--from-file", EDGE_FILE)
    assert result.exit_code == 0, result.stderr
    assert (
        "kept apart: Kim Ji-won (TMDB 90202): Kim Ji Won is TMDB 1234, this is 90202"
        in result.stderr
    )
    # (A saved en-US answer carries no Hangul name to tell them apart by: the source's id.)
    assert "Kim Ji Won (TMDB 90202)" in actor_names(cli)


@pytest.mark.slow
def test_network_path_compares_birth_years_before_linking(
    cli: Callable[..., Run], sample_db: Path, no_network: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMDB_API_KEY", "k")
    with respx.mock(assert_all_called=False) as mock:
        routes = tmdb_routes(mock)
        routes["tv"].respond(json=fixture("tmdb-tv-edge-cases.json"))

        def person(request: httpx.Request) -> httpx.Response:
            if request.url.path.endswith("/90202"):
                return httpx.Response(200, json=fixture("tmdb-person-kim-ji-won-2001.json"))
            pid = int(request.url.path.rsplit("/", 1)[1])
            return httpx.Response(200, json={"id": pid, "name": "x", "birthday": None})

        routes["person"].side_effect = person
        result = cli("add-drama", "Twin Rivers", "--from", "tmdb:9003")
    assert result.exit_code == 0, result.stderr
    assert "kept apart: Kim Ji-won (TMDB 90202): born 2001, not 1992" in result.stderr
    asked = sorted(c.request.url.path for c in routes["person"].calls)
    # Only people whose name matched an actor with a known birth year are looked up.
    assert asked == ["/3/person/90201", "/3/person/90202"]
    assert show(cli, "actor", "Kim Ji Won (2001)")["ids"] == {"tmdb": "90202"}
    assert "Twin Rivers" not in [c["drama"] for c in show(cli, "actor", "Kim Ji Won")["credits"]]


@pytest.mark.slow
def test_add_drama_by_title_strong_match(
    cli: Callable[..., Run], sample_db: Path, no_network: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMDB_API_KEY", "k")
    with respx.mock(assert_all_called=False) as mock:
        routes = tmdb_routes(mock)
        routes["search"].respond(json=fixture("tmdb-search-secret-garden.json"))
        routes["tv"].respond(json=fixture("tmdb-tv-secret-garden.json"))
        routes["person"].respond(json={"id": 1, "name": "x", "birthday": None})
        result = cli("add-drama", "Secret Garden", "--from", "tmdb")
    assert result.exit_code == 0, result.stderr
    tv = routes["tv"].calls.last.request
    assert tv.url.path == "/3/tv/9001"
    assert tv.url.params["append_to_response"] == "aggregate_credits,external_ids,season/1"
    assert len(show(cli, "drama", "Secret Garden")["episode_list"]) == 20


def test_add_drama_several_candidates_off_a_terminal_lists_them_and_exits_1(
    cli: Callable[..., Run], sample_db: Path, no_network: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMDB_API_KEY", "k")
    before = dump(sample_db)
    with respx.mock(assert_all_called=False) as mock:
        routes = tmdb_routes(mock)
        routes["search"].respond(json=fixture("tmdb-search-healer.json"))
        result = cli("add-drama", "Healer", "--from", "tmdb")
    assert result.exit_code == 1
    assert "tmdb:9004" in result.stdout and "tmdb:9005" in result.stdout
    assert "Error: no strong match for 'Healer' in tmdb; nothing was changed" in result.stderr
    assert "--from tmdb:ID" in result.stderr
    assert not routes["tv"].called
    assert dump(sample_db) == before


@pytest.mark.slow
def test_add_drama_no_candidate(
    cli: Callable[..., Run], sample_db: Path, no_network: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMDB_API_KEY", "k")
    before = dump(sample_db)
    with respx.mock(assert_all_called=False) as mock:
        tmdb_routes(mock)["search"].respond(json=fixture("tmdb-search-none.json"))
        result = cli("add-drama", "Nothing Like It", "--from", "tmdb")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: tmdb has no drama matching 'Nothing Like It'")
    assert dump(sample_db) == before


def test_tmdb_without_a_key_says_how_to_get_one(
    cli: Callable[..., Run], sample_db: Path, no_network: Any
) -> None:
    result = cli("add-drama", "Secret Garden", "--from", "tmdb:9001")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: TMDB needs a key: set TMDB_API_KEY")


# HTTP behaviour


@pytest.mark.slow
def test_429_then_success_waits_as_retry_after_says(
    cli: Callable[..., Run], sample_db: Path, no_network: list[float], monkeypatch: Any
) -> None:
    monkeypatch.setenv("TMDB_API_KEY", "k")
    with respx.mock(assert_all_called=False) as mock:
        routes = tmdb_routes(mock)
        routes["tv"].side_effect = [
            httpx.Response(429, headers={"Retry-After": "3"}),
            httpx.Response(503),
            httpx.Response(200, json=fixture("tmdb-tv-secret-garden.json")),
        ]
        routes["person"].respond(json={"id": 1, "name": "x"})
        result = cli("add-drama", "Secret Garden", "--from", "tmdb:9001")
    assert result.exit_code == 0, result.stderr
    assert no_network == [3.0, 2.0]  # Retry-After, then backoff (1 s, 2 s, ...) without one
    assert routes["tv"].call_count == 3


def test_rate_limited_past_the_retries_is_one_line_and_nothing_written(
    cli: Callable[..., Run], sample_db: Path, no_network: list[float], monkeypatch: Any
) -> None:
    monkeypatch.setenv("TMDB_API_KEY", "k")
    before = dump(sample_db)
    with respx.mock(assert_all_called=False) as mock:
        route = tmdb_routes(mock)["tv"]
        route.respond(429, headers={"Retry-After": "3600"})  # longer than scenecat waits
        result = cli("add-drama", "Secret Garden", "--from", "tmdb:9001")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "Error: api.themoviedb.org is limiting requests (HTTP 429); nothing was changed"
    )
    assert no_network == [] and route.call_count == 1
    assert dump(sample_db) == before


@pytest.mark.slow
@pytest.mark.parametrize(
    ("failure", "message"),
    [
        (httpx.ReadTimeout("timed out"), "api.themoviedb.org did not answer within 20 s"),
        (
            httpx.ConnectError("[Errno -3] name resolution failed"),
            "cannot reach api.themoviedb.org",
        ),
    ],
    ids=["timeout", "offline"],
)
def test_timeout_and_offline_are_one_clear_line(
    cli: Callable[..., Run],
    sample_db: Path,
    no_network: Any,
    monkeypatch: Any,
    failure: Exception,
    message: str,
) -> None:
    monkeypatch.setenv("TMDB_API_KEY", "k")
    before = dump(sample_db)
    with respx.mock(assert_all_called=False) as mock:
        tmdb_routes(mock)["tv"].side_effect = failure
        result = cli("add-drama", "Secret Garden", "--from", "tmdb:9001")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: " + message)
    assert "nothing was changed" in result.stderr.splitlines()[0]
    assert "Traceback" not in result.stderr
    assert dump(sample_db) == before


def test_malformed_json_from_the_service(
    cli: Callable[..., Run], sample_db: Path, no_network: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("TMDB_API_KEY", "k")
    before = dump(sample_db)
    with respx.mock(assert_all_called=False) as mock:
        tmdb_routes(mock)["tv"].respond(200, text='{"id": 9001, "name": "Secret')
        result = cli("add-drama", "Secret Garden", "--from", "tmdb:9001")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: api.themoviedb.org sent a reply that is not valid JSON")
    assert dump(sample_db) == before


@pytest.mark.slow
def test_offline_in_a_real_process_is_one_line(sample_db: Path, tmp_path: Path) -> None:
    env = {**offline_env(tmp_path), "SCENECAT_DB": str(sample_db), "TMDB_API_KEY": "k"}
    before = dump(sample_db)
    result = run_process("add-drama", "Secret Garden", "--from", "tmdb:9001", env=env)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot reach api.themoviedb.org")
    assert dump(sample_db) == before


def test_responses_are_cached_on_disk(
    cli: Callable[..., Run], no_network: Any, monkeypatch: Any, tmp_path: Path
) -> None:
    monkeypatch.setenv("TMDB_API_KEY", "k")
    with respx.mock(assert_all_called=False) as mock:
        route = tmdb_routes(mock)["search"]
        route.respond(json=fixture("tmdb-search-secret-garden.json"))
        assert cli("lookup", "drama", "Secret Garden").exit_code == 0
        assert cli("lookup", "drama", "Secret Garden").exit_code == 0
    assert route.call_count == 1
    assert (tmp_path / "cache" / "http-cache.sqlite").exists()


# refresh drama and source ids in format 1


@pytest.mark.slow
def test_refresh_drama_shows_a_diff_and_applies_on_confirmation(
    cli: Callable[..., Run], sample_db: Path, no_network: Any, monkeypatch: Any
) -> None:
    before = dump(sample_db)
    asked = cli("refresh", "drama", "Melting Me Softly", "--from-file", MMS_FILE)
    assert asked.exit_code == 1  # no terminal to confirm on, no --yes
    assert "episode 2: + aired 2019-09-29" in asked.stdout
    assert "TMDB id: - -> 9002" in asked.stdout
    assert "cast:" not in asked.stdout  # the three are credited already (variant spellings)
    assert dump(sample_db) == before
    done = cli("refresh", "drama", "Melting Me Softly", "--from-file", MMS_FILE, "--yes")
    assert done.exit_code == 0, done.stderr
    assert "Linked: Ji Chang Wook, Won Jin Ah, Yoon Se Ah" in done.stderr
    assert show(cli, "actor", "Ji Chang Wook")["ids"] == {"tmdb": "90101"}
    shown = show(cli, "drama", "Melting Me Softly")
    assert shown["ids"] == {"tmdb": "9002", "wikidata": "Q650000001"}
    assert len(shown["episode_list"]) == 16
    assert shown["synopsis"].startswith("In 1999")  # facts the source lacks are kept
    # Now the stored id is used: through the network (recorded), nothing left to change.
    monkeypatch.setenv("TMDB_API_KEY", "k")
    with respx.mock(assert_all_called=False) as mock:
        routes = tmdb_routes(mock)
        route = routes["tv"]
        route.respond(json=fixture("tmdb-tv-melting-me-softly.json"))
        routes["person"].respond(json={"id": 1, "name": "x", "birthday": "1987-07-05"})
        again = cli("refresh", "drama", "Melting Me Softly")
    assert again.exit_code == 0
    assert not routes["person"].called  # the cast is known by id now
    assert route.calls.last.request.url.path == "/3/tv/9002"
    assert "Melting Me Softly is up to date with TMDB 9002" in again.stderr


def test_refresh_without_a_source_id_says_how(cli: Callable[..., Run], sample_db: Path) -> None:
    result = cli("refresh", "drama", "Healer")
    assert result.exit_code == 1
    assert "Error: 'Healer' has no source id yet" in result.stderr
    assert "--from tmdb:ID" in result.stderr


@pytest.mark.slow
def test_source_ids_export_and_reimport(
    cli: Callable[..., Run], sample_db: Path, tmp_path: Path
) -> None:
    assert cli("add-drama", "Secret Garden", "--from-file", SG_FILE).exit_code == 0
    out = tmp_path / "out.yaml"
    assert cli("export", "yaml", "-o", str(out)).exit_code == 0
    text = out.read_text()
    assert "ids: {tmdb: '9001', wikidata: Q483960001}" in text or "tmdb: '9001'" in text
    # Into an empty catalogue (the bulk path) and over itself (the merge path).
    fresh = tmp_path / "fresh.db"
    os.environ["SCENECAT_DB"] = str(fresh)
    assert cli("import", str(out)).exit_code == 0
    assert show(cli, "drama", "Secret Garden")["ids"] == {"tmdb": "9001", "wikidata": "Q483960001"}
    assert show(cli, "actor", "Hyun Bin")["ids"] == {"tmdb": "90002"}
    again = cli("import", str(out))
    assert again.exit_code == 0, again.stderr
    jsonl = tmp_path / "out.jsonl"
    assert cli("export", "jsonl", "-o", str(jsonl)).exit_code == 0
    assert '"ids": {"tmdb": "9001", "wikidata": "Q483960001"}' in jsonl.read_text()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("ids", "message"),
    [
        ("[1, 2]", "actors[0].ids: expected a mapping of source to id"),
        ("{'TMDB Id': 1}", "not a source name"),
        ("{tmdb: 'a b'}", "is not an id"),
    ],
)
def test_bad_ids_in_a_file_are_refused(
    cli: Callable[..., Run], db: Path, tmp_path: Path, ids: str, message: str
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(f"format: scenecat/1\nactors:\n  - {{name: A B, ids: {ids}}}\n")
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert message in result.stderr


def test_one_id_on_two_records_is_refused(
    cli: Callable[..., Run], sample_db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "format: scenecat/1\nactors:\n"
        "  - {name: Ji Chang Wook, ids: {tmdb: '5'}}\n  - {name: Won Jin Ah, ids: {tmdb: '5'}}\n"
    )
    before = dump(sample_db)
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert "tmdb id 5 already belongs to another actor" in result.stderr
    assert dump(sample_db) == before


# start-up


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [("list", "scenes"), ("sources", "--help"), ("lookup", "drama", "--help"), ("views", "x", "1")],
    ids=" ".join,
)
def test_network_libraries_load_only_when_fetching(tmp_path: Path, args: tuple[str, ...]) -> None:
    from tests.test_startup import loaded, roots

    modules, _ = loaded(tmp_path / "c.db", *args)
    # (pluggy is not listed: sqlite-utils imports it for its own plugins.)
    assert not roots(modules) & {"httpx", "hishel", "httpcore", "yt_dlp"}


@pytest.mark.slow
def test_sources_loads_no_network_library(tmp_path: Path) -> None:
    from tests.test_startup import loaded, roots

    modules, out = loaded(tmp_path / "c.db", "sources")
    assert "tmdb" in out
    assert not roots(modules) & {"httpx", "hishel", "httpcore", "yt_dlp"}


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_pytest_blocks_real_connections() -> None:
    import socket

    from pytest_socket import SocketConnectBlockedError

    # Loopback stays open for the website's tests; any other host is refused before a packet.
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s,
        pytest.raises(SocketConnectBlockedError),
    ):
        s.connect(("93.184.216.34", 443))
    assert "pytest_socket" in sys.modules


# README: every command of the "Facts from the web" section runs (recorded responses)


def readme_commands() -> list[list[str]]:
    import shlex

    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = text.split("## Facts from the web", 1)[1].split("\n## ", 1)[0]
    block = section.split("```", 2)[1]
    return [
        shlex.split(line, comments=True)[1:]
        for line in block.splitlines()
        if line.startswith("scenecat ")
    ]


@pytest.mark.slow
def test_readme_facts_from_the_web_commands_run(
    cli: Callable[..., Run], db: Path, no_network: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import ROOT
    from tests.test_clips import _fake_yt_dlp

    # The saved answers the README names are files the repo ships.
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("TMDB_API_KEY", "k")
    clip = fixture("ytdlp-melting-me-softly-e10.json")
    monkeypatch.setitem(sys.modules, "yt_dlp", _fake_yt_dlp(clip, []))
    commands = readme_commands()
    assert len(commands) == 13
    named = [a for args in commands for a in args if a.startswith("tests/fixtures/")]
    assert len(named) == 4 and all((ROOT / a).exists() for a in named)
    with respx.mock(assert_all_called=False) as mock:
        routes = tmdb_routes(mock)
        routes["search"].respond(
            json={
                "page": 1,
                "results": [
                    fixture("tmdb-search-secret-garden.json")["results"][0]
                    | {
                        "id": 9002,
                        "name": "Melting Me Softly",
                        "original_name": "날 녹여주오",
                        "first_air_date": "2019-09-28",
                    }
                ],
                "total_pages": 1,
                "total_results": 1,
            }
        )

        def tv(request: httpx.Request) -> httpx.Response:
            name = "secret-garden" if request.url.path.endswith("/9001") else "melting-me-softly"
            return httpx.Response(200, json=fixture(f"tmdb-tv-{name}.json"))

        routes["tv"].side_effect = tv
        routes["person"].respond(json={"id": 1, "name": "x", "birthday": None})
        for args in commands:
            result = cli(*args)
            assert result.exit_code == 0, (args, result.stderr)
    assert [c["actor"] for c in show(cli, "drama", "Melting Me Softly")["cast"]] == [
        "Ji Chang Wook",
        "Won Jin Ah",
        "Yoon Se Ah",
    ]
    assert "Secret Garden" in [
        d["title"] for d in json.loads(cli("list", "dramas", "--json").stdout)["data"]
    ]
    # The moment: t=83 from the link, the end from --clip-end, the link stored without t=.
    scene = show(cli, "scene", "melting-me-softly-e10-after-the-shower")
    assert [(s["url"], s["start"], s["end"]) for s in scene["sources"]] == [
        ("https://www.youtube.com/watch?v=mmsE10kiss1", "1:23", "1:41")
    ]
    assert scene["watch"] == "https://www.youtube.com/watch?v=mmsE10kiss1&t=83s"


# Data safety of the new write paths: undo, kill, concurrent runs, episodes under scenes


@pytest.mark.slow
def test_add_drama_from_a_source_is_undone_in_one_step(
    cli: Callable[..., Run], sample_db: Path
) -> None:
    before = dump(sample_db)
    assert cli("add-drama", "Secret Garden", "--from-file", SG_FILE).exit_code == 0
    undone = cli("undo", "--yes")
    assert undone.exit_code == 0, undone.stderr
    assert dump(sample_db) == before
    assert cli("db", "check").exit_code == 0


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["add-drama", "Secret Garden", "--from-file", SG_FILE],
        ["refresh", "drama", "Melting Me Softly", "--from-file", MMS_FILE, "--yes"],
        ["views", "refresh", "--kind", "kiss", "--from-json", str(FIXTURES / "views-later")],
    ],
    ids=["add-drama", "refresh", "views-refresh"],
)
def test_killed_at_any_point_leaves_the_catalogue_as_before(
    cli: Callable[..., Run], sample_template: Path, tmp_path: Path, args: list[str]
) -> None:
    import shutil

    from tests.fixtures.safety import raw_dump
    from tests.test_crash import _assert_killed, _points, _run, _statements

    base = tmp_path / "base.db"
    shutil.copyfile(sample_template, base)
    if args[0] == "views":
        # A scene whose clip the saved folder has, so that the refresh writes.
        add = cli(
            "--db", str(base), "add-scene", "--clip-json", str(FIXTURES / "ytdlp-melting-me-softly-e10.json"),
            "--kind", "kiss", "--title", "Clip kiss", "--actor", "Ji Chang Wook",
        )  # fmt: skip
        assert add.exit_code == 0, add.stderr
    before_raw = raw_dump(base)
    finished = tmp_path / "finished.db"
    shutil.copyfile(base, finished)
    total = _statements(finished, args, tmp_path)
    assert raw_dump(finished) != before_raw
    for point in _points(total):
        victim = tmp_path / f"victim-{point}.db"
        shutil.copyfile(base, victim)
        env = {"CRASH_ON": "COMMIT"} if point == "COMMIT" else {"CRASH_AT": str(point)}
        _assert_killed(_run(victim, args, **env))
        assert raw_dump(victim) == before_raw, f"killed at {point}"


@pytest.mark.slow
def test_two_processes_adding_the_same_drama_make_one(sample_db: Path, tmp_path: Path) -> None:
    import subprocess

    env = {**os.environ, **offline_env(tmp_path), "SCENECAT_DB": str(sample_db)}
    args = [sys.executable, "-m", "scenecat", "add-drama", "Secret Garden", "--from-file", SG_FILE]
    procs = [subprocess.Popen(args, env=env, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]
    assert sorted(code for code, _ in results) == [0, 1, 1], results
    assert all("already in the catalogue" in err for code, err in results if code == 1)
    listed = run_process("list", "actors", "--json", env={"SCENECAT_DB": str(sample_db)})
    names = [a["name"] for a in json.loads(listed.stdout)["data"]]
    assert names.count("Yoon Sang Hyun") == 1


def test_refresh_does_not_cut_episodes_under_a_scene(
    cli: Callable[..., Run], sample_db: Path, tmp_path: Path
) -> None:
    data = fixture("tmdb-tv-melting-me-softly.json")
    data["number_of_episodes"] = 8  # the sample has scenes in episode 10 and later
    path = tmp_path / "short.json"
    path.write_text(json.dumps(data))
    result = cli("refresh", "drama", "Melting Me Softly", "--from-file", str(path), "--yes")
    assert result.exit_code == 0, result.stderr
    assert "episodes: 16 -> 8" not in result.stdout
    assert show(cli, "drama", "Melting Me Softly")["episodes"] == 16


@pytest.mark.slow
def test_add_drama_from_wikidata_by_id_over_the_network(
    cli: Callable[..., Run], db: Path, no_network: Any
) -> None:
    cli("add-actor", "Ji Chang Wook", "--native", "지창욱", "--born", "1987")
    with respx.mock(assert_all_called=False) as mock:
        api = mock.get(host=WIKIDATA, path="/w/api.php").respond(
            json=fixture("wikidata-wbgetentities-melting-me-softly.json")
        )
        result = cli("add-drama", "Melting Me Softly", "--from", "wikidata:Q650000001")
    assert result.exit_code == 0, result.stderr
    first, second = (c.request.url.params for c in api.calls)
    assert first["ids"] == "Q650000001"
    assert set(second["ids"].split("|")) == {
        "Q483917",
        "Q884",
        "Q483943",
        "Q650000010",
        "Q650000011",
    }
    assert "Linked: Ji Chang Wook" in result.stderr
    assert show(cli, "actor", "Ji Chang Wook")["ids"] == {"wikidata": "Q483943"}
    bad = cli("add-drama", "X", "--from", "wikidata:12")
    assert bad.exit_code == 1 and "'12' is not a Wikidata item id" in bad.stderr


@pytest.mark.slow
def test_on_a_terminal_add_drama_asks_which_candidate(db: Path, tmp_path: Path) -> None:
    from tests.conftest import run_on_terminal

    # The real entry point on a pseudo-terminal, with recorded answers served by respx,
    # which a sitecustomize module on PYTHONPATH starts before scenecat runs.
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        textwrap.dedent(
            f"""
            import json, respx
            F = {str(FIXTURES)!r}
            series = json.load(open(F + "/tmdb-tv-secret-garden.json"))
            series.update(id=9004, name="Healer", original_name="힐러")
            router = respx.mock(assert_all_called=False)
            router.get(host="api.themoviedb.org", path="/3/search/tv").respond(
                json=json.load(open(F + "/tmdb-search-healer.json")))
            router.get(host="api.themoviedb.org", path="/3/tv/9004").respond(json=series)
            router.get(host="api.themoviedb.org", path="/3/tv/9004/aggregate_credits").respond(
                json={{"cast": [], "crew": [], "id": 9004}})
            router.start()
            """
        )
    )
    env = {
        **offline_env(tmp_path),
        "SCENECAT_DB": str(db),
        "PYTHONPATH": str(site),
        "TMDB_API_KEY": "k",
        "COLUMNS": "80",
        "LINES": "24",
    }
    code, screen = run_on_terminal(
        ["add-drama", "Healer", "--from", "tmdb"], [(b"Which one", b"0\n")], env
    )
    assert code == 1, screen
    assert "tmdb:9004" in screen and "tmdb:9005" in screen
    assert "stopped; nothing was changed" in screen
    code, screen = run_on_terminal(
        ["add-drama", "Healer", "--from", "tmdb"], [(b"Which one", b"1\n")], env
    )
    assert code == 0, screen
    assert "Which one (1-2, 0 to stop):" in screen
    assert "Added drama Healer" in screen and "from TMDB 9004" in screen
