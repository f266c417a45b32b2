"""`export markdown --template best-per-drama`: the debate's article ("Which Ji Chang Wook drama
has the best kiss scene?"). Each drama once, placed and scored as `rank --by drama` places and
scores it, its runners-up the next scenes of that drama in `rank`'s own order, the headline and
opening asking the filters' question (or following --title), the score's evidence in words
(a part without evidence named as such), spoilers, and a user's copy of the template.

Its snapshot on the sample, and CommonMark validity, are with the other templates' in
tests/test_articles.py (CASES "best-per-drama" and "best-per-drama-hide")."""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.test_articles import CASES, DATE, body, headings, links, meta

JCW_KISSES = ("--actor", "Ji Chang Wook", "--kind", "kiss")


def _ok(result: Run) -> Run:
    assert result.exit_code == 0, result.stderr
    return result


def article(cli: Callable[..., Run], *args: str) -> str:
    result = cli("export", "markdown", "--date", DATE, "--template", "best-per-drama", *args)
    return _ok(result).stdout


def sections(text: str) -> dict[str, str]:
    """Drama title -> its section's markdown, in the article's order."""
    found: dict[str, str] = {}
    for part in body(text).split("\n## ")[1:]:
        heading, _, rest = part.partition("\n")
        drama = re.sub(r" \([^()]*\)$", "", heading.split(". ", 1)[1])
        assert drama not in found, f"{drama} appears twice"
        found[drama] = rest
    return found


def ranked(cli: Callable[..., Run], *args: str) -> list[dict[str, object]]:
    data = json.loads(_ok(cli("rank", *args, "--limit", "10000", "--json")).stdout)["data"]
    assert isinstance(data, list)
    return data


def figure(score: object) -> str:
    assert isinstance(score, float)
    return f"{score:.2f}/10"  # two digits, as rank shows


def runners_up(section: str) -> list[str]:
    """The runner-up lines of a section ("- TITLE (episode N): score ...")."""
    if "**Also in " not in section:
        return []
    listing = section.split("**Also in ", 1)[1].split("\n\n", 2)[1]
    return [line.removeprefix("- ") for line in listing.splitlines()]


# The answer: every drama once, in the ranking's order, with the ranking's scores


def test_each_drama_once_placed_and_scored_as_rank_by_drama(sample_db: Path, cli) -> None:
    text = article(cli, *JCW_KISSES)
    found = sections(text)
    groups = ranked(cli, *JCW_KISSES, "--by", "drama")
    assert list(found) == [g["group"] for g in groups]
    assert len(found) == 7  # every drama of the sample with a Ji Chang Wook kiss
    for group in groups:
        section = found[str(group["group"])]
        assert f"**Best kiss scene:** {group['title']} (episode {group['episode']})" in section
        assert f"- **Score:** {figure(group['score'])}. " in section
    # The numbers behind the best scene, in words.
    healer = found["Healer"]
    assert (
        "Fans gave it 9.3/10 on average over 3 votes, it won 2 of its 3 duels and it has been "
        "seen 2,100,000 times (KBS official upload, as of 2022-03-01)."
    ) in healer
    assert (
        "- **Watch:** [Healer EP9 highlight](https://example.org/clips/healer-ep9-kiss)" in healer
    )
    # The clip is the official one; the blog post about the scene is to read.
    shower = found["Melting Me Softly"]
    assert "- **Watch:** [Melting Me Softly EP10: the shower kiss](" in shower
    assert "- **Read:** [This Ji Chang Wook kiss scene is going viral](" in shower
    assert "Rather than stop, the two step under a cold shower" in shower  # what happens


def test_runners_up_are_the_next_scenes_of_the_same_ranking(sample_db: Path, cli) -> None:
    for scope in (JCW_KISSES, ("--network", "tvN"), ()):
        found = sections(article(cli, *scope, "--spoilers", "show", "--limit", "20"))
        scenes = ranked(cli, *scope)
        for drama, section in found.items():
            mine = [s for s in scenes if s["drama"] == drama]
            expected = [
                f"{s['title']} (episode {s['episode']}): score {figure(s['score'])}"
                for s in mine[1:4]
            ]
            shown = [re.sub(r"\[([^]]*)\]\([^)]*\)", r"\1", line) for line in runners_up(section)]
            assert len(shown) == len(expected), drama
            for line, want in zip(shown, expected, strict=True):
                assert line.startswith(want), (line, want)
            left = len(mine) - 1 - len(expected)
            if left:
                many = "one" if left == 1 else f"{left:,}"
                assert f"\nAnd {many} more further down our ranking.\n" in section, drama
            else:
                assert "further down" not in section, drama


def test_limit_counts_dramas_and_the_opening_says_so(sample_db: Path, cli) -> None:
    text = article(cli, *JCW_KISSES, "--limit", "3")
    assert list(sections(text)) == ["Melting Me Softly", "Healer", "Suspicious Partner"]
    assert "from 7 dramas" in text
    assert "Here are the top 3, best first: each drama's best scene, and its runners-up" in text
    one = article(cli, *JCW_KISSES, "--limit", "1")
    assert "Here is the top one: its best scene and the runners-up." in one


# Headline and opening


@pytest.mark.parametrize(
    ("scope", "title"),
    [
        (JCW_KISSES, "Which Ji Chang Wook drama has the best kiss scene?"),
        (("--kind", "kiss"), "Which K-drama has the best kiss scene?"),
        ((), "Which K-drama has the best scene?"),
        (("--network", "tvN", "--kind", "kiss"), "Which tvN drama has the best kiss scene?"),
        (("--actor", "JCW", "--kind", "kiss", "--year", "2014..2020"),
         "Which Ji Chang Wook drama has the best kiss scene from 2014 to 2020?"),
        (("--drama", "Healer"), "Which scene in Healer is the best?"),
    ],
)  # fmt: skip
def test_the_headline_asks_the_filters_question(
    sample_db: Path, cli, scope: tuple[str, ...], title: str
) -> None:
    text = article(cli, *scope)
    assert meta(text)["title"] == title
    opening = body(text).split("\n", 1)[0]
    assert opening.startswith("Short answer: ")
    assert "?" not in opening


def test_the_opening_answers_first(sample_db: Path, cli) -> None:
    text = article(cli, *JCW_KISSES)
    assert body(text).startswith(
        'Short answer: Melting Me Softly, with "The shower kiss" (episode 10). We ranked all 9 '
        "Ji Chang Wook kiss scenes in our catalogue, from 7 dramas, by fan votes, head-to-head "
        "picks and view counts, and placed each drama by its best scene. Here are all 7, best "
        "first: each drama's best scene, and its runners-up where it has more than one.\n"
    )
    assert meta(text)["description"] == (
        "Melting Me Softly has the best Ji Chang Wook kiss scene: 7 dramas ranked by their best "
        "scene, "
        "from fan votes, head-to-head picks and view counts."
    )
    assert "Each drama is placed by its best scene" in text.rsplit("\n\n", 1)[1]  # how we ranked


def test_a_title_of_ones_own_gets_an_opening_that_fits(sample_db: Path, cli) -> None:
    text = article(cli, *JCW_KISSES, "--title", "JCW's kisses, drama by drama")
    assert meta(text)["title"] == "JCW's kisses, drama by drama"
    opening = body(text).split("\n", 1)[0]
    assert opening.startswith(
        'Melting Me Softly has the best Ji Chang Wook kiss scene: "The shower kiss" (episode 10). '
    )
    assert "Short answer" not in opening and "?" not in opening
    plain = article(cli, *JCW_KISSES, "--title", "JCW's kisses", "--no-front-matter")
    assert plain.startswith("# JCW's kisses\n\nMelting Me Softly has the best")


# Spoilers


def test_hide_leaves_out_every_spoiler_scene(sample_db: Path, cli) -> None:
    shown = article(cli, *JCW_KISSES, "--spoilers", "show")
    hidden = article(cli, *JCW_KISSES, "--spoilers", "hide")
    # Every Ji Chang Wook kiss in the sample is a spoiler of some level.
    for secret in ("The kiss in the snow", "cold shower", "Park Min Young", "She knows"):
        assert secret in shown
        assert secret not in hidden
    assert links(hidden) == []
    assert list(sections(hidden)) == list(sections(shown))  # the answer is no spoiler
    assert "**Best kiss scene:** in episode 9\n" in sections(hidden)["Healer"]
    assert "- Episode 15, details hidden: score " in sections(hidden)["Healer"]
    assert body(hidden).startswith("Short answer: Melting Me Softly. We ranked")
    assert "Spoiler warning" not in shown + hidden


def test_warn_puts_one_warning_before_the_first_spoiler(sample_db: Path, cli) -> None:
    # The K2's best scene is no spoiler, its runner-up is: the warning goes just before the
    # runners-up, after the safe scene.
    text = article(cli, "--drama", "The K2")
    assert text.count("Spoiler warning") == 1
    section = sections(text)["The K2"]
    assert "A stranger in the subway" in section.split("> **Spoiler warning:**")[0]
    assert section.index("**Best scene:**") < section.index("> **Spoiler warning:**")
    assert section.index("> **Spoiler warning:**") < section.index("**Also in ")
    # When the very first best scene is a spoiler, the warning comes before it.
    first = next(iter(sections(article(cli, *JCW_KISSES)).values()))
    assert first.index("> **Spoiler warning:**") < first.index("**Best kiss scene:**")


def test_watched_hides_later_episodes_only(sample_db: Path, cli) -> None:
    text = article(cli, *JCW_KISSES, "--watched", "Healer:9")
    healer = sections(text)["Healer"]
    assert "The kiss in the snow" in healer  # episode 9: seen
    assert "She knows, and stays" not in healer  # episode 15: not yet
    assert "- Episode 15, details hidden: score " in healer
    assert "The shower kiss" in text  # another drama: warned, not hidden


# What a score rests on


def _catalogue(cli: Callable[..., Run], tmp_path: Path, yaml_text: str) -> None:
    path = tmp_path / "catalogue.yaml"
    path.write_text(textwrap.dedent(yaml_text), encoding="utf-8")
    _ok(cli("import", str(path)))


def test_a_score_without_votes_says_so(cli: Callable[..., Run], db: Path, tmp_path: Path) -> None:
    _catalogue(
        cli,
        tmp_path,
        """\
        format: scenecat/1
        actors: [{name: Kim Lead}]
        dramas:
          - {title: Alpha, cast: ["Kim Lead:Hero"]}
          - {title: Beta, cast: ["Kim Lead:Hero"]}
        scenes:
          - {key: alpha-viral, drama: Alpha, episode: 1, kind: kiss, title: Viral, actors: [Kim Lead],
             views: [{count: 5000000, on: 2024-01-01, source: official upload}]}
          - {key: beta-loved, drama: Beta, episode: 2, kind: kiss, title: Loved, actors: [Kim Lead]}
        votes:
          - {scene: beta-loved, score: 8}
          - {scene: beta-loved, score: 6, voter: friend}
        """,
    )
    text = article(cli, "--kind", "kiss")
    alpha = sections(text)["Alpha"]
    assert (
        "No fan has voted on it yet, it has not been in a duel yet and it has been seen "
        "5,000,000 times (official upload, as of 2024-01-01). Until it has votes and duels, "
        "the average vote and an average duel record stand in."
    ) in alpha
    assert "from the view count" not in text.replace("from the view count;", "")
    beta = sections(text)["Beta"]
    assert "Fans gave it 7.0/10 on average over 2 votes" in beta
    assert "nobody has counted its views yet" in beta


# A ranking read further down


def test_runners_up_far_down_the_ranking(
    cli: Callable[..., Run], db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Alpha's best scene is first and its second one last of 150: the article reads the
    ranking down to it (it starts with the top few dozen); past the part of a very broad
    scope's ranking it reads, the drama is ranked on its own."""
    scenes = [
        "  - {key: alpha-top, drama: Alpha, episode: 1, kind: kiss, title: Top, actors: [Kim Lead]}",
        "  - {key: alpha-low, drama: Alpha, episode: 2, kind: kiss, title: Low, actors: [Kim Lead]}",
    ]
    votes = ["  - {scene: alpha-top, score: 10}", "  - {scene: alpha-low, score: 1}"]
    for n in range(148):
        scenes.append(
            f"  - {{key: beta-{n}, drama: Beta, episode: 1, kind: kiss, title: Beta {n}, "
            "actors: [Kim Lead]}"
        )
        votes.append(f"  - {{scene: beta-{n}, score: {5 + n % 4}}}")
    _catalogue(
        cli,
        tmp_path,
        "format: scenecat/1\nactors: [{name: Kim Lead}]\n"
        'dramas:\n  - {title: Alpha, cast: ["Kim Lead:Hero"]}\n'
        '  - {title: Beta, cast: ["Kim Lead:Hero"]}\n'
        "scenes:\n" + "\n".join(scenes) + "\nvotes:\n" + "\n".join(votes) + "\n",
    )
    assert ranked(cli, "--kind", "kiss")[-1]["key"] == "alpha-low"
    found = sections(article(cli, "--kind", "kiss"))
    assert list(found) == ["Alpha", "Beta"]
    assert [line.split(":", 1)[0] for line in runners_up(found["Alpha"])] == ["Low (episode 2)"]
    assert len(runners_up(found["Beta"])) == 3
    assert "And 144 more further down our ranking." in found["Beta"]

    from scenecat.domain.articles import builders

    monkeypatch.setattr(builders, "_PREFIX_FIRST", 16)
    monkeypatch.setattr(builders, "_PREFIX_MOST", 64)
    alone = sections(article(cli, "--kind", "kiss"))
    assert [line.split(":", 1)[0] for line in runners_up(alone["Alpha"])] == ["Low (episode 2)"]
    low = ranked(cli, "--kind", "kiss", "--drama", "Alpha")[-1]
    assert f": score {figure(low['score'])}" in runners_up(alone["Alpha"])[0]
    assert alone["Beta"] == found["Beta"]  # found within the part read


# Your own copy


def test_a_copy_of_the_template_is_used_as_is(sample_db: Path, cli, tmp_path: Path) -> None:
    from scenecat.domain.articles.render import builtin_dir

    mine = tmp_path / "my-dramas.md.j2"
    shutil.copyfile(builtin_dir() / "best-per-drama.md.j2", mine)
    original = article(cli, *JCW_KISSES)
    assert article(cli, *JCW_KISSES, "--template", str(mine)) == original
    mine.write_text(
        mine.read_text(encoding="utf-8").replace("**Watch:**", "**Clip:**"), encoding="utf-8"
    )
    changed = article(cli, *JCW_KISSES, "--template", str(mine))
    assert "- **Clip:** [Healer EP9 highlight](" in changed
    assert "**Watch:**" not in changed
    # The CLI counts what it listed: 7 best scenes and 2 runners-up.
    out = tmp_path / "article.md"
    result = _ok(cli("export", "markdown", "--template", str(mine), *JCW_KISSES, "-o", str(out)))
    assert "(9 scene(s))" in result.stderr


def test_a_template_extending_it_changes_one_block(sample_db: Path, cli, tmp_path: Path) -> None:
    mine = tmp_path / "mine.md.j2"
    mine.write_text(
        '{% extends "best-per-drama.md.j2" %}\n'
        "{% block runners_up %}\n"
        "{% for r in d.runners_up %}\nRunner-up: {{ r.title }}.\n{% endfor %}\n"
        "{% endblock %}\n",
        encoding="utf-8",
    )
    text = article(cli, *JCW_KISSES, "--spoilers", "show", "--template", str(mine))
    assert "Runner-up: She knows, and stays." in text
    assert "**Also in " not in text
    assert len(headings(text, "h2")) == 7


# Nothing to rank


def test_no_scenes_is_one_clear_line(sample_db: Path, cli) -> None:
    result = cli("export", "markdown", "--template", "best-per-drama", "--actor", "Gong Yoo",
                 "--kind", "kiss", "--year", "1990")  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no Gong Yoo kiss scenes from 1990 in the catalogue\n")
    assert result.stdout == ""


def test_its_snapshot_case_is_the_debates_command() -> None:
    assert CASES["best-per-drama"] == ["--template", "best-per-drama", *JCW_KISSES]
