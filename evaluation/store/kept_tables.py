"""Whole-store derived tables written into the store file, for a freshly started dashboard.

At a million conversations building each request's costed row and its flags takes seconds
(``store.derived``): a director opening the meeting on a newly started server would wait for
it. So an import (and an undo, an erasure, a restore) ends by writing those tables into the
store, each with a stamp of what it was built from, and the dashboard reads one instead of
building it while the stamp still holds.

The stamp is the build's own SQL text and the record of every change to the rows it reads:
the import log (batches and their undoing), the erasure log and the row counts. Every path
that changes conversations or care packages writes one of those, so a table is read only
while it is current; when it is not, the dashboard builds the table as before: slower,
never wrong. Erasure and restore also drop the tables, which hold a row per request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import duckdb

# The tables that may be kept (names only from here: ``stored`` refuses any other).
NAMES = ("costed_all", "requests_all", "places_by_day")

STAMPS_SQL = (
    "CREATE TABLE IF NOT EXISTS kept_stamps "
    "(name VARCHAR PRIMARY KEY, stamp VARCHAR NOT NULL, built_at TIMESTAMP NOT NULL)"
)

# What any change to the rows the builds read leaves behind (read inside the transaction
# that writes a kept table, so the stamp is of the very data it was built from).
_CHANGES = (
    "SELECT batch_id, kind, rows_added, rows_replaced, as_of, undone_at "
    "FROM import_log ORDER BY batch_id",
    "SELECT count(*), sum(rows_removed), max(erased_at) FROM erasure_log",
    "SELECT count(*) FROM conversations",
    "SELECT count(*) FROM care_packages",
)


def stored(name: str) -> str:
    """The store's table holding the kept table ``name``."""
    if name not in NAMES:
        raise ValueError(f"no kept table is called {name!r}")
    return f"kept_{name}"


def stamp(cur: duckdb.DuckDBPyConnection, sql: str) -> str:
    """What ``sql`` read from the store, as it is now, in a few bytes."""
    digest = hashlib.sha256(sql.encode("utf-8"))
    for query in _CHANGES:
        digest.update(repr(cur.execute(query).fetchall()).encode("utf-8"))
    return digest.hexdigest()


def write(cur: duckdb.DuckDBPyConnection, name: str, sql: str, params: Sequence[Any] = ()) -> None:
    """Write the table ``name`` as ``sql`` gives it (with ``params`` bound), with its stamp
    (inside the caller's transaction: the stamp and the rows are of one state of the data)."""
    cur.execute(STAMPS_SQL)
    cur.execute(f"CREATE OR REPLACE TABLE {stored(name)} AS {sql}", list(params))
    cur.execute(
        "INSERT OR REPLACE INTO kept_stamps (name, stamp, built_at) VALUES (?, ?, ?)",
        [name, stamp(cur, sql), datetime.now().replace(microsecond=0)],
    )


def _holds(cur: duckdb.DuckDBPyConnection, *tables: str) -> bool:
    """Whether the store file holds every one of these tables."""
    found = cur.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name IN (SELECT unnest(?::VARCHAR[]))",
        [list(tables)],
    ).fetchall()[0][0]
    return int(found) == len(set(tables))


def current(cur: duckdb.DuckDBPyConnection, name: str, sql: str) -> bool:
    """Whether the store holds the table ``name`` built by ``sql`` from the data as it is."""
    if not _holds(cur, "kept_stamps", stored(name)):
        return False
    found = cur.execute("SELECT stamp FROM kept_stamps WHERE name = ?", [name]).fetchall()
    return bool(found) and found[0][0] == stamp(cur, sql)


def drop(cur: duckdb.DuckDBPyConnection) -> None:
    """Drop every kept table (an erasure or a restore: no stale row of anyone is left)."""
    for name in NAMES:
        cur.execute(f"DROP TABLE IF EXISTS {stored(name)}")
    cur.execute("DROP TABLE IF EXISTS kept_stamps")
    cur.execute("DROP TABLE IF EXISTS kept_intervals")


# Bootstrap intervals worked out by an import, keyed by a hash of their exact inputs (the
# values resampled, their counts, the seed and the number of resamples): an interval found
# under a key is the one those inputs give, so it can never be stale.
INTERVALS_SQL = (
    "CREATE TABLE IF NOT EXISTS kept_intervals "
    "(input VARCHAR PRIMARY KEY, low DOUBLE NOT NULL, high DOUBLE NOT NULL)"
)


def find_interval(cur: duckdb.DuckDBPyConnection, key: str) -> tuple[float, float] | None:
    """The interval kept for these inputs, if an import worked it out."""
    if not _holds(cur, "kept_intervals"):
        return None
    found = cur.execute("SELECT low, high FROM kept_intervals WHERE input = ?", [key]).fetchall()
    return (float(found[0][0]), float(found[0][1])) if found else None


def keep_interval(cur: duckdb.DuckDBPyConnection, key: str, low: float, high: float) -> None:
    cur.execute(INTERVALS_SQL)
    cur.execute("INSERT OR REPLACE INTO kept_intervals VALUES (?, ?, ?)", [key, low, high])
