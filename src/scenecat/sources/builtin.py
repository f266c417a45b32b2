"""The sources that come with scenecat, registered through the same hook plugins use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scenecat.sources.markers import hookimpl


@hookimpl
def register_sources(register: Callable[[Any], None]) -> None:
    from scenecat.sources.tmdb import Tmdb
    from scenecat.sources.wikidata import Wikidata

    register(Wikidata())
    register(Tmdb())
