"""Plain records passed between the layers."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

# The records a scene's views and sources are made of.
from scenecat.scene_fields import SceneFacts, Source, ViewCount

if TYPE_CHECKING:
    from scenecat.people_models import Actor, Credit, Drama, Episode

__all__ = [
    "DEFAULT_VOTER",
    "ROLES",
    "SOURCE_KINDS",
    "SPOILER_LEVELS",
    "Actor",
    "Credit",
    "Drama",
    "Episode",
    "Scene",
    "SceneFacts",
    "Source",
    "ViewCount",
]

SPOILER_LEVELS = ("none", "minor", "major", "ending")
ROLES = ("main", "support", "guest", "cameo")
SOURCE_KINDS = ("official-clip", "fan-edit", "article", "episode")
DEFAULT_VOTER = "me"

# The records of actors and dramas live in people_models.py, made on first use: a scene
# command (every `rank`) never builds one, and making their dataclasses cost about 12 M
# instructions at start-up (issue 27's `rank --actor` budget).
_PEOPLE = frozenset({"Actor", "Credit", "Drama", "Episode"})


def __getattr__(name: str) -> Any:
    if name in _PEOPLE:
        from scenecat import people_models

        return getattr(people_models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(kw_only=True)
class Scene(SceneFacts):
    """A stored scene: its declared fields (scene_fields.py) and where it belongs."""

    id: int
    key: str
    drama_id: int
    drama: str
    network: str | None = None
    year: int | None = None

    @property
    def latest_views(self) -> ViewCount | None:
        """The view count ranking uses (latest_view)."""
        return latest_view(self.views)


def latest_view(views: list[ViewCount]) -> ViewCount | None:
    """The count ranking uses: per source the largest count on its latest date (undated
    ones count as oldest), then the largest of those, so a small re-upload seen last
    does not hide the official clip's count. A function of the list, so that an export
    can write it for any field holding view counts."""
    best: dict[str, ViewCount] = {}
    for view in views:
        current = best.get(view.source)
        if current is None or (view.on or "", view.count) > (current.on or "", current.count):
            best[view.source] = view
    if not best:
        return None
    return max(best.values(), key=lambda v: (v.count, v.on or "", v.source))


def as_read(view: ViewCount | None, sources: list[Source]) -> ViewCount | None:
    """A view count as a reader sees it: its source named as source_as_read names it."""
    if view is None:
        return None
    label = source_as_read(view.source, sources)
    return view if label == view.source else replace(view, source=label)


def source_as_read(label: str, sources: list[Source]) -> str:
    """A view count's source as a reader sees it: counts read from a clip are stored under the
    clip's URL (one series per upload, which `views refresh` and `trending` follow), and read
    as the channel that published it when the scene's link to that clip names one."""
    if label.startswith(("http://", "https://")):
        for source in sources:
            if source.url == label and source.publisher:
                return source.publisher
    return label
