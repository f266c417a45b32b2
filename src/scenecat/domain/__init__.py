"""Domain layer: plain functions over dataclasses; no Typer, no Rich, no printing."""
