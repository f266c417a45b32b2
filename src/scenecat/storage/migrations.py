"""Every step of the catalogue's schema, in order: its whole history in one place.

Each step runs inside one transaction together with the record of it having been applied
(sqlite-utils' `_sqlite_migrations`, migration set "scenecat"). Step names never change
once released: a catalogue is upgraded by the names it has not yet recorded.
`PRAGMA user_version` mirrors the number of steps, so opening an up-to-date catalogue needs
neither sqlite-utils nor a table scan.

The SQL of a step stays with the feature it serves; the order and the list live here. A
step imports its module when it runs, so that opening an up-to-date catalogue (which only
asks schema_version()) imports none of them (~25 ms).

A new migration: write its function in the module that owns the tables, add a step below
with the next number, and a test that upgrades tests/fixtures/catalogue-schema2.db.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

Step = Callable[["Database"], None]


def _initial(db: Database) -> None:
    from scenecat.storage import schema

    schema.create_tables(db)


def _search_index(db: Database) -> None:
    from scenecat.storage import search_index

    search_index.create_index(db)


def _search_layout(db: Database) -> None:
    from scenecat.storage import search_index

    search_index.upgrade_layout(db)


def _scene_text_search(db: Database) -> None:
    from scenecat.storage import scene_text_index

    scene_text_index.create_index(db)


def _history(db: Database) -> None:
    from scenecat.storage import changelog

    changelog.create_history(db)


def _ranking_indexes(db: Database) -> None:
    from scenecat.storage import rank_queries

    rank_queries.create_indexes(db)


def _credit_roles_and_name_keys(db: Database) -> None:
    from scenecat.storage import dramas

    dramas.credit_roles_and_name_keys(db)


def _scene_signals(db: Database) -> None:
    from scenecat.storage import scene_signals

    scene_signals.create_signals(db)


def _scene_columns(db: Database) -> None:
    from scenecat.storage import scenes

    scenes.add_declared_columns(db)


def _source_ids(db: Database) -> None:
    from scenecat.storage import source_ids

    source_ids.create_tables(db)


def _source_links(db: Database) -> None:
    from scenecat.storage import scenes

    scenes.index_source_links(db)


def _clip_moments(db: Database) -> None:
    from scenecat.storage import scenes

    scenes.add_moment_columns(db)


def _look_alike_keys(db: Database) -> None:
    from scenecat.storage import dramas

    dramas.remake_name_keys(db)


def _watch_progress(db: Database) -> None:
    from scenecat.storage import progress

    progress.upgrade_table(db)


def _duel_strengths(db: Database) -> None:
    from scenecat.storage import scene_signals

    scene_signals.add_strengths(db)


def _drama_filter_indexes(db: Database) -> None:
    from scenecat.storage import rank_queries

    rank_queries.create_drama_indexes(db)


MIGRATIONS: list[tuple[str, Step]] = [
    ("0001_initial", _initial),
    ("0002_search_index", _search_index),
    # Catalogues written before the `terms` column (schema 2) get the index rebuilt.
    ("0003_search_terms", _search_layout),
    ("0004_history", _history),
    ("0005_ranking_indexes", _ranking_indexes),
    # One credit per character; keys of non-ASCII names made again.
    ("0006_credit_roles_and_name_keys", _credit_roles_and_name_keys),
    ("0007_scene_signals", _scene_signals),
    ("0008_source_ids", _source_ids),
    # The search document gains a column per searchable field (location); a later
    # searchable field adds one more line like this, after the step adding its column.
    ("0009_search_location", _search_layout),
    # Removals sweep the sources they leave unlinked: scene_source gets an index by source.
    # Sources orphaned before stay (undo of those removals needs them back); they are
    # harmless now that an import links to a source by its URL on every path.
    ("0010_source_links", _source_links),
    # Name keys fold look-alikes with Unicode's confusables data (Armenian, Cherokee, small
    # capitals...) and drop the braille blank: the keys of non-ASCII names made again.
    ("0011_look_alike_keys", _look_alike_keys),
    # The first schema's watch_progress (drama, episode) gains a status and dates.
    ("0012_watch_progress", _watch_progress),
    # A scene's moment inside a linked clip (`t=83`): scene_source gets start_s and end_s.
    ("0013_clip_moments", _clip_moments),
    # A full-text index declared on `scene` itself (its own text), found by sqlite-utils
    # and by Datasette without scenecat's metadata; scenecat's search keeps scene_search_fts.
    ("0014_scene_text_search", _scene_text_search),
    # Each scene's Bradley-Terry strength cached in scene_signal, fitted again when a duel
    # of its component changes; each score class's most views and strongest scene; the
    # class indexes end with views (a ranking reads a class best first).
    ("0015_duel_strengths", _duel_strengths),
    # Scopes filtered by network or years start from their dramas.
    ("0016_drama_filter_indexes", _drama_filter_indexes),
    # A new scene field (scene_fields.py): ("NNNN_scene_NAME", _scene_columns) adds its
    # column, then ("NNNN_search_NAME", _search_layout) when it is searchable.
]


def schema_version() -> int:
    """The user_version an up-to-date catalogue carries: the number of steps."""
    return len(MIGRATIONS)


def build_migrations() -> Migrations:
    from sqlite_utils.migrations import Migrations

    migrations = Migrations("scenecat")
    for name, step in MIGRATIONS:
        migrations(name=name)(step)
    return migrations
