"""`edit` in $EDITOR, as `git commit` keeps a message: a failed edit (the editor exits
non-zero, or the text cannot be applied) shows the error and reopens the person's own text;
when it is not reopened, the text is saved to a new file whose name is said."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scenecat.cli.common import Interrupted, UserError, ask_yes_no, change_label
from scenecat.errors import NotFound, ScenecatError

if TYPE_CHECKING:
    from scenecat.domain.catalogue import Outcome
    from scenecat.storage.connection import Catalogue

# Lines scenecat adds above a text it reopens; YAML comments, so they change nothing, and
# taken out again before the next reopening.
PROBLEM = "# scenecat: "


def run_editor(text: str, suffix: str = ".yaml") -> tuple[int, str]:
    """Open `text` in $VISUAL/$EDITOR; the editor's exit status and the text it left."""
    import shlex
    import tempfile

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.TemporaryDirectory(prefix="scenecat-") as folder:
        path = Path(folder) / f"record{suffix}"
        path.write_text(text, encoding="utf-8")
        try:
            status = _call_editor([*shlex.split(editor), str(path)])
        except OSError as exc:
            raise UserError(
                f"cannot start the editor {editor!r}: {exc.strerror}",
                hint="set $EDITOR, or change fields with flags",
            ) from None
        try:
            edited = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            edited = text
    return status, edited


def _call_editor(command: list[str]) -> int:
    """Run the editor in the foreground. Ctrl-C belongs to it meanwhile (editors use it, and
    scenecat must not stop under them): ignored here, back to the default in the editor."""
    import signal
    import subprocess

    if os.name != "posix":
        return subprocess.call(command)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        proc = subprocess.Popen(
            command, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)
        )
        return proc.wait()
    finally:
        signal.signal(signal.SIGINT, previous)


def annotated(text: str, problem: str) -> str:
    body = "".join(line for line in text.splitlines(keepends=True) if not line.startswith(PROBLEM))
    notes = [
        f"not applied: {problem}",
        "fix and save; quit unsaved to give up (your text is kept in a file)",
    ]
    return "".join(f"{PROBLEM}{note}\n" for note in notes) + body


def save_text(text: str, what: str, name: str) -> Path:
    """The text in a new file of the current folder (else the temporary one), created
    exclusively: an existing file is never replaced."""
    import tempfile

    from scenecat.text import slugify

    stem = f"scenecat-edit-{what}-{slugify(name)[:60] or 'record'}"
    for folder in (Path.cwd(), Path(tempfile.gettempdir())):
        for n in range(1, 1000):
            path = folder / (f"{stem}.yaml" if n == 1 else f"{stem}-{n}.yaml")
            try:
                with path.open("x", encoding="utf-8") as handle:
                    handle.write(text)
            except FileExistsError:
                continue
            except OSError:
                break
            return path
    raise UserError("could not save your edited text anywhere; nothing was changed")


def edit_in_editor(
    cat: Catalogue, what: str, name: str, record_id: int, record: dict[str, Any]
) -> Outcome | None:
    """Edit until the text applies (the Outcome), the person gives up (UserError, their text
    saved), or nothing was changed (None)."""
    from scenecat.cli.output import message
    from scenecat.domain import editing

    if not sys.stdin.isatty():
        raise UserError(
            f"`edit {what}` with no flags opens $EDITOR, which needs a terminal; "
            "standard input is not one",
            hint=f"change fields with flags: scenecat edit {what} --help",
            usage=True,
        )
    original = editing.to_yaml(what, record)
    shown = original
    kept: str | None = None  # the person's text, once it differs from the record
    try:
        while True:
            status, edited = run_editor(shown)
            if edited != original:
                kept = edited
            if status == 0 and edited == original:
                return None
            if status == 0 and edited == shown:
                # Reopened and closed unchanged: given up.
                raise UserError(_gave_up(kept, what, name))
            if status != 0:
                problem = f"the editor exited with status {status}"
            else:
                try:
                    updated = editing.from_yaml(edited)
                    # Only what the person changed is laid over the record as it is now,
                    # so changes made by others while the editor was open are kept.
                    changes = editing.edited_changes(record, updated)
                    with cat.write(change_label(f"edit {what}", name)) as conn:
                        return editing.update(conn, what, record_id, changes)
                except editing.Unchanged:
                    return None  # edited, but to what the record holds already
                except NotFound as exc:
                    # The record was removed meanwhile: editing again cannot help.
                    raise UserError(f"{exc.message}; {_gave_up(kept, what, name)}") from None
                except ScenecatError as exc:
                    from scenecat.domain.records import FieldError

                    problem = (
                        editing.field_message(exc) if isinstance(exc, FieldError) else exc.message
                    )
                    if exc.hint:
                        problem += f" ({exc.hint})"
            if kept is None:  # nothing of the person's to reopen or keep
                raise UserError(f"{problem}; nothing was changed")
            message(f"The edit was not applied: {problem}")
            if not ask_yes_no("Edit your text again?", default=True):
                raise UserError(_gave_up(kept, what, name))
            shown = annotated(kept, problem)
    except (Interrupted, KeyboardInterrupt):
        raise Interrupted(_gave_up(kept, what, name)) from None


def _gave_up(kept: str | None, what: str, name: str) -> str:
    if kept is None:
        return "nothing was changed"
    path = save_text(kept, what, name)
    shown = f"./{path.name}" if path.parent == Path.cwd() else str(path)
    return f"nothing was changed; your edited text is saved in {shown}"
