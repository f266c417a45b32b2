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
from collections.abc import Callable, Iterator
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
        if signal.SIGINT in reader.recv(64):  # else another signal's byte, or the stop byte
            interrupt_until(conns, done.wait)
            return


def interrupt_until(conns: tuple[sqlite3.Connection, ...], ended: Callable[[float], bool]) -> None:
    """Interrupt the statements of `conns` every 50 ms until `ended(0.05)` (which waits up to
    that long) says the work using them is over. Again and again, because sqlite3_interrupt
    only stops the statements running when it is called: the thread using a connection may
    be between two statements at that moment."""
    while True:
        for conn in conns:
            with suppress(sqlite3.ProgrammingError):  # closed meanwhile
                conn.interrupt()
        if ended(0.05):
            return
