"""What an import did (ImportReport), and what every importer offers: the record-by-record
one (one_by_one.py) and the bulk one for a fresh catalogue (bulk_importer.py) share
this module and nothing else, so neither imports the other."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from scenecat.domain.format1 import SECTIONS

# The progress label once the records are in and the search index is being built.
INDEX_STAGE = "Building the search index"


@dataclass
class ImportReport:
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    seen: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    warnings: list[str] = field(default_factory=list)
    # records that existed and now hold different values, and what changed in each
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    changes: list[str] = field(default_factory=list)
    # kinds no scene had and that are not built in, and scenes taken for copies of another
    # of their episode (both accepted; findings.py)
    new_kinds: list[str] = field(default_factory=list)
    near_duplicates: list[str] = field(default_factory=list)
    romanisations: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())


class Importer(Protocol):
    """Applies a file's records in file order inside the caller's transaction."""

    report: ImportReport

    def apply(self, section: str, raw: Any, path: str) -> None:
        """Parse one record (`raw`, found at `path` in the file) and write it."""

    def finish(self) -> ImportReport:
        """Write what is pending, bring the search index up to date, and report."""
