"""The catalogue's first tables (migration 0001_initial).

Later steps live with the feature they serve; storage/migrations.py lists every step in
order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scenecat.storage.ddl import run_in_transaction

if TYPE_CHECKING:
    from sqlite_utils import Database

INITIAL = """
CREATE TABLE IF NOT EXISTS actor (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    name_key TEXT NOT NULL,
    native TEXT,
    native_key TEXT,
    born INTEGER
);
CREATE INDEX IF NOT EXISTS actor_by_key ON actor(name_key);
CREATE INDEX IF NOT EXISTS actor_by_native ON actor(native_key);
CREATE TABLE IF NOT EXISTS actor_alias (
    actor_id INTEGER NOT NULL REFERENCES actor(id) ON DELETE CASCADE,
    alias TEXT NOT NULL,
    alias_key TEXT NOT NULL,
    PRIMARY KEY (actor_id, alias)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS actor_alias_by_key ON actor_alias(alias_key);
CREATE TABLE IF NOT EXISTS drama (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL UNIQUE,
    title_key TEXT NOT NULL,
    native TEXT,
    native_key TEXT,
    network TEXT,
    country TEXT,
    year INTEGER,
    episodes INTEGER,
    synopsis TEXT
);
CREATE INDEX IF NOT EXISTS drama_by_key ON drama(title_key);
CREATE INDEX IF NOT EXISTS drama_by_native ON drama(native_key);
CREATE TABLE IF NOT EXISTS drama_alias (
    drama_id INTEGER NOT NULL REFERENCES drama(id) ON DELETE CASCADE,
    alias TEXT NOT NULL,
    alias_key TEXT NOT NULL,
    PRIMARY KEY (drama_id, alias)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS drama_alias_by_key ON drama_alias(alias_key);
CREATE TABLE IF NOT EXISTS episode (
    id INTEGER PRIMARY KEY,
    drama_id INTEGER NOT NULL REFERENCES drama(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    aired TEXT,
    title TEXT,
    rating REAL,
    UNIQUE (drama_id, number)
);
CREATE TABLE IF NOT EXISTS credit (
    id INTEGER PRIMARY KEY,
    actor_id INTEGER NOT NULL REFERENCES actor(id) ON DELETE CASCADE,
    drama_id INTEGER NOT NULL REFERENCES drama(id) ON DELETE CASCADE,
    character TEXT,
    role TEXT NOT NULL DEFAULT 'main',
    billing INTEGER,
    UNIQUE (drama_id, actor_id)
);
CREATE INDEX IF NOT EXISTS credit_by_actor ON credit(actor_id, drama_id);
CREATE TABLE IF NOT EXISTS scene (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    drama_id INTEGER NOT NULL REFERENCES drama(id),
    episode INTEGER,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    start_s INTEGER,
    end_s INTEGER,
    spoiler TEXT NOT NULL DEFAULT 'none',
    location TEXT
);
CREATE INDEX IF NOT EXISTS scene_by_drama ON scene(drama_id, episode);
CREATE INDEX IF NOT EXISTS scene_by_kind ON scene(kind);
CREATE TABLE IF NOT EXISTS scene_tag (
    scene_id INTEGER NOT NULL REFERENCES scene(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (scene_id, tag)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS scene_actor (
    scene_id INTEGER NOT NULL REFERENCES scene(id) ON DELETE CASCADE,
    actor_id INTEGER NOT NULL REFERENCES actor(id),
    position INTEGER NOT NULL DEFAULT 0,
    character TEXT,
    PRIMARY KEY (scene_id, actor_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS scene_actor_by_actor ON scene_actor(actor_id, scene_id);
CREATE TABLE IF NOT EXISTS source (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    title TEXT,
    publisher TEXT,
    kind TEXT,
    published TEXT
);
CREATE TABLE IF NOT EXISTS scene_source (
    scene_id INTEGER NOT NULL REFERENCES scene(id) ON DELETE CASCADE,
    source_id INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,
    PRIMARY KEY (scene_id, source_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS view_count (
    id INTEGER PRIMARY KEY,
    scene_id INTEGER NOT NULL REFERENCES scene(id) ON DELETE CASCADE,
    count INTEGER NOT NULL CHECK (count >= 0),
    observed_on TEXT,
    source TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS view_count_by_scene ON view_count(scene_id, observed_on);
CREATE TABLE IF NOT EXISTS vote (
    id INTEGER PRIMARY KEY,
    scene_id INTEGER NOT NULL REFERENCES scene(id) ON DELETE CASCADE,
    voter TEXT NOT NULL,
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 10),
    voted_on TEXT,
    current INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS vote_by_scene ON vote(scene_id, voter);
CREATE TABLE IF NOT EXISTS duel (
    id INTEGER PRIMARY KEY,
    winner_id INTEGER NOT NULL REFERENCES scene(id) ON DELETE CASCADE,
    loser_id INTEGER NOT NULL REFERENCES scene(id) ON DELETE CASCADE,
    voter TEXT NOT NULL DEFAULT 'me',
    decided_on TEXT,
    CHECK (winner_id <> loser_id)
);
CREATE INDEX IF NOT EXISTS duel_by_winner ON duel(winner_id);
CREATE INDEX IF NOT EXISTS duel_by_loser ON duel(loser_id);
CREATE TABLE IF NOT EXISTS watch_progress (
    drama_id INTEGER PRIMARY KEY REFERENCES drama(id) ON DELETE CASCADE,
    episode INTEGER NOT NULL
);
"""


def create_tables(db: Database) -> None:
    """Migration 0001_initial."""
    run_in_transaction(db, INITIAL)
