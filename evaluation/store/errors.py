"""What can go wrong with the store, as exceptions whose message a person can act on."""

from __future__ import annotations

import errno

import duckdb


class StoreError(Exception):
    """Something the user asked of the store that can't be done; the message says why."""


class StoreBusy(StoreError):
    """Another process held the store for longer than we were willing to wait."""


class StoreFull(StoreError):
    """The disk holding the store has no room for what was asked; nothing was changed."""


FULL_MESSAGE = (
    "The disk holding the store is full, so nothing was changed: the store still holds what "
    "it held before. Free some space on that disk (or move the store to a larger one) and try "
    "again."
)


def disk_full(error: BaseException) -> bool:
    """Whether ``error`` is the operating system saying the disk is full."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(error)
    return isinstance(error, duckdb.Error | OSError) and (
        "No space left on device" in text or "Disk quota exceeded" in text
    )
