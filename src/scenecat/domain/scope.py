"""The scope of a listing, search, rank or export: filters as users type them."""

from __future__ import annotations

from dataclasses import dataclass


# Keyword-only: four commands pass seven or eight filters, and a positional call would
# silently mis-assign them if the fields were ever reordered (issue 14).
@dataclass(kw_only=True)
class Scope:
    """Filters as users type them (names, not ids)."""

    actors: tuple[str, ...] = ()
    drama: str | None = None
    kind: str | None = None
    network: str | None = None
    year: str | None = None
    episode: int | None = None
    spoiler: str | None = None
    tag: str | None = None
    # (declared field, value) for the fields scene_fields.py marks `filter`: equal text
    fields: tuple[tuple[str, str], ...] = ()
