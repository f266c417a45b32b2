"""Articles and data out: `export markdown|json|csv` and `stats`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Optional

import typer

from scenecat.cli.common import (
    ACTOR_OPTION,
    DRAMA_OPTION,
    EPISODE_OPTION,
    JSON_OPTION,
    KIND_OPTION,
    NETWORK_OPTION,
    SPOILER_OPTION,
    TAG_OPTION,
    YEAR_OPTION,
    catalogue,
    complete_drama,
    complete_scene,
)

# ruff: noqa: UP045 - Typer reads Optional[...] annotations on Python 3.10

OUTPUT_OPTION = typer.Option(None, "--output", "-o", help="File to write (default: stdout).")


def register(app: typer.Typer) -> None:
    from scenecat.cli.commands_exchange import export_app

    export_app.command("markdown")(export_markdown)
    export_app.command("json")(export_json)
    export_app.command("csv")(export_csv)
    app.command("stats")(stats)


def write_atomically(
    output: Path, write: Callable[[IO[str]], object], *, bom: bool = False
) -> None:
    """Write `output` through scenecat.files (exclusive temporary file, then rename; pipes
    and devices directly): a failure half-way leaves any earlier file as it was."""
    from scenecat.files import write_text

    write_text(output, write, encoding="utf-8-sig" if bom else "utf-8", newline="")


def _to_stdout(output: Optional[Path]) -> bool:
    return output is None or str(output) == "-"


def export_markdown(
    ctx: typer.Context,
    actor: list[str] = ACTOR_OPTION,
    drama: Optional[str] = DRAMA_OPTION,
    kind: Optional[str] = KIND_OPTION,
    network: Optional[str] = NETWORK_OPTION,
    year: Optional[str] = YEAR_OPTION,
    episode: Optional[int] = EPISODE_OPTION,
    tag: Optional[str] = TAG_OPTION,
    template: str = typer.Option(
        "listicle",
        "--template",
        "-t",
        help="listicle, spotlight, drama, actor, or the path of your own template "
        "(copy a built-in one to start).",
    ),
    scene: Optional[str] = typer.Option(
        None,
        "--scene",
        help="Spotlight this scene (default: the best one in the filters).",
        autocompletion=complete_scene,
    ),
    spoilers: str = typer.Option(
        "warn",
        "--spoilers",
        help="hide: leave spoiler details out; warn: a warning before the first spoiler; "
        "show: print everything.",
    ),
    watched: list[str] = typer.Option(
        [],
        "--watched",
        help='"Drama:N": the reader has seen episodes 1..N; anything later is hidden (repeatable).',
        autocompletion=complete_drama,
    ),
    title: Optional[str] = typer.Option(None, "--title", help="Headline (default: generated)."),
    limit: Optional[int] = typer.Option(
        None,
        "--limit",
        "-n",
        help="How many scenes: listicle and drama 10, actor 5, spotlight 3 related ones.",
    ),
    date: Optional[str] = typer.Option(
        None, "--date", help="Front-matter date, YYYY-MM-DD (default: today)."
    ),
    no_front_matter: bool = typer.Option(
        False, "--no-front-matter", help="Leave out the YAML front matter."
    ),
    method: str = typer.Option("combined", "--method", help="Ranking method, as in `rank`."),
    output: Optional[Path] = OUTPUT_OPTION,
) -> None:
    """A markdown article for a blog.

    Front matter, ranked scenes and their sources.

    Example: scenecat export markdown --actor "Ji Chang Wook" --kind kiss \\
        -o top-kisses.md
    """
    from scenecat.cli.output import message
    from scenecat.domain.articles import ArticleRequest
    from scenecat.domain.articles import export_markdown as render
    from scenecat.domain.scope import Scope

    request = ArticleRequest(
        template=template,
        scope=Scope(
            actors=tuple(actor),
            drama=drama,
            kind=kind,
            network=network,
            year=year,
            episode=episode,
            tag=tag,
        ),
        scene=scene,
        spoilers=spoilers.strip().lower(),
        watched=tuple(watched),
        title=title,
        limit=limit,
        date=date,
        front_matter=not no_front_matter,
        method=method,
    )
    from scenecat.text import visible_escapes

    with catalogue(ctx) as cat:
        article = render(cat.conn, request)
    # Nothing a terminal would act on is written, even from text an older scenecat let in.
    text = visible_escapes(article.text)
    if _to_stdout(output):
        sys.stdout.write(text)
        return
    assert output is not None
    write_atomically(output, lambda handle: handle.write(text))
    message(f"Wrote {article.title!r} ({article.scenes} scene(s)) to {output}")


def _export_table(
    ctx: typer.Context,
    writer_name: str,
    scope_args: tuple[tuple[str, ...], Optional[str], Optional[str], Optional[str]],
    year: Optional[str],
    episode: Optional[int],
    spoiler: Optional[str],
    tag: Optional[str],
    limit: Optional[int],
    output: Optional[Path],
    bom: bool = False,
) -> None:
    from scenecat.cli.commands_exchange import progress_bar
    from scenecat.cli.output import message
    from scenecat.domain import tabular
    from scenecat.domain.scope import Scope

    actors, drama, kind, network = scope_args
    scope = Scope(
        actors=actors,
        drama=drama,
        kind=kind,
        network=network,
        year=year,
        episode=episode,
        spoiler=spoiler,
        tag=tag,
    )
    writer = getattr(tabular, writer_name)
    with catalogue(ctx) as cat, progress_bar("Exporting scenes") as update:
        if _to_stdout(output):
            # Newlines as the writer makes them (CSV: CRLF, as RFC 4180 asks).
            stream = sys.stdout
            if writer_name == "write_csv" and hasattr(stream, "reconfigure"):
                stream.reconfigure(newline="")
            writer(cat.conn, scope, stream, limit=limit, progress=update)
            return
        assert output is not None
        counted: list[int] = []
        write_atomically(
            output,
            lambda handle: counted.append(
                writer(cat.conn, scope, handle, limit=limit, progress=update)
            ),
            bom=bom,
        )
    message(f"Wrote {counted[0]} scene(s) to {output}")


LIMIT_OPTION = typer.Option(None, "--limit", "-n", help="At most this many scenes.")


def export_json(
    ctx: typer.Context,
    actor: list[str] = ACTOR_OPTION,
    drama: Optional[str] = DRAMA_OPTION,
    kind: Optional[str] = KIND_OPTION,
    network: Optional[str] = NETWORK_OPTION,
    year: Optional[str] = YEAR_OPTION,
    episode: Optional[int] = EPISODE_OPTION,
    spoiler: Optional[str] = SPOILER_OPTION,
    tag: Optional[str] = TAG_OPTION,
    limit: Optional[int] = LIMIT_OPTION,
    output: Optional[Path] = OUTPUT_OPTION,
) -> None:
    """Scenes (filtered) as JSON.

    {"data": [...], "meta": {...}}, one scene a line.

    Example: scenecat export json --actor "Ji Chang Wook" --kind kiss \\
        -o kisses.json
    """
    _export_table(
        ctx,
        "write_json",
        (tuple(actor), drama, kind, network),
        year,
        episode,
        spoiler,
        tag,
        limit,
        output,
    )


def export_csv(
    ctx: typer.Context,
    actor: list[str] = ACTOR_OPTION,
    drama: Optional[str] = DRAMA_OPTION,
    kind: Optional[str] = KIND_OPTION,
    network: Optional[str] = NETWORK_OPTION,
    year: Optional[str] = YEAR_OPTION,
    episode: Optional[int] = EPISODE_OPTION,
    spoiler: Optional[str] = SPOILER_OPTION,
    tag: Optional[str] = TAG_OPTION,
    limit: Optional[int] = LIMIT_OPTION,
    bom: bool = typer.Option(
        True,
        "--bom/--no-bom",
        help="Start a file with a UTF-8 byte-order mark, so Excel reads Hangul right "
        "(never on stdout).",
    ),
    output: Optional[Path] = OUTPUT_OPTION,
) -> None:
    """Scenes (filtered) as a CSV spreadsheet.

    UTF-8, a header, one row per scene.

    Lists (actors, tags, sources) are joined with "; ". `scenecat import FILE.csv` reads
    the file back.

    Example: scenecat export csv --drama "Melting Me Softly" -o scenes.csv
    """
    _export_table(
        ctx,
        "write_csv",
        (tuple(actor), drama, kind, network),
        year,
        episode,
        spoiler,
        tag,
        limit,
        output,
        bom=bom,
    )


def stats(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Counts of records and scenes, as charts.

    Counts of records, and scenes per kind, network, year and actor, with bar charts.

    Example: scenecat stats
    """
    from scenecat.cli import output
    from scenecat.domain.stats import GROUPS, catalogue_stats, stats_json

    with catalogue(ctx) as cat:
        found = catalogue_stats(cat.conn)
    if as_json:
        data, meta = stats_json(found)
        output.emit_json(data, meta)
        return
    labels = {
        "actor": "actors",
        "drama": "dramas",
        "episode": "episodes",
        "credit": "credits",
        "scene": "scenes",
        "view_count": "view counts",
        "vote": "votes",
        "duel": "duels",
    }
    output.record("Catalogue", [(labels.get(k, k), f"{v:,}") for k, v in found.totals.items()])
    titles = {
        "kind": "Scenes by kind",
        "network": "Scenes by network",
        "year": "Scenes by year",
        "actor": f"Scenes by actor (top {found.actor_limit})",
    }
    for group in GROUPS:
        counts = found.groups[group]
        if not counts:
            continue
        top = max(c.scenes for c in counts)
        output.table(
            titles[group],
            (group, "scenes", ""),
            [
                (
                    "(unknown)" if c.value is None else c.value,
                    f"{c.scenes:,}",
                    output.bar(c.scenes, top, width=24),
                )
                for c in counts
            ],
            numeric=("scenes",),
        )
