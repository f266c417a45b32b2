"""`export markdown`: snapshots of every template, CommonMark validity, one heading (the front
matter's title, or `# title` in plain markdown), spoilers, escaping, user templates and broken
ones, and writing files safely.

Snapshots: when an article changes on purpose (a score, a sentence), regenerate them with
    SCENECAT_UPDATE_SNAPSHOTS=1 python -m pytest -q tests/test_articles.py -k snapshot
and review `git diff tests/snapshots`."""

from __future__ import annotations

import os
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
DATE = "2024-05-01"
UPDATE = os.environ.get("SCENECAT_UPDATE_SNAPSHOTS") == "1"

# Every built-in template on the sample catalogue, with the arguments of its snapshot.
CASES = {
    "listicle": ["--actor", "Ji Chang Wook", "--kind", "kiss"],
    "listicle-hide": ["--actor", "ji chang-wook", "--kind", "kiss", "--spoilers", "hide"],
    "listicle-show": ["--kind", "kiss", "--limit", "5", "--spoilers", "show"],
    "listicle-watched": [
        "--actor", "Ji Chang Wook", "--watched", "Melting Me Softly:7", "--limit", "6",
    ],
    "spotlight": [
        "--template", "spotlight", "--scene", "melting-me-softly-e10-shower-kiss",
        "--actor", "Ji Chang Wook", "--kind", "kiss",
    ],
    "spotlight-hide": [
        "--template", "spotlight", "--scene", "melting-me-softly-e10-shower-kiss",
        "--spoilers", "hide",
    ],
    "drama": ["--template", "drama", "--drama", "Melting Me Softly"],
    "drama-watched": [
        "--template", "drama", "--drama", "날 녹여주오", "--watched", "Melting Me Softly:10",
    ],
    "actor": ["--template", "actor", "--actor", "Ji Chang Wook"],
    # The debate's article: "Which Ji Chang Wook drama has the best kiss scene?"
    "best-per-drama": ["--template", "best-per-drama", "--actor", "Ji Chang Wook", "--kind", "kiss"],
    "best-per-drama-hide": [
        "--template", "best-per-drama", "--network", "tvN", "--spoilers", "hide",
        "--watched", "Melting Me Softly:10",
    ],
}  # fmt: skip


def export(cli, *args: str) -> str:
    result = cli("export", "markdown", "--date", DATE, *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def body(text: str) -> str:
    """The markdown after the front matter (what Hugo and Jekyll render)."""
    if text.startswith("---\n"):
        return text.split("\n---\n", 1)[1].lstrip("\n")
    return text


def meta(text: str) -> dict[str, object]:
    """The front matter, read as YAML."""
    import yaml

    assert text.startswith("---\n")
    found = yaml.safe_load(text.split("\n---\n", 1)[0].removeprefix("---\n"))
    assert isinstance(found, dict)
    return found


def tokens(text: str) -> list[Token]:
    flat: list[Token] = []
    for token in MarkdownIt("commonmark").parse(body(text)):
        flat.append(token)
        flat.extend(token.children or [])
    return flat


def headings(text: str, level: str) -> list[str]:
    found = MarkdownIt("commonmark").parse(body(text))
    return [
        found[i + 1].content
        for i, t in enumerate(found)
        if t.type == "heading_open" and t.tag == level
    ]


def rendered_heading_text(text: str, level: str) -> list[str]:
    """Heading text as a reader sees it (escapes resolved), from the inline children."""
    found = MarkdownIt("commonmark").parse(body(text))
    out = []
    for i, t in enumerate(found):
        if t.type == "heading_open" and t.tag == level:
            out.append("".join(c.content for c in found[i + 1].children or []))
    return out


def links(text: str) -> list[str]:
    return [str(t.attrs["href"]) for t in tokens(text) if t.type == "link_open"]


# Snapshots


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
def test_snapshot(sample_db: Path, cli, case: str) -> None:
    text = export(cli, *CASES[case])
    snapshot = SNAPSHOTS / f"{case}.md"
    if UPDATE:
        SNAPSHOTS.mkdir(exist_ok=True)
        snapshot.write_text(text, encoding="utf-8")
    again = "SCENECAT_UPDATE_SNAPSHOTS=1 python -m pytest -q tests/test_articles.py -k snapshot"
    assert snapshot.exists(), f"no snapshot {snapshot.name}: run {again}"
    assert text == snapshot.read_text(encoding="utf-8"), (
        f"{case} differs from {snapshot}; if the change is intended, regenerate with "
        f"`{again}` and review the diff"
    )


def test_output_is_deterministic_and_dated_only_in_front_matter(sample_db: Path, cli) -> None:
    first = export(cli, *CASES["listicle"])
    assert export(cli, *CASES["listicle"]) == first
    other = cli("export", "markdown", "--date", "2031-12-24", *CASES["listicle"])
    assert other.stdout != first
    assert body(other.stdout) == body(first)
    assert "date: 2031-12-24\n" in other.stdout
    assert "2031" not in body(other.stdout)


# CommonMark


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
def test_every_export_is_commonmark_with_one_title(sample_db: Path, cli, case: str) -> None:
    text = export(cli, *CASES[case])
    kinds = {t.type for t in tokens(text)}
    assert not kinds & {"html_inline", "html_block"}, f"stray HTML in {case}"
    assert kinds & {"bullet_list_open"}, "facts are listed"
    # Published (Hugo, Jekyll): the theme prints the front matter's title; the body has no
    # heading of its own, or the page would show its title twice.
    title = meta(text)["title"]
    assert headings(text, "h1") == []
    assert meta(text)["description"]
    # Plain markdown: no front matter, the title as the one `# heading` on top, the rest the
    # same.
    bare = export(cli, *CASES[case], "--no-front-matter")
    assert not bare.startswith("---")
    assert rendered_heading_text(bare, "h1") == [title]
    assert bare == bare.split("\n", 1)[0] + "\n\n" + body(text)


EXPECTED = {
    "spotlight": (
        "Melting Me Softly: The shower kiss",
        ["What happens", "The reaction in numbers", "More from Ji Chang Wook", "Sources"],
        "https://example.org/clips/melting-me-softly-ep10-shower-kiss",
    ),
    "spotlight-hide": (
        "A scene in episode 10 of Melting Me Softly",  # its kind would give it away
        ["The reaction in numbers", "More from Melting Me Softly"],
        None,
    ),
    "drama": (
        "Melting Me Softly",
        ["Cast", "Episodes", "Notable scenes"],
        "https://example.org/clips/melting-me-softly-ep7-kiss",
    ),
    "actor": (
        "Ji Chang Wook",
        ["Filmography", "Best scenes"],
        "https://example.org/clips/healer-ep9-kiss",
    ),
}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_page_templates_have_their_sections_and_links(sample_db: Path, cli, case: str) -> None:
    title, sections, a_link = EXPECTED[case]
    text = export(cli, *CASES[case])
    assert meta(text)["title"] == title
    assert headings(text, "h2") == sections
    if a_link:
        assert a_link in links(text)
    else:
        assert links(text) == []


def test_front_matter_is_yaml_hugo_and_jekyll_read(sample_db: Path, cli) -> None:
    text = export(cli, *CASES["listicle"])
    found = meta(text)
    assert list(found) == ["title", "date", "description", "tags", "slug"]
    assert found["title"] == "Top 9 Ji Chang Wook kiss scenes"
    assert str(found["date"]) == DATE
    assert found["description"] == (
        "All 9 Ji Chang Wook kiss scenes in our catalogue, ranked by fan votes, head-to-head "
        "picks and view counts."
    )
    assert found["slug"] == "top-9-ji-chang-wook-kiss-scenes"
    tags = found["tags"]
    assert isinstance(tags, list)
    assert {"Ji Chang Wook", "kiss", "Melting Me Softly", "Healer"} <= set(tags)
    # Jekyll's excerpt and Hugo's summary default to the first paragraph: the opening, not a
    # heading.
    assert body(text).startswith("Which Ji Chang Wook kiss scene is the best? We ranked")


def test_listicle_headings_and_links(sample_db: Path, cli) -> None:
    text = export(cli, *CASES["listicle"], "--spoilers", "show")
    assert meta(text)["title"] == "Top 9 Ji Chang Wook kiss scenes"
    entries = headings(text, "h2")
    assert len(entries) == 9
    assert [h.split(". ", 1)[0] for h in entries] == [str(n) for n in range(1, 10)]
    assert "The shower kiss (Melting Me Softly)" in {h.split(". ", 1)[1] for h in entries}
    assert "https://example.org/clips/melting-me-softly-ep10-shower-kiss" in links(text)
    assert "https://example.org/blog/ji-chang-wook-kiss-scene-going-viral" in links(text)
    shower = text.split("The shower kiss (Melting Me Softly)", 1)[1].split("\n## ", 1)[0]
    for fact in (
        "Melting Me Softly (tvN, 2019), episode 10",
        "Ji Chang Wook as Ma Dong Chan and Won Jin Ah as Go Mi Ran",
        "1,850,000 on tvN official upload (seen 2020-08-15)",
        "/10, combining 4 fan votes, 5 duels and the view count",
        "cold shower",
    ):
        assert fact in shower
    assert "How we ranked:" in text.rsplit("\n## ", 1)[1]


def test_limit_and_title(sample_db: Path, cli) -> None:
    args = ("--kind", "kiss", "--limit", "3", "--title", "My *three* favourites")
    text = export(cli, *args)
    assert len(headings(text, "h2")) == 3
    assert 'title: "My *three* favourites"' in text
    assert rendered_heading_text(export(cli, *args, "--no-front-matter"), "h1") == [
        "My *three* favourites"
    ]
    # The opening follows the headline given: it asks no question of its own.
    assert body(text).startswith("We ranked 14 K-drama kiss scenes by fan votes")
    assert "?" not in body(text).split("\n", 1)[0]


# Spoilers


def _sections(text: str) -> list[str]:
    return body(text).split("\n## ")[1:]


def test_warn_puts_one_warning_before_the_first_spoiler(sample_db: Path, cli) -> None:
    text = export(cli, "--drama", "The K2")
    assert text.count("Spoiler warning") == 1
    assert len([t for t in tokens(text) if t.type == "blockquote_open"]) == 1
    sections = _sections(text)
    first_spoiler = next(i for i, s in enumerate(sections) if "**Spoiler level:**" in s)
    assert first_spoiler > 0  # The K2's best scene in the sample is not a spoiler
    heading = [text.index("\n## " + s.split("\n", 1)[0]) for s in sections]
    warning = text.index("Spoiler warning")
    # After every scene that is safe, just before the first one that is not.
    assert heading[first_spoiler - 1] < warning < heading[first_spoiler]
    assert "> **Spoiler warning:** Major spoilers ahead for The K2." in text


def test_warning_says_when_endings_are_spoiled(sample_db: Path, cli) -> None:
    text = export(cli, "--drama", "Crash Landing on You")
    assert "Major spoilers ahead for Crash Landing on You, the ending included." in text
    minor = export(cli, "--drama", "Crash Landing on You", "--episode", "3")
    assert "Minor spoilers ahead for Crash Landing on You." in minor


def test_warn_without_spoilers_prints_no_warning(sample_db: Path, cli) -> None:
    text = export(cli, "--drama", "Melting Me Softly", "--episode", "1")
    assert "Spoiler warning" not in text
    assert "The frozen-human pitch" in text


def test_hide_keeps_drama_and_episode_but_not_details(sample_db: Path, cli) -> None:
    shown = export(cli, *CASES["listicle"], "--spoilers", "show")
    hidden = export(cli, *CASES["listicle"], "--spoilers", "hide")
    assert "Spoiler warning" not in shown + hidden
    # Every Ji Chang Wook kiss in the sample is a spoiler: nothing of them is left.
    for secret in (
        "The shower kiss",
        "cold shower",
        "Won Jin Ah",
        "example.org/clips/melting-me-softly-ep10-shower-kiss",
    ):
        assert secret in shown
        assert secret not in hidden
    assert "Melting Me Softly, episode 10 (details hidden)" in hidden
    assert "Melting Me Softly (tvN, 2019), episode 10" in hidden
    assert "Details hidden to keep this spoiler-free (major spoiler)." in hidden
    assert len(headings(hidden, "h2")) == len(headings(shown, "h2")) == 9
    assert links(hidden) == []


def test_hide_shows_scenes_that_are_not_spoilers(sample_db: Path, cli) -> None:
    text = export(cli, "--drama", "Melting Me Softly", "--spoilers", "hide", "--limit", "7")
    assert "The frozen-human pitch" in text  # spoiler: none
    assert "The I-think-I'm-dying kiss" not in text  # minor
    assert "The shower kiss" not in text  # major


def test_watched_hides_everything_after_the_readers_episode(sample_db: Path, cli) -> None:
    text = export(
        cli, "--drama", "Melting Me Softly", "--limit", "7", "--watched", "melting me softly:10"
    )
    # Episodes 1-10 are not spoilers for this reader any more, so no warning either.
    for seen in ("The frozen-human pitch", "The I-think-I'm-dying kiss", "The shower kiss"):
        assert seen in text
    for later in ("Melting Me Softly, episode 14", "episode 15", "episode 16"):
        assert later in text
    assert "I love you" not in text.lower().replace("i-love-you", "")
    assert text.count("this happens after episode 10 of Melting Me Softly") == 3
    assert "Spoiler warning" not in text
    assert "Safe for readers up to episode 10 of Melting Me Softly" in text


def test_watched_applies_even_with_show(sample_db: Path, cli) -> None:
    text = export(
        cli,
        "--drama",
        "Melting Me Softly",
        "--spoilers",
        "show",
        "--watched",
        "Melting Me Softly:0",
    )
    assert "The frozen-human pitch" not in text
    assert "this happens after the start of Melting Me Softly" in text


def test_watched_only_touches_its_drama(sample_db: Path, cli) -> None:
    text = export(cli, *CASES["listicle"], "--watched", "Melting Me Softly:7")
    assert "The kiss in the snow" in text  # Healer: warned, not hidden
    assert "Spoiler warning" in text
    assert "The I-think-I'm-dying kiss" in text  # episode 7, seen
    assert "The shower kiss" not in text  # episode 10, not yet


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Melting Me Softly", "is not DRAMA:EPISODE"),
        ("Melting Me Softly:x", "is not DRAMA:EPISODE"),
        (":3", "is not DRAMA:EPISODE"),
        ("Melting Me Softy:3", "did you mean"),
    ],
)
def test_bad_watched(sample_db: Path, cli, value: str, message: str) -> None:
    result = cli("export", "markdown", "--watched", value)
    assert result.exit_code == (1 if message == "did you mean" else 2)
    assert message in result.stderr
    assert result.stdout == ""


def test_spotlight_hide_names_no_actor(sample_db: Path, cli) -> None:
    text = export(cli, *CASES["spotlight-hide"])
    for secret in ("Ji Chang Wook", "Won Jin Ah", "shower", "Ma Dong Chan"):
        assert secret not in text
    assert "episode 10 of Melting Me Softly" in text


def test_spotlight_defaults_to_the_best_scene_in_scope(sample_db: Path, cli) -> None:
    text = export(cli, "--template", "spotlight", "--actor", "Ji Chang Wook", "--kind", "kiss")
    ranked = cli("rank", "--actor", "Ji Chang Wook", "--kind", "kiss", "--limit", "1", "--json")
    if ranked.exit_code == 0:
        import json

        best = json.loads(ranked.stdout)["data"][0]["title"]
        assert best in str(meta(text)["title"])
    assert "Rank: 1st of 9 Ji Chang Wook kiss scenes" in text
    assert text.rstrip().endswith("Tell us your favourite in the comments.**")


# Escaping

NASTY = "*Bold* _it_ | a | b | <script>alert(1)</script> [link](http://x.test) `code` &amp;"
NASTY_YAML = textwrap.dedent(
    """\
    format: scenecat/1
    actors:
      - name: "Kim <b>Star</b>"
      - name: "Lee_Under_Score"
    dramas:
      - title: "# Hash | Drama"
        network: "[tvN](http://evil.test)"
        year: 2020
        cast:
          - {actor: "Kim <b>Star</b>", character: "`Agent` *K*"}
          - {actor: "Lee_Under_Score", character: "> Quote"}
    scenes:
      - key: nasty-scene
        drama: "# Hash | Drama"
        episode: 3
        kind: kiss
        title: 'TITLE_PLACEHOLDER'
        actors: ["Kim <b>Star</b>", "Lee_Under_Score"]
        description: |-
          - not a list
          1. not numbered
          > not a quote

          {{ liquid }} {% raw %} $x$ ~~strike~~ \\ back
        views:
          - {count: 5000, on: 2020-01-01, source: "<i>upload</i>"}
        sources:
          - {url: "https://example.org/a_(b)<c>", title: "Clip ](http://evil.test) [x", publisher: "*P*"}
    votes:
      - {scene: nasty-scene, score: 8}
    """
).replace("TITLE_PLACEHOLDER", NASTY.replace("'", "''"))


@pytest.fixture
def nasty_db(db: Path, cli, tmp_path: Path) -> Path:
    path = tmp_path / "nasty.yaml"
    path.write_text(NASTY_YAML, encoding="utf-8")
    result = cli("import", str(path))
    assert result.exit_code == 0, result.stderr
    return db


@pytest.mark.slow
@pytest.mark.parametrize("template", ["listicle", "best-per-drama", "spotlight", "drama", "actor"])
@pytest.mark.parametrize("plain", [False, True], ids=["published", "plain"])
def test_user_text_prints_as_typed(nasty_db: Path, cli, template: str, plain: bool) -> None:
    args = {
        "listicle": [],
        "best-per-drama": [],
        "spotlight": ["--scene", "nasty-scene"],
        "drama": ["--drama", "# Hash | Drama"],
        "actor": ["--actor", "Kim <b>Star</b>"],
    }[template]
    more = ["--no-front-matter"] if plain else []
    text = export(cli, "--template", template, "--spoilers", "show", *args, *more)
    found = tokens(text)
    kinds = {t.type for t in found}
    assert not kinds & {"html_inline", "html_block", "code_inline", "code_block", "fence"}
    assert not kinds & {"em_open", "strong_open"} - _allowed_emphasis(text)
    assert links(text) in ([], ["https://example.org/a_%28b%29%3Cc%3E"])
    shown = "".join(t.content for t in found if t.type == "text")
    assert "Kim <b>Star</b>" in shown
    assert "Lee_Under_Score" in shown
    if template != "actor":
        assert "# Hash | Drama" in shown
        assert "[tvN](http://evil.test)" in shown
    if template == "spotlight" and not plain:
        # The scene's title is the page's: in the front matter, which the theme prints.
        assert NASTY in str(meta(text)["title"])
    elif template in ("listicle", "spotlight", "best-per-drama"):
        assert NASTY in shown
    if template in ("listicle", "spotlight", "best-per-drama"):
        assert "- not a list" in shown
        assert "{{ liquid }} {% raw %} $x$ ~~strike~~ \\ back" in shown
        assert "Kim <b>Star</b> as `Agent` *K*" in shown


def _allowed_emphasis(text: str) -> set[str]:
    # The templates' own bold labels and italic methodology are the only emphasis; they come
    # from the template, so check that every emphasised run is one of those.
    found = MarkdownIt("commonmark").parse(body(text))
    for token in found:
        children = token.children or []
        for i, child in enumerate(children):
            if child.type in ("strong_open", "em_open"):
                inner = children[i + 1].content
                assert (
                    inner.endswith(":")
                    or inner.startswith("How we ranked:")
                    or inner.startswith("Is this")
                ), f"user text became emphasis: {inner!r}"
    return {"em_open", "strong_open"}


def test_nasty_title_heading_reads_as_typed(nasty_db: Path, cli) -> None:
    text = export(cli, "--spoilers", "show")
    assert rendered_heading_text(text, "h2") == [f"1. {NASTY} (# Hash | Drama)"]
    dramas = export(cli, "--template", "best-per-drama", "--spoilers", "show")
    assert rendered_heading_text(dramas, "h2") == [
        "1. # Hash | Drama ([tvN](http://evil.test), 2020)"
    ]


@pytest.mark.slow
def test_escape_round_trips_through_commonmark() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from scenecat.domain.mdescape import escape

    parser = MarkdownIt("commonmark")

    @settings(max_examples=400, deadline=None)
    @given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60))
    def check(value: str) -> None:
        # Whitespace runs fold into one space and control characters go; nothing else changes.
        typed = " ".join(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", "", value).split())
        escaped = escape(value)
        found = parser.parse(str(escaped))
        if not typed:
            assert found == []
            return
        assert [t.type for t in found] == ["paragraph_open", "inline", "paragraph_close"], (
            value,
            escaped,
        )
        children = found[1].children or []
        assert {c.type for c in children} <= {"text"}, (value, escaped, children)
        # CommonMark replaces NUL with U+FFFD; everything else prints as typed.
        assert "".join(c.content for c in children) == typed, (value, escaped)

    check()


# User templates


def _builtin(name: str) -> Path:
    from scenecat.domain.articles.render import builtin_dir

    return builtin_dir() / f"{name}.md.j2"


def test_copied_template_works_and_changes_show(sample_db: Path, cli, tmp_path: Path) -> None:
    mine = tmp_path / "listicle.md.j2"  # same name as the built-in, as a copy would have
    shutil.copyfile(_builtin("listicle"), mine)
    original = export(cli, *CASES["listicle"])
    assert export(cli, *CASES["listicle"], "--template", str(mine)) == original
    mine.write_text(
        mine.read_text(encoding="utf-8").replace("**Views:**", "**Seen by:**"), encoding="utf-8"
    )
    changed = export(cli, *CASES["listicle"], "--template", str(mine))
    assert "**Seen by:** 1,850,000" in changed
    assert "**Views:**" not in changed


def test_user_template_can_extend_a_builtin(sample_db: Path, cli, tmp_path: Path) -> None:
    mine = tmp_path / "mine.md.j2"
    mine.write_text(
        '{% extends "listicle.md.j2" %}\n'
        "{% block intro %}\nMy own intro about {{ article.scope }}.\n{% endblock %}\n",
        encoding="utf-8",
    )
    text = export(cli, *CASES["listicle"], "--template", str(mine))
    assert "My own intro about Ji Chang Wook kiss scenes." in text
    assert "Which Ji Chang Wook kiss scene is the best?" not in text
    assert len(headings(text, "h2")) == 9


def test_user_template_escapes_and_has_filters(nasty_db: Path, cli, tmp_path: Path) -> None:
    mine = tmp_path / "mine.md.j2"
    mine.write_text(
        "# {{ article.title }}\n\n"
        "{% for e in entries %}\n"
        "- {{ e.title }} / {{ e.title | md }} / {{ e.views | thousands }} / "
        "{{ e.score | score(2) }} / {{ e.votes | plural('vote') }} / {{ '*raw*' | raw }}\n"
        "{% endfor %}\n",
        encoding="utf-8",
    )
    text = export(cli, "--template", str(mine), "--spoilers", "show")
    shown = "".join(t.content for t in tokens(text) if t.type == "text")
    assert f"{NASTY} / {NASTY} / 5,000 / " in shown
    assert "/ 1 vote / " in shown
    assert [t.type for t in tokens(text)].count("em_open") == 1  # only the raw one


def test_user_template_gets_drama_and_actor_parts(sample_db: Path, cli, tmp_path: Path) -> None:
    mine = tmp_path / "mine.md.j2"
    mine.write_text(
        "# {{ drama.title }}\n\n{{ actor.name }}: {{ entries | length }} scenes\n",
        encoding="utf-8",
    )
    text = export(cli, "--template", str(mine), "--drama", "Healer", "--actor", "Ji Chang Wook")
    assert "# Healer" in text
    assert "Ji Chang Wook: 4 scenes" in text


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ("# {{ article.title }}\n\n{% for e in entries %}\n{{ e.title }\n", 4, "line 4"),
        ("# ok\n\n{% if x %}\nnever closed\n", 4, "line 4"),
        ("# ok\n\n{{ article.no_such_thing }}\n", 3, "no_such_thing"),
        ("# ok\n{{ nope }}\n", 2, "'nope' is undefined"),
        ("# ok\n\n\n{{ ''.__class__.__mro__ }}\n", 4, "unsafe"),
        ("# ok\n{{ entries[0].views / 0 }}\n", 2, "division by zero"),
        ('{% include "missing.md.j2" %}\n', 1, "missing.md.j2"),
    ],
)
def test_broken_template_gives_one_line_naming_the_line(
    sample_db: Path, cli, tmp_path: Path, source: str, line: int, message: str
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    broken = folder / "broken.md.j2"
    broken.write_text(source, encoding="utf-8")
    out = folder / "article.md"
    out.write_text("an earlier article\n", encoding="utf-8")
    result = cli("export", "markdown", "--template", str(broken), "-o", str(out))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("Error: template ")
    assert str(broken) in lines[0] or "missing.md.j2" in lines[0]
    assert message in lines[0]
    if "include" not in source:
        assert f"line {line}" in lines[0]
    assert "Traceback" not in result.stderr
    assert len(lines) <= 2  # the error and at most a hint
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8") == "an earlier article\n"
    assert sorted(p.name for p in folder.iterdir()) == ["article.md", "broken.md.j2"]


def test_unknown_template(sample_db: Path, cli) -> None:
    result = cli("export", "markdown", "--template", "listicel")
    assert result.exit_code == 1
    assert "no template 'listicel'" in result.stderr
    assert "listicle, best-per-drama, spotlight, drama, actor" in result.stderr


def test_template_that_is_not_utf8(sample_db: Path, cli, tmp_path: Path) -> None:
    path = tmp_path / "latin1.md.j2"
    path.write_bytes("# café {{ article.title }}\n".encode("latin-1"))
    result = cli("export", "markdown", "--template", str(path))
    assert result.exit_code == 1
    assert "is not UTF-8 text" in result.stderr


# Other bad input and files


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--template", "drama"], "needs --drama"),
        (["--template", "actor"], "exactly one --actor"),
        (["--template", "actor", "--actor", "Hyun Bin", "--actor", "Son Ye Jin"], "exactly one"),
        (["--scene", "melting-me-softly-e10-shower-kiss"], "--scene is for the spotlight"),
        (["--template", "best-per-drama", "--scene", "x"], "--scene is for the spotlight"),
        (["--template", "best-per-drama", "--kind", "no-such-kind"], "no K-drama no such kind"),
        (["--spoilers", "maybe"], "--spoilers 'maybe' is not one of hide, warn, show"),
        (["--date", "01/05/2024"], "is not a date"),
        (["--date", "2024-02-30"], "is not a date"),
        (["--limit", "0"], "--limit must be between"),
        (["--method", "vibes"], "--method 'vibes'"),
        (["--kind", "no-such-kind"], "no K-drama no such kind scenes"),
        (["--actor", "Nobody Atall"], "Nobody Atall"),
        (["--template", "spotlight", "--scene", "no-such-scene"], "no-such-scene"),
    ],
)
def test_bad_arguments_change_nothing(sample_db: Path, cli, args: list[str], message: str) -> None:
    from tests.conftest import dump

    before = dump(sample_db)
    result = cli("export", "markdown", *args)
    # Names the catalogue lacks are exit 1; wrong values and combinations are usage errors.
    catalogue_error = any(name in message for name in ("Nobody", "no-such", "no such"))
    assert result.exit_code == (1 if catalogue_error else 2), result.stdout
    assert result.stderr.startswith("Error: ")
    assert message in result.stderr
    assert result.stdout == ""
    assert dump(sample_db) == before


def test_output_file(sample_db: Path, cli, tmp_path: Path) -> None:
    out = tmp_path / "top.md"
    result = cli("export", "markdown", *CASES["listicle"], "--date", DATE, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "Wrote 'Top 9 Ji Chang Wook kiss scenes' (9 scenes)" in result.stderr
    assert out.read_text(encoding="utf-8") == export(cli, *CASES["listicle"])
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_output_into_missing_folder(sample_db: Path, cli, tmp_path: Path) -> None:
    result = cli("export", "markdown", "-o", str(tmp_path / "no" / "such" / "a.md"))
    assert result.exit_code == 1
    assert re.match(r"Error: cannot write .*a\.md", result.stderr)


def test_output_file_gets_ordinary_permissions(sample_db: Path, cli, tmp_path: Path) -> None:
    out = tmp_path / "new.md"
    old_mask = os.umask(0o022)
    try:
        assert cli("export", "markdown", "-o", str(out)).exit_code == 0
        assert out.stat().st_mode & 0o777 == 0o644
        out.chmod(0o600)
        assert cli("export", "markdown", "-o", str(out)).exit_code == 0
        assert out.stat().st_mode & 0o777 == 0o600  # a replaced file keeps its mode
    finally:
        os.umask(old_mask)
