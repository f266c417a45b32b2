"""The change history: `history` lists recent changes, `undo` takes them back."""

from typing import Annotated

import typer

from scenecat.cli.common import Interrupted, JsonFlag, YesFlag, catalogue, confirm


def register(app: typer.Typer) -> None:
    app.command("history")(history)
    app.command("undo")(undo)


def _when(stamp: str | None) -> str:
    import datetime as dt

    if not stamp:
        return ""
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def history(
    ctx: typer.Context,
    limit: Annotated[
        int, typer.Option("--limit", "-n", help="Show at most this many changes.")
    ] = 20,
    as_json: JsonFlag = False,
) -> None:
    """List recent changes, newest first.

    Each can be taken back with `undo`.

    Example: scenecat history --limit 5
    """
    from scenecat.cli import output
    from scenecat.domain.history import change_json, recent

    with catalogue(ctx, create=False) as cat:
        changes = recent(cat.conn, limit)
    if as_json:
        output.emit_json([change_json(c) for c in changes], {"count": len(changes)})
        return
    if not changes:
        output.message("No changes recorded yet.")
        return
    rows = []
    for change in changes:
        if change.kind == "undo":
            state = "undo"
        elif change.undone:
            state = f"undone by #{change.undone_by}"
        else:
            state = "bulk" if change.bulk else ""
        rows.append((f"#{change.id}", _when(change.started), change.label, change.rows, state))
    output.table(
        "Recent changes",
        ["#", "when", "change", "rows", "state"],
        rows,
        numeric=["rows"],
        footer="`scenecat undo` takes back the newest change still in place",
    )


def undo(
    ctx: typer.Context,
    count: Annotated[int, typer.Argument(help="How many of the newest changes to take back.")] = 1,
    change: Annotated[
        int | None,
        typer.Option("--change", help="Take back this one change (its # in `history`) instead."),
    ] = None,
    yes: YesFlag = False,
) -> None:
    """Take back the newest change (or N).

    Refuses, saying why, when a later change depends on it. An undo cannot itself be undone.

    Example: scenecat undo 2 --yes
    """
    from scenecat.cli.output import message
    from scenecat.domain import history as domain

    with catalogue(ctx, create=False) as cat:
        planned = domain.plan(cat.conn, count, change)
        domain.check_undoable(cat.conn, planned)  # a refusal comes before the question
        listing = "; ".join(f"{domain.describe(c)} ({c.rows} rows)" for c in planned)
        confirm(f"Undo {listing}?", yes)
        try:
            with cat.write("undo") as conn:
                result = domain.undo(conn, count, change, expected=[c.id for c in planned])
        except Interrupted:
            # One transaction: rolled back, unless Ctrl-C came just after its commit.
            if domain.is_undone(cat.conn, planned[0].id):
                raise Interrupted("the undo had just finished; see `scenecat history`") from None
            raise Interrupted("nothing was undone") from None
    for undone in result.undone:
        message(f"Undid {domain.describe(undone)}")
