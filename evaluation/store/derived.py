"""Whole-store tables worked out once per version of the data, for every view to filter.

At a million conversations the costly step of cost change is joining every request to its
person's care packages, and of conversion rolling up the requests and flagging repeats. Each
request's row does not depend on the view (a site, a period): a view only chooses which
requests count. So the rows are worked out once for the whole store, kept in memory as an
Arrow table until the data changes (``figures.data_version``), and each view is a filter and
a count over them, tens of milliseconds instead of seconds.

Kept in Python rather than in DuckDB because the dashboard lets go of the file between
script runs (``Store(hold=False)``), which would drop a DuckDB temporary table. A query reads
a kept table through ``query.cursor(store, tables={...})``, which registers it on its own
cursor. Only the newest version of each table is kept; one thread builds it while others
asking for it wait, as ``figures.cached`` does.

An import ends by writing the tables into the store file (``persist``, ``kept_tables``):
the first view of a newly started dashboard reads them there instead of building them.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from evaluation.store import kept_tables
from evaluation.store.connection import Store
from evaluation.store.figures import OnceEach, data_version
from evaluation.store.query import cursor


@dataclass(frozen=True)
class Kept:
    """A derived table and the distinct values of each of its text columns.

    Text columns are dictionary-encoded (a million rows carry a handful of sites), and a
    view's filter can then match the few spellings present exactly
    (``Selection.where_among``) instead of normalising every row's text. A table the store
    file holds (``stored``) is read there by each query, never copied into memory: at a
    million conversations that is quicker for the first view and costs the later ones little
    (copying it beside the views, on a second thread, slowed both on two cores)."""

    table: pa.Table | None
    values: dict[str, tuple[Any, ...]]
    stored: str | None = None  # the store's table, read in place

    @classmethod
    def of(cls, table: pa.Table) -> Kept:
        columns, values = {}, {}
        for name in table.column_names:
            column = table[name]
            if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                column = pc.dictionary_encode(column.combine_chunks())
                values[name] = tuple(column.dictionary.to_pylist()) + (
                    (None,) if column.null_count else ()
                )
            columns[name] = column
        return cls(pa.table(columns), values)

    @classmethod
    def held(cls, cur: Any, stored: str) -> Kept:
        """The store's table ``stored`` (a ``kept_tables`` name), read where it is: only
        the distinct values of its text columns are fetched, in one query."""
        text = [
            r[0]
            for r in cur.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' "
                "AND table_name = ? AND data_type = 'VARCHAR' ORDER BY column_index",
                [stored],
            ).fetchall()
        ]
        parts = ", ".join(f'list(DISTINCT "{c}"), bool_or("{c}" IS NULL)' for c in text)
        found = cur.execute(f"SELECT {parts} FROM {stored}").fetchall()[0] if text else ()
        values = {
            c: tuple(found[2 * i] or ()) + ((None,) if found[2 * i + 1] else ())
            for i, c in enumerate(text)
        }
        return cls(None, values, stored)

    def relation(self, name: str) -> str:
        """What a query names to read the table kept as ``name``."""
        return self.stored or name

    def tables(self, name: str) -> dict[str, pa.Table]:
        """The in-memory tables a query over it registers (none while it is read in place)."""
        return {} if self.table is None else {name: self.table}


class Derived(OnceEach):
    """The newest version of each derived table, per store file and name."""

    def __init__(self) -> None:
        super().__init__()
        self._kept: dict[tuple[str, str], tuple[Any, Kept]] = {}  # (file, name): version, table
        self.built = 0  # how many times a table was made, read or built (tests read it)
        self.read = 0  # how many of those were read from the store file

    def get(self, store: Store, name: str, sql: str) -> Kept:
        """The table ``name`` of ``store`` as the data is now: read from the store file where
        an import wrote it for this data (``kept_tables.current``), else built by ``sql``,
        the first time each version of the data is asked for."""
        version = data_version(store)

        def compute() -> tuple[Kept, bool]:
            with store.lease(), cursor(store) as cur:
                if kept_tables.current(cur, name, sql):
                    self.read += 1
                    table = Kept.held(cur, kept_tables.stored(name))
                else:
                    table = Kept.of(cur.sql(sql).to_arrow_table())
            # Kept only if no write landed while it was built: else the next caller builds
            # it afresh from the data as it then is.
            return table, data_version(store) == version

        table, _ = self.once((str(store.path), name, version), compute)
        return table  # type: ignore[no-any-return]

    def _find(self, key: Hashable) -> tuple[Kept, bool] | None:
        path, name, version = key  # type: ignore[misc]
        kept = self._kept.get((path, name))
        return (kept[1], True) if kept is not None and kept[0] == version else None

    def _keep(self, key: Hashable, entry: tuple[Kept, bool]) -> None:
        path, name, version = key  # type: ignore[misc]
        self.built += 1
        if entry[1]:
            self._kept[(path, name)] = (version, entry[0])

    def has(self, store: Store, name: str) -> bool:
        """Whether ``name`` is kept for the data as it is now."""
        with self._lock:
            kept = self._kept.get((str(store.path), name))
        return kept is not None and kept[0] == data_version(store)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


DERIVED = Derived()


def worth_deriving(store: Store, name: str) -> bool:
    """Whether a view should read the whole-store table ``name``: on the dashboard
    (``Store(hold=False)``), which answers view after view, or wherever it is already kept.
    A report run once (the CLI) narrows its own query instead: building the whole store's
    table would cost it more than it saves."""
    return not store.hold or DERIVED.has(store, name)


def derived(store: Store, name: str, sql: str) -> Kept:
    """``DERIVED.get``: the whole-store table ``name``, built once per version of the data."""
    return DERIVED.get(store, name, sql)


def persist(store: Store, tables: Mapping[str, tuple[str, Sequence[Any]]]) -> None:
    """Write each whole-store table (name: its SQL and parameters) into the store file, in
    one transaction, for the next dashboard to read. Done after an import, an undo, an
    erasure or a restore, where the data changed anyway."""
    with store.lease(), store.transaction() as cur:
        for name, (sql, params) in tables.items():
            if not kept_tables.current(cur, name, sql):  # the same file again: nothing to do
                kept_tables.write(cur, name, sql, params)
