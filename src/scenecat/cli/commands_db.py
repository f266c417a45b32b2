"""Catalogue housekeeping: db path, db check, db backup, db restore."""

import os
from pathlib import Path
from typing import Annotated

import typer

from scenecat.cli.common import UserError, YesFlag, catalogue, confirm, db_path, sub_app

db_app = sub_app(help="The catalogue file: path, health, copies.")


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
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="First compute the per-scene signals (votes, views, duels) again from the "
            "votes, view counts and duels.",
        ),
    ] = False,
) -> None:
    """Check the catalogue's health.

    Integrity, foreign keys, the search index, the per-scene signals, votes, the change
    history, and the schema against the one scenecat makes (a trigger it does not make is a
    problem; an index or table you added is noted); exit 1 with a report if not fine.

    Example: scenecat db check
    """
    from scenecat.cli.output import message
    from scenecat.domain.health import added_objects, check, damage_advice, repair_signals

    with catalogue(ctx, create=False) as cat:
        if repair:
            repair_signals(cat)
        problems = check(cat.conn)
        damaged = any(p.startswith("integrity:") for p in problems)
        advice = damage_advice(cat.conn, cat.path) if damaged else []
        added = added_objects(cat.conn)
    _note_added(added)
    if problems:
        for problem in problems:
            message(f"problem: {problem}")
        for line in advice:
            message(line)
        what = "the catalogue file is damaged: " if damaged else ""
        raise UserError(f"{what}{len(problems)} problem(s) found in {cat.path}")
    message(f"{cat.path}: OK")


def _note_added(added: list[str]) -> None:
    from scenecat.cli.output import message
    from scenecat.text import wrap_items

    if added:
        for line in wrap_items("note: added outside scenecat (kept, not a problem):", added):
            message(line)


def _describe(counts: dict[str, int]) -> str:
    return (
        f"{counts.get('scene', 0)} scenes, {counts.get('actor', 0)} actors, "
        f"{counts.get('drama', 0)} dramas, {counts.get('vote', 0)} votes"
    )


@db_app.command("backup")
def db_backup(
    ctx: typer.Context,
    # str, not Path: Path("") would silently be the current folder.
    dest: Annotated[
        str,
        typer.Argument(
            metavar="DEST",
            help="File to write, or a folder to put a dated copy in (ending in /: made if missing).",
        ),
    ],
    force: Annotated[bool, typer.Option("--force", help="Replace DEST if it exists.")] = False,
    salvage: Annotated[
        bool,
        typer.Option(
            "--salvage",
            help="For a damaged catalogue: a new catalogue with every row that can still be read.",
        ),
    ] = False,
) -> None:
    """Copy the catalogue to DEST.

    Safe even while other scenecat commands write.

    Example: scenecat db backup ~/scenecat-backup.db
    """
    from scenecat.cli.output import message
    from scenecat.domain.health import backup

    if salvage:
        _salvage(ctx, dest, force)
        return

    if not dest.strip():
        raise UserError("the backup file name is empty", hint="give a file or folder name")
    with catalogue(ctx, create=False) as cat:
        folder = dest.endswith(("/", os.sep))
        written, warning = backup(cat, Path(dest), force=force, folder=folder)
    message(f"Backed up {cat.path} to {written}")
    if warning:
        message(f"warning: {warning}")


def _salvage(ctx: typer.Context, dest: str, force: bool) -> None:
    from scenecat.cli.output import message
    from scenecat.domain.health import salvage
    from scenecat.text import wrap_items

    if not dest.strip():
        raise UserError("the file name is empty", hint="give a file or folder name")
    with catalogue(ctx, create=False) as cat:
        written, found = salvage(cat, Path(dest), force=force)

    damaged = frozenset([*found.unreadable, *found.skipped])

    def rows(counts: dict[str, int], *, zeros: frozenset[str] = frozenset()) -> list[str]:
        return [_count(n, t) for t, n in counts.items() if n or t in zeros]

    def say(label: str, items: list[str]) -> None:
        for line in wrap_items(label, items):  # read at 80 columns
            message(line)

    # A damaged table is listed even when nothing of it was saved.
    say(f"Saved into {written}:", rows(found.copied, zeros=damaged) or ["nothing"])
    if found.unreadable:
        say("could not be read (or not to the end):", [_label(t) for t in found.unreadable])
    if found.skipped:
        say("read around damaged pages:", [_label(t) for t in found.skipped])
    if found.refused:
        say("read but left out (damaged values the table refuses):", rows(found.refused))
    if found.orphans:
        say(
            "left out (the scene, actor, drama or vote they belong to was lost):",
            rows(found.orphans),
        )
    message(f"check it: scenecat --db {written} db check")


# A table's rows as the salvage report names them: (one, several).
_LABELS = {
    "actor": ("actor", "actors"),
    "actor_alias": ("actor alias", "actor aliases"),
    "drama": ("drama", "dramas"),
    "drama_alias": ("drama alias", "drama aliases"),
    "episode": ("episode", "episodes"),
    "credit": ("credit", "credits"),
    "scene": ("scene", "scenes"),
    "scene_tag": ("scene tag", "scene tags"),
    "scene_actor": ("scene appearance", "scene appearances"),
    "source": ("source", "sources"),
    "scene_source": ("scene source", "scene sources"),
    "view_count": ("view count", "view counts"),
    "vote": ("vote", "votes"),
    "duel": ("duel", "duels"),
    "watch_progress": ("watch progress row", "watch progress rows"),
}


def _label(table: str) -> str:
    return _LABELS.get(table, (table, table))[1]


def _count(n: int, table: str) -> str:
    one, several = _LABELS.get(table, (table, table))
    return f"{n:,} {one if n == 1 else several}"


@db_app.command("restore")
def db_restore(
    ctx: typer.Context,
    sources: Annotated[
        list[Path],
        typer.Argument(
            metavar="SRC",
            help="A catalogue file, e.g. one made by `db backup`; of several "
            "(backups/catalogue-*.db), the newest.",
        ),
    ],
    yes: YesFlag = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Restore even if SRC fails `db check` (foreign keys, index)."),
    ] = False,
) -> None:
    """Replace the catalogue with the newest SRC.

    Asks first; a copy of the current one is kept. SRC must pass `db check` first
    (--force restores it anyway).

    Example: scenecat db restore ~/scenecat-backup.db
    """
    from scenecat.cli.output import message
    from scenecat.domain import health

    src = health.newest_backup(sources) if len(sources) > 1 else sources[0]
    # Which of several is restored is said before anything is asked or done.
    newest = f" (the newest of the {len(sources)} given)" if len(sources) > 1 else ""
    with catalogue(ctx) as cat:
        plan = health.plan_restore(cat, src, force=force)
        _note_added(plan.added)
        confirm(
            f"Replace {cat.path} ({_describe(plan.current)}) with {src}{newest} "
            f"({_describe(plan.source.counts)})? The current one is kept at {plan.keep_at}",
            yes,
        )
        kept = health.restore(cat, plan)
    # Opening again upgrades a restored catalogue from an older scenecat, like any other.
    with catalogue(ctx) as cat:
        message(f"Restored {cat.path} from {src}{newest}; the previous catalogue is at {kept}")
