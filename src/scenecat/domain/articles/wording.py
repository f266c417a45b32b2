"""The sentences articles are made of: names, counts, scores, scopes and methods in words."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from scenecat.domain import browse, names
from scenecat.domain.articles.entries import ScopeWords
from scenecat.domain.scope import Scope
from scenecat.models import Scene, ViewCount
from scenecat.storage import actors as actor_store
from scenecat.storage import dramas as drama_store

if TYPE_CHECKING:
    from scenecat.scoring.params import RankParams, ScoreParts


def join_names(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        if item and item not in seen:
            seen[item] = None
    return list(seen)


def kind_label(kind: str) -> str:
    return kind.replace("-", " ")


def plural(count: int, word: str, many: str | None = None) -> str:
    """ "1 scene", "1,200 scenes"; also the templates' `plural` filter, hence the check."""
    if not isinstance(count, int):
        raise TypeError(f"plural needs a whole number, got {count!r}")
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


#: Digits of a ranking score in an article: the two `rank` shows, so that a reader never sees
#: two dramas "tied" at 8.2 ranked first and second, and an article agrees with `rank` to the
#: digit.
SCORE_DIGITS = 2


def score_figure(value: float, digits: int = 1) -> str:
    """A vote average as printed everywhere: "8.7" (scores: SCORE_DIGITS)."""
    return f"{value:.{digits}f}"


def some(count: int, word: str, many: str | None = None) -> str:
    """plural() that says "no scenes" for 0."""
    return f"no {many or word + 's'}" if count == 0 else plural(count, word, many)


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def drama_line(scene: Scene) -> str:
    """ "Melting Me Softly (tvN, 2019), episode 10": the drama with what is known of it."""
    network, year = scene.network, scene.year
    line = scene.drama
    if network and year:
        line += f" ({network}, {year})"
    elif network or year:
        line += f" ({network or year})"
    if scene.episode is not None:
        line += f", episode {scene.episode}"
    return line


def views_text(count: int, on: str | None, source: str | None) -> str:
    text = f"{count:,}"
    if source:
        text += f" on {source}"
    if on:
        text += f" (seen {on})"
    return text


def _counted(info: Any) -> Callable[[str], bool]:
    """Whether a part ("votes", "duels", "views") can count in the ranking `info` describes."""
    method = getattr(info, "method", "combined")
    params = getattr(info, "params", None)

    def counted(part: str) -> bool:
        if method != "combined":
            return method == part
        return params is None or getattr(params, f"w_{part}") > 0

    return counted


def stand_ins(parts: ScoreParts) -> list[tuple[str, str]]:
    """The parts of a score that have no evidence yet but weigh all the same, each as (what is
    missing, what stands in for it): their share of the score is the ranking's baseline for
    that part, not something the scene earned."""
    found = []
    if not parts.n_votes and parts.vote_share > 0:
        found.append(("fan votes", "the average vote"))
    if not parts.n_duels and parts.duel_share > 0:
        found.append(("duels", "an average duel record"))
    if parts.latest_views is None and parts.view_share > 0:
        found.append(("view count", "a baseline view count"))
    return found


def join_or(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def score_text(parts: ScoreParts, info: Any = None) -> str:
    """The ranking score and what it rests on: never worded as a vote average, and a part
    with no evidence is named as standing in (a scene without votes is not scored "from the
    view count")."""
    score = f"{score_figure(parts.score, SCORE_DIGITS)}/10"
    if not parts.has_signal:
        return f"{score}, from the averages alone (no votes, duels or view count yet)"
    votes, duels, views = _counted_parts(info)
    # What follows the figure depends on a few counts and flags only: worded once per
    # combination (a 10,000-scene article has a few hundred).
    return score + _score_words(
        parts.n_votes if votes else 0,
        parts.n_duels if duels else 0,
        views and parts.latest_views is not None,
        tuple(stand_ins(parts)),
    )


#: The last ranking asked about and whether its votes, duels and views count: an article
#: words the scores of one ranking (10,000 of them), so they are worked out once for it.
_LAST_COUNTED: tuple[object, tuple[bool, bool, bool]] = (object(), (True, True, True))


def _counted_parts(info: Any) -> tuple[bool, bool, bool]:
    global _LAST_COUNTED
    last, found = _LAST_COUNTED
    if last is not info:
        counted = _counted(info)
        found = (counted("votes"), counted("duels"), counted("views"))
        _LAST_COUNTED = (info, found)  # one assignment: a reader sees the old pair or the new
    return found


@lru_cache(maxsize=4096)
def _score_words(votes: int, duels: int, views: bool, missing: tuple[tuple[str, str], ...]) -> str:
    """score_text after the figure: the parts counted (votes, duels, whether the view count)
    and those standing in (stand_ins)."""
    made_of = []
    if votes:
        made_of.append(plural(votes, "fan vote"))
    if duels:
        made_of.append(plural(duels, "duel"))
    if views:
        made_of.append("the view count")
    if not made_of:
        text = ""
    elif len(made_of) == 1:
        text = f", from {made_of[0]}"
    else:
        text = f", combining {join_names(made_of)}"
    if missing:
        lacking = join_or([what for what, _ in missing])
        standing = join_names([instead for _, instead in missing])
        verb = "stands" if len(missing) == 1 else "stand"
        text += f"{';' if made_of else ','} with no {lacking} yet, {standing} {verb} in"
    return text


def evidence(parts: ScoreParts, wins: int, losses: int, latest: ViewCount | None, info: Any) -> str:
    """What a scene's score rests on, as a fan would say it: its votes, duels and views (each
    part the ranking counts), then which baseline stands in for a part with no evidence yet."""
    if not parts.has_signal:
        return (
            "Nobody has voted on it, put it in a duel or counted its views yet: until then, "
            "the averages stand in."
        )
    counted = _counted(info)
    said = []
    if counted("votes"):
        if parts.n_votes > 1 and parts.vote_mean is not None:
            said.append(
                f"fans gave it {score_figure(parts.vote_mean)}/10 on average over "
                f"{parts.n_votes:,} votes"
            )
        elif parts.n_votes == 1 and parts.vote_mean is not None:
            said.append(f"a single fan vote gave it {score_figure(parts.vote_mean, 0)}/10")
        else:
            said.append("no fan has voted on it yet")
    duels = wins + losses
    if counted("duels"):
        if duels == 1:
            said.append(f"it {'won' if wins else 'lost'} its only duel")
        elif duels == 2 and wins in (0, 2):
            said.append(f"it {'won' if wins else 'lost'} both its duels")
        elif duels and wins in (0, duels):
            said.append(f"it {'won' if wins else 'lost'} all {duels:,} of its duels")
        elif duels:
            said.append(f"it won {wins:,} of its {duels:,} duels")
        else:
            said.append("it has not been in a duel yet")
    if counted("views"):
        if latest is not None:
            # A source is a free label ("tvN official upload", a channel's name): it reads
            # as a note in brackets, whatever its grammar.
            where = [latest.source] if latest.source else []
            if latest.on:
                where.append(f"as of {latest.on}")
            seen = f"it has been seen {latest.count:,} times"
            said.append(seen + (f" ({', '.join(where)})" if where else ""))
        else:
            said.append("nobody has counted its views yet")
    text = join_names(said)
    text = text[:1].upper() + text[1:] + "."
    missing = stand_ins(parts)
    if missing:
        until = join_names([_UNTIL[what] for what, _ in missing])
        standing = join_names([instead for _, instead in missing])
        verb = "stands" if len(missing) == 1 else "stand"
        text += f" Until it has {until}, {standing} {verb} in."
    return text


_UNTIL = {"fan votes": "votes", "duels": "duels", "view count": "a view count"}


def year_words(text: str) -> str:
    low, high = browse.parse_year_range(text)
    if low == high:
        return f"from {low}"
    if low == 0:
        return f"up to {high}"
    if high == 9999:
        return f"since {low}"
    return f"from {low} to {high}"


def scope_words(conn: sqlite3.Connection, scope: Scope) -> ScopeWords:
    actors = [actor_store.get_actor(conn, names.resolve_actor(conn, a)).name for a in scope.actors]
    drama = (
        drama_store.get_drama(conn, names.resolve_drama(conn, scope.drama)).title
        if scope.drama
        else None
    )
    adjectives = [join_names(actors)] if actors else []
    if scope.network:
        adjectives.append(scope.network.strip())
    who = " ".join(adjectives)
    if not adjectives and not drama:
        adjectives.append("K-drama")
    kind = kind_label(scope.kind.strip().lower()) if scope.kind else ""
    if kind:
        adjectives.append(kind)
    suffix = ""
    if drama:
        suffix += f" in {drama}"
        if scope.episode is not None:
            suffix += f" episode {scope.episode}"
    elif scope.episode is not None:
        suffix += f" in episode {scope.episode}"
    if scope.year:
        suffix += " " + year_words(scope.year)
    if scope.tag:
        suffix += f" tagged {scope.tag.strip().lower()}"
    for name, value in scope.fields:
        if value.strip():
            suffix += f" ({name}: {value.strip()})"
    stem = " ".join(adjectives)
    # With a drama and nothing else the stem is empty: "scenes in Healer", one space.
    singular, many = f"{stem} scene{suffix}".strip(), f"{stem} scenes{suffix}".strip()
    return ScopeWords(actors, drama, singular, many, who=who, kind=kind, suffix=suffix)


def methodology(params: RankParams, method: str) -> str:
    p = params
    if method == "votes":
        how = (
            "scores out of 10 are fan votes alone: a Bayesian average that gives a scene with "
            f"few votes about {p.m:g} votes' worth of the average"
        )
    elif method == "duels":
        how = "scores out of 10 come from head-to-head picks alone (a Bradley-Terry fit)"
    elif method == "views":
        how = f"scores out of 10 are views alone, on a log scale where {p.view_ref:,} score 10"
    else:
        how = (
            f"each scene's score out of 10 blends fan votes ({p.w_votes:.0%}, a Bayesian "
            f"average that gives a scene with few votes about {p.m:g} votes' worth of the "
            f"average), head-to-head picks ({p.w_duels:.0%}) and views ({p.w_views:.0%}, on a "
            f"log scale where {p.view_ref:,} views score 10); a scene without votes, duels or "
            "a view count is scored as an average one on that part"
        )
    return f"How we ranked: {how}. View counts are as seen on the dates given."


SIGNALS = "fan votes, head-to-head picks and view counts"


def listicle_intro(singular: str, many: str, shown: int, total: int, *, asked: bool = True) -> str:
    """The opening of a ranked list of `shown` of `total` scenes (1 and 2 said in words).

    `asked`: the headline is the generated one, so the opening may ask its question; under a
    headline of the user's own (--title) it says what was done instead."""
    question = f"Which {singular} is the best? " if asked else ""
    if total == 1:
        return f"Our catalogue has one {singular} so far. Here it is, with its {SIGNALS}."
    if shown >= total:
        ranked = "both" if total == 2 else f"all {total:,}"
        order = "the better one first" if total == 2 else "best first"
        return (
            f"{question}We ranked {ranked} {many} in our catalogue "
            f"by {SIGNALS}. Here they are, {order}."
        )
    top = "the best one" if shown == 1 else f"the top {shown:,}"
    return (
        f"{question}We ranked {total:,} {many} by {SIGNALS}. "
        f"Here {'is' if shown == 1 else 'are'} {top}."
    )


def listicle_description(singular: str, many: str, shown: int, total: int) -> str:
    if total == 1:
        return f"The one {singular} in our catalogue, with its {SIGNALS}."
    if shown >= total:
        return f"All {total:,} {many} in our catalogue, ranked by {SIGNALS}."
    top = "best" if shown == 1 else f"top {shown:,}"
    return f"The {top} of {total:,} {many}, ranked by {SIGNALS}."


# The drama-by-drama article


def drama_question(words: ScopeWords) -> str:
    """The question the filters ask: "Which Ji Chang Wook drama has the best kiss scene?"."""
    if words.drama:  # one drama only: which of its scenes
        return f"Which {words.singular} is the best?"
    noun = f"{words.who} drama" if words.who else "K-drama"
    kind = f"{words.kind} " if words.kind else ""
    return f"Which {noun} has the best {kind}scene{words.suffix}?"


def _scene_named(title: str | None, episode: int | None) -> str:
    """'"The kiss in the snow" (episode 9)'; 'the one in episode 9' when its title is hidden."""
    if title is None:
        return f"the one in episode {episode}" if episode is not None else "one we keep hidden"
    return f'"{title}"' + (f" (episode {episode})" if episode is not None else "")


def per_drama_intro(
    words: ScopeWords,
    *,
    winner: str,
    title: str | None,
    episode: int | None,
    shown: int,
    groups: int,
    total: int,
    runners_up: bool,
    asked: bool,
) -> str:
    """The opening of the drama-by-drama article: the answer first (the winning drama and,
    unless hidden, its scene), then how it was found and what follows. `asked` as in
    listicle_intro: under a headline of the user's own the answer is a statement."""
    scene = _scene_named(title, episode)
    if words.drama:  # one drama asked for: the answer is a scene of it
        opening = f"Short answer: {scene}." if asked else f"The best {words.singular} is {scene}."
    elif asked:
        opening = f"Short answer: {winner}" + (f", with {scene}." if title else ".")
    else:
        opening = f"{winner} has the best {words.singular}" + (f": {scene}." if title else ".")
    if total == 1:
        return f"{opening} It is the only {words.singular} in our catalogue so far."
    ranked = "both" if total == 2 else f"all {total:,}"
    if groups == 1:
        where = "" if words.drama else f"; they all come from {winner}"
        return f"{opening} We ranked {ranked} {words.plural} in our catalogue by {SIGNALS}{where}."
    dramas = "both dramas" if groups == 2 else f"{groups:,} dramas"
    how = (
        f"We ranked {ranked} {words.plural} in our catalogue, from {dramas}, by {SIGNALS}, "
        "and placed each drama by its best scene."
    )
    if shown == 1:
        close = ": its best scene" + (" and the runners-up" if runners_up else "")
    else:
        close = ": each drama's best scene" + (
            ", and its runners-up where it has more than one" if runners_up else ""
        )
    if shown >= groups:
        order = "the better one first" if groups == 2 else "best first"
        here = f"Here are {'both' if groups == 2 else f'all {groups:,}'}, {order}{close}."
    elif shown == 1:
        here = f"Here is the top one{close}."
    else:
        here = f"Here are the top {shown:,}, best first{close}."
    return f"{opening} {how} {here}"


def per_drama_description(words: ScopeWords, winner: str, groups: int) -> str:
    if words.drama:
        return f"The best {words.singular}, by {SIGNALS}."
    if groups == 1:
        return f"{winner} has the best {words.singular} in our catalogue."
    return (
        f"{winner} has the best {words.singular}: {groups:,} dramas ranked by their best scene, "
        f"from {SIGNALS}."
    )


PER_DRAMA_NOTE = (
    "Each drama is placed by its best scene, so one great scene counts for more than many "
    "good ones; the runners-up are the next best scenes of the same drama."
)
