"""The scope filters are one family (cli/common.py), offered alike by every command that
narrows scenes; the declared filter fields (scene_fields.FILTER_FIELDS: `location`) are flags
of all of them, and narrow each command's scenes by equal text, case ignored."""

# No `from __future__ import annotations`: a command defined here is read by Typer, which
# needs its annotations evaluated (as in the command modules).
import csv
import io
import json
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from scenecat.cli import common

ROOFTOP = {"healer-e7-blindfolded-on-the-rooftop", "healer-e9-snowy-rooftop-kiss"}
# The filtering commands, each with the arguments that make it list keys.
LISTING = {
    "list scenes": ("list", "scenes", "--json"),
    "search": ("search", "--json"),
    "rank": ("rank", "--json"),
    "trending": ("trending", "--days", "10000", "--until", "2030-01-01", "--json"),
    "export json": ("export", "json"),
    "export csv": ("export", "csv"),
}
FILTERING = [*LISTING, "export markdown"]


def _keys(name: str, stdout: str) -> set[str]:
    if name == "export csv":
        return {row["key"] for row in csv.DictReader(io.StringIO(stdout))}
    return {entry["key"] for entry in json.loads(stdout)["data"]}


@pytest.mark.parametrize("name", LISTING)
def test_location_narrows_every_command(sample_db, cli, name: str) -> None:
    run = cli(*LISTING[name], "--location", "A Rooftop")
    assert run.exit_code == 0, run.stderr
    keys = _keys(name, run.stdout)
    # trending counts only the scenes with two view counts in the window.
    assert keys == ROOFTOP if name != "trending" else keys and keys <= ROOFTOP


def test_rank_json_names_the_location_only_when_given(sample_db, cli) -> None:
    scope = json.loads(cli("rank", "--location", "a rooftop", "--json").stdout)["meta"]["scope"]
    assert scope["location"] == "a rooftop" and "fields" not in scope
    scope = json.loads(cli("rank", "--json").stdout)["meta"]["scope"]
    assert "location" not in scope and "fields" not in scope


def test_location_narrows_a_markdown_article(sample_db, cli) -> None:
    run = cli("export", "markdown", "--location", "a rooftop", "--date", "2026-01-01")
    assert run.exit_code == 0, run.stderr
    assert run.stdout.count("\n## ") == 2
    assert "The kiss in the snow" in run.stdout and "Meeting Healer, blindfolded" in run.stdout


def test_location_goes_with_the_other_filters(sample_db, cli) -> None:
    run = cli("list", "scenes", "--location", "a rooftop", "--kind", "kiss", "--json")
    assert _keys("list scenes", run.stdout) == {"healer-e9-snowy-rooftop-kiss"}
    run = cli("search", "snow", "--location", "a rooftop", "--json")
    assert _keys("search", run.stdout) == {"healer-e9-snowy-rooftop-kiss"}
    run = cli("search", "snow", "--location", "the DMZ", "--json")
    assert _keys("search", run.stdout) == set()


@pytest.mark.parametrize("name", LISTING)
@pytest.mark.parametrize("flag", ["--location", "--kind"])
def test_an_unknown_value_matches_nothing(sample_db, cli, name: str, flag: str) -> None:
    run = cli(*LISTING[name], flag, "nowhere at all")
    assert (run.exit_code, _keys(name, run.stdout)) == (0, set()), run.stderr


@pytest.mark.parametrize("name", LISTING)
@pytest.mark.parametrize("blank", ["", "  "])
def test_a_blank_value_narrows_nothing(sample_db, cli, name: str, blank: str) -> None:
    by_location = cli(*LISTING[name], "--location", blank)
    by_kind = cli(*LISTING[name], "--kind", blank)
    assert by_location.exit_code == by_kind.exit_code == 0, by_location.stderr
    assert _keys(name, by_location.stdout) == _keys(name, by_kind.stdout)
    if name != "search":  # a search with no filter and no word is refused
        assert _keys(name, by_location.stdout) == _keys(name, cli(*LISTING[name]).stdout)


def _commands() -> dict[str, Any]:
    from scenecat.cli.app import load_commands

    commands = load_commands()
    found = {}
    for name in FILTERING:
        command = commands[name.split()[0]]
        for word in name.split()[1:]:
            command = command.commands[word]
        found[name] = command
    return found


def _options(command: Any) -> dict[str, tuple[tuple[str, ...], str | None, str | None]]:
    return {p.name: (tuple(p.opts), p.help, p.metavar) for p in command.params}


def test_every_filtering_command_offers_the_same_family() -> None:
    family = {*common.SCOPE_FILTERS, *common.declared_filters()}
    shapes = {name: _options(command) for name, command in _commands().items()}
    # list scenes offers the whole family: every other command's filter flags are spelt,
    # explained and shown as its are.
    whole = {name: shape for name, shape in shapes["list scenes"].items() if name in family}
    assert set(whole) == family
    for name, options in shapes.items():
        filters = {option: shape for option, shape in options.items() if option in family}
        assert filters == {option: whole[option] for option in filters}, name
        assert set(common.declared_filters()) <= set(filters), name
        assert {"actor", "drama", "kind"} <= set(filters), name


def test_limit_has_one_help_text() -> None:
    from scenecat.cli.app import load_commands

    helps = set()
    for command in [*_commands().values(), *load_commands()["list"].commands.values()]:
        limit = [p for p in command.params if p.name == "limit"]
        assert limit and limit[0].opts == ["--limit", "-n"]
        helps.add(limit[0].help)
    assert helps == {"Show at most this many."}


def test_a_new_declared_filter_field_gets_its_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    # What a second declared filter field (say `mood`) would give every scoped command.
    monkeypatch.setattr(common, "declared_filters", lambda: ("location", "mood"))
    seen = []

    @common.scope_options(without=("tag",))
    def command(scope: Any, limit: common.Limit = None) -> None:
        seen.append((scope, limit))

    app = typer.Typer()
    app.command()(command)
    result = CliRunner().invoke(app, ["--mood", "calm", "--kind", "kiss", "-n", "3"])
    assert result.exit_code == 0, result.output
    scope, limit = seen[0]
    assert (scope.fields, scope.kind, scope.tag, limit) == ((("mood", "calm"),), "kiss", None, 3)
    help_text = CliRunner().invoke(app, ["--help"]).output
    assert "--mood" in help_text and "Scenes whose mood is this." in help_text
    assert "--tag" not in help_text


def test_a_scoped_command_must_leave_the_filters_to_the_family() -> None:
    with pytest.raises(TypeError):

        @common.scope_options()
        def clash(scope: Any, kind: str | None = None) -> None:
            """Declares --kind of its own."""

    with pytest.raises(ValueError):
        common.scope_options(without=("colour",))
