"""`scenecat templates` and `templates copy` (issue 25): a pip-installed user has no
src/scenecat/templates/ to copy from, so the program hands its built-in templates out."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from scenecat.domain.articles.entries import BUILTIN_TEMPLATES

ROOT = Path(__file__).resolve().parents[1]


def _packaged(name: str) -> str:
    return (resources.files("scenecat") / "templates" / f"{name}.md.j2").read_text("utf-8")


def test_the_listing_names_every_builtin_with_one_line(cli, db: Path) -> None:
    result = cli("templates")
    assert result.exit_code == 0, result.stderr
    rows = [line.split("\t") for line in result.stdout.splitlines()[1:]]
    assert sorted(name for name, _ in rows) == sorted(BUILTIN_TEMPLATES)
    summaries = dict(rows)
    assert summaries["listicle"] == 'a ranked "Top N" list of scenes.'
    assert summaries["best-per-drama"] == "which drama has the best scene?"
    assert all(summary.endswith((".", "?")) for summary in summaries.values())
    assert not db.exists()  # no catalogue is needed, or made


@pytest.mark.parametrize("name", BUILTIN_TEMPLATES)
def test_copy_writes_the_builtin_as_it_is(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("templates", "copy", name)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / f"{name}.md.j2").read_text("utf-8") == _packaged(name)
    assert f"--template {name}.md.j2" in result.stderr


def test_copy_into_a_folder_or_a_named_file(cli, tmp_path: Path) -> None:
    assert cli("templates", "copy", "spotlight", str(tmp_path)).exit_code == 0
    assert (tmp_path / "spotlight.md.j2").read_text("utf-8") == _packaged("spotlight")
    mine = tmp_path / "mine.md.j2"
    assert cli("templates", "copy", "actor", str(mine)).exit_code == 0
    assert mine.read_text("utf-8") == _packaged("actor")


def test_copy_never_replaces_a_file(cli, tmp_path: Path) -> None:
    mine = tmp_path / "my-listicle.md.j2"
    mine.write_text("my own changes\n", encoding="utf-8")
    result = cli("templates", "copy", "listicle", str(mine))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"Error: {mine} exists; nothing was written"
    assert mine.read_text("utf-8") == "my own changes\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my-listicle.md.j2"]  # no litter


def test_an_unknown_template_is_a_usage_error(cli, tmp_path: Path) -> None:
    result = cli("templates", "copy", "listicel", str(tmp_path / "x.md.j2"))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == "Error: no built-in template 'listicel'"
    assert not (tmp_path / "x.md.j2").exists()


def test_a_missing_folder_is_one_error_line(cli, tmp_path: Path) -> None:
    result = cli("templates", "copy", "listicle", str(tmp_path / "no" / "such.md.j2"))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot write")


def test_the_copy_writes_an_article(cli, sample_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "my-listicle.md.j2"
    assert cli("templates", "copy", "listicle", str(copy)).exit_code == 0
    result = cli("export", "markdown", "--template", str(copy), "--actor", "Won Jin Ah")
    assert result.exit_code == 0, result.stderr
    assert "Won Jin Ah" in result.stdout


def test_the_readme_no_longer_copies_from_the_source_tree() -> None:
    for path in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        assert "src/scenecat/templates" not in path.read_text("utf-8"), path


def test_a_link_at_the_name_is_not_written_through(cli, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    link = tmp_path / "listicle.md.j2"
    link.symlink_to(elsewhere)  # dangling: writing through it would create elsewhere.txt
    result = cli("templates", "copy", "listicle", str(link))
    assert result.exit_code == 1
    assert not elsewhere.exists() and link.is_symlink()


@pytest.mark.slow
def test_two_copies_to_one_name_at_once_write_it_once(tmp_path: Path) -> None:
    import subprocess
    import sys

    target = tmp_path / "mine.md.j2"
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "scenecat", "templates", "copy", name, str(target)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("listicle", "spotlight")
    ]
    codes = sorted(run.wait(timeout=120) for run in runs)
    assert codes == [0, 1]
    assert target.read_text("utf-8") in (_packaged("listicle"), _packaged("spotlight"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.md.j2"]
