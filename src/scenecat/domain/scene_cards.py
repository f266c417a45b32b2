"""A scene as the website shows it: its card (title, drama and episode, linked actors with
their characters, kind and tags, the one score with what it rests on in words, the clip,
spoilers folded).

The score is the catalogue's one score (`ranking.scores_of`: what `rank` shows for the scene,
under any filters), and the words are the articles' (`wording.score_text`, `evidence`), so
that the site, `rank`, `show scene` and an article never disagree. HTML is the web layer's
business: a card is plain data.

Whether a card is folded is decided in one place, `fold_rule`: a major or ending spoiler's
description, and everything but where it is (drama, episode) of a spoiler scene past the
reader's stored watch progress (docs/progress.md), as `show scene` and the scene table do.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from scenecat.domain.articles.wording import evidence, kind_label, score_figure, score_text
from scenecat.domain.duel_cards import clip_link
from scenecat.domain.ranking import scores_of
from scenecat.models import Scene, as_read
from scenecat.scene_fields import Source
from scenecat.storage import page_queries
from scenecat.storage import scenes as scene_store
from scenecat.storage.page_queries import ActorLink

__all__ = ["ActorLink", "Fold", "SceneCard", "cards", "fold_rule"]

# Spoiler levels whose details a card folds away until the reader asks (as the site always has).
FOLDED_SPOILERS = ("major", "ending")


@dataclass(frozen=True)
class Fold:
    """What a card keeps folded until clicked."""

    description: bool  # its description (a major or ending spoiler, or past progress)
    past: int | None  # episodes seen of its drama when the scene is past the reader's
    # progress: then its title, kind, actors, description and tags are all folded


def fold_rule(conn: sqlite3.Connection) -> Callable[[Scene], Fold]:
    """How a scene's card is folded. The one place that decides it: the reader's watch
    progress is read here, once per page (a published copy has none: nothing is past it),
    and the function it returns is asked for each scene."""
    from scenecat.domain.progress_guard import load_guard

    guard = load_guard(conn, "hide")

    def fold(scene: Scene) -> Fold:
        past = guard.seen_in(scene.drama_id) if guard.hides_scene(scene) else None
        return Fold(scene.spoiler in FOLDED_SPOILERS or past is not None, past)

    return fold


@dataclass(frozen=True)
class SceneCard:
    id: int
    key: str
    title: str
    kind: str  # as worded: "first meeting"
    kind_key: str  # as stored and filtered on: "first-meeting"
    episode: int | None
    drama_id: int
    drama: str
    drama_native: str | None
    network: str | None
    year: int | None
    actors: list[ActorLink]
    tags: list[str]
    description: str | None
    location: str | None
    spoiler: str  # none, minor, major, ending
    folded: bool  # description hidden until clicked (fold_rule)
    past: int | None  # past the reader's progress (episodes seen): all but where it is folded
    score: float  # the catalogue's score (rank --json's "score")
    score_shown: str  # "8.65", as rank prints it
    score_words: str  # "8.65/10, combining 5 fan votes, 2 duels and the view count"
    score_basis: str  # short, for a card: "combining 5 fan votes, 2 duels and the view count"
    evidence: str  # "Fans gave it 9.0/10 on average over 5 votes, it won both its duels..."
    clip: Source | None  # the link to watch it (official clip first), None without one
    sources: list[Source] = field(default_factory=list)

    @property
    def shown_title(self) -> str:
        """The title, or only where it is when the scene is past the reader's progress."""
        if self.past is None:
            return self.title
        from scenecat.domain.progress_guard import masked_title

        return masked_title(self.episode).capitalize()

    @property
    def where(self) -> str:
        """ "Healer, episode 9" """
        return self.drama + (f", episode {self.episode}" if self.episode is not None else "")


def cards(conn: sqlite3.Connection, ids: Sequence[int]) -> list[SceneCard]:
    """The cards of the scenes `ids` (by id), in that order; unknown ids are left out."""
    if not ids:
        return []
    scenes = scene_store.scenes_by_ids(conn, list(ids))
    found = [s.id for s in scenes]
    parts = scores_of(conn, found)
    actors = page_queries.scene_actor_links(conn, found)
    natives = page_queries.drama_natives(conn, [s.drama_id for s in scenes])
    duels = page_queries.duel_records(conn, found)
    fold_of = fold_rule(conn)
    result = []
    for scene in scenes:
        p = parts[scene.id]
        wins, losses = duels.get(scene.id, (0, 0))
        words = score_text(p)
        fold = fold_of(scene)
        result.append(
            SceneCard(
                id=scene.id,
                key=scene.key,
                title=scene.title,
                kind=kind_label(scene.kind),
                kind_key=scene.kind,
                episode=scene.episode,
                drama_id=scene.drama_id,
                drama=scene.drama,
                drama_native=natives.get(scene.drama_id),
                network=scene.network,
                year=scene.year,
                actors=actors.get(scene.id, []),
                tags=list(scene.tags),
                description=scene.description,
                location=scene.location,
                spoiler=scene.spoiler,
                folded=fold.description,
                past=fold.past,
                score=p.score,
                score_shown=score_figure(p.score, 2),
                score_words=words,
                score_basis=_basis(words),
                evidence=evidence(
                    p, wins, losses, as_read(scene.latest_views, scene.sources), None
                ),
                clip=_clip(scene),
                sources=list(scene.sources),
            )
        )
    return result


def _basis(words: str) -> str:
    """score_text() without its figure and without what stands in for missing evidence
    (the card's title and the scene's page say that part): "combining 2 fan votes and the
    view count"."""
    rest = words.split(", ", 1)[1] if ", " in words else ""
    return rest.split("; ", 1)[0]


def _clip(scene: Scene) -> Source | None:
    url = clip_link(scene)
    return next((s for s in scene.sources if s.url == url), None) if url else None
