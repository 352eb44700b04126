"""The "Map your columns" step's preview: a file's first rows as the contract would read them.

Each cell is shown the way the dashboard will hold it — a date as dd/mm/yyyy (a date-time
as its date), money in pounds, yes/no, the contract's value a word was mapped to — or, when
the contract can't read it, a warning with the reason, so a wrong choice of column shows
before anything is saved.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from evaluation.core.contract import Kind
from evaluation.ingest.mapping_suggest import FileSample, mapped_cell, read_cell
from evaluation.present.formats import MISSING, pounds, uk_date

NOT_CHOSEN = "⚠ choose what this value means below"


def shown(value: Any) -> str:
    """One value the contract read, as the dashboard writes it."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return uk_date(value)
    if isinstance(value, Decimal):
        return pounds(value)
    return str(value)


def preview_rows(
    kind: Kind,
    sample: FileSample,
    columns: dict[str, int],
    meanings: dict[str, dict[str, str]],
) -> list[dict[str, str]]:
    """The sample's first rows, one column per chosen contract column (``columns``: contract
    column → the file's column), read as the contract reads them after ``meanings``."""
    rows = []
    for cells in sample.first_rows:
        row = {}
        for column, index in columns.items():
            text = mapped_cell(kind, column, cells[index], meanings.get(column, {}))
            if text is None:
                row[column] = NOT_CHOSEN
                continue
            value, problem = read_cell(kind, column, text)
            row[column] = f"⚠ {problem}" if problem else shown(value)
        rows.append(row)
    return rows
