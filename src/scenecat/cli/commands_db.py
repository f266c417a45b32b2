"""Catalogue housekeeping: db path, db check, db backup, db restore."""

from __future__ import annotations

from pathlib import Path

import typer

from scenecat.cli.common import YES_OPTION, UserError, catalogue, confirm, db_path, sub_app

db_app = sub_app(help="Where the catalogue lives, whether it is healthy, and copies of it.")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")


@db_app.command("path")
def db_path_command(ctx: typer.Context) -> None:
    """Print where the catalogue file is.

    Example: scenecat db path
    """
    typer.echo(str(db_path(ctx)))


@db_app.command("check")
def db_check(
    ctx: typer.Context,
    repair: bool = typer.Option(
        False,
        "--repair",
        help="First compute the per-scene signals (votes, views, duels) again from the "
        "votes, view counts and duels.",
    ),
) -> None:
    """Check integrity, foreign keys, the search index, the per-scene signals, votes and the
    change history; exit 1 with a report if not fine.

    Example: scenecat db check
    """
    from scenecat.cli.output import message
    from scenecat.domain.health import check, repair_signals

    with catalogue(ctx, create=False) as cat:
        if repair:
            repair_signals(cat)
        problems = check(cat.conn)
    if problems:
        for problem in problems:
            message(f"problem: {problem}")
        raise UserError(f"{len(problems)} problem(s) found in {cat.path}")
    message(f"{cat.path}: OK")


def _describe(counts: dict[str, int]) -> str:
    return (
        f"{counts.get('scene', 0)} scenes, {counts.get('actor', 0)} actors, "
        f"{counts.get('drama', 0)} dramas, {counts.get('vote', 0)} votes"
    )


@db_app.command("backup")
def db_backup(
    ctx: typer.Context,
    dest: Path = typer.Argument(..., help="File to write, or a folder to put a dated copy in."),
    force: bool = typer.Option(False, "--force", help="Replace DEST if it exists."),
) -> None:
    """Copy the catalogue to DEST, safely even while other scenecat commands write.

    Example: scenecat db backup ~/scenecat-backup.db
    """
    from scenecat.cli.output import message
    from scenecat.domain.health import backup

    with catalogue(ctx, create=False) as cat:
        written = backup(cat, dest, force=force)
    message(f"Backed up {cat.path} to {written}")


@db_app.command("restore")
def db_restore(
    ctx: typer.Context,
    src: Path = typer.Argument(..., help="A catalogue file, e.g. one made by `db backup`."),
    yes: bool = YES_OPTION,
) -> None:
    """Replace the catalogue with SRC (asks first); a copy of the current one is kept.

    Example: scenecat db restore ~/scenecat-backup.db
    """
    from scenecat.cli.output import message
    from scenecat.domain import health

    with catalogue(ctx) as cat:
        plan = health.plan_restore(cat, src)
        confirm(
            f"Replace {cat.path} ({_describe(plan.current)}) with {src} "
            f"({_describe(plan.source.counts)})? The current one is kept at {plan.keep_at}",
            yes,
        )
        kept = health.restore(cat, plan)
    # Opening again upgrades a restored catalogue from an older scenecat, like any other.
    with catalogue(ctx) as cat:
        message(f"Restored {cat.path} from {src}; the previous catalogue is at {kept}")
