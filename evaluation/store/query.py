"""The one way the rest of the package reads the store: a query, its bound parameters, rows.

Every measure used to open a cursor and close it in a ``try``/``finally`` of its own; these
helpers do that once. A cursor is taken per call, so a helper is safe in any thread (DuckDB
connections are not shared across threads, cursors are cheap). Values always go in as bound
parameters; identifiers only ever come from the package's own whitelists.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import duckdb

from evaluation.store.connection import Store

Params = Sequence[Any] | Mapping[str, Any]


@contextmanager
def cursor(
    store: Store, tables: Mapping[str, Any] | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor for a few statements that must share it (a temporary table, say).

    ``tables`` names in-memory tables (Arrow, from ``store.derived``) the statements read:
    each is registered on this cursor alone, under its name (a whitelisted identifier)."""
    cur = store.cursor()
    try:
        for name, table in (tables or {}).items():
            cur.register(name, table)
        yield cur
    finally:
        cur.close()


def rows(
    store: Store, sql: str, params: Params = (), tables: Mapping[str, Any] | None = None
) -> list[tuple[Any, ...]]:
    """Every row of the result, as tuples (``tables`` as for ``cursor``)."""
    with cursor(store, tables) as cur:
        return cur.execute(sql, params).fetchall()


def dicts(store: Store, sql: str, params: Params = ()) -> list[dict[str, Any]]:
    """Every row of the result, as dicts keyed by column name."""
    with cursor(store) as cur:
        result = cur.execute(sql, params)
        names = [d[0] for d in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def one(store: Store, sql: str, params: Params = ()) -> tuple[Any, ...]:
    """The first row of a result that always has one (an aggregate)."""
    return rows(store, sql, params)[0]


def scalar(store: Store, sql: str, params: Params = ()) -> Any:
    """The single value of a one-row, one-column result."""
    return one(store, sql, params)[0]


def column(store: Store, sql: str, params: Params = ()) -> list[Any]:
    """The first column of every row."""
    return [row[0] for row in rows(store, sql, params)]
