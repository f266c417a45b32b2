"""Text rules shared by every layer: Unicode form, name keys, slugs, clock times."""

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
# C0/C1 control characters other than tab and newline: terminal escapes (ESC, BEL, OSC)
# must never reach storage from a name.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
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
    text = " ".join(nfc(value).split())
    if not text:
        raise InvalidInput(f"{subject}must not be empty")
    if _CONTROL.search(text):
        raise InvalidInput(f"{subject}must not contain control characters")
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
    text = nfc(value).strip()
    if not text:
        return None
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
    return _SEPARATORS.sub("", unicodedata.normalize("NFC", stripped))


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
