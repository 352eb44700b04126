"""The DuckDB store: the one module that opens the database file and writes to it.

A table per record kind (columns from the contract models, plus the batch that brought
each row), a ``<kind>_replaced`` table keeping the rows a later batch replaced (so every
batch can be undone and nothing right is ever lost), and the import log.

Pages and the CLI share one ``Store`` per process and take a ``cursor()`` per script run or
thread; DuckDB connections are not safe to share across threads, cursors are cheap.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from evaluation.contract import KINDS, Kind
from evaluation.pseudonym import load_key

DB_ENV = "EVALUATION_DB"
DEFAULT_DB = Path("data") / "evaluation.duckdb"

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


def default_path() -> Path:
    return Path(os.environ.get(DB_ENV) or DEFAULT_DB)


class StoreError(Exception):
    """Something the user asked of the store that can't be done; the message says why."""


@dataclass(frozen=True)
class BatchResult:
    batch_id: str | None
    added: int
    replaced: int
    unchanged: int


class Store:
    """One DuckDB file and the pseudonym key that goes with it."""

    def __init__(self, path: Path | str | None = None, key: str | None = None) -> None:
        self.path = Path(path) if path else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.key = load_key(self.path, key)
        self.con = duckdb.connect(str(self.path))
        self._ensure_schema()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for one script run or thread; never share one across threads."""
        return self.con.cursor()

    def close(self) -> None:
        self.con.close()

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
        ``_replaced`` table for undo. When nothing differs no batch is recorded, so importing
        the same file twice leaves the store exactly as it was.
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
            if unchanged == total:
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
                "INSERT INTO import_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
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
                ],
            )
        return BatchResult(batch_id, added, replaced, unchanged)

    @staticmethod
    def _next_batch_id(cur: duckdb.DuckDBPyConnection) -> str:
        count = cur.execute("SELECT count(*) FROM import_log").fetchall()[0][0]
        return f"B{count + 1:05d}"

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
