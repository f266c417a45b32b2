"""Property: export -> import -> export is identical for generated catalogues, whatever the text."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenecat import yamlio
from scenecat.domain.exporting.catalogue_file import write_jsonl, write_yaml
from scenecat.domain.importing import import_file
from scenecat.storage.connection import open_catalogue

pytestmark = pytest.mark.slow

# Letters fans actually type plus the troublemakers: Hangul, emoji, quotes, colons, markup.
ALPHABET = st.sampled_from(
    list("abcXYZ 019-'\":#&*|[]{}!?%@`<>/\\,.")
    + ["지", "창", "욱", "날", "녹", "여", "주", "오", "😀", "💋", "é", "ñ", "\u0301"]
    + ["[bold]", "[/]", "- ", ": ", "yes", "on", "null", "~"]
)
NAME = st.lists(ALPHABET, min_size=1, max_size=12).map("".join).filter(lambda s: s.strip() != "")
TEXT = st.lists(st.one_of(ALPHABET, st.sampled_from(["\n", "\t", "\n\n"])), max_size=40).map(
    "".join
)
DATE = st.dates(
    min_value=__import__("datetime").date(2000, 1, 1),
    max_value=__import__("datetime").date(2024, 12, 31),
)


@st.composite
def catalogues(draw: Any) -> dict[str, Any]:
    actor_names = draw(
        st.lists(NAME, min_size=1, max_size=5, unique_by=lambda s: " ".join(s.split()))
    )
    actors = [
        {"name": name, "native": draw(st.none() | NAME), "aliases": draw(st.lists(NAME, max_size=2)),
         "born": draw(st.none() | st.integers(1950, 2005))}
        for name in actor_names
    ]  # fmt: skip
    titles = draw(st.lists(NAME, min_size=1, max_size=3, unique_by=lambda s: " ".join(s.split())))
    dramas = []
    for title in titles:
        cast_names = draw(
            st.lists(st.sampled_from(actor_names), min_size=1, max_size=3, unique=True)
        )
        dramas.append({
            "title": title, "network": draw(st.none() | NAME), "year": draw(st.none() | st.integers(1990, 2024)),
            "episodes": 16, "synopsis": draw(st.none() | TEXT),
            "cast": [{"actor": a, "character": draw(st.none() | NAME), "role": draw(st.sampled_from(["main", "support"]))} for a in cast_names],
            "episode_list": [{"number": n, "aired": draw(DATE)} for n in draw(st.lists(st.integers(1, 16), max_size=2, unique=True))],
        })  # fmt: skip
    scenes = []
    for i in range(draw(st.integers(0, 5))):
        drama = draw(st.sampled_from(dramas))
        cast = [c["actor"] for c in drama["cast"]]
        scenes.append({
            "key": f"scene-{i}", "drama": drama["title"], "episode": draw(st.integers(1, 16)),
            "kind": draw(st.sampled_from(["kiss", "confession", "first-meeting"])),
            "title": draw(NAME), "actors": draw(st.lists(st.sampled_from(cast), min_size=1, unique=True)),
            "spoiler": draw(st.sampled_from(["none", "minor", "major", "ending"])),
            "tags": draw(st.lists(NAME, max_size=2)), "description": draw(st.none() | TEXT),
            "location": draw(st.none() | NAME),
            "views": [{"count": draw(st.integers(0, 10**9)), "on": draw(DATE), "source": draw(NAME)}
                      for _ in range(draw(st.integers(0, 2)))],
        })  # fmt: skip
    keys = [s["key"] for s in scenes]
    votes = []
    duels = []
    if keys:
        for _ in range(draw(st.integers(0, 4))):
            votes.append({"scene": draw(st.sampled_from(keys)), "score": draw(st.integers(1, 10)),
                          "voter": draw(NAME), "on": draw(DATE)})  # fmt: skip
    if len(keys) >= 2:
        for _ in range(draw(st.integers(0, 3))):
            winner, loser = draw(
                st.lists(st.sampled_from(keys), min_size=2, max_size=2, unique=True)
            )
            duels.append({"winner": winner, "loser": loser, "voter": draw(NAME), "on": draw(DATE)})
    return {"format": "scenecat/1", "actors": actors, "dramas": dramas, "scenes": scenes,
            "votes": votes, "duels": duels}  # fmt: skip


def _import_then_export(source: Path, folder: Path, name: str) -> tuple[str, str]:
    cat = open_catalogue(folder / f"{name}.db")
    try:
        with cat.write("import") as conn:
            import_file(conn, source)
        yaml_out, jsonl_out = io.StringIO(), io.StringIO()
        write_yaml(cat.conn, yaml_out)
        write_jsonl(cat.conn, jsonl_out)
        return yaml_out.getvalue(), jsonl_out.getvalue()
    finally:
        cat.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogues())
def test_export_import_export_is_identical(catalogue: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "source.yaml"
        source.write_text(yamlio.dump(catalogue), encoding="utf-8")
        first_yaml, first_jsonl = _import_then_export(source, folder, "one")
        again = folder / "again.yaml"
        again.write_text(first_yaml, encoding="utf-8")
        second_yaml, second_jsonl = _import_then_export(again, folder, "two")
        assert second_yaml == first_yaml
        assert second_jsonl == first_jsonl
        via_jsonl = folder / "again.jsonl"
        via_jsonl.write_text(first_jsonl, encoding="utf-8")
        third_yaml, _ = _import_then_export(via_jsonl, folder, "three")
        assert third_yaml == first_yaml
        # Nothing was lost on the way: every scene and vote of the source is in the export.
        exported = yamlio.load(first_yaml)
        assert len(exported["scenes"]) == len(catalogue["scenes"])
        assert len(exported["actors"]) == len(catalogue["actors"])
        assert sorted(s["key"] for s in exported["scenes"]) == sorted(
            s["key"] for s in catalogue["scenes"]
        )
