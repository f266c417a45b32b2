"""`scenecat duel` with no keys: a session of duels in the terminal.

Two scenes side by side (one under the other on a narrow terminal), and a question: 1 or 2
for the better one, s to skip the pair, q to stop (r unfolds a folded spoiler). Each answer
is written at once, in a transaction and a history entry of its own, labelled as `scenecat
duel WINNER LOSER` labels it: `undo` takes back exactly the last duel, and Ctrl-C (or the
terminal closing) loses nothing already answered. The pairs come from domain/duel_pairs.py,
what is shown of a scene from domain/duel_cards.py; at the end a table says how the scenes
dueled moved in the ranking.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scenecat.cli import output
from scenecat.cli.common import Interrupted, UserError, ask
from scenecat.domain.duel_cards import DuelCard, make_card
from scenecat.domain.duel_pairs import Move, Pair, PairPicker, record_answer
from scenecat.errors import ScenecatError

# Imported only when a session starts (commands_signals imports this module in the command).
if TYPE_CHECKING:
    from scenecat.domain.scope import Scope
    from scenecat.storage.connection import Catalogue

#: From this many columns the two scenes stand side by side (each card about 34 wide);
#: on a wider terminal the two cards take at most WIDEST columns.
SIDE_BY_SIDE = 72
WIDEST = 110


@dataclass(frozen=True)
class Session:
    scope: Scope
    spoilers: str  # hide, warn or show (duel_cards)
    voter: str
    on: str | None  # the date each duel is recorded with
    rounds: int | None  # pairs to show at most (skipped ones count)


def check_terminal() -> None:
    """A session asks questions: refused without a terminal to ask them on and show the
    scenes."""
    for name, stream in (("standard input", sys.stdin), ("standard output", sys.stdout)):
        if not stream.isatty():
            raise UserError(
                f"`duel` with no scenes starts a session of questions, which needs a terminal; "
                f"{name} is not one",
                hint="record one duel without a terminal: scenecat duel WINNER LOSER",
                usage=True,
            )


@dataclass
class _Tally:
    """What this session did: the duels it recorded, and the scenes the fan unfolded."""

    recorded: int = 0
    won: Counter[int] = field(default_factory=Counter)  # scene id -> wins in this session
    lost: Counter[int] = field(default_factory=Counter)
    revealed: set[int] = field(default_factory=set)  # scene ids: named by title from then on

    def outcome(self) -> str:
        if not self.recorded:
            return "no duel was recorded"
        kept = (
            "the duel recorded is kept"
            if self.recorded == 1
            else f"the {self.recorded} duels recorded are kept"
        )
        return f"{kept} (`scenecat undo` takes back the last)"


def run(cat: Catalogue, session: Session) -> None:
    """Play a session on `cat` until q, the end of the pairs or of --rounds."""

    if cat.read_only:
        # Said before the first question rather than at the first answer.
        raise ScenecatError(
            f"the catalogue {cat.path} is read-only ({cat.read_only}); a duel session "
            "could record no answer",
            hint="make the file and its folder writable, or play on a copy "
            "(`scenecat db backup COPY.db`, then --db COPY.db)",
        )
    check_terminal()
    from scenecat.domain.progress_guard import load_guard

    # Pairs never show a scene past your stored progress that is a spoiler (unless
    # --spoilers show): it is left out of the pairs, not folded, as `list scenes` drops it.
    guard = load_guard(cat.conn, "show" if session.spoilers == "show" else "hide")
    picker = PairPicker(cat.conn, session.scope, may_show=lambda s: not guard.hides_scene(s))
    tally = _Tally()
    try:
        size = picker.start()
        output.note(_intro(session))
        _play(cat, session, picker, tally)
        _summary(picker, session, tally, size)
    except Interrupted:
        raise Interrupted(tally.outcome()) from None


def _intro(session: Session) -> str:
    text = "Which scene of each pair is better? Answer 1 or 2; s skips a pair, q stops."
    if session.spoilers == "warn":
        text += " Major spoilers are folded: r reveals a pair's (--spoilers show shows all)."
    elif session.spoilers == "hide":
        text += " Spoilers are folded: r reveals a pair's (--spoilers show shows all)."
    return text


def _play(cat: Catalogue, session: Session, picker: PairPicker, tally: _Tally) -> None:

    shown = 0
    while session.rounds is None or shown < session.rounds:
        pair = picker.next_pair()
        if pair is None:
            output.note("Every pair of these scenes has been shown in this session.")
            return
        shown += 1
        answer = _duel(session, pair, shown, tally)
        if answer == "q":
            return
        if answer == "s":
            output.note("Skipped.")
            continue
        _record(cat, session, pair, int(answer), tally)


def _cards(session: Session, pair: Pair, tally: _Tally) -> list[DuelCard]:

    return [
        make_card(c.scene, session.spoilers, revealed=c.scene.id in tally.revealed)
        for c in (pair.first, pair.second)
    ]


def _duel(session: Session, pair: Pair, number: int, tally: _Tally) -> str:
    """Show the pair and ask until answered: "1", "2", "s" or "q" (r unfolds and asks
    again)."""

    while True:
        cards = _cards(session, pair, tally)
        _show(session, cards, number)
        folded = any(card.folded for card in cards)
        keys = "r reveals, s skips, q stops" if folded else "s skips, q stops"
        while True:
            answer = _ask(f"Which is better, 1 or 2? ({keys})")
            if answer in ("1", "2", "s", "q") or (answer == "r" and folded):
                break
            output.note("Please answer 1, 2, s or q" + (" (or r)." if folded else "."))
        if answer != "r":
            return answer
        tally.revealed.update(pair.ids)


def _ask(question: str) -> str:
    sys.stdout.flush()
    try:
        answer = ask(question)
    except UserError:
        # ask() raises it at the end of input alone (Ctrl-D, the terminal gone): the
        # session ends as with q, keeping every answer.
        return "q"
    words = {"skip": "s", "quit": "q", "stop": "q", "reveal": "r"}
    answer = answer.strip().lower()
    return words.get(answer, answer)


def _show(session: Session, cards: list[DuelCard], number: int) -> None:

    wide = output.terminal_width() >= SIDE_BY_SIDE
    of = f" of {session.rounds}" if session.rounds else ""
    label = _scope_label(session.scope)
    output.plain("")
    output.plain(output.visible(f"Duel {number}{of}" + (f" · {label}" if label else "")))
    output.cards(
        [(str(n), _lines(card, session, clip=not wide)) for n, card in enumerate(cards, 1)],
        side_by_side=wide,
        widest=WIDEST,
    )
    if wide:
        # Under the cards, whole: a link folded inside a column could not be clicked.
        for n, card in enumerate(cards, 1):
            if card.clip:
                output.plain(output.visible(f"  {n} ▶ {card.clip}"))


def _lines(card: DuelCard, session: Session, *, clip: bool) -> list[tuple[str, str]]:
    if card.folded:
        return [("(details hidden)", "bold"), (card.drama, ""), (card.folded, "dim")]
    lines: list[tuple[str, str]] = []
    if card.warning:
        lines.append((card.warning, "bold red"))
    lines += [(card.title or "", "bold"), (card.drama, "")]
    if session.scope.kind is None and card.kind:
        lines.append((card.kind, "dim"))
    if card.actors:
        lines.append((card.actors, ""))
    if clip and card.clip:
        lines.append((f"▶ {card.clip}", "dim"))
    return lines


def _record(cat: Catalogue, session: Session, pair: Pair, winner: int, tally: _Tally) -> None:

    cards = _cards(session, pair, tally)
    win, lose = (cards[0], cards[1]) if winner == 1 else (cards[1], cards[0])
    # The label `scenecat duel WINNER LOSER` gives its change, so `history` reads the same.
    with cat.write(f"duel {win.key} {lose.key}") as conn:
        result = record_answer(conn, pair, winner, session.voter, session.on)
    if result.gone:
        gone = " and ".join(card.name for card in cards if card.key in result.gone)
        was = "were" if len(result.gone) > 1 else "was"
        output.note(
            f"Not recorded: {gone} {was} removed from the catalogue meanwhile; on to the next pair."
        )
        return
    if not result.created:
        output.note("That duel is already recorded; nothing changed.")
        return
    tally.recorded += 1
    tally.won[win.scene_id] += 1
    tally.lost[lose.scene_id] += 1
    output.note(f"Recorded: {win.name} beats {lose.name}.")


def _summary(picker: PairPicker, session: Session, tally: _Tally, size: int) -> None:

    if not tally.recorded:
        output.note("No duel recorded; the ranking is as it was.")
        return
    moves = picker.moves(tally.won, tally.lost)
    label = _scope_label(session.scope)
    scenes = f"{size:,} scene" + ("" if size == 1 else "s")
    footer = [f"Positions among the {scenes} of " + (label or "the catalogue") + "."]
    if any(move.after is None for move in moves):
        footer.append(f"-: now below the first {picker.read_to:,}.")
    duels = f"{tally.recorded} duel" + ("" if tally.recorded == 1 else "s")
    footer.append(f"Recorded {duels}; `scenecat undo` takes back the last one.")
    output.plain("")
    output.table(
        "How the ranking moved",
        ["#", "moved", "score", "before", "scene", "drama", "session"],
        [_row(move, session, tally) for move in moves],
        footer="\n".join(footer),
        numeric=("#", "score", "before"),
        keep=("#", "moved", "scene", "score", "before", "session", "drama"),
    )


def _row(move: Move, session: Session, tally: _Tally) -> list[object]:
    """A scene's row: its position now, how far it moved, its score now and before, and its
    duels in this session (won-lost)."""

    scene = move.scene
    card = make_card(scene, session.spoilers, revealed=scene.id in tally.revealed)
    after, was = move.after, move.before.position
    if after is None:
        moved = f"↓ from {was}"
    elif after.position == was:
        moved = "="
    elif after.position < was:
        moved = f"↑{was - after.position}"
    else:
        moved = f"↓{after.position - was}"
    return [
        after.position if after else "-",
        moved,
        f"{after.score:.2f}" if after else "-",
        f"{move.before.score:.2f}",
        card.name,
        scene.drama,
        f"{move.won}-{move.lost}",
    ]


def _scope_label(scope: Scope) -> str:
    """The filters in a few words: "Ji Chang Wook, kiss"."""
    bits = [*scope.actors]
    bits += [str(x) for x in (scope.drama, scope.kind, scope.network, scope.year, scope.tag) if x]
    if scope.episode is not None:
        bits.append(f"episode {scope.episode}")
    bits += [value for _, value in scope.fields if value.strip()]
    return ", ".join(bits)
