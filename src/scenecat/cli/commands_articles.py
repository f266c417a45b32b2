"""Commands for issue work in progress; filled in by its owner."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Adds this module's commands to the app (none yet)."""
