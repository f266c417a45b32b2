"""`rank` through the real command line and the domain API: hand-computed numbers on small
catalogues, the sample catalogue's fan question, grouping, explanations and bad input."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import dump

# Two scenes, A beat B once, Bradley-Terry prior 1: the closed form is in tests/test_scoring.py.
TWO_ITEM_WINNER = 6.2902793623923685
TWO_ITEM_LOSER = 3.7097206376076333

DRAMA = "Test Drama"
ACTORS = ("Alpha Actor", "Beta Actor", "Gamma Actor")


def scene(key: str, kind: str = "kiss", *, actors: Sequence[str] = ACTORS[:2], **extra: Any):
    return {"type": "scene", "key": key, "drama": extra.pop("drama", DRAMA), "episode": 1,
            "kind": kind, "title": key.replace("-", " ").title(), "actors": list(actors),
            **extra}  # fmt: skip


def vote(key: str, score: int, voter: str, on: str = "2021-01-01") -> dict[str, Any]:
    return {"type": "vote", "scene": key, "score": score, "voter": voter, "on": on}


def duel(winner: str, loser: str, voter: str = "me", on: str = "2021-01-01") -> dict[str, Any]:
    return {"type": "duel", "winner": winner, "loser": loser, "voter": voter, "on": on}


def views(count: int, on: str = "2021-01-01", source: str = "official") -> dict[str, Any]:
    return {"count": count, "on": on, "source": source}


def write_catalogue(path: Path, records: Sequence[dict[str, Any]]) -> Path:
    """A JSON Lines catalogue: three actors, two dramas, then `records` in the order given."""
    head: list[dict[str, Any]] = [{"type": "actor", "name": name} for name in ACTORS]
    for title in (DRAMA, "Other Drama"):
        head.append(
            {
                "type": "drama",
                "title": title,
                "network": "tvN",
                "year": 2020,
                "episodes": 16,
                "cast": [{"actor": name} for name in ACTORS],
            }
        )
    lines = [{"format": "scenecat/1"}, *head, *records]
    path.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    return path


@pytest.fixture
def load(db: Path, cli, tmp_path: Path) -> Callable[[Sequence[dict[str, Any]]], None]:
    def run(records: Sequence[dict[str, Any]]) -> None:
        result = cli("import", str(write_catalogue(tmp_path / "cat.jsonl", records)))
        assert result.exit_code == 0, result.stderr

    return run


def rank_json(cli, *args: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    result = cli("rank", *args, "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    return document["data"], document["meta"]


def by_key(data: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {entry["key"]: entry for entry in data}


# --------------------------------------------------------------------------- hand-computed


def test_combined_score_hand_computed(load, cli) -> None:
    # a: votes 8 and 10, 10,000,000 views, beat b once.  b: one vote of 6.  c: nothing at all.
    load(
        [
            scene("a-kiss", views=[views(10_000_000)]),
            scene("b-kiss"),
            scene("c-kiss"),
            vote("a-kiss", 8, "ann"),
            vote("a-kiss", 10, "bob"),
            vote("b-kiss", 6, "ann"),
            duel("a-kiss", "b-kiss"),
        ]
    )
    data, meta = rank_json(cli, "--kind", "kiss")
    assert [e["key"] for e in data] == ["a-kiss", "b-kiss", "c-kiss"]
    assert meta["prior_mean"] == 8.0  # C = (8 + 10 + 6) / 3
    assert (meta["scope_size"], meta["unsignalled"]) == (3, 1)
    assert meta["params"] == {
        "m": 5.0, "w_votes": 0.6, "w_duels": 0.2, "w_views": 0.2, "duel_k": 3.0,
        "bt_prior": 1.0, "view_ref": 10_000_000,
    }  # fmt: skip
    a, b, c = (e["parts"] for e in data)
    # quality a = (18 + 5*8)/(2 + 5) = 58/7; b = (6 + 5*8)/(1 + 5) = 23/3
    assert a["votes"]["value"] == pytest.approx(58 / 7, abs=1e-12)
    assert b["votes"]["value"] == pytest.approx(23 / 3, abs=1e-12)
    assert a["duels"]["value"] == pytest.approx(TWO_ITEM_WINNER, abs=1e-6)
    assert b["duels"]["value"] == pytest.approx(TWO_ITEM_LOSER, abs=1e-6)
    assert a["views"]["value"] == 10.0 and b["views"]["value"] is None
    # One duel each: duel weight 0.2 * 1/(1+3) = 0.05. a: 0.6 + 0.05 + 0.2 = 0.85 in all,
    # b: 0.6 + 0.05 = 0.65 (no views).
    assert a["votes"]["share"] == pytest.approx(0.6 / 0.85, abs=1e-12)
    assert a["votes"]["points"] == pytest.approx(696 / 119, abs=1e-12)  # 58/7 * 0.6/0.85
    assert a["views"]["points"] == pytest.approx(40 / 17, abs=1e-12)  # 10 * 0.2/0.85
    assert data[0]["score"] == pytest.approx(8.571697, abs=1e-6)
    assert b["votes"]["points"] == pytest.approx(92 / 13, abs=1e-12)  # 23/3 * 0.6/0.65
    assert data[1]["score"] == pytest.approx(7.362286, abs=1e-6)
    assert (a["duels"]["won"], a["duels"]["lost"], b["duels"]["won"], b["duels"]["lost"]) == (
        1,
        0,
        0,
        1,
    )
    assert data[2]["has_signal"] is False and data[2]["score"] == 0.0
    assert c["votes"]["value"] == 8.0  # no votes: the scope's mean, shown but not counted


def test_one_ten_does_not_beat_fifty_nines_in_a_realistic_scope(load, cli) -> None:
    load(
        [
            scene("one-kiss"),
            scene("fifty-kiss"),
            scene("rest-kiss"),
            vote("one-kiss", 10, "fan0"),
            *(vote("fifty-kiss", 9, f"fan{i}") for i in range(50)),
            *(vote("rest-kiss", 5, f"fan{i}") for i in range(49)),
        ]
    )
    data, meta = rank_json(cli, "--method", "votes")
    # C = (10 + 450 + 245)/100 = 7.05; m = 5:
    # fifty (450 + 35.25)/55 = 8.8227..., one (10 + 35.25)/6 = 7.5416..., rest 280.25/54
    assert meta["prior_mean"] == 7.05
    assert [e["key"] for e in data] == ["fifty-kiss", "one-kiss", "rest-kiss"]
    scores = [e["score"] for e in data]
    assert scores == pytest.approx([485.25 / 55, 45.25 / 6, 280.25 / 54], abs=1e-12)


def test_two_scene_scope_keeps_the_single_ten_ahead_as_documented(load, cli) -> None:
    # The issue fixes C as the mean of the scope. Ranking only these two scenes,
    # C = 460/51 = 9.0196...: fifty 9s are below the scope's own average, so no shrinkage
    # toward C can put them first (the scoring package's docstring). Any wider scope that
    # brings C below 8.78 reverses it (the test above).
    load(
        [
            scene("one-kiss"),
            scene("fifty-kiss"),
            scene("rest-fight", "fight"),
            vote("one-kiss", 10, "fan0"),
            *(vote("fifty-kiss", 9, f"fan{i}") for i in range(50)),
            *(vote("rest-fight", 5, f"fan{i}") for i in range(49)),
        ]
    )
    data, meta = rank_json(cli, "--kind", "kiss", "--method", "votes")
    assert meta["prior_mean"] == pytest.approx(460 / 51, abs=1e-12)
    assert [e["key"] for e in data] == ["one-kiss", "fifty-kiss"]
    assert [e["score"] for e in data] == pytest.approx([1405 / 153, 5050 / 561], abs=1e-12)
    # A larger m does not change the order, it only pulls both toward C.
    wide, _ = rank_json(cli, "--kind", "kiss", "--method", "votes", "--min-votes", "500")
    assert [e["key"] for e in wide] == ["one-kiss", "fifty-kiss"]


def test_bradley_terry_two_scene_closed_form_and_scenes_outside_the_scope(load, cli) -> None:
    load(
        [
            scene("a-kiss"),
            scene("z-fight", "fight"),
            duel("a-kiss", "z-fight"),
            # another component that must not change the first one's fit
            scene("p-kiss"),
            scene("q-kiss"),
            scene("r-kiss"),
            duel("p-kiss", "q-kiss"),
            duel("q-kiss", "r-kiss"),
            duel("r-kiss", "p-kiss", "ann"),
            duel("p-kiss", "r-kiss", "bob"),
        ]
    )
    everything = by_key(rank_json(cli, "--method", "duels")[0])
    assert everything["a-kiss"]["score"] == pytest.approx(TWO_ITEM_WINNER, abs=1e-9)
    assert everything["z-fight"]["score"] == pytest.approx(TWO_ITEM_LOSER, abs=1e-9)
    # Ranking kisses only: a's win over the fight scene still counts, with the same strength.
    kisses = by_key(rank_json(cli, "--method", "duels", "--kind", "kiss")[0])
    assert "z-fight" not in kisses
    assert kisses["a-kiss"]["score"] == everything["a-kiss"]["score"]


def test_bradley_terry_fit_satisfies_the_map_conditions(load, cli) -> None:
    # A beat B twice, B beat C twice, C beat A once, A beat C once (the three-item case of
    # tests/test_scoring.py). At the MAP fit every scene's wins + prior equal its expected wins
    # over real games and the prior's virtual games against a reference of strength 1.
    games = [("a", "b"), ("a", "b"), ("b", "c"), ("c", "a"), ("a", "c"), ("b", "c")]
    load(
        [
            scene("a"),
            scene("b"),
            scene("c"),
            *(duel(w, lo, f"fan{i}") for i, (w, lo) in enumerate(games)),
        ]
    )
    data = by_key(rank_json(cli, "--method", "duels")[0])
    strength = {k: e["score"] / (10 - e["score"]) for k, e in data.items()}  # 10*s/(s+1) -> s
    for key, s in strength.items():
        won = sum(1 for w, _ in games if w == key)
        expected = 2 * s / (s + 1) + math.fsum(
            s / (s + strength[lo if w == key else w]) for w, lo in games if key in (w, lo)
        )
        assert won + 1 == pytest.approx(expected, rel=1e-8)
    assert [e["key"] for e in rank_json(cli, "--method", "duels")[0]] == ["a", "b", "c"]
    assert [data[k]["parts"]["duels"]["won"] for k in "abc"] == [3, 2, 1]


def test_log_view_normalisation_and_latest_count_per_source(load, cli) -> None:
    load(
        [
            scene("ref-kiss", views=[views(10_000_000)]),
            scene("big-kiss", views=[views(100_000_000)]),
            scene("thousand-kiss", views=[views(1_000)]),
            scene("zero-kiss", views=[views(0)]),
            # per source the latest date counts; then the largest source wins
            scene(
                "mixed-kiss",
                views=[
                    views(1_000_000, "2020-01-01"),
                    views(1_500_000, "2020-06-01"),
                    views(2_000_000, "2020-03-01", "fan edit"),
                    views(10, "2020-07-01", "fan edit"),
                    {"count": 9_000_000, "source": "official"},  # undated: counts as oldest
                ],
            ),
            scene("none-kiss"),
        ]
    )
    data = by_key(rank_json(cli, "--method", "views")[0])
    assert data["ref-kiss"]["score"] == 10.0
    assert data["big-kiss"]["score"] == 10.0  # clipped at the reference
    # 10 * log10(1001) / log10(10000001)
    assert data["thousand-kiss"]["score"] == pytest.approx(4.286334369805723, abs=1e-12)
    assert data["zero-kiss"]["score"] == 0.0 and data["zero-kiss"]["has_signal"] is True
    mixed = data["mixed-kiss"]["parts"]["views"]
    assert (mixed["latest"], mixed["source"], mixed["on"]) == (1_500_000, "official", "2020-06-01")
    assert mixed["value"] == pytest.approx(10 * math.log10(1_500_001) / math.log10(10_000_001))
    assert data["none-kiss"]["has_signal"] is False
    keys = [e["key"] for e in rank_json(cli, "--method", "views")[0]]
    # equal scores: more views first, then key; no signal last
    assert keys == ["big-kiss", "ref-kiss", "mixed-kiss", "thousand-kiss", "zero-kiss",
                    "none-kiss"]  # fmt: skip


def test_ties_break_by_votes_then_views_then_key(load, cli) -> None:
    load(
        [
            scene("p-kiss", views=[views(10)]),
            scene("q-kiss", views=[views(1000)]),
            scene("r-kiss", views=[views(10)]),
            scene("s-kiss", views=[views(10)]),
            vote("p-kiss", 8, "ann"),
            vote("p-kiss", 8, "bob"),
            vote("q-kiss", 8, "ann"),
            vote("r-kiss", 8, "ann"),
            vote("s-kiss", 8, "ann"),
        ]
    )
    data, _ = rank_json(cli, "--method", "votes")
    assert {e["score"] for e in data} == {8.0}  # every mean and C are 8
    assert [e["key"] for e in data] == ["p-kiss", "q-kiss", "r-kiss", "s-kiss"]
    assert [e["position"] for e in data] == [1, 2, 3, 4]


def test_scenes_without_signal_rank_last_and_are_marked(load, cli) -> None:
    load([scene("a-kiss"), scene("b-kiss"), vote("b-kiss", 3, "ann")])
    data, _ = rank_json(cli, "--kind", "kiss")
    assert [(e["key"], e["has_signal"]) for e in data] == [("b-kiss", True), ("a-kiss", False)]
    table = cli("rank", "--kind", "kiss")
    assert table.exit_code == 0
    row = next(line for line in table.stdout.splitlines() if "A Kiss" in line)
    assert "no signal" in row
    assert "1 scene(s) have no votes, duels or views counted" in table.stderr


def test_method_fixes_the_weights_and_ignores_other_signals(load, cli) -> None:
    load(
        [
            scene("voted-kiss"),
            scene("viewed-kiss", views=[views(5_000_000)]),
            vote("voted-kiss", 2, "ann"),
        ]
    )
    data, meta = rank_json(cli, "--method", "votes")
    assert meta["params"]["w_votes"] == 1.0 and meta["params"]["w_views"] == 0.0
    assert [(e["key"], e["has_signal"]) for e in data] == [
        ("voted-kiss", True),
        ("viewed-kiss", False),  # views do not count here: nothing to rank it on
    ]
    data, _ = rank_json(cli, "--method", "views")
    assert [(e["key"], e["has_signal"]) for e in data] == [
        ("viewed-kiss", True),
        ("voted-kiss", False),
    ]
    # Custom weights, combined: only views count, so the viewed scene leads.
    data, meta = rank_json(cli, "--w-votes", "0", "--w-duels", "0", "--w-views", "1")
    assert data[0]["key"] == "viewed-kiss"
    assert meta["params"]["w_votes"] == 0.0


# --------------------------------------------------------------------------- the sample


def test_parts_add_up_to_the_score_exactly(sample_db: Path, cli) -> None:
    data, meta = rank_json(cli, "--limit", "1000")
    assert meta["scope_size"] == len(data) == 54
    for entry in data:
        parts = entry["parts"]
        total = parts["votes"]["points"] + parts["duels"]["points"] + parts["views"]["points"]
        assert total == entry["score"]
        shares = [parts[p]["share"] for p in ("votes", "duels", "views")]
        assert math.fsum(shares) == pytest.approx(1.0 if entry["has_signal"] else 0.0)
        for part in ("votes", "duels", "views"):
            value, share = parts[part]["value"], parts[part]["share"]
            if share:
                assert parts[part]["points"] == value * share


def test_readme_question_which_drama_has_his_best_kiss_scene(
    sample_db: Path, cli, terminal: None
) -> None:
    args = ("--actor", "Ji Chang Wook", "--kind", "kiss")
    by_drama, meta = rank_json(cli, *args, "--by", "drama")
    scenes, _ = rank_json(cli, *args, "--limit", "100")
    # Each drama once, ranked by its best scene (not a sum), with that scene named.
    best: dict[str, dict[str, Any]] = {}
    for entry in scenes:
        best.setdefault(entry["drama"], entry)
    expected = sorted(best.values(), key=lambda e: e["position"])
    assert [e["group"] for e in by_drama] == [e["drama"] for e in expected]
    assert [e["key"] for e in by_drama] == [e["key"] for e in expected]
    assert [e["scene_position"] for e in by_drama] == [e["position"] for e in expected]
    assert meta["groups"] == len(by_drama) == 7 and meta["scope_size"] == 9
    assert by_drama[0]["group"] == "Healer"
    assert by_drama[0]["key"] == "healer-e9-snowy-rooftop-kiss"
    assert by_drama[0]["group_scenes"] == 2  # Healer has two Ji Chang Wook kiss scenes
    # The table reads as the answer.
    table = cli("rank", *args, "--by", "drama")
    assert table.exit_code == 0, table.stderr
    assert "Best kiss scene per drama: Ji Chang Wook" in table.stdout
    assert 'Answer: Healer, with "The kiss in the snow"' in table.stdout
    assert "7 dramas, from 9 kiss scenes." in table.stdout
    assert "█" in table.stdout  # score bars
    assert table.stdout.count("Healer") == 2  # its row and the answer: once per drama


def test_names_are_typed_as_fans_type_them(sample_db: Path, cli) -> None:
    exact, _ = rank_json(cli, "--actor", "Ji Chang Wook", "--kind", "kiss")
    loose, _ = rank_json(cli, "--actor", "ji chang-wook", "--kind", "KISS")
    native, _ = rank_json(cli, "--actor", "지창욱", "--kind", "kiss")
    assert exact == loose == native


def test_by_actor_and_by_couple(sample_db: Path, cli) -> None:
    actors, meta = rank_json(cli, "--kind", "kiss", "--by", "actor", "--limit", "100")
    names = [e["group"] for e in actors]
    assert len(names) == len(set(names)) == meta["groups"]
    assert "Ji Chang Wook" in names and "Won Jin Ah" in names
    jcw = next(e for e in actors if e["group"] == "Ji Chang Wook")
    assert "Ji Chang Wook" in jcw["scene"]["actors"]
    couples, _ = rank_json(cli, "--kind", "kiss", "--by", "couple", "--limit", "100")
    labels = [e["group"] for e in couples]
    assert "Ji Chang Wook & Won Jin Ah" in labels  # names in alphabetical order
    pair = next(e for e in couples if e["group"] == "Ji Chang Wook & Won Jin Ah")
    assert pair["key"] == "melting-me-softly-e10-shower-kiss"
    positions = [e["scene_position"] for e in couples]
    assert positions == sorted(positions)


def test_couple_scope(sample_db: Path, cli) -> None:
    data, meta = rank_json(cli, "--couple", "Won Jin Ah", "ji chang-wook", "--limit", "100")
    assert meta["scope"]["couple"] == ["Won Jin Ah", "ji chang-wook"]
    assert data and all({"Ji Chang Wook", "Won Jin Ah"} <= set(e["scene"]["actors"]) for e in data)
    assert data[0]["key"] == "melting-me-softly-e10-shower-kiss"


def test_limit_and_default_limit(sample_db: Path, cli) -> None:
    data, meta = rank_json(cli, "--limit", "3")
    assert [e["position"] for e in data] == [1, 2, 3]
    assert meta["count"] == 3 and meta["scope_size"] == 54
    table = cli("rank")
    assert "20 of 54 scenes." in table.stderr


def test_explain_shows_one_column_per_part_and_the_parameters(sample_db: Path, cli) -> None:
    result = cli(
        "rank", "--actor", "Ji Chang Wook", "--kind", "kiss", "--explain", "--min-votes", "3"
    )
    assert result.exit_code == 0, result.stderr
    header = next(line for line in result.stdout.splitlines() if "votes part" in line)
    assert "duels part" in header and "views part" in header
    assert "C = 8.43 with m = 3" in result.stderr
    assert "weights votes 0.6, duels 0.2 × n/(n+3), views 0.2" in result.stderr
    assert "5.63 = 8.68×65%" not in result.stdout  # m = 3 changes the numbers
    default = cli("rank", "--actor", "Ji Chang Wook", "--kind", "kiss", "--explain")
    assert "5.63 = 8.68×65%" in default.stdout  # the shower kiss's vote part


def test_why_explains_one_scene_sentence_by_sentence(sample_db: Path, cli) -> None:
    result = cli(
        "rank",
        "--actor",
        "Ji Chang Wook",
        "--kind",
        "kiss",
        "--why",
        "melting-me-softly-e10-shower-kiss",
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        '"The shower kiss" (Melting Me Softly, episode 10) ranks 2nd of 9 scenes with 8.53 '
        "out of 10."
    )
    assert lines[1].startswith(
        "Fan quality 8.68: 4 votes averaging 9.00, shrunk toward the scope's mean vote 8.43"
    )
    assert lines[2].startswith("Head-to-head 7.13: won 4 and lost 1 of 5 duels")
    assert lines[3].startswith(
        "Popularity 8.95: the latest view count is 1,850,000 (tvN official upload, 2020-08-15)"
    )
    assert lines[4].startswith(
        "Score: 8.68 x 65% (votes) + 7.13 x 14% (duels) + 8.95 x 22% "
        "(views) = 5.63 + 0.96 + 1.94 = 8.53."
    )
    as_json = json.loads(
        cli(
            "rank",
            "--actor",
            "Ji Chang Wook",
            "--kind",
            "kiss",
            "--json",
            "--why",
            "melting-me-softly-e10-shower-kiss",
        ).stdout
    )
    assert as_json["data"]["why"] == lines
    assert as_json["data"]["position"] == 2


def test_why_for_a_scene_without_signal(load, cli) -> None:
    load([scene("a-kiss"), scene("b-kiss"), vote("b-kiss", 3, "ann")])
    result = cli("rank", "--why", "a-kiss")
    assert result.exit_code == 0
    assert "has no votes or duels or view counts" in result.stdout
    assert "2nd of 2" in result.stdout


def test_domain_api_for_articles(sample_db: Path) -> None:
    from scenecat.domain.rank_why import why
    from scenecat.domain.ranking import rank_scenes
    from scenecat.domain.scope import Scope
    from scenecat.scoring.params import RankParams
    from scenecat.storage.connection import open_catalogue

    cat = open_catalogue(sample_db)
    try:
        result = rank_scenes(
            cat.conn,
            Scope(actors=("Ji Chang Wook",), kind="kiss"),
            RankParams(),
            by="drama",
            limit=3,
        )
    finally:
        cat.close()
    assert [e.position for e in result.entries] == [1, 2, 3]
    assert result.scope_size == 9 and result.unsignalled == 0
    top = result.entries[0]
    assert top.group == "Healer" and top.scene.key == "healer-e9-snowy-rooftop-kiss"
    assert top.scene.actors == ["Ji Chang Wook", "Park Min Young"]  # full scene records
    assert top.scene.views and top.parts.score == pytest.approx(8.65, abs=0.005)
    assert why(top)[0].startswith("Healer ranks 1st of 7 dramas")


# --------------------------------------------------------------------------- bad input

BAD = {
    "unknown grouping": (["--by", "network"], 2, "Error: --by 'network' is not one of scene, drama, actor, couple"),
    "unknown method": (["--method", "magic"], 2, "Error: --method 'magic' is not one of combined, votes, duels, views"),
    "couple of one person": (["--couple", "Ji Chang Wook", "ji chang-wook"], 1, "Error: --couple needs two different actors"),
    "couple with one name": (["--couple", "Ji Chang Wook"], 2, "Error: Option '--couple' requires 2 arguments"),
    "unknown actor": (["--actor", "Nobody Atall"], 1, "Error: no actor called 'Nobody Atall'"),
    "limit zero": (["--limit", "0"], 2, "Error: --limit must be between 1 and"),
    "negative weight": (["--w-votes", "-1"], 2, "Error: --w-votes must be a number of 0 or more, got -1.0"),
    "NaN weight": (["--w-views", "nan"], 2, "Error: --w-views must be a number of 0 or more, got nan"),
    "all weights zero": (["--w-votes", "0", "--w-duels", "0", "--w-views", "0"], 2, "Error: at least one of --w-votes, --w-duels, --w-views must be above 0"),
    "weights with a single method": (["--method", "votes", "--w-duels", "1"], 2, "Error: --w-duels only apply to --method combined"),
    "negative m": (["--min-votes", "-2"], 2, "Error: --min-votes must be a number of 0 or more"),
    "infinite m": (["--min-votes", "inf"], 2, "Error: --min-votes must be a number of 0 or more"),
    "why unknown scene": (["--why", "no-such-scene"], 1, "Error: no scene with key 'no-such-scene'"),
    "why outside the scope": (["--kind", "kiss", "--why", "melting-me-softly-e1-frozen-human-pitch"], 1, "Error: scene melting-me-softly-e1-frozen-human-pitch is not in the scope being ranked"),
    "bad year": (["--year", "twenty"], 2, "Error: year 'twenty' is not YYYY or YYYY..YYYY"),
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_rank_input(sample_db: Path, cli, case: str) -> None:
    args, code, expected = BAD[case]
    before = dump(sample_db)
    for extra in ((), ("--json",)):
        result = cli("rank", *extra, *args)
        assert result.exit_code == code, result.stderr
        assert expected in result.stderr, result.stderr
        assert len([line for line in result.stderr.splitlines() if "Error: " in line]) == 1
        assert result.stdout == ""
    assert dump(sample_db) == before


def test_empty_scope(sample_db: Path, cli) -> None:
    data, meta = rank_json(cli, "--kind", "proposal", "--actor", "Ji Chang Wook")
    assert data == [] and meta["scope_size"] == 0
    table = cli("rank", "--kind", "proposal", "--actor", "Ji Chang Wook", "--by", "drama")
    assert table.exit_code == 0 and "No proposal scenes in this scope." in table.stderr


def test_user_text_is_not_markup(load, cli) -> None:
    load([{**scene("odd-kiss"), "title": "[bold]x[/] | a |"}, vote("odd-kiss", 7, "ann")])
    table = cli("rank")
    assert "[bold]x[/] | a |" in table.stdout


# --------------------------------------------------------------------------- storage


def test_ranking_indexes_migration_makes_the_scope_query_index_only(sample_db: Path) -> None:
    from sqlite_utils import Database

    from scenecat.storage import rank_queries
    from scenecat.storage.connection import open_catalogue
    from scenecat.storage.migrations import MIGRATIONS
    from scenecat.storage.scenes import SceneFilter

    cat = open_catalogue(sample_db)
    try:
        step = dict(MIGRATIONS)["0005_ranking_indexes"]
        for _ in range(2):  # idempotent
            step(Database(cat.conn))
            cat.conn.execute("COMMIT")
        actor = cat.conn.execute("SELECT id FROM actor WHERE name = 'Ji Chang Wook'").fetchone()
        sql, params = rank_queries.scope_sql(SceneFilter(actor_ids=(actor[0],), kind="kiss"))
        plan = [row[3] for row in cat.conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
        kisses = rank_queries.scope_rows(cat.conn, SceneFilter(kind="kiss"))
    finally:
        cat.close()
    text = "\n".join(plan)
    assert "COVERING INDEX scene_actor_by_actor" in text
    assert "COVERING INDEX vote_current_by_scene" in text
    assert "COVERING INDEX view_count_latest" in text
    assert "SEARCH duel USING COVERING INDEX duel_" in text  # winners and losers alike
    assert "SCAN" not in text.replace("SCAN CONSTANT ROW", "")
    assert len(kisses) == 14


def test_absurdly_small_weight_is_one_clear_line(sample_db, cli) -> None:
    result = cli("rank", "--w-duels", "1e-300")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: --w-duels must be 0 or at least 1e-06, got 1e-300"
    ]
