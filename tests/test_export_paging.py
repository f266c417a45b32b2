"""The streaming reads behind `export yaml|jsonl` and long articles (issue 27) give what the
whole-list reads gave: pages of any size join up into the same records in the same order, and
the set-based characters of many dramas are each drama's own credits."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from scenecat.domain import format1
from scenecat.storage import dramas
from scenecat.storage.connection import open_catalogue

Reader = Callable[..., Iterator[dict[str, Any]]]


@pytest.mark.parametrize(
    "read", [format1.actor_records, format1.drama_records, format1.scene_records]
)
def test_pages_of_any_size_give_the_same_records(sample_db: Path, read: Reader) -> None:
    cat = open_catalogue(sample_db, create=False)
    whole = list(read(cat.conn, page=100_000))
    assert len(whole) > 3
    for page in (1, 2, 3, len(whole) - 1, len(whole)):
        assert list(read(cat.conn, page=page)) == whole
    cat.close()


def test_pages_follow_the_index_order_not_the_insertion_order(db: Path, cli: Any) -> None:
    # Added out of order, with names that sort differently in bytes than by eye ("Zé" after
    # "Zz", "a" after "Z"): the file lists them as SQLite's ORDER BY does.
    for name in ("Zé", "Ahn", "Zz", "a", "Ahn Bo"):
        assert cli("add-actor", name).exit_code == 0
    conn = sqlite3.connect(db)
    expected = [r[0] for r in conn.execute("SELECT name FROM actor ORDER BY name")]
    conn.close()
    cat = open_catalogue(db, create=False)
    assert [r["name"] for r in format1.actor_records(cat.conn, page=2)] == expected
    cat.close()


def test_characters_by_drama_are_each_dramas_credits(sample_db: Path) -> None:
    cat = open_catalogue(sample_db, create=False)
    ids = [r[0] for r in cat.conn.execute("SELECT id FROM drama ORDER BY id")]
    found = dramas.characters_by_drama(cat.conn, ids)
    for drama_id in ids:
        one = {c.actor: c.character for c in dramas.credits(cat.conn, drama_id=drama_id)}
        assert found[drama_id] == one
    assert any(found.values())
    cat.close()


def test_an_export_is_one_snapshot_of_the_catalogue(sample_db: Path) -> None:
    """A change committed while an export is under way (after its first sections are
    written) is not in the later ones: the file is the catalogue at one moment."""
    import io

    from scenecat.domain.exporting.catalogue_file import write_yaml

    before = io.StringIO()
    cat = open_catalogue(sample_db, create=False)
    write_yaml(cat.conn, before)

    class Meddling(io.StringIO):
        meddled = False

        def write(self, text: str) -> int:
            if text.startswith("dramas:") and not self.meddled:
                self.meddled = True
                other = sqlite3.connect(sample_db, isolation_level=None)
                other.execute(
                    "INSERT INTO vote (scene_id, voter, score, voted_on) "
                    "SELECT id, 'late-voter', 9, '2024-01-01' FROM scene LIMIT 1"
                )
                other.close()
            return super().write(text)

    during = Meddling()
    write_yaml(cat.conn, during)
    assert during.meddled
    assert during.getvalue() == before.getvalue()
    after = io.StringIO()
    write_yaml(cat.conn, after)
    assert "late-voter" in after.getvalue()
    cat.close()
