"""The walk that finds which sources an article credits (domain/source_credits.py) reads each
record type by a plan made once per type (issue 27: a 10,000-scene article has 40,000
records): it must name exactly the dramas and actors a plain walk of every field finds, for
every built-in template's context and for records a new template could bring."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from scenecat.domain import source_credits
from scenecat.domain.articles import builders
from scenecat.domain.articles.entries import ArticleRequest
from scenecat.domain.scope import Scope
from scenecat.storage.connection import open_catalogue
from tests.conftest import Run
from tests.sources_helpers import FIXTURES

SG = str(FIXTURES / "tmdb-tv-secret-garden.json")


def plain_walk(context: dict[str, Any]) -> tuple[set[str], set[str]]:
    """Every field of every record, looked into by its value (the walk before the plans)."""
    dramas: set[str] = set()
    actors: set[str] = set()
    stack: list[Any] = list(context.values())
    seen: set[int] = set()
    while stack:
        value = stack.pop()
        if isinstance(value, (list, tuple)):
            stack.extend(value)
            continue
        if not dataclasses.is_dataclass(value) or isinstance(value, type) or id(value) in seen:
            continue
        seen.add(id(value))
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        if isinstance(fields.get("drama"), str):
            dramas.add(fields["drama"])
        if isinstance(fields.get("actor"), str):
            actors.add(fields["actor"])
        actors.update(a for a in fields.get("actors") or () if isinstance(a, str))
        if "episode_list" in fields and isinstance(fields.get("title"), str):
            dramas.add(fields["title"])
        if "filmography" in fields and isinstance(fields.get("name"), str):
            actors.add(fields["name"])
        stack.extend(fields.values())
    return dramas, actors


def planned_walk(context: dict[str, Any]) -> tuple[set[str], set[str]]:
    found: dict[str, set[str]] = {}

    def record(conn: object, dramas: set[str], actors: set[str]) -> list[Any]:
        found["dramas"], found["actors"] = set(dramas), set(actors)
        return []

    saved = source_credits.credits_for
    source_credits.credits_for = record  # type: ignore[assignment]
    try:
        source_credits.article_credits(None, context)  # type: ignore[arg-type]
    finally:
        source_credits.credits_for = saved
    return found["dramas"], found["actors"]


REQUESTS = [
    ArticleRequest(limit=40),
    ArticleRequest(template="best-per-drama"),
    ArticleRequest(template="drama", scope=Scope(drama="Secret Garden")),
    ArticleRequest(template="actor", scope=Scope(actors=("Hyun Bin",))),
    ArticleRequest(template="spotlight", scope=Scope(drama="Healer")),
]


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: r.template)
def test_every_template_credits_what_a_plain_walk_finds(
    cli: Callable[..., Run], sample_db: Path, request_: ArticleRequest
) -> None:
    assert cli("add-drama", "Secret Garden", "--from-file", SG).exit_code == 0
    catalogue = open_catalogue(sample_db, create=False)
    try:
        context = builders.build_context(catalogue.conn, request_)
    finally:
        catalogue.conn.close()
    dramas, actors = planned_walk(context)
    assert (dramas, actors) == plain_walk(context)
    assert dramas  # every one of these articles shows a drama


@dataclass
class _Cameo:
    actor: str
    note: str | None = None


@dataclass
class _Box:
    anything: Any  # declared loosely: looked into by its value
    pair: tuple[object, ...] = ()
    names: list[str] = field(default_factory=list)  # plain strings: not looked into
    drama: int = 0  # not a string: names no drama


@dataclass
class _Season:
    title: str
    episode_list: list[int]


def test_records_a_new_template_brings_are_read_through_loose_fields() -> None:
    context: dict[str, Any] = {
        "boxes": [
            _Box(_Box([_Cameo("Lee Min Ho")]), pair=(_Season("Goblin", [1]), "loose")),
            _Box({"drama": "In a dict: not a record"}, names=["Not Credited"]),
        ],
        "cameo": _Cameo("Gong Yoo", note="twice"),
    }
    assert planned_walk(context) == plain_walk(context) == ({"Goblin"}, {"Lee Min Ho", "Gong Yoo"})
