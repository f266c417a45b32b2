"""`trending` lists rising scenes only (issue #22): a falling count is measured and counted,
never ranked; when nothing rose it says so in a sentence instead of drawing an empty table;
the website's trending query takes an end date like `--until`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Run
from tests.web_support import Site, cli_json

pytest_plugins = ("tests.web_support",)

Cli = Callable[..., Run]
SHOWER = "melting-me-softly-e10-shower-kiss"
ROOFTOP = "healer-e9-snowy-rooftop-kiss"


def test_a_falling_count_never_trends(cli: Cli, sample_db: Path) -> None:
    # The shower kiss rose 650K in the window; the rooftop kiss's counter is re-based and falls
    # by 200,000 over 30 days (-6,667 a day): measured, not listed, and said.
    for on, count in (("2019-10-12", 2_300_000), ("2019-11-10", 2_100_000)):
        done = cli("views", ROOFTOP, str(count), "--on", on, "--source", "re-based counter")
        assert done.exit_code == 0, done.stderr
    result = cli("trending", "--days", "30", "--until", "2019-11-10", "--json")
    data, meta = json.loads(result.stdout).values()
    assert [e["key"] for e in data] == [SHOWER]
    assert all(e["per_day"] > 0 for e in data)
    assert meta["not_rising"] == 1 and meta["measured"] == 1
    shown = cli("trending", "--days", "30", "--until", "2019-11-10")
    assert ROOFTOP not in shown.stdout
    assert "Not listed: 1 scene measured with flat or falling views" in shown.stderr


def test_when_nothing_rose_it_says_so_without_a_table(
    cli: Cli, sample_db: Path, terminal: None
) -> None:
    for on, count in (("2025-01-01", 900), ("2025-01-20", 400)):
        assert cli("views", ROOFTOP, str(count), "--on", on, "--source", "mirror").exit_code == 0
    result = cli("trending", "--days", "30", "--until", "2025-01-25")
    assert result.exit_code == 0
    assert result.stdout == ""  # no header over no rows
    assert result.stderr.startswith("Nothing rose in 2024-12-26..2025-01-25: 1 scene measured")
    assert "│" not in result.stderr and "views/day" not in result.stderr


def test_the_website_trending_takes_an_end_date(site: Site, web_db: Path) -> None:
    cli = cli_json(web_db, "trending", "--days", "30", "--until", "2019-11-10")["data"]
    rows = site.json("/web/trending.json?days=30&until=2019-11-10&_shape=array")
    assert [r["key"] for r in rows] == [e["key"] for e in cli] == [SHOWER]
    # Without a date (or empty): today, as the CLI does.
    today = cli_json(web_db, "trending", "--days", "3650")["data"]
    for url in (
        "/web/trending.json?days=3650&_shape=array",
        "/web/trending.json?days=3650&until=&_shape=array",
    ):
        assert [r["key"] for r in site.json(url)] == [e["key"] for e in today]
    bad = site.json("/web/trending.json?days=30&until=yesterday&_shape=array")
    assert len(bad) == 1 and bad[0]["scene"].startswith("Error: --until 'yesterday' is not a date")
