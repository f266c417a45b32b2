"""`export FORMAT`: the whole catalogue (yaml, jsonl), a markdown article (markdown) or a set
of scenes (json, csv), to standard output or, with -o, to a file through scenecat.files."""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scenecat.cli.common import (
    Limit,
    catalogue,
    complete_drama,
    complete_scene,
    scope_options,
    sub_app,
)

if TYPE_CHECKING:
    from scenecat.domain.scope import Scope

export_app = sub_app(help="Write (part of) the catalogue to a file.")


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")


# The option of every format; the scope filters and --limit are common.py's, shared with
# list, search and rank.
Output = Annotated[
    Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
]


def _to_stdout(output: Path | None) -> bool:
    return output is None or str(output) == "-"


# Whole catalogue


def _export_catalogue(ctx: typer.Context, output: Path | None, fmt: str) -> None:
    from scenecat.cli.output import message, progress_bar
    from scenecat.domain.exporting import catalogue_file
    from scenecat.files import write_text

    writer = catalogue_file.write_yaml if fmt == "yaml" else catalogue_file.write_jsonl
    to_stdout = _to_stdout(output)
    # A bar on the terminal would mix with records printed to it.
    label = "" if to_stdout and sys.stdout.isatty() else f"Exporting {fmt.upper()}"
    with catalogue(ctx) as cat, progress_bar(label) as update:
        counter = None
        if update is not None and label:
            total = catalogue_file.count_records(cat.conn)

            def counter(done: int) -> None:
                update(done, total)

        if to_stdout:
            writer(cat.conn, sys.stdout, counter)
            return
        assert output is not None
        count = write_text(output, lambda handle: writer(cat.conn, handle, counter), newline="\n")
    message(f"Wrote {count} records to {output}")


@export_app.command("yaml")
def export_yaml(ctx: typer.Context, output: Output = None) -> None:
    """The whole catalogue as YAML (format 1).

    Re-importable and diff-friendly.

    Example: scenecat export yaml -o catalogue.yaml
    """
    _export_catalogue(ctx, output, "yaml")


@export_app.command("jsonl")
def export_jsonl(ctx: typer.Context, output: Output = None) -> None:
    """The whole catalogue as JSON Lines.

    One record a line (fast, for bulk).

    Example: scenecat export jsonl -o catalogue.jsonl
    """
    _export_catalogue(ctx, output, "jsonl")


# An article


# No --spoiler filter: an article's --spoilers says how spoilers are shown instead.
@export_app.command("markdown")
@scope_options(
    without=("spoiler",),
    limit_default="listicle and drama 10, best-per-drama 10 dramas, actor 5, "
    "spotlight 3 related ones",
)
def export_markdown(
    ctx: typer.Context,
    scope: "Scope",
    template: Annotated[
        str,
        typer.Option(
            "--template",
            "-t",
            help="listicle (top scenes), best-per-drama (which drama has the best scene: "
            "one section per drama), spotlight, drama, actor, or the path of your own "
            "template (copy a built-in one to start).",
        ),
    ] = "listicle",
    scene: Annotated[
        str | None,
        typer.Option(
            "--scene",
            help="Spotlight this scene (default: the best one in the filters).",
            autocompletion=complete_scene,
        ),
    ] = None,
    spoilers: Annotated[
        str,
        typer.Option(
            "--spoilers",
            help="hide: leave spoiler details out; warn: a warning before the first spoiler; "
            "show: print everything.",
        ),
    ] = "warn",
    watched: Annotated[
        list[str] | None,
        typer.Option(
            "--watched",
            help='"Drama:N": the reader has seen episodes 1..N; anything later is hidden '
            '(repeatable); "mine": your stored progress (`scenecat progress`).',
            autocompletion=complete_drama,
        ),
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", help="Headline (default: generated).")
    ] = None,
    limit: Limit = None,
    date: Annotated[
        str | None,
        typer.Option("--date", help="Front-matter date, YYYY-MM-DD (default: today)."),
    ] = None,
    no_front_matter: Annotated[
        bool,
        typer.Option(
            "--no-front-matter",
            help="Plain markdown for other editors: no YAML front matter, the title as a "
            "`# heading` at the top instead (by default Hugo and Jekyll print the front "
            "matter's title, so the body has no heading of its own).",
        ),
    ] = False,
    method: Annotated[
        str, typer.Option("--method", help="Ranking method, as in `rank`.")
    ] = "combined",
    output: Output = None,
) -> None:
    """A markdown article for a blog.

    Front matter, ranked scenes and their sources, ready for Hugo or Jekyll.

    Example: scenecat export markdown --template best-per-drama \\
        --actor "Ji Chang Wook" --kind kiss -o best-kiss-per-drama.md
    """
    from scenecat.cli.output import message
    from scenecat.domain.articles import ArticleRequest
    from scenecat.domain.articles import export_markdown as render
    from scenecat.files import write_text
    from scenecat.text import counted, visible_escapes

    request = ArticleRequest(
        template=template,
        scope=scope,
        scene=scene,
        spoilers=spoilers.strip().lower(),
        watched=tuple(watched or ()),
        title=title,
        limit=limit,
        date=date,
        front_matter=not no_front_matter,
        method=method,
    )
    with catalogue(ctx) as cat:
        article = render(cat.conn, request)
    # Nothing a terminal would act on is written, even from text an older scenecat let in.
    text = visible_escapes(article.text)
    if _to_stdout(output):
        sys.stdout.write(text)
        return
    assert output is not None
    write_text(output, lambda handle: handle.write(text))
    message(f"Wrote {article.title!r} ({counted(article.scenes, 'scene')}) to {output}")


# A set of scenes


def _export_scenes(
    ctx: typer.Context,
    fmt: str,
    scope: "Scope",
    limit: int | None,
    output: Path | None,
    *,
    bom: bool = False,
) -> None:
    from scenecat.cli.output import message, progress_bar
    from scenecat.domain.exporting import scene_table
    from scenecat.files import write_text
    from scenecat.text import counted

    writer = scene_table.write_csv if fmt == "csv" else scene_table.write_json
    with catalogue(ctx) as cat, progress_bar("Exporting scenes") as update:
        if _to_stdout(output):
            # Newlines as the writer makes them (CSV: CRLF, as RFC 4180 asks).
            stream = sys.stdout
            if fmt == "csv" and hasattr(stream, "reconfigure"):
                stream.reconfigure(newline="")
            writer(cat.conn, scope, stream, limit=limit, progress=update)
            return
        assert output is not None
        count = write_text(
            output,
            lambda handle: writer(cat.conn, scope, handle, limit=limit, progress=update),
            encoding="utf-8-sig" if bom else "utf-8",
        )
    message(f"Wrote {counted(count, 'scene')} to {output}")


@export_app.command("json")
@scope_options()
def export_json(
    ctx: typer.Context,
    scope: "Scope",
    limit: Limit = None,
    output: Output = None,
) -> None:
    """Scenes (filtered) as JSON.

    {"data": [...], "meta": {...}}, one scene a line.

    Example: scenecat export json --actor "Ji Chang Wook" --kind kiss \\
        -o kisses.json
    """
    _export_scenes(ctx, "json", scope, limit, output)


@export_app.command("csv")
@scope_options()
def export_csv(
    ctx: typer.Context,
    scope: "Scope",
    limit: Limit = None,
    bom: Annotated[
        bool,
        typer.Option(
            "--bom/--no-bom",
            help="Start a file with a UTF-8 byte-order mark, so Excel reads Hangul right "
            "(never on stdout).",
        ),
    ] = True,
    output: Output = None,
) -> None:
    """Scenes (filtered) as a CSV spreadsheet.

    UTF-8, a header, one row per scene.

    Lists (actors, tags, sources) are joined with "; ". `scenecat import FILE.csv` reads
    the file back.

    Example: scenecat export csv --drama "Melting Me Softly" -o scenes.csv
    """
    _export_scenes(ctx, "csv", scope, limit, output, bom=bom)
