"""Facts from the web: metadata sources, lookups, adding and refreshing dramas from them,
and clips (add-scene --clip, views refresh)."""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from scenecat.cli.common import (
    JsonFlag,
    UserError,
    YesFlag,
    catalogue,
    complete_drama,
    confirm,
    report_warnings,
    scope_options,
    sub_app,
)

if TYPE_CHECKING:
    from scenecat.domain.fetched_dramas import Report
    from scenecat.domain.scope import Scope
    from scenecat.sources.facts import Candidate, DramaFacts
    from scenecat.sources.matching import Scored
    from scenecat.sources.plugins import Source
    from scenecat.sources.videos import ClipInfo


lookup_app = sub_app(help="Find a drama in a metadata source.")
refresh_app = sub_app(help="Re-read a drama from its source.")

SourceName = Annotated[
    str | None,
    typer.Option(
        "--source",
        "-s",
        help="wikidata, tmdb or a plugin's (default: tmdb with a key, else wikidata).",
    ),
]


def register(app: typer.Typer) -> None:
    app.command("sources")(sources)
    app.add_typer(lookup_app, name="lookup")
    app.add_typer(refresh_app, name="refresh")


def sources(as_json: JsonFlag = False) -> None:
    """List the metadata sources and their terms.

    What each source provides and what it needs (an API key, an extra).

    Example: scenecat sources
    """
    from scenecat.cli import output
    from scenecat.sources.plugins import all_sources
    from scenecat.sources.tmdb import NOTICE

    found = all_sources()
    if as_json:
        data = [
            {"name": s.name, "provides": s.summary, "needs": s.setup, "terms": s.terms}
            for s in found.values()
        ]
        output.emit_json(data, {"notice": NOTICE})
        return
    rows = [(s.name, s.summary, s.setup or "nothing", s.terms) for s in found.values()]
    # Prose in every cell: one record after another, wrapped, shows all of it at any width.
    output.records(("source", "provides", "needs", "terms"), rows)
    output.prose(NOTICE)


def _default_source(name: str | None) -> "Source":
    import os

    from scenecat.sources.plugins import get_source

    if name:
        return get_source(name)
    has_key = os.environ.get("TMDB_API_KEY") or os.environ.get("TMDB_TOKEN")
    return get_source("tmdb" if has_key else "wikidata")


def _candidate_rows(ranked: "list[Scored]") -> list[tuple[object, ...]]:
    return [
        (
            i,
            f"{s.distance:.2f}",
            f"{s.candidate.source}:{s.candidate.id}",
            s.candidate.title,
            s.candidate.native or "",
            s.candidate.year or "",
            s.candidate.network or "",
            s.candidate.episodes or "",
            s.candidate.country or "",
        )
        for i, s in enumerate(ranked, start=1)
    ]


_CANDIDATE_COLUMNS = ("#", "distance", "id", "title", "native", "year", "network", "eps", "country")


def _candidate_table(ranked: "list[Scored]") -> None:
    """Candidates, leaving out the columns no candidate fills (TMDB's search gives no
    networks or episode counts): at 80 columns every one counts."""
    from scenecat.cli import output

    rows = _candidate_rows(ranked)
    kept = [i for i in range(len(_CANDIDATE_COLUMNS)) if i < 4 or any(r[i] != "" for r in rows)]
    output.table(
        None,
        [_CANDIDATE_COLUMNS[i] for i in kept],
        [[r[i] for i in kept] for r in rows],
        numeric=("distance",),
    )


FromFile = Annotated[
    Path | None,
    typer.Option(
        "--from-file", help="A saved response of the source's API instead of the network."
    ),
]
AllCast = Annotated[
    bool,
    typer.Option(
        "--all-cast",
        help="Every cast member the source lists, guest stars too (default: the regulars).",
    ),
]


@lookup_app.command("drama")
def lookup_drama(
    title: Annotated[str, typer.Argument(help="Title as you know it (English or Hangul).")],
    source: SourceName = None,
    year: Annotated[
        int | None, typer.Option("--year", help="First air year, to tell remakes apart.")
    ] = None,
    network: Annotated[str | None, typer.Option("--network", help="Broadcaster, e.g. tvN.")] = None,
    episodes: Annotated[int | None, typer.Option("--episodes", help="Number of episodes.")] = None,
    from_file: FromFile = None,
    as_json: JsonFlag = False,
) -> None:
    """Candidates for a title, closest first.

    Each has a match distance (0 = identical; a weighted mean over title, year, network
    and episodes, the title weighing most). With --network, --episodes or a title naming a season ("Hospital
    Playlist 2"), the closest candidates' details are fetched (TMDB's search gives no
    network, episode count or seasons). --from-file reads a saved search or series answer.

    Example: scenecat lookup drama "Melting Me Softly" --source wikidata
    """
    from scenecat.cli import output
    from scenecat.sources.matching import Wanted, rank, rank_with_details, strong

    wanted = Wanted(title, year, network, episodes)
    if from_file is not None:
        src, candidates = _saved_candidates(source, from_file)
        ranked = rank(wanted, candidates)
    else:
        src = _default_source(source)
        ranked = rank_with_details(wanted, src.search(title, year), getattr(src, "details", None))
    best = strong(ranked)
    if as_json:
        data = [
            {
                "source": s.candidate.source,
                "id": s.candidate.id,
                "title": s.candidate.title,
                "native": s.candidate.native,
                "year": s.candidate.year,
                "network": s.candidate.network,
                "episodes": s.candidate.episodes,
                "country": s.candidate.country,
                "distance": s.distance,
                "strong": s is best,
            }
            for s in ranked
        ]
        output.emit_json(data, {"source": src.name, "query": title})
        return
    if not ranked:
        output.message(f"{src.name} has no drama matching {title!r}")
        return
    _candidate_table(ranked)
    if best is not None:
        output.message(f"Strong match: {best.candidate.source}:{best.candidate.id}")
    else:
        output.message("No strong match: pick one with --from SOURCE:ID")


def _saved_candidates(name: str | None, path: Path) -> "tuple[Source, list[Candidate]]":
    """The candidates in a saved answer: a TMDB search or series, a Wikidata
    wbgetentities answer (the source is told by the file's shape unless --source says)."""
    from scenecat.errors import ScenecatError
    from scenecat.sources.checked import checked_candidates
    from scenecat.sources.plugins import get_source

    data = _read_json(path)
    src = get_source(name or _saved_source(data))
    read = getattr(src, "candidates_from_saved", None)
    if read is None:
        raise UserError(f"the {src.name} source cannot read saved lookups")
    try:
        return src, checked_candidates(read(data))
    except ScenecatError as exc:
        raise UserError(f"{path}: {exc.message}", exc.hint) from None


def _saved_source(data: Any) -> str:
    return "wikidata" if isinstance(data, dict) and "entities" in data else "tmdb"


def _parse_spec(spec: str) -> tuple[str, str | None]:
    name, _, ext_id = spec.partition(":")
    return name.strip().lower(), ext_id.strip() or None


def _read_json(path: Path) -> Any:
    """A saved answer, read as strictly as `import` reads a file (domain/saved_json.py)."""
    from scenecat.domain.saved_json import read_saved_json
    from scenecat.errors import InvalidInput

    try:
        return read_saved_json(path)
    except InvalidInput as exc:
        raise UserError(f"{path}: {exc.message}") from None


def _checked(facts: "DramaFacts", from_file: Path | None) -> "DramaFacts":
    """The drama held to the catalogue's rules; what was left out of it is said."""
    from scenecat.errors import InvalidInput
    from scenecat.sources.checked import checked_drama

    try:
        facts = checked_drama(facts)
    except InvalidInput as exc:
        where = f"{from_file}" if from_file is not None else f"{facts.source} {facts.id!r:.40}"
        raise UserError(f"{where}: {exc.message}; nothing was changed") from None
    report_warnings(facts.warnings)
    return facts


def _choose(src: "Source", title: str, year: int | None) -> str:
    """The id of the candidate for `title`: a strong match, or the user's choice."""
    from scenecat.sources.matching import Wanted, rank_with_details, strong

    wanted = Wanted(title, year)
    ranked = rank_with_details(wanted, src.search(title, year), getattr(src, "details", None))
    if not ranked:
        raise UserError(
            f"{src.name} has no drama matching {title!r}",
            hint="check the spelling, try the Hangul title, or another --from source",
        )
    best = strong(ranked)
    if best is not None:
        return best.candidate.id
    _candidate_table(ranked)
    if not sys.stdin.isatty():
        raise UserError(
            f"no strong match for {title!r} in {src.name}; nothing was changed",
            hint=f"choose one: scenecat add-drama {title!r} --from {src.name}:ID",
        )
    number = int(typer.prompt(f"Which one (1-{len(ranked)}, 0 to stop)", type=int, err=True))
    if not 1 <= number <= len(ranked):
        raise UserError("stopped; nothing was changed")
    return ranked[number - 1].candidate.id


def fetch_drama(
    spec: str | None, from_file: Path | None, title: str | None, year: int | None
) -> "DramaFacts":
    """The drama as the source has it: from a saved response, by id, or by title."""
    from scenecat.errors import ScenecatError
    from scenecat.sources.plugins import get_source

    name, ext_id = _parse_spec(spec) if spec else (None, None)
    if from_file is not None:
        data = _read_json(from_file)
        saved = get_source(name or _saved_source(data))
        if ext_id is None and title is not None:
            ext_id = _saved_choice(saved, data, title, year)
        # The id picks the drama inside the file (a TMDB season); plugins may not take one.
        try:
            facts = saved.drama_from_saved(data, ext_id) if ext_id else saved.drama_from_saved(data)
        except ScenecatError as exc:
            raise UserError(f"{from_file}: {exc.message}", exc.hint) from None
        return _checked(facts, from_file)
    src = _default_source(name)
    if ext_id is None:
        if title is None:
            raise UserError("give the source's id as --from SOURCE:ID")
        ext_id = _choose(src, title, year)
    return _checked(src.drama(ext_id), None)


def _saved_choice(src: "Source", data: Any, title: str, year: int | None) -> str | None:
    """The drama of a saved answer that holds several (a TMDB series' seasons) that `title`
    names, when one clearly is; None leaves the choice to the source."""
    from scenecat.errors import ScenecatError
    from scenecat.sources.matching import Wanted, rank, strong

    read = getattr(src, "candidates_from_saved", None)
    if read is None:
        return None
    try:
        candidates = read(data)
    except ScenecatError:
        return None  # drama_from_saved says what is wrong with the file
    if len(candidates) < 2:
        return None
    best = strong(rank(Wanted(title, year), candidates))
    return best.candidate.id if best else None


def add_birth_years(
    ctx: typer.Context, src: "Source", facts: "DramaFacts", all_cast: bool = False
) -> None:
    """Birth years of the cast members whose names match an actor with a known one, so that
    a namesake is told apart before linking (TMDB gives them per person, not per cast)."""
    from scenecat.domain.fetched_dramas import people_to_check

    with catalogue(ctx, create=True) as cat:
        wanted = people_to_check(cat.conn, facts, all_cast)
    for person in wanted:
        found = src.person(person.id)
        person.born = found.born
        person.native = person.native or found.native


def add_drama_from(
    ctx: typer.Context,
    title: str,
    spec: str | None,
    from_file: Path | None,
    year: int | None,
    all_cast: bool = False,
) -> None:
    """`add-drama TITLE --from SOURCE[:ID]` / `--from-file FILE` [--all-cast]."""
    from scenecat.domain.fetched_dramas import add_drama, label
    from scenecat.sources.matching import STRONG, Wanted, score

    facts = fetch_drama(spec, from_file, title, year)
    if from_file is None:
        from scenecat.sources.plugins import get_source

        add_birth_years(ctx, get_source(facts.source), facts, all_cast)
    if from_file is not None and score(Wanted(title), facts.candidate()).distance > STRONG:
        raise UserError(
            f"{from_file} is about {facts.title!r}, not {title!r}; nothing was changed",
            hint=f"scenecat add-drama {facts.title!r} --from-file {from_file}",
        )
    with (
        catalogue(ctx, create=True) as cat,
        cat.write(f"add-drama {facts.title} --from {facts.source}") as conn,
    ):
        report = add_drama(conn, facts, all_cast)
    where = f"{label(facts.source)} {facts.id}"
    _report(report, f"Added drama {report.title} (id {report.drama_id}) from {where}")


def _report(report: "Report", headline: str) -> None:
    from scenecat.cli.output import message
    from scenecat.text import counted

    if report.created:
        cast = (
            f"{counted(report.cast, 'cast member')} ({len(report.linked):,} already in the catalogue, "
            f"{len(report.added):,} new)"
        )
    else:  # linked: credited already, now with the source's id; added: new credits
        cast = f"{counted(report.cast, 'cast member')} added ({counted(len(report.added), 'new actor')})"
    message(f"{headline}: {cast}, {counted(report.episodes, 'episode')}")
    if report.linked:
        message("Linked: " + ", ".join(report.linked))
    if report.added:
        message("New actors: " + ", ".join(report.added))
    _left_out(report.left_out)
    report_warnings([f"kept apart: {line}" for line in report.apart])


def _left_out(count: int) -> None:
    from scenecat.cli.output import message
    from scenecat.text import counted

    if count:
        message(
            f"Left out {counted(count, 'guest')} the source lists (in fewer than a quarter of the "
            "episodes and not among the first ten billed); --all-cast adds them"
        )


@refresh_app.command("drama")
def refresh_drama(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="Drama title.", autocompletion=complete_drama)],
    source: Annotated[
        str | None,
        typer.Option(
            "--from", help="SOURCE or SOURCE:ID (default: the source id stored with the drama)."
        ),
    ] = None,
    from_file: FromFile = None,
    all_cast: AllCast = False,
    yes: YesFlag = False,
) -> None:
    """Re-read a drama from its source and apply it.

    Uses the drama's stored source id, shows what would change, and applies it when
    confirmed. Facts the source lacks are kept; nothing is removed.

    Example: scenecat refresh drama "Melting Me Softly" --from tmdb:93405
    """
    from scenecat.cli.output import message, plain
    from scenecat.domain import fetched_dramas as domain
    from scenecat.domain.names import resolve_drama
    from scenecat.text import counted

    with catalogue(ctx) as cat:
        drama_id = resolve_drama(cat.conn, title)
        stored = domain.stored_ids(cat.conn, "drama", drama_id)
    name, ext_id = _parse_spec(source) if source else (None, None)
    if from_file is None:
        if name is None:
            name = next((s for s in ("tmdb", "wikidata", *stored) if s in stored), None)
            if name is None:
                raise UserError(
                    f"{title!r} has no source id yet",
                    hint=f"give one: scenecat refresh drama {title!r} --from tmdb:ID",
                )
        # TMDB finds its own id from a Wikidata one the drama has (find/{external_id}).
        ext_id = ext_id or stored.get(name) or (stored.get("wikidata") if name == "tmdb" else None)
        if ext_id is None:
            raise UserError(
                f"{title!r} has no {name} id yet",
                hint=f"give one: scenecat refresh drama {title!r} --from {name}:ID",
            )
        spec: str | None = f"{name}:{ext_id}"
    else:
        spec = f"{name}:{ext_id}" if name and ext_id else name
    facts = fetch_drama(spec, from_file, None, None)
    if from_file is None:
        from scenecat.sources.plugins import get_source

        add_birth_years(ctx, get_source(facts.source), facts, all_cast)
    with catalogue(ctx) as cat:
        changes = domain.refresh_changes(cat.conn, drama_id, facts, all_cast)
    where = f"{domain.label(facts.source)} {facts.id}"
    if not changes:
        message(f"{title} is up to date with {where}")
        return
    plain(f"{title} <- {where}")
    for line in changes:
        plain(f"  {line}")
    _left_out(domain.choose_cast(facts, all_cast).left_out)
    confirm(f"Apply {counted(len(changes), 'change')} to {title}?", yes)
    with catalogue(ctx) as cat, cat.write(f"refresh drama {title}") as conn:
        report = domain.refresh_drama(conn, resolve_drama(conn, title), facts, all_cast)
    _report(report, f"Refreshed {report.title} from {where}")


# Clips


def read_clip(url: str | None, clip_json: Path | None) -> "ClipInfo":
    """The clip from its saved `yt-dlp -J` file or its link; the fields left out of it as
    unusable are said."""
    from scenecat.sources import videos

    if clip_json is not None:
        from scenecat.errors import ScenecatError

        try:
            clip = videos.from_ytdlp(_read_json(clip_json))
        except ScenecatError as exc:
            raise UserError(f"{clip_json}: {exc.message}", exc.hint) from None
    else:
        assert url is not None
        clip = videos.fetch(url)
    report_warnings(list(clip.warnings))
    return clip


def clip_scene_values(
    ctx: typer.Context, clip: "ClipInfo", drama: str | None, episode: int | None
) -> tuple[str | None, int | None, dict[str, object]]:
    """Drama and episode for a scene from a clip (flags win over the guess, which is shown
    and, on a terminal, confirmed), and the clip as the scene's source."""
    from scenecat.cli.output import message
    from scenecat.domain.clip_scenes import clip_scene

    with catalogue(ctx) as cat:
        found = clip_scene(cat.conn, clip, drama)
    guess = found.guess
    length = f", {clip.duration_s // 60}:{clip.duration_s % 60:02d}" if clip.duration_s else ""
    message(
        f"Clip: {clip.title} ({clip.channel or 'unknown channel'}, "
        f"uploaded {found.source.get('published') or '?'}{length}, {clip.views or 0:,} views)"
    )
    guessed_drama = guess.drama.title if guess.drama else None
    for line in guess.why:
        message(f"  {line}")
    if drama is None and guessed_drama is not None:
        shown = f"{guessed_drama}" + (f", episode {guess.episode}" if guess.episode else "")
        if sys.stdin.isatty() and not typer.confirm(f"Guess: {shown}. Right?", True, err=True):
            guessed_drama, guess.episode = None, None
        drama = guessed_drama
        if episode is None:
            episode = guess.episode
    return drama, episode, found.source


# A scene's moment in its clip (domain/moments.py)


def given_moment(
    url: str | None, clip_start: str | None, clip_end: str | None
) -> tuple[int | None, int | None]:
    """The moment the command line gives, before the clip is read: --clip-start and
    --clip-end, else the link's own `t=`/`end=`. A malformed time, or an end before the
    start, is a usage error."""
    from scenecat.domain import moments
    from scenecat.errors import InvalidInput
    from scenecat.sources.videos import url_moment
    from scenecat.text import parse_clip_time

    given: dict[str, int] = {}
    for flag, value in (("--clip-start", clip_start), ("--clip-end", clip_end)):
        if value is not None:
            try:
                given[flag] = parse_clip_time(value)
            except InvalidInput as exc:
                raise UserError(f"{flag}: {exc.message}", usage=True) from None
    link: tuple[int | None, int | None] = (None, None)
    if url is not None:
        try:
            link = url_moment(url)
        except InvalidInput as exc:
            raise UserError(f"--clip: {exc.message}", usage=True) from None
    start = given.get("--clip-start", link[0])
    end = given.get("--clip-end", link[1])
    try:
        moments.check(start, end)
    except InvalidInput as exc:
        # Blamed on --clip-end, else --clip-start, when given; else on the link (t=, end=).
        flag = next((f for f in ("--clip-end", "--clip-start") if f in given), "--clip")
        raise UserError(f"{flag}: {exc.message}", usage=True) from None
    return start, end


def clip_moment(
    clip: "ClipInfo", start: int | None, end: int | None
) -> tuple[int | None, int | None]:
    """The scene's moment in the clip just read: the one given (given_moment), each end
    the command line leaves open taken from yt-dlp's reading of the link (`start_time`,
    `end_time`); with neither, one the clip offers (its most replayed stretch, a chapter),
    asked on a terminal. It must lie inside the clip (exit 1 otherwise)."""
    from scenecat.domain import moments
    from scenecat.errors import InvalidInput
    from scenecat.text import format_clock

    given = (start, end)
    start = clip.start_time if start is None else start
    end = clip.end_time if end is None else end
    if start is None and end is None:
        return offered_moment(clip)
    try:
        moments.check(start, end, clip.duration_s)
    except InvalidInput as exc:
        read = [
            f"{name} {format_clock(value)}"
            for name, value, mine in (("starts at", start, given[0]), ("ends at", end, given[1]))
            if value is not None and mine is None
        ]
        hint = (
            f"the clip's link says it {' and '.join(read)}; --clip-start and --clip-end "
            "say otherwise"
            if read
            else None
        )
        raise UserError(f"{exc.message}; nothing was added", hint) from None
    return start, end


def offered_moment(clip: "ClipInfo") -> tuple[int | None, int | None]:
    """A moment the clip offers, when the user gave none: its most replayed stretch
    ("Most replayed: 1:23-1:41. Use as the scene? [Y/n]"), else one of its chapters, asked
    on a terminal; off one nothing is applied, and the message says so."""
    from scenecat.cli.common import ask, ask_yes_no
    from scenecat.cli.output import message
    from scenecat.domain import moments
    from scenecat.text import format_clock

    replayed, chapters = moments.offers(clip)
    if replayed is None and not chapters:
        return None, None
    if not sys.stdin.isatty():
        if replayed is not None:
            span = moments.words(replayed.start, replayed.end)
            message(
                f"Most replayed: {span} (not applied: no terminal to ask on; "
                f"--clip-start {format_clock(replayed.start)} "
                f"--clip-end {format_clock(replayed.end)} sets it)"
            )
        if chapters:
            listed = "; ".join(f"{moments.words(c.start, c.end)} {c.label}" for c in chapters)
            message(
                f"Chapters: {listed} (not applied: no terminal to ask on; "
                "--clip-start and --clip-end set one)"
            )
        return None, None
    if replayed is not None:
        span = moments.words(replayed.start, replayed.end)
        if ask_yes_no(f"Most replayed: {span}. Use as the scene?", default=True):
            return replayed.start, replayed.end
    if not chapters:
        return None, None
    message("Chapters of the clip:")
    for i, chapter in enumerate(chapters, start=1):
        message(f"  {i}  {moments.words(chapter.start, chapter.end)}  {chapter.label}")
    while True:
        answer = ask(f"Which one is the scene? [1-{len(chapters)}, Enter: none]").strip()
        if not answer:
            return None, None
        if answer.isdigit() and 1 <= int(answer) <= len(chapters):
            chosen = chapters[int(answer) - 1]
            return chosen.start, chosen.end
        message(f"Please answer a number from 1 to {len(chapters)}, or Enter for none.")


# views refresh


def _days(text: str) -> int:
    import re

    match = re.fullmatch(r"\s*(\d+)\s*([dw]?)\s*", text)
    if not match:
        raise typer.BadParameter(f"{text!r} is not a number of days (e.g. 7d or 2w)")
    return int(match.group(1)) * (7 if match.group(2) == "w" else 1)


@scope_options(without=("network", "year", "episode", "spoiler", "tag"))
def views_refresh(
    ctx: typer.Context,
    scope: "Scope",
    older_than: Annotated[
        str | None,
        typer.Option(
            "--older-than", help="Only clips last counted more than this long ago (7d, 2w)."
        ),
    ] = None,
    from_json: Annotated[
        Path | None,
        typer.Option(
            "--from-json",
            help="A folder of saved `yt-dlp -J URL` files instead of the network "
            "(regular files of at most 50 MB; each other one is skipped with a line).",
            file_okay=False,
        ),
    ] = None,
) -> None:
    """Count the views of every clip in scope again.

    A new dated view-count snapshot for every clip linked to a scene in scope; a clip that
    fails is reported and the rest go on.

    Example: scenecat views refresh --drama "Melting Me Softly" --older-than 7d
    """
    import datetime as dt

    from scenecat.cli.output import message, progress_bar, warn
    from scenecat.domain.clip_scenes import ClipLink, clip_links, linked_now, record_clip_views
    from scenecat.domain.saved_json import saved_json_files
    from scenecat.errors import ScenecatError
    from scenecat.sources import videos
    from scenecat.sources.http import Unreachable
    from scenecat.text import counted

    today = dt.date.today()
    days = _days(older_than) if older_than else None
    # Saved files by what identifies their clip (site and video id, and their URLs), so
    # that a link stored as youtu.be/ID?t=83 or a Shorts link finds the watch?v=ID file.
    saved: dict[tuple[str, str], ClipInfo] = {}
    if from_json is not None:
        if not from_json.is_dir():
            raise UserError(f"{from_json}: no such folder")
        # Only regular files of at most 50 MB are read; each other one is one line.
        for saved_file in saved_json_files(from_json):
            name = saved_file.path.name
            try:
                if saved_file.skipped is not None:
                    raise ScenecatError(saved_file.skipped)
                info = videos.from_ytdlp(saved_file.data)
            except ScenecatError as exc:
                warn(f"{name}: skipped: {exc}")
                continue
            for line in info.warnings:
                warn(f"{name}: {line}")
            for key in info.identities():
                saved.setdefault(key, info)
    with catalogue(ctx) as cat:
        links = clip_links(cat.conn, scope, days, today)
    if not links:
        message("No clip links in scope to refresh.")
        return
    refreshed = unchanged = failed = 0
    fetched: list[tuple[ClipLink, ClipInfo]] = []
    stopped: Unreachable | None = None
    with progress_bar("Reading clips") as update:
        for done, link in enumerate(links, start=1):
            try:
                if from_json is not None:
                    found = saved.get(videos.clip_key(link.url))
                    if found is None:
                        raise UserError(f"no saved `yt-dlp -J` file for {link.url}")
                    info = found
                else:
                    info = videos.fetch(link.url)
                if info.views is None:
                    raise UserError(f"{link.url} shows no view count")
                fetched.append((link, info))
            except Unreachable as exc:
                # Offline: every other clip would fail the same way. One line, not one per clip.
                stopped = exc
                break
            except UserError as exc:
                failed += 1
                warn(f"{link.key}: {exc}")
            except ScenecatError as exc:
                failed += 1
                where = "" if link.url in exc.message else f"{link.url}: "
                warn(f"{link.key}: {where}{exc}")
            if update:
                update(done, len(links))
    if stopped is not None and not fetched and not failed:
        raise UserError(
            f"{stopped.message}; no view count was read (0 of {len(links)} clips)", stopped.hint
        )
    warnings: list[str] = []
    if fetched:
        with catalogue(ctx) as cat, cat.write("views refresh") as conn:
            # The clips were read without holding the write lock: a scene or link removed
            # meanwhile is read again here, inside the write, and skipped.
            still = linked_now(conn, [link for link, _ in fetched])
            for link, info in fetched:
                if (link.scene_id, link.url) not in still:
                    failed += 1
                    warn(f"{link.key}: removed while its clip was read; nothing recorded")
                    continue
                added, warning = record_clip_views(conn, link, info, today)
                refreshed += added
                unchanged += not added
                if warning:
                    warnings.append(f"{link.key}: {warning}")
    report_warnings(warnings)
    if stopped is not None:
        unread = len(links) - len(fetched) - failed
        warn(f"stopped: {stopped.message}; {counted(unread, 'clip')} not read")
    message(f"{refreshed} refreshed, {unchanged} unchanged, {failed} failed")
    if stopped is not None or (failed and not fetched):
        raise typer.Exit(1)
