"""Fan signals: views, vote, duel."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from scenecat.cli.commands_add import parse_flags
from scenecat.cli.common import (
    UserError,
    catalogue,
    change_label,
    complete_scene,
    report_warnings,
    scope_options,
)

if TYPE_CHECKING:
    from scenecat.domain.scope import Scope

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
        field = exc.path.split(".", 1)[-1]
        # "no scene with key ..." names what is wrong already; "scene: " before it stutters.
        said = exc.reason.startswith(f"no {field} ")
        raise UserError(exc.reason if said else f"{field}: {exc.reason}", exc.hint) from None


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
    with _field_errors(), catalogue(ctx) as cat, cat.write(change_label("views", scene)) as conn:
        try:
            scene_id = resolve_scene(conn, scene)
        except ScenecatError as exc:
            raise UserError(exc.message, exc.hint) from None
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
    from scenecat.domain.write_rules import gave_vote

    rec = parse_flags(
        parse_vote,
        {"scene": scene, "score": score, "voter": voter, "on": on or today().isoformat()},
        "vote",
    )
    with _field_errors(), catalogue(ctx) as cat, cat.write(change_label("vote", scene)) as conn:
        outcome = apply_vote(conn, rec)
    report_warnings(outcome.warnings)
    message(
        gave_vote(rec.voter, rec.score, rec.scene)
        if outcome.created
        else "That vote is already recorded; nothing changed"
    )


# No --spoiler filter: a session's --spoilers says how spoilers are shown, as an article's does.
@scope_options(without=("spoiler",))
def duel(
    ctx: typer.Context,
    scope: "Scope",
    winner: Annotated[
        str | None,
        typer.Argument(
            help="The better scene's key (none: a session of duels).",
            autocompletion=complete_scene,
            show_default=False,
        ),
    ] = None,
    loser: Annotated[
        str | None,
        typer.Argument(
            help="The other scene's key.", autocompletion=complete_scene, show_default=False
        ),
    ] = None,
    voter: Annotated[str, typer.Option("--voter", help="Who decided.")] = "me",
    on: Annotated[str | None, typer.Option("--on", help="Date (default today).")] = None,
    spoilers: Annotated[
        str | None,
        typer.Option(
            "--spoilers",
            help="How a session shows spoilers. warn (the default): major and ending ones "
            "folded (r unfolds one), minor ones under a warning; hide: every one folded; "
            "show: all shown.",
            show_default=False,
        ),
    ] = None,
    rounds: Annotated[
        int | None,
        typer.Option("--rounds", help="A session stops after this many pairs (skips count)."),
    ] = None,
) -> None:
    """Record a duel, or play a session of duels.

    A head-to-head answer: WINNER is better than LOSER. With no keys, two scenes at a time
    are shown in the terminal (the pair whose answer tells the ranking most: close scores,
    few duels between them) and you answer 1, 2, s (skip) or q (stop); each answer is
    recorded at once (`undo` takes back one), and the end shows how the ranking moved.
    The filters choose the session's scenes.

    Example: scenecat duel melting-me-softly-e10-shower-kiss \\
        healer-e9-snowy-rooftop-kiss
    """
    from scenecat.cli.output import message
    from scenecat.domain.catalogue import apply_duel
    from scenecat.domain.fast_parsers import parse_duel
    from scenecat.domain.records import today

    if winner is None and loser is None:
        _duel_session(ctx, scope, voter, on, spoilers, rounds)
        return
    if loser is None:
        raise UserError(
            "a duel needs two scenes, WINNER and LOSER (or none, for a session)", usage=True
        )
    _no_session_options(scope, spoilers, rounds)
    rec = parse_flags(
        parse_duel,
        {"winner": winner, "loser": loser, "voter": voter, "on": on or today().isoformat()},
        "duel",
    )
    with (
        _field_errors(),
        catalogue(ctx) as cat,
        cat.write(change_label("duel", rec.winner, rec.loser)) as conn,
    ):
        outcome = apply_duel(conn, rec)
    message(
        f"Recorded: {rec.winner} beats {rec.loser}"
        if outcome.created
        else "That duel is already recorded; nothing changed"
    )


def _no_session_options(scope: "Scope", spoilers: str | None, rounds: int | None) -> None:
    """The filters, --spoilers and --rounds are a session's: refused with two keys rather
    than ignored."""
    from scenecat.cli.common import SCOPE_FILTERS

    given = [
        f"--{name}" for name, (attr, _, _) in SCOPE_FILTERS.items() if getattr(scope, attr, None)
    ]
    given += [f"--{name.replace('_', '-')}" for name, _ in scope.fields]
    given += [flag for flag, value in (("--spoilers", spoilers), ("--rounds", rounds)) if value]
    if given:
        raise UserError(
            f"{', '.join(given)}: only for a session of duels, which takes no keys",
            hint="record this duel without them, or drop WINNER and LOSER to play a session",
            usage=True,
        )


def _duel_session(
    ctx: typer.Context,
    scope: "Scope",
    voter: str,
    on: str | None,
    spoilers: str | None,
    rounds: int | None,
) -> None:
    from scenecat.cli import duel_session
    from scenecat.domain.duel_cards import check_mode
    from scenecat.domain.fast_parsers import parse_duel
    from scenecat.domain.records import today

    mode = check_mode(spoilers or "warn")
    if rounds is not None and rounds < 1:
        raise UserError(f"--rounds must be 1 or more, got {rounds}", usage=True)
    # The voter and the date are checked as a duel's flags are; the scenes come later.
    rec = parse_flags(
        parse_duel,
        {"winner": "1", "loser": "2", "voter": voter, "on": on or today().isoformat()},
        "duel",
    )
    with catalogue(ctx) as cat:
        duel_session.run(
            cat,
            duel_session.Session(
                scope=scope, spoilers=mode, voter=rec.voter, on=rec.on, rounds=rounds
            ),
        )
