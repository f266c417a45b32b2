"""A scene's moment inside its clip: where in the clip the scene starts and ends.

The moment belongs to the scene's link to the clip, not to the clip (two scenes in one
compilation keep their own) nor to the scene (`at`/`end` are times in the episode, and a
scene may link several clips). It is stored on the link (storage: `scene_source.start_s`,
`end_s`), carried as `start`/`end` of a scene's source record in format 1 and JSON, and in a
CSV sources cell as `URL (1:23-1:41)`.

This module holds the rules every path shares: a moment's checks, the link that plays it
(`deep_link`), its CSV spelling, and the moments a clip offers (its chapters, its "most
replayed" stretch). docs/sources.md states the rules in words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scenecat.errors import InvalidInput
from scenecat.scene_fields import Source
from scenecat.text import format_clock, parse_clip_time

if TYPE_CHECKING:
    from scenecat.sources.videos import ClipInfo, Span


def check(start: int | None, end: int | None, duration: int | None = None) -> None:
    """A moment ends after it starts, and lies inside the clip when its length is known;
    InvalidInput naming the time that is wrong otherwise."""
    if end is not None and end <= (start or 0):
        if start:
            raise InvalidInput(
                f"the moment ends ({format_clock(end)}) before it starts ({format_clock(start)})"
                if end < start
                else f"the moment ends where it starts ({format_clock(start)})"
            )
        raise InvalidInput("the moment ends at 0:00, where the clip starts")
    if duration is None:
        return
    length = format_clock(duration)
    if start is not None and start >= duration:
        raise InvalidInput(f"the moment starts at {format_clock(start)}, past the clip's {length}")
    if end is not None and end > duration:
        raise InvalidInput(f"the moment ends at {format_clock(end)}, past the clip's {length}")


def words(start: int | None, end: int | None) -> str | None:
    """`1:23-1:41`, `from 1:23`, `up to 1:41`; None without a moment."""
    if start is not None and end is not None:
        return f"{format_clock(start)}-{format_clock(end)}"
    if start is not None:
        return f"from {format_clock(start)}"
    if end is not None:
        return f"up to {format_clock(end)}"
    return None


def deep_link(url: str, start: int | None) -> str:
    """The link that plays the clip from the moment's start. A YouTube clip gets YouTube's
    own forms, `youtu.be/ID?t=83` for a youtu.be link and `watch?v=ID&t=83s` for any other
    (a Shorts or embed link takes no `t=`; a share link's tracking parameters go); another
    site a W3C media fragment, `#t=83`. The link as it is without a start."""
    # Imported here: every record parser imports this module for check(), and needs no
    # more of the sources layer.
    from scenecat.sources.videos import clip_key, without_time

    if not start:
        return url
    site, video = clip_key(url)
    if site == "youtube":
        if re.match(r"^https?://(?:www\.)?youtu\.be/", url.strip(), re.IGNORECASE):
            return f"https://youtu.be/{video}?t={start}"
        return f"https://www.youtube.com/watch?v={video}&t={start}s"
    plain = without_time(url)
    return plain if "#" in plain else f"{plain}#t={start}"


# CSV: a sources cell lists links; one with a moment is followed by it in parentheses,
# `https://youtu.be/ID (1:23-1:41)`. A link holds no space, so the two never mix.
_CELL = re.compile(r"^(\S+)\s+\(\s*([^()]*?)\s*\)$")


def cell_item(url: str, start: int | None, end: int | None) -> str:
    """A link as one item of a CSV sources cell, its moment after it."""
    if start is None and end is None:
        return url
    return f"{url} ({format_clock(start) or ''}-{format_clock(end) or ''})"


def from_cell_item(text: str) -> dict[str, object]:
    """One item of a CSV sources cell as a source record: {url, start, end}."""
    match = _CELL.match(text.strip())
    if match is None:
        return {"url": text}
    url, moment = match.groups()
    first, dash, second = moment.partition("-")
    if not dash or not (first.strip() or second.strip()):
        raise InvalidInput(f"({moment}) after {url} is not a moment (e.g. (1:23-1:41))")
    record: dict[str, object] = {"url": url}
    for name, part in (("start", first), ("end", second)):
        if part.strip():
            record[name] = parse_clip_time(part)
    return record


# Offers: moments a clip suggests when the user gave none.


@dataclass(frozen=True)
class Offer:
    start: int
    end: int
    label: str  # "Most replayed", or the chapter's title


# The "most replayed" stretch: the heatmap's peak, widened to the neighbouring points that
# stay at or above this share of the peak's value.
REPLAYED_SHARE = 0.75


def most_replayed(heatmap: Sequence[Span]) -> Offer | None:
    """The stretch around the heatmap's highest point (the first, when several tie) that
    stays at REPLAYED_SHARE of it or more, in whole seconds; None without a heatmap or
    when it is flat (no point stands out)."""
    points = [p for p in heatmap if p.value is not None]
    if not points:
        return None
    values = [p.value or 0.0 for p in points]
    peak = max(values)
    if peak <= 0 or min(values) >= peak * REPLAYED_SHARE:
        return None
    top = values.index(peak)
    first = last = top
    while first > 0 and values[first - 1] >= peak * REPLAYED_SHARE:
        first -= 1
    while last < len(points) - 1 and values[last + 1] >= peak * REPLAYED_SHARE:
        last += 1
    start, end = math.floor(points[first].start), math.ceil(points[last].end)
    return Offer(start, end, "Most replayed") if end > start else None


def chapters(spans: Sequence[Span]) -> list[Offer]:
    """The clip's chapters as moments, in order (whole seconds)."""
    offers = []
    for i, span in enumerate(spans, start=1):
        start, end = math.floor(span.start), math.ceil(span.end)
        if end > start:
            offers.append(Offer(start, end, span.title or f"Chapter {i}"))
    return offers


def offers(clip: ClipInfo) -> tuple[Offer | None, list[Offer]]:
    """(the most replayed stretch, the chapters) of a clip, inside its length (a last
    chapter rounded up past the end stops at it); either may be missing."""

    def inside(offer: Offer | None) -> Offer | None:
        if offer is None or clip.duration_s is None:
            return offer
        end = min(offer.end, clip.duration_s)
        return Offer(offer.start, end, offer.label) if end > offer.start else None

    fitting = [inside(offer) for offer in chapters(clip.chapters)]
    return inside(most_replayed(clip.heatmap)), [o for o in fitting if o is not None]


# The link to watch a scene on.

# Source kinds that are a clip of the scene, the one to watch first.
CLIP_KINDS = ("official-clip", "fan-edit", "episode")


def is_clip(url: str, kind: str | None) -> bool:
    """A link to watch: of a clip kind, or on a video site."""
    from scenecat.sources.videos import clip_key

    return kind in CLIP_KINDS or (kind is None and clip_key(url)[0] != "url")


def watch_order(url: str, kind: str | None, has_moment: bool) -> tuple[int, int] | None:
    """Where a link comes among a scene's links to watch (lower first): an official clip
    before a fan edit before a full episode before a video link of no kind, and within
    each, one holding the scene's moment first; None for a link that is not a clip."""
    if not url or not is_clip(url, kind):
        return None
    rank = CLIP_KINDS.index(kind) if kind in CLIP_KINDS else len(CLIP_KINDS)
    return rank, 0 if has_moment else 1


def watch_index(links: Sequence[tuple[str, str | None, bool]]) -> int | None:
    """The index of the link to watch among (url, kind, has a moment), or None."""
    ranked = [
        (order, i)
        for i, (url, kind, has_moment) in enumerate(links)
        if (order := watch_order(url, kind, has_moment)) is not None
    ]
    return min(ranked)[1] if ranked else None


@dataclass(frozen=True)
class Watch:
    """The link a scene is watched on (`show scene`, `open`), with its moment."""

    source: Source
    url: str  # the deep link: plays from the moment's start
    moment: str | None  # "1:23-1:41"


def watch(sources: Sequence[Source]) -> Watch | None:
    """Where to watch a scene among its sources (watch_index), or None without a clip."""
    # Only a web link is ever opened (a file changed outside scenecat could hold another).
    index = watch_index(
        [
            (
                s.url if s.url.startswith(("https://", "http://")) else "",
                s.kind,
                s.start is not None or s.end is not None,
            )
            for s in sources
        ]
    )
    if index is None:
        return None
    source = sources[index]
    return Watch(source, deep_link(source.url, source.start), words(source.start, source.end))
