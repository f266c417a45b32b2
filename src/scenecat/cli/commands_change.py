"""Changing records: edit, remove, alias, merge."""

from typing import Annotated

import typer

from scenecat.cli.common import (
    FieldFlags,
    SceneFlags,
    UserError,
    YesFlag,
    catalogue,
    change_label,
    complete_actor,
    complete_drama,
    complete_scene,
    confirm,
    record_field_options,
    report_warnings,
    scene_field_options,
    sub_app,
)

edit_app = sub_app(help="Change an actor, drama or scene.")
remove_app = sub_app(help="Remove an actor, drama, episode or scene.")
alias_app = sub_app(help="Add or remove another name for a record.")
merge_app = sub_app(help="Merge two records that are really one.")


def register(app: typer.Typer) -> None:
    app.add_typer(edit_app, name="edit")
    app.add_typer(remove_app, name="remove")
    app.add_typer(alias_app, name="alias")
    app.add_typer(merge_app, name="merge")


def _edit(
    ctx: typer.Context,
    what: str,
    name: str,
    changes: dict[str, object],
    new_kind: bool | None = None,
) -> None:
    from scenecat.cli.output import message
    from scenecat.domain import editing
    from scenecat.domain.records import FieldError

    # The record is read again inside the write transaction and only the named fields
    # change, so concurrent writers to other fields of the same record are not undone.
    with catalogue(ctx) as cat:
        if any(v is not None for v in changes.values()):
            try:
                with cat.write(change_label(f"edit {what}", name)) as conn:
                    outcome = editing.update_named(
                        conn, what, name, editing.flag_changes(changes), new_kind=new_kind
                    )
            except editing.Unchanged:
                message(f"Nothing to change: the {what} already has those values.")
                return
            except FieldError as exc:
                # A flag's own value that is wrong is a usage error; a clash with the rest of
                # the record (episodes past a new count) is exit 1.
                usage = exc.path.split(".", 1)[-1] in changes
                raise UserError(editing.field_message(exc), exc.hint, usage=usage) from None
        else:
            from scenecat.cli.edit_session import edit_in_editor

            record_id, record = editing.fetch(cat.conn, what, name)
            edited = edit_in_editor(cat, what, name, record_id, record)
            if edited is None:
                message("Nothing to change.")
                return
            outcome = edited
    report_warnings(outcome.warnings)
    message(f"Updated {what} {outcome.name}")


@edit_app.command("actor")
@record_field_options("actor", edit=True)
def edit_actor(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Actor to change.", autocompletion=complete_actor)],
    *,
    fields: FieldFlags,
) -> None:
    """Change an actor (no flags: in $EDITOR).

    With no flags, opens the record in $EDITOR. A flag given '' clears that field.

    Example: scenecat edit actor "Ji Chang Wook" --born 1987
    """
    _edit(ctx, "actor", name, fields)


@edit_app.command("drama")
@record_field_options("drama", edit=True)
def edit_drama(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="Drama to change.", autocompletion=complete_drama)],
    *,
    fields: FieldFlags,
) -> None:
    """Change a drama (no flags: in $EDITOR).

    With no flags, opens the record (cast and episodes too) in $EDITOR. A flag given ''
    clears that field.

    Example: scenecat edit drama "The K2" --episodes 16
    """
    _edit(ctx, "drama", title, fields)


@edit_app.command("scene")
@scene_field_options
def edit_scene(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Scene key.", autocompletion=complete_scene)],
    title: Annotated[str | None, typer.Option("--title", help="New title.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="New kind.")] = None,
    episode: Annotated[int | None, typer.Option("--episode", help="Episode number.")] = None,
    *,
    fields: SceneFlags,
    new_key: Annotated[str | None, typer.Option("--key", help="A new key for the scene.")] = None,
    clip: Annotated[
        str | None,
        typer.Option(
            "--clip",
            help="Which of the scene's clips the moment is in (default: its one clip); "
            "a `t=83` in it sets the start.",
        ),
    ] = None,
    clip_start: Annotated[
        str | None,
        typer.Option("--clip-start", help="Where the scene starts in its clip: 1:23, 83s."),
    ] = None,
    clip_end: Annotated[
        str | None, typer.Option("--clip-end", help="Where the scene ends in its clip.")
    ] = None,
    new_kind: Annotated[
        bool,
        typer.Option("--new-kind", help="Take a --kind that is neither built in nor in use."),
    ] = False,
) -> None:
    """Change a scene (no flags: in $EDITOR).

    With no flags, opens the record in $EDITOR. A flag given '' clears that field; --tag
    replaces the scene's tags with the ones given. --clip-start and --clip-end set the
    scene's moment in its clip (--clip picks the clip when it has several).

    Example: scenecat edit scene melting-me-softly-e10-shower-kiss \\
        --spoiler major

    Example: scenecat edit scene melting-me-softly-e10-shower-kiss \\
        --clip-start 1:23 --clip-end 1:41
    """
    moment = None
    if clip is not None or clip_start is not None or clip_end is not None:
        moment = _moment_change(clip, clip_start, clip_end)
    _edit(
        ctx,
        "scene",
        key,
        {
            "title": title,
            "kind": kind,
            "episode": episode,
            **fields,
            "key": new_key,
            "sources": moment,
        },
        new_kind=new_kind,
    )


def _moment_change(url: str | None, clip_start: str | None, clip_end: str | None) -> object:
    """--clip, --clip-start and --clip-end as a change of the scene's sources; a malformed
    time, or an end before the start given with it, is a usage error."""
    from scenecat.cli.commands_sources import given_moment
    from scenecat.domain.editing import MomentChange

    if url is not None and not url.strip():
        raise UserError("--clip: give the clip's link", usage=True)
    # '' clears a time: checked as no time, handed on as ''.
    start, end = given_moment(url, clip_start or None, clip_end or None)
    if clip_start is None and url is not None and start is None and clip_end is None:
        raise UserError(
            "--clip names the clip; say the moment with --clip-start/--clip-end or a `t=`",
            usage=True,
        )
    return MomentChange(url, "" if clip_start == "" else start, "" if clip_end == "" else end)


def _remove(ctx: typer.Context, what: str, name: str, yes: bool) -> None:
    from scenecat.cli.output import message
    from scenecat.domain import catalogue as domain

    with catalogue(ctx) as cat:
        description = domain.describe_removal(cat.conn, what, name)
        confirm(f"Remove {description}?", yes)
        remover = {
            "actor": domain.remove_actor,
            "drama": domain.remove_drama,
            "scene": domain.remove_scene,
        }[what]
        with cat.write(change_label(f"remove {what}", name)) as conn:
            outcome = remover(conn, name)
    message(f"Removed {what} {outcome.name}")


@remove_app.command("actor")
def remove_actor(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Actor to remove.", autocompletion=complete_actor)],
    yes: YesFlag = False,
) -> None:
    """Remove an actor; their scenes stay.

    Their credits and scene appearances go too; the scenes stay.

    Example: scenecat remove actor "Test Actor" --yes
    """
    _remove(ctx, "actor", name, yes)


@remove_app.command("drama")
def remove_drama(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="Drama to remove.", autocompletion=complete_drama)],
    yes: YesFlag = False,
) -> None:
    """Remove a drama with its scenes.

    Its episodes, credits and scenes go too.

    Example: scenecat remove drama "Test Drama" --yes
    """
    _remove(ctx, "drama", title, yes)


@remove_app.command("scene")
def remove_scene(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Scene key.", autocompletion=complete_scene)],
    yes: YesFlag = False,
) -> None:
    """Remove a scene with its votes and views.

    Its votes, duels and view counts go too.

    Example: scenecat remove scene healer-e1-test --yes
    """
    _remove(ctx, "scene", key, yes)


@remove_app.command("episode")
def remove_episode(
    ctx: typer.Context,
    drama: Annotated[str, typer.Argument(help="Drama title.", autocompletion=complete_drama)],
    number: Annotated[int, typer.Argument(help="Episode number.")],
    yes: YesFlag = False,
) -> None:
    """Remove an episode's details.

    Its air date, title and rating; the scenes stay.

    Example: scenecat remove episode "Healer" 3 --yes
    """
    from scenecat.cli.output import message
    from scenecat.domain.catalogue import remove_episode as remover

    with catalogue(ctx) as cat:
        confirm(f"Remove episode {number} of {drama}?", yes)
        with cat.write(change_label("remove episode", drama, str(number))) as conn:
            remover(conn, drama, number)
    message(f"Removed episode {number} of {drama}")


@alias_app.command("actor")
def alias_actor(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Actor.", autocompletion=complete_actor)],
    alias: Annotated[str, typer.Argument(help="Another spelling, e.g. 'Ji Chang-wook' or 'JCW'.")],
    remove: Annotated[bool, typer.Option("--remove", help="Remove this alias instead.")] = False,
) -> None:
    """Add (or --remove) a name for an actor.

    Example: scenecat alias actor "Ji Chang Wook" JCW
    """
    _alias(ctx, "actor", name, alias, remove)


@alias_app.command("drama")
def alias_drama(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="Drama.", autocompletion=complete_drama)],
    alias: Annotated[str, typer.Argument(help="Another title, e.g. 'Melt Me Softly'.")],
    remove: Annotated[bool, typer.Option("--remove", help="Remove this alias instead.")] = False,
) -> None:
    """Add (or --remove) a title for a drama.

    Example: scenecat alias drama "Melting Me Softly" "Melt Me Softly"
    """
    _alias(ctx, "drama", title, alias, remove)


def _alias(ctx: typer.Context, what: str, name: str, alias: str, remove: bool) -> None:
    from scenecat.cli.output import message
    from scenecat.domain import catalogue as domain
    from scenecat.errors import InvalidInput
    from scenecat.text import clean_name

    try:
        alias = clean_name(alias, "alias")
    except InvalidInput as exc:  # a bad value whatever the catalogue holds: usage
        raise UserError(exc.message, exc.hint, usage=True) from None
    if remove:
        func = domain.remove_actor_alias if what == "actor" else domain.remove_drama_alias
    else:
        func = domain.add_actor_alias if what == "actor" else domain.add_drama_alias
    with catalogue(ctx) as cat, cat.write(change_label(f"alias {what}", name, alias)) as conn:
        outcome = func(conn, name, alias)
    if remove:
        message(f"Removed alias {alias!r}")
    else:
        message(
            f"{alias!r} now finds {outcome.name}"
            if outcome.created
            else f"{alias!r} was already an alias"
        )


@merge_app.command("actor")
def merge_actor(
    ctx: typer.Context,
    keep: Annotated[str, typer.Argument(help="The actor to keep.", autocompletion=complete_actor)],
    gone: Annotated[
        str,
        typer.Argument(
            help="The duplicate; its name becomes an alias.", autocompletion=complete_actor
        ),
    ],
    yes: YesFlag = False,
) -> None:
    """Merge actor GONE into KEEP.

    Credits, scenes and votes move; GONE's name becomes an alias.

    Example: scenecat merge actor "Ji Chang Wook" "Ji Chang-wook" --yes
    """
    from scenecat.cli.output import message
    from scenecat.domain.catalogue import describe_removal, merge_actors

    with catalogue(ctx) as cat:
        confirm(f"Merge {describe_removal(cat.conn, 'actor', gone)} into {keep}?", yes)
        with cat.write(change_label("merge actor", keep, gone)) as conn:
            outcome = merge_actors(conn, keep, gone)
    message(f"Merged {gone} into {outcome.name}")
