"""Catalogue housekeeping: db path, db check."""

from __future__ import annotations

import typer

from scenecat.cli.common import UserError, catalogue, db_path, sub_app

db_app = sub_app(help="Where the catalogue lives and whether it is healthy.")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")


@db_app.command("path")
def db_path_command(ctx: typer.Context) -> None:
    """Print where the catalogue file is.

    Example: scenecat db path
    """
    typer.echo(str(db_path(ctx)))


@db_app.command("check")
def db_check(ctx: typer.Context) -> None:
    """Check integrity, foreign keys and the search index; exit 1 with a report if not fine.

    Example: scenecat db check
    """
    from scenecat.cli.output import message
    from scenecat.domain.health import check

    with catalogue(ctx, create=False) as cat:
        problems = check(cat.conn)
    if problems:
        for problem in problems:
            message(f"problem: {problem}")
        raise UserError(f"{len(problems)} problem(s) found in {cat.path}")
    message(f"{cat.path}: OK")
