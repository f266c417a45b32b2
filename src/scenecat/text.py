"""Text rules shared by every layer: Unicode form, name keys, slugs, clock times, counts."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import TypeGuard

MAX_NAME = 300
MAX_TEXT = 20_000

_SEPARATORS = re.compile(r"[\s\-‐-―_.·'’`]+")
_SLUG_DROP = re.compile(r"[^a-z0-9]+")
# One rule for every text field (names, titles, tags, descriptions, synopses...): C0 and C1
# controls (ESC starts CSI/OSC sequences, BEL ends OSC, 0x9b is a one-byte CSI), the
# bidirectional overrides and isolates that reorder what a terminal shows ("Trojan Source")
# and the Unicode line and paragraph separators are refused. Multi-line fields (scene
# descriptions, drama synopses) keep tab and newline; single-line ones fold all whitespace.
UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029"
_CONTROL_MULTILINE = re.compile(f"[{UNSAFE}]")
# The same characters as JSON \\u escapes (json.dumps escapes C0 itself): exact data, and a
# terminal that shows it stays safe.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
# Invisible format characters (zero-width space, word joiner, BOM, soft hyphen, ...): a name
# with one looks identical to the name without, so they are dropped from names.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b-\u200f\u2060-\u2064\u206a-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]"
)
_UNSAFE_MESSAGE = "must not contain control characters (terminal escapes, bidi overrides)"


def json_safe(text: str) -> str:
    """JSON text (from json.dumps) with every terminal-unsafe character as a \\u escape."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def visible_escapes(text: object) -> str:
    """Terminal-unsafe characters written as \\x1b / \\u202e (terminal, CSV, plain text and
    the website); None is the empty text."""
    return _CONTROL_MULTILINE.sub(_escape, "" if text is None else str(text))


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# Lone surrogates come from JSON escapes such as "\ud800" or from command-line bytes that
# are not UTF-8; SQLite cannot store them.
_SURROGATE = re.compile("[\ud800-\udfff]")
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
    if _CONTROL_MULTILINE.search(value):
        raise InvalidInput(f"{subject}{_UNSAFE_MESSAGE}")
    text = " ".join(_INVISIBLE.sub("", nfc(value)).split())
    if not text:
        raise InvalidInput(f"{subject}must not be empty")
    if _SURROGATE.search(text):
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
    if _CONTROL_MULTILINE.search(text):
        subject = f"{what} " if what else ""
        raise InvalidInput(f"{subject}{_UNSAFE_MESSAGE}; tab and newline are fine")
    if _SURROGATE.search(text):
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
    key = _SEPARATORS.sub("", unicodedata.normalize("NFC", stripped))
    if key.isascii():
        return key
    return _fold_look_alikes(_INVISIBLE.sub("", key))


# Cyrillic and Greek letters that look like Latin ones (after case folding), from Unicode's
# confusables data (UTS #39), the ones a name can carry unnoticed.
_LOOK_ALIKES = str.maketrans(
    {
        # Cyrillic (lower case, and the lower case of capitals that look Latin: В Н М Т К)
        "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "є": "e", "һ": "h", "н": "h",
        "і": "i", "ј": "j", "к": "k", "ӏ": "l", "м": "m", "п": "n", "о": "o", "р": "p",
        "ԛ": "q", "ѕ": "s", "т": "t", "у": "y", "ү": "y", "ԝ": "w", "х": "x",
        # Greek
        "α": "a", "β": "b", "ϲ": "c", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v",
        "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
        # Latin letters that pass for others
        "ɡ": "g", "ı": "i", "ɩ": "i", "ʏ": "y",
    }
)  # fmt: skip
_LATIN_LETTER = re.compile("[a-z]")


def _fold_look_alikes(key: str) -> str:
    """A key mixing Latin letters with Cyrillic or Greek look-alikes ('Ji Chang Wоok' with a
    Cyrillic о) folds to the all-Latin key, so the name is found and warned about as the
    name it imitates. A name written wholly in another script keeps its own key."""
    if not _LATIN_LETTER.search(key):
        return key
    return key.translate(_LOOK_ALIKES)


def slugify(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    ascii_only = decomposed.encode("ascii", "ignore").decode()
    return _SLUG_DROP.sub("-", ascii_only).strip("-")


_CLOCK = re.compile(r"^(?:(\d+):)?([0-5]?\d):([0-5]\d)$")


def parse_clock(value: str) -> int:
    """'52:10' or '1:02:03' -> seconds."""
    from scenecat.errors import InvalidInput

    match = _CLOCK.match(value.strip())
    if not match:
        raise InvalidInput(f"time {value!r} is not mm:ss or h:mm:ss", hint="e.g. --at 52:10")
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


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
