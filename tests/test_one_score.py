"""One scene, one score (issue #22): the same number for a scene in `rank` under any filters,
`rank --why`, `show scene --json`, the website's ranking JSON and the domain's `scores_of`,
on the sample and on a generated 10,000-scene catalogue. Filters choose scenes; they never
re-score them. (Articles: tests/test_articles*.py hold their scores to `rank` too.)
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import ROOT, Run
from tests.web_support import Site, cli_json

RankCli = Callable[..., Run]
pytest_plugins = ("tests.web_support",)

# Six scopes of the sample, each naming scenes some of the others also hold.
SAMPLE_SCOPES: list[list[str]] = [
    ["--actor", "Ji Chang Wook"],
    ["--kind", "kiss"],
    ["--drama", "Healer"],
    ["--network", "tvN"],
    ["--year", "2016..2020"],
    ["--couple", "Ji Chang Wook", "Won Jin Ah"],
    ["--actor", "Ji Chang Wook", "--kind", "kiss", "--by", "drama"],
]


def rank_json(cli: RankCli, *args: str) -> list[dict[str, object]]:
    result = cli("rank", *args, "--limit", "100000", "--json")
    assert result.exit_code == 0, result.stderr
    data: list[dict[str, object]] = json.loads(result.stdout)["data"]
    return data


def catalogue_scores(cli: RankCli) -> dict[str, float]:
    entries = rank_json(cli)
    return {str(e["key"]): float(e["score"]) for e in entries}  # type: ignore[arg-type]


def check_scopes(cli: RankCli, scores: dict[str, float], scopes: list[list[str]]) -> int:
    """Every entry of every scope has the catalogue's score, to the last bit; returns how many
    entries were checked."""
    checked = 0
    for args in scopes:
        entries = rank_json(cli, *args)
        assert entries, args
        for entry in entries:
            assert entry["score"] == scores[str(entry["key"])], (args, entry["key"])
            checked += 1
        # A scope's order is the catalogue's order restricted to the scope (for --by scene).
        if "--by" not in args:
            keys = [str(e["key"]) for e in entries]
            assert keys == sorted(keys, key=list(scores).index), args
    return checked


def check_show_and_why(cli: RankCli, scores: dict[str, float], keys: list[str]) -> None:
    for key in keys:
        shown = cli("show", "scene", key, "--json")
        assert shown.exit_code == 0, shown.stderr
        assert json.loads(shown.stdout)["data"]["score"]["score"] == scores[key], key
        why = cli("rank", "--why", key, "--json")
        assert why.exit_code == 0, why.stderr
        data = json.loads(why.stdout)["data"]
        assert data["score"] == scores[key], key
        # The sentence says the same number as the table, at the table's precision.
        assert f"with {scores[key]:.2f} out of 10" in data["why"][0]
        # --why inside a scope: the same score, another position.
        filtered = cli("rank", "--why", key, "--drama", str(data["drama"]), "--json")
        assert filtered.exit_code == 0, filtered.stderr
        assert json.loads(filtered.stdout)["data"]["score"] == scores[key], key
        text = cli("show", "scene", key)
        assert f"score\t{scores[key]:.2f}/10" in text.stdout, key


def test_every_sample_scene_has_one_score_everywhere(cli: RankCli, sample_db: Path) -> None:
    scores = catalogue_scores(cli)
    assert len(scores) == 54
    assert check_scopes(cli, scores, SAMPLE_SCOPES) > 54
    check_show_and_why(cli, scores, list(scores))


def test_the_website_ranking_json_has_the_same_scores(site: Site, web_db: Path) -> None:
    ranked = cli_json(web_db, "rank", "--limit", "100000")["data"]
    scores = {e["key"]: e["score"] for e in ranked}
    for query, actor, kind in [
        ("best_scenes", "", ""),
        ("best_scenes", "Ji Chang Wook", "kiss"),
        ("best_per_drama", "Ji Chang Wook", "kiss"),
        ("best_per_drama", "", "confession"),
    ]:
        rows = site.json(f"/web/{query}.json?actor={quote(actor)}&kind={kind}&_shape=array")
        assert rows, (query, actor, kind)
        for row in rows:
            assert row["score"] == f"{scores[row['key']]:.2f}", (query, actor, kind, row)


def test_what_ifs_say_so_and_the_defaults_do_not(cli: RankCli, sample_db: Path) -> None:
    plain = cli("rank", "--json")
    assert json.loads(plain.stdout)["meta"]["what_if"] is False
    assert "What-if" not in cli("rank").stderr + cli("rank").stdout
    for args in (["--method", "votes"], ["--w-views", "0.5"], ["--min-votes", "2"]):
        result = cli("rank", *args, "--json")
        assert json.loads(result.stdout)["meta"]["what_if"] is True, args
        shown = cli("rank", *args)
        assert "What-if: these are not the catalogue's scores" in shown.stdout + shown.stderr
        why = cli("rank", *args, "--why", "melting-me-softly-e10-shower-kiss")
        assert "What-if" in why.stdout, args


# --------------------------------------------------------------------- a generated 10k


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, object]]]:
    folder = tmp_path_factory.mktemp("gen10k")
    source = folder / "cat.jsonl"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--scenes", "10k", "-o", str(source)],
        check=True,
        capture_output=True,
    )
    path = folder / "cat.db"
    done = subprocess.run(
        [sys.executable, "-m", "scenecat", "--db", str(path), "import", str(source)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    meta = json.loads(Path(f"{source}.meta.json").read_text())
    yield path, meta


@pytest.mark.slow
def test_a_generated_10k_catalogue_has_one_score_per_scene(
    generated: tuple[Path, dict[str, object]],
    cli: RankCli,
    db: Path,
) -> None:
    import shutil

    from scenecat.domain.ranking import scores_of

    source, meta = generated
    shutil.copyfile(source, db)
    scores = catalogue_scores(cli)
    assert len(scores) == 10_000
    conn = sqlite3.connect(db)
    try:
        ids = dict(conn.execute("SELECT key, id FROM scene"))
        drama, network = conn.execute(
            "SELECT d.title, d.network FROM drama d JOIN scene s ON s.drama_id = d.id "
            "GROUP BY d.id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        couple = conn.execute(
            "SELECT a.name, b.name FROM scene_actor x JOIN scene_actor y "
            "ON y.scene_id = x.scene_id AND y.actor_id > x.actor_id "
            "JOIN actor a ON a.id = x.actor_id JOIN actor b ON b.id = y.actor_id "
            "GROUP BY x.actor_id, y.actor_id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        kind = conn.execute(
            "SELECT kind FROM scene GROUP BY kind ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]
        # The domain's one-scene scores for every scene: the same floats as the ranking.
        by_id = scores_of(conn, list(ids.values()))
        assert {key: by_id[i].score for key, i in ids.items()} == scores
    finally:
        conn.close()
    scopes = [
        ["--actor", str(meta["busiest_actor"])],
        ["--kind", kind],
        ["--drama", drama],
        ["--network", network],
        ["--year", "2010..2015"],
        ["--couple", couple[0], couple[1]],
        ["--kind", kind, "--by", "drama"],
    ]
    assert check_scopes(cli, scores, scopes) > 1_000
    ranked = list(scores)
    chosen = ranked[:5] + ranked[-5:] + random.Random(22).sample(ranked, 20)
    check_show_and_why(cli, scores, chosen)


ARTICLES: list[list[str]] = [
    ["--actor", "Ji Chang Wook", "--kind", "kiss", "--limit", "50"],
    ["--limit", "60"],
    ["--template", "best-per-drama", "--actor", "Ji Chang Wook", "--kind", "kiss"],
    ["--template", "best-per-drama", "--network", "tvN"],
    ["--template", "spotlight", "--scene", "melting-me-softly-e10-shower-kiss"],
    ["--template", "drama", "--drama", "Healer"],
    ["--template", "actor", "--actor", "Won Jin Ah"],
]


def test_every_article_template_shows_the_catalogue_scores(cli: RankCli, sample_db: Path) -> None:
    """Each "score X/10" an article prints belongs to the scene named last before it, and is
    that scene's catalogue score at the two digits `rank` shows."""
    scores = catalogue_scores(cli)
    titles = {
        str(e["scene"]["title"]): str(e["key"])  # type: ignore[index]
        for e in rank_json(cli)
    }
    pattern = re.compile(
        "|".join(re.escape(t) for t in sorted(titles, key=len, reverse=True))
        + r"|[Ss]core:?\**:? (\d+\.\d\d)/10"
    )
    for args in ARTICLES:
        result = cli("export", "markdown", *args, "--spoilers", "show")
        assert result.exit_code == 0, (args, result.stderr)
        named: str | None = None
        shown = 0
        for found in pattern.finditer(result.stdout):
            if found.group(1) is None:
                named = titles[found.group(0)]
                continue
            assert named is not None, (args, found.group(0))
            assert found.group(1) == f"{scores[named]:.2f}", (args, named)
            shown += 1
        assert shown, args


def test_the_worked_example_in_design_is_what_the_program_says(
    cli: RankCli, sample_db: Path
) -> None:
    why = json.loads(cli("rank", "--why", "melting-me-softly-e10-shower-kiss", "--json").stdout)
    parts = why["data"]["parts"]
    figures = (
        parts["votes"]["prior"],
        parts["votes"]["value"],
        parts["duels"]["value"],
        parts["views"]["value"],
        why["data"]["score"],
    )
    design = (ROOT / "docs" / "DESIGN.md").read_text()
    assert [f"{x:.2f}" for x in figures] == ["7.75", "8.31", "6.29", "8.95", "8.03"]
    for text in ("= 325.5/42 = 7.75", "= 74.75/9 = 8.31", "= 6.29`", "= 8.95`", "= 8.03`"):
        assert text in design, text


def test_weights_in_the_default_proportions_are_the_catalogues_scores(
    cli: RankCli, sample_db: Path
) -> None:
    # Weights count by their shares: 1.2/0.4/0.4 is 0.6/0.2/0.2, not a what-if.
    same = json.loads(cli("rank", "--w-votes", "1.2", "--w-duels", "0.4", "--w-views", "0.4",
                          "--json").stdout)  # fmt: skip
    plain = json.loads(cli("rank", "--json").stdout)
    assert same["meta"]["what_if"] is False
    assert [e["score"] for e in same["data"]] == pytest.approx([e["score"] for e in plain["data"]])
