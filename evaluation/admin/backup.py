"""Backup and restore as Parquet: one file per table and a manifest.

Parquet is read by DuckDB, pandas, Power BI and most BI tools, so a backup is also a way out of
the dashboard. The files are written by pyarrow from the locked-down connection's own results
(the store's connection may not write files itself). The pseudonym key is never part of a
backup: keep it separately, or the restored pseudonyms will not match new imports.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from evaluation.core.contract import KINDS
from evaluation.store import batches, kept_tables, profiles, regional, rewrite, settings
from evaluation.store.connection import Store, StoreError
from evaluation.store.errors import StoreFull
from evaluation.store.query import cursor

MANIFEST = "manifest.json"
# The erasure log is a record of what was done, not data: a restore adds the backup's entries
# to it and never throws the store's own away.
KEPT = frozenset({"erasure_log"})


def defined_tables() -> list[str]:
    """Every table the store defines, by the package's own names: the only names a backup is
    written or restored under (never the text of a manifest, which anyone could edit)."""
    kinds = [name for kind in KINDS.values() for name in (kind.name, f"{kind.name}_replaced")]
    return [*kinds, "import_log", "erasure_log", "regional_figures", "mapping_profiles", "settings"]


def _tables(cur: duckdb.DuckDBPyConnection) -> list[str]:
    """The defined tables this store holds now (regional figures appear on first upload)."""
    held = {
        r[0]
        for r in cur.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT temporary "
            "AND database_name = current_database() AND schema_name = 'main'"
        ).fetchall()
    }
    return [t for t in defined_tables() if t in held]


def _private(path: Path) -> int:
    """A new file only its owner can read or write (a backup holds pseudonymised records)."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)


def backup(store: Store, out: Path) -> dict[str, Any]:
    """Write every table of the store to ``out`` as Parquet, with a manifest of row counts.

    The folder and its files are their owner's only (0700, 0600)."""
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    out.chmod(0o700)
    counts: dict[str, int] = {}
    with cursor(store) as cur:
        for table in _tables(cur):
            data = cur.sql(f"SELECT * FROM {table}").to_arrow_table()
            with os.fdopen(_private(out / f"{table}.parquet"), "wb") as handle:
                pq.write_table(data, handle)
            counts[table] = data.num_rows
        last = cur.execute(
            "SELECT last_value FROM duckdb_sequences() WHERE sequence_name = 'batch_number' "
            "AND database_name = current_database()"
        ).fetchall()
    manifest = {
        "created_at": datetime.now().replace(microsecond=0).isoformat(),
        "store": store.path.name,
        "duckdb": duckdb.__version__,
        "tables": counts,
        "last_batch_number": int(last[0][0]) if last and last[0][0] is not None else 0,
    }
    with os.fdopen(_private(out / MANIFEST), "w") as handle:
        handle.write(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _read_manifest(source: Path) -> tuple[dict[str, Any], dict[str, int], int]:
    """The manifest, its row counts by defined table, and the last batch number; a manifest
    naming a table the store doesn't define, or with counts that aren't counts, is refused."""
    path = source / MANIFEST
    if not path.exists():
        raise StoreError(f"{source} is not a backup: it has no {MANIFEST}.")
    try:
        manifest = json.loads(path.read_text())
        listed = dict(manifest["tables"])
        last = int(manifest["last_batch_number"])
    except (OSError, ValueError, TypeError, KeyError):
        raise StoreError(f"{source}/{MANIFEST} is not a manifest this dashboard wrote.") from None
    known = set(defined_tables())
    unknown = sorted(str(name) for name in listed if name not in known)
    if unknown:
        raise StoreError(
            f"The backup lists tables this store does not have ({', '.join(map(repr, unknown))}); "
            "it was not written by this dashboard. Nothing was restored."
        )
    counts: dict[str, int] = {}
    for table in defined_tables():  # the names used from here on are the store's own
        if table in listed:
            rows = listed[table]
            if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
                raise StoreError(f"The manifest's row count for {table} is not a count.")
            counts[table] = rows
    if last < 0:
        raise StoreError("The manifest's last batch number is not a batch number.")
    return manifest, counts, last


# Room a restore asks for before it starts: the backup's rows as the store holds them (Parquet
# is compressed, so a few times its size), then the rewrite that clears what they replaced.
RESTORED_GROWTH = 4


def _check_room(store: Store, source: Path) -> None:
    """Refuse a restore the disk has no room for, before anything is written."""
    incoming = sum(f.stat().st_size for f in source.glob("*.parquet"))
    needed = RESTORED_GROWTH * incoming + rewrite.needed_bytes(store.path)
    free = shutil.disk_usage(store.path.parent).free
    if free < needed:
        raise StoreFull(
            f"There is not enough free space beside the store to restore this backup: it needs "
            f"about {needed / 1e6:,.0f} MB and the disk has {free / 1e6:,.0f} MB free. Nothing "
            "was restored. Free some space on that disk, then try again."
        )


def restore(store: Store, source: Path, *, replace: bool = False) -> dict[str, Any]:
    """Load a backup into the store in one transaction.

    Refuses to overwrite a store that holds data unless ``replace`` is given, so a restore can
    never silently throw away imports made since the backup. Table names and file names come
    from the store's own list of tables, never from the manifest. After replacing data the
    file is rewritten so the values replaced don't linger in it (``not_compacted`` in the
    answer says why, if the disk had no room).
    """
    manifest, counts, last = _read_manifest(source)
    _check_room(store, source)
    had_data = not batches.is_empty(store)
    if had_data and not replace:
        raise StoreError(
            "The store already holds data. Restore into an empty store, or pass --replace "
            "to replace everything in it with the backup."
        )
    regional.ensure_table(store)
    with store.transaction() as cur:
        cur.execute(profiles.TABLE_SQL)  # tables made on first use: a backup may hold them
        cur.execute(settings.SETTINGS_TABLE)
        kept_tables.drop(cur)  # built from the data being replaced
        for table in _tables(cur):
            if table not in KEPT:
                cur.execute(f"DELETE FROM {table}")
            if table not in counts:
                continue
            data = _parquet(source / f"{table}.parquet", table)
            if data.num_rows != counts[table]:
                raise StoreError(
                    f"{table}.parquet has {data.num_rows} rows; the manifest says "
                    f"{counts[table]}. Nothing was restored."
                )
            cur.register("restored", data)
            try:
                cur.execute(
                    f"INSERT INTO {table} BY NAME SELECT * FROM restored"
                    if table not in KEPT
                    else f"INSERT INTO {table} BY NAME SELECT r.* FROM restored r WHERE NOT "
                    f"EXISTS (SELECT 1 FROM {table} e WHERE e.erased_at = r.erased_at "
                    "AND e.erased_by = r.erased_by AND e.rows_removed = r.rows_removed)"
                )
            except duckdb.Error:
                raise StoreError(
                    f"{table}.parquet doesn't have the columns of the store's {table} table. "
                    "Nothing was restored."
                ) from None
            finally:
                cur.unregister("restored")
        cur.execute("DROP SEQUENCE IF EXISTS batch_number")
        cur.execute(f"CREATE SEQUENCE batch_number START {last + 1}")
    answer = dict(manifest)
    answer["tables"] = counts
    if had_data:
        try:
            store.rewrite_file()
        except StoreError:
            answer["not_compacted"] = "the disk had no room to rewrite the store file"
    return answer


def _parquet(path: Path, table: str) -> pa.Table:
    try:
        return pq.read_table(path)
    except (OSError, pa.ArrowException):
        raise StoreError(
            f"{table}.parquet is missing or can't be read. Nothing was restored."
        ) from None
