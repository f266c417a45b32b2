"""The `scenecat` Typer application: global options and command registration.

Command modules import only Typer at module level; each command imports the domain and
storage code it needs when it runs. The modules themselves are imported, and their commands
converted to click, only when one of their commands runs: importing and converting all ten
costs about as much as Typer itself. `scenecat --help` is written from COMMANDS, which
tests/test_startup.py keeps equal to what the modules register.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from scenecat import __version__
from scenecat.cli.common import ScenecatGroup, bounded_int, keep_examples, state

# Registration order: `scenecat --help` lists plain commands in it, then groups.
MODULES = (
    "commands_add",
    "commands_signals",
    "commands_browse",
    "commands_change",
    "commands_import",
    "commands_export",
    "commands_templates",
    "commands_search",
    "commands_rank",
    "commands_stats",
    "commands_history",
    "commands_progress",
    "commands_db",
    "commands_sources",
    "commands_web",
)

# Every top-level command as `scenecat --help` lists it: its name, the modules that
# register it and its subcommands, and the first paragraph of its help. When a command is
# added, or its help changes, tests/test_startup.py prints the table to paste here. (The
# help is a checked copy of the docstrings: reading them instead means importing every
# command module, about 5 ms, a twentieth of `scenecat --help`.)
COMMANDS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("init", ("commands_add",), "Create the catalogue (safe to run again)."),
    ("add-actor", ("commands_add",), "Add an actor."),
    ("add-drama", ("commands_add",), "Add a drama and its cast."),
    ("add-episode", ("commands_add",), "Add or update an episode."),
    ("add-scene", ("commands_add",), "Add a scene (asks for what is missing)."),
    ("views", ("commands_signals",), "Record a scene's view count on a date."),
    ("vote", ("commands_signals",), "Vote for a scene, 1-10."),
    ("duel", ("commands_signals",), "Record a duel, or play a session of duels."),
    ("open", ("commands_browse",), "Watch a scene: its clip in the web browser."),
    ("import", ("commands_import",), "Import a catalogue file, all or nothing."),
    ("search", ("commands_search",), "Find scenes by what you remember of them."),
    ("rank", ("commands_rank",), "Rank scenes by votes, duels and views."),
    ("trending", ("commands_rank",), "Scenes whose views grew fastest."),
    ("stats", ("commands_stats",), "Counts of records and scenes, as charts."),
    ("history", ("commands_history",), "List recent changes, newest first."),
    ("undo", ("commands_history",), "Take back the newest change (or N)."),
    ("watch", ("commands_progress",), "Watch along: an episode's scenes, then vote."),
    ("sources", ("commands_sources",), "List the metadata sources and their terms."),
    ("serve", ("commands_web",), "Browse the catalogue in a web browser."),
    ("publish", ("commands_web",), "Write a folder a Datasette host can serve."),
    ("list", ("commands_browse",), "List actors, dramas, episodes or scenes."),
    ("show", ("commands_browse",), "Show one actor, drama or scene in full."),
    ("edit", ("commands_change",), "Change an actor, drama or scene."),
    ("remove", ("commands_change",), "Remove an actor, drama, episode or scene."),
    ("alias", ("commands_change",), "Add or remove another name for a record."),
    ("merge", ("commands_change",), "Merge two records that are really one."),
    ("export", ("commands_export",), "Write (part of) the catalogue to a file."),
    ("templates", ("commands_templates",), "List the article templates, or copy one."),
    ("progress", ("commands_progress",), "Where you are in each drama."),
    ("db", ("commands_db",), "The catalogue file: path, health, copies."),
    ("lookup", ("commands_sources",), "Find a drama in a metadata source."),
    ("refresh", ("commands_sources",), "Re-read a drama from its source."),
)
_OWNERS = {name: modules for name, modules, _ in COMMANDS}

# Commands named by two words whose first word is a command of its own (`views SCENE COUNT`
# and `views refresh [OPTIONS]`): the module and function of each. Not listed in any help;
# LazyGroup.resolve_command hands `views refresh ...` over.
NESTED = {"views refresh": ("commands_sources", "views_refresh")}

# What Typer turns a command (TyperCommand) or a sub-app (TyperGroup) into.
Command = TyperCommand | TyperGroup


class _Loaded:
    """What this process has imported and converted so far."""

    modules: tuple[str, ...] = ()  # imported, their commands registered
    names: frozenset[str] = frozenset()  # the top-level commands converted
    commands: dict[str, Command] = {}  # noqa: RUF012 - replaced, never mutated


def load_commands(names: Iterable[str] | None = None) -> dict[str, Command]:
    """The top-level commands, converted to click: those named, or all of them; a name
    missing from COMMANDS loads all. Only the commands named are converted, not the others
    their modules register (`rank` does not convert `trending`: converting a command costs
    a few million instructions)."""
    if names is None or any(name not in _OWNERS for name in names):
        wanted = set(_OWNERS)
    else:
        wanted = set(names)
    if wanted <= _Loaded.names:
        return _Loaded.commands
    import importlib

    from typer.main import get_command

    # A fresh holder each time, registered in MODULES order, so that a full load lists the
    # commands as registering them all at once would.
    wanted |= _Loaded.names
    owners = {module for name in wanted for module in _OWNERS[name]}
    modules = tuple(m for m in MODULES if m in owners)
    holder = typer.Typer(rich_markup_mode=None, add_completion=False)
    holder.callback()(_no_options)  # a group even if one command is registered
    for module in modules:
        importlib.import_module(f"scenecat.cli.{module}").register(holder)
    if wanted != set(_OWNERS):
        holder.registered_commands = [c for c in holder.registered_commands if c.name in wanted]
        holder.registered_groups = [g for g in holder.registered_groups if g.name in wanted]
    keep_examples(holder)
    _Loaded.commands = dict(get_command(holder).commands)  # type: ignore[attr-defined]
    for command in _Loaded.commands.values():
        _bound_integers(command, integers())
        _plain_placeholders(command)
    _Loaded.modules = modules
    _Loaded.names = frozenset(wanted)
    return _Loaded.commands


# What an option's value is, in --help, by the option's name (others: by its type).
_PLACEHOLDERS = {
    **dict.fromkeys(
        ("actor", "alias", "aliases", "voter", "native", "new_name", "network"), "NAME"
    ),
    **dict.fromkeys(("country", "template"), "NAME"),
    **dict.fromkeys(("drama", "title", "new_title"), "TITLE"),
    **dict.fromkeys(("key", "scene", "new_key"), "KEY"),
    **dict.fromkeys(("on", "aired", "date", "views_on"), "DATE"),
    **dict.fromkeys(("at", "end", "clip_start", "clip_end"), "TIME"),
    "cast": "ACTOR:CHARACTER",
    "watched": "DRAMA:N",
    "couple": "NAME NAME",
    **dict.fromkeys(("year", "born"), "YEAR"),
    "port": "PORT",
    "host": "ADDRESS",
    "clip": "URL",
    "fmt": "FORMAT",
    "status": "STATUS",
    "mapping": "COLUMN=FIELD",
    **dict.fromkeys(("source", "from_source"), "SOURCE"),
    "location": "PLACE",
    "days": "DAYS",
    "change": "N",
    "kind": "KIND",
    "tag": "TAG",
    "spoiler": "LEVEL",
    "spoilers": "MODE",
    "method": "METHOD",
    "by": "GROUP",
    "views_count": "COUNT",
    "older_than": "AGE",
    **dict.fromkeys(("episode", "episodes", "limit", "rounds"), "INTEGER"),
}
_BY_TYPE = {
    "integer": "INTEGER",
    "float": "NUMBER",
    "path": "PATH",
    "filename": "PATH",
    "directory": "FOLDER",
}


class _Argument(TyperArgument):
    """An argument shown as NAME in usage lines and help, as click shows them, instead of
    Typer's `{name}` (Typer's own make_metavar wraps required arguments in braces).

    The one Typer detail scenecat leans on: Typer builds every argument as a TyperArgument
    and takes no class for it, and its `metavar=` would also rename the argument in error
    messages ('NAME' for 'name') and keep the braces; so _plain_placeholders() makes each
    argument an _Argument after conversion. It rests on make_metavar(ctx, *, usage) being
    what the usage line and the Arguments section call, which
    tests/test_typer_api.py::test_argument_placeholders_rest_on_make_metavar checks."""

    def make_metavar(self, ctx: typer.Context, *, usage: bool = False) -> str:  # type: ignore[override]
        shown = self.metavar or (self.name or "").upper()
        if self.nargs != 1:
            shown += "..."
        return f"[{shown}]" if usage and not self.required else shown


class _Integers:
    """The type Typer gives a plain `int` parameter, and the bounded one put in its place.

    Both come from Typer's own get_click_type(): the bounded one is what
    `typer.Option(parser=bounded_int)` declares, given to every `int` parameter here rather
    than written into each declaration (a new one cannot forget it)."""

    def __init__(self) -> None:
        from typer.main import get_click_type

        self.plain = type(get_click_type(annotation=int, parameter_info=typer.Option()))
        self.bounded = get_click_type(
            annotation=int, parameter_info=typer.Option(parser=bounded_int)
        )


@functools.cache
def integers() -> _Integers:
    return _Integers()


def _bound_integers(command: Command, types: _Integers) -> None:
    for param in command.params:
        if type(param.type) is types.plain:
            param.type = types.bounded
    for sub in getattr(command, "commands", {}).values():
        _bound_integers(sub, types)


def _plain_placeholders(command: Command) -> None:
    """Placeholders that read NAME, PATH, INTEGER... rather than `<str>` and `{name}`."""
    for param in command.params:
        if isinstance(param, TyperArgument):
            param.__class__ = _Argument
        elif isinstance(param, TyperOption) and param.metavar is None and not param.is_flag:
            kind = getattr(param.type, "name", "")
            by_name = _PLACEHOLDERS.get(param.name or "")
            if param.type is integers().bounded:
                kind = "integer"  # Typer names the type of `parser=` TEXT
            if not getattr(param.type, "choices", None):
                param.metavar = by_name or _BY_TYPE.get(kind, "TEXT")
    for sub in getattr(command, "commands", {}).values():
        _plain_placeholders(sub)


def _nested_command(name: str) -> Command:
    """A command of NESTED, converted on its own, with the placeholders and integer bounds
    of every other command."""
    import importlib

    from typer.main import get_command

    module, function = NESTED[name]
    holder = typer.Typer(rich_markup_mode=None, add_completion=False)
    callback = getattr(importlib.import_module(f"scenecat.cli.{module}"), function)
    holder.command(name.split()[-1])(callback)
    command: Command = get_command(holder)  # type: ignore[assignment]
    _bound_integers(command, integers())
    _plain_placeholders(command)
    return command


def all_loaded() -> bool:
    return _Loaded.names == set(_OWNERS)


def _no_options() -> None:
    """A callback with no options: it makes the holder a group even with one command."""


class LazyGroup(ScenecatGroup):
    """The root group: a command's modules are loaded when it is looked up, and the root
    help is written from COMMANDS without loading any."""

    @property  # type: ignore[override]
    def commands(self) -> dict[str, Command]:
        return load_commands()

    @commands.setter
    def commands(self, value: Any) -> None:
        """Ignored: Typer builds the root with no commands; they come from load_commands()."""

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Command | None:  # type: ignore[override]
        return load_commands([cmd_name]).get(cmd_name)

    def resolve_command(  # type: ignore[override]
        self, ctx: typer.Context, args: list[str]
    ) -> tuple[str | None, Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        nested = f"{name} {rest[0]}" if name and rest else ""
        if nested in NESTED:
            return nested, _nested_command(nested), rest[1:]
        return name, command, rest  # type: ignore[return-value]

    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        if all_loaded():
            return super().list_commands(ctx)
        return [name for name, _, _ in COMMANDS]

    def format_commands(self, ctx: typer.Context, formatter: Any) -> None:  # type: ignore[override]
        if all_loaded():
            return super().format_commands(ctx, formatter)
        # Each line shortened as the command's own would be once loaded.
        limit = formatter.width - 6 - max(len(name) for name, _, _ in COMMANDS)
        rows = [
            (name, TyperCommand(name, help=text).get_short_help_str(limit))
            for name, _, text in COMMANDS
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)
        return None


app = typer.Typer(
    name="scenecat",
    cls=LazyGroup,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"scenecat {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="SCENECAT_DB",
            metavar="PATH",
            help="Catalogue file (default: scenecat/catalogue.db in your user data directory).",
            show_envvar=True,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Catalogue, search, rank and write about TV drama scenes.

    \b
    Example: scenecat rank --actor "Ji Chang Wook" --kind kiss
    """
    state(ctx).db = db


def run() -> None:
    import signal
    import sys

    from scenecat.cli.common import Interrupted, on_interrupt

    # Only when Ctrl-C would interrupt anyway (not when the shell ignores it, as with `&`).
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, on_interrupt)
    try:
        app(prog_name="scenecat")
    except Interrupted as exc:
        exc.report()
        sys.exit(130)
