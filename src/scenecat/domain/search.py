"""Full-text search over scenes: parse, rank with bm25 inside FTS5, join the page back,
mark what matched, and say "did you mean" when nothing does.
"""

from __future__ import annotations

import difflib
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from scenecat.domain import names
from scenecat.domain.browse import check_limit, parse_year_range, resolve_scope
from scenecat.domain.query import (
    DECLARED_FIELDS,
    Highlighter,
    Query,
    highlighter,
    match_expression,
    parse,
)
from scenecat.domain.scope import Scope
from scenecat.errors import UsageError
from scenecat.storage import search_queries
from scenecat.storage.search_index import WORD, fold, is_cjk
from scenecat.storage.search_queries import HitDetails, HitRow
from scenecat.text import name_key

DEFAULT_LIMIT = 20
SNIPPET_CHARS = 140

Span = tuple[int, int]


@dataclass(slots=True)
class Marked:
    """Text with the spans (start, end) that matched the query."""

    text: str
    spans: list[Span] = field(default_factory=list)


@dataclass(slots=True)
class SearchHit:
    id: int
    key: str
    title: Marked
    drama_title: str
    drama_id: int
    network: str | None
    year: int | None
    episode: int | None
    kind: str
    spoiler: str
    actor_names: list[str]
    snippet: Marked
    relevance: float | None  # higher is better; None when only filters were given
    _row: HitRow = field(repr=False, compare=False)
    _marker: Highlighter = field(repr=False, compare=False)
    _details: HitDetails | None = field(repr=False, compare=False)

    # The labels people see are made on demand (machine output does not need them): the
    # name plus the spelling that matched, e.g. "Melting Me Softly (날 녹여주오)".
    @property
    def drama(self) -> Marked:
        aliases = self._details.drama_aliases if self._details else []
        return _labelled(self._row.drama, (self._row.drama_native, *aliases), self._marker)

    @property
    def actors(self) -> list[Marked]:
        row, marker = self._row, self._marker
        if self._details is None:  # nearly every hit: no aliases were read
            return [
                _labelled(name, (native,), marker)
                for name, native in zip(self.actor_names, row.actor_natives(), strict=True)
            ]
        aliases = self._details.actor_aliases
        return [
            _labelled(name, (native, *aliases.get(actor_id, ())), marker)
            for actor_id, name, native in row.actors()
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "key": self.key,
            "title": self.title.text,
            "drama": self.drama_title,
            "drama_id": self.drama_id,
            "network": self.network,
            "year": self.year,
            "episode": self.episode,
            "kind": self.kind,
            "spoiler": self.spoiler,
            "actors": self.actor_names,
            "snippet": self.snippet.text,
            "highlights": [list(span) for span in self.snippet.spans],
            "relevance": self.relevance,
        }


@dataclass
class SearchResult:
    query: str
    hits: list[SearchHit]
    limit: int
    more: bool
    suggestion: str | None = None
    ignored: list[str] = field(default_factory=list)

    def meta(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "count": len(self.hits),
            "limit": self.limit,
            "more": self.more,
            "suggestion": self.suggestion,
            "ignored": self.ignored,
        }


def search(
    conn: sqlite3.Connection,
    text: str,
    scope: Scope | None = None,
    limit: int | None = DEFAULT_LIMIT,
) -> SearchResult:
    """Scenes matching `text` (query language of domain/query.py) within `scope`, best first."""
    query = parse(text)
    limit = check_limit(limit) or DEFAULT_LIMIT
    where: str
    params: Sequence[object]
    if (scope is None or scope == _NO_SCOPE) and not query.filters.any():
        # No filter at all, the usual search: what the general path below comes to.
        merged, has_filters, where, params, one_drama = Scope(), False, "1", (), False
    else:
        merged = merge_scope(conn, query, scope or Scope())
        has_filters = merged != _NO_SCOPE
        scene_filter = resolve_scope(conn, merged)
        where, params = scene_filter.where()
        one_drama = scene_filter.drama_id is not None
    expression = match_expression(query)
    # Made before the statement, while the query's own work is fresh in the CPU's caches
    # (the FTS scan goes through megabytes of pages).
    marker = highlighter(query)
    rows: Sequence[HitRow]
    if expression is None:
        if query.excluded:
            raise UsageError(
                "a search needs at least one word to look for, not only -exclusions",
                hint="e.g. kiss -rain",
            )
        if not has_filters:
            shown = f" in {text.strip()!r}" if text.strip() else ""
            raise UsageError(
                f"nothing to search for{shown}",
                hint='give words, "a phrase" or a filter, e.g. scenecat search "shower kiss"',
            )
        ids = search_queries.filtered_scene_ids(conn, limit + 1, where, params, one_drama=one_drama)
        more = len(ids) > limit
        rows = search_queries.hit_rows(conn, ids[:limit])
    else:
        rows, more = search_queries.ranked_hit_rows(conn, expression, limit, where, params)
    hits = _hits(conn, rows, marker)
    result = SearchResult(query.text, hits, limit, more, ignored=query.ignored)
    if not hits:
        result.suggestion = _filter_hint(conn, merged) or suggest(conn, query, has_filters)
    return result


def _hits(conn: sqlite3.Connection, rows: Sequence[HitRow], marker: Highlighter) -> list[SearchHit]:
    """The hits of `rows`, in their order. Each title and description is scanned once; the
    spans serve both the title and snippet of the hit and the test below."""
    texts: list[str | None] = []
    for row in rows:
        texts += (row.title, row.description)
    found = iter(marker.spans_of(texts))
    hits: list[SearchHit] = []
    # Rows whose title and description show no match matched on a name, alias, character
    # or tag: only those need the extra lookups that explain why they came up (a second
    # pass, after one statement for all of them).
    unexplained: list[tuple[int, HitRow, list[Span], list[Span]]] = []
    for at, (row, title, text) in enumerate(zip(rows, found, found, strict=True)):
        if title or text:
            hits.append(_hit(row, marker, title, text, None))
        else:
            unexplained.append((at, row, title, text))
    if unexplained:
        details = search_queries.hit_details(conn, [row for _, row, _, _ in unexplained])
        # In rank order, each to its place among the hits already made.
        for at, row, title, text in unexplained:
            hits.insert(at, _hit(row, marker, title, text, details.get(row.id)))
    return hits


# --- filters ---------------------------------------------------------------------------------

_NO_SCOPE = Scope()


def merge_scope(conn: sqlite3.Connection, query: Query, flags: Scope) -> Scope:
    """Flags and field:value terms together; a single-valued field given twice must agree."""
    f = query.filters
    actors = (*flags.actors, *f.actors)
    drama = _one_drama(conn, [v for v in (flags.drama, *f.drama) if v is not None])
    kind = _one("kind", [flags.kind, *f.kind], str.casefold)
    network = _one("network", [flags.network, *f.network], str.casefold)
    year = _one("year", [flags.year, *f.year], parse_year_range)
    episode = _one("episode", [flags.episode, *f.episode], lambda v: v)
    spoiler = _one("spoiler", [flags.spoiler, *f.spoiler], lambda v: v.strip().lower())
    return replace(
        flags,
        actors=actors,
        drama=drama,
        kind=kind,
        network=network,
        year=year,
        episode=episode,
        spoiler=spoiler,
        fields=_declared(flags.fields, f.fields),
    )


def _declared(
    flags: tuple[tuple[str, str], ...], typed: list[tuple[str, str]]
) -> tuple[tuple[str, str], ...]:
    """(field, value) of the declared filter fields (location), from flags and field:value
    words; one value per field, as for kind. A name that is not a filter field is kept for
    browse.filter_columns to refuse."""
    given = [*flags, *typed]
    merged: list[tuple[str, str]] = []
    for name in dict.fromkeys([*DECLARED_FIELDS, *(n for n, _ in flags)]):
        value = _one(name, [v for n, v in given if n == name], _text_key)
        if value is not None:
            merged.append((name, value))
    return tuple(merged)


def _text_key(value: str) -> str:
    return " ".join(value.split()).casefold()


def _one(name: str, values: list[Any], key: Any) -> Any:
    given = [v for v in values if v is not None]
    if len({key(v) for v in given}) > 1:
        shown = ", ".join(str(v) for v in given)
        raise UsageError(
            f"{name} is given more than once with different values ({shown})",
            hint=f"a scene has one {name}; give {name} once",
        )
    return given[0] if given else None


def _one_drama(conn: sqlite3.Connection, values: list[str]) -> str | None:
    if len(values) > 1 and len({names.resolve_drama(conn, v) for v in values}) > 1:
        raise UsageError(
            f"drama is given more than once with different values ({', '.join(values)})",
            hint="search one drama at a time",
        )
    return values[0] if values else None


# --- marking what matched --------------------------------------------------------------------


def _hit(
    row: HitRow,
    marker: Highlighter,
    title_spans: list[Span],
    description_spans: list[Span],
    found: HitDetails | None,
) -> SearchHit:
    """`title_spans` and `description_spans` are marker.spans() of row.title and
    row.description; `found`, hit_details() of a row that matched neither."""
    score = row.score
    description = row.description
    if description and description_spans and _single_spaced(description):
        # Nearly every hit: the snippet is the description around its spans.
        snippet = window(description, description_spans)
    else:
        snippet = _snippet(description, found, marker, bool(title_spans), description_spans)
    # Positional arguments, in SearchHit's field order (cheaper than keywords, per hit).
    return SearchHit(
        row.id,
        row.key,
        Marked(row.title, title_spans),
        row.drama,
        row.drama_id,
        row.network,
        row.year,
        row.episode,
        row.kind,
        row.spoiler,
        row.cast.partition("\x1d")[0].split("\x1e") if row.cast else [],
        snippet,
        None if score is None else float(f"{-score:.4g}"),
        row,
        marker,
        found,
    )


def _labelled(name: str, others: tuple[str | None, ...], marker: Highlighter) -> Marked:
    """The name, plus the spelling that matched when the query hit a native name or alias
    (`others`): a search for 지창욱 shows "Ji Chang Wook (지창욱)"."""
    spans = marker.spans(name)
    if spans:
        return Marked(name, spans)
    for other in others:
        if other and (other_spans := marker.spans(other)):
            offset = len(name) + 2
            text = f"{name} ({other})"
            return Marked(text, [(s + offset, e + offset) for s, e in other_spans])
    return Marked(name)


def _snippet(
    description: str | None,
    details: HitDetails | None,
    marker: Highlighter,
    shown: bool,
    description_spans: list[Span],
) -> Marked:
    """Where the description matched, that part of it; else, when the title shows no match
    either, the characters or tags that matched (`details`: a row that matched neither
    title nor description has them); else the start of the description."""
    description = description or ""
    if _single_spaced(description):
        # Nearly every description: its spans are already known.
        flat, spans = description, description_spans
    else:
        flat = " ".join(description.split())
        spans = description_spans if flat == description else marker.spans(flat)
    if spans:
        return window(flat, spans)
    if not shown and details is not None:
        for text in (
            "characters: " + ", ".join(details.characters) if details.characters else "",
            "tags: " + ", ".join(details.tags) if details.tags else "",
        ):
            text = " ".join(text.split())
            spans = marker.spans(text)
            if spans:
                return window(text, spans)
    return window(flat, [])


def _single_spaced(text: str) -> bool:
    """Whether " ".join(text.split()) == text, tested without building the joined copy:
    every whitespace character but the space is unprintable to str.isprintable()."""
    return text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "


def window(text: str, spans: list[Span], width: int = SNIPPET_CHARS) -> Marked:
    """At most `width` characters of `text` (single-spaced: " ".join(text.split()) == text)
    around the densest group of spans, cut at word boundaries, with '…' where text was
    left out."""
    if len(text) <= width:
        return Marked(text, spans)
    start = 0
    if spans:
        best = 0
        if len(spans) > 1:
            best = max(
                range(len(spans)),
                key=lambda i: sum(1 for s, e in spans[i:] if e <= spans[i][0] + width - 20),
            )
        start = spans[best][0] - 20
        # Back to the start of its word: in a single-spaced text only " " separates words.
        start = text.rfind(" ", 0, start) + 1 if start > 0 else 0
    end = min(len(text), start + width)
    if end < len(text):
        cut = text.rfind(" ", start, end)
        if cut > start + width // 2:
            end = cut
    piece = text[start:end]
    lead = "…" if start > 0 else ""
    tail = "…" if end < len(text) else ""
    shift = len(lead) - start
    kept = [(max(s, start) + shift, min(e, end) + shift) for s, e in spans if s < end and e > start]
    return Marked(lead + piece + tail, kept)


# --- "did you mean" --------------------------------------------------------------------------


def _filter_hint(conn: sqlite3.Connection, scope: Scope) -> str | None:
    """A kind, network or location that no scene has is the likelier reason for no result."""
    fields = [(name, value.strip()) for name, value in scope.fields]
    for name, value in (("kind", scope.kind), ("network", scope.network), *fields):
        if value is None:
            continue
        known = search_queries.known_values(conn, name)
        if value.casefold() not in {k.casefold() for k in known}:
            close = names.suggest(value, known)
            return f"no scene has {name} {value!r}" + (f"; {close}" if close else "")
    return None


def suggest(conn: sqlite3.Connection, query: Query, has_filters: bool) -> str | None:
    """A hint for a search that found nothing: a corrected query, a close name, or why."""
    corrections: dict[str, str] = {}
    unknown: list[str] = []
    for term in query.positive_terms():
        for i, piece in enumerate(term.pieces):
            if is_cjk(piece) or (term.prefix and i == len(term.pieces) - 1):
                continue
            if search_queries.document_count(conn, piece):
                continue
            unknown.append(piece)
            close = _closest_word(conn, piece)
            if close:
                corrections[piece] = close
    if corrections:
        return f"did you mean {_corrected(query.text, corrections)!r}?"
    words = " ".join(t.text for t in query.positive_terms())
    if unknown or any(is_cjk(p) for t in query.positive_terms() for p in t.pieces):
        candidates = search_queries.name_candidates(conn, name_key(words))
        exact = [c for c in candidates if name_key(c) == name_key(words)]
        if exact:  # not a misspelling: offering the same name back says nothing
            return f"{exact[0]!r} is in the catalogue, but no scene matches it"
        close_name = names.suggest(words, candidates)
        if close_name:
            return close_name
    if unknown:
        return f"no scene mentions {', '.join(map(repr, unknown))}"
    if not query.has_words:
        return "no scene matches all of these filters"
    if has_filters:
        return "no scene matches these words within the filters; try without the filters"
    if len(query.groups) > 1:
        return "no scene has all of these words; try fewer words, or OR between them"
    if query.excluded:
        return "every scene with these words also has an excluded word"
    return None


def _closest_word(conn: sqlite3.Connection, word: str) -> str | None:
    if len(word) < 3:
        return None
    # Swapped neighbours ("jea" for "jae") are the commonest slip and difflib rates them
    # low, so they are looked up directly first.
    swaps = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    counted = [(search_queries.document_count(conn, w), w) for w in sorted(swaps - {word})]
    if any(docs for docs, _ in counted):
        return max(counted)[1]
    if len(word) <= 4:
        # A short word is one letter away from many real words ("rain": "ran", "rail",
        # "ruin"), so a close spelling is more often another word than the intended one:
        # only a dropped letter ("kis": "kiss") is guessed.
        grown = search_queries.terms_like(conn, word[:1], len(word) + 1, len(word) + 1)
        dropped = [(docs, term) for term, docs in grown if _one_letter_dropped(word, term)]
        return max(dropped)[1] if dropped else None
    # Two leading letters keep a million-scene vocabulary down to a few thousand words, and
    # of those the commonest few thousand are enough to guess from.
    found = search_queries.terms_like(conn, word[:2], len(word) - 2, len(word) + 2)
    found.sort(key=lambda item: -item[1])
    candidates = {term: docs for term, docs in found[:3000] if not is_cjk(term)}
    cutoff = 0.8 if len(word) > 3 else 0.75
    close = difflib.get_close_matches(word, list(candidates), n=5, cutoff=cutoff)
    if not close:
        return None
    # Among equally close spellings the commoner word is the likelier intent.
    return max(
        close,
        key=lambda t: (round(difflib.SequenceMatcher(None, word, t).ratio(), 2), candidates[t]),
    )


def _one_letter_dropped(typed: str, word: str) -> bool:
    return len(word) == len(typed) + 1 and any(
        word[:i] + word[i + 1 :] == typed for i in range(len(word))
    )


def _same_case(typed: str, word: str) -> str:
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _corrected(text: str, corrections: dict[str, str]) -> str:
    out: list[str] = []
    last = 0
    for match in WORD.finditer(text):
        typed = match.group()
        folded = fold(typed)
        if folded in corrections:
            out.append(text[last : match.start()])
            out.append(_same_case(typed, corrections[folded]))
            last = match.end()
    out.append(text[last:])
    return "".join(out)
