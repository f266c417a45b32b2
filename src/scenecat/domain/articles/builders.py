"""Article contexts: one builder per built-in template (listicle, best-per-drama, spotlight,
drama, actor).

A custom template gets every context its flags allow, and the drama-by-drama one when it uses
`dramas` (a copy of best-per-drama.md.j2); `build_context` picks them.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import repeat
from typing import TYPE_CHECKING, Any

from scenecat.domain import browse, moments, names
from scenecat.domain.articles.entries import (
    BUILTIN_TEMPLATES,
    DEFAULT_LIMITS,
    MAX_TAGS,
    RUNNERS_UP,
    SPOILER_MODES,
    ActorInfo,
    ArticleInfo,
    ArticleRequest,
    CastMember,
    DramaInfo,
    DramaSection,
    Entry,
    EpisodeLine,
    FilmCredit,
    ScopeWords,
    SourceLink,
    Spotlight,
)
from scenecat.domain.articles.spoilers import (
    SpoilerPolicy,
    apply_warnings,
    parse_watched,
    spoiler_note,
)
from scenecat.domain.articles.wording import (
    PER_DRAMA_NOTE,
    SCORE_DIGITS,
    drama_line,
    drama_question,
    evidence,
    join_names,
    kind_label,
    listicle_description,
    listicle_intro,
    methodology,
    ordinal,
    per_drama_description,
    per_drama_intro,
    plural,
    scope_words,
    score_figure,
    score_text,
    some,
    unique,
    views_text,
)
from scenecat.domain.scope import Scope
from scenecat.errors import InvalidInput, NotFound, UsageError
from scenecat.models import Credit, Scene, ViewCount, as_read
from scenecat.scene_fields import FIELDS
from scenecat.storage import dramas as drama_store
from scenecat.storage import scenes
from scenecat.text import format_clock, slugify

if TYPE_CHECKING:
    from scenecat.domain.ranking import RankedEntry, RankResult


class _Casts:
    """Characters per drama, looked up once per drama; `load` reads those of many dramas in a
    few queries (a long article would otherwise ask once per drama)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.cache: dict[int, dict[str, str | None]] = {}

    def load(self, scenes: Iterable[Scene]) -> None:
        wanted = {scene.drama_id for scene in scenes} - self.cache.keys()
        self.cache.update(drama_store.characters_by_drama(self.conn, sorted(wanted)))

    def who(self, scene: Scene) -> str:
        """ "Ji Chang Wook as Ma Dong Chan and Won Jin Ah as Go Mi Ran": the scene's actors
        with the characters they play in its drama."""
        characters = self._characters(scene.drama_id)
        return join_names([f"{a} as {c}" if (c := characters.get(a)) else a for a in scene.actors])

    def _characters(self, drama_id: int) -> dict[str, str | None]:
        if drama_id not in self.cache:
            self.cache.update(drama_store.characters_by_drama(self.conn, [drama_id]))
        return self.cache[drama_id]


def _source_links(scene: Scene) -> tuple[list[SourceLink], SourceLink | None]:
    """A scene's sources as links (a clip's link plays the scene's moment in it), and the
    one to watch it on (domain/moments.py: an official clip first; articles are read)."""
    links = [
        SourceLink(
            s.title or s.publisher or s.url,
            moments.deep_link(s.url, s.start),
            s.publisher,
            s.kind,
            moments.words(s.start, s.end),
        )
        for s in scene.sources
    ]
    index = moments.watch_index(
        [(s.url, s.kind, s.start is not None or s.end is not None) for s in scene.sources]
    )
    return links, None if index is None else links[index]


# The declared fields by name, as `show scene` writes them: map() calls the one definition
# (browse.shown_value) without a Python loop per field (120,000 calls in a long article).
_FIELD_NAMES = tuple(f.name for f in FIELDS)
_shown_value = browse.shown_value


def make_entry(
    scene: Scene,
    policy: SpoilerPolicy,
    casts: _Casts,
    *,
    position: int | None = None,
    ranked: RankedEntry | None = None,
    fields: bool = True,
) -> Entry:
    """The scene as an article shows it; `fields`: fill Entry.fields (a user's template may
    read them; no built-in one does, and they are a sixth of the time of an entry)."""
    reason = policy.hide_reason(scene)
    # The snapshot the score used, when ranked, so the article and the score agree.
    latest = as_read(
        ranked.latest if ranked is not None and ranked.latest else scene.latest_views,
        scene.sources,
    )
    score = score_words = None
    votes = 0
    if ranked is not None:
        parts = ranked.parts
        score, votes, score_words = parts.score, parts.n_votes, score_text(parts, ranked.info)
    views = views_on = views_source = views_words = None
    if latest:
        views, views_on, views_source = latest.count, latest.on, latest.source or None
        views_words = views_text(latest.count, latest.on, latest.source)
    if reason:
        where = f", episode {scene.episode}" if scene.episode is not None else ""
        # The kind of a hidden scene is a spoiler too ("a farewell scene in episode 16").
        return Entry(
            position=position,
            key=scene.key,
            drama=scene.drama,
            network=scene.network,
            year=scene.year,
            episode=scene.episode,
            kind="",
            kind_label="",
            spoiler=scene.spoiler,
            hidden=True,
            hidden_reason=reason,
            hidden_note=policy.note(scene, reason),
            heading=f"{scene.drama}{where} (details hidden)",
            drama_line=drama_line(scene),
            views=views,
            views_on=views_on,
            views_source=views_source,
            views_text=views_words,
            score=score,
            score_text=score_words,
            votes=votes,
        )
    # One constructor call with every field: a 10,000-scene article makes 10,000 entries.
    sources, clip = _source_links(scene)
    return Entry(
        position=position,
        key=scene.key,
        drama=scene.drama,
        network=scene.network,
        year=scene.year,
        episode=scene.episode,
        kind=scene.kind,
        kind_label=kind_label(scene.kind),
        spoiler=scene.spoiler,
        hidden=False,
        hidden_reason=None,
        hidden_note=None,
        heading=f"{scene.title} ({scene.drama})",
        drama_line=drama_line(scene),
        title=scene.title,
        who=casts.who(scene),
        actors=list(scene.actors),
        description=scene.description,
        at=format_clock(scene.at),
        location=scene.location,
        tags=list(scene.tags),
        fields=(
            dict(zip(_FIELD_NAMES, map(_shown_value, repeat(scene), FIELDS), strict=True))
            if fields
            else {}
        ),
        sources=sources,
        clip=clip,
        is_spoiler=policy.is_spoiler(scene),
        views=views,
        views_on=views_on,
        views_source=views_source,
        views_text=views_words,
        score=score,
        score_text=score_words,
        votes=votes,
    )


def _rank(
    conn: sqlite3.Connection,
    request: ArticleRequest,
    scope: Scope,
    limit: int | None,
    *,
    by: str = "scene",
) -> RankResult:
    """The ranking every article shows: its scores are the ranking's, never recomputed here."""
    from scenecat.domain import ranking
    from scenecat.scoring.params import RankParams

    return ranking.rank_scenes(
        conn,
        scope,
        request.params or RankParams(),
        by=by,
        method=request.method,
        limit=limit,
    )


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
    return unique(t for group in groups for t in group if t)[:MAX_TAGS]


def _article_info(job: _Job, *, title: str, **fields: Any) -> ArticleInfo:
    """The article's front matter and framing; the parts every template shares (slug, date,
    spoiler mode and note, template name, where the title goes) are filled in here once."""
    return ArticleInfo(
        title=title,
        slug=slugify(title) or "scenecat-article",
        date=job.date,
        spoilers=job.policy.mode,
        spoiler_note=spoiler_note(job.policy),
        template=job.request.template,
        title_in_body=not job.request.front_matter,
        **fields,
    )


@dataclass
class _Job:
    """What every builder works from, made once per article in `build_context`."""

    conn: sqlite3.Connection
    request: ArticleRequest
    policy: SpoilerPolicy
    casts: _Casts
    words: ScopeWords
    limit: int
    date: str
    kind: str

    def entry(self, scene: Scene, *, position: int | None, ranked: RankedEntry | None) -> Entry:
        # Entry.fields for a user's template only: the built-in ones never read them.
        return make_entry(
            scene,
            self.policy,
            self.casts,
            position=position,
            ranked=ranked,
            fields=self.kind == "custom",
        )


def build_context(
    conn: sqlite3.Connection, request: ArticleRequest, uses: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The context of the template `request` names. `uses`: the variables a user's template
    reads (render.template_variables), so that a copy of best-per-drama.md.j2 gets its
    `dramas` without every other custom template paying for them."""
    kind = _check_request(request)
    policy = SpoilerPolicy(request.spoilers, parse_watched(conn, request.watched))
    casts = _Casts(conn)
    words = scope_words(conn, request.scope)
    date = article_date(request.date)
    limit = request.limit or DEFAULT_LIMITS.get(kind, DEFAULT_LIMITS["listicle"])
    job = _Job(conn, request, policy, casts, words, limit, date, kind)
    context: dict[str, Any] = {}
    if kind == "spotlight" or (kind == "custom" and request.scene):
        context.update(_spotlight(job))
    if kind == "drama" or (kind == "custom" and request.scope.drama):
        context.update(_drama(job))
    if kind == "actor" or (kind == "custom" and len(request.scope.actors) == 1):
        context.update(_actor(job))
    if kind in ("listicle", "custom"):
        context.update(_listicle(job))
    # After the listicle: a custom template reading `dramas` gets this article's framing.
    if kind == "best-per-drama" or (kind == "custom" and "dramas" in uses):
        context.update(_best_per_drama(job))
    return context


def _listicle(job: _Job) -> dict[str, Any]:
    result = _rank(job.conn, job.request, job.request.scope, job.limit)
    if not result.entries:
        raise NotFound(
            f"no {job.words.plural} in the catalogue",
            hint="check the filters with `scenecat list scenes` (same flags)",
        )
    job.casts.load(r.scene for r in result.entries)
    entries = [job.entry(r.scene, position=r.position, ranked=r) for r in result.entries]
    apply_warnings(job.policy, entries)
    n = len(entries)
    title = job.request.title or (
        f"The best {job.words.singular}" if n == 1 else f"Top {n} {job.words.plural}"
    )
    total = result.scope_size
    asked = job.request.title is None
    intro = listicle_intro(job.words.singular, job.words.plural, n, total, asked=asked)
    info = _article_info(
        job,
        title=title,
        tags=_tags(
            ["K-drama"],
            job.words.actors,
            [
                kind_label(job.request.scope.kind.strip().lower())
                if job.request.scope.kind
                else None
            ],
            [job.words.drama, job.request.scope.network],
            (e.drama for e in entries),
        ),
        intro=intro,
        description=listicle_description(job.words.singular, job.words.plural, n, total),
        methodology=methodology(result.params, job.request.method),
        scope=job.words.plural,
        in_scope=total,
    )
    return {"article": info, "entries": entries}


def _spotlight(job: _Job) -> dict[str, Any]:
    scope = job.request.scope
    words = job.words
    if job.request.scene:
        scene_id = names.resolve_scene(job.conn, job.request.scene)
    else:
        best = _rank(job.conn, job.request, scope, 1)
        if not best.entries:
            raise NotFound(f"no {words.plural} in the catalogue to spotlight")
        scene_id = best.entries[0].scene.id
    scene = scenes.scenes_by_ids(job.conn, [scene_id])[0]
    # Its place among the scope asked for, or among all scenes of its kind.
    ranked = _place(job.conn, job.request, scope, scene.key) if _scope_given(scope) else None
    if ranked is None:
        # The kind of a hidden scene is a spoiler: place it among its drama's scenes instead.
        hidden = job.policy.hide_reason(scene) is not None
        scope = Scope(drama=scene.drama) if hidden else Scope(kind=scene.kind)
        words = scope_words(job.conn, scope)
        ranked = _place(job.conn, job.request, scope, scene.key)
    assert ranked is not None
    entry = job.entry(scene, position=ranked.position, ranked=ranked)

    parts = ranked.parts
    numbers: list[str] = []
    if entry.views_text:
        numbers.append(f"Views: {entry.views_text}{_growth(scene, ranked.latest)}")
    if parts.n_votes == 1 and parts.vote_mean is not None:
        numbers.append(f"Fan votes: a single vote, of {score_figure(parts.vote_mean, 0)}/10")
    elif parts.n_votes and parts.vote_mean is not None:
        numbers.append(
            f"Fan votes: {score_figure(parts.vote_mean)}/10 on average from {plural(parts.n_votes, 'vote')}"
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
        others = _rank(job.conn, job.request, Scope(actors=(lead,)), job.limit + 1)
    else:
        label = f"More from {scene.drama}"
        others = _rank(job.conn, job.request, Scope(drama=scene.drama), job.limit + 1)
    for r in others.entries:
        if r.scene.id != scene.id and len(related) < job.limit:
            related.append(job.entry(r.scene, position=None, ranked=r))
    apply_warnings(job.policy, [entry, *related])

    if entry.hidden:
        where = f"episode {scene.episode} of " if scene.episode is not None else ""
        title = job.request.title or f"A scene in {where}{scene.drama}"
        intro = f"A scene in {entry.drama_line}. {entry.hidden_note}"
    else:
        title = job.request.title or f"{scene.drama}: {scene.title}"
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
        job,
        title=title,
        tags=_tags(["K-drama"], entry.actors, [entry.kind_label, scene.drama, scene.network]),
        intro=intro,
        description=intro,
        methodology=methodology(ranked.info.params, job.request.method),
        scope=words.plural,
        in_scope=ranked.info.scope_size,
        question=question,
    )
    spotlight = Spotlight(entry, numbers, label, related)
    result: dict[str, Any] = {"spotlight": spotlight}
    if job.kind == "spotlight":
        result["article"] = info
    return result


def _place(
    conn: sqlite3.Connection, request: ArticleRequest, scope: Scope, key: str
) -> RankedEntry | None:
    """The scene's entry in the ranking of `scope`; None when it is not in the scope."""
    from scenecat.domain import rank_why
    from scenecat.scoring.params import RankParams

    params = request.params or RankParams()
    try:
        return rank_why.why_scene(conn, scope, params, key, method=request.method)
    except InvalidInput:
        return None


def _scope_given(scope: Scope) -> bool:
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
            any(value for _, value in scope.fields),
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


def _drama(job: _Job) -> dict[str, Any]:
    assert job.request.scope.drama is not None
    page = browse.show_drama(job.conn, job.request.scope.drama)
    d = page.drama
    seen = job.policy.watched.get(d.id)
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
    result = _rank(job.conn, job.request, Scope(drama=d.title), job.limit)
    ordered = sorted(
        result.entries, key=lambda r: (r.scene.episode or 0, r.scene.at or 0, r.scene.key)
    )
    entries = [job.entry(r.scene, position=r.position, ranked=r) for r in ordered]
    apply_warnings(job.policy, entries)
    about = " ".join(str(x) for x in (d.year, d.network) if x)
    leads = [c.actor for c in page.credits if c.role == "main"][:4]
    intro = f"{d.title} is a {about + ' ' if about else ''}drama"
    if d.episodes:
        intro += f" in {plural(d.episodes, 'episode')}"
    if leads:
        intro += f" starring {join_names(leads)}"
    intro += "."
    title = job.request.title or d.title
    article = _article_info(
        job,
        title=title,
        tags=_tags(["K-drama", d.title, d.network], leads),
        intro=intro,
        description=intro,
        methodology=methodology(result.params, job.request.method)
        + " Scenes are the best-scoring ones, told in episode order.",
        scope=f"scenes in {d.title}",
        in_scope=result.scope_size,
    )
    context: dict[str, Any] = {"drama": info, "drama_scenes": entries}
    if job.kind == "drama":
        context["article"] = article
    return context


def _actor(job: _Job) -> dict[str, Any]:
    page = browse.show_actor(job.conn, job.request.scope.actors[0])
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
    scope = Scope(actors=(a.name,), kind=job.request.scope.kind)
    result = _rank(job.conn, job.request, scope, job.limit)
    entries = [job.entry(r.scene, position=r.position, ranked=r) for r in result.entries]
    apply_warnings(job.policy, entries)
    intro = a.name
    if a.born:
        intro += f" (born {a.born})"
    intro += (
        f" has {some(len(films), 'drama')} and {some(page.scene_count, 'scene')} in our catalogue"
    )
    if a.aliases:
        intro += f"; fans also write {join_names(a.aliases)}"
    intro += "."
    title = job.request.title or a.name
    article = _article_info(
        job,
        title=title,
        tags=_tags(["K-drama", a.name], (f.drama for f in films)),
        intro=intro,
        description=intro,
        methodology=methodology(result.params, job.request.method),
        scope=f"{a.name} scenes",
        in_scope=result.scope_size,
    )
    context: dict[str, Any] = {"actor": info, "actor_scenes": entries}
    if job.kind == "actor":
        context["article"] = article
    return context


# The drama-by-drama article


#: How far down the scope's ranking runners-up are looked for: its first _PREFIX_FIRST scenes,
#: then four times as many, up to _PREFIX_MOST (a fraction of a second at 100,000 scenes;
#: reading a whole broad scope's ranking would take seconds).
_PREFIX_FIRST = 64
_PREFIX_MOST = 2048


def _runners_up(
    job: _Job, best: Sequence[RankedEntry], scope_size: int
) -> dict[int, list[RankedEntry]]:
    """Up to RUNNERS_UP next-best scenes of each drama of `best` (drama id -> entries, best
    first), from the scope's one ranking read from the top, so that their scores and order are
    the ones the dramas were placed by. In a very broad scope, a drama whose next scenes lie
    past the first _PREFIX_MOST is ranked on its own (the filters and that drama): the same
    scores once a scene's score no longer depends on the filters (issue 22, part 1); until
    then they may differ a little in such a scope."""
    wanted = {e.scene.drama_id: min(RUNNERS_UP, (e.group_size or 1) - 1) for e in best}
    placed = {e.scene.id for e in best}

    def collect(entries: Iterable[RankedEntry], found: dict[int, list[RankedEntry]]) -> None:
        for r in entries:
            drama = r.scene.drama_id
            if drama in found and r.scene.id not in placed and len(found[drama]) < wanted[drama]:
                found[drama].append(r)

    found: dict[int, list[RankedEntry]] = {drama: [] for drama in wanted}
    if not any(wanted.values()):
        return found
    want = min(scope_size, max(_PREFIX_FIRST, 4 * (len(wanted) + sum(wanted.values()))))
    while True:
        found = {drama: [] for drama in wanted}
        collect(_rank(job.conn, job.request, job.request.scope, want).entries, found)
        short = [drama for drama, n in wanted.items() if len(found[drama]) < n]
        if not short or want >= scope_size:
            return found
        if want >= _PREFIX_MOST:
            break
        want = min(scope_size, _PREFIX_MOST, want * 4)
    titles = {e.scene.drama_id: e.scene.drama for e in best}
    for drama in short:
        alone = replace(job.request.scope, drama=titles[drama])
        found[drama] = []
        collect(_rank(job.conn, job.request, alone, wanted[drama] + 1).entries, found)
    return found


def _best_per_drama(job: _Job) -> dict[str, Any]:
    request, words = job.request, job.words
    groups = _rank(job.conn, request, request.scope, job.limit, by="drama")
    if not groups.entries:
        raise NotFound(
            f"no {words.plural} in the catalogue",
            hint="check the filters with `scenecat list scenes` (same flags)",
        )
    runners = _runners_up(job, groups.entries, groups.scope_size)
    job.casts.load(g.scene for g in groups.entries)
    label = f"Best {words.kind} scene" if words.kind else "Best scene"
    sections: list[DramaSection] = []
    reading_order: list[Entry] = []
    for g in groups.entries:
        scene = g.scene
        best = job.entry(scene, position=g.position, ranked=g)
        others = [
            job.entry(r.scene, position=r.position, ranked=r) for r in runners[scene.drama_id]
        ]
        reading_order += [best, *others]
        facts = ", ".join(str(x) for x in (scene.network, scene.year) if x)
        parts = g.parts
        sections.append(
            DramaSection(
                position=g.position,
                drama=scene.drama,
                network=scene.network,
                year=scene.year,
                drama_line=scene.drama + (f" ({facts})" if facts else ""),
                best=best,
                best_label=label,
                score=f"{score_figure(parts.score, SCORE_DIGITS)}/10",
                evidence=evidence(
                    parts, g.wins, g.losses, as_read(g.latest, scene.sources), g.info
                ),
                runners_up=others,
                runners_up_label=f"Also in {scene.drama}",
                runners_up_warning=None,
                in_scope=g.group_size or 1,
                more=(g.group_size or 1) - 1 - len(others),
            )
        )
    apply_warnings(job.policy, reading_order)
    for section in sections:
        section.runners_up_warning = next(
            (r.warning for r in section.runners_up if r.warning), None
        )
    first = sections[0]
    intro = per_drama_intro(
        words,
        winner=first.drama,
        title=first.best.title,
        episode=first.best.episode,
        shown=len(sections),
        groups=groups.groups,
        total=groups.scope_size,
        runners_up=any(s.runners_up for s in sections),
        asked=request.title is None,
    )
    title = request.title or drama_question(words)
    info = _article_info(
        job,
        title=title,
        tags=_tags(
            ["K-drama"],
            words.actors,
            [words.kind or None, words.drama, request.scope.network],
            (s.drama for s in sections),
        ),
        intro=intro,
        description=per_drama_description(words, first.drama, groups.groups),
        methodology=methodology(groups.params, request.method) + " " + PER_DRAMA_NOTE,
        scope=words.plural,
        in_scope=groups.scope_size,
        question=drama_question(words),
    )
    return {"article": info, "dramas": sections}
