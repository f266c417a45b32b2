"""The README runs: every line of its Tour, in order, and every other command it shows.

As sqlite-utils checks its documentation, the commands are read out of README.md itself and
run through a shell, one line at a time, in a fresh folder holding copies of `data/` and the
built-in templates (the Tour runs from a clone). `export NAME=VALUE` and `unset NAME` lines
change the environment of the lines after them, as in a shell. Each line runs on a
pseudo-terminal, so that the lines that ask first (`undo`, `db restore`) are asked and
answered `y`, `edit` without flags finds a terminal ($EDITOR is `true`: nothing edited), and
a duel session (`duel` with no keys) is played: its questions answered 1, s, then q.

The lists of commands are also kept here: when the README changes, the test says how the
list differs and prints the new one to paste, so that a changed Tour is a reviewed change.
"""

from __future__ import annotations

import os
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

README = ROOT / "README.md"

# The Tour, one command per line (continuation lines joined), as README.md has it. When the
# Tour changes, test_the_tour_is_the_one_this_test_knows prints the list to paste here.
TOUR = (
    "scenecat init",
    "scenecat db path",
    "scenecat import data/sample.yaml",
    "export SCENECAT_DB=news.db",
    'scenecat add-actor "Ji Chang Wook" --native 지창욱 --alias "Ji Chang-wook" --born 1987',
    'scenecat add-actor "Won Jin Ah" --native 원진아 --alias "Won Jin-ah" --born 1991',
    'scenecat add-drama "Melting Me Softly" --native "날 녹여주오" --network tvN --year 2019 '
    '--episodes 16 --cast "Ji Chang Wook:Ma Dong Chan" --cast "Won Jin Ah:Go Mi Ran"',
    'scenecat add-episode "Melting Me Softly" 10 --aired 2019-10-27',
    'scenecat add-scene --drama "Melting Me Softly" --episode 10 --actor "Ji Chang Wook" '
    '--actor "Won Jin Ah" --kind kiss --title "The shower kiss" --spoiler major '
    '--views 1000000 --on 2019-11-10 --source "tvN official upload"',
    "scenecat list scenes",
    "unset SCENECAT_DB",
    'scenecat list scenes --actor "ji chang-wook" --kind kiss',
    "scenecat list dramas --actor 지창욱 --json",
    "scenecat show scene melting-me-softly-e10-shower-kiss",
    'scenecat show drama "Melting Me Softly"',
    'scenecat show actor "JCW"',
    'scenecat search "shower kiss"',
    "scenecat search '녹여'",
    "scenecat search 'snow OR rooftop actor:\"Ji Chang Wook\" year:2014..2020 -blindfold*'",
    'scenecat search "shower kis"',
    "scenecat vote melting-me-softly-e10-shower-kiss 9",
    "scenecat duel melting-me-softly-e10-shower-kiss healer-e9-snowy-rooftop-kiss",
    'scenecat duel --actor "Ji Chang Wook" --kind kiss',
    "scenecat views melting-me-softly-e10-shower-kiss 1850000 --on 2020-01-05 "
    '--source "tvN official upload"',
    'scenecat rank --actor "Ji Chang Wook" --kind kiss --by drama',
    'scenecat rank --actor "Ji Chang Wook" --kind kiss --explain',
    "scenecat rank --why melting-me-softly-e10-shower-kiss",
    'scenecat rank --couple "Ji Chang Wook" "Won Jin Ah" --json',
    "scenecat trending --days 30 --until 2019-11-10",
    'scenecat progress set "Healer" 8',
    'scenecat list scenes --drama "Healer"',
    'scenecat export markdown --actor "Ji Chang Wook" --kind kiss --limit 10 --spoilers warn '
    "-o top10.md",
    'scenecat export markdown --template best-per-drama --actor "Ji Chang Wook" --kind kiss '
    "-o debate.md",
    "scenecat export markdown --template spotlight --scene melting-me-softly-e10-shower-kiss",
    'scenecat export markdown --template drama --drama "Healer" --watched "Healer:8" '
    "--spoilers hide",
    "scenecat templates copy listicle my-listicle.md.j2",
    'scenecat export markdown --template my-listicle.md.j2 --actor "Won Jin Ah" -o won-jin-ah.md',
    "scenecat export csv --kind kiss -o kisses.csv",
    'scenecat export json --actor "Ji Chang Wook"',
    "scenecat stats",
    "scenecat edit scene melting-me-softly-e10-shower-kiss --spoiler major",
    'scenecat edit drama "Healer"',
    'scenecat alias actor "Ji Chang Wook" "Ji Changwook"',
    'scenecat add-actor "Kong Yoo"',
    'scenecat merge actor "Gong Yoo" "Kong Yoo" --yes',
    "scenecat remove scene healer-e8-elevator-rescue --yes",
    "scenecat history",
    "scenecat undo",
    "scenecat export yaml -o catalogue.yaml",
    "scenecat export jsonl -o catalogue.jsonl",
    "scenecat import kisses.csv",
    "scenecat db check",
    "scenecat db backup backups/",
    "scenecat db restore backups/catalogue-*.db",
)

# What some lines must show (on the terminal, stdout and stderr together), beyond exit 0:
# the Tour's promises, not just its exit codes.
SHOWS = {
    "scenecat import data/sample.yaml": "54 new scenes",
    "scenecat list scenes": "1 scene",
    'scenecat show actor "JCW"': "Ji Chang Wook",
    # The key, whole or (on a narrow terminal) shortened to a part that still works as one.
    "scenecat search 'snow OR rooftop actor:\"Ji Chang Wook\" year:2014..2020 -blindfold*'": (
        "rooftop-kiss"
    ),
    'scenecat search "shower kis"': "did you mean 'shower kiss'?",
    'scenecat rank --actor "Ji Chang Wook" --kind kiss --by drama': "Answer: Melting Me Softly",
    "scenecat trending --days 30 --until 2019-11-10": "The shower kiss",
    'scenecat export markdown --template best-per-drama --actor "Ji Chang Wook" --kind kiss '
    "-o debate.md": "Wrote 'Which Ji Chang Wook drama has the best kiss scene?'",
    'scenecat duel --actor "Ji Chang Wook" --kind kiss': "How the ranking moved",
    'scenecat list scenes --drama "Healer"': "2 scenes past your progress hidden",
    'scenecat merge actor "Gong Yoo" "Kong Yoo" --yes': "Merged Kong Yoo into Gong Yoo",
    "scenecat undo": "remove scene healer-e8-elevator-rescue",
    "scenecat db check": "OK",
}

# The other commands README.md shows, outside the Tour (the fresh-machine lines first).
OTHERS = (
    "python3 -m venv .venv && . .venv/bin/activate && pip install -U pip && pip install -e . "
    "&& python -m compileall -q src && scenecat --db sample.db import data/sample.yaml "
    "&& scenecat --db sample.db rank "
    '--actor "Ji Chang Wook" --kind kiss --by drama',
    "python3 -m venv .venv && . .venv/bin/activate && pip install -U pip && pip install -e "
    '".[test]" && python -m pytest -q',
    "scenecat list scenes | grep -i kiss | cut -f1",
    "ruff check src tests bench && ruff format src tests bench",
)

# The Development section's block: the everyday tests, the full suite, the commit hooks.
DEVELOPMENT = (
    'python -m pytest -q -m "not slow"',
    "python -m pytest -q",
    "pre-commit install",
)

# Installing needs a package index; the install lines run in full only when asked.
INSTALL = os.environ.get("SCENECAT_TEST_INSTALL") == "1"


def tour_lines(text: str) -> list[str]:
    block = re.search(r"^## Tour\n\n```sh\n(.*?)^```", text, re.M | re.S)
    assert block, "README.md has no ```sh block under '## Tour'"
    lines = []
    for line in block.group(1).replace("\\\n", "").splitlines():
        command = re.sub(r"\s+#.*$", "", line.strip()) if not line.lstrip().startswith("#") else ""
        if command:
            lines.append(re.sub(r"\s+", " ", command))
    return lines


def other_lines(text: str) -> list[str]:
    """Indented code lines, and inline code that runs something (a pipe or `&&`)."""
    indented = [line.strip() for line in text.splitlines() if line.startswith("    python3 ")]
    inline = [span for span in re.findall(r"`([^`\n]+)`", text) if " | " in span or " && " in span]
    return indented + inline


def development_lines(text: str) -> list[str]:
    """The indented block of the Development section."""
    section = re.search(r"^## Development\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert section, "README.md has no '## Development' section"
    return [line.strip() for line in section.group(1).splitlines() if line.startswith("    ")]


def _paste(name: str, lines: list[str]) -> str:
    body = "".join(f"    {line!r},\n" for line in lines)
    return f"README.md changed: review it, then paste this over {name} in {__file__}:\n\n{name} = (\n{body})\n"


def test_the_tour_is_the_one_this_test_knows() -> None:
    found = tour_lines(README.read_text(encoding="utf-8"))
    assert tuple(found) == TOUR, _paste("TOUR", found)
    assert set(SHOWS) <= set(TOUR)


def test_the_other_commands_are_the_ones_this_test_knows() -> None:
    found = other_lines(README.read_text(encoding="utf-8"))
    assert tuple(found) == OTHERS, _paste("OTHERS", found)


def test_the_development_commands_are_the_ones_this_test_knows() -> None:
    found = development_lines(README.read_text(encoding="utf-8"))
    assert tuple(found) == DEVELOPMENT, _paste("DEVELOPMENT", found)


def _collected(line: str) -> tuple[set[str], str]:
    """The test ids a README pytest line selects (collected only: this test is in that suite)."""
    proc = subprocess.run(
        ["bash", "-c", f"{line} --collect-only -p no:cacheprovider"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ids = {row for row in proc.stdout.splitlines() if "::" in row}
    return ids, proc.stdout.strip().splitlines()[-1]


@pytest.mark.slow
def test_the_everyday_command_leaves_out_the_slow_tests_and_the_full_one_none() -> None:
    everyday, full = (line.replace("python ", f"{sys.executable} ", 1) for line in DEVELOPMENT[:2])
    fast_ids, fast_summary = _collected(everyday)
    all_ids, all_summary = _collected(full)
    assert "deselected" in fast_summary and "deselected" not in all_summary, (
        fast_summary,
        all_summary,
    )
    assert fast_ids < all_ids
    left_out = all_ids - fast_ids
    # What is left out is what is marked slow: this test, and a whole slow module.
    this = "tests/test_readme_tour.py::test_the_everyday_command_leaves_out_the_slow_tests_and_the_full_one_none"
    assert this in left_out
    assert not any(i.startswith("tests/test_web_browser.py::") for i in fast_ids)
    assert any(i.startswith("tests/test_web_browser.py::") for i in all_ids)
    # The quick checks of this file stay in the everyday set.
    assert (
        "tests/test_readme_tour.py::test_the_development_commands_are_the_ones_this_test_knows"
        in fast_ids
    )


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pre-commit") is None, reason="pre-commit is in the [test] extra")
def test_pre_commit_install_sets_the_hooks_and_they_pass(tmp_path: Path) -> None:
    assert DEVELOPMENT[2] == "pre-commit install"
    # A copy of the tree in a fresh git repository: installing writes .git/hooks.
    work = tmp_path / "clone"
    for name in ("src", "tests", "bench"):
        shutil.copytree(
            ROOT / name, work / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
        )
    for name in ("pyproject.toml", ".pre-commit-config.yaml"):
        shutil.copy(ROOT / name, work)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q"], cwd=work, check=True, env=env)
    proc = subprocess.run(
        ["bash", "-c", DEVELOPMENT[2]], cwd=work, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "pre-commit" in (work / ".git" / "hooks" / "pre-commit").read_text(encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=work, check=True, env=env)
    # The hook as a commit runs it: ruff, ruff format and mypy all pass on the tree as it is.
    proc = subprocess.run(
        [*git, "commit", "-q", "-m", "x"], cwd=work, env=env, capture_output=True, text=True
    )
    shown = proc.stdout + proc.stderr
    assert proc.returncode == 0, shown
    for hook in ("ruff check", "ruff format", "mypy"):
        assert re.search(rf"^{re.escape(hook)}.*Passed$", shown, re.M), shown


def _folder(tmp_path: Path) -> Path:
    """A clone's worth of what the README's commands read: data/ and the templates."""
    work = tmp_path / "clone"
    shutil.copytree(ROOT / "data", work / "data")
    shutil.copytree(ROOT / "src" / "scenecat" / "templates", work / "src/scenecat/templates")
    return work


def _environment(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCENECAT_", "TTY_"))}
    # The Tour's default catalogue (no --db, no SCENECAT_DB) lands in the temporary folder.
    env.update(
        HOME=str(tmp_path / "home"),
        XDG_DATA_HOME=str(tmp_path / "home" / "data"),
        EDITOR="true",
        VISUAL="true",
        NO_COLOR="1",
        TERM="xterm",
        PYTHON=sys.executable,
    )
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    return env


# A duel session's question, and the Tour's answers to it in turn: one duel, one skip, stop.
DUEL_QUESTION = b"Which is better, 1 or 2?"
DUEL_ANSWERS = (b"1\n", b"s\n", b"q\n")

# `scenecat` as the installed launcher would run it, from this interpreter.
_PRELUDE = 'scenecat() { "$PYTHON" -m scenecat "$@"; }\n'


def on_terminal(line: str, cwd: Path, env: dict[str, str], columns: int = 100) -> tuple[int, str]:
    """Run one shell line on a pseudo-terminal of `columns`; answer `y` to a [y/N] prompt,
    and a duel session's questions with DUEL_ANSWERS."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    proc = subprocess.Popen(
        ["bash", "-c", _PRELUDE + line], stdin=slave, stdout=slave, stderr=slave,
        cwd=cwd, env=env, close_fds=True, start_new_session=True,
    )  # fmt: skip
    os.close(slave)
    seen = b""
    answered = dueled = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            seen += chunk
            if seen.count(b"[y/N]") > answered:
                answered += 1
                os.write(master, b"y\n")
            asked = seen.count(DUEL_QUESTION)
            if asked > dueled and dueled < len(DUEL_ANSWERS):
                os.write(master, DUEL_ANSWERS[dueled])
                dueled += 1
        elif proc.poll() is not None:
            break
    else:
        proc.kill()
    code = proc.wait(timeout=30)  # before the terminal closes: that would hang it up
    os.close(master)
    shown = seen.decode(errors="replace").replace("\r\n", "\n")
    return code, re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown)


@pytest.mark.slow
def test_every_tour_line_works_in_order(tmp_path: Path) -> None:
    work = _folder(tmp_path)
    env = _environment(tmp_path)
    for line in tour_lines(README.read_text(encoding="utf-8")):
        if line.startswith("export "):
            name, value = line.removeprefix("export ").split("=", 1)
            env[name] = value
            continue
        if line.startswith("unset "):
            env.pop(line.removeprefix("unset ").strip(), None)
            continue
        code, shown = on_terminal(line, work, env)
        assert code == 0, f"README Tour line failed (exit {code}):\n$ {line}\n{shown}"
        assert "Error:" not in shown and "Traceback" not in shown, f"$ {line}\n{shown}"
        if line in SHOWS:
            assert SHOWS[line] in shown, f"$ {line}\nexpected {SHOWS[line]!r} in:\n{shown}"
    # What the Tour left behind is what it says.
    assert (work / "news.db").is_file()
    assert (work / "backups").is_dir() and len(list((work / "backups").glob("*.db"))) == 1
    assert (work / "top10.md").read_text(encoding="utf-8").startswith("---\n")
    assert "Won Jin Ah" in (work / "won-jin-ah.md").read_text(encoding="utf-8")


def _run(line: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", _PRELUDE + line],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def _install_and_rest(line: str) -> tuple[str, str]:
    """A fresh-machine line split into its install part and what follows it."""
    parts = line.split(" && ")
    last_install = max(i for i, part in enumerate(parts) if part.startswith(("pip ", "python3")))
    return " && ".join(parts[: last_install + 1]), " && ".join(parts[last_install + 1 :])


@pytest.mark.slow
def test_the_first_fresh_machine_line_answers_the_question(tmp_path: Path) -> None:
    line = other_lines(README.read_text(encoding="utf-8"))[0]
    install, rest = _install_and_rest(line)
    work = _folder(tmp_path)
    env = _environment(tmp_path)
    if INSTALL:
        # The whole line, from a copy of the clone, as on a fresh machine.
        shutil.copytree(ROOT, work, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".*"))
        proc = _run(line, work, env)
    else:
        # This interpreter stands for the installed scenecat; the install part is checked
        # for its shape (run it with SCENECAT_TEST_INSTALL=1).
        assert install.startswith("python3 -m venv .venv && . .venv/bin/activate")
        proc = _run(rest, work, env)
    assert proc.returncode == 0, proc.stderr
    # The shower kiss, 8.03, ahead of Healer's snowy rooftop, 7.99 (both worked by hand in
    # tests/test_piped_output.py).
    assert 'Answer: Melting Me Softly, with "The shower kiss"' in proc.stderr


@pytest.mark.slow
@pytest.mark.skipif(not INSTALL, reason="installs from a package index: SCENECAT_TEST_INSTALL=1")
def test_the_second_fresh_machine_line_installs_the_tests(tmp_path: Path) -> None:
    line = other_lines(README.read_text(encoding="utf-8"))[1]
    install, rest = _install_and_rest(line)
    assert rest == "python -m pytest -q"  # the suite this test belongs to; .ci/run runs it
    work = tmp_path / "clone"
    shutil.copytree(ROOT, work, ignore=shutil.ignore_patterns(".*"))
    proc = _run(install + " && python -m pytest --version", work, _environment(tmp_path))
    assert proc.returncode == 0, proc.stderr


@pytest.mark.slow
def test_the_piped_listing_example_prints_keys(tmp_path: Path) -> None:
    line = other_lines(README.read_text(encoding="utf-8"))[2]
    work = _folder(tmp_path)
    env = {**_environment(tmp_path), "SCENECAT_DB": str(work / "c.db")}
    assert _run("scenecat import data/sample.yaml", work, env).returncode == 0
    proc = _run(line, work, env)
    assert proc.returncode == 0, proc.stderr
    keys = proc.stdout.split()
    assert "melting-me-softly-e10-shower-kiss" in keys
    assert all(re.fullmatch(r"[a-z0-9-]+", key) for key in keys)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is in the [test] extra")
def test_the_lint_line_passes(tmp_path: Path) -> None:
    line = other_lines(README.read_text(encoding="utf-8"))[3]
    # On a copy: `ruff format` rewrites files, and the tree under test must not change.
    work = tmp_path / "clone"
    for name in ("src", "tests", "bench"):
        shutil.copytree(ROOT / name, work / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", work)
    proc = _run(line, work, {**os.environ})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "reformatted" not in proc.stdout, proc.stdout
