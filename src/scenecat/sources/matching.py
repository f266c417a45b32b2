"""How far a source's candidate is from what the user asked for (beets-style).

Each fact both sides know gives a distance in 0..1 and a weight; the match distance is the
weighted mean. Titles compare on folded keys (case, spaces, hyphens), against the
candidate's title, original title and aliases, whichever is closest.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from scenecat.sources.facts import Candidate
from scenecat.text import name_key

WEIGHTS = {"title": 3.0, "year": 1.0, "network": 0.5, "episodes": 0.5}
STRONG = 0.10  # at most this far: a strong match
GAP = 0.15  # ...and at least this much closer than the next candidate
DETAILS_FOR = 3  # candidates whose details are fetched when the search cannot tell them apart
# A title that names a season: "Hospital Playlist 2", "... Season 2", "... 시즌2".
_SEASON = re.compile(r"(?:\s\d{1,2}|season\s*\d{1,2}|시즌\s*\d{1,2})\s*$", re.IGNORECASE)


@dataclass
class Wanted:
    title: str
    year: int | None = None
    network: str | None = None
    episodes: int | None = None


@dataclass
class Scored:
    candidate: Candidate
    distance: float
    parts: dict[str, float]


def _title_key(title: str) -> str:
    # "Hospital Playlist Season 2" and "Hospital Playlist 2" are one title.
    return re.sub(r"(?:season|시즌)(?=\d+$)", "", name_key(title))


def _text_distance(a: str, b: str) -> float:
    ka, kb = _title_key(a), _title_key(b)
    if not ka or not kb:
        return 1.0
    if ka == kb:
        return 0.0
    if _other_number(_number(ka), _number(kb)):
        # "Hospital Playlist 2" is not "Hospital Playlist", nor "Reply 1988" "Reply 1997":
        # a different number at the end is another drama, however alike the rest.
        return 1.0
    return 1.0 - difflib.SequenceMatcher(None, ka, kb).ratio()


def _number(key: str) -> int | None:
    match = re.search(r"(\d+)$", key)
    return int(match.group(1)) if match else None


def _other_number(a: int | None, b: int | None) -> bool:
    """Whether two titles' final numbers name different dramas: both given and unequal, or
    one a later season (2-20) of the other (a title without a number is season 1)."""
    if a is not None and b is not None:
        return a != b
    given = a if a is not None else b
    return given is not None and 2 <= given <= 20


def score(wanted: Wanted, candidate: Candidate) -> Scored:
    parts: dict[str, float] = {}
    titles = [t for t in (candidate.title, candidate.native) if t]
    parts["title"] = min((_text_distance(wanted.title, t) for t in titles), default=1.0)
    if wanted.year is not None and candidate.year is not None:
        gap = abs(wanted.year - candidate.year)
        parts["year"] = 0.0 if gap == 0 else 0.5 if gap == 1 else 1.0
    if wanted.network and candidate.network:
        parts["network"] = _text_distance(wanted.network, candidate.network)
    if wanted.episodes and candidate.episodes:
        parts["episodes"] = 0.0 if wanted.episodes == candidate.episodes else 1.0
    total = sum(WEIGHTS[k] for k in parts)
    distance = sum(WEIGHTS[k] * v for k, v in parts.items()) / total
    return Scored(candidate, round(distance, 3), parts)


def rank(wanted: Wanted, candidates: list[Candidate]) -> list[Scored]:
    return sorted((score(wanted, c) for c in candidates), key=lambda s: s.distance)


def strong(ranked: list[Scored]) -> Scored | None:
    """The best candidate when it is clearly the one; None when the user must choose."""
    if not ranked or ranked[0].distance > STRONG:
        return None
    if len(ranked) > 1 and ranked[1].distance - ranked[0].distance < GAP:
        return None
    return ranked[0]


def season_base(title: str) -> str | None:
    """The title without the later season it names ("Hospital Playlist 2" -> "Hospital
    Playlist"), or None when it names none."""
    match = _SEASON.search(title)
    if not match or not _later(match.group(0)):
        return None
    base = title[: match.start()].strip()
    return base or None


def _later(marker: str) -> bool:
    digits = re.search(r"\d+", marker)
    return digits is not None and 2 <= int(digits.group(0)) <= 20


def needs_details(wanted: Wanted) -> bool:
    """Whether search results alone cannot answer: a network or an episode count to
    compare (TMDB's search gives neither), or a title naming a later season."""
    return bool(wanted.network or wanted.episodes or _SEASON.search(wanted.title))


def rank_with_details(
    wanted: Wanted,
    candidates: list[Candidate],
    details: Callable[[Candidate], list[Candidate]] | None,
) -> list[Scored]:
    """Rank the candidates; when `needs_details`, the closest DETAILS_FOR are replaced by
    their details (a series by its seasons) before ranking again."""
    ranked = rank(wanted, candidates)
    if details is None or not ranked or not needs_details(wanted):
        return ranked
    expanded: list[Candidate] = []
    for scored in ranked[:DETAILS_FOR]:
        expanded += details(scored.candidate) or [scored.candidate]
    expanded += [s.candidate for s in ranked[DETAILS_FOR:]]
    return rank(wanted, expanded)
