"""A scenecat process on a pseudo-terminal of a real size, driven as a person would: wait for
text on the screen, type, press Ctrl-C (the terminal turns \\x03 into SIGINT, as a real one
does, because the process runs in its own session with the terminal as its controlling one)."""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")


def plain(text: str) -> str:
    """The terminal output without cursor and colour escapes or carriage returns."""
    return _ESCAPES.sub("", text)


class Terminal:
    def __init__(
        self,
        args: list[str],
        env: dict[str, str],
        *,
        columns: int = 80,
        rows: int = 24,
        cwd: Path | None = None,
    ) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))

        def controlling_terminal() -> None:
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)
            # As from a person's shell: Ctrl-C at its default even when the test run itself
            # was started with SIGINT ignored (a background job, some CI runners).
            signal.signal(signal.SIGINT, signal.SIG_DFL)

        full_env = {**os.environ, "COLUMNS": str(columns), "LINES": str(rows), **env}
        full_env.pop("TTY_COMPATIBLE", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "scenecat", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=full_env,
            close_fds=True,
            preexec_fn=controlling_terminal,
            cwd=cwd,
        )
        os.close(slave)
        self.master = master
        self.raw = b""
        self.mark = 0  # expect() looks only at output after the last match

    @property
    def output(self) -> str:
        return plain(self.raw.decode(errors="replace"))

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 4096)
        except OSError:
            return False
        self.raw += chunk
        return bool(chunk)

    def expect(self, text: str, timeout: float = 60) -> str:
        """Wait until `text` appears after the previous match; returns the output up to it."""
        deadline = time.monotonic() + timeout
        while True:
            shown = self.output
            found = shown.find(text, self.mark)
            if found >= 0:
                before = shown[self.mark : found + len(text)]
                self.mark = found + len(text)
                return before
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared; the terminal shows:\n{shown}")
            if not self._read(0.2) and self.proc.poll() is not None and not self._read(0.2):
                raise AssertionError(f"exited before {text!r}; the terminal shows:\n{shown}")

    def type(self, line: str) -> None:
        self.send(line.encode() + b"\r")

    def send(self, data: bytes) -> None:
        # A person takes a moment after a prompt appears. Without one, a key can arrive
        # between the prompt being written and the read starting: typed text is still
        # read, but a Ctrl-C's Python handler would then wait for the read to return.
        time.sleep(0.2)
        os.write(self.master, data)

    def interrupt(self) -> None:
        self.send(b"\x03")

    def wait(self, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self._read(0.1)
        while self._read(0.1):
            pass
        code = self.proc.wait(timeout=max(deadline - time.monotonic(), 1))
        os.close(self.master)
        return code
