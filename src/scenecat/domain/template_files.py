"""The built-in article templates as files a user can copy (`scenecat templates`).

Read through importlib.resources, so that they are found wherever scenecat is installed
(a wheel, a zip): a pip-installed user has no src/scenecat/templates/ to copy from. Not
under domain/articles/, whose package loads Jinja2 and the article builders.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from scenecat.errors import Conflict, InvalidInput
from scenecat.files import write_new_text

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

SUFFIX = ".md.j2"


class BuiltinTemplate(NamedTuple):
    name: str
    summary: str  # the first sentence of the comment it opens with


def _folder() -> Traversable:
    return resources.files("scenecat") / "templates"


def builtin_templates() -> list[BuiltinTemplate]:
    found = [
        BuiltinTemplate(entry.name.removesuffix(SUFFIX), _summary(entry.read_text("utf-8")))
        for entry in _folder().iterdir()
        if entry.name.endswith(SUFFIX)
    ]
    return sorted(found)


# Each opens with `{#- scenecat NAME: what it writes. ... #}`.
_OPENING = re.compile(r"\{#-?\s*(.*?)(?:\n\s*\n|#\})", re.S)
_FIRST_SENTENCE = re.compile(r"(.+?[.?!])(?:\s|$)")


def _summary(text: str) -> str:
    opening = _OPENING.match(text)
    if opening is None:
        return ""
    words = " ".join(opening.group(1).split())
    words = words.partition(": ")[2] or words  # "scenecat listicle: a ranked ..."
    sentence = _FIRST_SENTENCE.match(words)
    return sentence.group(1) if sentence else words


def copy_template(name: str, dest: Path | None) -> Path:
    """Write the built-in template `name` to `dest` (a file, or a folder to put NAME.md.j2
    in; the current folder when None). An existing file is never replaced."""
    names = [t.name for t in builtin_templates()]
    if name not in names:
        raise InvalidInput(
            f"no built-in template {name!r}",
            hint=f"the built-ins: {', '.join(names)} (scenecat templates lists them)",
        )
    text = (_folder() / f"{name}{SUFFIX}").read_text("utf-8")
    target = Path(f"{name}{SUFFIX}") if dest is None else dest
    if target.is_dir():
        target = target / f"{name}{SUFFIX}"
    if not write_new_text(target, text):
        raise Conflict(
            f"{target} exists; nothing was written",
            hint="give another PATH, or move that file away first",
        )
    return target
