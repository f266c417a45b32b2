"""Metadata sources as pluggy plugins (entry-point group `scenecat`, as llm and sqlite-utils do).

A plugin package declares, in its pyproject.toml:

    [project.entry-points.scenecat]
    mysource = "my_package.scenecat_plugin"

and its module implements the hook:

    from scenecat.sources.plugins import hookimpl

    @hookimpl
    def register_sources(register):
        register(MySource())

A source is any object with the attributes and methods of `Source` below. Two more methods
are optional: `details(candidate) -> list[Candidate]` (facts the search results lack, such
as network and episode count; `lookup` calls it when they matter) and
`candidates_from_saved(data) -> list[Candidate]` (`lookup --from-file`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import pluggy

from scenecat.errors import NotFound
from scenecat.sources import builtin
from scenecat.sources.facts import Candidate, DramaFacts, Person
from scenecat.sources.markers import hookimpl, hookspec

# hookimpl is what a plugin imports from here (see above).
__all__ = ["Hooks", "Source", "all_sources", "get_source", "hookimpl", "hookspec"]


class Source(Protocol):
    name: str
    summary: str  # what it provides, one line
    terms: str  # licence / attribution to show the user
    setup: str | None  # what it needs, e.g. an API key variable; None when nothing

    def search(self, title: str, year: int | None) -> list[Candidate]: ...

    def drama(self, ext_id: str) -> DramaFacts: ...

    # ext_id picks the drama when the saved answer holds several (a TMDB season); it is
    # passed only when the user gave one.
    def drama_from_saved(self, data: Any, ext_id: str | None = None) -> DramaFacts: ...

    def person(self, ext_id: str) -> Person: ...


class Hooks:
    @hookspec
    def register_sources(self, register: Callable[[Source], None]) -> None:
        """Call register(source) for each metadata source the plugin offers."""


def _manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager("scenecat")
    pm.add_hookspecs(Hooks)
    pm.register(builtin, "builtin")
    pm.load_setuptools_entrypoints("scenecat")
    return pm


def all_sources() -> dict[str, Source]:
    """Every installed source by name; built-ins first, then plugins in load order."""
    found: dict[str, Source] = {}

    def register(source: Source) -> None:
        found.setdefault(source.name, source)

    _manager().hook.register_sources(register=register)
    builtin_first = sorted(found.values(), key=lambda s: s.name not in ("wikidata", "tmdb"))
    return {s.name: s for s in builtin_first}


def get_source(name: str) -> Source:
    sources = all_sources()
    if name not in sources:
        raise NotFound(
            f"no metadata source called {name!r}",
            hint=f"installed: {', '.join(sources)} (see `scenecat sources`)",
        )
    return sources[name]
