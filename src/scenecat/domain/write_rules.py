"""The rules a write obeys, written once for both ways records reach the catalogue.

catalogue.py applies records one at a time against the database; importing/bulk_importer.py
loads a whole file into an empty catalogue from in-memory lookups. Both check a record, and
word its warnings, through these functions, so a rule changes in one place. Each takes the
facts it needs as values (the bulk path has them in memory, the record path reads them), and
raises FieldError or returns a warning's text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from scenecat.domain.records import FieldError, SceneRec
from scenecat.models import DEFAULT_VOTER


def check_episode_number(number: int, title: str, episodes: int | None, path: str) -> None:
    """An episode number must lie within the drama's episodes (when that count is known)."""
    if number < 1:
        raise FieldError(path, f"episode {number} does not exist; episodes start at 1")
    if episodes is not None and number > episodes:
        raise FieldError(path, f"episode {number} is past the end of {title} ({episodes} episodes)")


def check_scene(rec: SceneRec, title: str, episodes: int | None, path: str) -> None:
    """A scene's own facts against its drama: its episode exists, it does not end before it
    starts."""
    if rec.episode is not None:
        check_episode_number(rec.episode, title, episodes, f"{path}.episode")
    if rec.at is not None and rec.end is not None and rec.end < rec.at:
        raise FieldError(f"{path}.end", "the scene ends before it starts")


def check_actors(actor_ids: Sequence[int], path: str) -> None:
    """A scene names each of its actors once."""
    if len(set(actor_ids)) != len(actor_ids):
        raise FieldError(f"{path}.actors", "the same actor is listed twice")


def added_as_support(actor: str, drama_title: str) -> str:
    """The warning when a scene's actor was not in the drama's cast: the write credits them
    as support."""
    return f"{actor} was not in the cast of {drama_title}; added as support"


def spelled_like(name: str, twins: Sequence[str]) -> str:
    """The warning when a new actor's name (or drama's title) folds to the same key as
    existing ones: they are kept apart."""
    return f"{name!r} is spelled like {', '.join(map(repr, twins))}; kept apart"


def _is_you(voter: str) -> bool:
    """The default voter is the person at the keyboard: messages say "you", not "me"."""
    return voter == DEFAULT_VOTER


def gave_vote(voter: str, score: int, scene: str) -> str:
    """The line that confirms a vote: "You gave 9/10 to KEY" (another voter by name)."""
    return f"{'You' if _is_you(voter) else voter} gave {score}/10 to {scene}"


def replaced_vote(voter: str, previous: int) -> str:
    """The warning when a voter's new vote on a scene replaces a different earlier one."""
    whose = "your" if _is_you(voter) else f"{voter}'s"
    return f"replaces {whose} earlier vote of {previous}"


def view_count_warning(
    count: int,
    on: str | None,
    source: str,
    earlier: tuple[int, str | None] | None,
    later: tuple[int, str | None] | None,
) -> str | None:
    """A new count that runs against the counts of the same source: lower than the highest
    seen before it (`earlier`: count, date), or higher than the lowest seen after it."""
    where = f" on {source}" if source else ""
    if earlier and earlier[0] > count:
        return (
            f"{count:,} views is lower than the {earlier[0]:,}{where} seen "
            f"{earlier[1] or 'earlier'}; recorded anyway (a re-upload or a different clip?)"
        )
    if later and later[0] < count:
        return (
            f"{count:,} views on {on} is higher than the {later[0]:,}{where} seen later on "
            f"{later[1]}; recorded anyway"
        )
    return None


# Near-duplicate scenes (docs/DESIGN.md §2, "Duplicates"): two scenes of one drama and
# episode are taken for one when their titles are equal once case, accents, punctuation,
# spacing and a leading article are dropped ("Shower kiss" = "The shower kiss!"), or, for
# scenes of the same kind, when those folded titles are this similar by difflib's ratio
# ("The shower kisss" 0.95; "The second shower kiss" 0.77 is another scene).
SIMILAR_TITLES = 0.85
_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_NOT_WORD = re.compile(r"[\W_]+")


def title_key(title: str) -> str:
    """A scene title folded for the duplicate rule."""
    folded = title.casefold().strip()
    if not folded.isascii():  # accents dropped (an import folds every title: ASCII is quick)
        decomposed = unicodedata.normalize("NFKD", folded)
        bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        folded = unicodedata.normalize("NFC", bare)
    return _NOT_WORD.sub("", _ARTICLE.sub("", folded))


def same_scene(title: str, kind: str, other_title: str, other_kind: str) -> bool:
    """Whether a scene titled `title` of `kind` is a near duplicate of another one in the
    same drama and episode (the rule above)."""
    return same_folded(title_key(title), kind, title_key(other_title), other_kind)


def same_folded(mine: str, kind: str, theirs: str, other_kind: str) -> bool:
    """same_scene() on titles already folded by title_key() (an import compares many)."""
    if mine == theirs:
        return True
    if kind != other_kind or not mine or not theirs:
        return False
    import difflib

    # The cheap upper bounds first: most pairs of titles are nowhere near.
    match = difflib.SequenceMatcher(None, mine, theirs)
    return all(
        bound() >= SIMILAR_TITLES
        for bound in (match.real_quick_ratio, match.quick_ratio, match.ratio)
    )
