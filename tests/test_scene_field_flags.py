"""The declared scene fields that have a flag (scene_fields.py: `flag`, `help`) are flags of
both add-scene and edit scene, with one help text, and set what they name."""

from __future__ import annotations

import json
import re

import pytest

from scenecat.scene_fields import FIELDS

FLAGGED = [f for f in FIELDS if f.flag]
KEY = "melting-me-softly-e10-shower-kiss"
# A value for each flagged field, as typed, and as `show scene --json` gives it back.
TYPED = {
    "description": ("Under the cold shower.", "Under the cold shower."),
    "at": ("41:05", "41:05"),
    "end": ("43:10", "43:10"),
    "spoiler": ("minor", "minor"),
    "tags": (["rain", "Night"], ["night", "rain"]),
    "location": ("Dong Chan's flat", "Dong Chan's flat"),
}


def _args(values: dict[str, object]) -> list[str]:
    args: list[str] = []
    for info in FLAGGED:
        if info.name not in values:
            continue
        typed = values[info.name]
        for item in typed if isinstance(typed, list) else [typed]:
            args += [info.flag or "", str(item)]
    return args


def _shown(cli, key: str) -> dict[str, object]:
    data: dict[str, object] = json.loads(cli("show", "scene", key, "--json").stdout)["data"]
    return data


def test_every_flagged_field_has_a_value_here() -> None:
    assert sorted(TYPED) == sorted(f.name for f in FLAGGED)


@pytest.mark.parametrize("command", [["add-scene"], ["edit", "scene"]])
def test_both_commands_offer_every_flag_with_its_help(
    cli, command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    result = cli(*command, "--help")
    assert result.exit_code == 0
    for info in FLAGGED:
        option = re.compile(rf"^\s+(-\w, )?{info.flag} ")
        options = result.stdout.split("Options:", 1)[1].splitlines()
        line = next(x for x in options if option.match(x))
        assert info.help in line, (info.flag, line)


def test_add_scene_stores_every_flagged_field(sample_db, cli) -> None:
    typed = {name: value for name, (value, _) in TYPED.items()}
    result = cli(
        "add-scene", "-d", "Healer", "-e", "3", "-a", "Ji Chang Wook", "-k", "hug",
        "-t", "Every field", *_args(typed),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    shown = _shown(cli, "healer-e3-every-field")
    for name, (_, stored) in TYPED.items():
        assert shown[name] == stored, name


@pytest.mark.parametrize("name", sorted(TYPED))
def test_edit_scene_changes_only_the_field_named(sample_db, cli, name: str) -> None:
    before = _shown(cli, KEY)
    result = cli("edit", "scene", KEY, *_args({name: TYPED[name][0]}))
    assert result.exit_code == 0, result.stderr
    after = _shown(cli, KEY)
    assert after[name] == TYPED[name][1]
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {name}


def test_an_empty_flag_clears_and_an_absent_list_flag_keeps(sample_db, cli) -> None:
    assert cli("edit", "scene", KEY, "--location", "Seoul", "--tag", "rain").exit_code == 0
    assert cli("edit", "scene", KEY, "--location", "").exit_code == 0
    shown = _shown(cli, KEY)
    assert shown["location"] is None
    assert shown["tags"] == ["rain"]


def test_search_help_names_every_field_filter_of_the_query_language(cli, monkeypatch) -> None:
    """The CLI lists the query language's field:value filters without importing it at
    start-up; this keeps the list equal to domain/query.py's (declared fields included)."""
    from scenecat.domain.query import FIELDS

    monkeypatch.setenv("COLUMNS", "400")
    result = cli("search", "--help")
    words = re.search(r"field:value filters \(([^)]*)\)", result.stdout)
    assert words is not None
    assert words[1].split() == [f"{name}:" for name in FIELDS]
