"""`scenecat search`: full-text search over scenes, ranked by relevance."""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from scenecat.cli.common import (
    JsonFlag,
    Limit,
    Spoilers,
    catalogue,
    declared_filters,
    scope_options,
)

if TYPE_CHECKING:
    from scenecat.domain.scope import Scope
    from scenecat.domain.search import Marked


HIGHLIGHT = "bold magenta"


def register(app: typer.Typer) -> None:
    app.command("search")(search)


# The search language's field:value filters (domain/query.py FIELDS): these, then each
# declared filter field (scene_fields.py), which the query language takes as they come.
_FILTERS = ("actor", "drama", "kind", "network", "year", "episode", "spoiler")
_FILTER_WORDS = " ".join(f"{name}:" for name in (*_FILTERS, *declared_filters()))


# No --tag: search has never offered one (tags are words of the search document).
@scope_options(without=("tag",))
def search(
    ctx: typer.Context,
    words: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="QUERY",
            help=f'Words, "phrases", OR, -word, word*, and field:value filters ({_FILTER_WORDS}).',
            show_default=False,
        ),
    ] = None,
    *,
    scope: "Scope",
    limit: Limit = 20,
    spoilers: Spoilers = "hide",
    as_json: JsonFlag = False,
) -> None:
    """Find scenes by what you remember of them.

    Best match first. Scenes past your progress (`scenecat progress`) that are spoilers
    are left out and counted; --spoilers warn marks them, --spoilers show shows them.

    Matching ignores case, accents and hyphens, knows romanised and Hangul names, and finds
    Hangul inside words. Put `--` before a query that starts with -word.

    \b
    Hangul inside words: 녹여 finds 날 녹여주오.

    Example: scenecat search "Ji Chang-wook" kiss -rain year:2016..2020
    """
    from scenecat.cli import output
    from scenecat.domain import progress_guard
    from scenecat.domain.short_keys import short_keys
    from scenecat.text import counted

    text = " ".join(words or [])
    with catalogue(ctx) as cat:
        guard = progress_guard.load_guard(cat.conn, spoilers)
        result, hidden = progress_guard.search(cat.conn, text, scope, limit, guard)
        # The keys a narrow screen shows instead (each still a key): on a terminal only.
        keys = [hit.key for hit in result.hits]
        short = short_keys(cat.conn, keys) if output.on_terminal() and not as_json else {}
    if result.ignored and not as_json:
        output.warn(
            f"ignored {', '.join(map(repr, result.ignored))}: nothing to search for in "
            f"{'it' if len(result.ignored) == 1 else 'them'}"
        )
    if as_json:
        meta = result.meta()
        if guard.active:
            meta["hidden"] = hidden
        data = [hit.to_json() for hit in result.hits]
        for item, hit in zip(data, result.hits, strict=True):
            if guard.warns_scene(hit):
                item["past_progress"] = True
        output.emit_json(data, meta)
        return
    hidden_note = progress_guard.hidden_line(hidden, guard, False)
    if not result.hits:
        output.message(f"No scene matches {result.query!r}.")
        if hidden_note:
            output.message(hidden_note)
        if result.suggestion:
            output.message(result.suggestion)
        return
    rows = []
    warned = 0
    for rank, hit in enumerate(result.hits, 1):
        title = _marked(hit.title)
        if guard.warns_scene(hit):
            warned += 1
            title = "! " + title if isinstance(title, str) else output.text_cell("! ") + title
        rows.append(
            (
                rank,
                title,
                _marked(hit.drama),
                hit.episode or "",
                hit.kind,
                _joined(hit.actors),
                _marked(hit.snippet),
                "" if hit.relevance is None else f"{hit.relevance:.3g}",
                hit.key,
            )
        )
    shown = len(result.hits)
    footer = counted(shown, "scene") + (
        f"; more with --limit {result.limit * 5}" if result.more else ""
    )
    notes = (hidden_note, progress_guard.warned_line(warned))
    footer = "\n".join([footer, *(n for n in notes if n)])
    output.table(
        f"Search: {result.query}",
        ("#", "title", "drama", "ep", "kind", "actors", "snippet", "relevance", "key"),
        rows,
        footer=footer,
        numeric=("#", "ep", "relevance"),
        keep=("#", "key", "title", "drama", "ep", "snippet", "kind", "actors", "relevance"),
        short={"key": short},
    )


def _marked(marked: "Marked") -> Any:
    """Rich Text with the matched spans styled: built from plain pieces, each escaped by
    output.text_cell, so user text is never parsed as markup and offsets stay right. Piped
    (no table, no styles) the same text as a plain string: no Rich to import."""
    from scenecat.cli import output

    if not output.on_terminal():
        return output.visible(marked.text)
    cell = output.text_cell("")
    last = 0
    for start, end in marked.spans:
        cell.append(output.text_cell(marked.text[last:start]))
        cell.append(output.text_cell(marked.text[start:end], HIGHLIGHT))
        last = end
    cell.append(output.text_cell(marked.text[last:]))
    return cell


def _joined(items: "list[Marked]") -> Any:
    from scenecat.cli import output

    if not output.on_terminal():
        return ", ".join(output.visible(item.text) for item in items)
    cell = output.text_cell("")
    for i, item in enumerate(items):
        if i:
            cell.append(output.text_cell(", "))
        cell.append(_marked(item))
    return cell
