"""Ctrl-C that stops a long SQLite statement at once.

Python runs a signal's handler only between bytecodes of the main thread, so a Ctrl-C
during one long statement (FTS5's self-check runs 20 s at 1M scenes) waits for the statement
to end. While `ctrl_c_stops()` is open, the signal also wakes a watcher thread (through
`signal.set_wakeup_fd`, written in C as the signal arrives), which interrupts the statements
of the given connections (sqlite3_interrupt: safe from any thread). The statement then
fails with "interrupted", and the handler, run as the main thread comes back to Python,
raises what it always raises (scenecat's Interrupted)."""

from __future__ import annotations

import signal
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import socket

_STOP = b"\0"  # no signal has number 0: the watcher's own "stop" byte


@contextmanager
def ctrl_c_stops(*conns: sqlite3.Connection) -> Iterator[None]:
    """While the body runs, Ctrl-C interrupts the statements `conns` are running. Does
    nothing off the main thread (no signal reaches it there) or where Ctrl-C is ignored."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(
        signal.SIGINT
    ) in (signal.SIG_IGN, signal.SIG_DFL, None):
        yield
        return
    import socket  # here: only a command that runs long statements pays for it

    reader, writer = socket.socketpair()
    writer.setblocking(False)  # the C handler must never wait on a full buffer
    try:
        previous = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    except (ValueError, OSError):
        reader.close()
        writer.close()
        yield
        return
    done = threading.Event()
    watcher = threading.Thread(target=_watch, args=(reader, done, conns), daemon=True)
    watcher.start()
    try:
        yield
    finally:
        signal.set_wakeup_fd(previous)
        done.set()
        # OSError: the buffer is full of signal bytes, so the watcher is awake anyway
        with suppress(OSError):
            writer.send(_STOP)
        watcher.join()
        reader.close()
        writer.close()


def _watch(
    reader: socket.socket, done: threading.Event, conns: tuple[sqlite3.Connection, ...]
) -> None:
    while not done.is_set():
        received = reader.recv(64)
        if signal.SIGINT not in received:
            continue
        # Again until the body ends: an interrupt only stops a statement running when it
        # is called, and the main thread may be between two statements at that moment.
        while True:
            for conn in conns:
                with suppress(sqlite3.ProgrammingError):  # closed meanwhile
                    conn.interrupt()
            if done.wait(0.05):
                return
