"""Crediting the sources (issue 24): TMDB's terms make free use conditional on its notice
wherever its data is shown; Wikidata is credited too. `show`, articles, the website and a
published folder; nothing when the catalogue holds no fetched facts."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run
from tests.sources_helpers import FIXTURES

SG = str(FIXTURES / "tmdb-tv-secret-garden.json")
HP_WIKIDATA = str(FIXTURES / "wikidata-wbgetentities-hospital-playlist.json")
TMDB_NOTICE = "This product uses the TMDB API but is not endorsed or certified by TMDB."

pytest_plugins = ("tests.web_support",)


def added(cli: Callable[..., Run], *args: str) -> None:
    result = cli("add-drama", *args)
    assert result.exit_code == 0, result.stderr


def test_show_credits_the_records_sources(cli: Callable[..., Run], sample_db: Path) -> None:
    added(cli, "Secret Garden", "--from-file", SG)
    shown = cli("show", "drama", "Secret Garden")
    assert shown.exit_code == 0
    lines = shown.stderr.splitlines()
    assert lines[-2:] == [
        f"TMDB https://www.themoviedb.org/tv/9001: {TMDB_NOTICE}",
        "Wikidata https://www.wikidata.org/wiki/Q483960001: data under CC0 (public domain).",
    ]
    assert TMDB_NOTICE not in shown.stdout  # piped: data on stdout, footers on stderr
    meta = json.loads(cli("show", "drama", "Secret Garden", "--json").stdout)["meta"]
    assert meta["attribution"][0] == {
        "source": "tmdb",
        "name": "TMDB",
        "notice": TMDB_NOTICE,
        "url": "https://www.themoviedb.org/tv/9001",
    }
    actor = cli("show", "actor", "Yoon Sang Hyun")
    assert actor.stderr.splitlines()[-1] == (
        f"TMDB https://www.themoviedb.org/person/90003: {TMDB_NOTICE}"
    )
    # A drama and an actor typed by hand credit nobody.
    healer = cli("show", "drama", "Healer")
    assert "TMDB" not in healer.stderr and "Wikidata" not in healer.stderr
    assert json.loads(cli("show", "actor", "Ji Chang Wook", "--json").stdout)["meta"] == {}


def test_show_credits_wikidata_with_the_items_page(cli: Callable[..., Run], db: Path) -> None:
    added(cli, "Hospital Playlist", "--from-file", HP_WIKIDATA)
    shown = cli("show", "actor", "Jo Jung Suk")
    assert shown.stderr.splitlines()[-1] == (
        "Wikidata https://www.wikidata.org/wiki/Q650000211: data under CC0 (public domain)."
    )


def test_an_article_ends_with_the_credits_of_what_it_shows(
    cli: Callable[..., Run], sample_db: Path
) -> None:
    added(cli, "Secret Garden", "--from-file", SG)
    article = cli("export", "markdown", "--template", "drama", "--drama", "Secret Garden")
    assert article.exit_code == 0, article.stderr
    assert article.stdout.rstrip().endswith(
        f"*[TMDB](https://www.themoviedb.org/): {TMDB_NOTICE}*\n\n"
        "*[Wikidata](https://www.wikidata.org/): data under CC0 (public domain).*"
    )
    # Hyun Bin was linked to TMDB: a list of his scenes credits TMDB (his name and credits).
    listicle = cli("export", "markdown", "--actor", "Hyun Bin", "--kind", "kiss")
    assert listicle.exit_code == 0, listicle.stderr
    assert TMDB_NOTICE in listicle.stdout and "Wikidata" not in listicle.stdout
    # An article about typed facts only credits nobody.
    healer = cli("export", "markdown", "--template", "spotlight", "--drama", "Healer")
    assert healer.exit_code == 0, healer.stderr
    assert "TMDB" not in healer.stdout and "Wikidata" not in healer.stdout


@pytest.mark.slow
def test_the_website_credits_tmdb_on_every_page(web_db: Path, tmp_path: Path) -> None:
    from tests.conftest import run_process
    from tests.web_support import Site

    env = {"SCENECAT_DB": str(web_db)}
    result = run_process("add-drama", "Secret Garden", "--from-file", SG, env=env)
    assert result.exit_code == 0, result.stderr
    site = Site(web_db)
    home = site.html("/")
    assert TMDB_NOTICE in home and 'href="https://www.wikidata.org/"' in home
    for page in ("/web", "/web/drama", "/web/scene", "/web/actor/1", "/web/scene/1"):
        html = site.html(page)
        assert 'Data source: <a href="https://www.themoviedb.org/">' in " ".join(html.split()), page
    assert TMDB_NOTICE in site.html("/web/drama")
    published = tmp_path / "site"
    result = run_process("--db", str(web_db), "publish", str(published))
    assert result.exit_code == 0, result.stderr
    meta: dict[str, Any] = json.loads((published / "metadata.json").read_text(encoding="utf-8"))
    assert (meta["source"], meta["source_url"]) == (
        "TMDB and Wikidata",
        "https://www.themoviedb.org/",
    )
    readme = (published / "README.md").read_text(encoding="utf-8")
    assert f"- TMDB (https://www.themoviedb.org/): {TMDB_NOTICE}" in readme


@pytest.mark.slow
def test_a_site_without_fetched_facts_names_no_source(web_db: Path) -> None:
    from tests.web_support import Site

    site = Site(web_db)
    assert "Data source" not in site.html("/web/drama")
    assert "TMDB" not in site.html("/")
