"""Data exchange: import, export yaml|jsonl."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer

from scenecat.cli.common import UserError, catalogue, sub_app

# ruff: noqa: UP045 - Typer reads Optional[...] annotations on Python 3.10

export_app = sub_app(help="Write the catalogue (or a selection) to a file.")


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
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int, stage: str | None = None) -> None:
            bar.update(task, completed=done, total=total if total > 0 else None)
            if stage:
                bar.update(task, description=stage)

        yield update


def import_command(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A catalogue file: .yaml (format 1), .jsonl or .csv."),
    mapping: list[str] = typer.Option(
        [],
        "--map",
        help='For .csv: COLUMN=FIELD names a column ("drama_name=title"); COLUMN=- skips it. '
        "Repeatable.",
    ),
) -> None:
    """Import a catalogue file, all or nothing; importing it again changes nothing.

    Example: scenecat import data/sample.yaml
    """
    from scenecat.cli.output import message
    from scenecat.domain.exchange import import_file

    with (
        catalogue(ctx) as cat,
        progress_bar(f"Importing {file.name}") as update,
        cat.loading(),
        cat.write(f"import {file}") as conn,
    ):
        report = import_file(conn, file, update, mapping=mapping)
    for warning in report.warnings[:20]:
        message(f"warning: {warning}")
    if len(report.warnings) > 20:
        message(f"... and {len(report.warnings) - 20} more warnings")
    parts = [
        f"{report.created[s]} new {s} (of {report.seen[s]})" for s in report.seen if report.seen[s]
    ]
    message(f"Imported {file.name}: " + (", ".join(parts) if parts else "nothing in it"))


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
        temporary = output.with_name(output.name + ".part")
        try:
            with temporary.open("w", encoding="utf-8", newline="\n") as handle:
                count = writer(cat.conn, handle, counter)
            temporary.replace(output)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            raise UserError(f"cannot write {output}: {exc.strerror}") from None
    message(f"Wrote {count} records to {output}")


OUTPUT_OPTION = typer.Option(None, "--output", "-o", help="File to write (default: stdout).")


@export_app.command("yaml")
def export_yaml(ctx: typer.Context, output: Optional[Path] = OUTPUT_OPTION) -> None:
    """The whole catalogue as YAML, format 1 (re-importable, diff-friendly).

    Example: scenecat export yaml -o catalogue.yaml
    """
    _export(ctx, output, "write_yaml")


@export_app.command("jsonl")
def export_jsonl(ctx: typer.Context, output: Optional[Path] = OUTPUT_OPTION) -> None:
    """The whole catalogue as JSON Lines, one record a line (fast, for bulk).

    Example: scenecat export jsonl -o catalogue.jsonl
    """
    _export(ctx, output, "write_jsonl")
