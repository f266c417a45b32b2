"""Declared fields: the machinery that lets each record kind declare a field once, and the
declarations of an actor's and a drama's own fields (a scene's are in scene_fields.py).

A kind's fields are the fields of a dataclass (`ActorFacts`, `DramaFacts`, `SceneFacts`),
each made with `declare(...)`: its Python type and default, and in its metadata how the rest
of scenecat treats it (the column that stores it, the value type that parses it, the CSV
header spellings, its line in `show`, its flag on the add and edit commands). The stored
record (models.py) and the format-1 record (domain/records.py) inherit the dataclass, so a
new field is one declaration plus its migration step; storage columns, INSERTs, parsers,
import and export records, CSV headers, JSON, `show` lines and flags follow from it.

Declaration order is the order of a format-1 record's fields (export, `edit` in $EDITOR,
the parsers' list of known fields) and of `show` lines. What identifies a record and is not
a plain value (ids, a drama's cast and episode list, a scene's key and drama) is not
declared: records.py and models.py add it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, NamedTuple

# Value types: the parser of each lives in domain/records.py (VALUE_PARSERS) with its fast
# path in domain/fast_parsers.py (FAST_VALUES); both tables must name every type here.
VALUE_TYPES = (
    "name",  # one line of text (clean_name)
    "text",  # prose, several lines allowed (clean_text)
    "episode",  # an episode number or a number of episodes: a whole number 1..MAX_EPISODE
    "year",  # a year a drama first aired: 1900..MAX_YEAR
    "born",  # a birth year: 1850..this year
    "kind",  # a scene kind: lowercase word(s) joined by hyphens
    "clock",  # seconds into an episode; written and read as H:MM:SS / M:SS
    "spoiler",  # one of SPOILER_LEVELS; "none" when absent
    "names",  # a list of names (each cleaned, first of equal names kept)
    "tags",  # a list of names, lowercased
    "views",  # a list of view-count records
    "sources",  # a list of source records (or bare URLs)
)


# A NamedTuple rather than a frozen dataclass: made once per process, and its class is ten
# times cheaper to create (start-up of every command with filters or field flags).
class FieldInfo(NamedTuple):
    """How one declared field is stored, read, written, shown and searched."""

    name: str  # attribute, format-1 record key, JSON name and default CSV header
    value: str  # one of VALUE_TYPES
    column: str | None  # column of the kind's table; None when stored in a table of its own
    folded: str | None  # column holding its name_key() for name look-ups (actor.native_key)
    headers: tuple[str, ...]  # CSV header spellings; the first is the one `export csv` writes
    required: bool  # a record without it is refused
    show: str | None  # the label of its line in `show` (None: not a line of its own)
    search: float | None  # bm25 weight of its column in the search document; None: not indexed
    filter: bool  # narrows by equal text (case folded): `name:value` in a search, `--name`
    flag: str | None  # its flag on the add and edit commands (None: those commands' own)
    help: str | None  # that flag's help text


def declare(
    value: str,
    *,
    column: str | None = None,
    folded: str | None = None,
    headers: tuple[str, ...] = (),
    default: Any = MISSING,
    default_factory: Any = MISSING,
    show: str | None = None,
    search: float | None = None,
    filter: bool = False,
    flag: str | None = None,
    help: str | None = None,
) -> Any:
    """A dataclass field with its declaration as metadata (FieldInfo is completed with the
    attribute's name by `declared()`)."""
    if value not in VALUE_TYPES:
        raise ValueError(f"unknown value type {value!r}")
    meta = {
        "value": value,
        "column": column,
        "folded": folded,
        "headers": headers,
        "show": show,
        "search": search,
        "filter": filter,
        "flag": flag,
        "help": help,
    }
    if default_factory is not MISSING:
        return field(default_factory=default_factory, metadata=meta)
    if default is not MISSING:
        return field(default=default, metadata=meta)
    return field(metadata=meta)


def declared(facts: type) -> tuple[FieldInfo, ...]:
    """The FieldInfo of each field of a declaring dataclass, in declaration order."""
    infos = []
    for f in fields(facts):
        meta = dict(f.metadata)
        required = f.default is MISSING and f.default_factory is MISSING
        headers = meta.pop("headers") or (f.name,)
        infos.append(FieldInfo(name=f.name, headers=headers, required=required, **meta))
    return tuple(infos)


def column_row(infos: tuple[FieldInfo, ...], values: Mapping[str, object]) -> dict[str, object]:
    """{column: value} of the stored fields among `infos` that `values` (field name ->
    value) names, each followed by its folded key column when it has one."""
    from scenecat.text import name_key

    row: dict[str, object] = {}
    for info in infos:
        if info.column is None or info.name not in values:
            continue
        value = values[info.name]
        row[info.column] = value
        if info.folded is not None:
            row[info.folded] = name_key(str(value)) if value else None
    return row


def stored_columns(infos: tuple[FieldInfo, ...]) -> tuple[str, ...]:
    """The columns column_row() fills for every stored field, in its order."""
    return tuple(c for i in infos if i.column for c in (i.column, i.folded) if c is not None)


# A declaring base makes no methods of its own: the stored and the record classes that
# inherit it make their __init__, __repr__ and __eq__ (the same ones again here would only
# cost every command's start-up).
@dataclass(kw_only=True, init=False, repr=False, eq=False)
class ActorFacts:
    """The declared fields of an actor, shared by a stored actor and a format-1 record."""

    name: str = declare(
        "name",
        column="name",
        folded="name_key",
        headers=("name", "actor", "actor_name", "english_name", "romanized_name"),
        flag="--name",
        help="New display name.",
    )
    native: str | None = declare(
        "name",
        column="native",
        folded="native_key",
        headers=("native", "native_name", "name_native", "korean_name", "hangul"),
        default=None,
        show="native",
        flag="--native",
        help="Name in Hangul, e.g. 지창욱.",
    )
    aliases: list[str] = declare(
        "names",
        headers=("aliases", "alias", "aka", "also_known_as", "other_names"),
        default_factory=list,
        show="aliases",
        flag="--alias",
        help="Another spelling (repeatable).",
    )
    born: int | None = declare(
        "born",
        column="born",
        headers=("born", "birth_year", "year_of_birth"),
        default=None,
        show="born",
        flag="--born",
        help="Birth year.",
    )


@dataclass(kw_only=True, init=False, repr=False, eq=False)
class DramaFacts:
    """The declared fields of a drama, shared by a stored drama and a format-1 record."""

    title: str = declare(
        "name",
        column="title",
        folded="title_key",
        headers=("title", "drama", "drama_title"),
        flag="--title",
        help="New title.",
    )
    native: str | None = declare(
        "name",
        column="native",
        folded="native_key",
        headers=("native", "native_title", "title_native", "korean_title", "hangul"),
        default=None,
        show="native",
        flag="--native",
        help="Original title, e.g. 날 녹여주오.",
    )
    aliases: list[str] = declare(
        "names",
        headers=("aliases", "alias", "aka", "also_known_as", "other_titles"),
        default_factory=list,
        show="aliases",
        flag="--alias",
        help="Another title (repeatable).",
    )
    network: str | None = declare(
        "name",
        column="network",
        headers=("network", "channel", "broadcaster"),
        default=None,
        show="network",
        flag="--network",
        help="Broadcaster, e.g. tvN.",
    )
    country: str | None = declare(
        "name",
        column="country",
        default=None,
        show="country",
        flag="--country",
        help="Country, e.g. South Korea.",
    )
    year: int | None = declare(
        "year",
        column="year",
        headers=("year", "release_year", "first_aired"),
        default=None,
        show="year",
        flag="--year",
        help="First air year.",
    )
    episodes: int | None = declare(
        "episode",
        column="episodes",
        headers=("episodes", "episode_count", "eps", "number_of_episodes"),
        default=None,
        show="episodes",
        flag="--episodes",
        help="Number of episodes.",
    )
    synopsis: str | None = declare(
        "text",
        column="synopsis",
        headers=("synopsis", "summary", "plot"),
        default=None,
        show="synopsis",
        flag="--synopsis",
        help="A short synopsis.",
    )


ACTOR_FIELDS: tuple[FieldInfo, ...] = declared(ActorFacts)
DRAMA_FIELDS: tuple[FieldInfo, ...] = declared(DramaFacts)
# Each kind's declared fields by kind name (the singular a command and a table use).
KINDS: dict[str, tuple[FieldInfo, ...]] = {"actor": ACTOR_FIELDS, "drama": DRAMA_FIELDS}


def json_order(infos: tuple[FieldInfo, ...]) -> tuple[FieldInfo, ...]:
    """The order of an actor's or drama's `--json`: its stored fields, then the others (the
    order the stored record's attributes have always had)."""
    return tuple(i for i in infos if i.column) + tuple(i for i in infos if not i.column)
