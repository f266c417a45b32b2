"""Every declared field of an actor and a drama (fields.ACTOR_FIELDS, DRAMA_FIELDS) reaches
every place that reads, writes or shows one: format-1 import and export, a CSV import under
each header spelling, `--json` (show and list), and the `show` lines. The records below set
every field, so a field declared later fails here until it is given a value."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from scenecat.fields import ACTOR_FIELDS, DRAMA_FIELDS, FieldInfo, json_order

# A value for each declared field, as a format-1 record writes it.
RECORDS: dict[str, dict[str, Any]] = {
    "actor": {"name": "Han Ji Min", "native": "한지민", "aliases": ["Han Ji-min"], "born": 1982},
    "drama": {
        "title": "One Spring Night",
        "native": "봄밤",
        "aliases": ["Spring Night"],
        "network": "MBC",
        "country": "South Korea",
        "year": 2019,
        "episodes": 32,
        "synopsis": "Two people meet on a spring night.",
    },
}
DECLARED: dict[str, tuple[FieldInfo, ...]] = {"actor": ACTOR_FIELDS, "drama": DRAMA_FIELDS}
SECTION = {"actor": "actors", "drama": "dramas"}
KINDS = sorted(RECORDS)


def _name(kind: str) -> str:
    required = [f.name for f in DECLARED[kind] if f.required]
    return str(RECORDS[kind][required[0]])


def _import(cli, path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="")
    result = cli("import", str(path))
    assert result.exit_code == 0, result.stderr


@pytest.fixture
def both(db: Path, cli, tmp_path: Path) -> Path:
    # JSON is YAML: the catalogue file is written as JSON for exact values.
    catalogue = {"format": "scenecat/1", **{SECTION[k]: [RECORDS[k]] for k in KINDS}}
    _import(cli, tmp_path / "both.yaml", json.dumps(catalogue))
    return db


def _exported(cli) -> dict[str, dict[str, Any]]:
    result = cli("export", "jsonl")
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    return {r["type"]: r for r in records if r.get("type") in RECORDS}


@pytest.mark.parametrize("kind", KINDS)
def test_the_record_sets_every_declared_field(kind: str) -> None:
    assert [f.name for f in DECLARED[kind] if f.name not in RECORDS[kind]] == []
    for info in DECLARED[kind]:
        assert RECORDS[kind][info.name] not in (None, "", []), info.name


@pytest.mark.parametrize("kind", KINDS)
def test_format1_export_writes_every_field_in_declaration_order(both: Path, cli, kind) -> None:
    record = _exported(cli)[kind]
    assert list(record) == ["type", *(f.name for f in DECLARED[kind])]
    assert {k: v for k, v in record.items() if k != "type"} == RECORDS[kind]


@pytest.mark.parametrize("kind", KINDS)
def test_json_has_every_field(both: Path, cli, kind: str) -> None:
    shown = json.loads(cli("show", kind, _name(kind), "--json").stdout)["data"]
    listed = json.loads(cli("list", SECTION[kind], "--json").stdout)["data"][0]
    order = ["id", *(f.name for f in json_order(DECLARED[kind]))]
    for data in (shown, listed):
        assert list(data)[: len(order)] == order
        assert {f.name: data[f.name] for f in DECLARED[kind]} == RECORDS[kind]


@pytest.mark.parametrize("kind", KINDS)
def test_show_has_a_line_for_every_labelled_field(both: Path, cli, kind: str) -> None:
    result = cli("show", kind, _name(kind))
    assert result.exit_code == 0, result.stderr
    lines = [line.split("\t", 1) for line in result.stdout.splitlines()]
    labelled = [f for f in DECLARED[kind] if f.show]
    assert [label for label, _ in lines[2 : 2 + len(labelled)]] == [f.show for f in labelled]
    values = dict(lines[2 : 2 + len(labelled)])
    for info in labelled:
        given = RECORDS[kind][info.name]
        assert values[str(info.show)] == (
            ", ".join(given) if isinstance(given, list) else str(given)
        )


def _csv(kind: str, spelling: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    declared = DECLARED[kind]
    writer.writerow([f.headers[spelling] for f in declared])
    row = RECORDS[kind]
    writer.writerow(["; ".join(v) if isinstance(v := row[f.name], list) else v for f in declared])
    return out.getvalue()


@pytest.mark.parametrize("spelling", [0, -1])
@pytest.mark.parametrize("kind", KINDS)
def test_a_csv_import_reads_every_field(db: Path, cli, tmp_path: Path, kind, spelling) -> None:
    _import(cli, tmp_path / f"{SECTION[kind]}.csv", _csv(kind, spelling))
    record = _exported(cli)[kind]
    assert {k: v for k, v in record.items() if k != "type"} == RECORDS[kind]
