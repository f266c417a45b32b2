"""Writing files without ever losing one: the single way scenecat puts a file in place.

Every file scenecat writes (exports, articles, backups, safety copies, restore staging) is
first written to a temporary file created exclusively (`O_CREAT | O_EXCL`, an unpredictable
name, in the target's own folder so the final rename cannot cross file systems), flushed to
disk, then renamed over the target in one step. A link planted at the temporary name cannot
redirect the write (exclusive creation refuses an existing name, link or not), and the rename
replaces a link at the target rather than writing through it.

Targets that are not files (a pipe, a terminal, `/dev/stdout`) are written to directly:
replacing them with a file would break the pipe or, as root, the device node.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TypeVar

from scenecat.errors import InvalidInput, ScenecatError

T = TypeVar("T")


def describe_os_error(exc: OSError, path: Path | str) -> ScenecatError:
    """An OSError as something a person can act on (a full disk is not a bug)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return ScenecatError(
            f"cannot write {path}: the disk is full; nothing was changed",
            hint="free some space and run the command again",
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return ScenecatError(
            f"cannot write {path}: permission denied (read-only file or folder)",
            hint="choose a path you can write to",
        )
    return ScenecatError(f"cannot write {path}: {exc.strerror or exc}")


def is_special(path: Path) -> bool:
    """A target to write to directly: a device, pipe or socket, or anything under /dev or
    /proc (`/dev/stdout` is a link to whatever stdout is, possibly a plain file)."""
    absolute = os.path.abspath(path)
    if absolute.startswith(("/dev/", "/proc/")):
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def check_target(path: Path) -> None:
    """Refuse targets that cannot be a file: an empty name, a folder, a missing folder."""
    if str(path) in ("", "."):
        # Typer turns `-o ""` into Path("."), so the two cannot be told apart here.
        raise InvalidInput(
            "the output file name is empty (or '.', a folder)",
            hint="give a file name, or - for stdout",
        )
    if is_special(path):
        return
    if path.is_dir():
        raise InvalidInput(
            f"cannot write {path}: it is a folder, not a file", hint="give a file name inside it"
        )
    folder = path.parent
    if not folder.is_dir():
        raise InvalidInput(f"cannot write {path}: there is no folder {folder}")


@dataclass
class Staged:
    """A temporary file being written; `final` is where it ended up."""

    temp: Path
    final: Path


def _default_mode(target: Path, *, folder: bool = False) -> int:
    # mkstemp (mkdtemp) makes a private 0600 file (0700 folder); give it the mode a plain
    # open() (mkdir) would, or keep the mode of the file (empty folder) it replaces.
    try:
        return os.stat(target).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return (0o777 if folder else 0o666) & ~umask


def _fsync_path(path: Path | str, directory: bool = False) -> None:
    flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return  # some systems cannot open a folder; the data itself was synced
    try:
        os.fsync(fd)
    except OSError:
        if not directory:
            raise
    finally:
        os.close(fd)


def _numbered(target: Path, n: int) -> Path:
    """catalogue.db.before-restore-X.bak -> catalogue.db.before-restore-X-2.bak"""
    if target.suffix:
        return target.with_name(f"{target.name[: -len(target.suffix)]}-{n}{target.suffix}")
    return target.with_name(f"{target.name}-{n}")


def _link_new(temp: Path, target: Path) -> Path:
    """Give `temp` the name `target`, or target-2, -3, ... if taken: never replaces a file."""
    n = 1
    candidate = target
    while not _link_if_free(temp, candidate):
        n += 1
        candidate = _numbered(target, n)
    return candidate


def _link_if_free(temp: Path, target: Path) -> bool:
    """Give `temp` the name `target` unless a file has it (False): never replaces one."""
    try:
        os.link(temp, target)
    except FileExistsError:
        return False
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        # No hard links here (FAT, some network file systems): reserve the name
        # exclusively, then rename over our own placeholder.
        try:
            os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            return False
        os.replace(temp, target)
        return True
    os.unlink(temp)
    return True


# Every temporary file or folder scenecat makes is named `.TARGET.RANDOM` + one of these,
# in the target's folder, and nothing else is: so `sweep` can find the leftovers of any
# killed run (a temporary made for another temporary would be named after that one, which
# no later run knows: a copy into a temporary is written in place instead).
_TEMP_SUFFIXES = (".part", ".restore.tmp", ".check.tmp")
# What SQLite keeps beside a database file while it is open: a temporary catalogue (a
# salvage, a restore check) leaves these behind too when its process is killed.
_SQLITE_SIDECARS = ("-wal", "-shm", "-journal")
# A temporary younger than this is never swept: its maker may not have locked it yet.
_STALE_AFTER_S = 30.0


def _lock(fd: int, *, wait: bool) -> bool:
    """An advisory lock on a temporary file or folder while it is in use (released by the
    kernel when the process dies, even by SIGKILL); False if another process holds it."""
    try:
        import fcntl
    except ImportError:  # Windows: no sweeping of stale files
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError:
        return False
    return True


def _old(fd: int) -> bool:
    return time.time() - os.fstat(fd).st_mtime > _STALE_AFTER_S


def _sweep_one(path: Path) -> None:
    """Remove a temporary file or folder if it is old and no live process holds its lock.
    Never follows a link: a link planted at a temporary name is left alone."""
    import shutil

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return
    try:
        if not (_old(fd) and _lock(fd, wait=False)):
            return
        with suppress(OSError):
            if stat.S_ISDIR(os.fstat(fd).st_mode):
                shutil.rmtree(path)
            else:
                path.unlink()
    finally:
        os.close(fd)


def _sweep_sidecar(path: Path, owner: Path) -> None:
    """A -wal/-shm/-journal file of a temporary catalogue: SQLite only uses one beside its
    database file, so once that file is gone (swept, or removed by its maker) it is litter."""
    if owner.exists() or owner.is_symlink():
        return
    try:
        st = os.lstat(path)
    except OSError:
        return
    if stat.S_ISREG(st.st_mode) and time.time() - st.st_mtime > _STALE_AFTER_S:
        with suppress(OSError):
            path.unlink()


def sweep(near: Path) -> None:
    """Remove temporary files and folders next to `near` left by a scenecat process that
    was killed before it could clean up (old, and nobody holds their lock any more), with
    the files SQLite kept beside them."""
    try:
        # `..NAME.*`: a temporary made for a temporary, as earlier versions of scenecat
        # named them (`..catalogue.db.X.check.tmp.Y.part`).
        candidates = [*near.parent.glob(f".{near.name}.*"), *near.parent.glob(f"..{near.name}.*")]
    except OSError:
        return
    sidecars = []
    for path in candidates:
        name = path.name
        base = name[: -len(side)] if (side := _sidecar(name)) else name
        if not _TEMP_NAME.search(base):
            continue
        if side:
            sidecars.append((path, path.with_name(base)))
        else:
            _sweep_one(path)
    for path, owner in sidecars:
        _sweep_sidecar(path, owner)


# The end of a temporary's name: mkstemp's eight random characters, then its suffix (a
# user's own `.site.old.part` is not one).
_TEMP_NAME = re.compile(
    r"\.[a-z0-9_]{8}(?:" + "|".join(re.escape(suffix) for suffix in _TEMP_SUFFIXES) + r")$"
)


def _sidecar(name: str) -> str:
    return next((side for side in _SQLITE_SIDECARS if name.endswith(side)), "")


@contextmanager
def temporary(near: Path, suffix: str = ".part") -> Iterator[Path]:
    """An exclusively created, unpredictably named empty file in `near`'s folder, removed
    when the block ends (also on Ctrl-C): no fixed name for a planted link to catch, no
    litter left behind. It stays locked while in use, so that a later run can tell the
    leftovers of a killed process (`sweep`) from a file another process is writing."""
    import tempfile

    if suffix not in _TEMP_SUFFIXES:
        raise ValueError(f"{suffix!r}: a temporary's suffix must be one sweep() knows")
    sweep(near)
    fd, name = tempfile.mkstemp(prefix=f".{near.name}.", suffix=suffix, dir=near.parent)
    path = Path(name)
    try:
        _lock(fd, wait=True)
        yield path
    finally:
        with suppress(FileNotFoundError):
            path.unlink()
        os.close(fd)


@contextmanager
def staged(target: Path, *, keep_existing: bool = False) -> Iterator[Staged]:
    """Yield a temporary file next to `target` (see `temporary`); when the block ends
    without an error it is synced and renamed to `target` (with `keep_existing`, to the
    first free name of target, target-2, ...: a safety copy never replaces anything).
    On any error, or Ctrl-C, the temporary file is removed."""
    with temporary(target) as temp:
        result = Staged(temp, target)
        yield result
        os.chmod(temp, _default_mode(target))
        _fsync_path(temp)
        if keep_existing:
            result.final = _link_new(temp, target)
        else:
            os.replace(temp, target)
        _fsync_path(target.parent, directory=True)


@contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """Yield a new, exclusively created, unpredictably named folder next to `target`
    (named and locked like a temporary file, so that `sweep` removes it once its maker is
    killed); when the block ends without an error it is renamed to `target`, which must
    then be absent or an empty folder (nothing is replaced). On any error, or Ctrl-C, the
    folder is removed. `target` is taken as it is: resolve a link first to publish into
    the folder it points to."""
    import shutil
    import tempfile

    sweep(target)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent))
    fd = os.open(work, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        _lock(fd, wait=True)
        yield work
        os.chmod(work, _default_mode(target, folder=True))
        if target.is_dir() and not target.is_symlink():
            target.rmdir()  # fails unless empty: a folder with contents is never replaced
        os.rename(work, target)
        _fsync_path(target.parent, directory=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        os.close(fd)


def write_text(
    target: Path,
    write: Callable[[IO[str]], T],
    *,
    encoding: str = "utf-8",
    newline: str | None = "",
) -> T:
    """Write text to `target` atomically (or directly to a pipe or device); returns what
    `write(handle)` returned. OSErrors become clear ScenecatErrors."""
    check_target(target)
    try:
        if is_special(target):
            # Append, never truncate: `-o /dev/stdout >> log` must not wipe the log (for a
            # pipe or a device appending is the same as writing).
            with open(target, "a", encoding=encoding, newline=newline) as handle:
                return write(handle)
        # The file closes (and flushes) before the stage is synced and renamed.
        with (
            staged(target) as stage,
            open(stage.temp, "w", encoding=encoding, newline=newline) as handle,
        ):
            value = write(handle)
        return value
    except OSError as exc:
        raise describe_os_error(exc, target) from None


def write_new_text(target: Path, text: str) -> bool:
    """Write `text` to `target` if no file has that name, whole or not at all; False (and
    nothing written) when one has, even one appearing while this writes."""
    check_target(target)
    try:
        with temporary(target) as temp:
            temp.write_text(text, encoding="utf-8", newline="")
            os.chmod(temp, _default_mode(target))
            _fsync_path(temp)
            written = _link_if_free(temp, target)
            if written:
                _fsync_path(target.parent, directory=True)
            return written
    except OSError as exc:
        raise describe_os_error(exc, target) from None
