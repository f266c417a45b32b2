"""The declared fields of an actor and a drama that have a flag (fields.py: `flag`, `help`)
are flags of add-KIND (all but the required field, which is its argument) and of edit KIND
(the single-valued ones; aliases change through `alias`), with one help text, and set what
they name."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from scenecat.fields import ACTOR_FIELDS, DRAMA_FIELDS, FieldInfo

DECLARED: dict[str, tuple[FieldInfo, ...]] = {"actor": ACTOR_FIELDS, "drama": DRAMA_FIELDS}
# A value for each flagged field, as typed (a list: the flag repeated), and as `--json`
# gives it back.
TYPED: dict[str, dict[str, tuple[Any, Any]]] = {
    "actor": {
        "name": ("Kim Da Mi", "Kim Da Mi"),
        "native": ("김다미", "김다미"),
        "aliases": (["Kim Da-mi", "Da Mi"], ["Da Mi", "Kim Da-mi"]),
        "born": ("1995", 1995),
    },
    "drama": {
        "title": ("Our Beloved Summer", "Our Beloved Summer"),
        "native": ("그 해 우리는", "그 해 우리는"),
        "aliases": (["That Year, We"], ["That Year, We"]),
        "network": ("SBS", "SBS"),
        "country": ("Japan", "Japan"),
        "year": ("2021", 2021),
        "episodes": ("40", 40),
        "synopsis": ("A documentary brings them back.", "A documentary brings them back."),
    },
}
# The record each edit test starts from (in the sample catalogue).
EXISTING = {"actor": "Ji Chang Wook", "drama": "Healer"}
KINDS = sorted(TYPED)


def add_flags(kind: str) -> list[FieldInfo]:
    return [f for f in DECLARED[kind] if f.flag and not f.required]


def edit_flags(kind: str) -> list[FieldInfo]:
    return [f for f in DECLARED[kind] if f.flag and f.value != "names"]


def _required(kind: str) -> str:
    return next(f.name for f in DECLARED[kind] if f.required)


def _args(kind: str, names: list[str]) -> list[str]:
    args: list[str] = []
    for info in DECLARED[kind]:
        if info.name in names:
            typed = TYPED[kind][info.name][0]
            for item in typed if isinstance(typed, list) else [typed]:
                args += [info.flag or "", str(item)]
    return args


def _shown(cli, kind: str, name: str) -> dict[str, Any]:
    result = cli("show", kind, name, "--json")
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)["data"]
    return data


@pytest.mark.parametrize("kind", KINDS)
def test_every_flagged_field_has_a_value_here(kind: str) -> None:
    assert sorted(TYPED[kind]) == sorted(f.name for f in DECLARED[kind] if f.flag)


@pytest.mark.parametrize(
    ("command", "kind", "flagged"),
    [
        (["add-actor"], "actor", add_flags("actor")),
        (["add-drama"], "drama", add_flags("drama")),
        (["edit", "actor"], "actor", edit_flags("actor")),
        (["edit", "drama"], "drama", edit_flags("drama")),
    ],
)
def test_each_command_offers_its_flags_with_the_one_help(
    cli, monkeypatch: pytest.MonkeyPatch, command: list[str], kind: str, flagged: list[FieldInfo]
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    result = cli(*command, "--help")
    assert result.exit_code == 0
    options = result.stdout.split("Options:", 1)[1].splitlines()
    assert flagged
    for info in flagged:
        option = re.compile(rf"^\s+(-\w, )?{info.flag} ")
        line = next(x for x in options if option.match(x))
        assert info.help in line, (info.flag, line)


@pytest.mark.parametrize("kind", KINDS)
def test_add_stores_every_flagged_field(db, cli, kind: str) -> None:
    name = TYPED[kind][_required(kind)][0]
    flagged = [f.name for f in add_flags(kind)]
    result = cli(f"add-{kind}", name, *_args(kind, flagged))
    assert result.exit_code == 0, result.stderr
    shown = _shown(cli, kind, name)
    for field, (_, stored) in TYPED[kind].items():
        assert shown[field] == stored, field


@pytest.mark.parametrize(("kind", "field"), [(k, f.name) for k in KINDS for f in edit_flags(k)])
def test_edit_changes_only_the_field_named(sample_db, cli, kind: str, field: str) -> None:
    before = _shown(cli, kind, EXISTING[kind])
    result = cli("edit", kind, EXISTING[kind], *_args(kind, [field]))
    assert result.exit_code == 0, result.stderr
    after = _shown(cli, kind, TYPED[kind][field][0] if field == _required(kind) else EXISTING[kind])
    assert after[field] == TYPED[kind][field][1]
    changed = {f.name for f in DECLARED[kind] if after[f.name] != before[f.name]}
    assert changed == {field}


@pytest.mark.parametrize("kind", KINDS)
def test_an_empty_flag_clears(sample_db, cli, kind: str) -> None:
    assert cli("edit", kind, EXISTING[kind], "--native", "").exit_code == 0
    assert _shown(cli, kind, EXISTING[kind])["native"] is None
