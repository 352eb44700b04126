"""The DuckDB store: the one place that opens the database file.

Pages and the CLI share one ``Store`` per process and take a ``cursor()`` per script run or
thread; DuckDB connections are not safe to share across threads, cursors are cheap.

DuckDB lets one process at a time hold the file for writing. So that a scheduled
``python -m evaluation import`` can run while the dashboard is open, the dashboard holds the
file only while a script run is under way (``lease()``) and lets go between runs; whoever
finds the file busy retries for ``busy_seconds`` and then says so plainly (``StoreBusy``).
The connection is locked down: no reading or writing of other files, no extensions, and the
configuration can't be changed afterwards.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from evaluation.store.keys import load_key
from evaluation.store.schema import ensure_schema

DB_ENV = "EVALUATION_DB"
BUSY_ENV = "EVALUATION_BUSY_SECONDS"
DEFAULT_DB = Path("data") / "evaluation.duckdb"
DEFAULT_BUSY_SECONDS = 60.0
LOCKED_DOWN = {"enable_external_access": False, "lock_configuration": True}


def default_path() -> Path:
    return Path(os.environ.get(DB_ENV) or DEFAULT_DB)


class StoreError(Exception):
    """Something the user asked of the store that can't be done; the message says why."""


class StoreBusy(StoreError):
    """Another process held the store for longer than we were willing to wait."""


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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.key = load_key(self.path, key)
        self.hold = hold
        self.busy_seconds = (
            busy_seconds
            if busy_seconds is not None
            else float(os.environ.get(BUSY_ENV, DEFAULT_BUSY_SECONDS))
        )
        self._con: duckdb.DuckDBPyConnection | None = None
        self._leases = 0
        self._lock = threading.RLock()
        self._idle = threading.Condition(self._lock)
        self._rewriting = False
        self.changes = 0  # committed transactions through this object (figures.data_version)
        with self.lease(), self.transaction() as cur:
            ensure_schema(cur)

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
            self._idle.wait_for(lambda: not self._rewriting)
            self._leases += 1
        try:
            self.con  # noqa: B018 - opens the file now, so a busy store is reported here
            yield self
        finally:
            with self._lock:
                self._leases -= 1
                self._idle.notify_all()
                if self._leases == 0 and not self.hold and self._con is not None:
                    self._con.close()
                    self._con = None

    def rewrite_file(self, timeout: float = 60.0) -> None:
        """Copy the whole database into a fresh file and swap it in.

        DuckDB leaves deleted values in the file's free blocks; after an erasure only a fresh
        copy guarantees the bytes are gone. Waits for other script runs in this process to
        finish (the caller's own lease may be held) and keeps new ones out meanwhile. The swap
        is an atomic rename, so a crash leaves either the old file or the new one.
        """
        with self._lock:
            self._rewriting = True
            try:
                own = 1 if self._leases else 0
                if not self._idle.wait_for(lambda: self._leases <= own, timeout):
                    raise StoreBusy("The store is in use; try the erasure again in a minute.")
                if self._con is not None:
                    self._con.close()
                    self._con = None
                fresh = self.path.with_name(self.path.name + ".rewrite")
                fresh.unlink(missing_ok=True)
                copier = duckdb.connect()
                try:
                    copier.execute("ATTACH ? AS src (READ_ONLY)", [str(self.path)])
                    copier.execute("ATTACH ? AS dst", [str(fresh)])
                    copier.execute("COPY FROM DATABASE src TO dst")
                except duckdb.Error:
                    fresh.unlink(missing_ok=True)
                    raise StoreBusy(
                        "The rows are gone, but the store file could not be rewritten because "
                        "another connection has it open, so deleted values may remain in its "
                        "free space. Close other programs using the store, then run "
                        "'python -m evaluation compact'."
                    ) from None
                finally:
                    copier.close()
                os.replace(fresh, self.path)
                self.path.with_name(self.path.name + ".wal").unlink(missing_ok=True)
                self._con = self._connect()
            finally:
                self._rewriting = False
                self._idle.notify_all()

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
        """All or nothing: commit when the block ends, roll back on any error."""
        cur = self.cursor()
        cur.execute("BEGIN TRANSACTION")
        try:
            yield cur
        except BaseException:
            cur.execute("ROLLBACK")
            cur.close()
            raise
        cur.execute("COMMIT")
        cur.close()
        with self._lock:
            self.changes += 1  # part of figures.data_version: cached figures are now old
