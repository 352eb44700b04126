"""The store's tables, made from the contract: one per record kind, its undo copy, the log.

A table per record kind (columns from the contract models, plus the batch that brought each
row), a ``<kind>_replaced`` table keeping the rows a later batch replaced (so every batch can
be undone and nothing right is ever lost), and the import log. Table names come only from
``KINDS``, never from a file or a user.
"""

from __future__ import annotations

import duckdb

from evaluation.core.contract import KINDS

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
# the same rows still moves its sites' as-of date on (batches.write_batch records such a batch).
SITE_AS_OF_VIEW = """
CREATE OR REPLACE VIEW site_as_of AS
SELECT site, max(as_of) AS as_of
FROM (SELECT unnest(sites) AS site, as_of FROM import_log
      WHERE kind = 'conversations' AND undone_at IS NULL)
GROUP BY site
"""


# The erasure log is also the list of erasures still to finish (store/forget.py): ``person``
# holds the pseudonym only while that person's rows wait to be deleted, ``rewritten_at`` is
# empty until the file has been rewritten without them. It never holds a source-system id.
ERASURE_LOG = (
    "CREATE TABLE IF NOT EXISTS erasure_log "
    "(erased_at TIMESTAMP NOT NULL, erased_by VARCHAR NOT NULL, rows_removed INTEGER NOT NULL)"
)


def ensure_schema(cur: duckdb.DuckDBPyConnection) -> None:
    """Create whatever the store lacks; a store made by an older version gains the contract's
    newer columns (at the end: every statement names its columns, never relies on order)."""
    for kind in KINDS.values():
        columns = [f"{c} {kind.sql_type(c)}" for c in kind.columns]
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {kind.name} ({', '.join(columns)}, batch_id VARCHAR)"
        )
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {kind.name}_replaced "
            f"({', '.join(columns)}, batch_id VARCHAR, replaced_by VARCHAR)"
        )
        for table in (kind.name, f"{kind.name}_replaced"):
            for column in kind.columns:
                cur.execute(
                    f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {kind.sql_type(column)}"
                )
    cur.execute(f"CREATE TABLE IF NOT EXISTS import_log ({', '.join(LOG_COLUMNS)})")
    # Stores made before batches recorded their sites gain the column (empty for them).
    cur.execute("ALTER TABLE import_log ADD COLUMN IF NOT EXISTS sites VARCHAR[]")
    # The sites of the rows a batch replaced: who replaced what (an admin may replace any).
    cur.execute("ALTER TABLE import_log ADD COLUMN IF NOT EXISTS replaced_sites VARCHAR[]")
    cur.execute(ERASURE_LOG)
    cur.execute("ALTER TABLE erasure_log ADD COLUMN IF NOT EXISTS person VARCHAR")
    cur.execute("ALTER TABLE erasure_log ADD COLUMN IF NOT EXISTS rewritten_at TIMESTAMP")
    cur.execute("CREATE SEQUENCE IF NOT EXISTS batch_number START 1")
    cur.execute(SITE_AS_OF_VIEW)
