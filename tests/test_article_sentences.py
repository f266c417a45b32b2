"""Every sentence of an article is true and reads naturally for 0, 1, 2 and many: the list's
opening, the spoiler warning (a drama is a major spoiler only when it has a major entry), the
score (what it combines, never worded as a vote average), hidden entries (no kind), and the
numbers of a spotlight."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from scenecat.domain.articles.spoilers import spoiler_warning
from scenecat.domain.articles.wording import listicle_intro, ordinal
from tests.conftest import Run

DATE = "2024-05-01"


def _ok(result: Run) -> Run:
    assert result.exit_code == 0, result.stderr
    return result


def _catalogue(cli: Callable[..., Run], scenes: list[tuple[str, str]]) -> None:
    """Dramas "Alpha", "Beta", ... with one actor; one scene per (drama, spoiler level)."""
    _ok(cli("add-actor", "Kim Lead"))
    dramas = sorted({drama for drama, _ in scenes})
    for drama in dramas:
        _ok(cli("add-drama", drama, "--episodes", "16", "--cast", "Kim Lead:Hero"))
    for n, (drama, spoiler) in enumerate(scenes, start=1):
        args = ["--drama", drama, "--episode", str(n), "--actor", "Kim Lead", "--kind", "kiss"]
        _ok(cli("add-scene", *args, "--title", f"Kiss number {n}", "--spoiler", spoiler))


def _article(cli: Callable[..., Run], *args: str) -> str:
    return _ok(cli("export", "markdown", "--date", DATE, *args)).stdout


# The opening of a ranked list


def test_no_scenes_is_one_clear_line(cli: Callable[..., Run], db: Path) -> None:
    _ok(cli("init"))
    result = cli("export", "markdown", "--kind", "kiss")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no K-drama kiss scenes in the catalogue\n")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("count", "limit", "title", "opening"),
    [
        (1, None, "The best K-drama kiss scene",
         "Our catalogue has one K-drama kiss scene so far. Here it is, with its fan votes, "
         "head-to-head picks and view counts."),
        (2, None, "Top 2 K-drama kiss scenes",
         "Which K-drama kiss scene is the best? We ranked both K-drama kiss scenes in our "
         "catalogue by fan votes, head-to-head picks and view counts. Here they are, the "
         "better one first."),
        (5, None, "Top 5 K-drama kiss scenes",
         "Which K-drama kiss scene is the best? We ranked all 5 K-drama kiss scenes in our "
         "catalogue by fan votes, head-to-head picks and view counts. Here they are, best "
         "first."),
        (5, "1", "The best K-drama kiss scene",
         "Which K-drama kiss scene is the best? We ranked 5 K-drama kiss scenes by fan votes, "
         "head-to-head picks and view counts. Here is the best one."),
        (5, "3", "Top 3 K-drama kiss scenes",
         "Which K-drama kiss scene is the best? We ranked 5 K-drama kiss scenes by fan votes, "
         "head-to-head picks and view counts. Here are the top 3."),
    ],
    ids=["one", "two", "many", "many-top-1", "many-top-3"],
)  # fmt: skip
def test_the_opening_fits_the_count(
    cli: Callable[..., Run], db: Path, count: int, limit: str | None, title: str, opening: str
) -> None:
    _catalogue(cli, [("Alpha", "none")] * count)
    text = _article(cli, "--kind", "kiss", *(["--limit", limit] if limit else []))
    assert f'\ntitle: "{title}"\n' in text
    assert f"\n{opening}\n" in text
    assert "all 1 " not in text and "all 2 " not in text


def test_listicle_intro_for_every_count() -> None:
    for total in range(1, 30):
        for shown in range(1, total + 1):
            text = listicle_intro("kiss scene", "kiss scenes", shown, total)
            assert "all 1 " not in text and "all 2 " not in text and "top 1." not in text
            assert " 1 kiss scenes" not in text


# Spoiler warnings


@pytest.mark.parametrize(
    ("spoilers", "warning"),
    [
        ([("Alpha", "minor")], "Minor spoilers ahead for Alpha."),
        ([("Alpha", "minor"), ("Beta", "minor")], "Minor spoilers ahead for Alpha and Beta."),
        ([("Alpha", "major")], "Major spoilers ahead for Alpha."),
        ([("Alpha", "ending")], "Major spoilers ahead for Alpha, the ending included."),
        ([("Alpha", "major"), ("Beta", "minor")],
         "Major spoilers ahead for Alpha; minor ones for Beta."),
        ([("Alpha", "minor"), ("Alpha", "major"), ("Beta", "minor")],
         "Major spoilers ahead for Alpha; minor ones for Beta."),
        ([("Alpha", "ending"), ("Beta", "ending")],
         "Major spoilers ahead for Alpha and Beta, endings included."),
        ([("Alpha", "major"), ("Beta", "ending"), ("Gamma", "minor")],
         "Major spoilers ahead for Alpha and Beta, including the ending of Beta; "
         "minor ones for Gamma."),
        ([(d, "major") for d in ("A", "B", "C", "D", "E", "F")] + [("G", "minor")],
         "Major spoilers ahead for A, B, C and 3 more dramas; minor ones for G."),
    ],
    ids=["minor", "two-minor", "major", "ending", "major-and-minor", "mixed-drama",
         "two-endings", "all-three", "many"],
)  # fmt: skip
def test_spoiler_warning_names_each_drama_at_its_level(
    spoilers: list[tuple[str, str]], warning: str
) -> None:
    assert spoiler_warning(spoilers) == warning


def test_a_drama_with_only_minor_spoilers_is_not_called_major(
    cli: Callable[..., Run], db: Path
) -> None:
    _catalogue(cli, [("Alpha", "major"), ("Beta", "minor")])
    text = _article(cli, "--kind", "kiss")
    assert "> **Spoiler warning:** Major spoilers ahead for Alpha; minor ones for Beta." in text


# Scores, hidden entries, spotlight numbers


def test_the_score_says_what_it_combines(cli: Callable[..., Run], db: Path) -> None:
    _catalogue(cli, [("Alpha", "none"), ("Beta", "none")])
    keys = ["alpha-e1-kiss-number-1", "beta-e2-kiss-number-2"]
    text = _article(cli, "--kind", "kiss")
    # No evidence at all: the priors, said as such (every scene has a score).
    assert len(re.findall(r"- \*\*Score:\*\* \d+\.\d\d/10, from the averages alone \(no votes, "
                          r"duels or view count yet\)\n", text)) == 2  # fmt: skip
    _ok(cli("vote", keys[0], "9"))
    _ok(cli("views", keys[1], "1000"))
    text = _article(cli, "--kind", "kiss")
    assert (
        ", from 1 fan vote; with no duels or view count yet, an average duel record and a "
        "baseline view count stand in\n"
    ) in text
    # Not "from the view count": with no votes, the average vote is most of the score.
    assert (
        ", from the view count; with no fan votes or duels yet, the average vote and an average "
        "duel record stand in\n"
    ) in text
    _ok(cli("duel", keys[0], keys[1]))
    _ok(cli("vote", keys[0], "7", "--voter", "friend"))
    _ok(cli("views", keys[0], "5000"))
    text = _article(cli, "--kind", "kiss")
    assert ", combining 2 fan votes, 1 duel and the view count\n" in text
    assert (
        ", combining 1 duel and the view count; with no fan votes yet, the average vote stands in\n"
    ) in text
    votes_only = _article(cli, "--kind", "kiss", "--method", "votes")
    assert ", from 2 fan votes\n" in votes_only and "duel and" not in votes_only


def test_a_scene_without_signals_is_scored_by_the_averages(
    cli: Callable[..., Run], db: Path
) -> None:
    # Every scene counts every part: one with nothing yet scores the averages (no tail of
    # unranked scenes), and the methodology says so.
    _catalogue(cli, [("Alpha", "none"), ("Beta", "none")])
    _ok(cli("vote", "alpha-e1-kiss-number-1", "8"))
    text = _article(cli, "--kind", "kiss")
    assert "ranks last" not in text and "rank last" not in text
    assert "a scene without votes, duels or a view count is scored as an average one" in text
    beta = text.split("Number 2", 1)[1] if "Number 2" in text else text
    assert "from the averages alone (no votes, duels or view count yet)" in beta


@pytest.mark.parametrize("template", ["listicle", "drama", "actor"])
def test_hidden_entries_do_not_show_their_kind(
    cli: Callable[..., Run], db: Path, template: str
) -> None:
    _catalogue(cli, [("Alpha", "major")])
    _ok(cli("edit", "scene", "alpha-e1-kiss-number-1", "--kind", "farewell"))
    scope = {"listicle": [], "drama": ["--drama", "Alpha"], "actor": ["--actor", "Kim Lead"]}
    text = _article(cli, "--template", template, *scope[template], "--spoilers", "hide")
    assert "details hidden" in text.lower()
    assert "farewell" not in text


def test_a_hidden_spotlight_names_no_kind(cli: Callable[..., Run], db: Path) -> None:
    _catalogue(cli, [("Alpha", "major"), ("Alpha", "none")])
    _ok(cli("edit", "scene", "alpha-e1-kiss-number-1", "--kind", "farewell"))
    text = _article(
        cli, "--template", "spotlight", "--scene", "alpha-e1-kiss-number-1", "--spoilers", "hide"
    )
    assert "farewell" not in text
    assert 'title: "A scene in episode 1 of Alpha"\n' in text
    assert "- Rank: " in text and "of 2 scenes in Alpha" in text


def test_spotlight_numbers_for_one_and_many(cli: Callable[..., Run], db: Path) -> None:
    _catalogue(cli, [("Alpha", "none")])
    key = "alpha-e1-kiss-number-1"
    spotlight = ["--template", "spotlight", "--scene", key]
    _ok(cli("vote", key, "8"))
    text = _article(cli, *spotlight)
    assert "- Fan votes: a single vote, of 8/10\n" in text
    assert "- Rank: the only K-drama kiss scene in our catalogue\n" in text
    _ok(cli("add-scene", "--drama", "Alpha", "--episode", "2", "--actor", "Kim Lead",
            "--kind", "kiss", "--title", "Second"))  # fmt: skip
    _ok(cli("duel", key, "alpha-e2-second"))
    _ok(cli("vote", key, "6", "--voter", "friend"))
    text = _article(cli, *spotlight)
    assert "- Fan votes: 7.0/10 on average from 2 votes\n" in text
    assert "- Head-to-head: won its only duel\n" in text
    assert "- Rank: 1st of 2 K-drama kiss scenes\n" in text


def test_actor_page_with_nothing_yet(cli: Callable[..., Run], db: Path) -> None:
    _ok(cli("add-actor", "Kim Lead"))
    result = cli("export", "markdown", "--date", DATE, "--template", "actor", "--actor", "Kim Lead")
    assert "Kim Lead has no dramas and no scenes in our catalogue." in result.stdout


def test_ordinals() -> None:
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th",
    ]  # fmt: skip


# The drama-by-drama article


def test_per_drama_intro_for_every_count() -> None:
    from scenecat.domain.articles.entries import ScopeWords
    from scenecat.domain.articles.wording import per_drama_intro

    words = ScopeWords(
        ["Kim Lead"], None, "Kim Lead kiss scene", "Kim Lead kiss scenes", who="Kim Lead",
        kind="kiss",
    )  # fmt: skip
    for total in range(1, 9):
        for groups in range(1, total + 1):
            for shown in range(1, groups + 1):
                for asked in (True, False):
                    text = per_drama_intro(
                        words, winner="Alpha", title="Kiss number 1", episode=1, shown=shown,
                        groups=groups, total=total, runners_up=groups < total, asked=asked,
                    )  # fmt: skip
                    for wrong in ("all 1 ", "all 2 ", "top 1,", " 1 dramas", "1 kiss scenes"):
                        assert wrong not in text, text
                    assert "?" not in text
                    assert text.startswith("Short answer: Alpha" if asked else "Alpha has")
                    assert ("runners-up" in text) == (1 < groups < total), text


def test_the_evidence_reads_right_for_one_two_and_many(cli: Callable[..., Run], db: Path) -> None:
    _catalogue(cli, [("Alpha", "none"), ("Beta", "none"), ("Gamma", "none")])
    alpha, beta, gamma = "alpha-e1-kiss-number-1", "beta-e2-kiss-number-2", "gamma-e3-kiss-number-3"
    _ok(cli("vote", alpha, "9"))
    _ok(cli("duel", alpha, beta))
    text = _article(cli, "--template", "best-per-drama", "--kind", "kiss")
    assert (
        "A single fan vote gave it 9/10, it won its only duel and nobody has counted its views "
        "yet. Until it has a view count, a baseline view count stands in." in text
    )
    assert (
        "No fan has voted on it yet, it lost its only duel and nobody has counted its views yet. "
        "Until it has votes and a view count, the average vote and a baseline view count stand "
        "in." in text
    )
    assert re.search(
        r"- \*\*Score:\*\* \d\.\d\d/10\. Nobody has voted on it, put it in a duel or counted its "
        r"views yet: until then, the averages stand in\.",
        text,
    )
    _ok(cli("duel", alpha, beta, "--voter", "friend"))
    _ok(cli("duel", gamma, alpha))
    _ok(cli("vote", alpha, "6", "--voter", "friend"))
    text = _article(cli, "--template", "best-per-drama", "--kind", "kiss")
    assert "Fans gave it 7.5/10 on average over 2 votes, it won 2 of its 3 duels" in text
    assert "it lost both its duels" in text


def test_the_description_line_fits_the_count(cli: Callable[..., Run], db: Path) -> None:
    _catalogue(cli, [("Alpha", "none")])
    one = "The one K-drama kiss scene in episode 1 in our catalogue, with its fan votes"
    assert f'description: "{one}' in _article(cli, "--kind", "kiss", "--episode", "1")
    _catalogue_more = _ok(cli("add-scene", "--drama", "Alpha", "--episode", "2", "--actor",
                              "Kim Lead", "--kind", "kiss", "--title", "Second"))  # fmt: skip
    assert _catalogue_more.exit_code == 0
    two = _article(cli, "--kind", "kiss", "--limit", "1")
    assert 'description: "The best of 2 K-drama kiss scenes, ranked by fan votes' in two
