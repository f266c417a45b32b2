"""Catalogue records (format 1, docs/DESIGN.md §4): parsing and checking one record at a time.

This module holds the record types, the value checks and the general parsers (every value
judged, every error with its path). Views, scenes, votes and duels, which a bulk import reads
by the million, are parsed through fast_parsers.py: a fast path for already-clean values
that falls back to the general parser here.

The same parsers serve `import`, `edit` in $EDITOR and the `add-*` commands, so a value is
judged the same way wherever it comes from. Errors carry the record path and field
(`scenes[3].episode`) so the importer can point at the file line.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from scenecat.domain import moments
from scenecat.errors import InvalidInput
from scenecat.fields import ACTOR_FIELDS as ACTOR_DECLARED
from scenecat.fields import DRAMA_FIELDS as DRAMA_DECLARED
from scenecat.fields import ActorFacts, DramaFacts, FieldInfo

# A scene record's views and sources are the models' own (fields and types are the same).
from scenecat.models import ROLES, SOURCE_KINDS, SPOILER_LEVELS, SceneFacts, Source, ViewCount
from scenecat.scene_fields import FIELDS as SCENE_DECLARED
from scenecat.text import (
    MAX_CLIP_TIME,
    MAX_NAME,
    clean_name,
    clean_text,
    parse_clip_time,
    parse_clock,
    slugify,
)

FORMAT = "scenecat/1"
_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_KIND = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_WHOLE = re.compile(r"[+-]?\d+").fullmatch
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+|[+-]?\d{1,3}(?:_\d{3})+").fullmatch


class FieldError(InvalidInput):
    """A bad value at `path` (e.g. `scenes[3].episode`)."""

    def __init__(self, path: str, message: str, hint: str | None = None) -> None:
        super().__init__(f"{path}: {message}", hint)
        self.path = path
        self.reason = message


def today() -> dt.date:
    return dt.date.today()


# Value checkers: each takes (value, path) and returns the clean value or raises FieldError.


def _str(value: Any, path: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise FieldError(path, f"expected text, got {_type_name(value)}")
    try:
        return clean_name(str(value), "")
    except InvalidInput as exc:
        raise FieldError(path, exc.message) from None


def _long_text(value: Any, path: str) -> str | None:
    if not isinstance(value, str):
        raise FieldError(path, f"expected text, got {_type_name(value)}")
    try:
        return clean_text(value, "")
    except InvalidInput as exc:
        raise FieldError(path, exc.message) from None


def _int(value: Any, path: str, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise FieldError(path, f"expected a whole number, got {_type_name(value)}")
    if isinstance(value, float):
        if math.isnan(value) or not value.is_integer():
            raise FieldError(path, f"expected a whole number, got {value!r}")
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        # Separators only as thousands separators ("1,000,000", "1_000"): "1,0,0" is not 100.
        if _GROUPED(text):
            text = text.replace(",", "").replace("_", "")
        if not _WHOLE(text):
            shown = value if len(value) <= 30 else value[:30] + "…"
            hint = "separators go every three digits, e.g. 1,000,000" if "," in text else None
            raise FieldError(path, f"expected a whole number, got {shown!r}", hint)
        if len(text.lstrip("+-")) > 30:
            raise FieldError(path, f"{len(text.lstrip('+-'))} digits is out of range {low}..{high}")
        value = int(text)
    if not isinstance(value, int):
        raise FieldError(path, f"expected a whole number, got {_type_name(value)}")
    if not low <= value <= high:
        raise FieldError(path, f"{value} is out of range {low}..{high}")
    return value


def _float(value: Any, path: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise FieldError(path, f"expected a number, got {_type_name(value)}")
    try:
        number = float(str(value).strip().rstrip("%"))
    except ValueError:
        raise FieldError(path, f"expected a number, got {value!r}") from None
    if math.isnan(number) or not low <= number <= high:
        raise FieldError(path, f"{value!r} is out of range {low:g}..{high:g}")
    return number


def parse_date(value: Any, path: str, *, allow_future: bool = False) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise FieldError(path, f"{value!r} is not a date (YYYY-MM-DD)") from None
    else:
        raise FieldError(path, f"expected a date (YYYY-MM-DD), got {_type_name(value)}")
    if not allow_future and day > today():
        raise FieldError(path, f"{day.isoformat()} is in the future")
    if day.year < 1900:
        raise FieldError(path, f"{day.isoformat()} is before 1900")
    return day.isoformat()


def _choice(value: Any, path: str, choices: tuple[str, ...]) -> str:
    text = _str(value, path).lower()
    if text not in choices:
        raise FieldError(path, f"{value!r} is not one of {', '.join(choices)}")
    return text


def _name_list(value: Any, path: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise FieldError(path, f"expected a list, got {_type_name(value)}")
    result: list[str] = []
    for i, item in enumerate(value):
        text = _str(item, f"{path}[{i}]")
        if text not in result:
            result.append(text)
    return result


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    return type(value).__name__


def _fields(
    data: Any, path: str, allowed: tuple[str, ...], required: tuple[str, ...]
) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise FieldError(path, f"expected a mapping, got {_type_name(data)}")
    for key in data:
        if key not in allowed:
            raise FieldError(
                f"{path}.{key}", "unknown field", hint=f"known fields: {', '.join(allowed)}"
            )
    for key in required:
        if data.get(key) in (None, ""):
            raise FieldError(f"{path}.{key}", "is required")
    return {k: v for k, v in data.items() if v is not None}


def _opt(data: dict[str, Any], key: str, path: str, check: Callable[[Any, str], Any]) -> Any:
    return check(data[key], f"{path}.{key}") if key in data else None


# Records


@dataclass(kw_only=True)
class ActorRec(ActorFacts):
    """An actor record: their declared fields (fields.py) and their ids in outside sources."""

    ids: dict[str, str] = field(default_factory=dict)  # source name -> id there


@dataclass
class CastRec:
    actor: str
    character: str | None = None
    role: str = "main"
    billing: int | None = None


@dataclass
class EpisodeRec:
    number: int
    aired: str | None = None
    title: str | None = None
    rating: float | None = None


@dataclass(kw_only=True)
class DramaRec(DramaFacts):
    """A drama record: its declared fields (fields.py), cast, episodes and outside ids."""

    cast: list[CastRec] = field(default_factory=list)
    episode_list: list[EpisodeRec] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)  # source name -> id there


@dataclass(kw_only=True)
class SceneRec(SceneFacts):
    """A scene record: its declared fields (scene_fields.py), the drama named, and the key
    when the record gives one."""

    key: str | None = None
    drama: str


@dataclass
class VoteRec:
    scene: str
    score: int
    voter: str = "me"
    on: str | None = None


@dataclass
class DuelRec:
    winner: str
    loser: str
    voter: str = "me"
    on: str | None = None


# An actor's and a drama's record: the declared fields (fields.py), then the ones of its own.
ACTOR_FIELDS = (*(f.name for f in ACTOR_DECLARED), "ids")
DRAMA_FIELDS = (*(f.name for f in DRAMA_DECLARED), "cast", "episode_list", "ids")
# A scene record: its key and drama, then the declared fields (scene_fields.py).
SCENE_FIELDS = ("key", "drama", *(f.name for f in SCENE_DECLARED))
MAX_YEAR = 2100
# Limits both the general parsers and their fast paths below check.
MAX_EPISODE = 100_000
MAX_CLOCK = 100_000  # seconds into an episode
MAX_VIEWS = 10**13
MAX_KIND = 40


def parse_actor(data: Any, path: str) -> ActorRec:
    d = _fields(data, path, ACTOR_FIELDS, _required(ACTOR_DECLARED))
    values = _parse_declared(d, path, ACTOR_DECLARED)
    return ActorRec(**values, ids=_opt(d, "ids", path, parse_ids) or {})


_SOURCE_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


def parse_ids(value: Any, path: str) -> dict[str, str]:
    """`ids: {tmdb: 93405, wikidata: Q65058498}`: the record's ids in outside sources."""
    if not isinstance(value, Mapping):
        raise FieldError(path, f"expected a mapping of source to id, got {_type_name(value)}")
    ids: dict[str, str] = {}
    for source, ext_id in value.items():
        name = str(source).strip().lower()
        if not _SOURCE_NAME.match(name):
            raise FieldError(f"{path}.{source}", "not a source name (e.g. tmdb, wikidata)")
        text = _str(ext_id, f"{path}.{name}")
        if not text or len(text) > 100 or any(c.isspace() for c in text):
            raise FieldError(f"{path}.{name}", f"{text!r} is not an id")
        ids[name] = text
    return ids


def parse_cast(data: Any, path: str) -> CastRec:
    if isinstance(data, str):
        actor, _, character = data.partition(":")
        data = {"actor": actor, "character": character or None}
    d = _fields(data, path, ("actor", "character", "role", "billing"), ("actor",))
    return CastRec(
        actor=_str(d["actor"], f"{path}.actor"),
        character=_opt(d, "character", path, _str),
        role=_opt(d, "role", path, lambda v, p: _choice(v, p, ROLES)) or "main",
        billing=_opt(d, "billing", path, lambda v, p: _int(v, p, 1, 1000)),
    )


def parse_episode(data: Any, path: str, episodes: int | None = None) -> EpisodeRec:
    d = _fields(data, path, ("number", "aired", "title", "rating"), ("number",))
    number = _int(d["number"], f"{path}.number", 1, MAX_EPISODE)
    if episodes is not None and number > episodes:
        raise FieldError(f"{path}.number", f"episode {number} is past the drama's {episodes}")
    return EpisodeRec(
        number=number,
        aired=_opt(d, "aired", path, lambda v, p: parse_date(v, p, allow_future=True)),
        title=_opt(d, "title", path, _str),
        rating=_opt(d, "rating", path, lambda v, p: _float(v, p, 0, 100)),
    )


def parse_drama(data: Any, path: str) -> DramaRec:
    d = _fields(data, path, DRAMA_FIELDS, _required(DRAMA_DECLARED))
    values = _parse_declared(d, path, DRAMA_DECLARED)
    cast_raw = d.get("cast", [])
    if not isinstance(cast_raw, list):
        raise FieldError(f"{path}.cast", f"expected a list, got {_type_name(cast_raw)}")
    episodes_raw = d.get("episode_list", [])
    if not isinstance(episodes_raw, list):
        raise FieldError(f"{path}.episode_list", f"expected a list, got {_type_name(episodes_raw)}")
    episodes = values.get("episodes")
    episode_list = [
        parse_episode(e, f"{path}.episode_list[{i}]", episodes) for i, e in enumerate(episodes_raw)
    ]
    numbers = [e.number for e in episode_list]
    if len(numbers) != len(set(numbers)):
        raise FieldError(f"{path}.episode_list", "an episode number is listed twice")
    return DramaRec(
        **values,
        cast=[parse_cast(c, f"{path}.cast[{i}]") for i, c in enumerate(cast_raw)],
        episode_list=episode_list,
        ids=_opt(d, "ids", path, parse_ids) or {},
    )


def parse_kind(value: Any, path: str) -> str:
    text = _str(value, path).lower().replace(" ", "-")
    if not _KIND.match(text) or len(text) > MAX_KIND:
        raise FieldError(path, f"{value!r} is not a scene kind (a word such as kiss, confession)")
    return text


def parse_key(value: Any, path: str) -> str:
    text = _str(value, path)
    if not _KEY.match(text) or len(text) > MAX_NAME:
        raise FieldError(
            path,
            f"{text!r} is not a scene key (lowercase letters, digits and hyphens)",
            hint=f"e.g. {slugify(text) or 'melting-me-softly-e10-shower-kiss'}",
        )
    return text


def _clock(value: Any, path: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML reads an unquoted 52:10 as a base-60 integer (3130): that is seconds already.
        return _int(value, path, 0, MAX_CLOCK)
    try:
        return parse_clock(str(value))
    except InvalidInput as exc:
        raise FieldError(path, exc.message) from None


def parse_view_general(data: Any, path: str) -> ViewCount:
    d = _fields(data, path, ("count", "on", "source"), ("count",))
    return ViewCount(
        count=_int(d["count"], f"{path}.count", 0, MAX_VIEWS),
        on=_opt(d, "on", path, parse_date),
        source=_opt(d, "source", path, _str) or "",
    )


_SOURCE_FIELDS = ("url", "title", "publisher", "kind", "published", "start", "end")


def parse_source(data: Any, path: str) -> Source:
    """A scene's source: the link and what it is, and the scene's moment in it (`start`,
    `end`: times in the clip, domain/moments.py)."""
    if isinstance(data, str):
        data = {"url": data}
    d = _fields(data, path, _SOURCE_FIELDS, ("url",))
    url = _str(d["url"], f"{path}.url")
    if not re.match(r"^https?://\S+$", url):
        raise FieldError(f"{path}.url", f"{url!r} is not an http(s) link")
    start = _opt(d, "start", path, _clip_time)
    end = _opt(d, "end", path, _clip_time)
    try:
        moments.check(start, end)
    except InvalidInput as exc:
        raise FieldError(f"{path}.end", exc.message) from None
    return Source(
        url=url,
        title=_opt(d, "title", path, _str),
        publisher=_opt(d, "publisher", path, _str),
        kind=_opt(d, "kind", path, lambda v, p: _choice(v, p, SOURCE_KINDS)),
        published=_opt(d, "published", path, lambda v, p: parse_date(v, p, allow_future=True)),
        start=start,
        end=end,
    )


def _clip_time(value: Any, path: str) -> int:
    """A time inside a clip: seconds, or text as `t=` or a clock writes it (83s, 1:23)."""
    if isinstance(value, int) and not isinstance(value, bool):
        # An unquoted 1:23 is read by YAML 1.1 as base-60 (83): that is seconds already.
        return _int(value, path, 0, MAX_CLIP_TIME)
    if not isinstance(value, str):
        raise FieldError(path, f"expected a time in the clip, got {_type_name(value)}")
    try:
        return parse_clip_time(value)
    except InvalidInput as exc:
        raise FieldError(path, exc.message) from None


def _list_parser(parse: Callable[[Any, str], Any]) -> Callable[[Any, str], list[Any]]:
    def parse_list(value: Any, path: str) -> list[Any]:
        if not isinstance(value, list):
            raise FieldError(path, f"expected a list, got {_type_name(value)}")
        return [parse(item, f"{path}[{i}]") for i, item in enumerate(value)]

    return parse_list


def _born(value: Any, path: str) -> int:
    return _int(value, path, 1850, today().year)


# The parser of each value type a field is declared with (fields.VALUE_TYPES): (value, path)
# -> the clean value, or FieldError. fast_parsers.FAST_VALUES holds their fast paths.
VALUE_PARSERS: dict[str, Callable[[Any, str], Any]] = {
    "name": _str,
    "text": _long_text,
    "episode": lambda v, p: _int(v, p, 1, MAX_EPISODE),
    "year": lambda v, p: _int(v, p, 1900, MAX_YEAR),
    "born": _born,
    "kind": parse_kind,
    "clock": _clock,
    "spoiler": lambda v, p: _choice(v, p, SPOILER_LEVELS),
    "names": _name_list,
    "tags": lambda v, p: [t.lower() for t in _name_list(v, p)],
    "views": _list_parser(parse_view_general),
    "sources": _list_parser(parse_source),
}


def _required(declared: tuple[FieldInfo, ...]) -> tuple[str, ...]:
    return tuple(f.name for f in declared if f.required)


def _parse_declared(
    d: dict[str, Any], path: str, declared: tuple[FieldInfo, ...]
) -> dict[str, Any]:
    """The declared fields a record gives, each through its value type's parser, in
    declaration order; an absent field keeps the declaring dataclass's default."""
    return {
        f.name: VALUE_PARSERS[f.value](d[f.name], f"{path}.{f.name}")
        for f in declared
        if f.name in d
    }


_SCENE_REQUIRED = ("drama", *_required(SCENE_DECLARED))


def parse_scene_general(data: Any, path: str) -> SceneRec:
    d = _fields(data, path, SCENE_FIELDS, _SCENE_REQUIRED)
    key = _opt(d, "key", path, parse_key)
    drama = _str(d["drama"], f"{path}.drama")
    return SceneRec(key=key, drama=drama, **_parse_declared(d, path, SCENE_DECLARED))


def parse_score(value: Any, path: str = "score") -> int:
    return _int(value, path, 1, 10)


def parse_vote_general(data: Any, path: str) -> VoteRec:
    d = _fields(data, path, ("scene", "score", "voter", "on"), ("scene", "score"))
    return VoteRec(
        scene=_str(d["scene"], f"{path}.scene"),
        score=parse_score(d["score"], f"{path}.score"),
        voter=_opt(d, "voter", path, _str) or "me",
        on=_opt(d, "on", path, parse_date),
    )


def parse_duel_general(data: Any, path: str) -> DuelRec:
    d = _fields(data, path, ("winner", "loser", "voter", "on"), ("winner", "loser"))
    rec = DuelRec(
        winner=_str(d["winner"], f"{path}.winner"),
        loser=_str(d["loser"], f"{path}.loser"),
        voter=_opt(d, "voter", path, _str) or "me",
        on=_opt(d, "on", path, parse_date),
    )
    check_duel(rec.winner, rec.loser, path)
    return rec


def check_duel(winner: object, loser: object, path: str) -> None:
    """A duel is between two scenes (as named, or once resolved to ids)."""
    if winner == loser:
        raise FieldError(f"{path}.loser", "a scene cannot duel itself")


def drop_empty(record: dict[str, Any]) -> dict[str, Any]:
    """A record as written to a file: no None, no empty lists."""
    return {k: v for k, v in record.items() if v is not None and v != [] and v != ""}
