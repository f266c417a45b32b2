"""`scenecat serve`: Datasette on the catalogue, with generated metadata and scenecat's plugin.

Every failure the user can act on (no Datasette, no catalogue, not a catalogue, an old or
newer schema, a busy port) is a ScenecatError raised before the server starts.

What the site serves is decided here and in web/metadata.py, with Datasette's own
mechanisms: the `allow_download` and `default_allow_sql` settings, an `allow: false` block on
every table scenecat does not document, `allow_sql` on the database. The plugin
(web/plugin/access.py) holds the same rules where metadata cannot reach (the file's path in
/-/databases, counts of private rows on a row's page), so a published folder keeps them too.
docs/web.md lists what is served and what never is.
"""

from __future__ import annotations

import errno
import socket
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scenecat.errors import ScenecatError, SchemaError

WEB_HINT = 'install the web extra: pip install "scenecat[web]"'


def require_datasette(command: str) -> None:
    try:
        import datasette  # noqa: F401
    except ImportError:
        raise ScenecatError(
            f"`scenecat {command}` needs Datasette, which is not installed", hint=WEB_HINT
        ) from None


@dataclass(frozen=True)
class SiteInfo:
    path: Path
    name: str  # the database's name in URLs: /NAME/scene
    metadata: dict[str, Any]
    sql: bool = False  # arbitrary SQL allowed (serve --sql)


def inspect(path: Path, *, title: str | None = None, sql: bool = False) -> SiteInfo:
    """Check that `path` is an up-to-date catalogue (reading only) and write its metadata
    (`sql`: the owner's opt-in to arbitrary SQL)."""
    from scenecat.storage import site_queries as store
    from scenecat.storage.migrations import schema_version
    from scenecat.web.metadata import metadata

    if not path.is_file() or path.stat().st_size == 0:
        raise ScenecatError(
            f"no catalogue at {path}",
            hint="pass --db PATH, or make one: scenecat --db PATH import data/sample.yaml",
        )
    try:
        conn = store.open_read_only(path)
    except sqlite3.Error as exc:
        raise SchemaError(f"cannot open {path}: {exc}") from None
    try:
        try:
            version = store.user_version(conn)
            catalogue = store.has_search_index(conn)
        except sqlite3.DatabaseError as exc:
            raise SchemaError(
                f"{path} is not a scenecat catalogue ({exc})",
                hint="pass --db with the path of a catalogue file",
            ) from None
        if not catalogue:
            raise SchemaError(
                f"{path} is not a scenecat catalogue (it has no scene table and search index)",
                hint="pass --db with the path of a catalogue file",
            )
        latest = schema_version()
        if version > latest:
            raise SchemaError(
                f"{path} was written by a newer scenecat (schema {version}; this one knows "
                f"{latest})",
                hint="upgrade scenecat: pip install -U scenecat",
            )
        if version < latest:
            raise SchemaError(
                f"{path} has an older schema ({version}; now {latest}) and the site only reads it",
                hint=f"upgrade it once with any command, e.g. scenecat --db {path} stats",
            )
        name = path.stem
        return SiteInfo(path, name, metadata(conn, name, title=title, sql=sql), sql)
    finally:
        conn.close()


def check_port(host: str, port: int) -> None:
    """Refuse a port another program listens on, in one line, before Datasette starts."""
    if not 0 < port < 65536:
        raise ScenecatError(f"--port {port} is not a port number (1-65535)")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ScenecatError(
                    f"port {port} is busy: another program is listening on it",
                    hint=f"pick another with --port, e.g. --port {port + 1}",
                ) from None
            raise ScenecatError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


# Datasette settings for the site. Suggested facets probe every column of a table on every
# page (0.6 s of a 0.7 s scene page at 100k scenes); the site's facets are chosen in its
# metadata instead. A ranking of a broad scope of a large catalogue takes seconds, as
# `scenecat rank` does; Datasette's default limit of 1 s would cut it off. The file itself is
# never offered for download (it holds the change history: every removed scene, whole), and
# arbitrary SQL is off unless the owner turns it on (datasette() below).
SETTINGS: dict[str, Any] = {
    "default_page_size": 50,
    "suggest_facets": False,
    "facet_time_limit_ms": 500,
    "sql_time_limit_ms": 10_000,
    "allow_download": False,
    "default_allow_sql": False,
}


def datasette(info: SiteInfo, *, live: bool) -> Any:
    """The Datasette instance for the site (immutable unless `live`)."""
    from datasette.app import Datasette

    files = [str(info.path)]
    return Datasette(
        files=files if live else [],
        immutables=[] if live else files,
        metadata=info.metadata,
        settings={**SETTINGS, "default_allow_sql": info.sql},
    )


LOOPBACK_NAMES = ("localhost",)


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable from this machine only (127.0.0.0/8, ::1, localhost)."""
    import ipaddress

    if host.strip().lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False  # another host name: it may well be reachable from elsewhere


def exposure(host: str, *, sql: bool) -> str | None:
    """One line saying what others can read when the site listens beyond this machine
    (None on loopback)."""
    if is_loopback(host):
        return None
    served = "scenes, dramas, actors, sources, votes, duels and view counts"
    if sql:
        return (
            f"Listening on {host}: anyone who reaches it can read the {served}, and with "
            "--sql run any SQL on the whole file: its change history and its path too."
        )
    return (
        f"Listening on {host}: anyone who reaches it can read the {served} "
        "(not the change history, your watch progress, the file or its path; scenes past "
        "your progress are folded, which tells which episodes you have not seen)."
    )


def start(ds: Any, *, host: str, port: int, open_url: str | None = None) -> None:
    """Run Datasette's start-up hooks, then serve until interrupted (Ctrl+C)."""
    import asyncio

    import uvicorn

    asyncio.run(ds.invoke_startup())
    if open_url is not None:
        import threading
        import webbrowser

        # A moment later, so that the browser finds the server listening.
        threading.Timer(1.0, webbrowser.open, args=(open_url,)).start()
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on")
