"""The whole-store tables a dashboard reads, written into the store after its data changes.

One place lists them with their SQL: each request's costing (``costing.costed_all_sql``),
its flags (``conversion.requests_all_sql``) and the Money page's direct payments on its first
days (``direct_payments.places_prepared``), with the bootstrap interval of the Cost change
page's first comparison over time (``first_comparison``). The command line and the Upload page call
``prepare`` after an import, an undo, an erasure or a restore, so a newly started dashboard
reads what a view would otherwise build (``store.derived``, ``store.kept_tables``).
"""

from __future__ import annotations

import time
from typing import Any

from evaluation.measures import bootstrap, conversion, costing, direct_payments, over_time
from evaluation.measures.selection import Selection
from evaluation.measures.suppression import DEFAULT_THRESHOLD
from evaluation.store import kept_tables
from evaluation.store.connection import Store
from evaluation.store.derived import persist
from evaluation.store.query import cursor


def kept_sql() -> dict[str, str]:
    """Each whole-store table's name and the SQL that builds it."""
    return {
        costing.COSTED_TABLE: costing.costed_all_sql(),
        conversion.REQUESTS_TABLE: conversion.requests_all_sql(),
    }


def prepare(store: Store) -> float:
    """Write the whole-store tables for the data as it is now; the seconds it took."""
    started = time.perf_counter()
    tables: dict[str, tuple[str, list[Any]]] = {n: (sql, []) for n, sql in kept_sql().items()}
    with store.lease():
        places = direct_payments.places_prepared(store)
        if places is not None:
            tables[places[0]] = (places[1], places[2])
        persist(store, tables)
        first_comparison(store)
    return time.perf_counter() - started


def first_comparison(store: Store) -> None:
    """The bootstrap interval of the Cost change page's first comparison over time (its
    first site, its suggested day, the whole store), kept under its inputs' hash."""
    sites = over_time.changed_sites(store)
    changed_on = over_time.suggested_change(store, sites[0]) if sites else None
    if changed_on is None:
        return
    values, _ = over_time.cost_cells(store, sites[0], changed_on, Selection(), None)
    cells = [values[k] for k in over_time.CELLS]
    if any(sum(n for _, n in cell) < DEFAULT_THRESHOLD for cell in cells):
        return  # too small: the page shows no interval
    key = bootstrap.interval_key(cells, bootstrap.SEED, bootstrap.REPLICATES)
    with cursor(store) as cur:
        if kept_tables.find_interval(cur, key) is not None:
            return
    low, high = bootstrap.mean_bootstrap(cells, bootstrap.SEED, bootstrap.REPLICATES)
    with store.transaction() as cur:
        kept_tables.keep_interval(cur, key, low, high)
