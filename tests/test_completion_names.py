"""What Tab offers for a typed start (domain.names.completions, used by shell completion and
add-scene's prompts): folded matching, Hangul, aliases, one form per record (issue 25)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scenecat.domain.names import completions
from scenecat.storage.connection import Catalogue, open_catalogue


@pytest.fixture
def cat(sample_db: Path) -> Iterator[Catalogue]:
    opened = open_catalogue(sample_db, create=False)
    yield opened
    opened.close()


@pytest.mark.parametrize(
    ("kind", "typed", "offered"),
    [
        ("drama", "Mel", ["Melting Me Softly"]),
        ("drama", "mel", ["Melting Me Softly"]),  # case folds
        ("drama", "melting-me", ["Melting Me Softly"]),  # so do hyphens and spaces
        ("drama", "날", ["날 녹여주오"]),  # the native title, as typed in Hangul
        ("drama", "\u1102\u1161\u11af", ["날 녹여주오"]),  # decomposed Hangul (macOS input)
        ("drama", "Melt Me", ["Melt Me Softly"]),  # an alias when only the alias matches
        ("actor", "ji chang", ["Ji Chang Wook"]),
        ("actor", "지창", ["지창욱"]),
        ("scene", "MELTING-ME-SOFTLY-E10-SH", ["melting-me-softly-e10-shower-kiss"]),
    ],
)
def test_a_typed_start_completes(cat: Catalogue, kind: str, typed: str, offered: list[str]) -> None:
    assert completions(cat.conn, kind, typed) == offered


def test_each_record_is_offered_once(cat: Catalogue) -> None:
    # "Melt" starts the title and the alias: the drama once, by its title.
    assert completions(cat.conn, "drama", "Melt") == ["Melting Me Softly"]
    kims = completions(cat.conn, "actor", "Kim")
    assert len(kims) == len(set(kims)) >= 3


def test_like_wildcards_are_plain_letters(cat: Catalogue) -> None:
    assert completions(cat.conn, "drama", "%") == []
    assert completions(cat.conn, "scene", "_") == []
