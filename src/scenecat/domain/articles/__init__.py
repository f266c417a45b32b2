"""Markdown articles from the catalogue: context building, spoiler policy and rendering.

Templates are Jinja2 files (`scenecat/templates/*.md.j2`) that users can copy and change.
Jinja2 because it is already the templating language of the static-site world these
articles go to (and of Ansible, Salt, dbt...), so bloggers may know it, it reports errors
with template line numbers, and it has a sandbox: a template copied from a forum cannot
reach Python internals or the file system.

Safety rules:
- Catalogue text is data. Every `{{ value }}` is escaped for CommonMark on output (the
  environment's `finalize`), unless a filter marked it as markdown already (`md`, `url`,
  `link`, `raw`); Jinja's own HTML autoescape is off, since the output is not HTML.
- Spoilers are removed from the context, not merely flagged: a hidden scene reaches the
  template without its title, description, actors or sources, so no template can leak them.
- Output is deterministic: everything comes from the catalogue and the arguments, and the
  date appears only in the front matter.

The package, by concern:
- `entries`: the request, the result and the records templates see;
- `spoilers`: the spoiler policy (hide, warn, show, --watched);
- `wording`: the sentences (counts, scores, scopes, methodology);
- `builders`: one context builder per built-in template (and the parts a user's template
  reads);
- `render`: front matter, the Jinja2 sandbox, its filters, template loading.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from scenecat.domain.articles.builders import build_context
from scenecat.domain.articles.entries import (
    BUILTIN_TEMPLATES,
    Article,
    ArticleInfo,
    ArticleRequest,
)
from scenecat.domain.articles.render import (
    front_matter,
    load_template,
    render,
    template_variables,
)
from scenecat.domain.source_credits import article_credits
from scenecat.gcpause import paused_gc

# build_context, load_template and render are the stages bench/bench_export.py times apart.
__all__ = [
    "Article",
    "ArticleRequest",
    "build_context",
    "export_markdown",
    "load_template",
    "render",
]


def export_markdown(conn: sqlite3.Connection, request: ArticleRequest) -> Article:
    """Render an article; raises InvalidInput/NotFound with one clear line on bad input."""
    # The template first: a broken one fails before any catalogue work.
    template = load_template(request.template)
    # A user's template gets the parts it reads (a copy of best-per-drama.md.j2: `dramas`).
    builtin = request.template in BUILTIN_TEMPLATES
    uses = frozenset() if builtin else template_variables(template)
    # A long article builds tens of thousands of small objects that stay alive until the end;
    # the collector's passes over them find nothing (bench/bench_export.py).
    with paused_gc():
        context = build_context(conn, request, uses)
        # The sources of its dramas and actors, for the footer (TMDB's terms ask for it).
        context["attribution"] = article_credits(conn, context)
        body = render(template, context)
    info: ArticleInfo = context["article"]
    text = (front_matter(info) if request.front_matter else "") + body
    count = _scene_count(request, context, uses)
    return Article(text, info.title, info.slug, request.template, count)


def _scene_count(request: ArticleRequest, context: dict[str, Any], uses: frozenset[str]) -> int:
    """Scenes the article lists (hidden ones included), for the CLI's "Wrote ..." line."""
    if request.template == "best-per-drama" or "dramas" in uses:
        return sum(1 + len(d.runners_up) for d in context["dramas"])
    if "spotlight" in context and request.template == "spotlight":
        return 1 + len(context["spotlight"].related)
    if request.template == "actor":
        return len(context["actor_scenes"])
    return len(context.get("entries") or context.get("drama_scenes") or [])
