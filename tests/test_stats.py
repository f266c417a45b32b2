"""`stats`: record totals and scene counts per kind, network, year and actor."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path


def _scenes(cli) -> list[dict]:
    return json.loads(cli("list", "scenes", "--json").stdout)["data"]


def test_stats_json_counts_match_the_scenes(sample_db: Path, cli) -> None:
    result = cli("stats", "--json")
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    scenes = _scenes(cli)
    groups: dict[str, dict[object, int]] = {}
    for row in payload["data"]:
        assert set(row) == {"group", "value", "scenes"}
        groups.setdefault(row["group"], {})[row["value"]] = row["scenes"]
    assert groups["kind"] == dict(Counter(s["kind"] for s in scenes))
    assert groups["network"] == dict(Counter(s["network"] for s in scenes))
    assert groups["year"] == dict(Counter(s["year"] for s in scenes))
    actors = Counter(a for s in scenes for a in s["actors"])
    assert groups["actor"]["Ji Chang Wook"] == actors["Ji Chang Wook"] == 36
    assert len(groups["actor"]) == min(20, len(actors))
    totals = payload["meta"]["totals"]
    assert totals["scene"] == len(scenes) == 54
    assert totals["vote"] == 41
    assert totals["duel"] == 16
    # Busiest first, years in order.
    kinds = [r["scenes"] for r in payload["data"] if r["group"] == "kind"]
    assert kinds == sorted(kinds, reverse=True)
    years = [r["value"] for r in payload["data"] if r["group"] == "year"]
    assert years == sorted(years)


def test_stats_table_has_bars(sample_db: Path, cli, terminal: None) -> None:
    result = cli("stats")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for title in ("Scenes by kind", "Scenes by network", "Scenes by year", "Scenes by actor"):
        assert title in out
    kiss = next(line for line in out.splitlines() if line.startswith("kiss "))
    assert "14" in kiss
    assert "█" * 24 in kiss  # the most common kind fills its bar
    jcw = next(line for line in out.splitlines() if "Ji Chang Wook" in line)
    assert "█" * 24 in jcw
    assert "scenes" in out and "54" in out
    assert result.stderr == ""


def test_stats_of_an_empty_catalogue(db: Path, cli) -> None:
    assert cli("init").exit_code == 0
    result = cli("stats", "--json")
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["data"] == []
    assert payload["meta"]["totals"]["scene"] == 0
    assert cli("stats").exit_code == 0


def test_unknown_network_and_year_are_null(db: Path, cli) -> None:
    assert cli("add-actor", "Someone").exit_code == 0
    assert cli("add-drama", "Untold").exit_code == 0
    result = cli(
        "add-scene", "--drama", "Untold", "--kind", "hug", "--title", "T", "--actor", "Someone"
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(cli("stats", "--json").stdout)["data"]
    assert {"group": "network", "value": None, "scenes": 1} in data
    assert {"group": "year", "value": None, "scenes": 1} in data
    assert "(unknown)" in cli("stats").stdout
