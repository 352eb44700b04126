"""The regional figures table: published council and region figures, typed in by a council.

Kept in their own table, ``regional_figures``, apart from the record kinds: they are a few
numbers a year from the national returns, not rows about people. ``evaluation.ingest
.regional`` checks and stores an upload; this module defines the table and reads it.
"""

from __future__ import annotations

from dataclasses import dataclass

from evaluation.store.connection import Store
from evaluation.store.query import cursor, rows, scalar

TABLE_SQL = """
CREATE TABLE IF NOT EXISTS regional_figures (
    year VARCHAR NOT NULL,
    year_start INTEGER NOT NULL,
    measure VARCHAR NOT NULL,
    council_value DOUBLE,
    region_value DOUBLE,
    file_name VARCHAR NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    imported_by VARCHAR NOT NULL
)
"""


@dataclass(frozen=True)
class RegionalFigure:
    year: str  # "2019-20" for a financial year, "2019" for a calendar year
    year_start: int
    measure: str
    council_value: float | None
    region_value: float | None


def ensure_table(store: Store) -> None:
    with cursor(store) as cur:
        cur.execute(TABLE_SQL)


def regional_figures(store: Store) -> list[RegionalFigure]:
    """Every stored figure, by measure then year; none before the first upload.

    Only reads: creating the table here would change the store's data version on a page's
    first view, and every figure cached during that view would be worked out again."""
    held = scalar(
        store,
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name = ?",
        ["regional_figures"],
    )
    if not held:
        return []
    found = rows(
        store,
        "SELECT year, year_start, measure, council_value, region_value FROM regional_figures "
        "ORDER BY lower(measure), year_start",
    )
    return [RegionalFigure(*row) for row in found]


def clear_regional(store: Store) -> int:
    """Remove every regional figure; returns how many went."""
    ensure_table(store)
    with store.transaction() as cur:
        count = cur.execute("SELECT count(*) FROM regional_figures").fetchall()[0][0]
        cur.execute("DELETE FROM regional_figures")
    return int(count)
