"""`templates`: the built-in article templates, listed and copied to change."""

from pathlib import Path
from typing import Annotated

import typer

from scenecat.cli.common import UserError

# Its help is the callback's docstring; with no command, the callback lists the templates.
templates_app = typer.Typer(
    invoke_without_command=True,
    no_args_is_help=False,
    rich_markup_mode=None,
)


def register(app: typer.Typer) -> None:
    app.add_typer(templates_app, name="templates")


@templates_app.callback()
def templates_list(ctx: typer.Context) -> None:
    """List the article templates, or copy one.

    With no command, lists them. Change a copy and pass its path to
    `export markdown --template`.

    \b
    Example: scenecat templates copy listicle my-listicle.md.j2
    """
    if ctx.invoked_subcommand is not None:
        return
    from scenecat.cli.output import table
    from scenecat.domain.template_files import builtin_templates

    table(None, ["template", "what it writes"], builtin_templates(), keep=["template"])


@templates_app.command("copy")
def templates_copy(
    name: Annotated[str, typer.Argument(help="A built-in template (scenecat templates).")],
    path: Annotated[
        Path | None,
        typer.Argument(help="Where to write it: a new file, or a folder [default: ./NAME.md.j2]."),
    ] = None,
) -> None:
    """Copy a template to change it (never over a file).

    Use the copy with `scenecat export markdown --template PATH`.

    Example: scenecat templates copy listicle my-listicle.md.j2
    """
    from scenecat.cli.output import message
    from scenecat.domain.template_files import builtin_templates, copy_template

    names = [t.name for t in builtin_templates()]
    if name not in names:
        raise UserError(
            f"no built-in template {name!r}",
            hint=f"the built-ins: {', '.join(names)}",
            usage=True,
        )
    written = copy_template(name, path)
    message(
        f"Wrote {written} (the built-in {name}); "
        f"use it: scenecat export markdown --template {written}"
    )
