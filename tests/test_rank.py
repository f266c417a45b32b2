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

# Two scenes, A beat B once, the default Bradley-Terry prior (3 virtual wins and losses): the
# closed form is in tests/test_scoring.py.
TWO_ITEM_WINNER = 5.627431722114341
TWO_ITEM_LOSER = 4.372568277885659
# A scene without a view count is scored as 100,000 views:
# 10 * log10(100001) / log10(10000001) = 10 * 5.000004342923105 / 7.000000043429446.
POP_PRIOR = 10 * math.log10(100_001) / math.log10(10_000_001)  # 7.142863302717208

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
    # The catalogue's votes: 3, summing to 24; m = 5. Each scene's C leaves its own out.
    # c (no votes): C = (24 + 5*5.5)/(3 + 5) = 51.5/8 = 6.4375, which is also meta's prior_mean
    assert meta["prior_mean"] == 6.4375
    assert meta["scope_size"] == 3 and "unsignalled" not in meta
    assert meta["what_if"] is False
    assert meta["params"] == {
        "m": 5.0, "w_votes": 0.6, "w_duels": 0.2, "w_views": 0.2, "bt_prior": 3.0,
        "view_ref": 10_000_000, "view_prior": 100_000,
    }  # fmt: skip
    # a: C = (24 - 18 + 27.5)/(3 - 2 + 5) = 33.5/6; quality = (18 + 5*33.5/6)/7 = 275.5/42
    # b: C = (24 - 6 + 27.5)/(3 - 1 + 5) = 45.5/7 = 6.5; quality = (6 + 5*6.5)/6 = 38.5/6
    # Scores, shares 0.6/0.2/0.2 for every scene:
    # a = 275.5/42*0.6 + 5.627431...*0.2 + 10*0.2 = 3.935714... + 1.125486... + 2 = 7.061200...
    # c = 6.4375*0.6 + 5*0.2 + 7.142863...*0.2 = 3.8625 + 1 + 1.428572... = 6.291072...
    # b = 38.5/6*0.6 + 4.372568...*0.2 + 7.142863...*0.2 = 3.85 + 0.874513... + 1.428572...
    #   = 6.153086...: its vote below its C and its lost duel put it under the scene with none.
    assert [e["key"] for e in data] == ["a-kiss", "c-kiss", "b-kiss"]
    a, c, b = (e["parts"] for e in data)
    assert a["votes"]["prior"] == pytest.approx(33.5 / 6, abs=1e-12)
    assert b["votes"]["prior"] == pytest.approx(6.5, abs=1e-12)
    assert a["votes"]["value"] == pytest.approx(275.5 / 42, abs=1e-12)
    assert b["votes"]["value"] == pytest.approx(38.5 / 6, abs=1e-12)
    assert a["duels"]["value"] == pytest.approx(TWO_ITEM_WINNER, abs=1e-6)
    assert b["duels"]["value"] == pytest.approx(TWO_ITEM_LOSER, abs=1e-6)
    assert a["views"]["value"] == 10.0
    assert b["views"]["value"] == pytest.approx(POP_PRIOR, abs=1e-12)
    for parts in (a, b, c):
        shares = [parts[part]["share"] for part in ("votes", "duels", "views")]
        assert shares == pytest.approx([0.6, 0.2, 0.2], abs=1e-12)
    assert a["votes"]["points"] == pytest.approx(165.3 / 42, abs=1e-12)  # 275.5/42 * 0.6
    assert a["views"]["points"] == pytest.approx(2.0, abs=1e-12)  # 10 * 0.2
    assert data[0]["score"] == pytest.approx(7.061201, abs=1e-6)
    assert b["votes"]["points"] == pytest.approx(3.85, abs=1e-12)  # 38.5/6 * 0.6
    assert b["views"]["points"] == pytest.approx(0.2 * POP_PRIOR, abs=1e-12)
    assert data[2]["score"] == pytest.approx(6.153086, abs=1e-6)
    assert (a["duels"]["won"], a["duels"]["lost"], b["duels"]["won"], b["duels"]["lost"]) == (
        1,
        0,
        0,
        1,
    )
    # c has no evidence: every part is its prior, and all of them count.
    assert data[1]["has_signal"] is False
    assert data[1]["score"] == pytest.approx(3.8625 + 1 + 0.2 * POP_PRIOR, abs=1e-12)
    assert c["votes"]["value"] == c["votes"]["prior"] == 6.4375
    assert c["votes"]["points"] == pytest.approx(3.8625, abs=1e-12)
    assert (c["duels"]["value"], c["duels"]["points"]) == pytest.approx((5.0, 1.0), abs=1e-12)
    assert c["views"]["value"] == pytest.approx(POP_PRIOR, abs=1e-12)
    assert c["views"]["latest"] is None


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
    # 100 votes summing to 10 + 450 + 245 = 705; m = 5; C leaves the scene's own votes out:
    # one   C = (705 - 10 + 27.5)/104 = 722.5/104, WR = (10 + 5*722.5/104)/6 = 4652.5/624
    # fifty C = (705 - 450 + 27.5)/55 = 282.5/55, WR = (450 + 5*282.5/55)/55 = 26162.5/3025
    # rest  C = (705 - 245 + 27.5)/56 = 487.5/56, WR = (245 + 5*487.5/56)/54 = 16157.5/3024
    # A scene without votes would get C = (705 + 27.5)/(100 + 5) = 732.5/105 = 6.976190...
    assert meta["prior_mean"] == pytest.approx(732.5 / 105, abs=1e-12)
    assert meta["what_if"] is True  # --method votes is an exploration
    assert [e["key"] for e in data] == ["fifty-kiss", "one-kiss", "rest-kiss"]
    scores = [e["score"] for e in data]
    assert scores == pytest.approx([26162.5 / 3025, 4652.5 / 624, 16157.5 / 3024], abs=1e-12)


def test_a_two_scene_scope_keeps_the_catalogue_scores(load, cli) -> None:
    # The same catalogue, with the forty-nine 5s on a fight scene. Ranking only the two kiss
    # scenes does not re-score them: C is still the catalogue's other votes, so the fifty 9s
    # stay first (when C was the scope's mean, 460/51 = 9.0196, the single 10 won here).
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
    everything, whole = rank_json(cli, "--method", "votes")
    data, meta = rank_json(cli, "--kind", "kiss", "--method", "votes")
    assert meta["prior_mean"] == whole["prior_mean"] == pytest.approx(732.5 / 105, abs=1e-12)
    assert [e["key"] for e in data] == ["fifty-kiss", "one-kiss"]
    # As in the test above: 26162.5/3025 = 8.648760... and 4652.5/624 = 7.455929...
    assert [e["score"] for e in data] == pytest.approx([26162.5 / 3025, 4652.5 / 624], abs=1e-12)
    scores = {e["key"]: e["score"] for e in everything}
    assert [e["score"] for e in data] == [scores["fifty-kiss"], scores["one-kiss"]]
    # m = 500 pulls both toward their C but keeps the order:
    # one   C = (705 - 10 + 2750)/599 = 3445/599, WR = (10 + 500*3445/599)/501 = 5.759699...
    # fifty C = (705 - 450 + 2750)/550 = 3005/550, WR = (450 + 500*3005/550)/550 = 5.785123...
    wide, _ = rank_json(cli, "--kind", "kiss", "--method", "votes", "--min-votes", "500")
    assert [e["key"] for e in wide] == ["fifty-kiss", "one-kiss"]
    assert [e["score"] for e in wide] == pytest.approx(
        [1750000 / 302500, 1728490 / 300099], abs=1e-12
    )


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
    # over real games and the prior's virtual games against a reference of strength 1 (the
    # default prior: 3 virtual wins and 3 virtual losses).
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
        expected = 2 * 3 * s / (s + 1) + math.fsum(
            s / (s + strength[lo if w == key else w]) for w, lo in games if key in (w, lo)
        )
        assert won + 3 == pytest.approx(expected, rel=1e-8)
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
    # No view count: scored as 100,000 views, 7.142863..., not 0 and not last.
    assert data["none-kiss"]["has_signal"] is False
    assert data["none-kiss"]["score"] == pytest.approx(POP_PRIOR, abs=1e-12)
    assert data["none-kiss"]["parts"]["views"]["latest"] is None
    keys = [e["key"] for e in rank_json(cli, "--method", "views")[0]]
    # equal scores: more views first, then key; mixed 10*log10(1500001)/log10(10000001) = 8.82
    # above the prior's 7.14, above a thousand's 4.29
    assert keys == ["big-kiss", "ref-kiss", "mixed-kiss", "none-kiss", "thousand-kiss",
                    "zero-kiss"]  # fmt: skip


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
    # m = 0: each score is the scene's own mean, 8, whatever its C (the others' votes, all 8s)
    data, _ = rank_json(cli, "--method", "votes", "--min-votes", "0")
    assert {e["score"] for e in data} == {8.0}
    assert [e["key"] for e in data] == ["p-kiss", "q-kiss", "r-kiss", "s-kiss"]
    assert [e["position"] for e in data] == [1, 2, 3, 4]


def _between(load) -> None:
    # "a" nothing at all, "b" one vote of 3, "c" one vote of 9: 2 votes summing to 12.
    load([scene("a-kiss"), scene("b-kiss"), scene("c-kiss"), vote("b-kiss", 3, "ann"),
          vote("c-kiss", 9, "ann")])  # fmt: skip


def test_scenes_without_evidence_rank_by_their_priors(load, cli) -> None:
    _between(load)
    # m = 5; no scene has duels or a view count: 5*0.2 + 7.142863...*0.2 = 2.428572... each.
    # a: C = (12 + 27.5)/(2 + 5) = 39.5/7 = 5.642857...;        score 3.385714... + 2.428572...
    # b: C = (12 - 3 + 27.5)/6 = 36.5/6, WR = (3 + 5*36.5/6)/6 = 200.5/36 = 5.569444...
    # c: C = (12 - 9 + 27.5)/6 = 30.5/6, WR = (9 + 5*30.5/6)/6 = 206.5/36 = 5.736111...
    # Scores: c 5.870239..., a 5.814287..., b 5.770239...: the scene without evidence ranks
    # between the one voted above C and the one voted below it.
    data, _ = rank_json(cli, "--kind", "kiss")
    assert [(e["key"], e["has_signal"]) for e in data] == [
        ("c-kiss", True),
        ("a-kiss", False),
        ("b-kiss", True),
    ]
    rest = 1 + 0.2 * POP_PRIOR
    assert [e["score"] for e in data] == pytest.approx(
        [206.5 / 36 * 0.6 + rest, 39.5 / 7 * 0.6 + rest, 200.5 / 36 * 0.6 + rest], abs=1e-12
    )
    table = cli("rank", "--kind", "kiss")
    assert table.exit_code == 0
    row = next(line for line in table.stdout.splitlines() if "A Kiss" in line)
    assert "5.81" in row and "no signal" not in table.stdout
    assert "no votes, duels or views" not in table.stderr
    assert "What-if" not in table.stdout + table.stderr


def test_method_fixes_the_weights_and_ignores_other_signals(load, cli) -> None:
    load(
        [
            scene("voted-kiss"),
            scene("viewed-kiss", views=[views(5_000_000)]),
            scene("other-kiss"),
            vote("voted-kiss", 2, "ann"),
            vote("other-kiss", 8, "ann"),
        ]
    )
    # --method votes: the score is the fan quality alone. 2 votes summing to 10; m = 5.
    # other:  C = (10 - 8 + 27.5)/6 = 29.5/6, WR = (8 + 5*29.5/6)/6 = 195.5/36 = 5.430555...
    # viewed: C = (10 + 27.5)/7 = 37.5/7 = 5.357142... (its views do not count here)
    # voted:  C = (10 - 2 + 27.5)/6 = 35.5/6, WR = (2 + 5*35.5/6)/6 = 189.5/36 = 5.263888...
    data, meta = rank_json(cli, "--method", "votes")
    assert meta["params"]["w_votes"] == 1.0 and meta["params"]["w_views"] == 0.0
    assert [(e["key"], e["score"]) for e in data] == [
        ("other-kiss", pytest.approx(195.5 / 36, abs=1e-12)),
        ("viewed-kiss", pytest.approx(37.5 / 7, abs=1e-12)),
        ("voted-kiss", pytest.approx(189.5 / 36, abs=1e-12)),
    ]
    assert all(e["parts"]["views"]["points"] == 0.0 for e in data)
    # --why says the one part is the score, that its value is the prior, and that this is
    # a what-if (37.5/7 = 5.357142...).
    why = cli("rank", "--method", "votes", "--why", "viewed-kiss")
    assert why.exit_code == 0, why.stderr
    assert why.stdout.splitlines() == [
        '"Viewed Kiss" (Test Drama, episode 1) ranks 2nd of 3 scenes with 5.36 out of 10.',
        "No votes yet, so its fan quality is the prior: the catalogue's mean vote, 5.36.",
        "The votes part alone is the score: 5.36.",
        "What-if: these are not the catalogue's scores (they use --method votes); without "
        "those options every command gives the same score.",
    ]
    # --method views: the score is the popularity alone; without a count, the prior's 7.14:
    # viewed 10*log10(5000001)/log10(10000001) = 9.569957...; other and voted tie at the
    # prior (one vote each, no count) and go by key.
    data, _ = rank_json(cli, "--method", "views")
    assert [(e["key"], e["has_signal"]) for e in data] == [
        ("viewed-kiss", True),
        ("other-kiss", True),
        ("voted-kiss", True),
    ]
    assert data[0]["score"] == pytest.approx(
        10 * math.log10(5_000_001) / math.log10(10_000_001), abs=1e-12
    )
    assert data[1]["score"] == data[2]["score"] == pytest.approx(POP_PRIOR, abs=1e-12)
    # Custom weights, combined: only views count, so the viewed scene leads.
    data, meta = rank_json(cli, "--w-votes", "0", "--w-duels", "0", "--w-views", "1")
    assert data[0]["key"] == "viewed-kiss"
    assert meta["params"]["w_votes"] == 0.0 and meta["what_if"] is True


# --------------------------------------------------------------------------- the sample


def test_parts_add_up_to_the_score_exactly(sample_db: Path, cli) -> None:
    data, meta = rank_json(cli, "--limit", "1000")
    assert meta["scope_size"] == len(data) == 54
    for entry in data:
        parts = entry["parts"]
        total = parts["votes"]["points"] + parts["duels"]["points"] + parts["views"]["points"]
        assert total == entry["score"]
        shares = [parts[p]["share"] for p in ("votes", "duels", "views")]
        assert math.fsum(shares) == pytest.approx(1.0)
        assert shares == pytest.approx([0.6, 0.2, 0.2])  # the same for every scene
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
    # The shower kiss, 8.031749 (DESIGN section 5's worked example), ahead of Healer's snowy
    # rooftop, 7.987044 (tests/test_piped_output.py works both).
    assert by_drama[0]["group"] == "Melting Me Softly"
    assert by_drama[0]["key"] == "melting-me-softly-e10-shower-kiss"
    assert by_drama[0]["group_scenes"] == 2  # the shower kiss and the first kiss (episode 7)
    assert by_drama[1]["group"] == "Healer"
    # The table reads as the answer.
    table = cli("rank", *args, "--by", "drama")
    assert table.exit_code == 0, table.stderr
    assert "Best kiss scene per drama: Ji Chang Wook" in table.stdout
    assert 'Answer: Melting Me Softly, with "The shower kiss"' in table.stdout
    assert "7 dramas, from 9 kiss scenes." in table.stdout
    assert "█" in table.stdout  # score bars
    assert table.stdout.count("Healer") == 1  # once per drama: its row
    assert table.stdout.count("Melting Me Softly") == 2  # its row and the answer


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
    # The sample's 41 current votes sum to 334: without votes C = (334 + 3*5.5)/(41 + 3)
    # = 350.5/44 = 7.965909...
    assert "(C = 7.97 for a scene without votes), with m = 3;" in result.stderr
    assert "weights votes 0.6, duels 0.2, views 0.2, for every scene" in result.stderr
    assert "no view count as 100,000 views" in result.stderr
    assert "What-if: these are not the catalogue's scores" in result.stderr  # m = 3
    # The shower kiss (4 votes, all 9s): C = (334 - 36 + 5*5.5)/(41 - 4 + 5) = 325.5/42 = 7.75,
    # WR = (36 + 5*7.75)/9 = 74.75/9 = 8.305555..., x 0.6 = 4.983333...
    assert "4.98 = 8.31×60%" not in result.stdout  # m = 3 changes the numbers
    default = cli("rank", "--actor", "Ji Chang Wook", "--kind", "kiss", "--explain")
    assert "4.98 = 8.31×60%" in default.stdout  # the shower kiss's vote part
    assert "(C = 7.86 for a scene without votes), with m = 5;" in default.stderr  # 361.5/46
    assert "What-if" not in default.stderr


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
    # DESIGN section 5's worked example, worked in tests/test_piped_output.py: 8.031749, first
    # of the 9 Ji Chang Wook kisses (Healer's snowy rooftop second, 7.987044).
    assert lines[0] == (
        '"The shower kiss" (Melting Me Softly, episode 10) ranks 1st of 9 scenes with 8.03 '
        "out of 10."
    )
    assert lines[1].startswith(
        "Fan quality 8.31: 4 votes averaging 9.00, shrunk toward the catalogue's mean vote 7.75"
    )
    assert lines[2].startswith(
        "Head-to-head 6.29: won 4 and lost 1 of 5 duels; fitting all linked duels "
        "(Bradley-Terry, plus 3 virtual wins and losses against an average scene)"
    )
    assert lines[3].startswith(
        "Popularity 8.95: the latest view count is 1,850,000 (tvN official upload, 2020-08-15)"
    )
    assert lines[4].startswith(
        "Score: 8.31 x 60% (votes) + 6.29 x 20% (duels) + 8.95 x 20% "
        "(views) = 4.98 + 1.26 + 1.79 = 8.03."
    )
    assert len(lines) == 5  # the catalogue's scores: no what-if sentence
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
    assert as_json["data"]["position"] == 1


def test_why_names_every_what_if_option(sample_db: Path, cli) -> None:
    # m = 2 changes the fan quality (shrunk toward C with 2 votes, not 5): the what-if
    # sentence should say so, as it does without --method.
    why = cli(
        "rank", "--method", "votes", "--min-votes", "2", "--why",
        "melting-me-softly-e10-shower-kiss",
    )  # fmt: skip
    assert why.exit_code == 0, why.stderr
    line = why.stdout.splitlines()[-1]
    assert line.startswith("What-if:")
    assert "--method votes" in line and "--min-votes 2" in line


def test_why_for_a_scene_without_evidence_says_each_prior(load, cli) -> None:
    _between(load)
    result = cli("rank", "--why", "a-kiss")
    assert result.exit_code == 0
    # As in test_scenes_without_evidence_rank_by_their_priors: C = 39.5/7 = 5.642857...,
    # x 0.6 = 3.385714...; 5 x 0.2 = 1; 7.142863... x 0.2 = 1.428572...; 5.814287...
    assert result.stdout.splitlines() == [
        '"A Kiss" (Test Drama, episode 1) ranks 2nd of 3 scenes with 5.81 out of 10.',
        "No votes yet, so its fan quality is the prior: the catalogue's mean vote, 5.64.",
        "No duels yet, so its head-to-head value is the prior: an even chance against an "
        "average scene, 5.00.",
        "No view count recorded, so its popularity is the prior: scored as 100,000 views, 7.14.",
        "Score: 5.64 x 60% (votes) + 5.00 x 20% (duels) + 7.14 x 20% (views) = 3.39 + 1.00 + "
        "1.43 = 5.81. Every scene counts each part with its weight; a part without evidence "
        "holds its prior.",
    ]
    assert "has no votes" not in result.stdout


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
    assert result.scope_size == 9
    # C of a scene without votes: the sample's 41 votes summing to 334,
    # (334 + 5*5.5)/(41 + 5) = 361.5/46 = 7.858695...
    assert result.prior_mean == pytest.approx(361.5 / 46, abs=1e-12)
    top = result.entries[0]
    assert top.group == "Melting Me Softly"
    assert top.scene.key == "melting-me-softly-e10-shower-kiss"
    assert top.scene.actors == ["Ji Chang Wook", "Won Jin Ah"]  # full scene records
    # 8.031749: worked in tests/test_piped_output.py
    assert top.scene.views and top.parts.score == pytest.approx(8.031749, abs=1e-6)
    assert top.parts.prior == pytest.approx(325.5 / 42, abs=1e-12)  # (334 - 36 + 27.5)/(41 - 4 + 5)
    assert why(top)[0].startswith("Melting Me Softly ranks 1st of 7 dramas")


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
