"""TMDB as its documented responses are (issue 24): casts with guest stars and sparse orders
past 1000, person names by language, each later season its own drama, details for lookup,
find by an outside id.

Recorded responses (tests/fixtures/sources/README.md says which page each shape follows),
served by respx; nothing reaches the internet.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import respx

from tests.conftest import Run, dump
from tests.sources_helpers import FIXTURES, fixture, no_network, tmdb_routes

__all__ = ["no_network"]

CLOY = str(FIXTURES / "tmdb-tv-crash-landing-on-you.json")
HP = str(FIXTURES / "tmdb-tv-hospital-playlist.json")

REGULARS = [
    ("Hyun Bin", "Ri Jeong-hyeok", "main", 1),
    ("Son Ye Jin", "Yoon Se-ri", "main", 2),
    ("Seo Ji Hye", "Seo Dan", "main", 3),
    ("Kim Jung Hyun", "Gu Seung-jun", "main", 4),
    # billed fifth by TMDB, in one episode: among the first ten billed, so kept (a guest)
    ("Baek Seung Ho", "Special appearance", "guest", 5),
    ("Yang Kyung Won", "Pyo Chi-su", "support", 6),
    ("Yoo Su Bin", "Kim Ju-meok", "support", 7),
    ("Lee Shin Young", "Park Kwang-beom", "support", 8),
    ("Tang Jun Sang", "Geum Eun-dong", "support", 9),
    ("Kim Young Min", "Jeong Man-bok", "support", 10),
    # order 13, in 9 of the 16 episodes: a quarter or more, so kept
    ("Oh Man Seok", "Jo Cheol-gang", "support", 11),
]


def data(result: Run) -> Any:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["data"]


def cast_of(cli: Callable[..., Run], title: str) -> list[tuple[str, str, str, int | None]]:
    shown = data(cli("show", "drama", title, "--json"))
    return [(c["actor"], c["character"], c["role"], c["billing"]) for c in shown["cast"]]


def export_reimport(cli: Callable[..., Run], tmp_path: Path, name: str) -> None:
    """The catalogue goes out as YAML, into an empty catalogue, and out again unchanged."""
    first = tmp_path / f"{name}-1.yaml"
    assert cli("export", "yaml", "-o", str(first)).exit_code == 0
    os.environ["SCENECAT_DB"] = str(tmp_path / f"{name}-again.db")
    imported = cli("import", str(first))
    assert imported.exit_code == 0, imported.stderr
    second = tmp_path / f"{name}-2.yaml"
    assert cli("export", "yaml", "-o", str(second)).exit_code == 0
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")


# The cast: regulars kept, guests counted, billing by rank


@pytest.mark.slow
def test_done_when_an_order_1031_guest_is_left_out_and_the_catalogue_round_trips(
    cli: Callable[..., Run], db: Path, tmp_path: Path
) -> None:
    assert cli("add-actor", "Hyun Bin", "--native", "현빈", "--born", "1982").exit_code == 0
    result = cli("add-drama", "Crash Landing on You", "--from-file", CLOY)
    assert result.exit_code == 0, result.stderr
    assert "11 cast members (1 already in the catalogue, 10 new), 16 episodes" in result.stderr
    assert "Left out 6 guests the source lists" in result.stderr
    assert "--all-cast adds them" in result.stderr
    assert cast_of(cli, "Crash Landing on You") == REGULARS
    names = [a["name"] for a in data(cli("list", "actors", "--json"))]
    assert not {"Nam Ji An", "Yeo Min Jae", "Seok Ha Ram", "Jin Tae Oh"} & set(names)
    export_reimport(cli, tmp_path, "regulars")


@pytest.mark.slow
def test_refreshing_the_samples_drama_adds_its_regulars_and_round_trips(
    cli: Callable[..., Run], sample_db: Path, tmp_path: Path
) -> None:
    result = cli("refresh", "drama", "Crash Landing on You", "--from-file", CLOY, "--yes")
    assert result.exit_code == 0, result.stderr
    assert "Left out 6 guests" in result.stderr
    cast = cast_of(cli, "Crash Landing on You")
    # The sample's four leads keep their characters and roles as typed and take TMDB's
    # billing, which they lacked; the other regulars come in billed by rank.
    assert [(c[0], c[3]) for c in cast] == [(r[0], r[3]) for r in REGULARS]
    assert cast[0][1:3] == ("Ri Jung Hyuk", "main") and cast[-1] == REGULARS[-1]
    export_reimport(cli, tmp_path, "sample")


@pytest.mark.slow
def test_all_cast_keeps_the_guests_billed_by_rank_and_round_trips(
    cli: Callable[..., Run], db: Path, tmp_path: Path
) -> None:
    result = cli("add-drama", "Crash Landing on You", "--from-file", CLOY, "--all-cast")
    assert result.exit_code == 0, result.stderr
    assert "17 cast members" in result.stderr and "Left out" not in result.stderr
    cast = cast_of(cli, "Crash Landing on You")
    assert [billing for *_, billing in cast] == list(range(1, 18))
    # TMDB's orders 1030 and 1031 are the last two ranks, guests in one episode each.
    assert cast[-2:] == [
        ("Seok Ha Ram", "Passenger", "guest", 16),
        ("Jin Tae Oh", "Border guard (uncredited)", "guest", 17),
    ]
    export_reimport(cli, tmp_path, "all-cast")


@pytest.mark.slow
def test_past_a_thousand_kept_the_billing_stays_empty_and_export_reimports(
    cli: Callable[..., Run], db: Path, tmp_path: Path
) -> None:
    # A daily drama's whole aggregate cast: 1,100 entries, orders 0..1099.
    saved = fixture("tmdb-tv-crash-landing-on-you.json")
    template = saved["aggregate_credits"]["cast"][0]
    saved["aggregate_credits"]["cast"] = [
        template
        | {
            "id": 800000 + i,
            "name": f"Extra {i:04d}",
            "original_name": f"Extra {i:04d}",
            "order": i,
            "total_episode_count": 16,
            "roles": [{"credit_id": f"{i:024x}", "character": f"Role {i}", "episode_count": 16}],
        }
        for i in range(1100)
    ]
    path = tmp_path / "long.json"
    path.write_text(json.dumps(saved), encoding="utf-8")
    result = cli("add-drama", "Crash Landing on You", "--from-file", str(path), "--all-cast")
    assert result.exit_code == 0, result.stderr
    billings = [billing for *_, billing in cast_of(cli, "Crash Landing on You")]
    assert billings[:1000] == list(range(1, 1001)) and set(billings[1000:]) == {None}
    export_reimport(cli, tmp_path, "long")


def test_all_cast_without_a_source_is_a_usage_error(cli: Callable[..., Run], db: Path) -> None:
    result = cli("add-drama", "Crash Landing on You", "--all-cast")
    assert result.exit_code == 2
    assert "goes with --from or --from-file" in result.stderr


@pytest.mark.slow
def test_refresh_adds_the_regulars_and_all_cast_the_guests(
    cli: Callable[..., Run], db: Path, tmp_path: Path
) -> None:
    saved = fixture("tmdb-tv-crash-landing-on-you.json")
    cast = saved["aggregate_credits"]["cast"]
    saved["aggregate_credits"]["cast"] = [c for c in cast if c["order"] <= 3]
    early = tmp_path / "early.json"
    early.write_text(json.dumps(saved), encoding="utf-8")
    assert cli("add-drama", "Crash Landing on You", "--from-file", str(early)).exit_code == 0
    asked = cli("refresh", "drama", "Crash Landing on You", "--from-file", CLOY)
    assert "cast: + Oh Man-seok (Jo Cheol-gang)" in asked.stdout
    assert "Jin Tae-oh" not in asked.stdout
    done = cli("refresh", "drama", "Crash Landing on You", "--from-file", CLOY, "--yes")
    assert done.exit_code == 0, done.stderr
    assert "Left out 6 guests" in done.stderr
    assert len(cast_of(cli, "Crash Landing on You")) == 11
    everyone = cli(
        "refresh", "drama", "Crash Landing on You", "--from-file", CLOY, "--all-cast", "--yes"
    )
    assert everyone.exit_code == 0, everyone.stderr
    assert len(cast_of(cli, "Crash Landing on You")) == 17


# Names: `language`, Hangul from ko-KR, never from original_name


@pytest.mark.slow
def test_network_path_sends_the_language_and_takes_hangul_names_from_ko_kr(
    cli: Callable[..., Run], db: Path, no_network: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("add-actor", "Hyun Bin", "--native", "현빈").exit_code == 0
    monkeypatch.setenv("TMDB_API_KEY", "k")
    with respx.mock(assert_all_called=False) as mock:
        routes = tmdb_routes(mock)
        routes["tv"].respond(json=fixture("tmdb-tv-crash-landing-on-you.json"))
        routes["person"].respond(json={"id": 1, "name": "x", "birthday": None})
        result = cli("add-drama", "Crash Landing on You", "--from", "tmdb:9020")
    assert result.exit_code == 0, result.stderr
    tv = routes["tv"].calls.last.request.url.params
    assert (tv["language"], tv["append_to_response"]) == (
        "en-US",
        "aggregate_credits,external_ids,season/1",
    )
    korean = routes["credits"].calls.last.request
    assert korean.url.path == "/3/tv/9020/aggregate_credits"
    assert korean.url.params["language"] == "ko-KR"
    son = data(cli("show", "actor", "손예진", "--json"))
    assert (son["name"], son["native"], son["aliases"]) == ("Son Ye Jin", "손예진", ["Son Ye-jin"])
    assert son["ids"] == {"tmdb": "90301"}
    # The sample's Hyun Bin was linked by name, and kept his own Hangul name.
    assert data(cli("show", "actor", "Hyun Bin", "--json"))["ids"] == {"tmdb": "90002"}


def test_a_person_is_latin_name_first_and_hangul_native() -> None:
    from scenecat.sources.tmdb import _person

    # en-US: name and original_name both Latin; person/{id} adds also_known_as.
    details = fixture("tmdb-person-kim-ji-won-2001.json")
    person = _person(details, details["also_known_as"])
    assert (person.name, person.native, person.born) == ("Kim Ji-won", "김지원", 2001)
    # ko-KR: `name` is the Hangul one, `original_name` still the Latin primary name.
    korean = fixture("tmdb-tv-crash-landing-on-you-credits-ko.json")["cast"][0]
    person = _person(korean)
    assert (person.name, person.native) == ("Hyun Bin", "현빈")
    # A record with Hangul only keeps it as both.
    person = _person({"id": 5, "name": "박하늘", "original_name": "박하늘"})
    assert (person.name, person.native) == ("박하늘", "박하늘")


def test_no_person_in_the_recorded_casts_has_a_hangul_original_name() -> None:
    import re

    for path in FIXTURES.glob("tmdb-*.json"):
        answer = json.loads(path.read_text(encoding="utf-8"))
        credits = answer.get("aggregate_credits", answer)
        for entry in credits.get("cast", []) if isinstance(credits, dict) else []:
            assert not re.search("[가-힣]", entry["original_name"]), (path.name, entry)


# Seasons: each later season its own drama


@pytest.mark.slow
def test_a_later_season_is_its_own_drama_found_by_its_title(
    cli: Callable[..., Run], db: Path, no_network: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMDB_API_KEY", "k")
    with respx.mock(assert_all_called=False) as mock:
        routes = tmdb_routes(mock)
        routes["search"].respond(json=fixture("tmdb-search-hospital-playlist.json"))
        routes["tv"].respond(json=fixture("tmdb-tv-hospital-playlist.json"))

        def season(request: Any) -> Any:
            import httpx

            number = request.url.path.rsplit("/", 1)[1]
            assert request.url.params["append_to_response"] == "aggregate_credits"
            return httpx.Response(
                200, json=fixture(f"tmdb-tv-hospital-playlist-season-{number}.json")
            )

        routes["season"].side_effect = season
        routes["person"].respond(json={"id": 1, "name": "x", "birthday": None})
        second = cli("add-drama", "Hospital Playlist 2", "--from", "tmdb")
        first = cli("add-drama", "Hospital Playlist", "--from", "tmdb")
    assert second.exit_code == 0, second.stderr
    # TMDB searches series: the season's title is searched as the series'.
    assert routes["search"].calls[0].request.url.params["query"] == "Hospital Playlist"
    assert "Added drama Hospital Playlist 2" in second.stderr
    assert "from TMDB 9010/season/2" in second.stderr
    assert "Left out 2 guests" in second.stderr
    assert first.exit_code == 0, first.stderr
    assert "from TMDB 9010:" in first.stderr
    two = data(cli("show", "drama", "Hospital Playlist 2", "--json"))
    assert (two["native"], two["network"], two["year"], two["episodes"]) == (
        "슬기로운 의사생활 2",
        "tvN",
        2021,
        12,
    )
    assert two["aliases"] == ["Hospital Playlist Season 2"]
    assert two["ids"] == {"tmdb": "9010/season/2"}  # the series' Wikidata item is season 1's
    assert [e["number"] for e in two["episode_list"]] == list(range(1, 13))
    assert (two["episode_list"][0]["aired"], two["episode_list"][-1]["aired"]) == (
        "2021-06-17",
        "2021-09-16",
    )
    # Season 2's cast: Kwak Sun Young (season 1 only) is not in it; the Korean names came
    # from the season's ko-KR credits.
    actors = [c["actor"] for c in two["cast"]]
    assert actors[:5] == [
        "Jo Jung Suk",
        "Yoo Yeon Seok",
        "Jung Kyung Ho",
        "Kim Dae Myung",
        "Jeon Mi Do",
    ]
    assert "Kwak Sun Young" not in actors and "Kang Tae Min" not in actors
    assert data(cli("show", "actor", "조정석", "--json"))["name"] == "Jo Jung Suk"
    one = data(cli("show", "drama", "Hospital Playlist", "--json"))
    assert (one["year"], one["episodes"], one["ids"]) == (
        2020,
        12,
        {"tmdb": "9010", "wikidata": "Q650000201"},
    )
    assert "Kwak Sun Young" in [c["actor"] for c in one["cast"]]
    # The same people in both seasons are one actor each.
    assert len(data(cli("show", "actor", "Jo Jung Suk", "--json"))["credits"]) == 2


def test_a_saved_series_answer_gives_the_season_the_id_names(
    cli: Callable[..., Run], db: Path
) -> None:
    result = cli(
        "add-drama", "Hospital Playlist 2", "--from", "tmdb:9010/season/2", "--from-file", HP
    )
    assert result.exit_code == 0, result.stderr
    shown = data(cli("show", "drama", "Hospital Playlist 2", "--json"))
    # The file holds season 2's length and date, not its episodes (season/1 was appended).
    assert (shown["year"], shown["episodes"], shown["episode_list"]) == (2021, 12, [])
    first = cli("add-drama", "Hospital Playlist", "--from-file", HP)
    assert first.exit_code == 0, first.stderr
    assert len(data(cli("show", "drama", "Hospital Playlist", "--json"))["episode_list"]) == 12
    bad = cli("add-drama", "Hospital Playlist 3", "--from", "tmdb:9010/season/3", "--from-file", HP)
    assert bad.exit_code == 1 and "has no season 3" in bad.stderr


# lookup: details when the search cannot tell, saved answers


def test_lookup_fetches_details_for_network_episodes_and_seasons(
    cli: Callable[..., Run], no_network: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMDB_API_KEY", "k")
    with respx.mock(assert_all_called=False) as mock:
        routes = tmdb_routes(mock)
        routes["search"].respond(json=fixture("tmdb-search-hospital-playlist.json"))
        routes["tv"].respond(json=fixture("tmdb-tv-hospital-playlist.json"))
        plain = data(cli("lookup", "drama", "Hospital Playlist", "--json"))
        assert not routes["tv"].called  # the search alone answers
        found = data(
            cli(
                "lookup",
                "drama",
                "Hospital Playlist",
                "--episodes",
                "12",
                "--network",
                "tvN",
                "--json",
            )
        )
        second = data(cli("lookup", "drama", "Hospital Playlist 2", "--json"))
    assert [(d["id"], d["network"], d["episodes"]) for d in plain] == [("9010", None, None)]
    assert [(d["id"], d["year"], d["network"], d["episodes"], d["strong"]) for d in found] == [
        ("9010", 2020, "tvN", 12, True),
        ("9010/season/2", 2021, "tvN", 12, False),
    ]
    assert [(d["id"], d["title"], d["strong"]) for d in second] == [
        ("9010/season/2", "Hospital Playlist 2", True),
        ("9010", "Hospital Playlist", False),
    ]
    # Both looked-up answers came from one call: the cache, or respx's count, says so.
    assert routes["tv"].call_count == 1
    assert routes["tv"].calls.last.request.url.path == "/3/tv/9010"


@pytest.mark.parametrize(
    "title", ["Hospital Playlist 2", "Hospital Playlist Season 2", "슬기로운 의사생활 시즌2"]
)
def test_a_season_is_named_any_way_fans_write_it(cli: Callable[..., Run], title: str) -> None:
    found = data(cli("lookup", "drama", title, "--from-file", HP, "--json"))
    assert [(d["id"], d["distance"], d["strong"]) for d in found] == [
        ("9010/season/2", 0.0, True),
        ("9010", 1.0, False),
    ]


def test_lookup_from_a_saved_file(cli: Callable[..., Run]) -> None:
    found = data(cli("lookup", "drama", "Hospital Playlist", "--from-file", HP, "--json"))
    assert [(d["id"], d["strong"]) for d in found] == [("9010", True), ("9010/season/2", False)]
    search = str(FIXTURES / "tmdb-search-healer.json")
    healer = cli("lookup", "drama", "Healer", "--from-file", search, "--year", "2014")
    assert healer.exit_code == 0, healer.stderr
    assert "Strong match: tmdb:9004" in healer.stderr
    wikidata = str(FIXTURES / "wikidata-wbgetentities-hospital-playlist.json")
    found = data(cli("lookup", "drama", "Hospital Playlist", "--from-file", wikidata, "--json"))
    assert [(d["source"], d["id"], d["network"]) for d in found] == [
        ("wikidata", "Q650000201", "tvN")
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [("{", "not valid JSON"), ('{"page": 1}', "not a TMDB TV series response")],
)
def test_lookup_from_a_bad_file_is_one_line(
    cli: Callable[..., Run], tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "saved.json"
    path.write_text(content)
    result = cli("lookup", "drama", "Healer", "--from-file", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2  # the error and a hint


# find/{external_id}


@pytest.mark.slow
def test_refresh_from_tmdb_finds_the_series_by_the_dramas_wikidata_id(
    cli: Callable[..., Run], db: Path, no_network: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    wikidata = str(FIXTURES / "wikidata-wbgetentities-hospital-playlist.json")
    assert cli("add-drama", "Hospital Playlist", "--from-file", wikidata).exit_code == 0
    monkeypatch.setenv("TMDB_API_KEY", "k")
    with respx.mock(assert_all_called=False) as mock:
        routes = tmdb_routes(mock)
        routes["find"].respond(json=fixture("tmdb-find-wikidata-hospital-playlist.json"))
        routes["tv"].respond(json=fixture("tmdb-tv-hospital-playlist.json"))
        routes["season"].respond(json=fixture("tmdb-tv-hospital-playlist-season-1.json"))
        routes["person"].respond(json={"id": 1, "name": "x", "birthday": None})
        result = cli("refresh", "drama", "Hospital Playlist", "--from", "tmdb", "--yes")
    assert result.exit_code == 0, result.stderr
    find = routes["find"].calls.last.request
    assert find.url.path == "/3/find/Q650000201"
    assert find.url.params["external_source"] == "wikidata_id"
    assert not routes["search"].called
    shown = data(cli("show", "drama", "Hospital Playlist", "--json"))
    assert shown["ids"] == {"tmdb": "9010", "wikidata": "Q650000201"}


def test_an_imdb_id_that_tmdb_does_not_know_is_one_line(
    cli: Callable[..., Run], db: Path, no_network: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMDB_API_KEY", "k")
    before = dump(db) if db.exists() else None
    with respx.mock(assert_all_called=False) as mock:
        routes = tmdb_routes(mock)
        routes["find"].respond(
            json={
                "movie_results": [],
                "person_results": [],
                "tv_results": [],
                "tv_episode_results": [],
                "tv_season_results": [],
            }
        )
        result = cli("add-drama", "Nowhere", "--from", "tmdb:tt0000001")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: TMDB knows no TV series with the id tt0000001")
    assert routes["find"].calls.last.request.url.params["external_source"] == "imdb_id"
    assert (dump(db) if db.exists() else None) == before
