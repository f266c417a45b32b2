"""Browsing: `list actors|dramas|episodes|scenes` and `show actor|drama|scene`."""

from typing import TYPE_CHECKING, Annotated

import typer

from scenecat.cli.common import (
    JsonFlag,
    Limit,
    NetworkFilter,
    Spoilers,
    YearFilter,
    catalogue,
    complete_actor,
    complete_drama,
    complete_scene,
    kind_hint,
    scope_options,
    show_hint,
    sub_app,
)

if TYPE_CHECKING:
    from scenecat.domain.scope import Scope

list_app = sub_app(help="List actors, dramas, episodes or scenes.")
show_app = sub_app(help="Show one actor, drama or scene in full.")


def register(app: typer.Typer) -> None:
    app.add_typer(list_app, name="list")
    app.add_typer(show_app, name="show")
    app.command("open")(open_scene)


def open_scene(
    ctx: typer.Context,
    key: Annotated[
        str, typer.Argument(help="Scene key (or its exact title).", autocompletion=complete_scene)
    ],
    spoilers: Spoilers = "hide",
) -> None:
    """Watch a scene: its clip in the web browser.

    Opens the link `show scene` prints as `watch`: the scene's clip (an official clip
    first), playing from where the scene starts in it. The link is printed too; the BROWSER
    environment variable chooses the browser. A spoiler past your progress (`scenecat
    progress`) is not opened unless --spoilers show (or warn).

    Example: scenecat open melting-me-softly-e10-shower-kiss
    """
    import webbrowser

    from scenecat.cli.common import UserError
    from scenecat.cli.output import message, plain, visible, warn
    from scenecat.domain import progress_guard
    from scenecat.domain.browse import scene_watch

    with catalogue(ctx) as cat:
        guard = progress_guard.load_guard(cat.conn, spoilers)
        scene, watch = scene_watch(cat.conn, key)
    if guard.hides_scene(scene) or guard.warns_scene(scene):
        # Said without the scene's title: the title is the spoiler.
        past = (
            f"{progress_guard.masked_title(scene.episode)} of {scene.drama} is past your "
            f"progress (episode {guard.seen_in(scene.drama_id)})"
        )
        if guard.hides_scene(scene):
            raise UserError(f"{past}; not opened", hint="--spoilers show opens it all the same")
        warn(past)
    if watch is None:
        raise UserError(
            f"scene {scene.key} has no clip to watch",
            hint="link one with `scenecat edit scene KEY` (sources:), or add scenes with "
            "`scenecat add-scene --clip URL`",
        )
    plain(visible(watch.url))
    moment = f", {watch.moment} in the clip" if watch.moment else ""
    if not webbrowser.open(watch.url):
        raise UserError(
            "found no web browser to open it with",
            hint="open the link above yourself, or name a browser in BROWSER",
        )
    message(f"Opened {scene.title} ({watch.source.title or watch.source.url}{moment})")


@list_app.command("scenes")
@scope_options()
def list_scenes(
    ctx: typer.Context,
    scope: "Scope",
    limit: Limit = None,
    spoilers: Spoilers = "hide",
    as_json: JsonFlag = False,
) -> None:
    """List scenes, filtered.

    Scenes past your progress (`scenecat progress`) that are spoilers are left out, and
    counted under the list; --spoilers warn marks them, --spoilers show shows them.

    Example: scenecat list scenes --actor "Ji Chang Wook" --kind kiss
    """
    from scenecat.cli import output
    from scenecat.domain import progress_guard
    from scenecat.domain.browse import scene_json
    from scenecat.domain.short_keys import short_keys
    from scenecat.text import counted

    with catalogue(ctx) as cat:
        guard = progress_guard.load_guard(cat.conn, spoilers)
        found, more, hidden = progress_guard.list_scenes(cat.conn, scope, limit, guard)
        no_kind = kind_hint(cat.conn, scope, bool(found))
        # The keys a narrow screen shows instead (each still a key): on a terminal only.
        short = short_keys(cat.conn, [s.key for s in found]) if output.on_terminal() else {}
    if as_json:
        meta: dict[str, object] = {"count": len(found), "more": more}
        if guard.active:
            meta["hidden"] = hidden
        data = [scene_json(s) for s in found]
        for item, s in zip(data, found, strict=True):
            if guard.warns_scene(s):
                item["past_progress"] = True
        output.emit_json(data, meta)
        return
    rows = []
    warned = 0
    for s in found:
        latest = s.latest_views
        title = s.title
        if guard.warns_scene(s):
            warned += 1
            title = "! " + title
        rows.append(
            (
                s.key,
                s.drama,
                s.episode or "",
                s.kind,
                title,
                ", ".join(s.actors),
                s.spoiler,
                f"{latest.count:,}" if latest else "",
            )
        )
    footer = counted(len(found), "scene") + (" shown; more match (raise --limit)" if more else "")
    notes = (progress_guard.hidden_line(hidden, guard, False), progress_guard.warned_line(warned))
    footer = "\n".join([footer, *(n for n in notes if n)])
    output.table(
        "Scenes",
        ("key", "drama", "ep", "kind", "title", "actors", "spoiler", "views"),
        rows,
        footer=footer,
        numeric=("ep", "views"),
        keep=("key", "title", "drama", "ep", "kind", "actors", "views", "spoiler"),
        short={"key": short},
    )
    show_hint(no_kind)


@list_app.command("actors")
def list_actors(
    ctx: typer.Context,
    drama: Annotated[
        str | None,
        typer.Option("--drama", "-d", help="Cast of this drama.", autocompletion=complete_drama),
    ] = None,
    limit: Limit = None,
    as_json: JsonFlag = False,
) -> None:
    """List actors, with drama and scene counts.

    Example: scenecat list actors --drama "Healer"
    """
    from scenecat.cli import output
    from scenecat.domain.browse import actor_json
    from scenecat.domain.browse import list_actors as query
    from scenecat.text import counted

    with catalogue(ctx) as cat:
        found = query(cat.conn, drama, limit)
    if as_json:
        output.emit_json([actor_json(a, c, s) for a, c, s in found], {"count": len(found)})
        return
    rows = [(a.name, a.native or "", ", ".join(a.aliases), a.born or "", c, s) for a, c, s in found]
    output.table(
        "Actors",
        ("name", "native", "aliases", "born", "dramas", "scenes"),
        rows,
        footer=counted(len(found), "actor"),
        numeric=("born", "dramas", "scenes"),
        keep=("name", "scenes", "dramas", "native", "born", "aliases"),
    )


@list_app.command("dramas")
def list_dramas(
    ctx: typer.Context,
    actor: Annotated[
        str | None,
        typer.Option(
            "--actor", "-a", help="Dramas with this actor.", autocompletion=complete_actor
        ),
    ] = None,
    network: NetworkFilter = None,
    year: YearFilter = None,
    limit: Limit = None,
    as_json: JsonFlag = False,
) -> None:
    """List dramas by year.

    Example: scenecat list dramas --actor "Ji Chang Wook"
    """
    from scenecat.cli import output
    from scenecat.domain.browse import drama_json
    from scenecat.domain.browse import list_dramas as query
    from scenecat.text import counted

    with catalogue(ctx) as cat:
        found = query(cat.conn, actor, network, year, limit)
    if as_json:
        output.emit_json([drama_json(d, n) for d, n in found], {"count": len(found)})
        return
    rows = [
        (d.title, d.native or "", d.network or "", d.year or "", d.episodes or "", n)
        for d, n in found
    ]
    output.table(
        "Dramas",
        ("title", "native", "network", "year", "episodes", "scenes"),
        rows,
        footer=counted(len(found), "drama"),
        numeric=("year", "episodes", "scenes"),
        keep=("title", "year", "network", "scenes", "native", "episodes"),
    )


@list_app.command("episodes")
def list_episodes(
    ctx: typer.Context,
    drama: Annotated[
        str | None,
        typer.Option(
            "--drama", "-d", help="Episodes of this drama.", autocompletion=complete_drama
        ),
    ] = None,
    limit: Limit = None,
    as_json: JsonFlag = False,
) -> None:
    """List episodes: air dates and ratings.

    Example: scenecat list episodes --drama "Melting Me Softly"
    """
    from dataclasses import asdict

    from scenecat.cli import output
    from scenecat.domain.browse import list_episodes as query
    from scenecat.text import counted

    with catalogue(ctx) as cat:
        found = query(cat.conn, drama, limit)
    if as_json:
        output.emit_json([asdict(e) for e in found], {"count": len(found)})
        return
    rows = [
        (
            e.drama,
            e.number,
            e.aired or "",
            e.title or "",
            "" if e.rating is None else f"{e.rating:.1f}%",
        )
        for e in found
    ]
    output.table(
        "Episodes",
        ("drama", "episode", "aired", "title", "rating"),
        rows,
        footer=counted(len(found), "episode"),
        numeric=("episode", "rating"),
    )


@show_app.command("actor")
def show_actor(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(help="Actor name, alias or Hangul name.", autocompletion=complete_actor)
    ],
    as_json: JsonFlag = False,
) -> None:
    """Show an actor and their filmography.

    Example: scenecat show actor 지창욱
    """
    from dataclasses import asdict

    from scenecat.cli import output
    from scenecat.domain.browse import actor_json, actor_lines
    from scenecat.domain.browse import show_actor as query

    with catalogue(ctx) as cat:
        page = query(cat.conn, name)
    if as_json:
        data = actor_json(page.actor, scene_count=page.scene_count)
        data["credits"] = [asdict(c) for c in page.credits]
        data["ids"] = page.ids
        output.emit_json(data, _credits_meta("actor", page.ids))
        return
    a = page.actor
    output.record(
        a.name,
        [
            ("id", a.id),
            *actor_lines(a),
            ("scenes", page.scene_count),
            ("source ids", [f"{k} {v}" for k, v in page.ids.items()]),
        ],
        title_field="name",
    )
    rows = [
        (c.year or "", c.drama, c.network or "", c.character or "", c.role) for c in page.credits
    ]
    output.table(
        "Filmography",
        ("year", "drama", "network", "character", "role"),
        rows,
        numeric=("year",),
        keep=("year", "drama", "character", "role", "network"),
    )
    _credit_sources("actor", page.ids)


def _credits_meta(kind: str, ids: dict[str, str]) -> dict[str, object] | None:
    from scenecat.sources.attribution import for_record

    credits = [a.as_json(url) for a, url in for_record(kind, ids)]
    return {"attribution": credits} if credits else None


def _credit_sources(kind: str, ids: dict[str, str]) -> None:
    """The sources of a record's facts, credited as their terms ask (TMDB's notice)."""
    from scenecat.cli import output
    from scenecat.sources.attribution import for_record

    for attribution, url in for_record(kind, ids):
        output.message(attribution.line(url))


@show_app.command("drama")
def show_drama(
    ctx: typer.Context,
    title: Annotated[
        str,
        typer.Argument(help="Drama title, alias or native title.", autocompletion=complete_drama),
    ],
    spoilers: Spoilers = "hide",
    as_json: JsonFlag = False,
) -> None:
    """Show a drama: cast, episodes and scenes.

    Scenes past your progress (`scenecat progress`) that are spoilers are masked in the
    list ("a scene in episode 16"); --spoilers warn marks them, --spoilers show shows them.

    Example: scenecat show drama "Melting Me Softly"
    """
    from dataclasses import asdict

    from scenecat.cli import output
    from scenecat.domain import progress_guard
    from scenecat.domain.browse import drama_json, drama_lines, scene_json
    from scenecat.domain.browse import show_drama as query
    from scenecat.domain.short_keys import short_keys

    with catalogue(ctx) as cat:
        guard = progress_guard.load_guard(cat.conn, spoilers)
        page = query(cat.conn, title)
        keys = [s.key for s in page.scenes]
        short = short_keys(cat.conn, keys) if output.on_terminal() and not as_json else {}
    hidden = [guard.hides_scene(s) for s in page.scenes]
    if as_json:
        data = drama_json(page.drama)
        data["cast"] = [asdict(c) for c in page.credits]
        data["episode_list"] = [asdict(e) for e in page.episodes]
        data["scene_list"] = [
            progress_guard.mask_json(scene_json(s), _SCENE_KEEP)
            if masked
            else scene_json(s) | ({"past_progress": True} if guard.warns_scene(s) else {})
            for s, masked in zip(page.scenes, hidden, strict=True)
        ]
        data["ids"] = page.ids
        output.emit_json(
            data,
            {
                **(_credits_meta("drama", page.ids) or {}),
                **({"hidden": sum(hidden)} if guard.active else {}),
            }
            or None,
        )
        return
    d = page.drama
    output.record(
        d.title,
        [
            ("id", d.id),
            *drama_lines(d),
            ("source ids", [f"{k} {v}" for k, v in page.ids.items()]),
        ],
        title_field="title",
    )
    output.table(
        "Cast",
        ("actor", "character", "role"),
        [(c.actor, c.character or "", c.role) for c in page.credits],
    )
    if page.episodes:
        top = max((e.rating or 0) for e in page.episodes)
        output.table(
            "Episodes",
            ("episode", "aired", "title", "rating"),
            [
                (
                    e.number,
                    e.aired or "",
                    e.title or "",
                    # The bar beside its figure, under the figure's header.
                    "" if e.rating is None else output.with_bar(f"{e.rating:.1f}%", e.rating, top),
                )
                for e in page.episodes
            ],
            numeric=("episode",),
        )
    if page.scenes:
        rows = [
            (s.episode or "", "", "", _masked(progress_guard.MASKED_CELL), "hidden")
            if masked
            else (
                s.episode or "",
                s.key,
                s.kind,
                ("! " if guard.warns_scene(s) else "") + s.title,
                s.spoiler,
            )
            for s, masked in zip(page.scenes, hidden, strict=True)
        ]
        warned = sum(1 for s in page.scenes if guard.warns_scene(s))
        notes = (
            progress_guard.hidden_line(sum(hidden), guard, True),
            progress_guard.warned_line(warned),
        )
        output.table(
            "Scenes",
            ("ep", "key", "kind", "title", "spoiler"),
            rows,
            footer="\n".join(n for n in notes if n) or None,
            numeric=("ep",),
            keep=("ep", "key", "title", "kind", "spoiler"),
            short={"key": short},
        )
    _credit_sources("drama", page.ids)


# What a masked scene keeps in `--json`: where it is, nothing of what happens.
_SCENE_KEEP = ("id", "drama", "drama_id", "network", "year", "episode")


def _masked(text: str) -> object:
    from scenecat.cli import output

    return output.text_cell(text, "dim italic") if output.on_terminal() else text


@show_app.command("scene")
def show_scene(
    ctx: typer.Context,
    key: Annotated[
        str, typer.Argument(help="Scene key (or its exact title).", autocompletion=complete_scene)
    ],
    spoilers: Spoilers = "hide",
    as_json: JsonFlag = False,
) -> None:
    """Show a scene: views, votes and sources.

    A scene past your progress (`scenecat progress`) that is a spoiler shows only where it
    is; --spoilers show shows it all.

    Example: scenecat show scene melting-me-softly-e10-shower-kiss
    """
    from scenecat.cli import output
    from scenecat.domain import moments, progress_guard
    from scenecat.domain.browse import scene_json, scene_lines
    from scenecat.domain.browse import show_scene as query
    from scenecat.domain.ranking import score_json, scores_of
    from scenecat.models import as_read, source_as_read
    from scenecat.text import counted

    with catalogue(ctx) as cat:
        guard = progress_guard.load_guard(cat.conn, spoilers)
        page = query(cat.conn, key)
        parts = scores_of(cat.conn, [page.scene.id])[page.scene.id]
    s = page.scene
    if guard.hides_scene(s):
        seen = guard.seen_in(s.drama_id)
        if as_json:
            output.emit_json(progress_guard.mask_json(scene_json(s), ("key", *_SCENE_KEEP)))
            return
        title = progress_guard.masked_title(s.episode)
        output.record(
            title[0].upper() + title[1:],
            [
                ("key", s.key),
                ("drama", f"{s.drama} ({s.network or '?'}, {s.year or '?'})"),
                ("episode", s.episode),
                ("hidden", f"past your progress (episode {seen}); --spoilers show shows it"),
            ],
        )
        return
    watch = moments.watch(s.sources)
    if as_json:
        data = scene_json(s)
        data["votes"] = [{"voter": v, "score": sc, "on": on} for v, sc, on in page.votes]
        data["mean_vote"] = page.mean_vote
        data["duels"] = {"won": page.duels_won, "lost": page.duels_lost}
        data["score"] = score_json(parts)
        # The link `scenecat open` opens: the clip, from the scene's moment in it.
        data["watch"] = watch.url if watch else None
        output.emit_json(data)
        return
    latest = as_read(s.latest_views, s.sources)
    output.record(
        s.title,
        [
            ("key", s.key),
            ("drama", f"{s.drama} ({s.network or '?'}, {s.year or '?'})"),
            *scene_lines(s),
            (
                "watch",
                watch.url + (f" ({watch.moment} in the clip)" if watch.moment else "")
                if watch
                else None,
            ),
            (
                "score",
                f"{parts.score:.2f}/10 (votes {parts.quality:.2f}, duels "
                f"{parts.duel_strength:.2f}, views {parts.popularity:.2f}; "
                f"rank --why {s.key} explains it)",
            ),
            (
                "views",
                f"{latest.count:,} ({latest.source or 'unknown source'}, {latest.on or 'undated'})"
                if latest
                else None,
            ),
            (
                "votes",
                f"{page.mean_vote:.2f} from {counted(len(page.votes), 'voter')}"
                if page.votes
                else None,
            ),
            (
                "duels",
                f"won {page.duels_won}, lost {page.duels_lost}"
                if page.duels_won or page.duels_lost
                else None,
            ),
        ],
        title_field="title",
    )
    if s.views:
        output.table(
            "View counts",
            ("on", "source", "count"),
            [(v.on or "", source_as_read(v.source, s.sources), f"{v.count:,}") for v in s.views],
            numeric=("count",),
        )
    if s.sources:
        rows = [
            (x.title or "", x.publisher or "", x.url, moments.words(x.start, x.end) or "")
            for x in s.sources
        ]
        # The moment column only when a link holds one (most scenes have none).
        width = 4 if any(row[3] for row in rows) else 3
        output.links(
            "Sources",
            ("title", "publisher", "url", "moment")[:width],
            [row[:width] for row in rows],
        )
