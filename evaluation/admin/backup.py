"""Backup and restore as Parquet: one file per table and a manifest.

Parquet is read by DuckDB, pandas, Power BI and most BI tools, so a backup is also a way out of
the dashboard. The files are written by pyarrow from the locked-down connection's own results
(the store's connection may not write files itself). The pseudonym key is never part of a
backup: keep it separately, or the restored pseudonyms will not match new imports.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq

from evaluation.store import batches
from evaluation.store.connection import Store, StoreError
from evaluation.store.query import cursor

MANIFEST = "manifest.json"


def _tables(cur: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0]
        for r in cur.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY table_name"
        ).fetchall()
    ]


def backup(store: Store, out: Path) -> dict[str, Any]:
    """Write every table of the store to ``out`` as Parquet, with a manifest of row counts."""
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    with cursor(store) as cur:
        for table in _tables(cur):
            data = cur.sql(f"SELECT * FROM {table}").to_arrow_table()
            pq.write_table(data, out / f"{table}.parquet")
            counts[table] = data.num_rows
        last = cur.execute(
            "SELECT last_value FROM duckdb_sequences() WHERE sequence_name = 'batch_number'"
        ).fetchall()
    manifest = {
        "created_at": datetime.now().replace(microsecond=0).isoformat(),
        "store": store.path.name,
        "duckdb": duckdb.__version__,
        "tables": counts,
        "last_batch_number": int(last[0][0]) if last and last[0][0] is not None else 0,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def restore(store: Store, source: Path, *, replace: bool = False) -> dict[str, Any]:
    """Load a backup into the store in one transaction.

    Refuses to overwrite a store that holds data unless ``replace`` is given, so a restore can
    never silently throw away imports made since the backup.
    """
    manifest_path = source / MANIFEST
    if not manifest_path.exists():
        raise StoreError(f"{source} is not a backup: it has no {MANIFEST}.")
    manifest = json.loads(manifest_path.read_text())
    if not batches.is_empty(store) and not replace:
        raise StoreError(
            "The store already holds data. Restore into an empty store, or pass --replace "
            "to replace everything in it with the backup."
        )
    with store.transaction() as cur:
        existing = set(_tables(cur))
        for table, rows in manifest["tables"].items():
            data = pq.read_table(source / f"{table}.parquet")
            if data.num_rows != rows:
                raise StoreError(
                    f"{table}.parquet has {data.num_rows} rows; the manifest says {rows}."
                )
            cur.register("restored", data)
            if table in existing:
                cur.execute(f"DELETE FROM {table}")
                cur.execute(f"INSERT INTO {table} BY NAME SELECT * FROM restored")
            else:
                cur.execute(f"CREATE TABLE {table} AS SELECT * FROM restored")
            cur.unregister("restored")
        cur.execute("DROP SEQUENCE IF EXISTS batch_number")
        cur.execute(f"CREATE SEQUENCE batch_number START {int(manifest['last_batch_number']) + 1}")
    return manifest
