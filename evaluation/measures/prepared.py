"""The whole-store tables a dashboard reads, written into the store after its data changes.

One place lists them with their SQL (``costing.costed_all_sql``, ``conversion.requests_all_sql``),
so the import's last step writes exactly what a view would otherwise build
(``store.derived``): the command line and the Upload page call ``prepare`` after an import,
an undo, an erasure or a restore.
"""

from __future__ import annotations

from evaluation.measures import conversion, costing
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
    return persist(store, kept_sql())
