"""The questions of an interactive `add-scene`, each answer checked as it is typed.

A drama or actor name that the catalogue does not know is asked again with the catalogue's
own "did you mean", never fatal; several actors may be given (one per answer, or separated
by commas, until an empty answer). A kind close to a known one ("kis") is asked again with
"did you mean"; a kind new to the catalogue, and a title that near-duplicates one of the
episode's scenes, are asked about. Then the spoiler level and the clip's views, Enter
skipping each. On a terminal with readline, Tab completes drama and actor names from the
catalogue. The checks here only spare the person a lost session: the write
checks everything again inside its transaction.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from scenecat.cli.common import ask, ask_yes_no
from scenecat.errors import ScenecatError


@dataclass
class SceneAnswers:
    drama: str
    episode: int | None
    actors: list[str] = field(default_factory=list)
    kind: str = ""
    title: str = ""
    new_kind: bool = False  # the person confirmed a kind new to the catalogue
    twin: str | None = None  # the key of a near-duplicate the person chose to add beside
    fields: dict[str, object] = field(default_factory=dict)  # spoiler, when asked
    views: str | None = None
    views_source: str | None = None


def _problem(exc: ScenecatError) -> None:
    """A rejected answer: what is wrong and the hint, then the question again."""
    from scenecat.cli.output import visible

    field_name, sep, reason = exc.message.partition(": ")
    text = reason if sep and " " not in field_name else exc.message
    sys.stderr.write(f"  {visible(text)}\n")
    if exc.hint:
        sys.stderr.write(f"  {visible(exc.hint)}\n")


def _field(name: str, value: object) -> Any:
    """`value` checked by the same parser as `--NAME value` (and a catalogue file's field)."""
    from scenecat.domain.fast_parsers import parse_scene

    record: dict[str, object] = {"drama": "d", "kind": "kiss", "title": "t", name: value}
    return getattr(parse_scene(record, "scene"), name)


class _Completion:
    """readline completion of catalogue names for the question being asked, if readline is
    there and both ends are a terminal (it edits the line on stdout)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.kind: str | None = None
        self.readline: Any = None
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            return
        try:
            import readline
        except ImportError:  # some Python builds have none: questions work without Tab
            return
        self.readline = readline
        readline.set_completer(self._complete)
        # Names hold spaces and hyphens: only a comma (between actors) separates words.
        readline.set_completer_delims(",")
        if "libedit" in (readline.__doc__ or ""):
            readline.parse_and_bind("bind ^I rl_complete")
        else:
            readline.parse_and_bind("tab: complete")
        self._matches: list[str] = []

    @property
    def available(self) -> bool:
        return self.readline is not None

    @contextmanager
    def names(self, kind: str | None) -> Iterator[None]:
        self.kind = kind
        try:
            yield
        finally:
            self.kind = None

    def _complete(self, text: str, state: int) -> str | None:
        if state == 0:
            self._matches = []
            if self.kind is not None:
                from scenecat.domain.names import completions

                lead = text[: len(text) - len(text.lstrip())]
                try:
                    found = completions(self.conn, self.kind, text.lstrip())
                except Exception:  # completion must never break the question
                    found = []
                self._matches = [lead + name for name in found]
        return self._matches[state] if state < len(self._matches) else None


def ask_scene(
    conn: sqlite3.Connection,
    *,
    drama: str | None,
    episode: int | None,
    actors: list[str],
    kind: str | None,
    title: str | None,
    force: bool,
    new_kind: bool = False,
    spoiler: bool = False,
    views: bool = False,
) -> SceneAnswers:
    """Ask for what is missing. Values given as flags are checked first, so that a mistake
    in one of them ends the command before any question is asked."""
    from scenecat.domain import names
    from scenecat.domain.catalogue import check_episode, get_drama, likely_duplicate
    from scenecat.domain.records import SceneRec

    completion = _Completion(conn)
    if completion.available:
        sys.stderr.write("(Tab completes drama and actor names.)\n")

    def until_valid(question: str, check: Callable[[str], Any], kind: str | None = None) -> Any:
        with completion.names(kind):
            while True:
                answer = ask(question).strip()
                try:
                    return check(answer)
                except ScenecatError as exc:
                    _problem(exc)

    def need(what: str) -> Callable[[str], str]:
        def check(answer: str) -> str:
            if not answer:
                raise ScenecatError(f"a scene needs {what}")
            return answer

        return check

    if drama:
        drama_id = names.resolve_drama(conn, drama)
    else:
        drama_id = until_valid(
            "Drama",
            lambda a: names.resolve_drama(conn, need("a drama")(a)),
            "drama",
        )
    the_drama = get_drama(conn, drama_id)
    answers = SceneAnswers(drama=the_drama.title, episode=episode)

    if episode is None and sys.stdin.isatty():
        span = f"1-{the_drama.episodes}" if the_drama.episodes else "a number"
        question = f"Episode ({span}, empty if none)"

        def check_number(answer: str) -> int | None:
            if not answer:
                return None
            number = _field("episode", answer)
            check_episode(conn, drama_id, number, "episode")
            return int(number)

        answers.episode = until_valid(question, check_number)

    if actors:
        answers.actors = list(actors)
    else:
        sys.stderr.write("Actors: one a line, or several separated by commas.\n")
        with completion.names("actor"):
            while True:
                answer = ask("Actor" if not answers.actors else "Actor (empty when done)")
                if not answer.strip() and answers.actors:
                    break
                # The names that are right are kept; only a wrong one is asked again.
                answers.actors.extend(_actors(conn, answer, answers.actors))

    def check_kind(answer: str) -> str:
        from scenecat.domain import kinds

        typed = str(_field("kind", need("a kind")(answer)))
        verdict = kinds.judge(conn, typed)
        if verdict.known or new_kind:
            return typed
        if verdict.close:  # a typo, asked again ("did you mean 'kiss'?")
            message, _ = kinds.near_miss_message(verdict)
            raise ScenecatError(message)
        if not ask_yes_no(
            f"{typed!r} is a new kind (not built in, no scene has it). Use it?", default=False
        ):
            raise ScenecatError("then another kind", hint="kinds in use: `scenecat stats`")
        answers.new_kind = True
        return typed

    answers.kind = kind or until_valid(
        "Kind (kiss, confession, fight, hug, reunion, ...)", check_kind
    )

    def check_title(answer: str) -> str:
        text = str(_field("title", need("a title")(answer)))
        record = SceneRec(
            key=None, drama=answers.drama, episode=answers.episode, kind=answers.kind, title=text
        )
        twin = None if force else likely_duplicate(conn, drama_id, record)
        if twin is not None:
            said = f"This episode already has {twin[1]!r} (key {twin[0]})"
            if not ask_yes_no(f"{said}. Add this scene all the same?", default=False):
                raise ScenecatError("then another title")
            answers.twin = twin[0]
        return text

    answers.title = title or until_valid("Title", check_title)
    if spoiler:
        from scenecat.models import SPOILER_LEVELS

        def check_spoiler(answer: str) -> str | None:
            return str(_field("spoiler", answer)) if answer else None

        level = until_valid(
            f"Spoiler level ({', '.join(SPOILER_LEVELS)}; Enter: none)", check_spoiler
        )
        if level is not None:
            answers.fields["spoiler"] = level
    if views:
        answers.views = until_valid("Views of its clip (Enter: none)", _views_count) or None
        if answers.views is not None:
            where = ask("Where the views were seen (a name or a URL; Enter: none)").strip()
            answers.views_source = where or None
    return answers


def _views_count(answer: str) -> str:
    """A view count typed at the question, checked as `--views` is; "" skips."""
    if not answer:
        return ""
    from scenecat.domain.fast_parsers import parse_view

    parse_view({"count": answer, "on": "2000-01-01", "source": "asked"}, "views")
    return answer


def _actors(conn: sqlite3.Connection, answer: str, chosen: list[str]) -> list[str]:
    """The actors of one answer (comma-separated) that the catalogue knows and that are not
    `chosen` already; each one that is not is reported."""
    from scenecat.domain import names

    typed = [part.strip() for part in answer.split(",") if part.strip()]
    if not typed:
        _problem(ScenecatError("a scene needs at least one actor"))
    ids = [names.resolve_actor(conn, name) for name in chosen]
    good: list[str] = []
    failed = False
    for name in typed:
        try:
            actor_id = names.resolve_actor(conn, name)
        except ScenecatError as exc:
            _problem(exc)
            failed = True
            continue
        if actor_id in ids:
            _problem(ScenecatError(f"{name} is in this scene already"))
            failed = True
            continue
        ids.append(actor_id)
        good.append(name)
    if failed and good:
        from scenecat.cli.output import visible

        sys.stderr.write(f"  (kept {visible(', '.join(good))})\n")
    return good
