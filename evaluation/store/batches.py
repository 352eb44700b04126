"""Batches: landing a checked file's rows in one transaction, undoing them, the import log.

An id already stored with different values is replaced and its old row kept in the
``<kind>_replaced`` table, so every batch can be undone and nothing right is ever lost. A row
is replaced only when whoever imports may import for the stored row's site as well as the new
one (``may_replace``): otherwise the whole file is refused with the ids named, so a site lead
can never overwrite another site's records by reusing their ids. The import log records the
sites of the rows each batch replaced. A site is stored under the one spelling it already has
(capitals aside), so "NORTHFIELD" in a lead's file never makes a second Northfield.
Table names come from ``KINDS`` only (a kind read back from the log is looked up there).

A file that brings two kinds at once (a CLD extract: conversations and care packages) lands
as one batch: ``one_batch`` holds one transaction and one batch id, each kind is written
into it with ``write_batch(..., within=…)`` and logs its own row under that id, and ``undo``
takes every kind of the batch out together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from evaluation.core.contract import KINDS, Kind
from evaluation.core.text import same_name
from evaluation.store.connection import Store, StoreError
from evaluation.store.query import cursor, dicts, scalar

# Whether the person importing may replace a stored row of this site (None: a kind with no
# site column). None for the predicate itself: anyone may (an admin, the command line).
MayReplace = Callable[[str | None], bool]
IDS_NAMED = 20  # ids named in a refusal; the count says how many more


class NotYours(StoreError):
    """The file would replace stored rows of sites the importer may not import for."""

    def __init__(self, kind: Kind, foreign: list[tuple[str, str | None]]) -> None:
        self.kind = kind
        self.foreign = foreign
        ids = ", ".join(i for i, _ in foreign[:IDS_NAMED])
        more = f" and {len(foreign) - IDS_NAMED} more" if len(foreign) > IDS_NAMED else ""
        sites = sorted({s or "(no site)" for _, s in foreign})
        super().__init__(
            f"Nothing was stored: {len(foreign)} {kind.id_column}(s) in this file are already "
            f"stored for {', '.join(sites)}, which you may not import for, and a row of another "
            f"site is never replaced: {ids}{more}. Give your own records their own ids, or ask "
            "an admin."
        )


@dataclass(frozen=True)
class BatchResult:
    batch_id: str | None
    added: int
    replaced: int
    unchanged: int


@dataclass
class OneBatch:
    """Several kinds from one file sharing a transaction and, once one needs it, a batch id."""

    cur: duckdb.DuckDBPyConnection
    batch_id: str | None = None

    def next_id(self) -> str:
        if self.batch_id is None:
            self.batch_id = _next_batch_id(self.cur)
        return self.batch_id


@contextmanager
def one_batch(store: Store) -> Iterator[OneBatch]:
    """One transaction for every kind of one file: all of them land, or none does."""
    with store.transaction() as cur:
        yield OneBatch(cur)


def write_batch(
    store: Store,
    kind: Kind,
    rows: pa.Table,
    *,
    file_name: str,
    sha256: str,
    as_of: date,
    imported_by: str,
    source: str,
    within: OneBatch | None = None,
    may_replace: MayReplace | None = None,
) -> BatchResult:
    """Land one validated batch in one transaction; rows identical to stored ones are left be.

    An id already stored with different values is replaced, its old row kept in the
    ``_replaced`` table for undo. When nothing differs and the extract is no newer than what
    the store already has for its sites, no batch is recorded, so importing the same file
    twice leaves the store exactly as it was. A newer extract with the same rows is recorded
    (nothing added or replaced) so that its sites' as-of date moves on. ``within`` writes
    into a batch other kinds of the same file share (``one_batch``).
    """
    table, key = kind.name, kind.id_column
    same = " AND ".join(f"t.{c} IS NOT DISTINCT FROM i.{c}" for c in kind.columns)
    named = ", ".join(kind.columns)
    with nullcontext(within.cur) if within else store.transaction() as cur:
        rows = _one_spelling(cur, kind, rows)
        cur.register("incoming", rows)
        foreign = _foreign(cur, kind, may_replace)
        if foreign:
            cur.unregister("incoming")
            raise NotYours(kind, foreign)
        total = rows.num_rows
        unchanged = cur.execute(
            f"SELECT count(*) FROM incoming i JOIN {table} t ON t.{key} = i.{key} WHERE {same}"
        ).fetchall()[0][0]
        replaced = cur.execute(
            f"SELECT count(*) FROM incoming i JOIN {table} t ON t.{key} = i.{key} "
            f"WHERE NOT ({same})"
        ).fetchall()[0][0]
        sites, replaced_sites = (
            cur.execute(
                "SELECT (SELECT list(DISTINCT site ORDER BY site) FROM incoming), "
                f"(SELECT list(DISTINCT t.site ORDER BY t.site) FROM incoming i JOIN {table} t "
                f"ON t.{key} = i.{key} WHERE NOT ({same}))"
            ).fetchall()[0]
            if "site" in kind.columns
            else (None, None)
        )
        if unchanged == total and (
            _same_file(cur, kind.name, sha256) or not _newer_extract(cur, kind.name, sites, as_of)
        ):
            cur.unregister("incoming")
            return BatchResult(None, 0, 0, unchanged)
        batch_id = within.next_id() if within else _next_batch_id(cur)
        cur.execute(
            f"INSERT INTO {table}_replaced ({named}, batch_id, replaced_by) "
            f"SELECT {', '.join(f't.{c}' for c in kind.columns)}, t.batch_id, ? FROM {table} t "
            f"JOIN incoming i ON t.{key} = i.{key} WHERE NOT ({same})",
            [batch_id],
        )
        cur.execute(
            f"DELETE FROM {table} WHERE {key} IN "
            f"(SELECT {key} FROM {table}_replaced WHERE replaced_by = ?)",
            [batch_id],
        )
        cur.execute(
            f"INSERT INTO {table} ({named}, batch_id) "
            f"SELECT {', '.join(f'i.{c}' for c in kind.columns)}, ? FROM incoming i "
            f"WHERE i.{key} NOT IN (SELECT {key} FROM {table})",
            [batch_id],
        )
        cur.unregister("incoming")
        added = total - unchanged - replaced
        cur.execute(
            "INSERT INTO import_log (batch_id, kind, file_name, sha256, rows_added, "
            "rows_replaced, rows_unchanged, as_of, imported_at, imported_by, source, sites, "
            "replaced_sites) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                replaced_sites,
            ],
        )
    return BatchResult(batch_id, added, replaced, unchanged)


def foreign_rows(
    store: Store, kind: Kind, rows: pa.Table, may_replace: MayReplace | None
) -> list[tuple[str, str | None]]:
    """(id, stored site) of each stored row this file would replace that the importer may
    not: what ``write_batch`` would refuse, asked before anything is written."""
    if may_replace is None:
        return []
    with cursor(store) as cur:
        cur.register("incoming", rows.select([kind.id_column]))
        try:
            return _foreign(cur, kind, may_replace)
        finally:
            cur.unregister("incoming")


def _foreign(
    cur: duckdb.DuckDBPyConnection, kind: Kind, may_replace: MayReplace | None
) -> list[tuple[str, str | None]]:
    """Stored rows with an incoming id whose site ``may_replace`` refuses, by id."""
    if may_replace is None:
        return []
    table, key = kind.name, kind.id_column
    site = "t.site" if "site" in kind.columns else "NULL::VARCHAR"
    found = cur.execute(
        f"SELECT t.{key}, {site} FROM incoming i JOIN {table} t ON t.{key} = i.{key} ORDER BY 1"
    ).fetchall()
    allowed: dict[str | None, bool] = {}
    return [
        (identifier, where)
        for identifier, where in found
        if not allowed.setdefault(where, may_replace(where))
    ]


SITE_TABLES = tuple(k.name for k in KINDS.values() if "site" in k.columns)


def _one_spelling(cur: duckdb.DuckDBPyConnection, kind: Kind, rows: pa.Table) -> pa.Table:
    """The rows with each site under the spelling the store already has for it (capitals
    aside), or, for a new site, its first spelling in the file."""
    if "site" not in kind.columns or rows.num_rows == 0:
        return rows
    stored = sorted(
        r[0]
        for r in cur.execute(
            " UNION ".join(f"SELECT DISTINCT site FROM {t}" for t in SITE_TABLES)
        ).fetchall()
        if r[0] is not None
    )
    spelling: dict[str, str] = {}
    for name in stored:
        spelling.setdefault(same_name(name), name)
    sites = pc.dictionary_encode(rows.column("site").combine_chunks())
    written = sites.dictionary.to_pylist()
    wanted = [None if s is None else spelling.setdefault(same_name(s), s) for s in written]
    if wanted == written:
        return rows
    index = rows.schema.get_field_index("site")
    respelled = pc.take(pa.array(wanted, pa.string()), sites.indices)
    return rows.set_column(index, rows.schema.field(index), respelled)


def _same_file(cur: duckdb.DuckDBPyConnection, kind: str, sha256: str) -> bool:
    """The very same bytes are already in: the same extract, whatever date is claimed."""
    return bool(
        cur.execute(
            "SELECT count(*) FROM import_log WHERE kind = ? AND sha256 = ? AND undone_at IS NULL",
            [kind, sha256],
        ).fetchall()[0][0]
    )


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


def _next_batch_id(cur: duckdb.DuckDBPyConnection) -> str:
    """From a sequence: two uploads landing at the same moment never share an id."""
    number = cur.execute("SELECT nextval('batch_number')").fetchall()[0][0]
    return f"B{number:05d}"


def undo(store: Store, batch_id: str, by: str) -> dict[str, Any]:
    """Take a batch back out: its rows go, the rows it replaced come back.

    A batch whose rows a later batch has since replaced can't be undone until that later
    batch is; undoing out of order would bring back rows that are no longer the latest. A
    batch of several kinds (one CLD extract) logs a row per kind, and all of them go together.
    """
    with store.transaction() as cur:
        found = cur.execute(
            "SELECT kind, undone_at FROM import_log WHERE batch_id = ? ORDER BY kind",
            [batch_id],
        ).fetchall()
        if not found:
            raise StoreError(f"There is no batch {batch_id}.")
        undone_at = found[0][1]
        if undone_at is not None:
            raise StoreError(f"Batch {batch_id} was already undone on {undone_at:%d/%m/%Y}.")
        kinds = [KINDS[kind_name] for kind_name, _ in found]  # the whitelist, not the log's text
        removed = restored = 0
        for kind in kinds:
            gone, back = _undo_kind(cur, kind, batch_id)
            removed, restored = removed + gone, restored + back
        cur.execute(
            "UPDATE import_log SET undone_at = ?, undone_by = ? WHERE batch_id = ?",
            [datetime.now().replace(microsecond=0), by, batch_id],
        )
    kind_names = " and ".join(kind.name for kind in kinds)
    return {"batch_id": batch_id, "kind": kind_names, "removed": removed, "restored": restored}


def _undo_kind(cur: duckdb.DuckDBPyConnection, kind: Kind, batch_id: str) -> tuple[int, int]:
    """One kind of a batch taken out, its replaced rows put back: (removed, restored)."""
    table = kind.name
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
    columns = ", ".join([*kind.columns, "batch_id"])
    cur.execute(
        f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {table}_replaced "
        "WHERE replaced_by = ?",
        [batch_id],
    )
    cur.execute(f"DELETE FROM {table}_replaced WHERE replaced_by = ?", [batch_id])
    return int(removed), int(restored)


def log(store: Store) -> list[dict[str, Any]]:
    """The import log, newest first."""
    return dicts(store, "SELECT * FROM import_log ORDER BY batch_id DESC")


def count(store: Store, kind: str) -> int:
    return int(scalar(store, f"SELECT count(*) FROM {KINDS[kind].name}"))


def is_empty(store: Store) -> bool:
    return all(count(store, kind) == 0 for kind in KINDS)
