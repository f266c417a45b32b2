"""The questions of an interactive `add-scene`, each answer checked as it is typed.

A drama or actor name that the catalogue does not know is asked again with the catalogue's
own "did you mean", never fatal; several actors may be given (one per answer, or separated
by commas, until an empty answer). On a terminal with readline, Tab completes drama and actor
names from the catalogue. The checks here only spare the person a lost session: the write
checks everything again inside its transaction.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from scenecat.cli.common import ask
from scenecat.errors import ScenecatError


@dataclass
class SceneAnswers:
    drama: str
    episode: int | None
    actors: list[str] = field(default_factory=list)
    kind: str = ""
    title: str = ""


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

    answers.kind = kind or until_valid(
        "Kind (kiss, confession, fight, hug, reunion, ...)",
        lambda a: _field("kind", need("a kind")(a)),
    )

    def check_title(answer: str) -> str:
        text = str(_field("title", need("a title")(answer)))
        record = SceneRec(
            key=None, drama=answers.drama, episode=answers.episode, kind=answers.kind, title=text
        )
        twin = None if force else likely_duplicate(conn, drama_id, record)
        if twin is not None:
            raise ScenecatError(
                f"this episode already has {twin[1]!r}, key {twin[0]}",
                hint="type another title (or run again with --force to add it all the same)",
            )
        return text

    answers.title = title or until_valid("Title", check_title)
    return answers


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
