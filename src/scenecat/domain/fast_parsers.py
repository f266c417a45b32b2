"""parse_view, parse_scene, parse_vote and parse_duel: the parsers of the records a bulk import
reads by the million.

A bulk import parses millions of values that are already clean: plain ASCII names, whole
numbers in range, ISO dates. Each parser here first tries a fast path that accepts only such
values and returns exactly what the general parser of records.py returns for them; anything
else (other types, text that needs cleaning, a value out of range, an unknown field) goes the
general way, so every error and every normalisation is the general path's own. The fast paths
never raise. tests/test_bulk_import_shortcuts.py checks that both paths agree.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import MISSING
from dataclasses import fields as dataclass_fields
from typing import Any

from scenecat.domain.records import (
    MAX_CLOCK,
    MAX_EPISODE,
    MAX_KIND,
    MAX_VIEWS,
    MAX_YEAR,
    SCENE_FIELDS,
    DuelRec,
    FieldError,
    SceneRec,
    VoteRec,
    parse_date,
    parse_duel_general,
    parse_scene_general,
    parse_view_general,
    parse_vote_general,
    today,
)
from scenecat.errors import InvalidInput
from scenecat.models import SPOILER_LEVELS, ViewCount
from scenecat.scene_fields import FIELDS as SCENE_DECLARED
from scenecat.text import MAX_NAME, MAX_TEXT, clean_name, clean_text, is_plain_name, parse_clock

# ASCII controls but tab and newline: clean_text's rule, checked before its fast path
_ASCII_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]").search
# parse_key and parse_kind without the trailing-newline leniency of `$` (a key "x\n" is
# cleaned to "x" by the general path, so the fast path must not take it as it is).
_KEY_FULL = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*").fullmatch
_VIEW_KEYS = frozenset(("count", "on", "source"))
_SCENE_KEYS = frozenset(SCENE_FIELDS)
VOTE_KEYS = frozenset(("scene", "score", "voter", "on"))
_DUEL_KEYS = frozenset(("winner", "loser", "voter", "on"))
_SPOILERS = frozenset(SPOILER_LEVELS)
# Dates that parse_date() (not allowing the future) accepted, as given -> as returned. A day
# accepted once stays accepted (it only gets further into the past); bounded to stay small.
PAST_DATES: dict[str | dt.date, str] = {}
PAST_DATES_MAX = 50_000


def past_date(value: Any) -> str | None:
    """parse_date(value) for a date (text, or a YAML date) it accepts, else None."""
    if type(value) is not str and type(value) is not dt.date:
        return None
    day = PAST_DATES.get(value)
    if day is None:
        try:
            day = parse_date(value, "")
        except FieldError:
            return None
        if len(PAST_DATES) < PAST_DATES_MAX:
            PAST_DATES[value] = day
    return day


# Text values found plain (is_plain_name: clean_name returns them as they are), remembered: a
# bulk file names the same dramas, actors, titles, tags, sources and voters over and over, and
# one set lookup costs less than the checks and the calls around them. Bounded (a value not in
# it is checked as before); a value equal to a plain one is plain, so hits are exact.
PLAIN: set[str] = set()
_PLAIN_MAX = 200_000


def plain(value: Any) -> bool:
    """is_plain_name(value), remembering the plain ones."""
    if type(value) is not str:
        return False
    if value in PLAIN:
        return True
    if is_plain_name(value):
        if len(PLAIN) < _PLAIN_MAX:
            PLAIN.add(value)
        return True
    return False


def _name(value: Any) -> str | None:
    """_str(value) for a text value it accepts, else None."""
    if type(value) is not str:
        return None
    if value in PLAIN or plain(value):
        return value
    try:
        return clean_name(value, "")
    except InvalidInput:
        return None


def _names(value: Any) -> list[str] | None:
    """_name_list(value) for a list of text values it accepts, else None."""
    if value is None:
        return []
    if type(value) is not list:
        return None
    # Every item a name found plain before (the usual case), tested in one C call: only a
    # text can equal one of PLAIN's texts, and an unhashable item (a list, a mapping) raises.
    try:
        if PLAIN.issuperset(value):
            return list(dict.fromkeys(value)) if len(value) > 1 else list(value)
    except TypeError:
        pass  # an unhashable item: each is judged below, where it gets its error
    names: list[str] = []
    for item in value:
        if type(item) is str and item in PLAIN:
            names.append(item)
            continue
        text = _name(item)
        if text is None:
            return None
        names.append(text)
    # _name_list keeps the first of equal names, in order
    return list(dict.fromkeys(names)) if len(names) > 1 else names


def _view_fast(data: Any) -> ViewCount | None:
    views = _fast_views([data])
    return None if views is _FAIL else views[0]


def parse_view(data: Any, path: str) -> ViewCount:
    return _view_fast(data) or parse_view_general(data, path)


def _clock_fast(value: Any) -> int | None:
    if type(value) is int:
        return value if 0 <= value <= MAX_CLOCK else None
    if type(value) is str:
        try:
            return parse_clock(value)
        except InvalidInput:
            return None
    return None


# The fast path of each value type (records.VALUE_PARSERS): the clean value of a plain value
# it accepts, else _FAIL (None is a clean value: a blank description).
_FAIL: Any = object()


def _fast_name(value: Any) -> Any:
    text = _name(value)
    return _FAIL if text is None else text


def _fast_text(value: Any) -> Any:
    if type(value) is not str:
        return _FAIL
    if value.isascii() and len(value) <= MAX_TEXT and not _ASCII_CONTROL(value):
        return value.strip() or None
    try:
        return clean_text(value, "")
    except InvalidInput:
        return _FAIL


# Kinds the fast path accepted (a bulk file names a few dozen, a million times): bounded.
_KINDS: set[str] = set()
_KINDS_MAX = 10_000


def _fast_kind(value: str) -> bool:
    """Whether text `value` is a kind as parse_kind returns it (a slug of at most MAX_KIND),
    remembering it."""
    if len(value) <= MAX_KIND and _KEY_FULL(value):
        if len(_KINDS) < _KINDS_MAX:
            _KINDS.add(value)
        return True
    return False


def _fast_born(value: Any) -> Any:
    return value if type(value) is int and 1850 <= value <= today().year else _FAIL


def _fast_clock(value: Any) -> Any:
    seconds = _clock_fast(value)
    return _FAIL if seconds is None else seconds


def _fast_names(value: Any) -> Any:
    names = _names(value)
    return _FAIL if names is None else names


# Tags found plain and in lower case (so _fast_tags returns them as they are), remembered as
# PLAIN is: a bulk file repeats a few hundred tags. A subset of PLAIN; bounded by its size.
PLAIN_LOWER: set[str] = set()


def _fast_tags(value: Any) -> Any:
    # Every tag one found plain and lower-case before (the usual case), in one C call: the
    # names as _names gives them, which lower-casing leaves as they are.
    if type(value) is list:
        try:
            if PLAIN_LOWER.issuperset(value):
                return list(dict.fromkeys(value)) if len(value) > 1 else list(value)
        except TypeError:
            pass  # an unhashable item: _names judges it
    tags = _names(value)
    if tags is None:
        return _FAIL
    lowered = [t.lower() for t in tags]
    if len(PLAIN_LOWER) < _PLAIN_MAX:
        # in PLAIN (so plain, and a text), and equal to its own lower case
        PLAIN_LOWER.update(
            [t for t, low in zip(tags, lowered, strict=True) if t == low and t in PLAIN]
        )
    return lowered


def _fast_views(value: Any) -> Any:
    """_view_fast of each item of a list (its checks written out here: a call a view cost
    a tenth of a scene's parse), else _FAIL."""
    if type(value) is not list:
        return _FAIL
    views = []
    for data in value:
        if type(data) is not dict or not data.keys() <= _VIEW_KEYS:
            return _FAIL
        get = data.get
        count = get("count")
        if type(count) is not int or not 0 <= count <= MAX_VIEWS:
            return _FAIL
        on = get("on")
        if on is not None:
            day = PAST_DATES.get(on) if type(on) is str else None
            on = past_date(on) if day is None else day
            if on is None:
                return _FAIL
        source = get("source")
        if source is None:
            source = ""
        elif type(source) is not str or source not in PLAIN:
            source = _name(source)
            if source is None:
                return _FAIL
        views.append(ViewCount(count, on, source))
    return views


# The fast path of each value type (records.VALUE_PARSERS), as an expression over the raw
# value {v}: the clean value, or FAIL to go the general way. The simple checks are written
# out in place (a bulk import makes them a million times: a call each would cost more than
# the check); the others call their function above.
FAST_VALUES: dict[str, str] = {
    "name": "{v} if type({v}) is str and {v} in PLAIN else fast_name({v})",
    "text": "fast_text({v})",
    "episode": "{v} if type({v}) is int and 1 <= {v} <= MAX_EPISODE else FAIL",
    "year": "{v} if type({v}) is int and 1900 <= {v} <= MAX_YEAR else FAIL",
    "born": "fast_born({v})",
    "kind": "{v} if type({v}) is str and ({v} in KINDS or fast_kind({v})) else FAIL",
    "clock": "fast_clock({v})",
    "spoiler": "{v} if type({v}) is str and {v} in SPOILERS else FAIL",
    "names": "fast_names({v})",
    "tags": "fast_tags({v})",
    "views": "fast_views({v})",
    # sources are rare in a bulk file: any goes the general way
    "sources": "{v} if {v} == [] else FAIL",
}


# (name, fast parser, required) of each declared scene field, in declaration order
def _write_scene_fast() -> Callable[[Any], SceneRec | None]:
    """The fast path of a scene record, written out from the declarations and compiled once.

    One block per declared field instead of a loop over them, and the record made with
    every field named: a bulk import runs this a million times, and the loop with its dict
    of values cost a fifth more. Each block gets the field, keeps the declared default when
    it is absent (None: a required one goes the general way) and hands it to its value
    type's fast path (FAST_VALUES), giving up on _FAIL."""
    defaults = {f.name: f for f in dataclass_fields(SceneRec)}
    namespace: dict[str, Any] = {
        "SceneRec": SceneRec,
        "FAIL": _FAIL,
        "PLAIN": PLAIN,
        "SCENE_KEYS": _SCENE_KEYS,
        "SPOILERS": _SPOILERS,
        "MAX_NAME": MAX_NAME,
        "MAX_EPISODE": MAX_EPISODE,
        "MAX_YEAR": MAX_YEAR,
        "MAX_KIND": MAX_KIND,
        "KEY_FULL": _KEY_FULL,
        "KINDS": _KINDS,
        "fast_kind": _fast_kind,
        "name": _name,
        "fast_name": _fast_name,
        "fast_text": _fast_text,
        "fast_born": _fast_born,
        "fast_clock": _fast_clock,
        "fast_names": _fast_names,
        "fast_tags": _fast_tags,
        "fast_views": _fast_views,
    }
    lines = [
        "def scene_fast(data):",
        "    if type(data) is not dict or not data.keys() <= SCENE_KEYS:",
        "        return None",
        "    get = data.get",
        "    key = get('key')",
        "    if key is not None and (",
        "        type(key) is not str or len(key) > MAX_NAME or not KEY_FULL(key)",
        "    ):",
        "        return None",
        "    drama = get('drama')",
        "    if type(drama) is not str or drama not in PLAIN:",
        "        drama = name(drama)",
        "        if drama is None:",
        "            return None",
    ]
    for i, info in enumerate(SCENE_DECLARED):
        value = f"v{i}"
        declared = defaults[info.name]
        if info.required:
            absent = "return None"
        elif declared.default_factory is not MISSING:
            namespace[f"new{i}"] = declared.default_factory
            absent = f"{value} = new{i}()"
        else:
            namespace[f"default{i}"] = declared.default
            absent = f"{value} = default{i}"
        lines += [
            f"    {value} = get({info.name!r})",
            f"    if {value} is None:",
            f"        {absent}",
            "    else:",
            f"        {value} = {FAST_VALUES[info.value].format(v=value)}",
            f"        if {value} is FAIL:",
            "            return None",
        ]
    named = ", ".join(f"{info.name}=v{i}" for i, info in enumerate(SCENE_DECLARED))
    lines.append(f"    return SceneRec(key=key, drama=drama, {named})")
    exec("\n".join(lines), namespace)
    function: Callable[[Any], SceneRec | None] = namespace["scene_fast"]
    return function


_scene_fast = _write_scene_fast()


def parse_scene(data: Any, path: str) -> SceneRec:
    return _scene_fast(data) or parse_scene_general(data, path)


def vote_values(data: Any) -> tuple[str, int, str, str | None] | None:
    """parse_vote's fast path: (scene, score, voter, on) of a plain vote record, else None
    (then parse_vote gives the record or the error)."""
    if type(data) is not dict or not data.keys() <= VOTE_KEYS:
        return None
    get = data.get
    scene = get("scene")
    if not is_plain_name(scene):
        return None
    score = get("score")
    if type(score) is not int or not 1 <= score <= 10:
        return None
    signed = _voter_and_day(get)
    return None if signed is None else (scene, score, *signed)


def parse_vote(data: Any, path: str) -> VoteRec:
    values = vote_values(data)
    return VoteRec(*values) if values is not None else parse_vote_general(data, path)


def _duel_fast(data: Any) -> DuelRec | None:
    if type(data) is not dict or not data.keys() <= _DUEL_KEYS:
        return None
    get = data.get
    winner, loser = get("winner"), get("loser")
    if not (is_plain_name(winner) and is_plain_name(loser)):
        return None
    if winner == loser:
        return None
    signed = _voter_and_day(get)
    return None if signed is None else DuelRec(winner, loser, *signed)


def _voter_and_day(get: Any) -> tuple[str, str | None] | None:
    """The fast paths' (voter, on) of a vote or duel record: "me" when no voter is given,
    None when either value needs the general parser."""
    voter = get("voter")
    if voter is None:
        voter = "me"
    elif not (type(voter) is str and voter in PLAIN) and not plain(voter):
        return None
    on = get("on")
    if on is not None:
        on = past_date(on)
        if on is None:
            return None
    return voter, on


def parse_duel(data: Any, path: str) -> DuelRec:
    return _duel_fast(data) or parse_duel_general(data, path)
