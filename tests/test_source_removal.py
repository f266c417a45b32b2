"""A source lives as long as a scene links to it: removing a drama, a scene, or a scene's link
(in `edit`) takes the sources it leaves unlinked, in the same change (undo brings them
back), and importing the same file again works (issue #26: an orphan `source` row kept its
URL, and the re-import died with "UNIQUE constraint failed: source.url ... report it")."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run, dump

FILE = """format: scenecat/1
actors:
  - name: Gong Yoo
dramas:
  - title: Goblin
    cast:
      - actor: Gong Yoo
  - title: Coffee Prince
    cast:
      - actor: Gong Yoo
scenes:
  - key: goblin-first-snow
    drama: Goblin
    title: The first snow
    kind: confession
    actors: [Gong Yoo]
    sources:
      - {url: "https://example.org/goblin-snow", title: Snow clip, publisher: tvN}
      - {url: "https://example.org/gong-yoo-best", title: Best of Gong Yoo}
  - key: coffee-prince-kiss
    drama: Coffee Prince
    title: The kiss
    kind: kiss
    actors: [Gong Yoo]
    sources:
      - {url: "https://example.org/gong-yoo-best", title: Best of Gong Yoo}
"""


def _sources(db: Path) -> dict[str, int]:
    """URL -> how many scenes link to it, for every source row."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT url, (SELECT count(*) FROM scene_source WHERE source_id = source.id) "
            "FROM source ORDER BY url"
        ).fetchall()
    conn.close()
    return dict(rows)


@pytest.fixture
def catalogue_file(tmp_path: Path) -> Path:
    path = tmp_path / "goblin.yaml"
    path.write_text(FILE, encoding="utf-8")
    return path


def test_removing_a_drama_and_its_actor_then_importing_again(
    db: Path, cli: Callable[..., Run], catalogue_file: Path
) -> None:
    assert cli("import", str(catalogue_file)).exit_code == 0
    first = cli("export", "yaml").stdout
    for args in (("drama", "Goblin"), ("drama", "Coffee Prince"), ("actor", "Gong Yoo")):
        result = cli("remove", *args, "--yes")
        assert result.exit_code == 0, result.stderr
    assert _sources(db) == {}
    again = cli("import", str(catalogue_file))
    assert again.exit_code == 0, again.stderr
    assert "report it" not in again.stderr
    assert cli("export", "yaml").stdout == first


def test_a_source_another_scene_links_to_stays(
    db: Path, cli: Callable[..., Run], catalogue_file: Path
) -> None:
    assert cli("import", str(catalogue_file)).exit_code == 0
    before = dump(db)
    assert cli("remove", "drama", "Goblin", "--yes").exit_code == 0
    assert _sources(db) == {"https://example.org/gong-yoo-best": 1}
    # The removal and its sources are one change: undo brings both back.
    assert cli("undo", "--yes").exit_code == 0
    assert dump(db) == before
    assert cli("remove", "scene", "coffee-prince-kiss", "--yes").exit_code == 0
    assert _sources(db) == {
        "https://example.org/gong-yoo-best": 1,
        "https://example.org/goblin-snow": 1,
    }


@pytest.mark.slow
def test_an_edit_taking_a_link_off_takes_the_unlinked_source(
    db: Path, cli: Callable[..., Run], catalogue_file: Path, tmp_path: Path
) -> None:
    from tests.fixtures.safety import python_env
    from tests.terminal import Terminal

    assert cli("import", str(catalogue_file)).exit_code == 0
    script = tmp_path / "editor.py"
    script.write_text(
        "import pathlib, sys, yaml\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "r = yaml.safe_load(p.read_text())\n"
        "r['sources'] = [s for s in r['sources'] if 'snow' not in s['url']]\n"
        "p.write_text(yaml.safe_dump(r, allow_unicode=True))\n",
        encoding="utf-8",
    )
    editor = f"{sys.executable} {script}"
    env = python_env(EDITOR=editor, VISUAL=editor, SCENECAT_DB=str(db))
    for _ in range(2):  # the second edit keeps the link: its source stays, facts and all
        term = Terminal(["edit", "scene", "goblin-first-snow"], env, cwd=tmp_path)
        assert term.wait() == 0, term.output
        assert _sources(db) == {"https://example.org/gong-yoo-best": 2}
    with sqlite3.connect(db) as conn:
        kept = conn.execute("SELECT title FROM source").fetchall()
    conn.close()
    assert kept == [("Best of Gong Yoo",)]


def test_a_source_orphaned_by_an_older_scenecat_does_not_break_an_import(
    db: Path, cli: Callable[..., Run], catalogue_file: Path
) -> None:
    """Catalogues written before removals swept their sources may hold unlinked ones: an
    import into a catalogue otherwise empty links to them by URL instead of dying."""
    assert cli("import", str(catalogue_file)).exit_code == 0
    first = cli("export", "yaml").stdout
    for args in (("drama", "Goblin"), ("drama", "Coffee Prince"), ("actor", "Gong Yoo")):
        assert cli("remove", *args, "--yes").exit_code == 0
    with sqlite3.connect(db) as conn:  # what the old removal left behind
        conn.execute(
            "INSERT INTO source (url, title) VALUES "
            "('https://example.org/goblin-snow', 'Snow clip'), "
            "('https://example.org/gong-yoo-best', 'Best of Gong Yoo')"
        )
    conn.close()
    again = cli("import", str(catalogue_file))
    assert again.exit_code == 0, again.stderr
    assert "report it" not in again.stderr
    assert _sources(db) == {
        "https://example.org/gong-yoo-best": 2,
        "https://example.org/goblin-snow": 1,
    }
    assert cli("export", "yaml").stdout == first
