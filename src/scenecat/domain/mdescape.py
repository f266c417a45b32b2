"""Escaping user text for CommonMark, so a scene title prints exactly as typed.

Catalogue text is data, never markup (docs/DESIGN.md §3): `*stars*`, `<script>`, `[link](x)`,
backticks or a leading `#` in a title must come out of any CommonMark renderer as the same
characters. CommonMark lets a backslash escape any ASCII punctuation, so escaping more than
strictly needed is harmless; escaping too little is not. Beyond CommonMark itself this also
defuses what blog engines run over markdown before rendering it: Jekyll's Liquid
(`{{ }}`, `{% %}`), Hugo shortcodes (`{{< >}}`), GFM tables (`|`) and strikethrough (`~`),
and `$` maths.
"""

from __future__ import annotations

import re
from urllib.parse import quote


class Md(str):
    """Markdown that is already safe to emit as is (escaped text, a link, a literal)."""

    __slots__ = ()


# Always escaped, wherever the text lands on a line.
_SPECIAL = re.compile(r"[\\`*_\[\]<>#|~&{}$]")
# C0/C1 controls go (terminal escapes, NUL); tab, CR and LF are whitespace and fold.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# At the start of a line these open a list item, a thematic break or a setext underline.
_LINE_START = re.compile(r"^(?:[-+](?= |$)|-{3,}|=+$|\d{1,9}[.)](?= |$))")
_PARAGRAPHS = re.compile(r"\n[ \t]*\n\s*")
# Text `escape` leaves as it is, in one match: words of characters that are neither markup,
# controls nor whitespace, one space apart, not opening the way _LINE_START says. Most values
# of an article (names, numbers, sentences) are such text; a 10,000-scene article escapes
# 65,000 of them. The whitespace is str.split's (Python's isspace, which `\s` matches too),
# spelled out because a class of ranges alone is checked a sixth faster than one with `\s`
# (tests/test_articles_builtin_render.py checks it is exactly the characters isspace() names).
WHITESPACE = r"\t-\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_WORD = rf"[^{WHITESPACE}\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\\`*_\[\]<>#|~&{{}}$]+"
_AS_IT_IS = re.compile(rf"(?![-+](?: |$)|-{{3,}}|=+$|\d{{1,9}}[.)](?: |$)){_WORD}(?: {_WORD})*")


#: is_plain(text): a match (true) when escape(text) is text itself, so that the caller may skip
#: it; the compiled pattern's own method, so a caller in a hot loop pays no Python call.
is_plain = _AS_IT_IS.fullmatch


def escape(text: object) -> Md:
    """One line of inline text: whitespace folded to single spaces, markup characters escaped.

    Safe anywhere inline and at the start of a line (headings, list items, paragraphs).
    """
    if text is None:
        return Md("")
    if isinstance(text, Md):
        return text
    value = str(text)
    if _AS_IT_IS.fullmatch(value):
        return Md(value)
    # Searching first is cheap and many of the other values need one change at most.
    if _CONTROL.search(value):
        value = _CONTROL.sub("", value)
    value = " ".join(value.split())
    if _SPECIAL.search(value):
        value = _SPECIAL.sub(r"\\\g<0>", value)
    match = _LINE_START.match(value)
    if match:
        end = match.end()
        value = value[: end - 1] + "\\" + value[end - 1 :]
    return Md(value)


def escape_paragraphs(text: object) -> Md:
    """Free text (a description): blank-line-separated paragraphs kept, each escaped.

    Meant for the start of a line at top level; inside a list item later paragraphs would
    need indenting, so templates place descriptions as their own paragraphs.
    """
    if text is None:
        return Md("")
    if isinstance(text, Md):
        return text
    text = str(text)
    if "\n" not in text:  # one paragraph (most descriptions): escape strips its ends too
        return escape(text)
    parts = [escape(p) for p in _PARAGRAPHS.split(text.strip())]
    return Md("\n\n".join(p for p in parts if p))


# RFC 3986 reserved and unreserved characters, minus the ones that end or confuse a
# CommonMark link destination (parentheses, angle brackets, backslash, spaces).
_URL_SAFE = "-._~:/?#[]@!$&'*+,;=%"


def url(value: object) -> Md:
    """A link destination: anything a CommonMark destination cannot hold is %-encoded."""
    return Md(quote(str(value).strip(), safe=_URL_SAFE))


def link(title: object, target: object) -> Md:
    """`[title](url)` with the title escaped and the url encoded."""
    return Md(f"[{escape(title)}]({url(target)})")
