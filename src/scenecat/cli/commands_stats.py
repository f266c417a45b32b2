"""`stats`: counts of records, and scenes per kind, network, year and actor."""

import typer

from scenecat.cli.common import JsonFlag, catalogue


def register(app: typer.Typer) -> None:
    app.command("stats")(stats)


def stats(
    ctx: typer.Context,
    as_json: JsonFlag = False,
) -> None:
    """Counts of records and scenes, as charts.

    Counts of records, and scenes per kind, network, year and actor, with bar charts.

    Example: scenecat stats
    """
    from scenecat.cli import output
    from scenecat.domain.stats import GROUPS, catalogue_stats, stats_json

    with catalogue(ctx) as cat:
        found = catalogue_stats(cat.conn)
    if as_json:
        data, meta = stats_json(found)
        output.emit_json(data, meta)
        return
    labels = {
        "actor": "actors",
        "drama": "dramas",
        "episode": "episodes",
        "credit": "credits",
        "scene": "scenes",
        "view_count": "view counts",
        "vote": "votes",
        "duel": "duels",
    }
    # Piped, the titles go down the pipe too, each before its section and a blank line
    # between sections: on stderr (as other commands' titles) they came apart from the
    # tables, all at once before or after them, or lost to `| less`.
    piped = not output.on_terminal()

    def title(text: str, first: bool = False) -> str | None:
        if not piped:
            return text
        output.plain(text if first else f"\n{text}")
        return None

    totals = [(labels.get(k, k), f"{v:,}") for k, v in found.totals.items()]
    output.record(title("Catalogue", first=True) or "", totals)
    titles = {
        "kind": "Scenes by kind",
        "network": "Scenes by network",
        "year": "Scenes by year",
        "actor": f"Scenes by actor (top {found.actor_limit})",
    }
    for group in GROUPS:
        counts = found.groups[group]
        if not counts:
            continue
        top = max(c.scenes for c in counts)
        output.table(
            title(titles[group]),
            (group, "scenes", ""),
            [
                (
                    "(unknown)" if c.value is None else c.value,
                    f"{c.scenes:,}",
                    output.bar(c.scenes, top, width=24),
                )
                for c in counts
            ],
            numeric=("scenes",),
        )
