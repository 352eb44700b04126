"""The temporary copy of an upload that DuckDB reads: never left behind, never readable by others.

DuckDB reads a CSV from a path, so the uploaded bytes (every raw id in them) must sit
somewhere DuckDB can open while a check runs. On Linux that is an anonymous in-memory file
(``memfd_create``) read through ``/proc/self/fd``: it is in no folder, only this process (and
root) can open it, and the kernel frees it when the process ends however it ends — ``kill -9``
included. Elsewhere it is a file in a new owner-only folder of the temp folder, named with the
process id; it is removed when the check ends, and any such folder whose process is gone
(killed before it could tidy up) is removed by the next process that starts an import or the
dashboard. Folders the older version left in ``/dev/shm`` are removed the same way.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PREFIX = "evaluation-import-"
OLD_PLACES = ("/dev/shm",)  # where earlier versions wrote their copies
OLD_COPY_SECONDS = 600  # a copy of the old kind (no process id in its name) older than this
_swept = False


@contextmanager
def scratch_copy(data: bytes) -> Iterator[str]:
    """A path DuckDB can read ``data`` from, for the length of the block and no longer."""
    sweep_once()
    fd = _memory_file(data)
    if fd is not None:
        try:
            yield f"/proc/self/fd/{fd}"
        finally:
            os.close(fd)
        return
    path = _private_file(data)
    try:
        yield str(path)
    finally:
        _remove(path.parent)


def _memory_file(data: bytes) -> int | None:
    """An anonymous in-memory file holding ``data`` (None where the system has none)."""
    if not hasattr(os, "memfd_create") or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        fd = os.memfd_create("evaluation-import", os.MFD_CLOEXEC)
    except OSError:
        return None
    try:
        _write_all(fd, data)
    except OSError:
        os.close(fd)
        return None  # out of memory for it: the temp folder instead
    return fd


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _private_file(data: bytes) -> Path:
    """``data`` in a new file only this user can read, in a new folder of its own."""
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))  # mode 0700
    path = folder / "upload.csv"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
    except BaseException:
        _remove(folder)
        raise
    return path


def _remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def sweep_once() -> None:
    """``sweep`` the first time this process needs it (an import, the dashboard starting)."""
    global _swept
    if not _swept:
        _swept = True
        sweep()


def sweep(places: tuple[str, ...] | None = None) -> list[Path]:
    """Remove copies left by processes that were killed before they could; return them.

    A folder named with a process id is left while that process lives (it may be checking a
    file right now); one of the older kind, without an id, once it is ten minutes old. Only
    this user's folders are touched.
    """
    removed = []
    for place in places or (tempfile.gettempdir(), *OLD_PLACES):
        try:
            found = list(Path(place).glob(f"{PREFIX}*"))
        except OSError:
            continue
        for folder in found:
            if _stale(folder):
                _remove(folder)
                removed.append(folder)
    return removed


def _stale(folder: Path) -> bool:
    try:
        info = folder.lstat()
    except OSError:
        return False
    if not folder.is_dir() or info.st_uid != os.getuid():
        return False
    owner = folder.name[len(PREFIX) :].split("-", 1)[0]
    if owner.isdigit():
        return not _alive(int(owner))
    return time.time() - info.st_mtime > OLD_COPY_SECONDS


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: not ours to judge
    return True
