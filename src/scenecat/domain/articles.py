"""Markdown articles from the catalogue: context building, spoiler policy and rendering.

Templates are Jinja2 files (`scenecat/templates/*.md.j2`) that users can copy and change.
Jinja2 because it is already the templating language of the static-site world these
articles go to (and of Ansible, Salt, dbt...), so bloggers may know it, it reports errors
with template line numbers, and it has a sandbox: a template copied from a forum cannot
reach Python internals or the file system.

Safety rules:
- Catalogue text is data. Every `{{ value }}` is escaped for CommonMark on output (the
  environment's `finalize`), unless a filter marked it as markdown already (`md`, `url`,
  `link`, `raw`); Jinja's own HTML autoescape is off, since the output is not HTML.
- Spoilers are removed from the context, not merely flagged: a hidden scene reaches the
  template without its title, description, actors or sources, so no template can leak them.
- Output is deterministic: everything comes from the catalogue and the arguments, and the
  date appears only in the front matter.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment

from scenecat.domain import browse, names
from scenecat.domain.mdescape import Md, escape, escape_paragraphs, link, url
from scenecat.errors import InvalidInput, NotFound, UsageError
from scenecat.models import SPOILER_LEVELS, Credit, Scene, ViewCount
from scenecat.storage import dramas as drama_store
from scenecat.storage import people, scenes
from scenecat.text import format_clock, slugify

if TYPE_CHECKING:
    from scenecat.domain.ranking import RankedEntry, RankResult
    from scenecat.scoring import RankParams

BUILTIN_TEMPLATES = ("listicle", "spotlight", "drama", "actor")
SPOILER_MODES = ("hide", "warn", "show")
DEFAULT_LIMITS = {"listicle": 10, "spotlight": 3, "drama": 10, "actor": 5}
MAX_TAGS = 12


@dataclass
class ArticleRequest:
    """What `export markdown` was asked for (names as users type them)."""

    template: str = "listicle"  # a built-in name or a path to a template file
    scope: browse.Scope = field(default_factory=browse.Scope)
    scene: str | None = None  # spotlight: the scene (default: the best one in scope)
    spoilers: str = "warn"
    watched: Sequence[str] = ()  # "Drama:N", the reader has seen episodes 1..N
    title: str | None = None
    limit: int | None = None
    date: str | None = None  # YYYY-MM-DD, front matter only; default today
    front_matter: bool = True
    method: str = "combined"
    params: RankParams | None = None


@dataclass
class Article:
    text: str
    title: str
    slug: str
    template: str
    scenes: int  # scenes listed (hidden ones included)


# Context: what templates see. Plain text everywhere; escaping happens on output.


@dataclass
class SourceLink:
    title: str
    url: str
    publisher: str | None
    kind: str | None


@dataclass
class Entry:
    """One scene as an article shows it. When `hidden`, only the drama, episode and numbers
    are filled (the kind too is a spoiler): the rest never reaches the template."""

    position: int | None
    key: str
    drama: str
    network: str | None
    year: int | None
    episode: int | None
    kind: str
    kind_label: str
    spoiler: str
    hidden: bool
    hidden_reason: str | None  # "spoiler" or "watched"
    hidden_note: str | None
    heading: str
    drama_line: str  # "Melting Me Softly (tvN, 2019), episode 10"
    title: str | None = None
    who: str | None = None  # "Ji Chang Wook as Ma Dong Chan and Won Jin Ah as Go Mi Ran"
    actors: list[str] = field(default_factory=list)
    description: str | None = None
    at: str | None = None
    location: str | None = None
    tags: list[str] = field(default_factory=list)
    sources: list[SourceLink] = field(default_factory=list)
    is_spoiler: bool = False  # shown, and a spoiler for this reader (warn marks these)
    warning: str | None = None  # printed just before this entry (the first spoiler)
    views: int | None = None
    views_on: str | None = None
    views_source: str | None = None
    views_text: str | None = None  # "1,850,000 on tvN official upload (seen 2020-08-15)"
    score: float | None = None
    score_text: str | None = None  # "8.7/10 from 4 votes"
    votes: int = 0


@dataclass
class ArticleInfo:
    title: str
    slug: str
    date: str
    tags: list[str]
    intro: str
    methodology: str
    spoilers: str
    spoiler_note: str | None
    template: str
    scope: str  # "Ji Chang Wook kiss scenes"
    in_scope: int  # scenes in the scope before the limit
    question: str | None = None


@dataclass
class CastMember:
    actor: str
    character: str | None
    role: str
    line: str  # "Ji Chang Wook as Ma Dong Chan (main role)"


@dataclass
class EpisodeLine:
    number: int
    aired: str | None
    title: str | None  # None past the reader's episode
    rating: float | None
    line: str


@dataclass
class DramaInfo:
    title: str
    native: str | None
    network: str | None
    country: str | None
    year: int | None
    episodes: int | None
    synopsis: str | None
    aliases: list[str]
    cast: list[CastMember]
    episode_list: list[EpisodeLine]


@dataclass
class FilmCredit:
    drama: str
    year: int | None
    network: str | None
    character: str | None
    role: str
    line: str  # "2019: Melting Me Softly (tvN) as Ma Dong Chan, main role"


@dataclass
class ActorInfo:
    name: str
    native: str | None
    born: int | None
    aliases: list[str]
    filmography: list[FilmCredit]
    scene_count: int


@dataclass
class Spotlight:
    entry: Entry
    numbers: list[str]  # "Views: ...", "Fan votes: ...", as plain lines
    related_label: str | None  # "More from Ji Chang Wook"
    related: list[Entry]


_CONTEXT_TYPES = frozenset(
    {
        SourceLink,
        Entry,
        ArticleInfo,
        CastMember,
        EpisodeLine,
        DramaInfo,
        FilmCredit,
        ActorInfo,
        Spotlight,
    }
)


# Spoiler policy


@dataclass
class SpoilerPolicy:
    mode: str
    watched: dict[int, tuple[str, int]]  # drama id -> (title, last episode seen)

    def hide_reason(self, scene: Scene) -> str | None:
        seen = self.watched.get(scene.drama_id)
        if seen is not None:
            return "watched" if scene.episode is None or scene.episode > seen[1] else None
        if scene.spoiler != "none" and self.mode == "hide":
            return "spoiler"
        return None

    def is_spoiler(self, scene: Scene) -> bool:
        # Within what the reader has watched nothing is a spoiler any more.
        return scene.spoiler != "none" and scene.drama_id not in self.watched

    def note(self, scene: Scene, reason: str) -> str:
        if reason == "watched":
            title, seen = self.watched[scene.drama_id]
            where = f"episode {seen}" if seen else "the start"
            return f"Details hidden: this happens after {where} of {title}."
        return f"Details hidden to keep this spoiler-free ({scene.spoiler} spoiler)."


def parse_watched(conn: sqlite3.Connection, values: Iterable[str]) -> dict[int, tuple[str, int]]:
    watched: dict[int, tuple[str, int]] = {}
    for value in values:
        drama, sep, number = value.rpartition(":")
        if not sep or not drama.strip() or not number.strip().isdigit():
            raise UsageError(
                f"--watched {value!r} is not DRAMA:EPISODE",
                hint='e.g. --watched "Melting Me Softly:10" (0 = not started)',
            )
        drama_id = names.resolve_drama(conn, drama.strip())
        title = drama_store.get_drama(conn, drama_id).title
        if drama_id in watched:
            raise UsageError(f"--watched gives {title} twice")
        watched[drama_id] = (title, int(number))
    return watched


def _apply_warnings(entries: Sequence[Entry]) -> None:
    """`warn`: one warning, just before the first spoiler, saying how bad what follows is."""
    first = next((i for i, e in enumerate(entries) if e.is_spoiler), None)
    if first is None:
        return
    ahead = [e for e in entries[first:] if e.is_spoiler]
    entries[first].warning = spoiler_warning([(e.drama, e.spoiler) for e in ahead])


def spoiler_warning(spoilers: Sequence[tuple[str, str]]) -> str:
    """One sentence for (drama, level) pairs: a drama is named as a major spoiler only when
    one of its entries is major (or gives the ending away), else as a minor one."""
    worst: dict[str, int] = {}
    for drama, level in spoilers:
        worst[drama] = max(worst.get(drama, 0), SPOILER_LEVELS.index(level))
    ending = [d for d, w in worst.items() if w >= SPOILER_LEVELS.index("ending")]
    major = [d for d, w in worst.items() if w >= SPOILER_LEVELS.index("major")]
    minor = [d for d, w in worst.items() if w < SPOILER_LEVELS.index("major")]
    if not major:
        return f"Minor spoilers ahead for {_few(minor)}."
    text = f"Major spoilers ahead for {_few(major)}"
    if ending == major:
        text += ", the ending included" if len(ending) == 1 else ", endings included"
    elif ending:
        text += f", including the ending{'s' if len(ending) > 1 else ''} of {_few(ending)}"
    if minor:
        text += f"; minor ones for {_few(minor)}"
    return text + "."


def _few(names: Sequence[str]) -> str:
    """Up to four names, then how many more."""
    shown = list(names) if len(names) <= 4 else [*names[:3], f"{len(names) - 3} more dramas"]
    return join_names(shown)


# Text helpers


def join_names(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        if item and item not in seen:
            seen[item] = None
    return list(seen)


def kind_label(kind: str) -> str:
    return kind.replace("-", " ")


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def some(count: int, word: str, many: str | None = None) -> str:
    """plural() that says "no scenes" for 0."""
    return f"no {many or word + 's'}" if count == 0 else plural(count, word, many)


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def _drama_line(scene: Scene) -> str:
    facts = ", ".join(str(x) for x in (scene.network, scene.year) if x)
    line = scene.drama + (f" ({facts})" if facts else "")
    if scene.episode is not None:
        line += f", episode {scene.episode}"
    return line


def _views_text(count: int, on: str | None, source: str | None) -> str:
    text = f"{count:,}"
    if source:
        text += f" on {source}"
    if on:
        text += f" (seen {on})"
    return text


# Entries


class _Casts:
    """Characters per drama, looked up once per drama."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.cache: dict[int, dict[str, str | None]] = {}

    def character(self, drama_id: int, actor: str) -> str | None:
        if drama_id not in self.cache:
            self.cache[drama_id] = {
                c.actor: c.character for c in drama_store.credits(self.conn, drama_id=drama_id)
            }
        return self.cache[drama_id].get(actor)


def make_entry(
    scene: Scene,
    policy: SpoilerPolicy,
    casts: _Casts,
    *,
    position: int | None = None,
    ranked: RankedEntry | None = None,
) -> Entry:
    reason = policy.hide_reason(scene)
    # The snapshot the score used, when ranked, so the article and the score agree.
    latest = ranked.latest if ranked is not None and ranked.latest else scene.latest_views
    entry = Entry(
        position=position,
        key=scene.key,
        drama=scene.drama,
        network=scene.network,
        year=scene.year,
        episode=scene.episode,
        # The kind of a hidden scene is a spoiler too ("a farewell scene in episode 16").
        kind="" if reason else scene.kind,
        kind_label="" if reason else kind_label(scene.kind),
        spoiler=scene.spoiler,
        hidden=reason is not None,
        hidden_reason=reason,
        hidden_note=policy.note(scene, reason) if reason else None,
        heading="",
        drama_line=_drama_line(scene),
        views=latest.count if latest else None,
        views_on=latest.on if latest else None,
        views_source=(latest.source or None) if latest else None,
        views_text=_views_text(latest.count, latest.on, latest.source) if latest else None,
    )
    if ranked is not None:
        parts = ranked.parts
        entry.score = parts.score
        entry.votes = parts.n_votes
        entry.score_text = _score_text(parts, ranked.info)
    if reason:
        where = f", episode {scene.episode}" if scene.episode is not None else ""
        entry.heading = f"{scene.drama}{where} (details hidden)"
        return entry
    entry.heading = f"{scene.title} ({scene.drama})"
    entry.title = scene.title
    entry.actors = list(scene.actors)
    entry.who = join_names(
        [
            f"{a} as {character}" if (character := casts.character(scene.drama_id, a)) else a
            for a in scene.actors
        ]
    )
    entry.description = scene.description
    entry.at = format_clock(scene.start_s)
    entry.location = scene.location
    entry.tags = list(scene.tags)
    entry.sources = [
        SourceLink(s.title or s.publisher or s.url, s.url, s.publisher, s.kind)
        for s in scene.sources
    ]
    entry.is_spoiler = policy.is_spoiler(scene)
    return entry


def _score_text(parts: Any, info: Any = None) -> str:
    """The ranking score and what it was made from: never worded as a vote average."""
    score = f"{parts.score:.1f}/10"
    if not getattr(parts, "has_signal", True):
        return "none yet (no votes, duels or views)"
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


# Scope words


@dataclass
class _ScopeWords:
    actors: list[str]
    drama: str | None
    singular: str
    plural: str


def _year_words(text: str) -> str:
    low, high = browse.parse_year_range(text)
    if low == high:
        return f"from {low}"
    if low == 0:
        return f"up to {high}"
    if high == 9999:
        return f"since {low}"
    return f"from {low} to {high}"


def scope_words(conn: sqlite3.Connection, scope: browse.Scope) -> _ScopeWords:
    actors = [people.get_actor(conn, names.resolve_actor(conn, a)).name for a in scope.actors]
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
        suffix += " " + _year_words(scope.year)
    if scope.tag:
        suffix += f" tagged {scope.tag.strip().lower()}"
    stem = " ".join(adjectives)
    # With a drama and nothing else the stem is empty: "scenes in Healer", one space.
    singular, many = f"{stem} scene{suffix}".strip(), f"{stem} scenes{suffix}".strip()
    return _ScopeWords(actors, drama, singular, many)


# Ranking


def _rank(
    conn: sqlite3.Connection, request: ArticleRequest, scope: browse.Scope, limit: int | None
) -> RankResult:
    from scenecat.domain import ranking
    from scenecat.scoring import RankParams

    return ranking.rank_scenes(
        conn,
        scope,
        request.params or RankParams(),
        by="scene",
        method=request.method,
        limit=limit,
    )


def methodology(params: RankParams, method: str, unsignalled: int = 0) -> str:
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
            f"log scale where {p.view_ref:,} views score 10)"
        )
    text = f"How we ranked: {how}. View counts are as seen on the dates given."
    if unsignalled:
        verb = "ranks" if unsignalled == 1 else "rank"
        text += f" {plural(unsignalled, 'scene')} without votes, duels or views {verb} last."
    return text


# Context builders


def _check_request(request: ArticleRequest) -> str:
    if request.spoilers not in SPOILER_MODES:
        raise UsageError(
            f"--spoilers {request.spoilers!r} is not one of {', '.join(SPOILER_MODES)}"
        )
    browse.check_limit(request.limit)
    from scenecat.domain.ranking import METHODS

    if request.method not in METHODS:
        raise UsageError(f"--method {request.method!r} is not one of {', '.join(METHODS)}")
    kind = request.template if request.template in BUILTIN_TEMPLATES else "custom"
    if request.scene and kind not in ("spotlight", "custom"):
        raise UsageError("--scene is for the spotlight template", hint="add --template spotlight")
    if kind == "drama" and not request.scope.drama:
        raise UsageError("the drama template needs --drama TITLE")
    if kind == "actor" and len(request.scope.actors) != 1:
        raise UsageError("the actor template needs exactly one --actor NAME")
    return kind


def article_date(text: str | None) -> str:
    if text is None:
        return dt.date.today().isoformat()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            raise ValueError
        return dt.date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise UsageError(f"--date {text!r} is not a date (YYYY-MM-DD)") from None


def _tags(*groups: Iterable[str | None]) -> list[str]:
    return _unique(t for group in groups for t in group if t)[:MAX_TAGS]


def _article_info(
    request: ArticleRequest, policy: SpoilerPolicy, *, title: str, **fields: Any
) -> ArticleInfo:
    """The article's front matter and framing; the parts every template shares (slug,
    spoiler mode and note, template name) are filled in here once."""
    return ArticleInfo(
        title=title,
        slug=slugify(title) or "scenecat-article",
        spoilers=policy.mode,
        spoiler_note=_spoiler_note(policy),
        template=request.template,
        **fields,
    )


def _spoiler_note(policy: SpoilerPolicy) -> str | None:
    notes = []
    if policy.mode == "hide":
        notes.append("Spoiler-free: the details of spoiler scenes are left out.")
    if policy.watched:
        seen = join_names(
            [f"episode {n} of {title}" for title, n in sorted(policy.watched.values())]
        )
        notes.append(f"Safe for readers up to {seen}: anything later is left out.")
    return " ".join(notes) or None


def build_context(conn: sqlite3.Connection, request: ArticleRequest) -> dict[str, Any]:
    kind = _check_request(request)
    policy = SpoilerPolicy(request.spoilers, parse_watched(conn, request.watched))
    casts = _Casts(conn)
    words = scope_words(conn, request.scope)
    date = article_date(request.date)
    limit = request.limit or DEFAULT_LIMITS.get(kind, DEFAULT_LIMITS["listicle"])
    context: dict[str, Any] = {}
    if kind == "spotlight" or (kind == "custom" and request.scene):
        context.update(_spotlight(conn, request, policy, casts, words, limit, date, kind))
    if kind == "drama" or (kind == "custom" and request.scope.drama):
        context.update(_drama(conn, request, policy, casts, limit, date, kind))
    if kind == "actor" or (kind == "custom" and len(request.scope.actors) == 1):
        context.update(_actor(conn, request, policy, casts, limit, date, kind))
    if kind in ("listicle", "custom"):
        context.update(_listicle(conn, request, policy, casts, words, limit, date, kind))
    return context


def _listicle(
    conn: sqlite3.Connection,
    request: ArticleRequest,
    policy: SpoilerPolicy,
    casts: _Casts,
    words: _ScopeWords,
    limit: int,
    date: str,
    kind: str,
) -> dict[str, Any]:
    result = _rank(conn, request, request.scope, limit)
    if not result.entries:
        raise NotFound(
            f"no {words.plural} in the catalogue",
            hint="check the filters with `scenecat list scenes` (same flags)",
        )
    entries = [
        make_entry(r.scene, policy, casts, position=r.position, ranked=r) for r in result.entries
    ]
    if policy.mode == "warn":
        _apply_warnings(entries)
    n = len(entries)
    title = request.title or (f"The best {words.singular}" if n == 1 else f"Top {n} {words.plural}")
    total = result.scope_size
    intro = listicle_intro(words.singular, words.plural, n, total)
    info = _article_info(
        request,
        policy,
        title=title,
        date=date,
        tags=_tags(
            ["K-drama"],
            words.actors,
            [kind_label(request.scope.kind.strip().lower()) if request.scope.kind else None],
            [words.drama, request.scope.network],
            (e.drama for e in entries),
        ),
        intro=intro,
        methodology=methodology(result.params, request.method, result.unsignalled),
        scope=words.plural,
        in_scope=total,
    )
    return {"article": info, "entries": entries}


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


def _spotlight(
    conn: sqlite3.Connection,
    request: ArticleRequest,
    policy: SpoilerPolicy,
    casts: _Casts,
    words: _ScopeWords,
    limit: int,
    date: str,
    kind: str,
) -> dict[str, Any]:
    scope = request.scope
    if request.scene:
        scene_id = names.resolve_scene(conn, request.scene)
    else:
        best = _rank(conn, request, scope, 1)
        if not best.entries:
            raise NotFound(f"no {words.plural} in the catalogue to spotlight")
        scene_id = best.entries[0].scene.id
    scene = scenes.scenes_by_ids(conn, [scene_id])[0]
    # Its place among the scope asked for, or among all scenes of its kind.
    ranked = _place(conn, request, scope, scene.key) if _scope_given(scope) else None
    if ranked is None:
        # The kind of a hidden scene is a spoiler: place it among its drama's scenes instead.
        hidden = policy.hide_reason(scene) is not None
        scope = browse.Scope(drama=scene.drama) if hidden else browse.Scope(kind=scene.kind)
        words = scope_words(conn, scope)
        ranked = _place(conn, request, scope, scene.key)
    assert ranked is not None
    entry = make_entry(scene, policy, casts, position=ranked.position, ranked=ranked)

    parts = ranked.parts
    numbers: list[str] = []
    if entry.views_text:
        numbers.append(f"Views: {entry.views_text}{_growth(scene, ranked.latest)}")
    if parts.n_votes == 1 and parts.vote_mean is not None:
        numbers.append(f"Fan votes: a single vote, of {parts.vote_mean:.0f}/10")
    elif parts.n_votes and parts.vote_mean is not None:
        numbers.append(
            f"Fan votes: {parts.vote_mean:.1f}/10 on average from {plural(parts.n_votes, 'vote')}"
        )
    duels = ranked.wins + ranked.losses
    if duels == 1:
        numbers.append(f"Head-to-head: {'won' if ranked.wins else 'lost'} its only duel")
    elif duels:
        numbers.append(f"Head-to-head: won {ranked.wins} of {plural(duels, 'duel')}")
    numbers.append(f"Score: {entry.score_text}")
    size = ranked.info.scope_size
    if size == 1:
        numbers.append(f"Rank: the only {words.singular} in our catalogue")
    else:
        numbers.append(f"Rank: {ordinal(ranked.position)} of {size:,} {words.plural}")

    related: list[Entry] = []
    if scene.actors and not entry.hidden:
        lead = scene.actors[0]
        label = f"More from {lead}"
        others = _rank(conn, request, browse.Scope(actors=(lead,)), limit + 1)
    else:
        label = f"More from {scene.drama}"
        others = _rank(conn, request, browse.Scope(drama=scene.drama), limit + 1)
    for r in others.entries:
        if r.scene.id != scene.id and len(related) < limit:
            related.append(make_entry(r.scene, policy, casts, position=None, ranked=r))
    if policy.mode == "warn":
        _apply_warnings([entry, *related])

    if entry.hidden:
        where = f"episode {scene.episode} of " if scene.episode is not None else ""
        title = request.title or f"A scene in {where}{scene.drama}"
        intro = f"A scene in {entry.drama_line}. {entry.hidden_note}"
    else:
        title = request.title or f"{scene.drama}: {scene.title}"
        where = f"episode {scene.episode} of " if scene.episode is not None else ""
        facts = ", ".join(str(x) for x in (scene.network, scene.year) if x)
        intro = (
            f"{entry.who or 'A scene'} in {where}{scene.drama}"
            + (f" ({facts})" if facts else "")
            + f": a {entry.kind_label} scene fans keep coming back to."
        )
    # Hidden scenes name no actor and no kind anywhere, the closing question included.
    which = (
        f"{scene.actors[0]}'s best {entry.kind_label} scene"
        if entry.actors
        else f"the best {entry.kind_label + ' ' if entry.kind_label else ''}scene in {scene.drama}"
    )
    question = f"Is this {which}? Tell us your favourite in the comments."
    info = _article_info(
        request,
        policy,
        title=title,
        date=date,
        tags=_tags(["K-drama"], entry.actors, [entry.kind_label, scene.drama, scene.network]),
        intro=intro,
        methodology=methodology(ranked.info.params, request.method),
        scope=words.plural,
        in_scope=ranked.info.scope_size,
        question=question,
    )
    spotlight = Spotlight(entry, numbers, label, related)
    result: dict[str, Any] = {"spotlight": spotlight}
    if kind == "spotlight":
        result["article"] = info
    return result


def _place(
    conn: sqlite3.Connection, request: ArticleRequest, scope: browse.Scope, key: str
) -> RankedEntry | None:
    """The scene's entry in the ranking of `scope`; None when it is not in the scope."""
    from scenecat.domain import ranking
    from scenecat.scoring import RankParams

    params = request.params or RankParams()
    try:
        return ranking.why_scene(conn, scope, params, key, method=request.method)
    except InvalidInput:
        return None


def _scope_given(scope: browse.Scope) -> bool:
    return any(
        (
            scope.actors,
            scope.drama,
            scope.kind,
            scope.network,
            scope.year,
            scope.episode,
            scope.spoiler,
            scope.tag,
        )
    )


def _growth(scene: Scene, latest: ViewCount | None) -> str:
    """ ", up from 350,000 on 2019-10-29": the first count of the same source."""
    if latest is None or latest.on is None:
        return ""
    earlier = [v for v in scene.views if v.source == latest.source and v.on and v.on < latest.on]
    if not earlier:
        return ""
    first = min(earlier, key=lambda v: (v.on or "", v.count))
    if first.count >= latest.count:
        return ""
    return f", up from {first.count:,} on {first.on}"


def _credit_line(c: Credit) -> str:
    line = c.actor
    if c.character:
        line += f" as {c.character}"
    return line + f" ({c.role} role)"


def _drama(
    conn: sqlite3.Connection,
    request: ArticleRequest,
    policy: SpoilerPolicy,
    casts: _Casts,
    limit: int,
    date: str,
    kind: str,
) -> dict[str, Any]:
    assert request.scope.drama is not None
    page = browse.show_drama(conn, request.scope.drama)
    d = page.drama
    seen = policy.watched.get(d.id)
    episodes = []
    for e in page.episodes:
        shown_title = e.title if seen is None or e.number <= seen[1] else None
        parts = [f"Episode {e.number}"]
        if shown_title:
            parts[0] += f": {shown_title}"
        facts = []
        if e.aired:
            facts.append(f"aired {e.aired}")
        if e.rating is not None:
            facts.append(f"{e.rating:.1f}% nationwide rating")
        line = parts[0] + (f" ({', '.join(facts)})" if facts else "")
        episodes.append(EpisodeLine(e.number, e.aired, shown_title, e.rating, line))
    cast = [CastMember(c.actor, c.character, c.role, _credit_line(c)) for c in page.credits]
    info = DramaInfo(
        d.title,
        d.native,
        d.network,
        d.country,
        d.year,
        d.episodes,
        d.synopsis,
        list(d.aliases),
        cast,
        episodes,
    )
    # The best scenes of the drama, told in episode order.
    result = _rank(conn, request, browse.Scope(drama=d.title), limit)
    ordered = sorted(
        result.entries, key=lambda r: (r.scene.episode or 0, r.scene.start_s or 0, r.scene.key)
    )
    entries = [make_entry(r.scene, policy, casts, position=r.position, ranked=r) for r in ordered]
    if policy.mode == "warn":
        _apply_warnings(entries)
    about = " ".join(str(x) for x in (d.year, d.network) if x)
    leads = [c.actor for c in page.credits if c.role == "main"][:4]
    intro = f"{d.title} is a {about + ' ' if about else ''}drama"
    if d.episodes:
        intro += f" in {plural(d.episodes, 'episode')}"
    if leads:
        intro += f" starring {join_names(leads)}"
    intro += "."
    title = request.title or d.title
    article = _article_info(
        request,
        policy,
        title=title,
        date=date,
        tags=_tags(["K-drama", d.title, d.network], leads),
        intro=intro,
        methodology=methodology(result.params, request.method, result.unsignalled)
        + " Scenes are the best-scoring ones, told in episode order.",
        scope=f"scenes in {d.title}",
        in_scope=result.scope_size,
    )
    context: dict[str, Any] = {"drama": info, "drama_scenes": entries}
    if kind == "drama":
        context["article"] = article
    return context


def _actor(
    conn: sqlite3.Connection,
    request: ArticleRequest,
    policy: SpoilerPolicy,
    casts: _Casts,
    limit: int,
    date: str,
    kind: str,
) -> dict[str, Any]:
    page = browse.show_actor(conn, request.scope.actors[0])
    a = page.actor
    films = []
    for c in sorted(page.credits, key=lambda c: (c.year or 0, c.drama)):
        line = f"{c.year}: {c.drama}" if c.year else c.drama
        if c.network:
            line += f" ({c.network})"
        if c.character:
            line += f" as {c.character}"
        line += f", {c.role} role"
        films.append(FilmCredit(c.drama, c.year, c.network, c.character, c.role, line))
    info = ActorInfo(a.name, a.native, a.born, list(a.aliases), films, page.scene_count)
    scope = browse.Scope(actors=(a.name,), kind=request.scope.kind)
    result = _rank(conn, request, scope, limit)
    entries = [
        make_entry(r.scene, policy, casts, position=r.position, ranked=r) for r in result.entries
    ]
    if policy.mode == "warn":
        _apply_warnings(entries)
    intro = a.name
    if a.born:
        intro += f" (born {a.born})"
    intro += (
        f" has {some(len(films), 'drama')} and {some(page.scene_count, 'scene')} in our catalogue"
    )
    if a.aliases:
        intro += f"; fans also write {join_names(a.aliases)}"
    intro += "."
    title = request.title or a.name
    article = _article_info(
        request,
        policy,
        title=title,
        date=date,
        tags=_tags(["K-drama", a.name], (f.drama for f in films)),
        intro=intro,
        methodology=methodology(result.params, request.method, result.unsignalled),
        scope=f"{a.name} scenes",
        in_scope=result.scope_size,
    )
    context: dict[str, Any] = {"actor": info, "actor_scenes": entries}
    if kind == "actor":
        context["article"] = article
    return context


# Front matter


def _yaml_string(value: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar; U+2028/9 and NEL are escaped too
    # because YAML treats them as line breaks.
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("\u2028", "\\L").replace("\u2029", "\\P").replace("\x85", "\\N")


def front_matter(info: ArticleInfo) -> str:
    tags = ", ".join(_yaml_string(t) for t in info.tags)
    return (
        "---\n"
        f"title: {_yaml_string(info.title)}\n"
        f"date: {info.date}\n"
        f"tags: [{tags}]\n"
        f"slug: {_yaml_string(info.slug)}\n"
        "---\n\n"
    )


# Templates


def builtin_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "templates"


def _finalize(value: object) -> object:
    if isinstance(value, Md):
        return value
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return escape(value)


def _thousands(value: object) -> Md:
    if value is None:
        return Md("")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Md(f"{value:,}")
    return escape(value)


def _score(value: object, digits: int = 1) -> Md:
    if value is None:
        return Md("")
    if isinstance(value, (int, float)):
        return Md(f"{value:.{digits}f}")
    return escape(value)


def _plural(count: object, word: str, many: str | None = None) -> str:
    if not isinstance(count, int):
        raise TypeError(f"plural needs a whole number, got {count!r}")
    return plural(count, word, many)


def _raw(value: object) -> Md:
    return Md("" if value is None else str(value))


class _Loader(jinja2.BaseLoader):
    """Built-in templates by file name; a user template by its path; files next to a user
    template (for `{% include %}`) by name. Built-ins win, so a user's copy of
    `listicle.md.j2` can still `{% extends "listicle.md.j2" %}`."""

    def __init__(self, user_file: Path | None) -> None:
        self.user_file = user_file

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        if self.user_file is not None and template == str(self.user_file):
            return _read_template(self.user_file), template, lambda: True
        pieces = split_template_path(template)  # refuses `..`
        folders = [builtin_dir()] + ([self.user_file.parent] if self.user_file else [])
        for folder in folders:
            path = folder.joinpath(*pieces)
            if path.is_file():
                return _read_template(path), str(path), lambda: True
        raise jinja2.TemplateNotFound(template)


class _Sandbox(SandboxedEnvironment):
    """The sandbox, with a fast path for the context's own records: their public fields
    are plain data, so the per-access safety check (a third of the render time for a
    10,000-scene article) is skipped for them. Everything else is checked as usual."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) in _CONTEXT_TYPES and not attribute.startswith("_"):
            try:
                return getattr(obj, attribute)
            except AttributeError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


def _environment(user_file: Path | None) -> jinja2.Environment:
    env = _Sandbox(
        loader=_Loader(user_file),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(
        md=escape,
        md_paragraphs=escape_paragraphs,
        url=url,
        link=link,
        raw=_raw,
        thousands=_thousands,
        score=_score,
        plural=_plural,
        join_names=join_names,
    )
    return env


def _read_template(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"template {path} is not UTF-8 text") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read template {path}: {exc.strerror}") from None


def template_name(template: str) -> tuple[str, Path | None]:
    """(name to load, the user's file or None for a built-in)."""
    if template in BUILTIN_TEMPLATES:
        return f"{template}.md.j2", None
    path = Path(template).expanduser()
    if not path.is_file():
        raise InvalidInput(
            f"no template {template!r}: not a built-in ({', '.join(BUILTIN_TEMPLATES)}) "
            "and no file at that path",
            hint=f"copy a built-in one from {builtin_dir()} and pass its path",
        )
    return str(path), path


def load_template(template: str) -> jinja2.Template:
    name, user_file = template_name(template)
    env = _environment(user_file)
    try:
        return env.get_template(name)
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or exc.name or name
        raise InvalidInput(
            f"template {where}, line {exc.lineno}: {exc.message}",
            hint="Jinja2 syntax: https://jinja.palletsprojects.com/en/stable/templates/",
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise InvalidInput(f"template {name}: cannot find {exc.name!r}") from None


def _template_line(tb: TracebackType | None) -> tuple[str, int] | None:
    """The innermost template line of a traceback. Jinja rewrites the frames of compiled
    template code into frames that carry the template's file name and line, marked by
    `__jinja_exception__` in their globals."""
    found = None
    while tb is not None:
        frame = tb.tb_frame
        if "__jinja_exception__" in frame.f_globals:
            found = (frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def render(template: jinja2.Template, context: dict[str, Any]) -> str:
    try:
        text = template.render(context)
    except InvalidInput:
        raise
    except Exception as exc:
        where = _template_line(exc.__traceback__)
        if where is None and not isinstance(exc, jinja2.TemplateError):
            raise  # our bug, not the template's: let the CLI report it as such
        what = exc.message if isinstance(exc, jinja2.TemplateError) else str(exc)
        place = f"template {where[0]}, line {where[1]}" if where else f"template {template.name}"
        raise InvalidInput(
            f"{place}: {what or type(exc).__name__}",
            hint="the variables a template can use are listed at the top of each built-in one",
        ) from None
    return tidy(text)


_BLANK_RUNS = re.compile(r"\n{3,}")


def tidy(text: str) -> str:
    """Trailing spaces off every line, at most one blank line in a row, one final newline."""
    lines = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_RUNS.sub("\n\n", lines).strip("\n") + "\n"


# Entry point


@contextmanager
def _gc_paused() -> Iterator[None]:
    # A long article builds tens of thousands of small objects that all stay alive until the
    # end; the collector's passes over them find nothing and cost about an eighth of the time
    # (bench/bench_export.py). Same reason as the importers (docs/DESIGN.md §7, performance notes).
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def export_markdown(conn: sqlite3.Connection, request: ArticleRequest) -> Article:
    """Render an article; raises InvalidInput/NotFound with one clear line on bad input."""
    # The template first: a broken one fails before any catalogue work.
    template = load_template(request.template)
    with _gc_paused():
        context = build_context(conn, request)
        body = render(template, context)
    info: ArticleInfo = context["article"]
    text = (front_matter(info) if request.front_matter else "") + body
    count = len(context.get("entries") or context.get("drama_scenes") or [])
    if "spotlight" in context and request.template == "spotlight":
        count = 1 + len(context["spotlight"].related)
    elif request.template == "actor":
        count = len(context["actor_scenes"])
    return Article(text, info.title, info.slug, request.template, count)
