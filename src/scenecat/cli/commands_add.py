"""Commands that add facts: init, add-*, views, vote, duel."""

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from scenecat.cli.common import (
    FieldFlags,
    SceneFlags,
    UserError,
    catalogue,
    complete_actor,
    complete_drama,
    db_path,
    record_field_options,
    report_warnings,
    scene_field_options,
)

T = TypeVar("T")


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("add-actor")(add_actor)
    app.command("add-drama")(add_drama)
    app.command("add-episode")(add_episode)
    app.command("add-scene")(add_scene)


def init(ctx: typer.Context) -> None:
    """Create the catalogue (safe to run again).

    Example: scenecat --db fan.db init
    """
    from scenecat.cli.output import message

    existed = db_path(ctx).exists()
    with catalogue(ctx, create=True) as cat:
        message(f"{'Catalogue ready' if existed else 'Created catalogue'} at {cat.path}")


@record_field_options("actor", edit=False)
def add_actor(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Display name, romanised (e.g. 'Ji Chang Wook').")],
    *,
    fields: FieldFlags,
    force: Annotated[
        bool, typer.Option("--force", help="Add even if the name looks like another actor's.")
    ] = False,
) -> None:
    """Add an actor.

    Example: scenecat add-actor "Ji Chang Wook" --native 지창욱 \\
        --alias "Ji Chang-wook" --born 1987
    """
    from scenecat.cli.output import message
    from scenecat.domain.catalogue import apply_actor
    from scenecat.domain.records import parse_actor

    rec = parse_flags(parse_actor, {"name": name, **fields}, "actor")
    with catalogue(ctx, create=True) as cat, cat.write(f"add-actor {rec.name}") as conn:
        outcome = apply_actor(conn, rec, "add", force=force)
    report_warnings(outcome.warnings)
    message(f"Added actor {outcome.name} (id {outcome.id})")


@record_field_options("drama", edit=False)
def add_drama(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="Title in English, e.g. 'Melting Me Softly'.")],
    *,
    fields: FieldFlags,
    cast: Annotated[
        list[str],
        typer.Option(
            "--cast",
            help="'Actor:Character' (repeatable); the actor must exist.",
            autocompletion=complete_actor,
        ),
    ] = [],
    from_source: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Fill it from a source: wikidata or tmdb, or SOURCE:ID (see `scenecat sources`).",
        ),
    ] = None,
    from_file: Annotated[
        Path | None,
        typer.Option(
            "--from-file", help="A saved response of the source's API instead of the network."
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Add even if the title looks like another drama's.")
    ] = False,
    all_cast: Annotated[
        bool,
        typer.Option(
            "--all-cast",
            help="With --from: every cast member the source lists, guest stars too "
            "(default: the regulars).",
        ),
    ] = False,
) -> None:
    """Add a drama and its cast.

    Example: scenecat add-drama "Melting Me Softly" --native "날 녹여주오" \\
        --network tvN --year 2019 --episodes 16 \\
        --cast "Ji Chang Wook:Ma Dong Chan"

    Example: scenecat add-drama "Melting Me Softly" --from tmdb
    """
    if from_source is not None or from_file is not None:
        from scenecat.cli.commands_sources import add_drama_from

        _source_fills(fields, cast)
        add_drama_from(ctx, title, from_source, from_file, fields["year"], all_cast)
        return
    if all_cast:
        raise typer.BadParameter("goes with --from or --from-file", param_hint="--all-cast")
    from scenecat.cli.output import message
    from scenecat.domain.catalogue import apply_drama
    from scenecat.domain.records import parse_drama

    record = {"title": title, **fields, "cast": list(cast)}
    rec = parse_flags(parse_drama, record, "drama")
    with catalogue(ctx, create=True) as cat, cat.write(f"add-drama {rec.title}") as conn:
        outcome = apply_drama(conn, rec, "add", force=force)
    report_warnings(outcome.warnings)
    message(f"Added drama {outcome.name} (id {outcome.id}) with {len(rec.cast)} cast member(s)")


def _source_fills(fields: FieldFlags, cast: list[str]) -> None:
    """--from fills every field but the year (which picks the drama among the source's):
    giving one of them too is a usage error."""
    from scenecat.fields import DRAMA_FIELDS

    filled = [f for f in DRAMA_FIELDS if f.flag and f.name in fields and f.name != "year"]
    if not any(fields[f.name] for f in filled) and not cast:
        return
    # single-valued flags first, then the repeatable ones
    named = [f.flag or "" for f in sorted(filled, key=lambda f: f.value == "names")]
    raise typer.BadParameter(
        f"the source fills the drama; leave out {', '.join(named)} and --cast "
        "(change it later with `edit`)",
        param_hint="--from",
    )


def add_episode(
    ctx: typer.Context,
    drama: Annotated[str, typer.Argument(help="Drama title.", autocompletion=complete_drama)],
    number: Annotated[int, typer.Argument(help="Episode number.")],
    aired: Annotated[str | None, typer.Option("--aired", help="Air date, YYYY-MM-DD.")] = None,
    rating: Annotated[
        float | None, typer.Option("--rating", help="Nationwide rating in %.")
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="Episode title.")] = None,
) -> None:
    """Add or update an episode.

    If it exists already, it is updated with the values given.

    Example: scenecat add-episode "Melting Me Softly" 10 --aired 2019-10-27 \\
        --rating 2.1
    """
    from scenecat.cli.output import message
    from scenecat.domain.catalogue import apply_episode
    from scenecat.domain.records import parse_episode

    record = {"number": number, "aired": aired, "rating": rating, "title": title}
    rec = parse_flags(parse_episode, record, "episode")
    with catalogue(ctx, create=True) as cat, cat.write(f"add-episode {drama} {number}") as conn:
        outcome = apply_episode(conn, drama, rec)
    created = outcome.created
    message(f"{'Added' if created else 'Updated'} episode {rec.number} of {outcome.name}")


def _required_flags(*values: object) -> list[tuple[str, object]]:
    return list(zip(("--drama", "--actor", "--kind", "--title"), values, strict=True))


@scene_field_options
def add_scene(
    ctx: typer.Context,
    drama: Annotated[
        str | None,
        typer.Option("--drama", "-d", help="Drama title.", autocompletion=complete_drama),
    ] = None,
    episode: Annotated[int | None, typer.Option("--episode", "-e", help="Episode number.")] = None,
    actor: Annotated[
        list[str],
        typer.Option(
            "--actor", "-a", help="Actor in the scene (repeatable).", autocompletion=complete_actor
        ),
    ] = [],
    kind: Annotated[
        str | None, typer.Option("--kind", "-k", help="kiss, confession, fight, reunion, ...")
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", "-t", help="Short title, e.g. 'The shower kiss'.")
    ] = None,
    *,
    fields: SceneFlags,
    key: Annotated[
        str | None,
        typer.Option("--key", help="Scene key (default: made from drama, episode and title)."),
    ] = None,
    views_count: Annotated[
        str | None, typer.Option("--views", help="View count of the clip, e.g. 1000000.")
    ] = None,
    views_on: Annotated[
        str | None, typer.Option("--on", help="Date the views were seen (default today).")
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Where the views were seen (a URL or a name).")
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Add even if the episode has a scene with the same title."),
    ] = False,
    clip: Annotated[
        str | None,
        typer.Option(
            "--clip", help="A clip's URL: fills drama, episode, views and source from it."
        ),
    ] = None,
    clip_json: Annotated[
        Path | None,
        typer.Option("--clip-json", help="As --clip, from a saved `yt-dlp -J URL` file."),
    ] = None,
    clip_start: Annotated[
        str | None,
        typer.Option(
            "--clip-start",
            help="Where the scene starts in the clip: 1:23, 83s (a `t=` in the link says so too).",
        ),
    ] = None,
    clip_end: Annotated[
        str | None, typer.Option("--clip-end", help="Where the scene ends in the clip.")
    ] = None,
) -> None:
    """Add a scene (asks for what is missing).

    On a terminal each answer is checked as it is typed (a typo is asked again), several
    actors can be given, and Tab completes drama and actor names. A scene with the same
    drama, episode and title as another is refused unless --force.

    Example: scenecat add-scene --drama "Melting Me Softly" --episode 10 \\
        --actor "Ji Chang Wook" --actor "Won Jin Ah" --kind kiss \\
        --title "The shower kiss" --spoiler major \\
        --views 1000000 --source "tvN official upload"

    Example: scenecat add-scene --clip URL --kind kiss \\
        --title "The shower kiss" --actor "Ji Chang Wook"

    A clip's link with `t=83`, or --clip-start and --clip-end, say where in the clip the
    scene is; without them, the clip's most replayed stretch or a chapter is offered.

    Example: scenecat add-scene --clip "https://youtu.be/ID?t=83" \\
        --clip-end 1:41 --kind kiss --title "The shower kiss" \\
        --actor "Ji Chang Wook"
    """
    from scenecat.cli.output import message
    from scenecat.domain.catalogue import apply_scene
    from scenecat.domain.fast_parsers import parse_scene
    from scenecat.domain.records import today

    clip_source: dict[str, object] | None = None
    moment: str | None = None  # where the scene is in the clip, "1:23-1:41"
    if clip is not None or clip_json is not None:
        from scenecat.cli.commands_sources import (
            clip_moment,
            clip_scene_values,
            given_moment,
            read_clip,
        )
        from scenecat.domain import moments

        start, end = given_moment(clip, clip_start, clip_end)
        info = read_clip(clip, clip_json)
        drama, episode, clip_source = clip_scene_values(ctx, info, drama, episode)
        start, end = clip_moment(info, start, end)
        clip_source.update({k: v for k, v in (("start", start), ("end", end)) if v is not None})
        moment = moments.words(start, end)
        if views_count is None and info.views is not None:
            views_count, views_on, source = str(info.views), info.observed, info.url
    elif clip_start is not None or clip_end is not None:
        flag = "--clip-start" if clip_start is not None else "--clip-end"
        raise typer.BadParameter("goes with --clip or --clip-json", param_hint=flag)
    actors = list(actor)
    if not all((drama, actors, kind, title)) or (episode is None and sys.stdin.isatty()):
        if not sys.stdin.isatty():
            missing = next(f for f, v in _required_flags(drama, actors, kind, title) if not v)
            raise typer.BadParameter(
                f"missing {missing} (no terminal to ask on)", param_hint=missing
            )
        from scenecat.cli.scene_prompts import ask_scene

        with catalogue(ctx) as cat:
            answers = ask_scene(
                cat.conn,
                drama=drama,
                episode=episode,
                actors=actors,
                kind=kind,
                title=title,
                force=force,
            )
        drama, episode, actors = answers.drama, answers.episode, answers.actors
        kind, title = answers.kind, answers.title
    record: dict[str, object] = {
        "key": key,
        "drama": drama,
        "episode": episode,
        "kind": kind,
        "title": title,
        "actors": actors,
        **fields,
    }
    if views_count is not None:
        label = source or ""
        record["views"] = [
            {"count": views_count, "on": views_on or today().isoformat(), "source": label}
        ]
        if source and source.startswith(("http://", "https://")):
            record["sources"] = [{"url": source}]
    elif views_on or source:
        raise typer.BadParameter(
            "--on and --source describe --views; give --views too", param_hint="--views"
        )
    if clip_source is not None:
        record["sources"] = [clip_source]
    rec = parse_flags(parse_scene, record, "scene")
    with catalogue(ctx, create=True) as cat, cat.write(f"add-scene {rec.title}") as conn:
        outcome = apply_scene(conn, rec, "add", force=force)
    report_warnings(outcome.warnings)
    message(f"Added scene {outcome.name}" + (f" ({moment} in the clip)" if moment else ""))


def parse_flags(parser: Callable[[Any, str], T], record: Mapping[str, object], path: str) -> T:
    """Run a record parser over flag values; a bad value is a usage error (exit 2)."""
    from scenecat.domain.records import FieldError

    try:
        return parser({k: v for k, v in record.items() if v is not None and v != []}, path)
    except FieldError as exc:
        field = exc.path.split(".", 1)[-1]
        raise UserError(f"{field}: {exc.reason}", exc.hint, usage=True) from None
