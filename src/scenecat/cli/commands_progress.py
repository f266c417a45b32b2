"""Watch progress: `progress` (list, set, clear, import) and the watch-along `watch`."""

from typing import TYPE_CHECKING, Annotated

import typer

from scenecat.cli.common import (
    Interrupted,
    JsonFlag,
    Spoilers,
    UserError,
    catalogue,
    complete_drama,
)

if TYPE_CHECKING:
    from scenecat.domain.progress import Change, ProgressRow
    from scenecat.domain.progress_import import Plan


progress_app = typer.Typer(
    help="Where you are in each drama.",
    invoke_without_command=True,
    no_args_is_help=False,
    rich_markup_mode=None,
)


def register(app: typer.Typer) -> None:
    app.add_typer(progress_app, name="progress")
    app.command("watch")(watch)


DramaArgument = Annotated[
    str, typer.Argument(help="Drama title, alias or native title.", autocompletion=complete_drama)
]


@progress_app.callback()
def progress(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Where you are in each drama.

    Without a subcommand, lists your progress; set, clear and import change it. Scenes past it that are spoilers are hidden
    from list scenes, search, rank, show, trending and the website (--spoilers show shows
    them).

    Example: scenecat progress set "Healer" 8
    """
    from scenecat.text import counted

    if ctx.invoked_subcommand is not None:
        return
    from scenecat.cli import output
    from scenecat.domain import progress as domain

    with catalogue(ctx) as cat:
        rows = domain.list_progress(cat.conn)
    if as_json:
        output.emit_json([domain.progress_json(r) for r in rows], {"count": len(rows)})
        return
    if not rows:
        output.message(
            'No progress stored yet: `scenecat progress set "DRAMA" EPISODE` '
            "or `scenecat progress import FILE`."
        )
        return
    output.table(
        "Your progress",
        ("drama", "seen", "status", "started", "last"),
        [_row(r) for r in rows],
        footer=f"{counted(len(rows), 'drama')}; last: the day finished, or of the last change",
        numeric=("seen",),
        keep=("drama", "seen", "status", "last", "started"),
    )


def _row(r: "ProgressRow") -> tuple[object, ...]:
    seen = f"{r.episode}/{r.episodes}" if r.episodes else str(r.episode)
    return (r.drama, seen, r.status, r.started or "", r.finished or r.updated or "")


def _said(change: "Change") -> str:
    from scenecat.domain.progress import describe

    if not change.changed:
        return f"{change.drama}: already {describe(change.before)}; nothing changed"
    if change.after is None:
        return f"{change.drama}: progress cleared (was {describe(change.before)})"
    was = f" (was {describe(change.before)})" if change.before else ""
    return f"{change.drama}: {describe(change.after)}{was}"


@progress_app.command("set")
def set_progress(
    ctx: typer.Context,
    drama: DramaArgument,
    episode: Annotated[
        int | None,
        typer.Argument(help="Episodes seen (0: not started); --completed alone needs none."),
    ] = None,
    completed: Annotated[
        bool, typer.Option("--completed", help="You have seen it all (the last episode).")
    ] = False,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help="watching, completed, on-hold, dropped or plan-to-watch "
            "(default: watching, completed at the last episode).",
        ),
    ] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="Date of this change, YYYY-MM-DD (default today).")
    ] = None,
) -> None:
    """Set how far you are in a drama.

    Scenes after that episode that are spoilers are hidden from your screens until you
    move on. The change is in `history`; `undo` takes it back.

    Example: scenecat progress set "Healer" 8
    """
    from scenecat.cli.output import message
    from scenecat.domain import progress as domain
    from scenecat.domain.records import FieldError, parse_date
    from scenecat.errors import UsageError

    if episode is None and not completed and status is None:
        raise UserError("give the episodes seen, --completed or --status", usage=True)
    if episode is not None and not 0 <= episode <= 100_000:
        raise UserError(f"episode: {episode} is out of range 0..100,000", usage=True)
    try:
        checked = domain.parse_status(status) if status is not None else None
        day = parse_date(on, "on") if on is not None else None
    except FieldError as exc:
        raise UsageError(f"--{exc.path}: {exc.reason}") from None
    label = f"progress set {drama} " + (
        str(episode) if episode is not None else (checked or "completed")
    )
    with catalogue(ctx) as cat, cat.write(label[:300]) as conn:
        change = domain.set_progress(
            conn, drama, episode=episode, status=checked, completed=completed, on=day
        )
    message(_said(change))


@progress_app.command("clear")
def clear_progress(ctx: typer.Context, drama: DramaArgument) -> None:
    """Forget your progress in a drama.

    Its scenes show as they did before.

    Example: scenecat progress clear "Healer"
    """
    from scenecat.cli.output import message
    from scenecat.domain import progress as domain

    with catalogue(ctx) as cat, cat.write(f"progress clear {drama}"[:300]) as conn:
        change = domain.clear_progress(conn, drama)
    message(_said(change))


@progress_app.command("import")
def import_progress(
    ctx: typer.Context,
    file: Annotated[
        str, typer.Argument(help="A Trakt watched-shows JSON, or a CSV/TSV list (MyDramaList).")
    ],
    maps: Annotated[
        list[str],
        typer.Option(
            "--map",
            metavar="TITLE=DRAMA",
            help="Match a show of the file to a drama (=- skips it); the report prints "
            "the line for each show it could not match.",
        ),
    ] = [],  # Typer reads a list default; it is never mutated
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Also write progress lower than stored.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would change; write nothing.")
    ] = False,
) -> None:
    """Import progress from Trakt or MyDramaList.

    Shows are matched by the tmdb/imdb/tvdb ids the catalogue stores, then by title, alias
    and year; specials are skipped; season N goes to the drama titled "TITLE N" or "TITLE
    Season N". A lower progress than stored is asked about (kept without --yes off a
    terminal). All or nothing: on any error nothing is written.

    Example: scenecat progress import watched.json
    """
    import sys
    from pathlib import Path

    from scenecat.domain import progress_import as domain
    from scenecat.errors import Conflict

    mapping = domain.parse_maps(maps)
    path = Path(file)
    kind, entries, specials = domain.read_file(path)
    with catalogue(ctx) as cat:
        first = domain.plan(cat.conn, kind, entries, specials, mapping)
        lower = yes
        lowered = first.lowered
        if lowered and not yes and not dry_run and sys.stdin.isatty():
            from scenecat.cli.common import ask_yes_no
            from scenecat.domain.progress import describe

            listing = "; ".join(
                f"{c.drama}: {describe(c.before)} -> {describe(c.after)}" for _, c in lowered
            )
            lower = ask_yes_no(f"Lower your progress ({listing})?", default=False)
        if not dry_run:
            with cat.write(f"progress import {path.name}"[:300]) as conn:
                again = domain.plan(conn, kind, entries, specials, mapping)
                if again.signature() != first.signature():
                    raise Conflict(
                        "the progress changed while you were asked; nothing was imported",
                        hint="run the command again",
                    )
                written = domain.apply(conn, again, lower)
        else:
            written = []
    _report(first, path.name, written, lower, dry_run)


def _report(plan: "Plan", name: str, written: "list[Change]", lower: bool, dry_run: bool) -> None:
    from scenecat.cli.output import message
    from scenecat.domain.progress import describe

    kind = "Trakt" if plan.kind == "trakt" else "list"
    by_id, by_title, mapped = plan.by("id"), plan.by("title"), plan.by("map")
    unmatched, skipped = plan.by("unmatched"), plan.by("skipped")
    for _, change in plan.changes:
        if not change.changed:
            continue
        if change.lowered and not lower:
            message(
                f"kept {change.drama} at {describe(change.before)}: the file says "
                f"{describe(change.after)} (--yes lowers it)"
            )
        else:
            verb = "would set" if dry_run else "set"
            message(f"{verb} {_said(change)}")
    for match in unmatched:
        e = match.entry
        message(f"unmatched: {e.map_key!r}: {match.reason}")
        message(f'  hint: --map "{e.map_key}=DRAMA"')
    parts = [f"{len(by_id)} matched by id", f"{len(by_title)} by title"]
    if mapped:
        parts.append(f"{len(mapped)} by --map")
    parts.append(f"{len(unmatched)} unmatched")
    if skipped:
        parts.append(f"{len(skipped)} skipped by --map")
    if plan.specials:
        parts.append(
            f"{plan.specials} season{'s' if plan.specials != 1 else ''} of specials skipped"
        )
    changed = sum(1 for _, c in plan.changes if c.changed and (lower or not c.lowered))
    what = f"{changed} would change" if dry_run else f"{len(written)} changed"
    lead = "Dry run of" if dry_run else "Imported"
    tail = "; nothing was changed" if dry_run else ""
    message(f"{lead} {name} ({kind}): {', '.join(parts)}; {what}{tail}")


def watch(
    ctx: typer.Context,
    drama: DramaArgument,
    episode: Annotated[int, typer.Argument(help="The episode you are watching.")],
    finished: Annotated[
        bool,
        typer.Option("--finished", help="Mark it seen without asking (and ask for no votes)."),
    ] = False,
    spoilers: Spoilers = "hide",
) -> None:
    """Watch along: an episode's scenes, then vote.

    Lists the episode's scenes in time order with their clips. When you have finished it,
    marks the episode seen and offers, for each scene you have not voted on, a vote and
    one duel against your favourite scene of the same kind. Ctrl-C keeps what you answered.

    Example: scenecat watch "Healer" 9
    """
    import sys

    from scenecat.cli import output
    from scenecat.cli.common import ask, ask_yes_no
    from scenecat.domain import watch_along
    from scenecat.errors import ScenecatError
    from scenecat.text import counted

    with catalogue(ctx) as cat:
        guard_mode = spoilers
        episode_view = watch_along.episode(cat.conn, drama, episode, guard_mode)
        _show_episode(episode_view)
        interactive = sys.stdin.isatty() and not finished
        if not interactive and not finished:
            output.message("Not asked (no terminal): --finished marks the episode seen.")
            return
        answered = 0
        try:
            if interactive and not ask_yes_no(
                f"Finished episode {episode} of {episode_view.drama}?", default=True
            ):
                output.message("Nothing marked; enjoy the episode.")
                return
            with cat.write(f"progress set {episode_view.drama} {episode}"[:300]) as conn:
                change = watch_along.mark_seen(conn, episode_view)
            output.message(_said(change))
            if not interactive:
                return
            for item in watch_along.to_vote(cat.conn, episode_view):
                while answer := ask(f"Your vote for {item.title!r}, 1-10 (Enter skips)").strip():
                    try:
                        with cat.write(f"vote {item.key}") as conn:
                            said = watch_along.vote(conn, item, answer)
                    except ScenecatError as exc:
                        output.message(f"{exc.message.split(': ', 1)[-1]}; try again")
                        continue
                    answered += 1
                    output.message(said)
                    break
                rival = watch_along.favourite(cat.conn, item)
                if rival is None:
                    continue
                output.message(
                    f"Which is better?\n  1  {item.title}\n  2  {rival.title} "
                    f"(your favourite {item.kind})"
                )
                pick = ask("1 or 2 (Enter skips)").strip()
                if pick in ("1", "2"):
                    winner, loser = (item, rival) if pick == "1" else (rival, item)
                    with cat.write(f"duel {winner.key} {loser.key}") as conn:
                        said = watch_along.duel(conn, winner, loser)
                    answered += 1
                    output.message(said)
                elif pick:
                    output.message("Not 1 or 2: no duel recorded.")
        except Interrupted:
            kept = (
                f"kept the episode and {counted(answered, 'answer')} given"
                if answered
                else ("kept what was answered")
            )
            raise Interrupted(kept) from None
        output.message(f"Done: {counted(answered, 'answer')} recorded.")


def _show_episode(view: "object") -> None:
    from scenecat.cli import output
    from scenecat.domain.watch_along import EpisodeView
    from scenecat.text import counted

    assert isinstance(view, EpisodeView)
    rows = [(s.at, s.title, s.kind, s.clip) for s in view.scenes]
    notes = [f"{counted(len(view.scenes), 'scene')} in time order"]
    if view.hidden:
        notes.append(f"{view.hidden} past your progress masked; --spoilers show shows them.")
    output.table(
        f"{view.drama}, episode {view.episode}",
        ("at", "scene", "kind", "clip"),
        rows,
        footer="\n".join(notes),
        keep=("at", "scene", "clip", "kind"),
    )
