"""The sentences articles are made of: names, counts, scores, scopes and methods in words."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from scenecat.domain import browse, names
from scenecat.domain.articles.entries import ScopeWords
from scenecat.domain.scope import Scope
from scenecat.models import Scene
from scenecat.storage import actors as actor_store
from scenecat.storage import dramas as drama_store

if TYPE_CHECKING:
    from scenecat.scoring.params import RankParams


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


def score_figure(value: float, digits: int = 1) -> str:
    """A score as printed everywhere: "8.7"."""
    return f"{value:.{digits}f}"


def some(count: int, word: str, many: str | None = None) -> str:
    """plural() that says "no scenes" for 0."""
    return f"no {many or word + 's'}" if count == 0 else plural(count, word, many)


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def drama_line(scene: Scene) -> str:
    facts = ", ".join(str(x) for x in (scene.network, scene.year) if x)
    line = scene.drama + (f" ({facts})" if facts else "")
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


def score_text(parts: Any, info: Any = None) -> str:
    """The ranking score and what it was made from: never worded as a vote average."""
    score = f"{score_figure(parts.score)}/10"
    if not getattr(parts, "has_signal", True):
        return f"{score}, from the averages alone (no votes, duels or views yet)"
    method = getattr(info, "method", "combined")
    params = getattr(info, "params", None)

    def counted(part: str) -> bool:
        if method != "combined":
            return method == part
        return params is None or getattr(params, f"w_{part}") > 0

    made_of = []
    if counted("votes") and parts.n_votes:
        made_of.append(plural(parts.n_votes, "fan vote"))
    if counted("duels") and parts.n_duels:
        made_of.append(plural(parts.n_duels, "duel"))
    if counted("views") and parts.latest_views is not None:
        made_of.append("the view count")
    if not made_of:
        return score
    if len(made_of) == 1:
        return f"{score}, from {made_of[0]}"
    return f"{score}, combining {join_names(made_of)}"


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
    if not adjectives and not drama:
        adjectives.append("K-drama")
    if scope.kind:
        adjectives.append(kind_label(scope.kind.strip().lower()))
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
    return ScopeWords(actors, drama, singular, many)


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


def listicle_intro(singular: str, many: str, shown: int, total: int) -> str:
    """The opening of a ranked list of `shown` of `total` scenes (1 and 2 said in words)."""
    signals = "fan votes, head-to-head picks and view counts"
    if total == 1:
        return f"Our catalogue has one {singular} so far. Here it is, with its {signals}."
    if shown >= total:
        ranked = "both" if total == 2 else f"all {total:,}"
        order = "the better one first" if total == 2 else "best first"
        return (
            f"Which {singular} is the best? We ranked {ranked} {many} in our catalogue "
            f"by {signals}. Here they are, {order}."
        )
    top = "the best one" if shown == 1 else f"the top {shown:,}"
    return (
        f"Which {singular} is the best? We ranked {total:,} {many} by {signals}. "
        f"Here {'is' if shown == 1 else 'are'} {top}."
    )
