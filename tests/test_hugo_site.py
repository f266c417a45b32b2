"""Articles publish as they are: every built-in template's article, written by `export markdown
-o` into a Hugo site's content folder untouched, builds (Debian's `hugo`, offline, a minimal
layout written here, shaped like a theme's: the page's title as its `<h1>`, then the content)
into a page with exactly one `<h1>`, the front matter's title, and the front matter's
description in its `<meta>`.

Without `hugo` these tests skip on a developer machine and fail in CI (CI=true), where .ci/run
installs it (`apt-get install hugo`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.test_articles import CASES, DATE, headings, meta

CONFIG = """\
baseURL = "https://fans.example.org/"
languageCode = "en"
title = "A K-drama fan blog"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
[markup.goldmark.renderer]
unsafe = false
"""

# What a theme's single page does with an article: its title as the page's heading, its
# description for search engines, then the content.
SINGLE = """\
<!DOCTYPE html>
<html lang="en">
<head><title>{{ .Title }}</title><meta name="description" content="{{ .Description }}"></head>
<body><article><h1>{{ .Title }}</h1>
{{ .Content }}
</article></body>
</html>
"""

LIST = """\
<!DOCTYPE html>
<html lang="en"><head><title>{{ .Title }}</title></head>
<body><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></body>
</html>
"""


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def require_hugo() -> str:
    found = shutil.which("hugo")
    if found is None:
        if in_ci():
            pytest.fail("CI=true but hugo is missing: .ci/run installs the `hugo` package")
        pytest.skip("hugo is not installed (apt-get install hugo); CI runs these")
    return found


class Page(HTMLParser):
    """The headings and the description of a rendered page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[str, str]] = []  # (tag, text)
        self.description: str | None = None
        self._open: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._open, self._text = tag, []
        elif tag == "meta" and dict(attrs).get("name") == "description":
            self.description = dict(attrs).get("content")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            self.headings.append((tag, "".join(self._text).strip()))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open:
            self._text.append(data)


def template_of(args: list[str]) -> str:
    return args[args.index("--template") + 1] if "--template" in args else "listicle"


def test_the_cases_cover_every_builtin_template() -> None:
    from scenecat.domain.articles.entries import BUILTIN_TEMPLATES

    assert {template_of(args) for args in CASES.values()} == set(BUILTIN_TEMPLATES)


@pytest.mark.slow
def test_every_builtin_article_builds_into_a_page_with_one_title(
    sample_db: Path, cli, tmp_path: Path
) -> None:
    hugo = require_hugo()
    site = tmp_path / "site"
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "config.toml").write_text(CONFIG, encoding="utf-8")
    (site / "layouts" / "_default" / "single.html").write_text(SINGLE, encoding="utf-8")
    (site / "layouts" / "_default" / "list.html").write_text(LIST, encoding="utf-8")
    (site / "layouts" / "index.html").write_text(LIST, encoding="utf-8")
    articles: dict[str, str] = {}
    for case, args in CASES.items():
        # Each in a section of its own: two cases may share a title, hence a slug.
        path = site / "content" / case / "article.md"
        path.parent.mkdir(parents=True)
        result = cli("export", "markdown", "--date", DATE, *args, "-o", str(path))
        assert result.exit_code == 0, result.stderr
        articles[case] = path.read_text(encoding="utf-8")

    built = subprocess.run(
        [hugo, "--quiet", "--source", str(site), "--destination", str(tmp_path / "public")],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "HUGO_CACHEDIR": str(tmp_path / "cache")},
    )
    assert built.returncode == 0, built.stderr + built.stdout
    assert "WARN" not in built.stderr, built.stderr

    for case, text in articles.items():
        front = meta(text)
        page_file = tmp_path / "public" / case / str(front["slug"]) / "index.html"
        assert page_file.is_file(), sorted(str(p) for p in (tmp_path / "public").rglob("*.html"))
        page = Page()
        page.feed(page_file.read_text(encoding="utf-8"))
        h1 = [text for tag, text in page.headings if tag == "h1"]
        assert h1 == [front["title"]], f"{case}: the page's <h1>s are {h1}"
        assert page.description == front["description"], case
        # The article's own sections made it through as the page's second level.
        h2 = [text for tag, text in page.headings if tag == "h2"]
        assert len(h2) == len(headings(text, "h2")) > 0, case
