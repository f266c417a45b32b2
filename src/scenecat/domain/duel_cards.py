"""What a duel session shows of a scene: its card (title, drama and episode, kind, actors,
clip link), with spoilers folded as the session's `--spoilers` says.

The spoiler modes and their words are the articles' (articles/spoilers.py, `export markdown
--spoilers`): `hide` folds every spoiler scene, as an article leaves out its details; `show`
shows everything; `warn`, the default, folds major and ending spoilers (a fan deciding
between two scenes can still unfold one, `reveal`) and shows a minor one under the
article's warning line. A folded card keeps what an article keeps of a hidden scene: the
drama and the episode.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from scenecat.domain.articles.entries import SPOILER_MODES
from scenecat.domain.articles.spoilers import SpoilerPolicy, spoiler_warning
from scenecat.domain.articles.wording import drama_line, join_names, kind_label
from scenecat.errors import UsageError
from scenecat.models import SPOILER_LEVELS, Scene

__all__ = ["SPOILER_MODES", "DuelCard", "check_mode", "clip_link", "make_card"]

# `warn` folds a scene from this level up: the levels the website folds too.
_FOLDED_FROM = SPOILER_LEVELS.index("major")

# Links that are clips, best first: a source marked as a clip, then one on a video site
# (the clip links `views refresh` reads, storage/clip_queries.py, are the same kinds).
_CLIP_KINDS = ("official-clip", "fan-edit")
_VIDEO_SITES = ("youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be", "tv.naver.com")


@dataclass(frozen=True)
class DuelCard:
    """One side of a duel. A folded card has no title, kind, actors or clip; `folded` says
    why, in the articles' words."""

    scene_id: int
    key: str
    title: str | None
    drama: str  # "Healer (KBS2, 2014), episode 9"
    kind: str | None
    actors: str | None  # "Ji Chang Wook and Park Min Young"
    clip: str | None
    folded: str | None  # "Details hidden to keep this spoiler-free (major spoiler)."
    warning: str | None  # a shown spoiler's warning: "Minor spoilers ahead for Healer."
    where: str  # "Healer, episode 9" (how a folded card is named)

    @property
    def name(self) -> str:
        """How the session names the scene in its own lines: by its title, or when folded by
        drama and episode, so that a confirmation does not give the spoiler away."""
        return self.title if self.title is not None else f"{self.where} (hidden)"


def check_mode(mode: str) -> str:
    mode = mode.strip().lower()
    if mode not in SPOILER_MODES:
        raise UsageError(f"--spoilers {mode!r} is not one of {', '.join(SPOILER_MODES)}")
    return mode


def _folds(scene: Scene, mode: str) -> bool:
    if mode == "hide":
        return SpoilerPolicy("hide", {}).hide_reason(scene) is not None
    if mode == "warn":
        return SPOILER_LEVELS.index(scene.spoiler) >= _FOLDED_FROM
    return False


def make_card(scene: Scene, mode: str, *, revealed: bool = False) -> DuelCard:
    """The card of `scene` under spoiler `mode`; `revealed`: the fan asked to unfold it (it
    then carries the warning an article puts before such a scene)."""
    line = drama_line(scene)
    where = scene.drama + (f", episode {scene.episode}" if scene.episode is not None else "")
    if _folds(scene, mode) and not revealed:
        note = SpoilerPolicy(mode, {}).note(scene, "spoiler")
        return DuelCard(scene.id, scene.key, None, line, None, None, None, note, None, where)
    warning = None
    if mode != "show" and scene.spoiler != "none":
        warning = spoiler_warning([(scene.drama, scene.spoiler)])
    return DuelCard(
        scene_id=scene.id,
        key=scene.key,
        title=scene.title,
        drama=line,
        kind=kind_label(scene.kind),
        actors=join_names(scene.actors) or None,
        clip=clip_link(scene),
        folded=None,
        warning=warning,
        where=where,
    )


def clip_link(scene: Scene) -> str | None:
    """The link to watch the scene: an official clip, else a fan edit, else any link on a
    video site; None when the scene has only articles (or nothing)."""
    for kind in _CLIP_KINDS:
        for source in scene.sources:
            if source.kind == kind:
                return source.url
    for source in scene.sources:
        if urlsplit(source.url).hostname in _VIDEO_SITES:
            return source.url
    return None
