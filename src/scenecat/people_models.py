"""The stored records of actors and dramas (scenecat.models names them too)."""

from __future__ import annotations

from dataclasses import dataclass

# Each kind's declared fields.
from scenecat.fields import ActorFacts, DramaFacts


@dataclass(kw_only=True)
class Actor(ActorFacts):
    """A stored actor: their declared fields (fields.py) and id."""

    id: int


@dataclass(kw_only=True)
class Drama(DramaFacts):
    """A stored drama: its declared fields (fields.py) and id."""

    id: int


@dataclass
class Episode:
    """A stored episode of a drama."""

    drama_id: int
    drama: str
    number: int
    aired: str | None = None
    title: str | None = None
    rating: float | None = None


@dataclass
class Credit:
    """An actor's credit in a drama: the character, the role and the billing."""

    actor_id: int
    actor: str
    drama_id: int
    drama: str
    character: str | None = None
    role: str = "main"
    billing: int | None = None
    year: int | None = None
    network: str | None = None
