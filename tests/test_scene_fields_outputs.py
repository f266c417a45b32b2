"""Every declared scene field (scene_fields.FIELDS) reaches every place that writes or shows
a scene: format-1 export, the CSV columns, `--json`, the `show scene` lines, and a CSV
export reads back into the same catalogue. The scene below sets every field, so a field
declared later fails here until it is given a value (and then flows through untouched)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from scenecat.scene_fields import BY_NAME, EXPORT_ORDER, FIELDS, SHOW_ORDER
from tests.conftest import dump

KEY = "one-scene-e3-rooftop-kiss"
# A value for each declared field, as a format-1 record writes it. One view count and
# sources given by URL alone: what a CSV row holds, so the CSV round trip can be exact.
SCENE = {
    "episode": 3,
    "kind": "kiss",
    "title": "The rooftop kiss",
    "actors": ["Han Ji Min", "Nam Joo Hyuk"],
    "description": "She climbs the stairs; he is already there.",
    "at": "41:05",
    "end": "43:10",
    "spoiler": "minor",
    "tags": ["rain", "romantic"],  # stored sorted
    "location": "Rooftop",
    "views": [{"count": 125000, "on": "2021-03-01", "source": "JTBC clip"}],
    "sources": [{"url": "https://example.org/clips/rooftop"}],
}
CATALOGUE = {
    "format": "scenecat/1",
    "actors": [{"name": "Han Ji Min"}, {"name": "Nam Joo Hyuk"}],
    "dramas": [{"title": "One Scene", "network": "JTBC", "year": 2021}],
    "scenes": [{"key": KEY, "drama": "One Scene", **SCENE}],
}


def _import(cli, path: Path, catalogue: dict[str, object]) -> None:
    # JSON is YAML: the catalogue file is written as JSON for exact values.
    path.write_text(json.dumps(catalogue), encoding="utf-8")
    result = cli("import", str(path))
    assert result.exit_code == 0, result.stderr


@pytest.fixture
def one_scene(db: Path, cli, tmp_path: Path) -> Path:
    _import(cli, tmp_path / "one.yaml", CATALOGUE)
    return db


def test_the_scene_sets_every_declared_field() -> None:
    assert [info.name for info in FIELDS if info.name not in SCENE] == []
    for info in FIELDS:
        assert SCENE[info.name] not in (None, "", [], "none"), info.name


def test_format1_export_writes_every_field_in_export_order(one_scene: Path, cli) -> None:
    result = cli("export", "jsonl")
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    (scene,) = [r for r in records if r.get("type") == "scene"]
    assert list(scene) == ["type", "key", "drama", *EXPORT_ORDER]
    assert {name: scene[name] for name in EXPORT_ORDER} == SCENE


def test_csv_export_has_a_column_for_every_field(one_scene: Path, cli) -> None:
    result = cli("export", "csv")
    assert result.exit_code == 0, result.stderr
    (row,) = list(csv.DictReader(io.StringIO(result.stdout)))
    header = list(row)
    positions = [header.index(BY_NAME[name].headers[0]) for name in EXPORT_ORDER]
    assert positions == sorted(positions)
    for name in EXPORT_ORDER:
        assert row[BY_NAME[name].headers[0]], name
    assert (row["views"], row["views_on"], row["views_source"]) == (
        "125000",
        "2021-03-01",
        "JTBC clip",
    )
    assert row["actors"] == "Han Ji Min; Nam Joo Hyuk"
    assert row["sources"] == "https://example.org/clips/rooftop"


def test_json_has_every_field_in_declaration_order(one_scene: Path, cli) -> None:
    listed = json.loads(cli("list", "scenes", "--json").stdout)["data"][0]
    shown = json.loads(cli("show", "scene", KEY, "--json").stdout)["data"]
    exported = json.loads(cli("export", "json").stdout)["data"][0]
    assert exported == listed
    head = ["id", "key", "drama", "drama_id", "network", "year"]
    declared = [info.name for info in FIELDS]
    declared.insert(declared.index("views") + 1, "latest_views")
    assert list(listed) == head + declared
    assert list(shown)[: len(head) + len(declared)] == head + declared
    for name, value in SCENE.items():
        assert listed[name] == (value if name != "sources" else [_source(value[0])]), name
    assert listed["latest_views"] == SCENE["views"][0]


def _source(given: dict[str, str]) -> dict[str, str | None]:
    # --json writes every attribute of a source, unset ones as null (start and end: the
    # scene's moment in the clip).
    return {
        "url": given["url"],
        "title": None,
        "publisher": None,
        "kind": None,
        "published": None,
        "start": None,
        "end": None,
    }


def test_show_scene_has_a_line_for_every_labelled_field(one_scene: Path, cli) -> None:
    result = cli("show", "scene", KEY)
    assert result.exit_code == 0, result.stderr
    lines = [line.split("\t", 1) for line in result.stdout.splitlines()]
    labels = [label for label, _ in lines]
    # The record's lines, its score; the view counts and sources tables follow them.
    labels = labels[: labels.index("views") + 1]
    labelled = [BY_NAME[name].show for name in SHOW_ORDER]
    assert sorted(map(str, labelled)) == sorted(info.show for info in FIELDS if info.show)
    # Then the one score (issue #22) and the latest views.
    assert labels == ["title", "key", "drama", *labelled, "score", "views"]
    values = dict(lines[: len(labels)])
    # No votes anywhere (C = 5.5), no duels (5), 125,000 views:
    # 10*log10(125001)/log10(10000001) = 10*5.096913/7.000000 = 7.281305;
    # 0.6*5.5 + 0.2*5 + 0.2*7.281305 = 3.3 + 1 + 1.456261 = 5.756261
    assert values["score"] == (
        f"5.76/10 (votes 5.50, duels 5.00, views 7.28; rank --why {KEY} explains it)"
    )
    assert values["at"] == "41:05"
    assert values["actors"] == "Han Ji Min, Nam Joo Hyuk"
    assert values["spoiler"] == "minor"


def _last_spellings(text: str) -> str:
    """The CSV with each declared field's column under its last header spelling."""
    header, rest = text.split("\n", 1)
    written = {info.headers[0]: info.headers[-1] for info in FIELDS}
    return ",".join(written.get(h, h) for h in header.rstrip("\r").split(",")) + "\n" + rest


@pytest.mark.parametrize("spelling", ["written", "last"])
def test_csv_export_imports_into_the_same_catalogue(
    one_scene: Path, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelling: str
) -> None:
    result = cli("export", "csv")
    assert result.exit_code == 0, result.stderr
    exported = tmp_path / "scenes.csv"
    text = result.stdout if spelling == "written" else _last_spellings(result.stdout)
    exported.write_text(text, encoding="utf-8", newline="")
    before = dump(one_scene)
    other = tmp_path / "other.db"
    monkeypatch.setenv("SCENECAT_DB", str(other))
    _import(cli, tmp_path / "people.yaml", {**CATALOGUE, "scenes": []})
    result = cli("import", str(exported))
    assert result.exit_code == 0, result.stderr
    assert dump(other) == before


def test_an_article_template_reaches_every_declared_field(one_scene: Path, cli, tmp_path: Path):
    """`e.fields` gives a custom template every declared field, by name, as `show` writes it."""
    template = tmp_path / "fields.md.j2"
    template.write_text(
        "{% for e in entries %}{% for name, value in e.fields.items() %}"
        "{{ name }}={{ value }}\n{% endfor %}{% endfor %}",
        encoding="utf-8",
    )
    result = cli("export", "markdown", "--template", str(template), "--spoilers", "show")
    assert result.exit_code == 0, result.stderr
    written = dict(
        line.split("=", 1)
        for line in result.stdout.splitlines()
        if "=" in line and " " not in line.split("=")[0]
    )
    assert list(written) == [info.name for info in FIELDS]
    assert written["location"] == "Rooftop"
    assert written["at"] == "41:05"
