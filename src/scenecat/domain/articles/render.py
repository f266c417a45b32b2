"""Rendering: front matter, the Jinja2 sandbox, its filters and template loading.

Catalogue text is data. Every `{{ value }}` is escaped for CommonMark on output (the
environment's `finalize`), unless a filter marked it as markdown already (`md`, `url`,
`link`, `raw`); Jinja's own HTML autoescape is off, since the output is not HTML.

A user's template (a file, or one that extends a built-in) runs in the sandbox; the built-in
templates are scenecat's own files and run in a plain environment with the same options and
filters, so they write the same text without the sandbox's checks on every attribute.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from jinja2 import meta
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment

from scenecat.domain.articles import bounds
from scenecat.domain.articles.entries import BUILTIN_TEMPLATES, CONTEXT_TYPES, ArticleInfo
from scenecat.domain.articles.wording import SCORE_DIGITS, join_names, plural, score_figure
from scenecat.domain.mdescape import (
    WHITESPACE,
    Md,
    escape,
    escape_paragraphs,
    is_plain,
    link,
    url,
)
from scenecat.errors import InvalidInput


def _yaml_string(value: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar; U+2028/9 and NEL are escaped too
    # because YAML treats them as line breaks.
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("\u2028", "\\L").replace("\u2029", "\\P").replace("\x85", "\\N")


def front_matter(info: ArticleInfo) -> str:
    """YAML front matter with the fields Hugo and Jekyll both read: `title` (their themes print
    it as the page's heading, so the body has none), `date`, `description` (the summary line
    of search results and link previews; Hugo's .Description, Jekyll's page.description),
    `tags` and `slug` (the page's address in both)."""
    tags = ", ".join(_yaml_string(t) for t in info.tags)
    description = f"description: {_yaml_string(info.description)}\n" if info.description else ""
    return (
        "---\n"
        f"title: {_yaml_string(info.title)}\n"
        f"date: {info.date}\n"
        f"{description}"
        f"tags: [{tags}]\n"
        f"slug: {_yaml_string(info.slug)}\n"
        "---\n\n"
    )


# Templates


def builtin_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "templates"


def _finalize(value: object) -> object:
    if type(value) is str:  # most values: plain text (an Md is a subclass, kept below)
        return value if is_plain(value) else escape(value)  # the same text, without a copy
    if type(value) is int:  # positions, counts
        return value
    if isinstance(value, Md):
        return value
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return escape(value)


def _thousands(value: object) -> Md:
    if value is None:
        return Md("")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Md(f"{value:,}")
    return escape(value)


def _score(value: object, digits: int = SCORE_DIGITS) -> Md:
    if value is None:
        return Md("")
    if isinstance(value, (int, float)):
        return Md(score_figure(value, digits))
    return escape(value)


def _raw(value: object) -> Md:
    return Md("" if value is None else str(value))


class _Loader(jinja2.BaseLoader):
    """Built-in templates by file name; a user template by its path; files next to a user
    template (for `{% include %}`) by name. Built-ins win, so a user's copy of
    `listicle.md.j2` can still `{% extends "listicle.md.j2" %}`."""

    def __init__(self, user_file: Path | None) -> None:
        self.user_file = user_file

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        if self.user_file is not None and template == str(self.user_file):
            return _read_template(self.user_file), template, lambda: True
        pieces = split_template_path(template)  # refuses `..`
        folders = [builtin_dir()] + ([self.user_file.parent] if self.user_file else [])
        for folder in folders:
            path = folder.joinpath(*pieces)
            if path.is_file():
                return _read_template(path), str(path), lambda: True
        raise jinja2.TemplateNotFound(template)


#: The public fields of each context record type: what templates read most (a 10,000-scene
#: article reads 165,000 of them).
_FIELDS = {
    kind: frozenset(f.name for f in dataclasses.fields(kind) if not f.name.startswith("_"))
    for kind in CONTEXT_TYPES
}


class _Sandbox(SandboxedEnvironment):
    """The sandbox, with a fast path for the context's own records: their public fields
    are plain data, so the per-access safety check (a third of the render time for a
    10,000-scene article) is skipped for them. Everything else is checked as usual."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        fields = _FIELDS.get(type(obj))
        if fields is not None and attribute in fields:
            return getattr(obj, attribute)  # a field of a record is always set
        if type(obj) in CONTEXT_TYPES and not attribute.startswith("_"):
            try:
                return getattr(obj, attribute)
            except AttributeError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    # One expression that would build a huge value at once is refused (articles/bounds.py).
    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        bounds.binop(operator, left, right, bounds.bounds())
        return super().call_binop(context, operator, left, right)


_OPTIONS: dict[str, Any] = {
    "autoescape": False,
    "undefined": jinja2.StrictUndefined,
    "finalize": _finalize,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "keep_trailing_newline": True,
    "auto_reload": False,
}


def _environment(user_file: Path | None) -> jinja2.Environment:
    """The sandbox a user's template runs in (and any template, for the tests that compare)."""
    return _with_filters(_Sandbox(loader=_Loader(user_file), **_OPTIONS))


@lru_cache(maxsize=1)
def _builtin_environment() -> jinja2.Environment:
    """The environment of the built-in templates: scenecat's own files, read from its package,
    so as trusted as its Python and run without the sandbox's checks (the same options and
    filters, so the same text: tests/test_articles_builtin_render.py). A user's template,
    even one that extends a built-in, runs in the sandbox (`_environment`)."""
    return _with_filters(jinja2.Environment(loader=_Loader(None), **_OPTIONS))


def _with_filters(env: jinja2.Environment) -> jinja2.Environment:
    env.filters.update(
        md=escape,
        md_paragraphs=escape_paragraphs,
        url=url,
        link=link,
        raw=_raw,
        thousands=_thousands,
        score=_score,
        plural=plural,
        join_names=join_names,
    )
    return env


def _read_template(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"template {path} is not UTF-8 text") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read template {path}: {exc.strerror}") from None


def template_name(template: str) -> tuple[str, Path | None]:
    """(name to load, the user's file or None for a built-in)."""
    if template in BUILTIN_TEMPLATES:
        return f"{template}.md.j2", None
    path = Path(template).expanduser()
    if not path.is_file():
        raise InvalidInput(
            f"no template {template!r}: not a built-in ({', '.join(BUILTIN_TEMPLATES)}) "
            "and no file at that path",
            hint=f"copy a built-in one from {builtin_dir()} and pass its path",
        )
    return str(path), path


def load_template(template: str, *, sandboxed: bool = False) -> jinja2.Template:
    """The template `template` names; a built-in one outside the sandbox unless `sandboxed`
    (a user's file always in it)."""
    name, user_file = template_name(template)
    env = _environment(user_file) if user_file or sandboxed else _builtin_environment()
    try:
        return env.get_template(name)
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or exc.name or name
        raise InvalidInput(
            f"template {where}, line {exc.lineno}: {exc.message}",
            hint="Jinja2 syntax: https://jinja.palletsprojects.com/en/stable/templates/",
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise InvalidInput(f"template {name}: cannot find {exc.name!r}") from None


def template_variables(template: jinja2.Template) -> frozenset[str]:
    """The top-level variables a template reads, with those of the templates it extends or
    includes (by a constant name), so that the context builders know what a user's template
    needs (a copy of best-per-drama.md.j2 reads `dramas`)."""
    env = template.environment
    assert env.loader is not None
    found: set[str] = set()
    todo, seen = [template.name], set()
    while todo:
        name = todo.pop()
        if name is None or name in seen:
            continue
        seen.add(name)
        try:
            source = env.loader.get_source(env, name)[0]
        except jinja2.TemplateNotFound:
            continue  # reported when the template renders, with its line
        tree = env.parse(source)
        found |= meta.find_undeclared_variables(tree)
        todo.extend(n for n in meta.find_referenced_templates(tree) if n is not None)
    return frozenset(found)


def _template_line(tb: TracebackType | None) -> tuple[str, int] | None:
    """The innermost template line of a traceback. Jinja rewrites the frames of compiled
    template code into frames that carry the template's file name and line, marked by
    `__jinja_exception__` in their globals."""
    found = None
    while tb is not None:
        frame = tb.tb_frame
        if "__jinja_exception__" in frame.f_globals:
            found = (frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def render(template: jinja2.Template, context: dict[str, Any]) -> str:
    limit = bounds.bounds()
    try:
        text = bounds.render_bounded(lambda: template.generate(context), limit)
    except InvalidInput:
        raise
    except Exception as exc:
        where = _template_line(exc.__traceback__)
        if where is None and not isinstance(exc, jinja2.TemplateError):
            raise  # our bug, not the template's: let the CLI report it as such
        what = exc.message if isinstance(exc, jinja2.TemplateError) else str(exc)
        place = f"template {where[0]}, line {where[1]}" if where else f"template {template.name}"
        raise InvalidInput(
            f"{place}: {what or type(exc).__name__}",
            hint="the variables a template can use are listed at the top of each built-in one",
        ) from None
    return tidy(text)


# A line that ends in whitespace (what str.rstrip takes off), found by the newline after it: a
# search for a literal newline, where a pattern opening with a class is tried at every one
# of 5 million characters (3 ms against 30). Rendered text seldom has one.
_TRAILING_SPACE = re.compile(rf"\n(?<=[{WHITESPACE}]\n)(?<!\n\n)")


def tidy(text: str) -> str:
    """Trailing spaces off every line, at most one blank line in a row, one final newline."""
    if _TRAILING_SPACE.search(text) or text[text.rfind("\n") + 1 :][-1:].isspace():
        text = "\n".join([line.rstrip() for line in text.split("\n")])
    # A run of n > 2 newlines loses a third of them per pass, so few passes, each a fast
    # search for a literal (a regular expression scanning 5 MB took 50 ms).
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip("\n") + "\n"
