"""The DuckDB store: the one place that opens the database file.

Pages and the CLI share one ``Store`` per process and take a ``cursor()`` per script run or
thread; DuckDB connections are not safe to share across threads, cursors are cheap.

DuckDB lets one process at a time hold the file for writing. So that a scheduled
``python -m evaluation import`` can run while the dashboard is open, the dashboard holds the
file only while a script run is under way (``lease()``) and lets go between runs; whoever
finds the file busy retries for ``busy_seconds`` and then says so plainly (``StoreBusy``).
The connection is locked down: no reading or writing of other files, no extensions, and the
configuration can't be changed afterwards.

Within one process, writes take turns (a lock around every transaction), so two uploads of
the same ids at once each land whole and report what they did, never a DuckDB conflict. The
files the store is made of are its owner's only. A disk that fills up mid-write is reported
plainly (``StoreFull``): the transaction is rolled back and nothing is changed. An erasure
interrupted by a crash is finished when the store is next opened (``finish_erasures``).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb

from evaluation.store import forget, rewrite
from evaluation.store.errors import FULL_MESSAGE, StoreBusy, StoreError, StoreFull, disk_full
from evaluation.store.keys import load_key
from evaluation.store.schema import ensure_schema

__all__ = ["DB_ENV", "Store", "StoreBusy", "StoreError", "StoreFull", "default_path"]

DB_ENV = "EVALUATION_DB"
BUSY_ENV = "EVALUATION_BUSY_SECONDS"
DEFAULT_DB = Path("data") / "evaluation.duckdb"
DEFAULT_BUSY_SECONDS = 60.0
LOCKED_DOWN = {
    "enable_external_access": False,
    "lock_configuration": True,
    # A batch's rows are flushed to the file a row group at a time: buffering five (DuckDB's
    # default) held some 170 MB more while a million-row import was written, no quicker.
    "write_buffer_row_group_count": 1,
}


def default_path() -> Path:
    return Path(os.environ.get(DB_ENV) or DEFAULT_DB)


def owner_only() -> None:
    """Files and folders this process creates from now on are its owner's only (0600, 0700).

    DuckDB creates the store, its write-ahead log (again after every checkpoint) and its
    temporary files with the process's umask; setting it is the one way none of them is ever
    readable by others, even for a moment."""
    current = os.umask(0o077)
    os.umask(current | 0o077)


def _tighten(path: Path) -> None:
    """A store made before files were owner-only becomes so."""
    for existing in (path, rewrite.wal_path(path)):
        if existing.exists() and existing.stat().st_mode & 0o077:
            existing.chmod(0o600)


def _unfinished(error: StoreError) -> str:
    """What an erasure whose rewrite failed tells the operator (the rows are already gone)."""
    if isinstance(error, StoreFull):
        reason = "the disk holding the store has no room for a fresh copy of it"
    elif isinstance(error, StoreBusy):
        reason = "another program has the store open"
    else:
        reason = str(error)
    return (
        "The rows about the person are gone, but the store file could not be rewritten yet "
        f"({reason}), so their values may remain in its free space. The erasure log keeps "
        "the erasure as unfinished: it is finished when the store next opens with room to "
        "spare, or by 'python -m evaluation compact'."
    )


class Store:
    """One DuckDB file and the pseudonym key that goes with it."""

    def __init__(
        self,
        path: Path | str | None = None,
        key: str | None = None,
        *,
        hold: bool = True,
        busy_seconds: float | None = None,
    ) -> None:
        """Open the store at ``path``.

        ``hold=True`` (the CLI, tests) keeps the file open until ``close()``; ``hold=False``
        (the dashboard) opens it for each ``lease()`` and lets go when the last lease ends.
        """
        self.path = Path(path) if path else default_path()
        owner_only()
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _tighten(self.path)
        self.key = load_key(self.path, key)
        self.hold = hold
        self.busy_seconds = (
            busy_seconds
            if busy_seconds is not None
            else float(os.environ.get(BUSY_ENV, DEFAULT_BUSY_SECONDS))
        )
        self._con: duckdb.DuckDBPyConnection | None = None
        self._leases = 0
        self._mine = threading.local()  # leases held by the current thread
        self._lock = threading.RLock()
        self._idle = threading.Condition(self._lock)
        self._rewriting = False
        self._writing = threading.RLock()  # one write transaction at a time in this process
        self.changes = 0  # committed transactions through this object (figures.data_version)
        self.notices: list[str] = []  # what opening the store found to tell the operator
        with self.lease():
            with self.transaction() as cur:
                ensure_schema(cur)
            rewrite.remove_leftovers(self.path)  # the file is ours: no rewrite is under way
        self.finished_on_open = False  # an interrupted erasure was finished by this opening
        try:
            with self.lease(), self.transaction() as cur:
                unfinished = forget.unrewritten(cur) + forget.waiting(cur)
            if unfinished:
                self.finish_erasures()
                self.finished_on_open = True
                self.notices.append(
                    "An erasure that had been interrupted is now finished: nothing of that "
                    "person remains in the store file."
                )
        except StoreError as error:
            self.notices.append(str(error))

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The open connection, opening the file (waiting while it is busy) if need be."""
        with self._lock:
            if self._con is None:
                self._con = self._connect()
            return self._con

    def _connect(self) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + self.busy_seconds
        pause = 0.05
        while True:
            try:
                return duckdb.connect(str(self.path), config=dict(LOCKED_DOWN))
            except duckdb.IOException as error:
                if "lock" not in str(error).lower():
                    raise
                if time.monotonic() >= deadline:
                    raise StoreBusy(
                        f"The store {self.path.name} is busy: another program (the dashboard, "
                        f"or an import) has been using it for over {self.busy_seconds:.0f} "
                        "seconds. Nothing was changed; try again in a few minutes."
                    ) from None
                time.sleep(pause)
                pause = min(pause * 2, 1.0)

    @contextmanager
    def lease(self) -> Iterator[Store]:
        """Hold the file open for a unit of work (a script run); let go after the last one."""
        with self._lock:
            self._idle.wait_for(lambda: not self._rewriting or self._held_here())
            self._leases += 1
            self._mine.count = self._held_here() + 1
        try:
            self.con  # noqa: B018 - opens the file now, so a busy store is reported here
            yield self
        finally:
            with self._lock:
                self._leases -= 1
                self._mine.count -= 1
                self._idle.notify_all()
                if self._leases == 0 and not self.hold and self._con is not None:
                    self._con.close()
                    self._con = None

    def _held_here(self) -> int:
        return int(getattr(self._mine, "count", 0))

    def rewrite_file(self, timeout: float = 60.0) -> None:
        """Copy the whole database into a fresh file and swap it in (``store.rewrite``).

        DuckDB leaves deleted values in the file's free blocks; after an erasure only a fresh
        copy guarantees the bytes are gone. Waits for other script runs in this process to
        finish (the caller's own lease may be held) and keeps new ones out meanwhile. Refused
        plainly when the disk has no room for the copy; whatever happens the file holds the
        old state or the new one. Erasures logged before it are then complete.
        """
        with self._lock:
            self._rewriting = True
            own = self._held_here()  # the caller's own leases (nested ones too)
            try:
                if not self._idle.wait_for(lambda: self._leases <= own, timeout):
                    raise StoreBusy("The store is in use; try again in a minute.")
                if self._con is not None:
                    self._close_quietly()
                rewrite.rewrite(self.path)
            finally:
                if own or self.hold:
                    self._con = self._connect()
                self._rewriting = False
                self._idle.notify_all()
        with self.lease(), self.transaction() as cur:
            forget.mark_rewritten(cur)

    def finish_erasures(self) -> int:
        """Finish any erasure a crash interrupted: delete the rows still waiting, rewrite the
        file if an erasure has not been followed by a rewrite. Returns the rows deleted.

        Raises ``StoreError`` (the rows are gone, the rewrite could not be done) when the disk
        has no room; the log keeps the erasure as still to finish."""
        with self.lease():
            with self.transaction() as cur:
                removed = forget.delete_pending(cur)
                waiting = forget.unrewritten(cur)
            if waiting:
                try:
                    self.rewrite_file()
                except StoreError as error:
                    raise StoreError(_unfinished(error)) from None
        return removed

    def _close_quietly(self) -> None:
        """Close the connection; a checkpoint that fails on close (a full disk) leaves the
        write-ahead log in place, which the next opening replays."""
        con, self._con = self._con, None
        if con is not None:
            with suppress(duckdb.Error):
                con.close()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for one script run or thread; never share one across threads."""
        return self.con.cursor()

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All or nothing: commit when the block ends, roll back on any error.

        Write transactions in this process take turns, so two of them never conflict. A full
        disk is reported as ``StoreFull`` (rolled back: nothing changed), and a conflict with
        another connection as ``StoreBusy``: never DuckDB's own words.
        """
        with self._writing:
            cur = self.cursor()
            try:
                cur.execute("BEGIN TRANSACTION")
                yield cur
                cur.execute("COMMIT")
            except BaseException as error:
                self._roll_back(cur)
                if disk_full(error):
                    self._after_full_disk()
                    raise StoreFull(FULL_MESSAGE) from None
                if isinstance(error, duckdb.TransactionException):
                    raise StoreBusy(
                        "Someone else changed the same rows at the same moment, so nothing was "
                        "changed this time. Try again."
                    ) from None
                raise
            finally:
                cur.close()
        with self._lock:
            self.changes += 1  # part of figures.data_version: cached figures are now old

    @staticmethod
    def _roll_back(cur: duckdb.DuckDBPyConnection) -> None:
        # The commit itself failed, or the database needs reopening: nothing left to undo.
        with suppress(duckdb.Error):
            cur.execute("ROLLBACK")

    def _after_full_disk(self) -> None:
        """DuckDB may refuse further work on a database whose write failed: reopen it next
        time (unless other script runs still hold this connection)."""
        with self._lock:
            if self._leases <= 1:
                self._close_quietly()
