"""The website: `serve` (Datasette on the catalogue) and `publish` (a folder for any host)."""

from pathlib import Path
from typing import Annotated

import typer

from scenecat.cli.common import db_path

DEFAULT_PORT = 8001


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("publish")(publish)


def serve(
    ctx: typer.Context,
    port: Annotated[int, typer.Option("--port", "-p", help="Port to listen on.")] = DEFAULT_PORT,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (0.0.0.0: every network).")
    ] = "127.0.0.1",
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the site in a browser.")
    ] = False,
    live: Annotated[
        bool,
        typer.Option(
            "--live",
            help="Show changes made while serving (default: the file is served as immutable).",
        ),
    ] = False,
    title: Annotated[str | None, typer.Option("--title", help="The site's title.")] = None,
    sql: Annotated[
        bool,
        typer.Option(
            "--sql",
            help="Let the site run any SQL you type, on the whole file (its change history "
            "included); for your own use on this machine. Off by default.",
        ),
    ] = False,
) -> None:
    """Browse the catalogue in a web browser.

    Search and rank it too; Datasette, read-only.

    Example: scenecat --db sample.db serve --open
    """
    from scenecat.cli import output
    from scenecat.web import serve as web

    web.require_datasette("serve")
    info = web.inspect(db_path(ctx), title=title, sql=sql)
    web.check_port(host, port)
    ds = web.datasette(info, live=live)
    url = f"http://{host}:{port}/{info.name}"
    mode = "live" if live else "immutable"
    output.message(f"Serving {info.path} (read-only, {mode}); Ctrl+C stops.")
    output.message(f"  {url}")
    exposed = web.exposure(host, sql=sql)
    if exposed:
        output.warn(exposed)
    web.start(ds, host=host, port=port, open_url=url if open_browser else None)


def publish(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="A new (or empty) folder to write.")],
    title: Annotated[str | None, typer.Option("--title", help="The site's title.")] = None,
) -> None:
    """Write a folder a Datasette host can serve.

    A catalogue copy, its metadata and scenecat's plugin.

    The folder's README.md has the `datasette publish` command for Cloud Run, Fly and Vercel.

    Example: scenecat --db sample.db publish site/
    """
    from scenecat.cli import output
    from scenecat.web import publish as web_publish
    from scenecat.web.serve import require_datasette

    require_datasette("publish")
    done = web_publish.publish(db_path(ctx), folder, title=title)
    output.message(f"Wrote {done.folder} (catalogue.db, metadata.json, plugins/, templates/).")
    if done.dropped:
        output.message("Left out of the copy: the change history and your watch progress.")
    output.message(f"To put it online: {done.folder / 'README.md'} has one command per host.")
