"""A scene's fields, each declared once.

`SceneFacts` is the one place a scene field is declared: its Python type and default, and in
its metadata (`declare(...)` of fields.py, where an actor's and a drama's fields are
declared the same way) how the rest of scenecat treats it: the column of the `scene` table
that stores it, the value type that parses it (domain/records.py and its fast path in
fast_parsers.py), the CSV header spellings, its line in `show scene`, whether it goes into
the search document and may be named as `field:value` in a search. The stored scene
(`models.Scene`) and the format-1 record (`domain/records.SceneRec`) both inherit these
attributes, so a new field is one declaration here plus its migration step
(storage/migrations.py); storage columns, INSERTs, parsers, import and export records, CSV
columns, JSON, `show` rows and search documents follow from `FIELDS`.

The key and the drama are not declared here: they identify a scene rather than describe it,
and their types differ between a record (a name) and a stored scene (an id and a title).

Orders: `FIELDS` is the order of a format-1 record's fields as the parsers list them and of
`--json`. Exports (YAML, JSON Lines, CSV) and `show scene` lay the first fields out in the
orders they have always had (`EXPORT_ORDER`, `SHOW_ORDER`); a field they do not name comes
after those, in declaration order, so a new field needs no entry there.
"""

from __future__ import annotations

from dataclasses import dataclass

# The declaring machinery (fields.py); FieldInfo and VALUE_TYPES are named from here too.
from scenecat.fields import VALUE_TYPES, FieldInfo, declare, declared

__all__ = [
    "BY_NAME",
    "COLUMN_FIELDS",
    "EXPORT_ORDER",
    "FIELDS",
    "FILTER_FIELDS",
    "SEARCH_FIELDS",
    "SHOW_ORDER",
    "SOURCE_CLOCKS",
    "VALUE_TYPES",
    "FieldInfo",
    "SceneFacts",
    "Source",
    "ViewCount",
    "declare",
    "source_values",
]


@dataclass
class ViewCount:
    """A view count of a scene on a date (`on`, or None), as `source` counted it."""

    count: int
    on: str | None
    source: str = ""


@dataclass
class Source:
    """A scene's link to a source. The source (url, title, publisher, kind, published) is
    shared by every scene linking it; `start` and `end` are this scene's moment inside it
    (seconds into the clip; domain/moments.py), kept on the link so that two scenes in one
    clip keep their own."""

    url: str
    title: str | None = None
    publisher: str | None = None
    kind: str | None = None
    published: str | None = None
    start: int | None = None
    end: int | None = None


# The attributes of a Source that are times in the clip: files and JSON write them as
# clocks ("1:23"), as a scene's `at` and `end`.
SOURCE_CLOCKS = ("start", "end")


def source_values(source: Source) -> dict[str, object]:
    """A source's attributes by name, its times in the clip as clocks (format 1, JSON)."""
    from scenecat.text import format_clock

    values: dict[str, object] = dict(vars(source))
    for name in SOURCE_CLOCKS:
        values[name] = format_clock(getattr(source, name))
    return values


# A declaring base: no methods of its own (fields.ActorFacts says why).
@dataclass(kw_only=True, init=False, repr=False, eq=False)
class SceneFacts:
    """The declared fields of a scene, shared by a stored scene and a format-1 record."""

    episode: int | None = declare(
        "episode",
        column="episode",
        headers=("episode", "ep", "episode_number"),
        default=None,
        show="episode",
    )
    kind: str = declare(
        "kind",
        column="kind",
        headers=("kind", "scene_kind", "scene_type", "type"),
        show="kind",
        search=4.0,
    )
    title: str = declare(
        "name", column="title", headers=("title", "scene_title", "scene"), search=8.0
    )
    actors: list[str] = declare(
        "names", headers=("actors", "cast", "who"), default_factory=list, show="actors"
    )
    description: str | None = declare(
        "text",
        column="description",
        headers=("description", "what_happens", "summary"),
        default=None,
        show="description",
        search=1.0,
        flag="--description",
        help="What happens.",
    )
    at: int | None = declare(
        "clock",
        column="start_s",
        headers=("at", "start", "time", "timestamp"),
        default=None,
        show="at",
        flag="--at",
        help="Start time in the episode, mm:ss or h:mm:ss.",
    )
    end: int | None = declare(
        "clock",
        column="end_s",
        headers=("end", "end_time"),
        default=None,
        flag="--end",
        help="End time in the episode.",
    )
    spoiler: str = declare(
        "spoiler",
        column="spoiler",
        headers=("spoiler", "spoiler_level", "spoilers"),
        default="none",
        show="spoiler",
        flag="--spoiler",
        help="none, minor, major or ending.",
    )
    tags: list[str] = declare(
        "tags",
        headers=("tags", "tag"),
        default_factory=list,
        show="tags",
        search=4.0,
        flag="--tag",
        help="A tag (repeatable).",
    )
    location: str | None = declare(
        "name",
        column="location",
        headers=("location", "place"),
        default=None,
        show="location",
        search=3.0,
        filter=True,
        flag="--location",
        help="Where it happens.",
    )
    views: list[ViewCount] = declare(
        "views", headers=("views", "view_count", "latest_views"), default_factory=list
    )
    sources: list[Source] = declare(
        "sources",
        headers=("sources", "source_urls", "links", "urls", "url"),
        default_factory=list,
    )


FIELDS: tuple[FieldInfo, ...] = declared(SceneFacts)
BY_NAME: dict[str, FieldInfo] = {f.name: f for f in FIELDS}


def _ordered(first: tuple[str, ...]) -> tuple[str, ...]:
    return first + tuple(f.name for f in FIELDS if f.name not in first)


# The declared fields stored as columns of `scene`, in declaration order.
COLUMN_FIELDS: tuple[FieldInfo, ...] = tuple(f for f in FIELDS if f.column is not None)
# Fields a listing or a search can be narrowed by (`--location`, `location:`).
FILTER_FIELDS: tuple[FieldInfo, ...] = tuple(f for f in FIELDS if f.filter)
# Fields whose text is a column of the search document: these first, in the index's
# original column order, then any other in declaration order.
SEARCH_FIELDS: tuple[FieldInfo, ...] = tuple(
    BY_NAME[name]
    for name in _ordered(("title", "description", "tags", "kind"))
    if BY_NAME[name].search is not None
)


# Where exports (format 1 and CSV) put each field: these first, as they always have.
EXPORT_ORDER: tuple[str, ...] = _ordered(
    ("episode", "kind", "title", "actors", "spoiler", "tags", "at", "end", "location")
)
# The lines of `show scene` (fields with a `show` label), in this order.
SHOW_ORDER: tuple[str, ...] = tuple(
    name
    for name in _ordered(("episode", "at", "kind", "actors", "spoiler", "tags", "location"))
    if BY_NAME[name].show is not None
)
