"""The search query language, parsed into plain data and compiled into an FTS5 expression.

    shower kiss                words are ANDed
    "shower kiss"              a phrase (unbalanced quotes run to the end)
    kiss OR hug                either word (OR binds tighter than the implied AND)
    kiss -rain, NOT rain       leave out scenes with a word
    umbrel*                    prefix
    actor:"Ji Chang Wook"      filters: actor drama kind network year episode spoiler, and
                               the fields scene_fields.py declares `filter` (location)
    year:2016..2020            year ranges; spoiler:minor = at most that spoiler level

User text never reaches MATCH: words are cut into letters-and-digits tokens (the way the index
cuts them), every token is double-quoted, and the operators are written here. Anything else
(^, NEAR(, parentheses, emoji, stray *) is punctuation and dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate

from scenecat.errors import UsageError
from scenecat.scene_fields import FILTER_FIELDS
from scenecat.storage.search_index import CJK_RUN, GLUE_WINDOW, TERMS_COLUMN, WORD, fold, is_cjk

# The declared filter fields (location:Seoul) narrow by equal text; the others have rules of
# their own (names resolved, year ranges, spoiler levels).
DECLARED_FIELDS = tuple(f.name for f in FILTER_FIELDS)
FIELDS = ("actor", "drama", "kind", "network", "year", "episode", "spoiler", *DECLARED_FIELDS)
MAX_QUERY = 1_000
MAX_TERMS = 32
# Adjacent plain words are also tried glued ("ji chang wook" ~ "jichangwook") in windows of up
# to this many words, and only in runs this short, so the expression stays small.
QUERY_GLUE = 3
QUERY_GLUE_RUN = 6

_QUOTES = {'"': '"', "“": "”", "”": "”", "„": "“"}
_FIELD = re.compile(r"^([^\W\d_]+):(.*)$", re.DOTALL)
_SURROGATE = re.compile("[\ud800-\udfff]")
_JOINER = re.compile(r"[ \-‐-―]")


@dataclass(frozen=True)
class Term:
    """One searchable unit: a word (maybe hyphenated) or a quoted phrase.

    `pieces` are folded tokens; each is either all CJK or has no CJK at all."""

    pieces: tuple[str, ...]
    text: str
    prefix: bool = False
    quoted: bool = False

    @property
    def plain(self) -> bool:
        """A single Latin word, typed bare: a candidate for gluing with its neighbours."""
        return (
            len(self.pieces) == 1
            and not self.prefix
            and not self.quoted
            and not is_cjk(self.pieces[0])
        )


@dataclass
class Filters:
    """field:value terms, as typed (resolved against the catalogue by domain/search.py)."""

    actors: list[str] = field(default_factory=list)
    drama: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    network: list[str] = field(default_factory=list)
    year: list[str] = field(default_factory=list)
    episode: list[int] = field(default_factory=list)
    spoiler: list[str] = field(default_factory=list)
    # (declared field, value) of the DECLARED_FIELDS, in the order typed
    fields: list[tuple[str, str]] = field(default_factory=list)

    def any(self) -> bool:
        # Spelled out: every search asks, and a loop over the dataclass's fields costs more.
        return bool(
            self.actors or self.drama or self.kind or self.network or self.year
            or self.episode or self.spoiler or self.fields
        )  # fmt: skip


@dataclass
class Query:
    text: str
    groups: list[list[Term]] = field(default_factory=list)  # ANDed; each group ORed
    excluded: list[Term] = field(default_factory=list)
    filters: Filters = field(default_factory=Filters)
    ignored: list[str] = field(default_factory=list)  # pieces with nothing to search in them

    @property
    def has_words(self) -> bool:
        return bool(self.groups)

    def positive_terms(self) -> list[Term]:
        return [term for group in self.groups for term in group]


# --- lexing ----------------------------------------------------------------------------------


@dataclass
class _Token:
    text: str
    quoted: bool
    negated: bool = False
    field_name: str | None = None


def _clean(text: str) -> str:
    if text.isascii():
        return text  # no surrogates, and already NFC
    import unicodedata

    # Lone surrogates (undecodable command-line bytes) cannot be encoded for SQLite.
    text = _SURROGATE.sub("\ufffd", text)
    return unicodedata.normalize("NFC", text)


def _lex(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        negated = False
        if ch == "-" and i + 1 < n and not text[i + 1].isspace():
            negated = True
            i += 1
            ch = text[i]
        if ch in _QUOTES:
            body, i = _quoted(text, i)
            tokens.append(_Token(body, quoted=True, negated=negated))
            continue
        start = i
        while i < n and not text[i].isspace() and text[i] not in _QUOTES:
            i += 1
        chunk = text[start:i]
        match = _FIELD.match(chunk)
        if match:
            name, value = match.group(1), match.group(2)
            if not value and i < n and text[i] in _QUOTES:
                value, i = _quoted(text, i)
            tokens.append(_Token(value, quoted=False, negated=negated, field_name=name))
            continue
        tokens.append(_Token(chunk, quoted=False, negated=negated))
    return tokens


def _quoted(text: str, i: int) -> tuple[str, int]:
    """The body of a quoted string starting at text[i]; an unbalanced quote runs to the end."""
    close = _QUOTES[text[i]]
    end = text.find(close, i + 1)
    if close == "”" and end < 0:
        end = text.find('"', i + 1)
    if end < 0:
        return text[i + 1 :], len(text)
    return text[i + 1 : end], end + 1


# --- parsing ---------------------------------------------------------------------------------


def parse(text: str) -> Query:
    """Parse a query; raises InvalidInput (one clear line) for what cannot be searched."""
    if len(text) > MAX_QUERY:
        raise UsageError(
            f"the query is {len(text):,} characters long; the limit is {MAX_QUERY:,}",
            hint="search for a few words that stand out",
        )
    text = _clean(text)
    words = _plain_words(text)
    if words is not None:
        return Query(text=text, groups=[[Term((word.lower(),), word)] for word in words])
    return _parsed(text)


_OPERATORS = frozenset({"OR", "AND", "NOT"})


def _plain_words(text: str) -> list[str] | None:
    """The words of a query of ASCII letters and digits between spaces (most queries), or
    None. For such a query the lexer comes to one plain term per word, which is what
    parse() makes of them directly (tests/test_search_query.py compares the two ways)."""
    if not text.isascii():
        return None
    words = text.split()
    if (
        not words
        or len(words) > MAX_TERMS
        or not all(map(str.isalnum, words))
        or not _OPERATORS.isdisjoint(words)
    ):
        return None
    return words


def _parsed(text: str) -> Query:
    """parse() of any cleaned query: lexed, then terms, operators and filters."""
    query = Query(text=text)
    pending_or = False
    negate_next = False
    for token in _lex(text):
        if token.field_name is not None:
            if token.negated or negate_next:
                raise UsageError(
                    f"filters cannot be excluded: -{token.field_name}:{token.text}",
                    hint="filters only narrow a search; exclude words instead, e.g. -rain",
                )
            _add_filter(query.filters, token.field_name, token.text)
            pending_or = False
            continue
        if not token.quoted and not token.negated:
            if token.text == "OR" or token.text == "|":
                pending_or = bool(query.groups)
                continue
            if token.text == "AND" or token.text == "&&":
                continue
            if token.text == "NOT":
                negate_next = True
                continue
        term = _term(token)
        if term is None:
            query.ignored.append(("-" if token.negated else "") + token.text)
            pending_or = False
            continue
        if token.negated or negate_next:
            query.excluded.append(term)
            negate_next = False
            pending_or = False
            continue
        if pending_or:
            query.groups[-1].append(term)
        else:
            query.groups.append([term])
        pending_or = False
    count = len(query.positive_terms()) + len(query.excluded)
    if count > MAX_TERMS:
        raise UsageError(
            f"the query has {count} words; the limit is {MAX_TERMS}",
            hint="search for a few words that stand out",
        )
    return query


def _term(token: _Token) -> Term | None:
    raw = token.text
    prefix = not token.quoted and raw.endswith("*")
    pieces: list[str] = []
    for word in WORD.findall(raw):
        start = 0
        # Split script changes apart ("tvN드라마" -> tvn, 드라마): CJK runs go to the bigram column.
        for match in CJK_RUN.finditer(word):
            if match.start() > start:
                pieces.append(fold(word[start : match.start()]))
            pieces.append(match.group())
            start = match.end()
        if start < len(word):
            pieces.append(fold(word[start:]))
    pieces = [p for p in pieces if p]
    if not pieces:
        return None
    return Term(tuple(pieces), raw, prefix=prefix, quoted=token.quoted)


def _add_filter(filters: Filters, name: str, value: str) -> None:
    key = name.casefold()
    if key not in FIELDS:
        raise UsageError(
            f"unknown search field {name + ':'!r}",
            hint=f"fields are {', '.join(f + ':' for f in FIELDS)}; "
            f'to search for the text itself, put it in quotes: "{name}:{value}"',
        )
    value = " ".join(value.split())
    if not value:
        raise UsageError(f"{key}: needs a value", hint=f"e.g. {_EXAMPLES[key]}")
    if key == "actor":
        filters.actors.append(value)
    elif key == "episode":
        if not value.isdigit() or not value.isascii():
            raise UsageError(f"episode:{value} is not an episode number", hint="e.g. episode:10")
        filters.episode.append(int(value))
    elif key in DECLARED_FIELDS:
        filters.fields.append((key, value))
    else:
        getattr(filters, key).append(value)


_EXAMPLES = {
    "actor": 'actor:"Ji Chang Wook"',
    "drama": 'drama:"Melting Me Softly"',
    "kind": "kind:kiss",
    "network": "network:tvN",
    "year": "year:2016..2020",
    "episode": "episode:10",
    "spoiler": "spoiler:minor",
    **{name: f"{name}:{name.upper()}" for name in DECLARED_FIELDS},
}


# --- compiling to FTS5 -----------------------------------------------------------------------


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _cjk_expression(runs: list[str], prefix: bool) -> str:
    """Substring match of CJK runs against the bigram column (see storage/search_index.py)."""
    tokens: list[str] = []
    for i, run in enumerate(runs):
        last = i == len(runs) - 1
        if len(run) == 1:
            tokens.append(run)
            prefix = prefix or last
        else:
            tokens.extend(run[j : j + 2] for j in range(len(run) - 1))
            if not last:
                tokens.append(run[-1])
    return f"{TERMS_COLUMN} : {_quote(' '.join(tokens))}" + ("*" if prefix else "")


def _latin_expression(words: list[str], prefix: bool) -> str:
    phrase = _quote(" ".join(words)) + ("*" if prefix else "")
    if len(words) > 1 and not prefix and len(words) <= GLUE_WINDOW:
        return f"({phrase} OR {_quote(''.join(words))})"
    return phrase


def term_expression(term: Term) -> str:
    latin = [p for p in term.pieces if not is_cjk(p)]
    cjk = [p for p in term.pieces if is_cjk(p)]
    parts = []
    if latin:
        parts.append(_latin_expression(latin, term.prefix and not cjk))
    if cjk:
        parts.append(_cjk_expression(cjk, term.prefix))
    return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"


def _glued_alternatives(run: list[str]) -> list[str]:
    """For each word of a run of plain words: the word OR its glued windows with neighbours."""
    out = []
    n = len(run)
    for i in range(n):
        alternatives = [_quote(run[i])]
        for size in range(2, min(QUERY_GLUE, n) + 1):
            for start in range(max(0, i - size + 1), min(i, n - size) + 1):
                alternatives.append(_quote("".join(run[start : start + size])))
        out.append(alternatives[0] if len(alternatives) == 1 else f"({' OR '.join(alternatives)})")
    return out


def match_expression(query: Query) -> str | None:
    """The FTS5 MATCH expression for the words of `query` (None when it has none)."""
    if not query.groups:
        return None
    parts: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) >= 2 and len(run) <= QUERY_GLUE_RUN:
            parts.extend(_glued_alternatives(run))
        else:
            parts.extend(_quote(word) for word in run)
        run.clear()

    for group in query.groups:
        if len(group) == 1 and group[0].plain:
            run.append(group[0].pieces[0])
            continue
        flush()
        expressions = [term_expression(term) for term in group]
        parts.append(expressions[0] if len(expressions) == 1 else f"({' OR '.join(expressions)})")
    flush()
    expression = " AND ".join(parts)
    if query.excluded:
        excluded = " OR ".join(term_expression(term) for term in query.excluded)
        expression = f"({expression}) NOT ({excluded})"
    return expression


# --- what to highlight -----------------------------------------------------------------------


_EDGE_BEFORE = r"[^\W_]"  # a letter or digit
_END = r"(?![^\W_])"


@dataclass
class Highlighter:
    """Finds the spans of a text that the query's (positive) words match.

    Works on the folded text with one compiled pattern, so a page of results costs a few
    regex scans in C rather than a Python loop over every word."""

    words: set[str] = field(default_factory=set)
    prefixes: tuple[str, ...] = ()
    glued: set[str] = field(default_factory=set)
    cjk: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Every alternative starts with a literal and checks the word edge behind it
        # (`_starting`), which lets the regex engine jump to the places where that literal
        # occurs instead of trying the whole pattern at every character: about 10x faster
        # than a leading look-behind, and it matches exactly the same spans.
        alternatives: list[str] = []
        for word in sorted(self.words, key=len, reverse=True):
            alternatives.append(f"{_starting(re.escape(word))}{_END}")
        for prefix in self.prefixes:
            alternatives.append(f"{_starting(re.escape(prefix))}[^\\W_]*")
        # A glued spelling matches the same letters with separators between them:
        # "jichangwook" lights up "Ji Chang Wook" and "Ji Chang-wook".
        for glued in sorted(self.glued, key=len, reverse=True):
            first, *rest = map(re.escape, glued)
            spread = "".join(r"[\W_]{0,2}" + ch for ch in rest)
            alternatives.append(f"{_starting(first)}{spread}{_END}")
        alternatives.extend(map(re.escape, self.cjk))
        self._pattern = re.compile("|".join(alternatives)) if alternatives else None

    def matches(self, *texts: str | None) -> bool:
        """Whether any of `texts` has a span (cheaper than spans())."""
        if self._pattern is None:
            return False
        return any(text and self._pattern.search(_folded(text)[0]) for text in texts)

    def spans(self, text: str | None) -> list[tuple[int, int]]:
        if not text or self._pattern is None:
            return []
        if text.isascii():  # the common case, inlined: folding keeps every offset
            found = [m.span() for m in self._pattern.finditer(text.lower())]
            return found if len(found) < 2 else _merge(text, found)
        folded, starts = _folded(text)
        found = [m.span() for m in self._pattern.finditer(folded)]
        if not found:
            return found
        if starts is not None:
            found = [(starts[s], starts[e - 1] + 1) for s, e in found if e > s]
        return found if len(found) == 1 else _merge(text, found)

    def spans_of(self, texts: Sequence[str | None]) -> list[list[tuple[int, int]]]:
        """spans() of each of `texts` (a page of titles and descriptions), in one scan
        when they are all ASCII, as they nearly always are: one lowered copy and one
        finditer instead of one each per text.

        The texts are joined by three line breaks, which no alternative matches across: a
        glued spelling allows at most two separators between its letters, and words,
        prefixes and CJK runs have none. The edges hold as well: a line break is neither
        letter nor digit, as the start and end of a text are not. So the matches are those
        of each text on its own."""
        pieces = [text or "" for text in texts]
        joined = _APART.join(pieces)
        if self._pattern is None or not joined.isascii():
            return [self.spans(text) for text in texts]
        found: list[list[tuple[int, int]]] = [[] for _ in pieces]
        # Where each text's share of `joined` ends (the text and the separator after it).
        ends = list(accumulate(len(piece) + len(_APART) for piece in pieces))
        at, offset = 0, 0
        for match in self._pattern.finditer(joined.lower()):
            start, end = match.span()
            while start >= ends[at]:
                offset = ends[at]
                at += 1
            found[at].append((start - offset, end - offset))
        return [
            spans if len(spans) < 2 else _merge(piece, spans)
            for piece, spans in zip(pieces, found, strict=True)
        ]


_APART = "\n\n\n"


def _starting(literal: str) -> str:
    """`literal` where no letter or digit comes right before it: a look-behind like
    `(?<![^\\W_])` in front of it, but written after it so the pattern starts with the literal."""
    return f"{literal}(?<!{_EDGE_BEFORE}{literal})"


def _folded(text: str) -> tuple[str, list[int] | None]:
    """The text folded like the index folds it, and (when folding changed lengths) where
    each folded character came from in the original."""
    if text.isascii():
        return text.lower(), None
    whole = fold(text)
    if len(whole) == len(text):
        # Nearly always one folded character per character (Hangul, most accents in NFC).
        return whole, None
    out: list[str] = []
    starts: list[int] = []
    for i, ch in enumerate(text):
        piece = fold(ch)
        out.append(piece)
        starts.extend([i] * len(piece))
    return "".join(out), starts


def _merge(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping spans, and spans apart only by a space or hyphen, become one."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and (start <= merged[-1][1] or _JOINER.fullmatch(text[merged[-1][1] : start])):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlighter(query: Query) -> Highlighter:
    words: set[str] = set()
    prefixes: list[str] = []
    glued: set[str] = set()
    cjk: list[str] = []
    plain_run: list[str] = []
    for term in query.positive_terms():
        latin = [p for p in term.pieces if not is_cjk(p)]
        cjk.extend(p for p in term.pieces if is_cjk(p))
        if term.prefix and latin:
            words.update(latin[:-1])
            prefixes.append(latin[-1])
        else:
            words.update(latin)
        if 1 < len(latin) <= GLUE_WINDOW:
            glued.add("".join(latin))
        if term.plain:
            plain_run.append(term.pieces[0])
    for size in range(2, QUERY_GLUE + 1):
        glued.update("".join(plain_run[i : i + size]) for i in range(len(plain_run) - size + 1))
    # A single typed word may be a glued name: "jichangwook" lights up "Ji Chang Wook".
    glued.update(w for w in words if len(w) > 3)
    return Highlighter(words, tuple(prefixes), glued, tuple(dict.fromkeys(cjk)))
