"""The built-in templates render outside the Jinja2 sandbox (they are scenecat's own files);
a user's template stays in it. Both must write the same article: every built-in, with every
spoiler mode, --watched and by drama, on the sample catalogue and on hostile text, compared
with the same template rendered in the sandbox. And escape's shortcut for text it leaves as
it is must agree with escape itself."""

from __future__ import annotations

import functools
import importlib
import random
import re
from pathlib import Path

import pytest
from jinja2.sandbox import SandboxedEnvironment

from scenecat.domain import mdescape
from scenecat.domain.articles import entries
from tests.test_articles import CASES, NASTY_YAML, export

# The module (the package's `render` is the function of the same name).
render = importlib.import_module("scenecat.domain.articles.render")

# The hostile catalogue's cases: every built-in on the scene full of markup.
NASTY_CASES = {
    "listicle": ["--spoilers", "show"],
    "listicle-plain": ["--spoilers", "warn", "--no-front-matter"],
    "best-per-drama": ["--template", "best-per-drama", "--spoilers", "show"],
    "spotlight": ["--template", "spotlight", "--scene", "nasty-scene", "--spoilers", "show"],
    "drama": ["--template", "drama", "--drama", "# Hash | Drama", "--spoilers", "hide"],
    "actor": ["--template", "actor", "--actor", "Kim <b>Star</b>", "--no-front-matter"],
}


def _sandboxed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `export markdown` render the built-ins in the sandbox, as before this change."""
    import scenecat.domain.articles as articles

    original = render.load_template
    monkeypatch.setattr(articles, "load_template", functools.partial(original, sandboxed=True))


@pytest.mark.parametrize("name", entries.BUILTIN_TEMPLATES)
def test_builtin_templates_run_outside_the_sandbox_and_user_ones_inside(
    name: str, tmp_path: Path
) -> None:
    assert not isinstance(render.load_template(name).environment, SandboxedEnvironment)
    assert isinstance(render.load_template(name, sandboxed=True).environment, SandboxedEnvironment)
    copy = tmp_path / f"{name}.md.j2"
    copy.write_text((render.builtin_dir() / f"{name}.md.j2").read_text("utf-8"), "utf-8")
    assert isinstance(render.load_template(str(copy)).environment, SandboxedEnvironment)


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
def test_builtin_article_is_the_sandboxed_one(
    sample_db: Path, cli, case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = export(cli, *CASES[case])
    _sandboxed(monkeypatch)
    assert export(cli, *CASES[case]) == fast


@pytest.mark.slow
def test_builtin_articles_of_hostile_text_are_the_sandboxed_ones(
    db: Path, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "nasty.yaml"
    path.write_text(NASTY_YAML, encoding="utf-8")
    assert cli("import", str(path)).exit_code == 0
    fast = {case: export(cli, *args) for case, args in NASTY_CASES.items()}
    _sandboxed(monkeypatch)
    for case, args in NASTY_CASES.items():
        assert export(cli, *args) == fast[case], case


def test_a_change_to_a_builtin_file_changes_the_article(
    sample_db: Path, cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The .md.j2 file is the article's one definition, on the fast path too."""
    folder = tmp_path / "templates"
    folder.mkdir()
    for name in entries.BUILTIN_TEMPLATES:
        text = (render.builtin_dir() / f"{name}.md.j2").read_text("utf-8")
        (folder / f"{name}.md.j2").write_text(text.replace("**Views:**", "**Seen by:**"), "utf-8")
    monkeypatch.setattr(render, "builtin_dir", lambda: folder)
    render._builtin_environment.cache_clear()
    try:
        text = export(cli, *CASES["listicle"])
    finally:
        render._builtin_environment.cache_clear()
    assert "**Seen by:** 1,850,000" in text
    assert "**Views:**" not in text


def test_whitespace_class_is_pythons() -> None:
    """mdescape spells out the characters str.split() folds: they must be exactly those."""
    spelled = re.compile(f"[{mdescape.WHITESPACE}]")
    for code in range(0x110000):
        char = chr(code)
        assert bool(spelled.match(char)) == char.isspace(), hex(code)


# Text with every kind of character escape() treats specially, and plain words.
_PIECES = [
    "a", "Kim", "Ji Chang Wook", "1.", "2)", "123456789.", "1234567890.", "-", "+", "---",
    "--", "=", "==", "#", "*", "_", "`", "[", "]", "<", ">", "|", "~", "&", "{", "}", "$",
    "\\", " ", "  ", "\t", "\n", "\r", "\x00", "\x1b", "\x7f", "\x85", "\x9f", "\xa0",
    "\u2028", "\u3000", "\u200b", "é", "날", "😀", "x.y", "8.7/10",
]  # fmt: skip


def test_escape_shortcut_agrees_with_escape() -> None:
    rng = random.Random(27)
    for _ in range(20_000):
        text = "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 6)))
        if mdescape.is_plain(text):
            assert mdescape.escape(text) == text, repr(text)
        # The slow path alone, as before the shortcut: the same result.
        assert mdescape.escape(text) == _slow_escape(text), repr(text)
        assert mdescape.escape_paragraphs(text) == _slow_paragraphs(text), repr(text)


def _slow_paragraphs(text: str) -> str:
    parts = [_slow_escape(p) for p in mdescape._PARAGRAPHS.split(text.strip())]
    return "\n\n".join(p for p in parts if p)


def _slow_escape(value: str) -> str:
    value = mdescape._CONTROL.sub("", value)
    value = " ".join(value.split())
    value = mdescape._SPECIAL.sub(r"\\\g<0>", value)
    match = mdescape._LINE_START.match(value)
    if match:
        end = match.end()
        value = value[: end - 1] + "\\" + value[end - 1 :]
    return value


def _slow_tidy(text: str) -> str:
    lines = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", lines).strip("\n") + "\n"


def test_tidy_agrees_with_its_plain_definition() -> None:
    """tidy skips the line-by-line pass when no line ends in whitespace: the same text."""
    rng = random.Random(7)
    pieces = ["a", "b c", "\n", "\n\n", "\n\n\n\n\n", " ", "\t", "\r", "\u3000", "\xa0", "\x1c"]
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        assert render.tidy(text) == _slow_tidy(text), repr(text)
