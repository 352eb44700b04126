"""How much of the machine checks of uploaded files may hold at once, in one process.

A check holds several times its file's size while it runs (the bytes, DuckDB's reading of
them, the typed columns): a 150 MB export peaks at about five times that. Three people
uploading at once once took 3.5 GB of a server. So the files being checked at any moment in
the dashboard's process may add up to ``BUDGET_BYTES``; a check that would go over waits its
turn (the page says so) and, after ``WAIT_SECONDS``, is refused in plain words. After each
check the memory Arrow freed is handed back to the system rather than kept for reuse.
"""

from __future__ import annotations

import ctypes
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pyarrow as pa

from evaluation.ingest.reading import MAX_UPLOAD_BYTES, Refused

BUDGET_BYTES = 2 * MAX_UPLOAD_BYTES  # two of the largest files, or many small ones
WAIT_SECONDS = 300.0


class _Budget:
    def __init__(self) -> None:
        self.used = 0
        self.room = threading.Condition()

    @contextmanager
    def hold(
        self, size: int, waiting: Callable[[], None], limit: int, wait: float
    ) -> Iterator[None]:
        """Hold ``size`` bytes of the budget for the block (at most the whole budget)."""
        size = min(size, limit)
        deadline = time.monotonic() + wait
        with self.room:
            if self.used + size > limit:
                waiting()
            while self.used + size > limit:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Refused(
                        "The dashboard is busy checking other large files just now. Try this "
                        "one again in a few minutes: nothing was stored."
                    )
                self.room.wait(left)
            self.used += size
        try:
            yield
        finally:
            with self.room:
                self.used -= size
                self.room.notify_all()
            release_memory()


_BUDGET = _Budget()


def release_memory() -> None:
    """Hand the memory Arrow has freed back to the system (its allocator keeps it for reuse
    otherwise: a checked 150 MB file's columns stayed held, some 200 MB, after they went),
    and what C's own allocator holds freed (DuckDB's and the check's threads leave some
    70 MB after a million-row file on Linux)."""
    pa.default_memory_pool().release_unused()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _libc() -> ctypes.CDLL | None:
    """glibc, whose ``malloc_trim`` gives freed heap back; None elsewhere (macOS, musl)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None


_LIBC = _libc()


def checking(size: int, waiting: Callable[[], None]) -> AbstractContextManager[None]:
    """Hold room for checking a file of ``size`` bytes; ``waiting`` is called if it must wait."""
    return _BUDGET.hold(size, waiting, BUDGET_BYTES, WAIT_SECONDS)
