"""What article templates see: the request, the result and the context records.

Plain text everywhere; escaping happens on output (see `render`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scenecat.domain.scope import Scope

if TYPE_CHECKING:
    from scenecat.scoring.params import RankParams

BUILTIN_TEMPLATES = ("listicle", "best-per-drama", "spotlight", "drama", "actor")
SPOILER_MODES = ("hide", "warn", "show")
# best-per-drama: dramas (each with its best scene and up to RUNNERS_UP more)
DEFAULT_LIMITS = {"listicle": 10, "best-per-drama": 10, "spotlight": 3, "drama": 10, "actor": 5}
RUNNERS_UP = 3
MAX_TAGS = 12


@dataclass
class ArticleRequest:
    """What `export markdown` was asked for (names as users type them)."""

    template: str = "listicle"  # a built-in name or a path to a template file
    scope: Scope = field(default_factory=Scope)
    scene: str | None = None  # spotlight: the scene (default: the best one in scope)
    spoilers: str = "warn"
    watched: Sequence[str] = ()  # "Drama:N", the reader has seen episodes 1..N
    title: str | None = None
    limit: int | None = None
    date: str | None = None  # YYYY-MM-DD, front matter only; default today
    # With front matter (for Hugo, Jekyll...) the theme prints the title as the page's heading,
    # so the body has none; without it (plain markdown) the body starts with `# title`.
    front_matter: bool = True
    method: str = "combined"
    params: RankParams | None = None


@dataclass
class Article:
    text: str
    title: str
    slug: str
    template: str
    scenes: int  # scenes listed (hidden ones included)


# Context: what templates see. Plain text everywhere; escaping happens on output.


@dataclass
class SourceLink:
    title: str
    url: str  # a clip's link plays from the scene's moment in it (`&t=83s`)
    publisher: str | None
    kind: str | None
    moment: str | None = None  # where the scene is in the clip: "1:23-1:41", "from 1:23"


# Slots: an entry has more fields than an instance dictionary shares keys for (30), so each
# of a 10,000-scene article's entries would otherwise build a dictionary of its own (two
# fifths of the time of making one).
@dataclass(slots=True)
class Entry:
    """One scene as an article shows it. When `hidden`, only the drama, episode and numbers
    are filled (the kind too is a spoiler): the rest never reaches the template."""

    position: int | None
    key: str
    drama: str
    network: str | None
    year: int | None
    episode: int | None
    kind: str
    kind_label: str
    spoiler: str
    hidden: bool
    hidden_reason: str | None  # "spoiler" or "watched"
    hidden_note: str | None
    heading: str
    drama_line: str  # "Melting Me Softly (tvN, 2019), episode 10"
    title: str | None = None
    who: str | None = None  # "Ji Chang Wook as Ma Dong Chan and Won Jin Ah as Go Mi Ran"
    actors: list[str] = field(default_factory=list)
    description: str | None = None
    at: str | None = None
    location: str | None = None
    tags: list[str] = field(default_factory=list)
    # every declared scene field (scene_fields.py) by name, as `show scene` writes it, so a
    # template can use a field the entry has no attribute for: {{ e.fields.location }}
    # (filled for a user's template; no built-in one reads them, and they are not made for it)
    fields: dict[str, object] = field(default_factory=dict)
    sources: list[SourceLink] = field(default_factory=list)
    clip: SourceLink | None = None  # the source to watch it on, one of `sources` (official first)
    is_spoiler: bool = False  # shown, and a spoiler for this reader (warn marks these)
    warning: str | None = None  # printed just before this entry (the first spoiler)
    views: int | None = None
    views_on: str | None = None
    views_source: str | None = None
    views_text: str | None = None  # "1,850,000 on tvN official upload (seen 2020-08-15)"
    score: float | None = None
    score_text: str | None = None  # "8.7/10 from 4 votes"
    votes: int = 0


@dataclass
class ArticleInfo:
    title: str
    slug: str
    date: str
    tags: list[str]
    intro: str
    methodology: str
    spoilers: str
    spoiler_note: str | None
    template: str
    scope: str  # "Ji Chang Wook kiss scenes"
    in_scope: int  # scenes in the scope before the limit
    # One sentence for the front matter's `description` (search results, link previews).
    description: str = ""
    # True in plain markdown (no front matter): the body then carries the `# title` line.
    title_in_body: bool = False
    question: str | None = None


@dataclass
class CastMember:
    actor: str
    character: str | None
    role: str
    line: str  # "Ji Chang Wook as Ma Dong Chan (main role)"


@dataclass
class EpisodeLine:
    number: int
    aired: str | None
    title: str | None  # None past the reader's episode
    rating: float | None
    line: str


@dataclass
class DramaInfo:
    title: str
    native: str | None
    network: str | None
    country: str | None
    year: int | None
    episodes: int | None
    synopsis: str | None
    aliases: list[str]
    cast: list[CastMember]
    episode_list: list[EpisodeLine]


@dataclass
class FilmCredit:
    drama: str
    year: int | None
    network: str | None
    character: str | None
    role: str
    line: str  # "2019: Melting Me Softly (tvN) as Ma Dong Chan, main role"


@dataclass
class ActorInfo:
    name: str
    native: str | None
    born: int | None
    aliases: list[str]
    filmography: list[FilmCredit]
    scene_count: int


@dataclass
class DramaSection:
    """One drama of the best-per-drama article: its best scene in scope (which places it), in
    words, and the runners-up from the same drama, best first. Spoilers are left out of the
    entries as everywhere (`Entry`); the numbers are never a spoiler."""

    position: int
    drama: str
    network: str | None
    year: int | None
    drama_line: str  # "Healer (KBS2, 2014)"
    best: Entry
    best_label: str  # "Best kiss scene", "Best scene"
    score: str  # "8.6/10", or "none yet"
    evidence: str  # "Fans gave it 9.3/10 on average over 3 votes, it won 2 of its 3 duels..."
    runners_up: list[Entry]
    runners_up_label: str  # "Also in Healer"
    runners_up_warning: str | None  # the spoiler warning, when the first spoiler is among them
    in_scope: int  # scenes of this drama in the scope
    more: int  # of those, how many the article does not list


@dataclass
class Spotlight:
    entry: Entry
    numbers: list[str]  # "Views: ...", "Fan votes: ...", as plain lines
    related_label: str | None  # "More from Ji Chang Wook"
    related: list[Entry]


CONTEXT_TYPES = frozenset(
    {
        SourceLink,
        Entry,
        ArticleInfo,
        CastMember,
        EpisodeLine,
        DramaInfo,
        FilmCredit,
        ActorInfo,
        DramaSection,
        Spotlight,
    }
)


@dataclass
class ScopeWords:
    """How a scope reads in a sentence: "Ji Chang Wook kiss scenes"."""

    actors: list[str]
    drama: str | None
    singular: str
    plural: str
    # The pieces, for other sentences ("Which Ji Chang Wook drama has the best kiss scene?"):
    who: str = ""  # the actors and the network: "Ji Chang Wook", "Ji Chang Wook tvN"
    kind: str = ""  # "kiss", "first meeting"
    suffix: str = ""  # "in Healer", " from 2014 to 2020", " tagged rain"...
