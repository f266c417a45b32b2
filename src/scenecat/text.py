"""Text rules shared by every layer: Unicode form, name keys, slugs, clock times, counts."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeGuard

MAX_NAME = 300
MAX_TEXT = 20_000


def lazy_pattern(pattern: str) -> Callable[[], re.Pattern[str]]:
    """A regular expression compiled the first time it is used: `_WORD = lazy_pattern(...)`,
    then `_WORD().search(text)`. Compiling one costs about 1 M instructions (re's parser is
    Python), and a command that never needs it should not pay that at start-up (`rank`
    compiled fifteen of text.py's and output.py's; tests/test_startup.py checks it now
    compiles only the one it uses)."""
    return functools.cache(lambda: re.compile(pattern))


_SEPARATORS = lazy_pattern(r"[\s\-‐-―_.·'’`]+")
_SLUG_DROP = lazy_pattern(r"[^a-z0-9]+")
# One rule for every text field (names, titles, tags, descriptions, synopses...): C0 and C1
# controls (ESC starts CSI/OSC sequences, BEL ends OSC, 0x9b is a one-byte CSI), the
# bidirectional overrides and isolates that reorder what a terminal shows ("Trojan Source")
# and the Unicode line and paragraph separators are refused. Multi-line fields (scene
# descriptions, drama synopses) keep tab and newline; single-line ones fold all whitespace.
UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029"
_CONTROL_MULTILINE = lazy_pattern(f"[{UNSAFE}]")
# The same characters as JSON \\u escapes (json.dumps escapes C0 itself): exact data, and a
# terminal that shows it stays safe.
_JSON_UNSAFE = lazy_pattern("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
# Invisible characters (zero-width space, word joiner, BOM, soft hyphen, fillers, the braille
# blank, ...): a name with one looks identical to the name without, so they are dropped from
# names.
_INVISIBLE = lazy_pattern(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b-\u200f\u2060-\u2064\u206a-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0]"
)
_UNSAFE_MESSAGE = "must not contain control characters (terminal escapes, bidi overrides)"


def json_safe(text: str) -> str:
    """JSON text (from json.dumps) with every terminal-unsafe character as a \\u escape."""
    return _JSON_UNSAFE().sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def visible_escapes(text: object) -> str:
    """Terminal-unsafe characters written as \\x1b / \\u202e (terminal, CSV, plain text and
    the website); None is the empty text."""
    return _CONTROL_MULTILINE().sub(_escape, "" if text is None else str(text))


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# Lone surrogates come from JSON escapes such as "\ud800" or from command-line bytes that
# are not UTF-8; SQLite cannot store them.
_SURROGATE = lazy_pattern("[\ud800-\udfff]")
_NOT_UNICODE = "must be valid Unicode text (it has a lone surrogate: is the source UTF-8?)"


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def is_plain_name(value: object) -> TypeGuard[str]:
    """Whether `value` is text clean_name() returns as it is without looking further:
    printable ASCII, trimmed, single-spaced, not empty, not too long."""
    return (
        type(value) is str
        and value.isascii()
        and value.isprintable()
        and 0 < len(value) <= MAX_NAME
        and value == value.strip()
        and "  " not in value
    )


def clean_name(value: str, what: str = "name") -> str:
    """NFC, trimmed, single-spaced; rejects empty, control characters and absurd lengths.

    `what` starts the message ("alias must not be empty"); "" gives a bare "must not ...".
    """
    # Most names are plain ASCII already in shape; bulk imports check millions of them.
    if is_plain_name(value):
        return value
    from scenecat.errors import InvalidInput

    subject = f"{what} " if what else ""
    if _CONTROL_MULTILINE().search(value):
        raise InvalidInput(f"{subject}{_UNSAFE_MESSAGE}")
    text = " ".join(_INVISIBLE().sub("", nfc(value)).split())
    if not text:
        raise InvalidInput(f"{subject}must not be empty")
    if _SURROGATE().search(text):
        raise InvalidInput(f"{subject}{_NOT_UNICODE}")
    if len(text) > MAX_NAME:
        raise InvalidInput(f"{subject}is {len(text)} characters long; the limit is {MAX_NAME}")
    return text


def clean_text(value: str | None, what: str = "text") -> str | None:
    """NFC free text (descriptions); None/blank becomes None."""
    from scenecat.errors import InvalidInput

    if value is None:
        return None
    text = nfc(value).replace("\r\n", "\n").strip()
    if not text:
        return None
    if _CONTROL_MULTILINE().search(text):
        subject = f"{what} " if what else ""
        raise InvalidInput(f"{subject}{_UNSAFE_MESSAGE}; tab and newline are fine")
    if _SURROGATE().search(text):
        raise InvalidInput(f"{what + ' ' if what else ''}{_NOT_UNICODE}")
    if len(text) > MAX_TEXT:
        subject = f"{what} " if what else ""
        raise InvalidInput(f"{subject}is {len(text)} characters long; the limit is {MAX_TEXT:,}")
    return text


def name_key(value: str) -> str:
    """The form fans' spellings collapse to: 'Ji Chang-wook' = 'JI CHANGWOOK' = 'ji chang wook'.

    Case-folded, compatibility-decomposed without combining marks (so diacritics and NFD
    input do not matter), then recomposed so Hangul syllables stay whole.
    """
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    key = _SEPARATORS().sub("", unicodedata.normalize("NFC", stripped))
    if key.isascii():
        return key
    return _fold_look_alikes(_INVISIBLE().sub("", key))


_LATIN_LETTER = lazy_pattern("[a-z]")
_SMALL_CAPITAL = lazy_pattern(r"LATIN LETTER SMALL CAPITAL ([A-Z])$")


def _fold_look_alikes(key: str) -> str:
    """A key mixing Latin letters with look-alikes of them from other scripts ('Ji Chang Wоok'
    with a Cyrillic о, 'Goոg Yoo' with an Armenian ո) or with small capitals ('ɢᴏɴɢ ʏᴏᴏ')
    folds to the all-Latin key, so the name is found and warned about as the name it
    imitates. A name written wholly in another script keeps its own key."""
    if not _LATIN_LETTER().search(key) and not any(_is_latin(ch) for ch in key):
        return key
    return "".join(_latin_look_alike(ch) or ch for ch in key)


def _is_latin(ch: str) -> bool:
    return not ch.isascii() and unicodedata.name(ch, "").startswith("LATIN ")


@functools.cache
def _latin_look_alike(ch: str) -> str | None:
    """The ASCII letter `ch` (a case-folded character) passes for, from Unicode's confusables
    data (UTS #39, through confusable_homoglyphs, loaded on the first non-ASCII key that has
    Latin letters) and the names of small capitals; None when it passes for none."""
    if ch.isascii():
        return None
    small = _small_capital(ch)
    if small:
        return small
    from confusable_homoglyphs.confusables import confusables_data

    # The letter itself first (`ӏ` looks like i), then its capital (`к` looks like no Latin
    # letter, `К` like K); as a Latin letter or as a small capital (`н` looks like ʜ).
    for form in (ch, ch.upper()):
        glyphs = [g["c"] for g in confusables_data.get(form, ())]
        for glyph in glyphs:
            letter = _ascii_letter(glyph)
            if letter:
                return letter
        for glyph in glyphs:
            letter = _small_capital(glyph) if len(glyph) == 1 else None
            if letter:
                return letter
    return None


def _small_capital(ch: str) -> str | None:
    match = _SMALL_CAPITAL().match(unicodedata.name(ch, ""))
    return match.group(1).lower() if match else None


def _ascii_letter(glyph: str) -> str | None:
    """`glyph` as one lower-case ASCII letter, once marks are dropped ('n̩' is n), or None."""
    decomposed = unicodedata.normalize("NFKD", glyph)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c) and c.isprintable())
    return bare.lower() if len(bare) == 1 and bare.isascii() and bare.isalpha() else None


def slugify(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    ascii_only = decomposed.encode("ascii", "ignore").decode()
    return _SLUG_DROP().sub("-", ascii_only).strip("-")


_CLOCK = lazy_pattern(r"^(?:(\d+):)?([0-5]?\d):([0-5]\d)$")


def parse_clock(value: str) -> int:
    """'52:10' or '1:02:03' -> seconds."""
    from scenecat.errors import InvalidInput

    match = _CLOCK().match(value.strip())
    if not match:
        raise InvalidInput(f"time {value!r} is not mm:ss or h:mm:ss", hint="e.g. --at 52:10")
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


# A time inside a clip as YouTube's `t=` writes it (83, 83s, 1m23s, 1h2m3s) or as a clock.
_UNITS = lazy_pattern(r"^(?:(\d{1,9})h)?(?:(\d{1,9})m)?(?:(\d{1,9})s?)?$")
MAX_CLIP_TIME = 100_000  # seconds (27 hours): past any clip


def parse_clip_time(value: str) -> int:
    """A time inside a clip, in seconds: `83`, `83s`, `1m23s`, `1h2m3s` (YouTube's `t=`
    forms) or `1:23`, `1:02:03` (a clock). InvalidInput for anything else."""
    from scenecat.errors import InvalidInput

    text = value.strip().lower()
    shown = value if len(value) <= 30 else value[:30] + "…"
    if ":" in text:
        match = _CLOCK().match(text)
        seconds = None if match is None else parse_clock(text)
    else:
        units = _UNITS().match(text) if text else None
        seconds = (
            None
            if units is None or not any(units.groups())
            else sum(int(g or 0) * n for g, n in zip(units.groups(), (3600, 60, 1), strict=True))
        )
    if seconds is None:
        raise InvalidInput(
            f"{shown!r} is not a time in the clip (e.g. 83, 83s, 1m23s, 1:23 or 1:02:03)"
        )
    if seconds > MAX_CLIP_TIME:
        raise InvalidInput(f"{shown!r} is past any clip ({MAX_CLIP_TIME:,} seconds at most)")
    return seconds


def format_clock(seconds: int | None) -> str | None:
    if seconds is None:
        return None
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def compact(count: int) -> str:
    """1850000 -> 1.85M: counts as fans read them (exact figures are in --json)."""
    for size, unit in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
        if count >= size:
            return f"{count / size:.3g}{unit}"
    return str(count)


def wrap_items(label: str, items: list[str], width: int = 78) -> list[str]:
    """`label item, item, ...` as lines of at most `width`, broken between items and never
    inside one ("83 view counts" stays whole); later lines are indented."""
    lines: list[str] = []
    line = label
    for i, item in enumerate(items):
        piece = f" {item}" + ("," if i < len(items) - 1 else "")
        if len(line) + len(piece) > width and line.strip():
            lines.append(line)
            line = " "
        line += piece
    lines.append(line)
    return lines


def counted(count: int, word: str, many: str | None = None) -> str:
    """'1 scene', '1,200 scenes': a count with its noun in the right number (never
    'scene(s)'); `many` for plurals that are not word + 's'."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"
