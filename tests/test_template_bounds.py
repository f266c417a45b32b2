"""#26.12: a template may write 50 MB in 60 s by default (ten times a 10,000-scene
listicle); past either bound, one clear error and nothing written. Each template runs in a
separate process with a 2 GB memory ceiling and a time-out, so that a template that is not
bounded fails the test instead of taking the machine with it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.safety import python_env

pytestmark = pytest.mark.slow

NESTED = "{% for i in range(100000) %}{% for j in range(100000) %}scene {{ i }} {{ j }}\n" \
         "{% endfor %}{% endfor %}"  # fmt: skip
QUIET = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}done"


def _ceiling() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def _export(db: Path, tmp_path: Path, template: str, **env: str) -> tuple[int, str, Path]:
    source = tmp_path / "hostile.md.j2"
    source.write_text(template, encoding="utf-8")
    out = tmp_path / "article.md"
    done = subprocess.run(
        [sys.executable, "-m", "scenecat", "--db", str(db), "export", "markdown",
         "--template", str(source), "-o", str(out)],
        capture_output=True, text=True, env=python_env(**env), timeout=90,
        preexec_fn=_ceiling,
    )  # fmt: skip
    return done.returncode, done.stderr, out


def _refused(code: int, stderr: str, out: Path, what: str) -> None:
    assert code == 1, stderr
    assert stderr.startswith(f"Error: the template {what}"), stderr
    assert "nothing was written" in stderr and "SCENECAT_TEMPLATE_MAX_MB" in stderr
    assert "unexpected" not in stderr and "report it" not in stderr
    assert not out.exists()
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".")] == []


def test_nested_loops_of_100000_stop_at_50_mb(sample_db: Path, tmp_path: Path) -> None:
    _refused(*_export(sample_db, tmp_path, NESTED), "wrote more than 50 MB")


def test_a_loop_that_writes_nothing_stops_at_the_time_bound(
    sample_db: Path, tmp_path: Path
) -> None:
    code, stderr, out = _export(sample_db, tmp_path, QUIET, SCENECAT_TEMPLATE_MAX_SECONDS="2")
    _refused(code, stderr, out, "ran for more than 2 s")


@pytest.mark.parametrize(
    ("expression", "what"),
    [
        ('"x" * 10000000000', "repeats a value"),
        ("10 ** 100000000", "raises a number"),
        ('"%999999999d" % 1', "pads a value"),
        ('"%*d" % (999999999, 1)', "pads a value"),
    ],
)
def test_one_huge_expression_is_refused_before_it_is_built(
    sample_db: Path, tmp_path: Path, expression: str, what: str
) -> None:
    _refused(*_export(sample_db, tmp_path, "{{ " + expression + " }}"), what)


def test_the_bounds_can_be_raised_and_must_be_numbers(sample_db: Path, tmp_path: Path) -> None:
    small = "{% for i in range(30000) %}scene number {{ i }}\n{% endfor %}"
    code, stderr, out = _export(sample_db, tmp_path, small, SCENECAT_TEMPLATE_MAX_MB="0.1")
    _refused(code, stderr, out, "wrote more than 0.1 MB")
    code, stderr, out = _export(sample_db, tmp_path, small, SCENECAT_TEMPLATE_MAX_MB="1")
    assert code == 0, stderr
    assert out.read_text(encoding="utf-8").count("scene number") == 30000
    out.unlink()
    code, stderr, out = _export(sample_db, tmp_path, small, SCENECAT_TEMPLATE_MAX_SECONDS="soon")
    assert code == 1 and stderr.startswith("Error: SCENECAT_TEMPLATE_MAX_SECONDS='soon'")
    assert not out.exists()
