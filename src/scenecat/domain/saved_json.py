"""Saved provider answers read from files: a TMDB or Wikidata response (`--from-file`,
`lookup --from-file`) and `yt-dlp -J URL` output (`--clip-json`, `views refresh --from-json`).

They are read as strictly as `import` reads a catalogue file: a key named twice in one
object is refused (never "the last one wins"), as are `NaN`, `Infinity` and numbers beyond
a float's range (JSON has none of them), nesting too deep to read, text that is not UTF-8
and files larger than MAX_BYTES. Each of these is one InvalidInput saying what is wrong.

A folder of saved files (`views refresh --from-json DIR`) is read file by file: only
regular files are opened for reading (a pipe named `x.json` would wait for a writer for
ever, a link to `/dev/zero` never ends), and each file that cannot be used is skipped with
its reason while the others go on.
"""

from __future__ import annotations

import json
import math
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scenecat.domain.importing.jsonl_file import DuplicateKey, unique_keys
from scenecat.errors import InvalidInput

# A `yt-dlp -J` file is rarely above a few MB, and a TMDB series with ten thousand cast
# entries is about 4 MB: 50 MB leaves room and keeps a runaway file from filling memory.
MAX_MB = 50
MAX_BYTES = MAX_MB * 1024 * 1024


def read_saved_json(path: Path) -> Any:
    """The JSON in the file at `path` (a regular file, or a pipe the user named, as in
    `--clip-json <(yt-dlp -J URL)`); InvalidInput, without the path, when it is unusable."""
    return parse_saved_json(_read(path, regular_only=False))


@dataclass
class SavedFile:
    """One `*.json` file of a folder: its data, or why it was skipped."""

    path: Path
    data: Any = None
    skipped: str | None = None


def saved_json_files(folder: Path) -> Iterator[SavedFile]:
    """The `*.json` files of `folder` in name order, each read or skipped with a reason."""
    for path in sorted(folder.glob("*.json")):
        try:
            yield SavedFile(path, parse_saved_json(_read(path, regular_only=True)))
        except InvalidInput as exc:
            yield SavedFile(path, skipped=exc.message)


def _read(path: Path, *, regular_only: bool) -> bytes:
    # O_NONBLOCK: opening a pipe to read waits for a writer; non-blocking, it returns at
    # once and fstat tells what was opened before a byte is read.
    flags = os.O_RDONLY | (getattr(os, "O_NONBLOCK", 0) if regular_only else 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InvalidInput("no such file") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read it ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InvalidInput("is a folder, not a file")
        if regular_only and not stat.S_ISREG(info.st_mode):
            raise InvalidInput("not a regular file (a pipe, a device or a socket)")
        if stat.S_ISREG(info.st_mode) and info.st_size > MAX_BYTES:
            raise InvalidInput(_too_large(info.st_size))
        if regular_only:
            os.set_blocking(fd, True)
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_BYTES:
            chunk = os.read(fd, min(1 << 20, MAX_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise InvalidInput(f"cannot read it ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > MAX_BYTES:
        raise InvalidInput(_too_large(None))
    return data


def _too_large(size: int | None) -> str:
    what = f"is {size / 1024 / 1024:,.0f} MB" if size is not None else "holds more than that"
    return (
        f"{what}; a saved answer of more than {MAX_MB} MB is not read "
        "(a TMDB or yt-dlp answer is a few MB at most)"
    )


class _NotJsonNumber(ValueError):
    """A number JSON does not allow (NaN, Infinity) or no float can hold (1e400)."""


def _no_constant(name: str) -> float:
    raise _NotJsonNumber(f"{name} is not a number JSON allows")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise _NotJsonNumber(f"the number {text[:40]} is beyond any usable range")
    return number


_DECODER = json.JSONDecoder(
    object_pairs_hook=unique_keys, parse_constant=_no_constant, parse_float=_finite
)


def parse_saved_json(raw: bytes) -> Any:
    """JSON text as strictly as `import` reads it; InvalidInput saying what is wrong."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("not UTF-8 text") from None
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not valid JSON: {exc.msg} (line {exc.lineno})") from None
    except DuplicateKey as exc:
        raise InvalidInput(f"the key {exc.key!r} appears twice in one JSON object") from None
    except _NotJsonNumber as exc:
        raise InvalidInput(f"not valid JSON: {exc}") from None
    except RecursionError:
        raise InvalidInput("the JSON is nested too deeply to be a saved answer") from None
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise InvalidInput(f"not valid JSON: {str(exc).split(';')[0]}") from None
