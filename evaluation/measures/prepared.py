"""The whole-store tables a dashboard reads, written into the store after its data changes.

One place lists them with their SQL: each request's costing (``costing.costed_all_sql``),
its flags (``conversion.requests_all_sql``) and the Money page's direct payments on its first
days (``direct_payments.places_prepared``). The command line and the Upload page call
``prepare`` after an import, an undo, an erasure or a restore, so a newly started dashboard
reads what a view would otherwise build (``store.derived``, ``store.kept_tables``).
"""

from __future__ import annotations

from typing import Any

from evaluation.measures import conversion, costing, direct_payments
from evaluation.store.connection import Store
from evaluation.store.derived import persist


def kept_sql() -> dict[str, str]:
    """Each whole-store table's name and the SQL that builds it."""
    return {
        costing.COSTED_TABLE: costing.costed_all_sql(),
        conversion.REQUESTS_TABLE: conversion.requests_all_sql(),
    }


def prepare(store: Store) -> float:
    """Write the whole-store tables for the data as it is now; the seconds it took."""
    tables: dict[str, tuple[str, list[Any]]] = {n: (sql, []) for n, sql in kept_sql().items()}
    with store.lease():
        places = direct_payments.places_prepared(store)
        if places is not None:
            tables[places[0]] = (places[1], places[2])
        return persist(store, tables)
