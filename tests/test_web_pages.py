"""The fan pages (web/plugin/pages.py) through Datasette's test client on the site `scenecat
serve` builds: the home page, the scenes page (search and browse), scene, drama and actor
pages and the rankings, each against the CLI that answers the same question."""

from __future__ import annotations

import hashlib
import html
import re
import sqlite3
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.web_support import DB_NAME, HOSTILE_KEY, Site, cli_json, scene_id

pytestmark = pytest.mark.slow

pytest_plugins = ("tests.web_support",)

D = f"/{DB_NAME}"
SHOWER = "melting-me-softly-e10-shower-kiss"
SNOW = "healer-e9-snowy-rooftop-kiss"

# What a fan page never shows: Datasette's raw table, raw id and foreign-key columns, SQL.
RAW_COLUMNS = ("id", "drama_id", "actor_id", "scene_id", "source_id", "start_s", "end_s",
               "title_key", "native_key", "name_key", "rowid")  # fmt: skip
SQL_WORDS = ("select ", "SELECT ", "json_each", "Custom SQL", "Run SQL", "Edit SQL",
             "View and edit SQL", "CREATE TABLE", "scenecat_rank(", "scenecat_search(")  # fmt: skip


def q(text: str) -> str:
    return quote(text, safe="")


def assert_fan_page(page: str) -> None:
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)  # CSS says `select` too
    assert 'class="rows-and-columns"' not in page  # no raw table of rows
    for column in RAW_COLUMNS:
        assert not re.search(rf">\s*{column}\s*<", page), column
        assert f'data-column="{column}"' not in page, column
    text = re.sub(r"<[^>]+>", " ", page)  # what a reader sees
    for word in SQL_WORDS:
        assert word not in text, word


def card_keys(page: str) -> list[str]:
    return re.findall(r'<article class="sc-card" data-key="([^"]+)"', page)


def shown_scores(page: str) -> dict[str, float]:
    """Each card's exact score (its data-score), by scene key."""
    found = re.findall(
        r'<article class="sc-card" data-key="([^"]+)">.*?data-score="([^"]+)"', page, re.S
    )
    return {key: float(score) for key, score in found}


def rank(db: Path, *args: str) -> list[dict]:
    return list(cli_json(db, "rank", "--limit", "1000", *args)["data"])


def search_keys(db: Path, text: str) -> list[str]:
    return [hit["key"] for hit in cli_json(db, "search", text, "--limit", "1000")["data"]]


# --- home ----------------------------------------------------------------------------------------


def test_home_is_a_fan_site(site: Site, web_db: Path) -> None:
    page = site.html("/")
    assert_fan_page(page)
    # no table counts, no list of raw table names as the page's content
    assert not re.search(r"[\d,]+ rows? in \d+ tables?", page)
    assert "hidden table" not in page and "scene_actor" not in page
    for heading in ("Best kiss scene per drama", "Best scenes", "Trending", "Recently added",
                    "Dramas", "Actors", "The data"):  # fmt: skip
        assert f">{heading}</h2>" in page, heading
    assert f'action="{D}/-/scenes"' in page  # the search box
    # the best kiss scene per drama: rank --kind kiss --by drama, in order, with its scores
    per_drama = rank(web_db, "--kind", "kiss", "--by", "drama")[:6]
    section = page[page.index('id="best-kiss-per-drama"') : page.index('id="best-scenes"')]
    assert card_keys(section) == [e["key"] for e in per_drama]
    assert shown_scores(section) == {e["key"]: e["score"] for e in per_drama}
    best = rank(web_db)[:6]
    section = page[page.index('id="best-scenes"') : page.index('id="trending"')]
    assert card_keys(section) == [e["key"] for e in best]
    # the raw tables, one click away
    for table in ("scene", "drama", "actor", "source", "vote"):
        assert f'href="{D}/{table}"' in page
    assert f'href="{D}/best_per_drama?actor=&amp;kind=kiss"' in page


def test_home_recently_added_and_trending(site: Site, web_db: Path) -> None:
    page = site.html("/")
    section = page[page.index('id="recently-added"') : page.index('id="dramas"')]
    conn = sqlite3.connect(web_db)
    newest = [r[0] for r in conn.execute("SELECT key FROM scene ORDER BY id DESC LIMIT 6")]
    conn.close()
    assert card_keys(section) == newest
    # The sample's counts end in 2025: trending falls back to the window up to the newest
    # count, and says which, as `scenecat trending --until` answers it.
    section = page[page.index('id="trending"') : page.index('id="recently-added"')]
    since, until = re.search(r"from (\d{4}-\d\d-\d\d) to (\d{4}-\d\d-\d\d)", section).groups()
    days = str((__import__("datetime").date.fromisoformat(until)
                - __import__("datetime").date.fromisoformat(since)).days)  # fmt: skip
    cli = cli_json(web_db, "trending", "--days", days, "--until", until)["data"]
    assert card_keys(section) == [e["key"] for e in cli][:6] != []


def test_home_rankings_follow_the_catalogue_when_live(web_db: Path) -> None:
    """Kept until the catalogue changes: a vote made while `serve --live` runs shows."""
    site = Site(web_db, live=True)
    try:
        before = site.html("/")
        assert site.html("/") == before
        from tests.conftest import run_process

        for voter in ("a", "b", "c", "d", "e", "f"):
            result = run_process("--db", str(web_db), "vote", "the-k2-e10-under-the-blanket", "10",
                                 "--voter", voter)  # fmt: skip
            assert result.exit_code == 0, result.stderr
        after = site.html("/")
        best = rank(web_db, "--kind", "kiss", "--by", "drama")[:6]
        section = after[after.index('id="best-kiss-per-drama"') : after.index('id="best-scenes"')]
        assert card_keys(section) == [e["key"] for e in best]
        assert after != before
    finally:
        site.close()


# --- scenes page: search and browse ---------------------------------------------------------------


@pytest.mark.parametrize("text", ["kiss", "rooftop kiss", "녹여", "jichangwook", "rain -snow",
                                  '"first kiss"', "kiss kind:kiss"])  # fmt: skip
def test_search_is_best_match_first_like_scenecat_search(
    site: Site, web_db: Path, text: str
) -> None:
    page = site.html(f"{D}/-/scenes?q={q(text)}")
    assert_fan_page(page)
    expected = search_keys(web_db, text)
    assert card_keys(page) == expected[:20]
    assert f"{len(expected):,} scene" in page and "best match first" in page
    # its JSON (the search canned query, linked from the page): the same scenes, same order
    link = html.unescape(re.search(r'<a href="([^"]+/search\.json[^"]*)">JSON</a>', page)[1])
    rows = site.json(link + "&_shape=array")
    assert [r["key"] for r in rows] == expected


def test_facets_count_the_matches_and_filter_them(site: Site, web_db: Path) -> None:
    page = site.html(f"{D}/-/scenes?q=kiss")
    everything = search_keys(web_db, "kiss")
    kinds = dict(re.findall(r'kind=([a-z-]+)">[^<]+</a> <span class="sc-count">(\d+)', page))
    assert sum(int(n) for n in kinds.values()) == len(everything)
    for kind, count in kinds.items():
        assert len(search_keys(web_db, f"kiss kind:{kind}")) == int(count)
    # A drama facet narrows the search, as drama: does in the CLI, and shows as removable.
    narrowed = site.html(f"{D}/-/scenes?q=kiss&drama=Healer")
    expected = search_keys(web_db, "kiss drama:Healer")
    assert card_keys(narrowed) == expected and len(expected) < len(everything)
    assert "drama: Healer &#215;" in narrowed
    actor = site.html(f"{D}/-/scenes?q=kiss&actor={q('Ji Chang Wook')}&year=2014")
    assert card_keys(actor) == search_keys(web_db, 'kiss actor:"Ji Chang Wook" year:2014')


def test_browsing_without_words_is_best_score_first(site: Site, web_db: Path) -> None:
    page = site.html(f"{D}/-/scenes?drama={q('Melting Me Softly')}")
    ranked = rank(web_db, "--drama", "Melting Me Softly")
    assert card_keys(page) == [e["key"] for e in ranked]
    assert "best score first" in page
    everything = site.html(f"{D}/-/scenes")
    assert card_keys(everything) == [e["key"] for e in rank(web_db)][:20]
    second = site.html(f"{D}/-/scenes?page=2")
    assert card_keys(second) == [e["key"] for e in rank(web_db)][20:40]
    assert "page 2 of 3" in second and "&#8592; Previous" in second


def test_bad_searches_say_why_in_one_line(site: Site) -> None:
    response = site.get(f"{D}/-/scenes?q={q('kiss actor:Nobody Atall')}")
    assert response.status_code == 400
    assert "no actor called" in response.text
    response = site.get(f"{D}/-/scenes?q={q('-rain')}")
    assert response.status_code == 400 and "not only -exclusions" in response.text
    page = site.html(f"{D}/-/scenes?q=kisss")
    assert "No scene matches: did you mean" in page
    assert site.get(f"{D}/-/scenes?q={q('x' * 5000)}").status_code == 400
    assert site.get(f"{D}/-/scenes?page=abc").status_code == 200


# --- scene, drama and actor pages -----------------------------------------------------------------


def test_scene_page_score_equals_rank_json(site: Site, web_db: Path) -> None:
    for key in (SHOWER, SNOW, HOSTILE_KEY):
        page = site.html(f"{D}/scene/{scene_id(web_db, key)}")
        assert_fan_page(page)
        entry = next(e for e in rank(web_db) if e["key"] == key)
        figure = re.search(
            r'data-score="([^"]+)"[^>]*><span class="sc-score-figure">([^<]+)<', page
        )
        assert float(figure[1]) == entry["score"]
        assert figure[2] == f"{entry['score']:.2f}"
    page = site.html(f"{D}/scene/{scene_id(web_db, SNOW)}")
    # its evidence in the articles' words, its actors linked, its drama linked
    assert "Fans gave it 9.3/10 on average over 3 votes" in page
    assert re.search(rf'<a href="{D}/actor/\d+">Ji Chang Wook</a> as Seo Jung Hoo', page)
    assert re.search(rf'<a href="{D}/drama/\d+">Healer</a>', page)
    assert f'href="{D}/scene/{scene_id(web_db, SNOW)}.json"' in page


def test_drama_page_cast_episodes_and_scenes_ranked(site: Site, web_db: Path) -> None:
    drama = cli_json(web_db, "show", "drama", "Melting Me Softly")["data"]
    page = site.html(f"{D}/drama/{drama['id']}")
    assert_fan_page(page)
    assert card_keys(page) == [e["key"] for e in rank(web_db, "--drama", "Melting Me Softly")]
    assert re.search(r">Ji Chang Wook</a>.*?</td><td>Ma Dong Chan</td><td>main</td>", page)
    assert "<th>Episode</th>" in page


def test_actor_page_dramas_and_best_scenes(site: Site, web_db: Path) -> None:
    actor = cli_json(web_db, "show", "actor", "Ji Chang Wook")["data"]
    page = site.html(f"{D}/actor/{actor['id']}")
    assert_fan_page(page)
    assert card_keys(page) == [e["key"] for e in rank(web_db, "--actor", "Ji Chang Wook")][:12]
    assert re.search(r">Healer</a>.*?<td>2014</td><td>Seo Jung Hoo</td>", page, re.S)
    assert f"{D}/-/scenes?actor=Ji+Chang+Wook" in page  # all of them


# --- rankings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "args"),
    [
        ("best_per_drama?actor=Ji+Chang+Wook&kind=kiss", ["--actor", "Ji Chang Wook", "--kind", "kiss", "--by", "drama"]),
        ("best_scenes?actor=&kind=", []),
        ("best_scenes?actor=&kind=confession", ["--kind", "confession"]),
    ],
)  # fmt: skip
def test_rankings_are_pages_with_plain_fields(
    site: Site, web_db: Path, url: str, args: list[str]
) -> None:
    page = site.html(f"{D}/{url}")
    assert_fan_page(page)
    expected = rank(web_db, *args)[:20]
    assert card_keys(page) == [e["key"] for e in expected]
    assert shown_scores(page) == {e["key"]: e["score"] for e in expected}
    assert '<select name="kind">' in page and 'name="actor"' in page
    assert re.search(r'This data as <a href="[^"]+\.json[^"]*">json</a>', page)
    assert "csv" in page


def test_a_ranking_of_an_unknown_actor_says_so(site: Site) -> None:
    page = site.html(f"{D}/best_scenes?actor=Nobody+Atall&kind=")
    assert "no actor called" in page and 'class="sc-error"' in page
    assert card_keys(page) == []


def test_trending_page(site: Site, web_db: Path) -> None:
    page = site.html(f"{D}/trending?days=3650")
    assert_fan_page(page)
    cli = cli_json(web_db, "trending", "--days", "3650")["data"]
    assert card_keys(page) == [e["key"] for e in cli]
    assert "views a day" in page and 'name="days"' in page


def test_every_fan_page_reads_only(site: Site, web_db: Path) -> None:
    digest = hashlib.sha256(web_db.read_bytes()).hexdigest()
    drama = cli_json(web_db, "show", "drama", "Healer")["data"]["id"]
    for url in ("/", f"{D}/-/scenes?q=kiss", f"{D}/drama/{drama}", f"{D}/best_scenes"):
        site.html(url)
    assert hashlib.sha256(web_db.read_bytes()).hexdigest() == digest


def test_facets_of_a_broad_search_count_its_best(
    site: Site, web_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search matching more scenes than are read at once (1,000) is counted by the index,
    and its facets count its best ones, saying so."""
    from scenecat.domain import site_pages

    monkeypatch.setattr(site_pages, "FACET_BASE", 10)
    page = site.html(f"{D}/-/scenes?q=kiss")
    expected = search_keys(web_db, "kiss")
    assert f"{len(expected):,} scenes" in page and "Counted among the best 10 matches" in page
    assert card_keys(page) == expected[:10]
    kinds = re.findall(r'kind=[a-z-]+">[^<]+</a> <span class="sc-count">(\d+)', page)
    assert sum(int(n) for n in kinds) == 10


def test_a_site_without_a_catalogue_keeps_datasettes_pages(tmp_path: Path) -> None:
    import asyncio

    from datasette.app import Datasette

    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE doc (id INTEGER PRIMARY KEY, body TEXT)")
    conn.commit()
    conn.close()
    ds = Datasette(files=[str(path)])
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(ds.invoke_startup())
        home = loop.run_until_complete(ds.client.get("/"))
        scenes = loop.run_until_complete(ds.client.get("/other/-/scenes"))
    finally:
        loop.close()
    assert home.status_code == 200 and 'href="/other/doc"' in home.text
    assert "Best kiss scene" not in home.text
    assert scenes.status_code == 404
