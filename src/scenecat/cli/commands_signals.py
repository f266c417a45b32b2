"""Fan signals: views, vote, duel."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from scenecat.cli.commands_add import parse_flags
from scenecat.cli.common import UserError, catalogue, complete_scene, report_warnings

# `views KEY -5` must reach the count parser (and get a clear "cannot be negative") rather
# than be taken for an unknown option -5 by click.
NUMBERS_MAY_BE_NEGATIVE = {"ignore_unknown_options": True}


def register(app: typer.Typer) -> None:
    app.command("views", context_settings=NUMBERS_MAY_BE_NEGATIVE)(views)
    app.command("vote", context_settings=NUMBERS_MAY_BE_NEGATIVE)(vote)
    app.command("duel")(duel)


@contextmanager
def _field_errors() -> Iterator[None]:
    """A bad value found while writing (an unknown scene, a self-duel) is reported by its flag
    name, as parse errors are, not by the record path used in catalogue files."""
    from scenecat.domain.records import FieldError

    try:
        yield
    except FieldError as exc:
        raise UserError(f"{exc.path.split('.', 1)[-1]}: {exc.reason}", exc.hint) from None


def views(
    ctx: typer.Context,
    scene: Annotated[str, typer.Argument(help="Scene key.", autocompletion=complete_scene)],
    count: Annotated[str, typer.Argument(help="View count, e.g. 1000000 or 1,000,000.")],
    on: Annotated[
        str | None, typer.Option("--on", help="Date seen, YYYY-MM-DD (default today).")
    ] = None,
    source: Annotated[
        str, typer.Option("--source", help="Where: a URL or a name such as 'tvN official upload'.")
    ] = "",
) -> None:
    """Record a scene's view count on a date.

    A count lower than an earlier one from the same source is recorded with a warning.

    Example: scenecat views melting-me-softly-e10-shower-kiss 1000000 \\
        --on 2019-11-10 --source "tvN official upload"

    Counts of linked clips, read again: scenecat views refresh --help
    """
    from scenecat.cli.output import message
    from scenecat.domain.catalogue import record_view
    from scenecat.domain.fast_parsers import parse_view
    from scenecat.domain.names import resolve_scene
    from scenecat.domain.records import today
    from scenecat.errors import ScenecatError

    if re.fullmatch(r"-\s*[\d,_]+", count.strip()):
        raise UserError(f"count: a view count cannot be negative, got {count.strip()}", usage=True)
    rec = parse_flags(
        parse_view,
        {"count": count, "on": on or today().isoformat(), "source": source or None},
        "views",
    )
    with _field_errors(), catalogue(ctx) as cat, cat.write(f"views {scene}") as conn:
        try:
            scene_id = resolve_scene(conn, scene)
        except ScenecatError as exc:  # named by its argument, as `vote` and `duel` do
            raise UserError(f"scene: {exc.message}", exc.hint) from None
        warning = record_view(conn, scene_id, rec.count, rec.on, rec.source)
    report_warnings([warning] if warning else [])
    where = f" on {rec.source}" if rec.source else ""
    message(f"Recorded {rec.count:,} views of {scene}{where}, seen {rec.on}")


def vote(
    ctx: typer.Context,
    scene: Annotated[str, typer.Argument(help="Scene key.", autocompletion=complete_scene)],
    score: Annotated[str, typer.Argument(help="Score from 1 to 10 (whole numbers).")],
    voter: Annotated[str, typer.Option("--voter", help="Who votes.")] = "me",
    on: Annotated[
        str | None, typer.Option("--on", help="Date of the vote (default today).")
    ] = None,
) -> None:
    """Vote for a scene, 1-10.

    A new vote replaces your earlier one; the history is kept.

    Example: scenecat vote melting-me-softly-e10-shower-kiss 9
    """
    from scenecat.cli.output import message
    from scenecat.domain.catalogue import apply_vote
    from scenecat.domain.fast_parsers import parse_vote
    from scenecat.domain.records import today

    rec = parse_flags(
        parse_vote,
        {"scene": scene, "score": score, "voter": voter, "on": on or today().isoformat()},
        "vote",
    )
    with _field_errors(), catalogue(ctx) as cat, cat.write(f"vote {scene}") as conn:
        outcome = apply_vote(conn, rec)
    report_warnings(outcome.warnings)
    message(
        f"{rec.voter} gave {rec.score}/10 to {rec.scene}"
        if outcome.created
        else "That vote is already recorded; nothing changed"
    )


def duel(
    ctx: typer.Context,
    winner: Annotated[
        str, typer.Argument(help="The better scene's key.", autocompletion=complete_scene)
    ],
    loser: Annotated[
        str, typer.Argument(help="The other scene's key.", autocompletion=complete_scene)
    ],
    voter: Annotated[str, typer.Option("--voter", help="Who decided.")] = "me",
    on: Annotated[str | None, typer.Option("--on", help="Date (default today).")] = None,
) -> None:
    """Record that one scene beats another.

    A head-to-head answer: WINNER is better than LOSER.

    Example: scenecat duel melting-me-softly-e10-shower-kiss \\
        healer-e9-snowy-rooftop-kiss
    """
    from scenecat.cli.output import message
    from scenecat.domain.catalogue import apply_duel
    from scenecat.domain.fast_parsers import parse_duel
    from scenecat.domain.records import today

    rec = parse_flags(
        parse_duel,
        {"winner": winner, "loser": loser, "voter": voter, "on": on or today().isoformat()},
        "duel",
    )
    with _field_errors(), catalogue(ctx) as cat, cat.write(f"duel {winner} {loser}") as conn:
        outcome = apply_duel(conn, rec)
    message(
        f"Recorded: {rec.winner} beats {rec.loser}"
        if outcome.created
        else "That duel is already recorded; nothing changed"
    )
