"""The `scenecat` Typer application: global options and command registration.

Command modules import only Typer at module level; each command imports the domain and
storage code it needs when it runs, so `--help` stays cheap.
"""

from __future__ import annotations

from typing import Optional

import typer

from scenecat import __version__
from scenecat.cli import (
    commands_add,
    commands_articles,
    commands_browse,
    commands_change,
    commands_db,
    commands_exchange,
    commands_history,
    commands_rank,
    commands_search,
    commands_signals,
)
from scenecat.cli.common import ScenecatGroup, keep_examples, state

app = typer.Typer(
    name="scenecat",
    cls=ScenecatGroup,
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
    db: Optional[str] = typer.Option(  # noqa: UP045 - Typer reads the annotation
        None,
        "--db",
        envvar="SCENECAT_DB",
        help="Catalogue file (default: scenecat/catalogue.db in your user data directory).",
        show_envvar=True,
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Catalogue, search, rank and write about TV drama scenes.

    Example: scenecat rank --actor "Ji Chang Wook" --kind kiss
    """
    state(ctx).db = db


for module in (
    commands_add,
    commands_signals,
    commands_browse,
    commands_change,
    commands_exchange,
    commands_search,
    commands_rank,
    commands_articles,
    commands_history,
    commands_db,
):
    module.register(app)
keep_examples(app)


def run() -> None:
    app(prog_name="scenecat")
