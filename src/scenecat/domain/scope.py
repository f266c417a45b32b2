"""The scope of a listing, search, rank or export: filters as users type them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


# Keyword-only: a positional call would silently mis-assign the filters if the fields were
# ever reordered. The CLI fills it from its flags in one place,
# cli/common.scope_options (common.SCOPE_FILTERS names the field of each flag).
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

    def as_json(self) -> dict[str, Any]:
        """The filters by name, as `--json` outputs show them: a declared filter field is a
        key of its own (when given), actors a list."""
        data = asdict(self)
        data.update(dict(data.pop("fields")))
        data["actors"] = list(self.actors)
        return data
