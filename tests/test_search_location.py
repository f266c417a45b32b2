"""A scene's location in search: its words are searched like the rest of the scene's text,
and `location:VALUE` narrows a search as a filter (the field scene_fields.py declares
searchable and `filter`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.test_search import found, keys

Cli = Callable[..., Run]

AIRPORT = "lovestruck-in-the-city-e1-airport-pickup"  # location: Yangyang
ROOFTOPS = {"healer-e7-blindfolded-on-the-rooftop", "healer-e9-snowy-rooftop-kiss"}


def location(cli: Cli, key: str) -> str | None:
    run = cli("show", "scene", key, "--json")
    assert run.exit_code == 0, run.stderr
    value: str | None = json.loads(run.stdout)["data"]["location"]
    return value


def test_a_word_of_the_location_finds_the_scene(cli: Cli, sample_db: Path) -> None:
    # "Yangyang" is in no title, description, tag or name: only in the location.
    assert keys(cli, "Yangyang") == [AIRPORT]
    assert keys(cli, "yangyang airport") == [AIRPORT]


def test_a_hangul_fragment_of_the_location_finds_the_scene(cli: Cli, sample_db: Path) -> None:
    assert cli("edit", "scene", AIRPORT, "--location", "남산 타워").exit_code == 0
    assert keys(cli, "남산") == [AIRPORT]
    assert keys(cli, "타") == [AIRPORT]
    assert keys(cli, "Yangyang") == []  # the old location left the document
    assert cli("db", "check").exit_code == 0


def test_location_filter_narrows_by_equal_text(cli: Cli, sample_db: Path) -> None:
    assert set(keys(cli, 'location:"a rooftop"')) == ROOFTOPS
    assert set(keys(cli, 'location:"A  ROOFTOP"')) == ROOFTOPS  # case and spaces
    assert keys(cli, 'kiss location:"a rooftop"') == ["healer-e9-snowy-rooftop-kiss"]
    assert keys(cli, "location:rooftop") == []  # the whole text, not a word of it
    everywhere = keys(cli, "kiss")
    assert len(everywhere) > 2
    assert all(location(cli, key) == "a rooftop" for key in keys(cli, 'kiss location:"a rooftop"'))


def test_location_filter_alone_lists_without_relevance(cli: Cli, sample_db: Path) -> None:
    data = found(cli, "location:Yangyang")["data"]
    assert [hit["key"] for hit in data] == [AIRPORT]
    assert data[0]["relevance"] is None


def test_an_unknown_location_says_did_you_mean(cli: Cli, sample_db: Path) -> None:
    assert found(cli, "location:rooftp")["meta"]["suggestion"] == (
        "no scene has location 'rooftp'; did you mean 'a rooftop'?"
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("location:Yangyang location:Seoul", "location is given more than once"),
        ("location:", "location: needs a value"),
        ("kiss -location:Yangyang", "filters cannot be excluded"),
    ],
)
def test_bad_location_filters_are_usage_errors(
    cli: Cli, sample_db: Path, query: str, message: str
) -> None:
    run = cli("search", query)
    assert run.exit_code == 2
    assert run.stderr.startswith("Error: ") and message in run.stderr
    assert run.stdout == ""


def test_the_same_location_twice_is_one_filter(cli: Cli, sample_db: Path) -> None:
    assert keys(cli, "location:Yangyang location:YANGYANG") == [AIRPORT]


def test_unknown_field_hint_lists_location(cli: Cli, sample_db: Path) -> None:
    run = cli("search", "mood:sad")
    assert run.exit_code == 2
    assert "spoiler:, location:;" in run.stderr


def test_declared_filter_fields_parse_generically() -> None:
    from scenecat.domain.query import FIELDS, parse
    from scenecat.scene_fields import FILTER_FIELDS

    assert {f.name for f in FILTER_FIELDS} <= set(FIELDS)
    query = parse('kiss LOCATION:"Han  River" location:Seoul')
    assert query.filters.fields == [("location", "Han River"), ("location", "Seoul")]
    assert query.filters.any()
