"""`import FILE` (or `-`, standard input): a catalogue file into the catalogue."""

import re
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scenecat.cli.common import Interrupted, UserError, catalogue

if TYPE_CHECKING:
    from scenecat.storage.connection import Catalogue


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)


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


def _newest_change(cat: "Catalogue") -> int | None:
    from scenecat.domain.history import recent

    changes = recent(cat.conn, 1)
    return changes[0].id if changes else None


def import_command(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="A catalogue file: .yaml (format 1), .jsonl or .csv; - reads standard input."
        ),
    ],
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help='For .csv: COLUMN=FIELD names a column ("drama_name=title"); COLUMN=- skips '
            "it. Repeatable.",
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="With -: yaml, jsonl or csv (default: told by the content)."),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Say what would be added and changed; change nothing."),
    ] = False,
) -> None:
    """Import a catalogue file, all or nothing.

    Importing it again changes nothing. Records already in the catalogue are updated from
    the file; the report says how many changed (--dry-run lists each change first and
    changes nothing).

    Example: scenecat export jsonl | scenecat --db copy.db import -

    Example: scenecat import data/sample.yaml --dry-run
    """
    from scenecat.cli.output import message, progress_bar
    from scenecat.domain.format1 import RECORD_TYPES
    from scenecat.domain.importing import ImportReport, import_file
    from scenecat.errors import ScenecatError
    from scenecat.text import counted

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
                            report = import_file(conn, source, update, mapping=mapping or ())
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
    for line in report.near_duplicates[:20]:
        message(f"near duplicate: {line}")
    if len(report.near_duplicates) > 20:
        message(f"... and {len(report.near_duplicates) - 20} more near duplicates")
    for line in report.romanisations[:20]:
        message(f"romanisation: {line}")
    if len(report.romanisations) > 20:
        message(f"... and {len(report.romanisations) - 20} more romanisation variants")
    parts = []
    for section, seen in report.seen.items():
        if not seen:
            continue
        part = f"{counted(report.created[section], 'new ' + RECORD_TYPES[section], 'new ' + section)} (of {seen:,})"
        if report.updated[section]:
            count = report.updated[section]
            part += f", {count} changed {section if count != 1 else RECORD_TYPES[section]}"
        parts.append(part)
    summary = ", ".join(parts) if parts else "nothing in it"
    if report.new_kinds:
        word = "kind" if len(report.new_kinds) == 1 else "kinds"
        summary += f"; new {word}: {', '.join(report.new_kinds)}"
    if dry_run:
        message(f"Dry run of {name}: {summary}; nothing was changed")
    else:
        message(f"Imported {name}: {summary}")
