"""Wikidata as it is now (issue 24): `mul` labels, statement ranks, the series classes,
billing from P1545 only, dates to the month, characters as items.

Recorded wbgetentities/wbsearchentities answers (tests/fixtures/sources/README.md), served by
respx; nothing reaches the internet.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import respx

from tests.conftest import Run
from tests.sources_helpers import FIXTURES, WIKIDATA, fixture, no_network

__all__ = ["no_network"]

HP = str(FIXTURES / "wikidata-wbgetentities-hospital-playlist.json")


def data(result: Run) -> Any:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["data"]


def test_done_when_a_mul_only_label_fills_the_network(cli: Callable[..., Run], db: Path) -> None:
    result = cli("add-drama", "Hospital Playlist", "--from", "wikidata", "--from-file", HP)
    assert result.exit_code == 0, result.stderr
    shown = data(cli("show", "drama", "Hospital Playlist", "--json"))
    # tvN has only a `mul` label; its statement is preferred over the streamer's (normal).
    assert shown["network"] == "tvN"
    assert shown["country"] == "South Korea"
    # P580 to the month (2020-03) still gives the year; the deprecated episode count (16) is
    # not read, the normal one (24) is.
    assert (shown["year"], shown["episodes"]) == (2020, 24)
    assert shown["native"] == "슬기로운 의사생활"
    assert shown["aliases"] == ["Wise Doctor Life"]


def test_cast_billing_is_p1545_only_and_characters_come_from_items(
    cli: Callable[..., Run], db: Path
) -> None:
    assert cli("add-drama", "Hospital Playlist", "--from-file", HP).exit_code == 0
    cast = data(cli("show", "drama", "Hospital Playlist", "--json"))["cast"]
    assert [(c["actor"], c["character"], c["role"], c["billing"]) for c in cast] == [
        # P1545 1, 2 and 5: billed by rank among those kept
        ("Jo Jung Suk", "Lee Ik-jun", "main", 1),  # P453 -> an item with an en label
        ("Yoo Yeon Seok", "Ahn Jeong-won", "main", 2),  # P4633, a string
        ("Jeon Mi Do", "Chae Song-hwa", "main", 3),  # P453 -> an item with a mul label only
        # first in statement order, but no P1545: no billing
        ("Kim Hae Sook", "Jeong Ro-sa", "support", None),
        ("신현빈", "Jang Gyeo-ul", "support", None),
    ]
    # The deprecated cast statement is left out.
    names = [a["name"] for a in data(cli("list", "actors", "--json"))]
    assert not any("Jung Il" in n for n in names)


def test_people_mul_and_korean_labels_ranked_and_month_dates(
    cli: Callable[..., Run], db: Path
) -> None:
    assert cli("add-drama", "Hospital Playlist", "--from-file", HP).exit_code == 0
    jo = data(cli("show", "actor", "조정석", "--json"))
    # mul (Latin) + ko labels, no en: the mul label is his English name, never the Hangul.
    assert (jo["name"], jo["native"], jo["born"]) == ("Jo Jung Suk", "조정석", 1980)
    assert jo["aliases"] == ["Jo Jung-suk"] and jo["ids"] == {"wikidata": "Q650000211"}
    # born to the month only: the year is known
    assert data(cli("show", "actor", "Jeon Mi Do", "--json"))["born"] == 1982
    # a deprecated birth date (1960) beside the right one (1955)
    assert data(cli("show", "actor", "Kim Hae Sook", "--json"))["born"] == 1955
    # a ko label only: the Hangul is name and native name
    shin = data(cli("show", "actor", "신현빈", "--json"))
    assert (shin["name"], shin["native"]) == ("신현빈", "신현빈")


def test_network_path_asks_for_mul_labels(
    cli: Callable[..., Run], db: Path, no_network: Any
) -> None:
    answer = fixture("wikidata-wbgetentities-hospital-playlist.json")
    with respx.mock(assert_all_called=False) as mock:
        api = mock.get(host=WIKIDATA, path="/w/api.php")

        def entities(request: httpx.Request) -> httpx.Response:
            asked = request.url.params["ids"].split("|")
            found = {q: answer["entities"][q] for q in asked if q in answer["entities"]}
            return httpx.Response(200, json={"entities": found, "success": 1})

        api.side_effect = entities
        result = cli("add-drama", "Hospital Playlist", "--from", "wikidata:Q650000201")
    assert result.exit_code == 0, result.stderr
    calls = [c.request.url.params for c in api.calls]
    assert all(p["languages"] == "en|ko|mul" for p in calls)
    # The related items: the preferred broadcaster, the country, the cast (not the
    # deprecated statement's person) and the character items.
    assert set(calls[1]["ids"].split("|")) == {
        "Q483917",
        "Q884",
        "Q650000211",
        "Q650000212",
        "Q650000214",
        "Q650000215",
        "Q650000216",
        "Q650000231",
        "Q650000232",
    }
    assert data(cli("show", "drama", "Hospital Playlist", "--json"))["network"] == "tvN"


def test_lookup_keeps_series_and_miniseries_not_episodes(
    cli: Callable[..., Run], no_network: Any
) -> None:
    with respx.mock(assert_all_called=False) as mock:
        api = mock.get(host=WIKIDATA, path="/w/api.php")

        def answer(request: httpx.Request) -> httpx.Response:
            params = request.url.params
            if params["action"] == "wbsearchentities":
                return httpx.Response(
                    200, json=fixture("wikidata-wbsearchentities-hospital-playlist.json")
                )
            if "Q650000201" in params["ids"]:
                return httpx.Response(
                    200, json=fixture("wikidata-wbgetentities-hospital-playlist-search.json")
                )
            return httpx.Response(
                200, json=fixture("wikidata-wbgetentities-hospital-playlist-labels.json")
            )

        api.side_effect = answer
        found = data(cli("lookup", "drama", "Hospital Playlist", "--source", "wikidata", "--json"))
    # Q650000202 is an episode (Q21191270): not a drama. The miniseries (Q1259759) is one.
    assert [(d["id"], d["title"], d["network"], d["year"], d["episodes"]) for d in found] == [
        ("Q650000201", "Hospital Playlist", "tvN", 2020, 24),
        ("Q650000203", "Hospital Playlist: The Band", "tvN", 2021, 4),
    ]
    assert found[0]["strong"] is True
