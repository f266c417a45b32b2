"""Vote lines in the shape `export jsonl` writes are read by a pattern instead of the JSON
decoder (jsonl_file._VOTE_LINE, BulkImporter.vote_lines): the catalogue, the report and every
error are the record-by-record path's, and what the pattern cannot vouch for goes the
general way."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import dump
from test_bulk_import import _assert_same

from scenecat.domain.importing import bulk_importer, import_file
from scenecat.domain.importing.jsonl_file import _VOTE_LINE
from scenecat.errors import CatalogueFileError
from scenecat.storage.connection import open_catalogue

HEAD = [
    {"format": "scenecat/1"},
    {"type": "actor", "name": "Ji Chang Wook"},
    {"type": "drama", "title": "Melting Me Softly", "episodes": 16},
    {
        "type": "scene",
        "key": "mms-kiss",
        "drama": "Melting Me Softly",
        "kind": "kiss",
        "title": "T",
    },
    {"type": "scene", "drama": "Melting Me Softly", "episode": 2, "kind": "hug", "title": "Hug"},
]


def _write(path: Path, records: list[dict[str, Any]]) -> Path:
    # json.dumps' default separators are the export's: ", " and ": "
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def _vote(scene: str, score: Any, voter: Any = None, on: Any = None) -> dict[str, Any]:
    record = {"type": "vote", "scene": scene, "score": score}
    if voter is not None:
        record["voter"] = voter
    if on is not None:
        record["on"] = on
    return record


def test_the_pattern_takes_only_what_decodes_to_the_same_values() -> None:
    taken = [
        _vote("mms-kiss", 7, "fan1", "2020-01-02"),
        _vote("mms-kiss", 10),
        _vote("mms-kiss", 1, on="2020-01-02"),
        _vote("mms-kiss", 3, "팬 하나"),
    ]
    for record in taken:
        found = _VOTE_LINE(json.dumps(record, ensure_ascii=False) + "\n")
        assert found is not None
        scene, score, voter, on = found.groups()
        assert (scene, int(score), voter, on) == (
            record["scene"],
            record["score"],
            record.get("voter"),
            record.get("on"),
        )
    left = [
        _vote("mms-kiss", 11),
        _vote("mms-kiss", 0),
        _vote("mms-kiss", 7.0),
        _vote("mms-kiss", "7"),
        _vote("Melting Me Softly", 7),
        _vote("mms-kiss", 7, 'fan "1"'),
        _vote("mms-kiss", 7, "tab\there"),
        _vote("mms-kiss", 7, on="2020-1-2"),
        {"type": "vote", "score": 7, "scene": "mms-kiss"},
        {"type": "vote", "scene": "mms-kiss", "score": 7, "voter": "a", "voter2": "b"},
    ]
    for record in left:
        assert _VOTE_LINE(json.dumps(record, ensure_ascii=False) + "\n") is None, record
    assert _VOTE_LINE('{"type": "vote", "scene": "mms-kiss", "score": 7}\r\n') is None
    assert _VOTE_LINE('{"type":"vote","scene":"mms-kiss","score":7}\n') is None


@pytest.mark.slow
def test_vote_lines_give_the_record_by_record_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    votes = [
        _vote("mms-kiss", 7, "fan1", "2020-01-02"),
        _vote("mms-kiss", 7, "fan1", "2020-01-02"),  # the same vote again: nothing new
        _vote("mms-kiss", 9, "fan1", "2020-01-05"),  # replaces it (a warning)
        _vote("mms-kiss", 4, "fan1", "2019-12-31"),  # older: kept, not current
        _vote("mms-kiss", 6, "fan1"),  # undated: the oldest
        _vote("mms-kiss", 8),  # "me"
        _vote("mms-kiss", 8),
        _vote("melting-me-softly-e2-hug", 5, "fan2", "2021-03-04"),  # a generated key
        _vote("mms-kiss", 5, "팬 하나", "2021-03-04"),  # not plain: the general way
        _vote("mms-kiss", 5, " fan3 ", "2021-03-04"),  # cleaned by the general way
        _vote("mms-kiss", 6, "fan3", "2021-03-05"),  # the same voter, cleaned
        {"type": "vote", "score": 2, "scene": "mms-kiss", "voter": "fan5"},  # another order
        _vote("mms-kiss", 3, "fan5", "2022-02-02"),
    ]
    source = _write(tmp_path / "votes.jsonl", HEAD + votes)
    general: list[Any] = []
    original = bulk_importer.BulkImporter.apply

    def spy(self: Any, section: str, raw: Any, path: str) -> None:
        if section == "votes":
            general.append(raw)
        original(self, section, raw, path)

    monkeypatch.setattr(bulk_importer.BulkImporter, "apply", spy)
    report = _assert_same(tmp_path, source)
    # Proves the lines went through the pattern: all but the one in another key order and
    # the two the pattern matched but vote_lines handed back (not plain, padded) went by
    # no decoder and no apply().
    assert [v.get("voter") for v in general] == ["팬 하나", " fan3 ", "fan5"]
    assert report.seen["votes"] == len(votes) and report.created["votes"] == len(votes) - 2
    assert "vote: replaces fan1's earlier vote of 7" in report.warnings


BAD_VOTES = {
    "a scene not read yet": [_vote("later-scene", 5, "fan1")],
    "a day in the future": [_vote("mms-kiss", 5, "fan1", "2999-01-01")],
    "no such day": [_vote("mms-kiss", 5, "fan1", "2020-02-30")],
    "an empty voter": [_vote("mms-kiss", 5, "")],
    "a voter too long": [_vote("mms-kiss", 5, "x" * 400)],
}


@pytest.mark.slow
@pytest.mark.parametrize("case", BAD_VOTES, ids=list(BAD_VOTES))
def test_a_bad_vote_line_gives_the_record_by_record_error(tmp_path: Path, case: str) -> None:
    source = _write(tmp_path / "bad.jsonl", HEAD + [_vote("mms-kiss", 5, "fan0")] + BAD_VOTES[case])
    errors = []
    for fast in (False, True):
        db = tmp_path / f"{fast}.db"
        cat = open_catalogue(db)
        before = dump(db)
        with pytest.raises(CatalogueFileError) as caught, cat.write("import") as conn:
            import_file(conn, source, fast=fast)
        cat.close()
        assert dump(db) == before
        errors.append((caught.value.message, caught.value.hint))
    assert errors[0] == errors[1]
    assert ":7" in errors[0][0] or "line 7" in errors[0][0]
