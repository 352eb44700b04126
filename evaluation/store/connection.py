"""The DuckDB store: the one module that opens the database file and writes to it.

A table per record kind (columns from the contract models, plus the batch that brought
each row), a ``<kind>_replaced`` table keeping the rows a later batch replaced (so every
batch can be undone and nothing right is ever lost), and the import log.

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
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from evaluation.core.contract import KINDS, Kind
from evaluation.store.keys import load_key

DB_ENV = "EVALUATION_DB"
BUSY_ENV = "EVALUATION_BUSY_SECONDS"
DEFAULT_DB = Path("data") / "evaluation.duckdb"
DEFAULT_BUSY_SECONDS = 60.0
LOCKED_DOWN = {"enable_external_access": False, "lock_configuration": True}

LOG_COLUMNS = (
    "batch_id VARCHAR NOT NULL",
    "kind VARCHAR NOT NULL",
    "file_name VARCHAR NOT NULL",
    "sha256 VARCHAR NOT NULL",
    "rows_added INTEGER NOT NULL",
    "rows_replaced INTEGER NOT NULL",
    "rows_unchanged INTEGER NOT NULL",
    "as_of DATE NOT NULL",
    "imported_at TIMESTAMP NOT NULL",
    "imported_by VARCHAR NOT NULL",
    "source VARCHAR NOT NULL",
    "undone_at TIMESTAMP",
    "undone_by VARCHAR",
)


# The data's as-of date for each site: the newest extract date of any active conversations
# batch that carried rows of that site, changed or not. A weekly full extract re-imported with
# the same rows still moves its sites' as-of date on (write_batch records such a batch).
SITE_AS_OF_VIEW = """
CREATE OR REPLACE VIEW site_as_of AS
SELECT site, max(as_of) AS as_of
FROM (SELECT unnest(sites) AS site, as_of FROM import_log
      WHERE kind = 'conversations' AND undone_at IS NULL)
GROUP BY site
"""


def default_path() -> Path:
    return Path(os.environ.get(DB_ENV) or DEFAULT_DB)


class StoreError(Exception):
    """Something the user asked of the store that can't be done; the message says why."""


class StoreBusy(StoreError):
    """Another process held the store for longer than we were willing to wait."""


@dataclass(frozen=True)
class BatchResult:
    batch_id: str | None
    added: int
    replaced: int
    unchanged: int


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
        with self.lease():
            self._ensure_schema()

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

    def _ensure_schema(self) -> None:
        cur = self.cursor()
        for kind in KINDS.values():
            columns = [f"{c} {kind.sql_type(c)}" for c in kind.columns]
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {kind.name} ({', '.join(columns)}, batch_id VARCHAR)"
            )
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {kind.name}_replaced "
                f"({', '.join(columns)}, batch_id VARCHAR, replaced_by VARCHAR)"
            )
        cur.execute(f"CREATE TABLE IF NOT EXISTS import_log ({', '.join(LOG_COLUMNS)})")
        # Stores made before batches recorded their sites gain the column (empty for them).
        cur.execute("ALTER TABLE import_log ADD COLUMN IF NOT EXISTS sites VARCHAR[]")
        cur.execute("CREATE SEQUENCE IF NOT EXISTS batch_number START 1")
        cur.execute(SITE_AS_OF_VIEW)
        cur.close()

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

    # --- writing -------------------------------------------------------------------------

    def write_batch(
        self,
        kind: Kind,
        rows: pa.Table,
        *,
        file_name: str,
        sha256: str,
        as_of: date,
        imported_by: str,
        source: str,
    ) -> BatchResult:
        """Land one validated batch in one transaction; rows identical to stored ones are left be.

        An id already stored with different values is replaced, its old row kept in the
        ``_replaced`` table for undo. When nothing differs and the extract is no newer than what
        the store already has for its sites, no batch is recorded, so importing the same file
        twice leaves the store exactly as it was. A newer extract with the same rows is recorded
        (nothing added or replaced) so that its sites' as-of date moves on.
        """
        table, key = kind.name, kind.id_column
        same = " AND ".join(f"t.{c} IS NOT DISTINCT FROM i.{c}" for c in kind.columns)
        with self.transaction() as cur:
            cur.register("incoming", rows)
            total = rows.num_rows
            unchanged = cur.execute(
                f"SELECT count(*) FROM incoming i JOIN {table} t ON t.{key} = i.{key} WHERE {same}"
            ).fetchall()[0][0]
            replaced = cur.execute(
                f"SELECT count(*) FROM incoming i JOIN {table} t ON t.{key} = i.{key} "
                f"WHERE NOT ({same})"
            ).fetchall()[0][0]
            sites = (
                cur.execute("SELECT list(DISTINCT site ORDER BY site) FROM incoming").fetchall()[0][
                    0
                ]
                if "site" in kind.columns
                else None
            )
            if unchanged == total and (
                self._same_file(cur, kind.name, sha256)
                or not self._newer_extract(cur, kind.name, sites, as_of)
            ):
                cur.unregister("incoming")
                return BatchResult(None, 0, 0, unchanged)
            batch_id = self._next_batch_id(cur)
            cur.execute(
                f"INSERT INTO {table}_replaced SELECT t.*, ? FROM {table} t "
                f"JOIN incoming i ON t.{key} = i.{key} WHERE NOT ({same})",
                [batch_id],
            )
            cur.execute(
                f"DELETE FROM {table} WHERE {key} IN "
                f"(SELECT {key} FROM {table}_replaced WHERE replaced_by = ?)",
                [batch_id],
            )
            cur.execute(
                f"INSERT INTO {table} SELECT i.*, ? FROM incoming i "
                f"WHERE i.{key} NOT IN (SELECT {key} FROM {table})",
                [batch_id],
            )
            cur.unregister("incoming")
            added = total - unchanged - replaced
            cur.execute(
                "INSERT INTO import_log (batch_id, kind, file_name, sha256, rows_added, "
                "rows_replaced, rows_unchanged, as_of, imported_at, imported_by, source, sites) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    batch_id,
                    kind.name,
                    file_name,
                    sha256,
                    added,
                    replaced,
                    unchanged,
                    as_of,
                    datetime.now().replace(microsecond=0),
                    imported_by,
                    source,
                    sites,
                ],
            )
        return BatchResult(batch_id, added, replaced, unchanged)

    @staticmethod
    def _same_file(cur: duckdb.DuckDBPyConnection, kind: str, sha256: str) -> bool:
        """The very same bytes are already in: the same extract, whatever date is claimed."""
        return bool(
            cur.execute(
                "SELECT count(*) FROM import_log "
                "WHERE kind = ? AND sha256 = ? AND undone_at IS NULL",
                [kind, sha256],
            ).fetchall()[0][0]
        )

    @staticmethod
    def _newer_extract(
        cur: duckdb.DuckDBPyConnection, kind: str, sites: list[str] | None, as_of: date
    ) -> bool:
        """Is ``as_of`` later than every active batch of this kind covering these sites?"""
        latest = cur.execute(
            "SELECT max(as_of) FROM import_log WHERE kind = ? AND undone_at IS NULL "
            "AND (?::VARCHAR[] IS NULL OR list_has_any(sites, ?::VARCHAR[]))",
            [kind, sites, sites],
        ).fetchall()[0][0]
        return latest is None or as_of > latest

    @staticmethod
    def _next_batch_id(cur: duckdb.DuckDBPyConnection) -> str:
        """From a sequence: two uploads landing at the same moment never share an id."""
        number = cur.execute("SELECT nextval('batch_number')").fetchall()[0][0]
        return f"B{number:05d}"

    def undo(self, batch_id: str, by: str) -> dict[str, Any]:
        """Take a batch back out: its rows go, the rows it replaced come back.

        A batch whose rows a later batch has since replaced can't be undone until that later
        batch is; undoing out of order would bring back rows that are no longer the latest.
        """
        with self.transaction() as cur:
            found = cur.execute(
                "SELECT kind, undone_at FROM import_log WHERE batch_id = ?", [batch_id]
            ).fetchall()
            if not found:
                raise StoreError(f"There is no batch {batch_id}.")
            kind_name, undone_at = found[0]
            if undone_at is not None:
                raise StoreError(f"Batch {batch_id} was already undone on {undone_at:%d/%m/%Y}.")
            table = kind_name
            later = [
                r[0]
                for r in cur.execute(
                    f"SELECT DISTINCT replaced_by FROM {table}_replaced "
                    "WHERE batch_id = ? AND replaced_by <> ? ORDER BY 1",
                    [batch_id, batch_id],
                ).fetchall()
            ]
            if later:
                raise StoreError(
                    f"Batch {batch_id} can't be undone yet: later batch(es) {', '.join(later)} "
                    "replaced some of its rows. Undo those first."
                )
            removed = cur.execute(
                f"SELECT count(*) FROM {table} WHERE batch_id = ?", [batch_id]
            ).fetchall()[0][0]
            cur.execute(f"DELETE FROM {table} WHERE batch_id = ?", [batch_id])
            restored = cur.execute(
                f"SELECT count(*) FROM {table}_replaced WHERE replaced_by = ?", [batch_id]
            ).fetchall()[0][0]
            columns = ", ".join([*KINDS[kind_name].columns, "batch_id"])
            cur.execute(
                f"INSERT INTO {table} SELECT {columns} FROM {table}_replaced WHERE replaced_by = ?",
                [batch_id],
            )
            cur.execute(f"DELETE FROM {table}_replaced WHERE replaced_by = ?", [batch_id])
            cur.execute(
                "UPDATE import_log SET undone_at = ?, undone_by = ? WHERE batch_id = ?",
                [datetime.now().replace(microsecond=0), by, batch_id],
            )
        return {"batch_id": batch_id, "kind": kind_name, "removed": removed, "restored": restored}

    # --- reading -------------------------------------------------------------------------

    def batches(self) -> list[dict[str, Any]]:
        """The import log, newest first."""
        cur = self.cursor()
        result = cur.execute("SELECT * FROM import_log ORDER BY batch_id DESC")
        names = [d[0] for d in result.description]
        rows = [dict(zip(names, row, strict=True)) for row in result.fetchall()]
        cur.close()
        return rows

    def count(self, kind: str) -> int:
        cur = self.cursor()
        n = cur.execute(f"SELECT count(*) FROM {KINDS[kind].name}").fetchall()[0][0]
        cur.close()
        return int(n)

    def is_empty(self) -> bool:
        return all(self.count(kind) == 0 for kind in KINDS)
