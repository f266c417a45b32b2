"""Shared CLI plumbing: the error boundary, global state, options and completion."""

from __future__ import annotations

import copy
import functools
import inspect
import os
import re
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, get_args

import typer
from typer.core import TyperGroup

from scenecat.errors import ScenecatError

if TYPE_CHECKING:
    from scenecat.domain.scope import Scope
    from scenecat.fields import FieldInfo
    from scenecat.storage.connection import Catalogue


class UserError(typer.TyperException):
    """Shown as `Error: ...` (+ `hint: ...`) on stderr, exit 1 (a usage error: 2).

    ScenecatGroup.invoke shows it and exits; Typer's own errors (its click exceptions, all
    TyperException) it lets through to Typer, which shows them the same way."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None, *, usage: bool = False) -> None:
        super().__init__(message)
        self.hint = hint
        if usage:
            self.exit_code = 2

    def show(self, file: Any = None) -> None:
        from scenecat.cli.output import error

        error(self.message, self.hint)


class Interrupted(BaseException):
    """Ctrl-C. scenecat's SIGINT handler raises this instead of KeyboardInterrupt, so that no
    layer swallows it (click's prompts turn KeyboardInterrupt into "Aborted!", exit 1);
    `app.run()` says what became of the command and exits 130. Not an Exception: the
    `except Exception` boundaries let it through, and every write transaction rolls back
    on it as on any BaseException."""

    def __init__(self, outcome: str | None = None) -> None:
        super().__init__(outcome)
        self.outcome = outcome

    def report(self) -> None:
        # The terminal echoed ^C without a newline; start on a line of our own.
        start = "\n" if sys.stderr.isatty() else ""
        outcome = f": {self.outcome}" if self.outcome else ""
        sys.stderr.write(f"{start}Interrupted{outcome}.\n")
        sys.stderr.flush()


def on_interrupt(signum: int, frame: object) -> None:
    raise Interrupted()


class ScenecatGroup(TyperGroup):
    """Root command group: turns domain errors into one clean line, never a traceback."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return self._invoke_translating_errors(ctx)
        except UserError as exc:
            # What Typer does with its own errors: the message, then exit with its code.
            exc.show()
            raise typer.Exit(exc.exit_code) from None

    def _invoke_translating_errors(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ScenecatError as exc:
            from scenecat.errors import UsageError

            usage = isinstance(exc, UsageError)
            raise UserError(_user_message(exc), exc.hint, usage=usage) from None
        except typer.TyperException as exc:
            _in_words(exc)
            raise
        except (typer.Exit, typer.Abort):
            raise
        except KeyboardInterrupt:
            raise Interrupted() from None
        except BrokenPipeError:
            # `scenecat list scenes | head` closes the pipe early: not an error.
            sys.stderr.close()
            raise typer.Exit(0) from None
        except sqlite3.OperationalError as exc:
            if os.environ.get("SCENECAT_DEBUG") == "1":
                raise
            text = str(exc)
            if "locked" in text or "busy" in text:
                raise UserError(
                    "the catalogue stayed locked by another scenecat process for too long",
                    hint="try again when the other command has finished",
                ) from None
            known = _known_database_problem(text)
            if known is not None:
                raise UserError(*known) from None
            raise UserError(f"database problem: {text}", hint=_debug_hint()) from None
        except sqlite3.DatabaseError as exc:
            if os.environ.get("SCENECAT_DEBUG") == "1":
                raise
            known = _known_database_problem(str(exc))
            if known is not None:
                raise UserError(*known) from None
            raise UserError(f"database problem: {exc}", hint=_debug_hint()) from None
        except OSError as exc:
            if os.environ.get("SCENECAT_DEBUG") == "1":
                raise
            if exc.errno in _OS_KNOWN:
                from scenecat.files import describe_os_error

                error = describe_os_error(exc, exc.filename or "a file")
                raise UserError(error.message, error.hint) from None
            raise UserError(
                f"unexpected failure: {type(exc).__name__}: {exc}", hint=_debug_hint()
            ) from None
        except Exception as exc:
            if os.environ.get("SCENECAT_DEBUG") == "1":
                raise
            raise UserError(
                f"unexpected failure: {type(exc).__name__}: {exc}", hint=_debug_hint()
            ) from None


_EXTRA = "Got unexpected extra argument(s) ("


def _in_words(exc: typer.TyperException) -> None:
    """Click's "unexpected extra argument(s)" in the right number (docs/DESIGN.md §3: no
    "(s)"): "argument" for one word, "arguments" for more."""
    message = getattr(exc, "message", "")
    if isinstance(message, str) and message.startswith(_EXTRA):
        extra = message[len(_EXTRA) : -1]
        noun = "argument" if len(extra.split()) == 1 else "arguments"
        exc.message = f"Got unexpected extra {noun} ({extra})"


def _user_message(exc: ScenecatError) -> str:
    """A field error from a command's own record reads `episode: ...`, not `scene.episode: ...`
    (file errors keep their `file:line: path` prefix)."""
    from scenecat.domain.records import FieldError

    if isinstance(exc, FieldError) and "." in exc.path:
        return f"{exc.path.split('.', 1)[1]}: {exc.reason}"
    return exc.message


# Conditions of the machine, not bugs: the disk is full, a file is read-only.
_OS_KNOWN = (28, 122, 13, 1, 30)  # ENOSPC, EDQUOT, EACCES, EPERM, EROFS


def _known_database_problem(text: str) -> tuple[str, str] | None:
    """SQLite errors that say what happened to the file, as an error and what to do."""
    lowered = text.lower()
    if "readonly" in lowered or "read-only" in lowered:
        return (
            "the catalogue is read-only; nothing was changed",
            "make the catalogue file and its folder writable, or work on a copy",
        )
    if "disk is full" in lowered or "database or disk is full" in lowered:
        return (
            "the disk is full; nothing was changed",
            "free some space and run the command again",
        )
    if "malformed" in lowered or "not a database" in lowered:
        return (
            "the catalogue file is damaged (" + text + ")",
            "run `scenecat db check` for what can be saved",
        )
    return None


def _debug_hint() -> str:
    return "run again with SCENECAT_DEBUG=1 for the full traceback, and report it"


class State:
    """The global options, on the root context: --db."""

    def __init__(self, db: str | None = None) -> None:
        self.db = db


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
    return root.obj


def db_path(ctx: typer.Context) -> Path:
    from scenecat.storage.connection import resolve_path

    return resolve_path(state(ctx).db)


@contextmanager
def catalogue(ctx: typer.Context, *, create: bool = False) -> Iterator[Catalogue]:
    """The catalogue of --db / $SCENECAT_DB. Only the commands that add facts (init, import,
    add-*) pass `create=True`: a read on a mistyped path must not leave an empty file behind."""
    from scenecat.cli.output import message
    from scenecat.storage.connection import open_catalogue

    cat = open_catalogue(db_path(ctx), create=create)
    if cat.backup_path is not None:
        message(
            f"Upgraded the catalogue from schema {cat.upgraded_from}; "
            f"a copy of the old one is at {cat.backup_path}"
        )
    try:
        yield cat
    finally:
        cat.close()


def sub_app(help: str) -> typer.Typer:
    # Plain (click) help and errors: one `Error:` line instead of a Rich panel, and about
    # 60 ms less start-up than Rich-formatted help.
    return typer.Typer(help=help, no_args_is_help=True, rich_markup_mode=None)


def keep_examples(app: typer.Typer) -> None:
    """Stop click from re-wrapping the `Example:` paragraph of each command's help."""
    for info in app.registered_commands:
        doc = info.callback.__doc__ if info.callback else None
        if doc and "\b\n" not in doc:
            info.callback.__doc__ = _example_kept(doc)
    for group in app.registered_groups:
        if group.typer_instance is not None:
            keep_examples(group.typer_instance)


def _example_kept(doc: str) -> str:
    """`doc` with a `\\b` line (click's "do not re-wrap") right above each line that starts
    with `Example:` after spaces or tabs, indented as that line is: a blank line between
    them would not do. (By lines rather than by a regular expression: no pattern compiled
    for every command that runs.)"""
    lines = doc.split("\n")
    kept = lines[:1]
    for line in lines[1:]:
        text = line.lstrip(" \t")
        if text.startswith("Example:"):
            kept.append(line[: len(line) - len(text)] + "\b")
        kept.append(line)
    return "\n".join(kept)


# Options many commands share, one spelling and one help text each; a command declares
# `as_json: JsonFlag = False`. Typer reads a command's annotations when it converts the
# command, so a command module imports these at module level (plain typing objects, cheap).
# Command modules leave out `from __future__ import annotations`: Typer would then compile
# and evaluate every annotation string two or three times per command, which made loading
# a command module several milliseconds slower than evaluating them once at import.
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON ({data, meta}) to stdout.")]
YesFlag = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


CANCELLED = "Cancelled; nothing changed."


def cancel() -> typer.Exit:
    """A "no" to a question: said plainly on stderr, exit 0. Declining is a choice the
    person made, not an error (no `Error:`; a script that passed no --yes never gets here,
    it is refused before any question)."""
    sys.stderr.write(CANCELLED + "\n")
    sys.stderr.flush()
    return typer.Exit(0)


def confirm(question: str, yes: bool) -> None:
    """Ask before a destructive step; without a terminal, --yes is required. A "no" ends the
    command with nothing changed, exit 0 (cancel())."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise UserError(f"{question} (not asked: no terminal)", hint="pass --yes to confirm")
    if not ask_yes_no(question, default=False):
        raise cancel()


def change_label(*words: str) -> str:
    """A history label from a command and its names, each name with a space or a quote in it
    quoted as a shell would take it back: `merge actor "Gong Yoo" "Kong Yoo"`. The first
    word is the command, never quoted. At most 300 characters, as the history stores."""
    head, *names = words
    shown = [head, *(_quoted(name) for name in names)]
    return " ".join(shown)[:300]


def _quoted(name: str) -> str:
    if name and not any(ch.isspace() or ch in "\"'\\$`" for ch in name):
        return name
    return '"' + re.sub(r'([\\"$`])', r"\\\1", name) + '"'


def ask(question: str) -> str:
    """One line typed on the terminal (prompt on stderr). Ctrl-C: Interrupted, saying that
    nothing was changed (every prompt comes before the command's write); Ctrl-D: cancelled."""
    # readline (loaded for completion) must draw the prompt itself to redraw the line; it
    # writes to stdout, so only when that is the terminal too. Otherwise the prompt goes to
    # stderr, apart from a piped stdout.
    with_readline = "readline" in sys.modules and sys.stdout.isatty()
    if not with_readline:
        sys.stderr.write(f"{question}: ")
        sys.stderr.flush()
    try:
        return input(f"{question}: " if with_readline else "")
    except Interrupted:
        raise Interrupted("nothing was changed") from None
    except KeyboardInterrupt:
        raise Interrupted("nothing was changed") from None
    except EOFError:
        sys.stderr.write("\n")
        raise UserError("cancelled (end of input); nothing was changed") from None


def ask_yes_no(question: str, *, default: bool) -> bool:
    choices = "Y/n" if default else "y/N"
    while True:
        answer = ask(f"{question} [{choices}]").strip().lower()
        if not answer:
            return default
        if answer in ("y", "yes"):
            return True
        if answer in ("n", "no"):
            return False
        sys.stderr.write("Please answer y or n.\n")


def kind_hint(conn: sqlite3.Connection, scope: Scope, found: bool) -> str | None:
    """For a listing that found nothing under `--kind kis`: the "did you mean" line
    (domain/kinds.py), shown after the empty listing as `hint: ...`."""
    if found or not scope.kind:
        return None
    from scenecat.domain.kinds import unknown_hint

    return unknown_hint(conn, scope.kind)


def show_hint(text: str | None) -> None:
    if text:
        from scenecat.cli.output import message

        message(f"hint: {text}")


def report_warnings(warnings: list[str]) -> None:
    from scenecat.cli.output import warn

    for line in warnings:
        warn(line)


def _completer(query: Callable[[Any, str], list[str]]) -> Callable[[typer.Context, str], list[str]]:
    def complete(ctx: typer.Context, incomplete: str) -> list[str]:
        # Completion must never fail loudly or create a catalogue.
        try:
            from scenecat.storage.connection import open_catalogue

            path = db_path(ctx)
            if not path.exists():
                return []
            cat = open_catalogue(path, create=False)
            try:
                found = query(cat.conn, incomplete)
            finally:
                cat.close()
        except Exception:
            return []
        if _bash_unquoted():
            found = [_for_bash(name) for name in found]
        return [_Offered(name) for name in found]

    return complete


class _Offered(str):
    """A completion that Typer passes on as it is.

    Typer keeps only the completions that start with the text as typed (after the shell's
    quotes are taken off), which would drop what the folded match finds (`ji chang` ->
    "Ji Chang Wook", `mel` -> "Melting Me Softly") and every name bash needs escaped
    (`Kim\\ ` typed, `Kim\\ Go\\ Eun` offered). The names were matched already."""

    __slots__ = ()

    def startswith(self, *_: object) -> bool:
        return True


# Characters bash reads as something other than part of a word, escaped with a backslash
# (compiled when completion first needs it, not by every command's start-up).
_BASH_SPECIAL = r"""([\s'"\\$`!&;|<>()*?\[\]{}#~=:])"""


def _for_bash(name: str) -> str:
    """A name as bash must insert it to keep it one argument: `Melting\\ Me\\ Softly`."""
    return re.sub(_BASH_SPECIAL, r"\\\1", name)


def _bash_unquoted() -> bool:
    """Whether bash (Typer's completion script) is completing a word typed without an
    opening quote. bash inserts what completion returns as it is: a name with spaces came
    out as three arguments. Typer's zsh and fish scripts quote for themselves, and inside
    an open quote bash keeps the spaces."""
    if os.environ.get("_SCENECAT_COMPLETE") != "complete_bash":
        return False
    # The script passes bash's words as typed (quotes and backslashes kept), one a line.
    words = os.environ.get("COMP_WORDS", "").split("\n")
    try:
        typed = words[int(os.environ.get("COMP_CWORD", ""))]
    except (ValueError, IndexError):
        return True
    return not typed.startswith(("'", '"'))


def _names(kind: str) -> Callable[[Any, str], list[str]]:
    def query(conn: Any, prefix: str) -> list[str]:
        from scenecat.domain.names import completions

        return completions(conn, kind, prefix)

    return query


complete_actor = _completer(_names("actor"))
complete_drama = _completer(_names("drama"))
complete_scene = _completer(_names("scene"))


# The scope filters, each declared once: flag and help text here, the Scope field it fills
# in SCOPE_FILTERS. Every command that narrows scenes (list scenes, search, rank, trending,
# export markdown, json and csv) takes them through @scope_options, so a new filter there
# reaches them all; `list dramas` uses --network and --year alone.
ActorFilter = Annotated[
    list[str],
    typer.Option(
        "--actor",
        "-a",
        help="Scenes with this actor (repeat: scenes with all of them).",
        autocompletion=complete_actor,
    ),
]
DramaFilter = Annotated[
    str | None,
    typer.Option("--drama", "-d", help="Scenes of this drama.", autocompletion=complete_drama),
]
KindFilter = Annotated[str | None, typer.Option("--kind", "-k", help="kiss, confession, ...")]
NetworkFilter = Annotated[str | None, typer.Option("--network", help="Broadcaster, e.g. tvN.")]
YearFilter = Annotated[str | None, typer.Option("--year", help="Year or range, e.g. 2016..2020.")]
EpisodeFilter = Annotated[int | None, typer.Option("--episode", "-e", help="Episode number.")]
TagFilter = Annotated[str | None, typer.Option("--tag", help="Scenes with this tag.")]
SpoilerFilter = Annotated[
    str | None,
    typer.Option(
        "--spoiler",
        help="Highest spoiler level to include (none, minor, major, ending); "
        "not --spoilers, which is about your progress.",
    ),
]
# What a screen does with scenes past your stored progress (domain/progress_guard.py): one
# flag family for list scenes, search, rank, show, trending and watch, spelled as
# `export markdown --spoilers` is.
Spoilers = Annotated[
    str,
    typer.Option(
        "--spoilers",
        metavar="show|hide|warn",
        help="Scenes past your progress (`scenecat progress`) that are spoilers: hide, "
        "warn (mark them) or show.",
    ),
]
# Parameter name: (Scope field, annotation, default), in the order --help lists them.
SCOPE_FILTERS: dict[str, tuple[str, Any, Any]] = {
    "actor": ("actors", ActorFilter, []),
    "drama": ("drama", DramaFilter, None),
    "kind": ("kind", KindFilter, None),
    "network": ("network", NetworkFilter, None),
    "year": ("year", YearFilter, None),
    "episode": ("episode", EpisodeFilter, None),
    "spoiler": ("spoiler", SpoilerFilter, None),
    "tag": ("tag", TagFilter, None),
}
# How many rows a command shows; a command whose default is not None gives it as the
# parameter's default (shown as [default: N]), or as scope_options(limit_default=...).
Limit = Annotated[int | None, typer.Option("--limit", "-n", help="Show at most this many.")]


@functools.cache
def declared_filters() -> tuple[str, ...]:
    """The scene fields scene_fields.py declares as filters (`location`): each is a flag of
    every command that takes the scope filters, filling Scope.fields."""
    from scenecat.scene_fields import FILTER_FIELDS

    return tuple(f.name for f in FILTER_FIELDS)


def _declared_option(name: str) -> Any:
    words = name.replace("_", " ")
    flag = "--" + name.replace("_", "-")
    return Annotated[str | None, typer.Option(flag, help=f"Scenes whose {words} is this.")]


R = TypeVar("R")


def scope_options(
    *, without: tuple[str, ...] = (), limit_default: str | None = None
) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Put the scope filters (all of SCOPE_FILTERS but `without`, then every declared filter
    field) where the command declares `scope: "Scope"`; the command gets one Scope.

    Typer reads a command's parameters from `__signature__` and `__annotations__`, so the
    flags are written once here instead of in each command. `limit_default` is the text
    --help shows as the default of the command's `limit: Limit = None`, when it depends on
    other options."""
    unknown = set(without) - set(SCOPE_FILTERS)
    if unknown:
        raise ValueError(f"not scope filters: {', '.join(sorted(unknown))}")
    family = tuple(name for name in SCOPE_FILTERS if name not in without)

    def decorate(command: Callable[..., R]) -> Callable[..., R]:
        declared = declared_filters()

        def run(**flags: Any) -> R:
            flags["scope"] = _scope(flags, family, declared)
            return command(**flags)

        flags = [(name, SCOPE_FILTERS[name][1], SCOPE_FILTERS[name][2]) for name in family] + [
            (name, _declared_option(name), None) for name in declared
        ]
        _wrap(command, _with_flags(inspect.signature(command), "scope", flags, limit_default), run)
        return run

    return decorate


def _with_flags(
    signature: inspect.Signature,
    marker: str,
    flags: list[tuple[str, Any, Any]],
    limit_default: str | None = None,
) -> inspect.Signature:
    """`signature` with the `marker` parameter replaced by `flags`. Every parameter is made
    keyword-only (Typer passes them all by name), so defaults may come in any order."""
    taken = set(signature.parameters) & {name for name, _, _ in flags}
    if taken or marker not in signature.parameters:
        raise TypeError(f"the command takes `{marker}` and none of its flags itself: {taken}")
    keyword = inspect.Parameter.KEYWORD_ONLY
    params = []
    for param in signature.parameters.values():
        if param.name == marker:
            params += [inspect.Parameter(n, keyword, default=d, annotation=a) for n, a, d in flags]
            continue
        if param.name == "limit" and limit_default is not None:
            param = param.replace(annotation=_shown_default(param.annotation, limit_default))
        params.append(param.replace(kind=keyword))
    return signature.replace(parameters=params)


def _wrap(command: Callable[..., R], signature: inspect.Signature, run: Callable[..., R]) -> None:
    functools.update_wrapper(run, command)
    run.__signature__ = signature  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in signature.parameters.values()}


def scene_field_options(command: Callable[..., R]) -> Callable[..., R]:
    """Put a flag for each declared scene field that has one (scene_fields.py: `flag`,
    `help`) where the command declares `fields: SceneFlags`; the command gets the fields
    given, {field name: value} (an absent flag, or a list flag given no item, is left out).
    add-scene and edit scene share these, so a new declared field is settable by both."""
    from scenecat.scene_fields import FIELDS

    return _declared_options(command, [f for f in FIELDS if f.flag], every=False)


def record_field_options(
    kind: str, *, edit: bool
) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Put a flag for each declared field of an actor or drama (fields.py: `flag`, `help`)
    where the command declares `fields: FieldFlags`; the command gets every one of them,
    {field name: value}, None (a list flag: []) when absent. `add-KIND` takes those but the
    required field (its argument); `edit KIND` the single-valued ones, the required one as
    a new value (`--name`), as a record's list (aliases) changes through `alias`."""

    def decorate(command: Callable[..., R]) -> Callable[..., R]:
        from scenecat.fields import KINDS

        declared = [
            f
            for f in KINDS[kind]
            if f.flag and (f.value not in _LIST_VALUES if edit else not f.required)
        ]
        return _declared_options(command, declared, every=True)

    return decorate


def _declared_options(
    command: Callable[..., R], declared: list[FieldInfo], *, every: bool
) -> Callable[..., R]:
    """The command with a flag for each of the `declared` fields (FieldInfo) in place of its
    `fields` parameter; `every`: absent ones are handed over too."""
    flags = [
        (_parameter(f), _field_option(f.value, f.flag or "", f.help), _field_default(f.value))
        for f in declared
    ]

    def run(**values: Any) -> R:
        given = {f.name: values.pop(_parameter(f)) for f in declared}
        if not every:
            given = {k: v for k, v in given.items() if v is not None and v != []}
        values["fields"] = given
        return command(**values)

    _wrap(command, _with_flags(inspect.signature(command), "fields", flags), run)
    return run


def _parameter(info: FieldInfo) -> str:
    # A required field's flag sets a new value (`edit actor NAME --name NEW`): NAME is the
    # command's argument, so the flag's parameter is new_NAME. Others are named after their
    # flag (--tag is `tag`, so --help shows it as TAG).
    if info.required:
        return f"new_{info.name}"
    return (info.flag or "").lstrip("-").replace("-", "_")


def _field_option(value: str, flag: str, help: str | None) -> Any:
    if value in _LIST_VALUES:
        return Annotated[list[str], typer.Option(flag, help=help)]
    if value in _WHOLE_VALUES:
        return Annotated[int | None, typer.Option(flag, help=help)]
    return Annotated[str | None, typer.Option(flag, help=help)]


def _field_default(value: str) -> Any:
    return [] if value in _LIST_VALUES else None


# Value types given as a repeatable flag (each use one item).
_LIST_VALUES = ("names", "tags")
# Value types given as a whole number (click reads it; the parser checks its range).
_WHOLE_VALUES = ("episode", "year", "born")
# What a command that takes @scene_field_options or @record_field_options gets: declared
# field name -> flag value.
FieldFlags = dict[str, Any]
SceneFlags = FieldFlags


def _shown_default(annotation: Any, text: str) -> Any:
    kind, option = get_args(annotation)
    shown = copy.copy(option)
    shown.show_default = text
    return Annotated[kind, shown]


def _scope(flags: dict[str, Any], family: tuple[str, ...], declared: tuple[str, ...]) -> Scope:
    """The Scope of the filter flags, taken out of `flags`."""
    from scenecat.domain.scope import Scope

    values: dict[str, Any] = {}
    for name in family:
        value = flags.pop(name)
        values[SCOPE_FILTERS[name][0]] = tuple(value) if isinstance(value, list) else value
    fields = ((name, flags.pop(name)) for name in declared)
    return Scope(**values, fields=tuple((n, v) for n, v in fields if v is not None))


# Every whole-number option and argument (--episode, --limit, --born, undo N, ...) is read by
# bounded_int(): app.py gives it to each `int` parameter once the commands are converted.
# A number SQLite cannot hold (past 2^63) or Python will not read (over 4,300 digits) is a
# usage error naming the option, exit 2, for all of them at once.
INT_LIMIT = 2**63 - 1


def bounded_int(value: Any) -> int:
    """An `int` parameter's value, worded as click's own integer type words its errors."""
    if isinstance(value, str):
        digits = value.strip().lstrip("+-").replace("_", "")
        if len(digits) > 19 and digits.isdigit():
            text = value.strip()
            shown = text if len(text) <= 24 else f"{text[:12]}… ({len(digits)} digits)"
            raise typer.BadParameter(f"{shown} is too large")
    try:
        result = int(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a valid int.") from None
    if not -INT_LIMIT <= result <= INT_LIMIT:
        raise typer.BadParameter(f"{result} is too large")
    return result
