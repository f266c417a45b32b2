"""Your screens respect your progress: which scenes are past it, and what is shown of them.

A scene is *past your progress* when its drama has stored progress that is not `completed`,
it carries a spoiler level above `none`, and it happens after the last episode seen (or its
episode is unknown). `--spoilers` says what a screen does with such a scene:

- `hide` (the default): the scene is dropped (listings and searches, where the filters or
  words a user typed could describe it) or masked in place ("a scene in episode 16", in
  rankings, trending and a drama's page, so positions do not move);
- `warn`: shown, marked as past your progress;
- `show`: shown as if no progress were stored.

A drama without progress is never affected. The guard reads one small table once per
command (`storage.progress.seen_map`), and a check is a dictionary look-up per scene.
`SpoilerGuard.past()` is the predicate other features (duel sessions) use.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from scenecat.errors import UsageError

if TYPE_CHECKING:
    from scenecat.domain.scope import Scope
    from scenecat.domain.search import SearchHit, SearchResult
    from scenecat.models import Scene

MODES = ("show", "hide", "warn")
T = TypeVar("T")


def check_mode(mode: str) -> str:
    value = mode.strip().lower()
    if value not in MODES:
        raise UsageError(
            f"--spoilers {mode!r} is not one of {', '.join(MODES)}",
            hint="--spoilers says what to do with scenes past your progress; "
            "--spoiler LEVEL filters by a scene's spoiler level",
        )
    return value


def is_past_progress(
    seen: tuple[int, str] | None, episode: int | None, spoiler: str | None
) -> bool:
    """The rule itself, for one scene: `seen` is (episodes seen, status) of its drama."""
    from scenecat.storage.progress import is_past_progress as rule

    return rule(seen, episode, spoiler)


class SpoilerGuard:
    """The stored progress and what to do with scenes past it. (A plain class: every
    listing command imports this module, and a dataclass costs ~0.5 ms to create.)"""

    __slots__ = ("mode", "seen")

    def __init__(self, mode: str = "hide", seen: Mapping[int, tuple[int, str]] | None = None):
        self.mode = mode
        self.seen: Mapping[int, tuple[int, str]] = seen or {}

    @property
    def active(self) -> bool:
        """Whether any scene can be affected: progress is stored and not everything shown."""
        return bool(self.seen) and self.mode != "show"

    def past(self, drama_id: int, episode: int | None, spoiler: str | None) -> bool:
        return is_past_progress(self.seen.get(drama_id), episode, spoiler)

    def hides(self, drama_id: int, episode: int | None, spoiler: str | None) -> bool:
        return self.mode == "hide" and self.past(drama_id, episode, spoiler)

    def warns(self, drama_id: int, episode: int | None, spoiler: str | None) -> bool:
        return self.mode == "warn" and self.past(drama_id, episode, spoiler)

    def hides_scene(self, scene: Any) -> bool:
        """For anything with drama_id, episode and spoiler (a Scene, a search hit)."""
        return self.hides(scene.drama_id, scene.episode, scene.spoiler)

    def warns_scene(self, scene: Any) -> bool:
        return self.warns(scene.drama_id, scene.episode, scene.spoiler)

    def seen_in(self, drama_id: int) -> int:
        return self.seen[drama_id][0]


def load_guard(conn: sqlite3.Connection, mode: str = "hide") -> SpoilerGuard:
    """The guard of the stored progress (`mode` checked). With `show`, nothing is read."""
    mode = check_mode(mode)
    if mode == "show":
        return SpoilerGuard(mode)
    from scenecat.storage import progress

    return SpoilerGuard(mode, progress.seen_map(conn))


def masked_title(episode: int | None) -> str:
    """What a hidden scene is called: only where it is."""
    return f"a scene in episode {episode}" if episode is not None else "a scene"


# What a table cell shows for a masked scene: the episode has a column of its own, and a
# short word is never cut at any width (the footer line says why it is hidden).
MASKED_CELL = "(hidden)"


def mask_json(data: dict[str, Any], keep: tuple[str, ...]) -> dict[str, Any]:
    """A hidden entry of a `--json` listing: the keys in `keep` (where it is, its place),
    and `"hidden": true`; title, key, kind, actors and text are left out."""
    masked = {k: data[k] for k in keep if k in data}
    masked["title"] = masked_title(data.get("episode"))
    masked["hidden"] = True
    return masked


def drop_hidden(
    fetch: Callable[[int | None], tuple[list[T], bool]],
    limit: int | None,
    hidden: Callable[[T], bool],
    ceiling: int,
) -> tuple[list[T], bool, int]:
    """The first `limit` items that are not hidden, whether more follow, and how many hidden
    ones were passed on the way. `fetch(n)` gives the first n items (None: all) and whether
    more exist; it is asked again for more only when hidden items left the page short."""
    if limit is None:
        found, more = fetch(None)
        kept = [item for item in found if not hidden(item)]
        return kept, more, len(found) - len(kept)
    want = limit + 1  # one more than shown: whether more visible ones follow
    while True:
        found, more = fetch(min(want, ceiling))
        kept = [item for item in found if not hidden(item)]
        if len(kept) > limit or not more or want >= ceiling:
            break
        want = min(ceiling, want * 2 + len(found) - len(kept))
    # The hidden ones counted are those passed before the page's end (the first visible
    # item after it, or the end of what was read).
    dropped = 0
    visible = 0
    for item in found:
        if hidden(item):
            dropped += 1
        else:
            visible += 1
            if visible > limit:
                break
    return kept[:limit], len(kept) > limit, dropped


def hidden_line(count: int, guard: SpoilerGuard, masked: bool) -> str | None:
    """The one dim line a screen adds under what it shows, or None when nothing was hidden."""
    if not count:
        return None
    noun = "scene" if count == 1 else "scenes"
    how = "masked" if masked else "hidden"
    return f"{count} {noun} past your progress {how}; --spoilers show shows them."


def warned_line(count: int) -> str | None:
    if not count:
        return None
    noun = "scene is" if count == 1 else "scenes are"
    return f"{count} {noun} past your progress (marked !); --spoilers hide hides them."


# The screens that drop hidden scenes. Each reads what it read before progress existed, and
# reads again (a longer page) only when hidden scenes left the page short.


def list_scenes(
    conn: sqlite3.Connection, scope: Scope, limit: int | None, guard: SpoilerGuard
) -> tuple[list[Scene], bool, int]:
    """`list scenes`: (scenes shown, more match, scenes hidden on the way)."""
    from scenecat.domain import browse

    if not guard.active or guard.mode != "hide":
        found, more = browse.list_scenes(conn, scope, limit)
        return found, more, 0
    from scenecat.storage import scenes

    filt = browse.resolve_scope(conn, scope)
    browse.check_limit(limit)

    def fetch(count: int | None) -> tuple[list[Scene], bool]:
        rows = scenes.list_scenes(conn, filt, limit=None if count is None else count + 1)
        if count is None or len(rows) <= count:
            return rows, False
        return rows[:count], True

    return drop_hidden(fetch, limit, guard.hides_scene, _CEILING)


def search(
    conn: sqlite3.Connection, text: str, scope: Scope, limit: int | None, guard: SpoilerGuard
) -> tuple[SearchResult, int]:
    """`search`: the result without hidden hits, and how many were passed over."""
    from scenecat.domain.search import search as run_search

    result = run_search(conn, text, scope, limit)
    if guard.mode != "hide" or not any(guard.hides_scene(hit) for hit in result.hits):
        return result, 0

    def fetch(count: int | None) -> tuple[list[SearchHit], bool]:
        if count == result.limit:
            return result.hits, result.more
        again = run_search(conn, text, scope, count)
        return again.hits, again.more

    hits, more, dropped = drop_hidden(fetch, result.limit, guard.hides_scene, _CEILING)
    result.hits, result.more = hits, more
    return result, dropped


_CEILING = 100_000  # browse.MAX_LIMIT: a page never grows past what --limit may ask
