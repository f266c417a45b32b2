"""Tab completion through the shells' own machinery (issue 25): bash, zsh and fish each load
the script `scenecat --show-completion SHELL` prints, a person types a start and Tab on a
pseudo-terminal, presses Enter, and the command receives its arguments. `scenecat` there is
a shell function printing each argument as <...>, so the test reads what the shell made of
the completed line: a name with spaces must arrive as one argument.

Without zsh or fish these tests skip on a developer machine and fail under CI (CI=true),
where .ci/run installs both.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from tests.terminal import Terminal

pytestmark = pytest.mark.slow

# The directory of the `scenecat` console script of the Python running the tests.
BIN = Path(sys.executable).parent

# Each shell: how to start it bare, and the lines that load completion and replace the
# command by one that shows its arguments (completion itself still runs the real program).
SHELLS = {
    "bash": (
        ["bash", "--norc", "--noprofile", "-i"],
        [
            "PS1='READ''Y$ '",
            'eval "$(scenecat --show-completion bash)"',
            'scenecat() { printf "<%s>" "$@"; echo "<END>"; }',
        ],
    ),
    "zsh": (
        ["zsh", "-f", "-i"],
        [
            "PROMPT='READ''Y$ '",
            "autoload -U compinit && compinit -u",
            'eval "$(scenecat --show-completion zsh)"',
            'scenecat() { printf "<%s>" "$@"; echo "<END>"; }',
        ],
    ),
    "fish": (
        ["fish", "--no-config", "-i"],
        [
            "function fish_prompt; echo -n 'READ''Y$ '; end",
            "scenecat --show-completion fish | source",
            'function scenecat; printf "<%s>" $argv; echo "<END>"; end',
        ],
    ),
}


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def _need(shell: str) -> None:
    if shutil.which(shell) is None:
        if _in_ci():
            pytest.fail(f"CI=true but {shell} is missing: .ci/run installs the `{shell}` package")
        pytest.skip(f"{shell} is not installed (apt-get install {shell}); CI runs these")


class Shell:
    """An interactive shell on a pseudo-terminal with scenecat's completion loaded."""

    def __init__(self, shell: str, db: Path, home: Path) -> None:
        # The prompt is written split in the lines typed, so that only the prompt reads READY$.
        argv, setup = SHELLS[shell]
        self.name = shell
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))

        def controlling_terminal() -> None:
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        env = {
            **os.environ,
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "SCENECAT_DB": str(db),
            "HOME": str(home),  # no user's rc files, history or fish greeting state
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TERM": "xterm",
        }
        self.proc = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            close_fds=True,
            preexec_fn=controlling_terminal,
        )
        os.close(slave)
        self.master = master
        self.raw = b""
        for line in setup:
            self._line(line)

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 65536)
        except OSError:
            return False
        self.raw += chunk
        return bool(chunk)

    def _until(self, pattern: bytes, start: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while pattern not in self.raw[start:]:
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} never appeared: {self.raw[start:]!r}")
            self._read(0.1)

    def _quiet(self, seconds: float = 1.0, timeout: float = 30) -> None:
        """Wait until the terminal has shown nothing new for `seconds` (completion ran)."""
        deadline = time.monotonic() + timeout
        last = time.monotonic()
        while time.monotonic() - last < seconds and time.monotonic() < deadline:
            if self._read(0.1):
                last = time.monotonic()

    def _line(self, line: str) -> None:
        start = len(self.raw)
        os.write(self.master, line.encode() + b"\r")
        self._until(b"READY$ ", start)

    def arguments(self, typed: str) -> list[str]:
        """What `scenecat` receives after `typed` (Tabs included as \\t) and Enter."""
        self._quiet(0.3)
        start = len(self.raw)
        for part in re.split("(\t)", typed):
            if part:
                os.write(self.master, part.encode())
                self._quiet(1.0 if part == "\t" else 0.2)
        os.write(self.master, b"\r")
        self._until(b"<END>", start)
        shown = self.raw[start:].decode(errors="replace")
        found = re.search(r"((?:<[^<>\r\n]*>)*)<END>", shown)
        assert found, shown
        return re.findall(r"<([^<>]*)>", found.group(1))

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()
        os.close(self.master)


@pytest.fixture(params=sorted(SHELLS))
def shell(request: pytest.FixtureRequest, sample_db: Path, tmp_path: Path) -> Shell:
    _need(request.param)
    (tmp_path / "home").mkdir()
    opened = Shell(request.param, sample_db, tmp_path / "home")
    request.addfinalizer(opened.close)
    return opened


def test_a_multi_word_title_completes_to_one_argument(shell: Shell) -> None:
    # Before: bash inserted `Melting Me Softly` unescaped: three arguments.
    assert shell.arguments("scenecat show drama Mel\t") == [
        "show",
        "drama",
        "Melting Me Softly",
    ]


def test_a_multi_word_name_completes_inside_an_option(shell: Shell) -> None:
    assert shell.arguments("scenecat rank --actor Ji\\ Ch\t --kind kiss") == [
        "rank",
        "--actor",
        "Ji Chang Wook",
        "--kind",
        "kiss",
    ]


def test_an_open_quote_is_completed_inside_the_quote(shell: Shell) -> None:
    assert shell.arguments('scenecat show drama "Crash\t') == [
        "show",
        "drama",
        "Crash Landing on You",
    ]


def test_a_hangul_start_completes_to_the_native_title(shell: Shell) -> None:
    # Before: nothing matched; only the romanised title was searched, as typed.
    assert shell.arguments("scenecat show drama 날\t") == ["show", "drama", "날 녹여주오"]
    assert shell.arguments("scenecat show actor 지창\t") == ["show", "actor", "지창욱"]


def test_scene_keys_complete(shell: Shell) -> None:
    assert shell.arguments("scenecat show scene melting-me-softly-e10-sh\t") == [
        "show",
        "scene",
        "melting-me-softly-e10-shower-kiss",
    ]


def test_bash_registers_the_completion_function(sample_db: Path) -> None:
    script = subprocess.run(
        [BIN / "scenecat", "--show-completion", "bash"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "SCENECAT_DB": str(sample_db)},
    ).stdout
    # `complete -p` shows the function bash calls; calling it as bash would, with
    # COMP_WORDS as bash splits a line (the backslash kept), gives the escaped names.
    program = (
        f"{script}\ncomplete -p scenecat\n"
        'COMP_WORDS=(scenecat show actor "Kim\\ "); COMP_CWORD=3\n'
        "_scenecat_completion scenecat\n"
        'printf "[%s]\\n" "${COMPREPLY[@]}"\n'
    )
    run = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", program],
        capture_output=True,
        text=True,
        env={**os.environ, "SCENECAT_DB": str(sample_db), "PATH": f"{BIN}:{os.environ['PATH']}"},
        timeout=60,
    )
    assert "complete -o default -F _scenecat_completion scenecat" in run.stdout, run.stderr
    offered = re.findall(r"\[(.*)\]", run.stdout)
    assert "Kim\\ Go\\ Eun" in offered and "Kim\\ Ji\\ Won" in offered
    assert all(name.startswith("Kim\\ ") for name in offered), offered


def test_the_prompts_complete_hangul(sample_db: Path) -> None:
    term = Terminal(["add-scene", "--kind", "hug"], {"SCENECAT_DB": str(sample_db)})
    assert "(Tab completes drama and actor names.)" in term.expect("Drama: ")
    term.send("날\t".encode())
    term.expect("날 녹여주오")
    term.type("")
    term.expect("Episode")
    term.type("")
    term.expect("Actor: ")
    term.send("지창\t, 원진\t".encode())
    term.expect("원진아")
    term.type("")
    term.expect("Actor (empty when done): ")
    term.type("")
    term.expect("Title: ")
    term.type("A Hangul-typed hug")
    term.expect("Spoiler level")
    term.type("")
    term.expect("Views of its clip")
    term.type("")
    assert term.wait() == 0, term.output
    assert "Added scene melting-me-softly-a-hangul-typed-hug" in term.output


def test_quotes_colons_and_brackets_survive(shell: Shell, cli) -> None:
    title = "It's Okay to Not Be Okay: Special (2020)"
    assert cli("add-drama", title).exit_code == 0
    (completed,) = shell.arguments("scenecat show drama It\t")[2:]
    if shell.name == "zsh":
        # Typer's zsh script writes a quote as '' inside its own single quotes, which zsh
        # reads as nothing: "Its Okay ...", which still names the drama (quotes fold away).
        assert completed == title.replace("'", "")
        assert cli("show", "drama", completed).exit_code == 0
    else:
        assert completed == title
