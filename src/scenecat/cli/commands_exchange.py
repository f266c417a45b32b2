"""Data exchange: import, export yaml|jsonl."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from scenecat.cli.common import Interrupted, UserError, catalogue, sub_app

if TYPE_CHECKING:
    from scenecat.storage.connection import Catalogue

# ruff: noqa: UP045 - Typer reads Optional[...] annotations on Python 3.10

export_app = sub_app(help="Write (part of) the catalogue to a file.")


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
    app.add_typer(export_app, name="export")


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[..., None] | None]:
    """A Rich progress bar on stderr when it is a terminal; nothing when it is piped.

    Yields `update(done, total, stage=None)`: a total of 0 shows an open-ended bar, and
    `stage` replaces the label (e.g. "Building the search index" after the rows).
    """
    if not sys.stderr.isatty():
        yield None
        return
    import os

    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(stderr=True, no_color="NO_COLOR" in os.environ or None)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
    )
    # Rich would otherwise capture sys.stdout while the bar shows: `export jsonl | ...` with
    # the bar on the terminal sent the records to the terminal and nothing down the pipe.
    with Progress(
        *columns, console=console, transient=True, redirect_stdout=False, redirect_stderr=False
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int, stage: str | None = None) -> None:
            bar.update(task, completed=done, total=total if total > 0 else None)
            if stage:
                bar.update(task, description=stage)

        yield update


FORMATS = {"yaml": ("YAML", ".yaml"), "jsonl": ("JSON Lines", ".jsonl"), "csv": ("CSV", ".csv")}


def sniff_format(head: bytes) -> str | None:
    """yaml, jsonl or csv from the first bytes of a catalogue; None when it cannot tell."""
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if not text:
        return None
    if text.startswith("{"):
        return "jsonl"
    first = text.split("\n", 1)[0]
    if first.startswith(("#", "---", "%YAML")) or re.match(r"[A-Za-z_][\w-]*:(\s|$)", first):
        return "yaml"
    if "," in first:
        return "csv"
    return None


@contextmanager
def stdin_as_file(chosen: str | None) -> Iterator[Path]:
    """Standard input copied to a private temporary file named for its format (told by
    --format, or by its content), so that every reader works on it as on a file."""
    import shutil
    import tempfile

    from scenecat.cli.output import message

    if sys.stdin.isatty():
        raise UserError(
            "`import -` reads a catalogue from standard input, which is a terminal here",
            hint="pipe one in: scenecat export jsonl | scenecat --db other.db import -",
            usage=True,
        )
    source = sys.stdin.buffer
    head = source.read(64 * 1024)
    fmt = chosen or sniff_format(head)
    if fmt is None:
        raise UserError(
            "cannot tell the format of standard input" if head else "standard input is empty",
            hint="pass --format yaml, jsonl or csv" if head else None,
        )
    label, suffix = FORMATS[fmt]
    how = "" if chosen else " (recognised from its content; --format sets it)"
    message(f"Reading standard input as {label}{how}")
    with tempfile.TemporaryDirectory(prefix="scenecat-import-") as folder:
        path = Path(folder) / f"stdin{suffix}"
        with path.open("xb") as handle:
            handle.write(head)
            shutil.copyfileobj(source, handle)
        yield path


def _newest_change(cat: Catalogue) -> int | None:
    from scenecat.domain.history import recent

    changes = recent(cat.conn, 1)
    return changes[0].id if changes else None


def import_command(
    ctx: typer.Context,
    file: Path = typer.Argument(
        ..., help="A catalogue file: .yaml (format 1), .jsonl or .csv; - reads standard input."
    ),
    mapping: list[str] = typer.Option(
        [],
        "--map",
        help='For .csv: COLUMN=FIELD names a column ("drama_name=title"); COLUMN=- skips it. '
        "Repeatable.",
    ),
    fmt: Optional[str] = typer.Option(
        None,
        "--format",
        help="With -: yaml, jsonl or csv (default: told by the content).",
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Say what would be added and changed; change nothing."
    ),
) -> None:
    """Import a catalogue file, all or nothing.

    Importing it again changes nothing. Records already in the catalogue are updated from
    the file; the report says how many changed (--dry-run lists each change first and
    changes nothing).

    Example: scenecat export jsonl | scenecat --db copy.db import -

    Example: scenecat import data/sample.yaml --dry-run
    """
    from scenecat.cli.output import message
    from scenecat.domain.exchange import ImportReport, import_file
    from scenecat.errors import ScenecatError

    from_stdin = str(file) == "-"
    if fmt is not None:
        fmt = fmt.strip().lower()
        if fmt not in FORMATS:
            raise UserError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}", usage=True)
        if not from_stdin:
            raise UserError(
                "--format is for `import -`; a file's format comes from its name",
                hint="name the file .yaml, .jsonl or .csv",
                usage=True,
            )
    name = "standard input" if from_stdin else file.name

    class _DryRun(Exception):
        def __init__(self, report: ImportReport) -> None:
            self.report = report

    nothing = "nothing was imported (an import is all or nothing)"
    try:
        with ExitStack() as stack:
            source = stack.enter_context(stdin_as_file(fmt)) if from_stdin else file
            try:
                # A dry run leaves no catalogue behind where there was none.
                with catalogue(ctx, create=not dry_run) as cat:
                    newest = _newest_change(cat)
                    try:
                        with (
                            progress_bar(f"Importing {name}") as update,
                            cat.loading(),
                            cat.write(f"import {'-' if from_stdin else file}") as conn,
                        ):
                            report = import_file(conn, source, update, mapping=mapping)
                            if dry_run:
                                raise _DryRun(report)  # rolls the whole import back
                    except _DryRun as done:
                        report = done.report
                    except Interrupted:
                        # One transaction: rolled back, unless Ctrl-C came just after
                        # its commit (then the change is in the history).
                        if _newest_change(cat) != newest:
                            raise Interrupted(
                                "the import had just finished; see `scenecat history`"
                            ) from None
                        raise Interrupted(nothing) from None
            except ScenecatError as exc:
                if from_stdin:  # name the input as the user gave it, not its temporary copy
                    exc.message = exc.message.replace(str(source), "stdin")
                    exc.args = (exc.message,)
                raise
    except Interrupted as exc:
        # Reading standard input or opening the catalogue: nothing was imported either.
        raise Interrupted(exc.outcome or nothing) from None
    for warning in report.warnings[:20]:
        message(f"warning: {warning}")
    if len(report.warnings) > 20:
        message(f"... and {len(report.warnings) - 20} more warnings")
    if dry_run:
        for change in report.changes:
            message(f"would change {change}")
    parts = []
    for section, seen in report.seen.items():
        if not seen:
            continue
        part = f"{report.created[section]} new {section} (of {seen})"
        if report.updated[section]:
            count = report.updated[section]
            part += f", {count} changed {section if count != 1 else section[:-1]}"
        parts.append(part)
    summary = ", ".join(parts) if parts else "nothing in it"
    if dry_run:
        message(f"Dry run of {name}: {summary}; nothing was changed")
    else:
        message(f"Imported {name}: {summary}")


def _export(ctx: typer.Context, output: Optional[Path], writer_name: str) -> None:
    from scenecat.cli.output import message
    from scenecat.domain import exchange

    writer = getattr(exchange, writer_name)
    to_stdout = output is None or str(output) == "-"
    # A bar on the terminal would mix with records printed to it.
    label = "" if to_stdout and sys.stdout.isatty() else f"Exporting {writer_name[6:].upper()}"
    with catalogue(ctx) as cat, progress_bar(label) as update:
        counter = None
        if update is not None and label:
            total = exchange.count_records(cat.conn)

            def counter(done: int) -> None:
                update(done, total)

        if to_stdout:
            count = writer(cat.conn, sys.stdout, counter)
            return
        assert output is not None
        from scenecat.files import write_text

        count = write_text(output, lambda handle: writer(cat.conn, handle, counter), newline="\n")
    message(f"Wrote {count} records to {output}")


OUTPUT_OPTION = typer.Option(None, "--output", "-o", help="File to write (default: stdout).")


@export_app.command("yaml")
def export_yaml(ctx: typer.Context, output: Optional[Path] = OUTPUT_OPTION) -> None:
    """The whole catalogue as YAML (format 1).

    Re-importable and diff-friendly.

    Example: scenecat export yaml -o catalogue.yaml
    """
    _export(ctx, output, "write_yaml")


@export_app.command("jsonl")
def export_jsonl(ctx: typer.Context, output: Optional[Path] = OUTPUT_OPTION) -> None:
    """The whole catalogue as JSON Lines.

    One record a line (fast, for bulk).

    Example: scenecat export jsonl -o catalogue.jsonl
    """
    _export(ctx, output, "write_jsonl")
