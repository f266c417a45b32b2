"""Ranking: `rank` (scenes, or dramas/actors/couples by their best scene) and `trending`."""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from scenecat.cli.common import (
    JsonFlag,
    Limit,
    Spoilers,
    catalogue,
    kind_hint,
    scope_options,
    show_hint,
)

if TYPE_CHECKING:
    from scenecat.domain.progress_guard import SpoilerGuard
    from scenecat.domain.ranking import RankedEntry, RankResult
    from scenecat.domain.scope import Scope
    from scenecat.domain.trends import TrendResult


DEFAULT_LIMIT = 20


def register(app: typer.Typer) -> None:
    app.command("rank")(rank)
    app.command("trending")(trending)


# The filters rank has always offered (its SQL, storage/rank_queries.py, reads them all).
@scope_options(without=("episode", "spoiler", "tag"))
def rank(
    ctx: typer.Context,
    scope: "Scope",
    couple: Annotated[
        tuple[str, str] | None,
        typer.Option(
            "--couple",
            help="Scenes with both of these two actors: --couple A B.",
            show_default=False,
        ),
    ] = None,
    by: Annotated[
        str,
        typer.Option("--by", help="scene, or drama|actor|couple: each ranked by its best scene."),
    ] = "scene",
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="combined (votes + duels + views: the catalogue's scores); what-if: votes, "
            "duels or views alone.",
        ),
    ] = "combined",
    limit: Limit = DEFAULT_LIMIT,
    min_votes: Annotated[
        float | None,
        typer.Option(
            "--min-votes",
            "-m",
            help="What-if: the prior weight m, votes of the catalogue's mean every scene is "
            "shrunk with (default 5).",
        ),
    ] = None,
    w_votes: Annotated[
        float | None, typer.Option("--w-votes", help="What-if: the weight of votes (0.6).")
    ] = None,
    w_duels: Annotated[
        float | None, typer.Option("--w-duels", help="What-if: the weight of duels (0.2).")
    ] = None,
    w_views: Annotated[
        float | None, typer.Option("--w-views", help="What-if: the weight of views (0.2).")
    ] = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="One column per part, and the parameters used.")
    ] = False,
    why_key: Annotated[
        str | None,
        typer.Option(
            "--why",
            metavar="SCENE",
            help="Explain one scene's score in this scope, sentence by sentence.",
        ),
    ] = None,
    spoilers: Spoilers = "hide",
    as_json: JsonFlag = False,
) -> None:
    """Rank scenes by votes, duels and views.

    Fan votes, head-to-head duels and view counts, combined. A scene past your progress
    (`scenecat progress`) that is a spoiler keeps its place but is masked ("a scene in
    episode 16"); --spoilers warn marks it instead, --spoilers show shows it.

    Example: scenecat rank --actor "Ji Chang Wook" --kind kiss --by drama
    """
    from scenecat.cli import output
    from scenecat.domain import ranking

    params = ranking.make_params(
        method, m=min_votes, w_votes=w_votes, w_duels=w_duels, w_views=w_views
    )
    pair = (couple[0], couple[1]) if couple else None
    if why_key is not None:
        from scenecat.domain import rank_why

        with catalogue(ctx) as cat:
            entry = rank_why.why_scene(cat.conn, scope, params, why_key, method=method, couple=pair)
        if as_json:
            output.emit_json(
                ranking.entry_json(entry) | {"why": rank_why.why(entry)},
                {
                    "params": ranking.params_json(entry.info.params),
                    "what_if": not entry.info.params.is_default,
                    "scope_size": entry.info.scope_size,
                },
            )
            return
        for line in rank_why.why(entry):
            output.prose(line)
        return
    from scenecat.domain import progress_guard
    from scenecat.domain.short_keys import short_keys

    shown = DEFAULT_LIMIT if limit is None else limit
    with catalogue(ctx) as cat:
        guard = progress_guard.load_guard(cat.conn, spoilers)
        result = ranking.rank_scenes(
            cat.conn, scope, params, by=by, method=method, limit=shown, couple=pair
        )
        no_kind = kind_hint(cat.conn, scope, bool(result.entries))
        # The keys a narrow screen shows instead (each still a key): on a terminal only.
        keys = [e.scene.key for e in result.entries]
        short = short_keys(cat.conn, keys) if output.on_terminal() and not as_json else {}
    if as_json:
        data, meta = ranking.rank_json(result)
        _guard_json(
            data, meta, [e.scene for e in result.entries], guard, _RANK_KEEP[by != "couple"]
        )
        output.emit_json(data, meta)
        return
    _render(result, scope_label(result), explain, guard, short)
    show_hint(no_kind)


# What a masked entry keeps in `--json`: its place and score, and where the scene is (a
# couple's names could give the scene away, so --by couple leaves the group out too).
_RANK_KEEP = {
    True: ("position", "group", "group_scenes", "scene_position", "drama", "episode", "score",
           "has_signal"),
    False: ("position", "group_scenes", "scene_position", "drama", "episode", "score",
            "has_signal"),
}  # fmt: skip


def _guard_json(
    data: list[dict[str, Any]],
    meta: dict[str, Any],
    scenes: list[Any],
    guard: "SpoilerGuard",
    keep: tuple[str, ...],
) -> None:
    """Masks (in place) the entries of hidden scenes, marks warned ones, counts them."""
    from scenecat.domain.progress_guard import mask_json

    hidden = 0
    for i, scene in enumerate(scenes):
        if guard.hides_scene(scene):
            data[i] = mask_json(data[i], keep)
            hidden += 1
        elif guard.warns_scene(scene):
            data[i]["past_progress"] = True
    if guard.active:
        meta["hidden"] = hidden


def scope_label(result: "RankResult") -> str:
    s = result.scope
    bits = []
    if result.couple:
        bits.append(f"{result.couple[0]} & {result.couple[1]}")
    bits.extend(s.actors)
    bits.extend(x for x in (s.drama, s.network, s.year) if x)
    bits.extend(value for _, value in s.fields if value.strip())
    return ", ".join(bits)


def _noun(result: "RankResult", count: int) -> str:
    kind = f"{result.scope.kind} " if result.scope.kind else ""
    return f"{count:,} {kind}scene" + ("" if count == 1 else "s")


def _votes_cell(entry: "RankedEntry") -> str:
    p = entry.parts
    return f"{p.vote_mean:.1f} ({p.n_votes})" if p.n_votes and p.vote_mean is not None else ""


def _part_cell(value: float, share: float, points: float) -> str:
    if share == 0:
        return ""
    return f"{points:.2f} = {value:.2f}×{share * 100:.0f}%"


def _render(
    result: "RankResult", label: str, explain: bool, guard: "SpoilerGuard", short: dict[str, str]
) -> None:
    from scenecat.cli import output
    from scenecat.domain.progress_guard import MASKED_CELL, hidden_line, warned_line
    from scenecat.text import compact

    by = result.by
    kind = f"{result.scope.kind} " if result.scope.kind else ""
    # Every column is made; on a terminal output.table() leaves out what does not fit,
    # the least important first (with --explain, the raw signals before their parts).
    if by == "scene":
        title = f"Best {kind}scenes" + (f": {label}" if label else "")
        head = ["#", "score", "scene", "drama", "ep"]
    else:
        title = f"Best {kind}scene per {by}" + (f": {label}" if label else "")
        head = ["#", by, "score", "best scene", "ep"]
    head += ["votes", "duels", "views"]
    if explain:
        head += ["votes part", "duels part", "views part"]
    head.append("key")
    rows = []
    masked = warned = 0
    for e in result.entries:
        p, s = e.parts, e.scene
        score: Any = output.with_bar(f"{p.score:.2f}", p.score, 10.0)
        row: list[Any] = [e.position]
        name: Any = s.title
        hidden = guard.hides_scene(s)
        if hidden:
            masked += 1
            name = _masked_cell(MASKED_CELL)
        elif guard.warns_scene(s):
            warned += 1
            name = "! " + s.title
        if by == "scene":
            row += [score, name, s.drama]
        else:
            group = "" if hidden and by == "couple" else (e.group or "")
            row += [group, score, name]
        row += [s.episode or "", _votes_cell(e)]
        row.append(f"{e.wins}-{e.losses}" if p.n_duels else "")
        row.append(compact(p.latest_views) if p.latest_views is not None else "")
        if explain:
            row += [
                _part_cell(p.quality, p.vote_share, p.vote_part),
                _part_cell(p.duel_strength, p.duel_share, p.duel_part),
                _part_cell(p.popularity, p.view_share, p.view_part),
            ]
        row.append("" if hidden else s.key)
        rows.append(row)
    # The key before the scene's title: the next command (vote, duel, show) needs it, and
    # on a narrow screen it is shortened (to a third of 60 columns at most) to make room.
    first = ["#", "score", "key", "scene"] if by == "scene" else ["#", by, "score", "key"]
    first.append("best scene")
    parts = ["votes part", "duels part", "views part"]
    signal_columns = ["drama", "ep", "votes", "views", "duels"]
    keep = first + (parts + signal_columns if explain else signal_columns)
    footer = _footer(result, explain, guard)
    notes = (hidden_line(masked, guard, True), warned_line(warned))
    output.table(
        title,
        head,
        rows,
        footer="\n".join([footer, *(n for n in notes if n)]),
        numeric=("#", "ep", "views"),
        keep=keep,
        short={"key": short},
    )


def _masked_cell(text: str) -> Any:
    """A masked scene's title: dim on a terminal, plain text when piped."""
    from scenecat.cli import output

    return output.text_cell(text, "dim italic") if output.on_terminal() else text


def _footer(result: "RankResult", explain: bool, guard: "SpoilerGuard") -> str:
    from scenecat.domain.progress_guard import masked_title

    lines = []
    if not result.entries:
        lines.append(f"No {result.scope.kind or ''} scenes in this scope.".replace("  ", " "))
    elif result.by != "scene":
        best = result.entries[0]
        if guard.hides_scene(best.scene):
            group = "a couple" if result.by == "couple" else best.group
            lines.append(
                f"Answer: {group}, with {masked_title(best.scene.episode)} past your "
                f"progress ({best.parts.score:.2f}/10)"
            )
        else:
            ep = f"episode {best.scene.episode}, " if best.scene.episode else ""
            lines.append(
                f'Answer: {best.group}, with "{best.scene.title}" '
                f"({ep}{best.parts.score:.2f}/10): {best.scene.key}"
            )
    noun = {"drama": "drama", "actor": "actor", "couple": "couple"}.get(result.by)
    shown = len(result.entries)
    total = result.groups if noun else result.scope_size
    count = f"{shown} of {total:,}" if shown < total else f"{total:,}"
    if noun:
        lines.append(
            f"{count} {noun}{'' if total == 1 else 's'}, from {_noun(result, result.scope_size)}."
        )
    else:
        lines.append(f"{count} {_noun(result, total).split(' ', 1)[1]}.")
    p = result.params
    if explain:
        lines.append(
            "Votes shrunk toward C, the mean of the catalogue's other votes (C = "
            f"{result.prior_mean:.2f} for a scene without votes), with m = {p.m:g}; weights votes {p.w_votes:g}, duels {p.w_duels:g}, views "
            f"{p.w_views:g}, for every scene; no duels counts as 5.00 (Bradley-Terry prior "
            f"{p.bt_prior:g}), no view count as {p.view_prior:,} views; {p.view_ref:,} views "
            "score 10. Each part is its value × its share."
        )
    else:
        lines.append("Scores 0-10; --explain shows the parts, --why KEY explains one scene.")
    if not p.is_default:
        lines.append(
            "What-if: these are not the catalogue's scores (--method/--min-votes/--w-* "
            "explore other weights); without them every command gives the same score."
        )
    return "\n".join(lines)


@scope_options(without=("network", "year", "episode", "spoiler", "tag"))
def trending(
    ctx: typer.Context,
    days: Annotated[int, typer.Option("--days", help="Window: the last DAYS days.")] = 30,
    *,
    scope: "Scope",
    limit: Limit = DEFAULT_LIMIT,
    today: Annotated[
        str | None,
        typer.Option(
            "--until",
            "--today",
            metavar="DATE",
            help="Last day of the window, YYYY-MM-DD (default today): what was trending then.",
        ),
    ] = None,
    spoilers: Spoilers = "hide",
    as_json: JsonFlag = False,
) -> None:
    """Scenes whose views grew fastest.

    Views gained per day between snapshots in the window. A scene past your progress that
    is a spoiler keeps its place, masked ("a scene in episode 16"); --spoilers show shows it.

    Example: scenecat trending --days 90
    """
    from scenecat.cli import output
    from scenecat.domain import trends

    day = trends.parse_today(today)
    shown = DEFAULT_LIMIT if limit is None else limit
    from scenecat.domain import progress_guard
    from scenecat.domain.short_keys import short_keys

    with catalogue(ctx) as cat:
        guard = progress_guard.load_guard(cat.conn, spoilers)
        result = trends.trending(cat.conn, days, day, scope=scope, limit=shown)
        # The keys a narrow screen shows instead (each still a key): on a terminal only.
        keys = [e.scene.key for e in result.entries]
        short = short_keys(cat.conn, keys) if output.on_terminal() and not as_json else {}
    if as_json:
        data, meta = trends.trending_json(result)
        keep = ("position", "drama", "episode", "per_day", "gained")
        _guard_json(data, meta, [e.scene for e in result.entries], guard, keep)
        output.emit_json(data, meta)
        return
    _render_trending(result, guard, short)


def _flat(count: int) -> str:
    return (
        f"{count:,} scene{'' if count == 1 else 's'} measured with flat or falling views "
        "(only rising scenes trend)"
    )


def _render_trending(result: "TrendResult", guard: "SpoilerGuard", short: dict[str, str]) -> None:
    from scenecat.cli import output
    from scenecat.domain.progress_guard import MASKED_CELL, hidden_line, warned_line
    from scenecat.text import compact, counted

    top = max((e.per_day for e in result.entries), default=0.0)
    rows = []
    masked = warned = 0
    for e in result.entries:
        first = min(t.first.on or "" for t in e.sources)
        last = max(t.last.on or "" for t in e.sources)
        rate = output.with_bar(f"{e.per_day:,.0f}", e.per_day, top)
        gained = ("+" if e.gained >= 0 else "-") + compact(abs(e.gained))
        row: list[Any] = [e.position, rate, gained, f"{first} → {last}"]
        title: Any = e.scene.title
        key = e.scene.key
        if guard.hides_scene(e.scene):
            masked += 1
            title, key = _masked_cell(MASKED_CELL), ""
        elif guard.warns_scene(e.scene):
            warned += 1
            title = "! " + title
        row += [title, e.scene.drama, e.scene.episode or "", key]
        rows.append(row)
    lines = []
    shown = len(result.entries)
    window = f"{result.since}..{result.until}"
    if not result.measured and not result.not_rising:
        lines.append(f"No scene has two view counts from one source in {window}.")
    elif not result.measured:
        lines.append(f"Nothing rose in {window}: {_flat(result.not_rising)}.")
    elif shown < result.measured:
        lines.append(f"{shown} of {result.measured:,} rising scenes.")
    else:
        lines.append(f"{counted(result.measured, 'rising scene')}.")
    if result.measured and result.not_rising:
        lines.append(f"Not listed: {_flat(result.not_rising)}.")
    if result.single_snapshot:
        lines.append(
            f"{counted(result.single_snapshot, 'scene')} with a single snapshot (per source) in the "
            "window left out: growth needs two counts on different days."
        )
    lines += [n for n in (hidden_line(masked, guard, True), warned_line(warned)) if n]
    if not rows:
        # Nothing to draw: a table's header over no rows says less than the sentence.
        for line in lines:
            output.message(line)
        return
    # On a terminal, output.table() leaves out what does not fit, `keep`'s last first.
    head = ["#", "views/day", "gained", "between", "scene", "drama", "ep", "key"]
    output.table(
        f"Trending: views gained per day, {result.since} to {result.until}",
        head,
        rows,
        footer="\n".join(lines),
        numeric=("#", "gained", "ep"),
        keep=("#", "views/day", "gained", "key", "scene", "drama", "ep", "between"),
        short={"key": short},
    )
