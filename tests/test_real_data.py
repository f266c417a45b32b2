"""The real, messy MyDramaList credits (shared/data/real, used by path, never copied):
3,090 actors and 1,643 dramas go in through JSON Lines and come out findable the way fans
type names. Skipped where the shared data folder is absent."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import pytest

from tests.conftest import REAL_DATA

REAL = REAL_DATA if (REAL_DATA / "mdl_actor_credits.csv").is_file() else None
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(REAL is None, reason="shared/data/real is not present"),
]

ROLES = {
    "Main Role": "main",
    "Support Role": "support",
    "Guest Role": "guest",
    "Guest": "guest",
    "Bit part": "cameo",
}


def _credits_to_jsonl(target: Path) -> tuple[int, int]:
    assert REAL is not None
    casts: dict[str, list[dict[str, str]]] = defaultdict(list)
    actors: dict[str, None] = {}
    with (REAL / "mdl_actor_credits.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            name = " ".join(row["actor_name"].split())
            actors[name] = None
            credit = {"actor": name, "role": ROLES.get(row["role"], "support")}
            character = " ".join(row["character_name"].split())
            if character:
                credit["character"] = character
            casts[" ".join(row["drama_name"].split())].append(credit)
    with target.open("w", encoding="utf-8") as out:
        out.write(json.dumps({"format": "scenecat/1"}) + "\n")
        for name in actors:
            out.write(json.dumps({"type": "actor", "name": name}, ensure_ascii=False) + "\n")
        for title, cast in casts.items():
            record = {"type": "drama", "title": title, "cast": cast}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(actors), len(casts)


def test_real_credits_import_and_resolve(tmp_path: Path, cli) -> None:
    source = tmp_path / "credits.jsonl"
    n_actors, n_dramas = _credits_to_jsonl(source)
    result = cli("import", str(source))
    assert result.exit_code == 0, result.stderr
    assert (
        f"{n_actors:,} new actors" in result.stderr and f"{n_dramas:,} new dramas" in result.stderr
    )

    dramas = json.loads(cli("list", "dramas", "--actor", "ji chang-wook", "--json").stdout)["data"]
    assert {"Melting Me Softly", "The K2", "Lovestruck in the City"} <= {d["title"] for d in dramas}
    actor = json.loads(cli("show", "actor", "JI CHANGWOOK", "--json").stdout)["data"]
    characters = {c["drama"]: c["character"] for c in actor["credits"]}
    assert characters["Melting Me Softly"] == "Ma Dong Chan"

    # Re-importing the same messy file changes nothing; the catalogue stays sound.
    again = cli("import", str(source))
    assert again.exit_code == 0 and "0 new actors" in again.stderr
    assert cli("db", "check").exit_code == 0
    near = cli("show", "actor", "Ji Chang Wok")
    assert near.exit_code == 1 and "did you mean 'Ji Chang Wook'" in near.stderr
