"""What the Upload page shows of a file's check and of the import log, as plain text cells.

A site lead fixes their file in their own spreadsheet, so a problem names the file's own
heading ("Received On", not ``received_on``), says all of what is wrong, and shows a blank
cell as blank (never "None"). The import log reads in words and UK dates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from evaluation.ingest.reading import Problem
from evaluation.present.formats import uk_date, uk_time

PROBLEM_HEADINGS = ("Row", "Column", "Value", "What is wrong")
LOG_HEADINGS = {
    "batch_id": "Batch",
    "kind": "Kind",
    "file_name": "File",
    "rows_added": "Added",
    "rows_replaced": "Replaced",
    "rows_unchanged": "Unchanged",
    "as_of": "Data as of",
    "imported_at": "Imported",
    "imported_by": "Imported by",
    "state": "State",
}


def problem_rows(problems: Sequence[Problem], headings: Mapping[str, str]) -> list[dict[str, str]]:
    """A row per problem, its column under the file's own heading (``headings``: contract
    column → heading; a column the file lacks keeps the contract's name)."""
    return [
        dict(
            zip(
                PROBLEM_HEADINGS,
                (
                    "" if p.row is None else str(p.row),
                    headings.get(p.column, p.column) if p.column else "",
                    p.value or "",
                    p.message,
                ),
                strict=True,
            )
        )
        for p in problems
    ]


def problem_lines(rows: Sequence[Mapping[str, str]]) -> list[str]:
    """Each problem in full as one line of text: "Row 4, Received On, "32/13/2025": …"."""
    lines = []
    for row in rows:
        where = [f"Row {row['Row']}"] if row["Row"] else []
        where += [row["Column"]] if row["Column"] else []
        where += [f'"{row["Value"]}"'] if row["Value"] else []
        lines.append(
            f"{', '.join(where)}: {row['What is wrong']}" if where else row["What is wrong"]
        )
    return lines


def blank_cells(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Preview rows with blank cells blank (a missing value is no text, not "None")."""
    return [{k: "" if v is None else str(v) for k, v in row.items()} for row in rows]


def log_rows(log: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The import log under plain headings, its dates dd/mm/yyyy and times dd/mm/yyyy hh:mm."""
    shown = []
    for entry in log:
        row = {k: entry.get(k) for k in LOG_HEADINGS if k != "state"}
        # the kind's short name ("care packages"): the full labels push the table past 1366 px
        row["kind"] = str(entry.get("kind") or "").replace("_", " ")
        row["as_of"] = uk_date(entry["as_of"])
        row["imported_at"] = uk_time(entry["imported_at"])
        row["state"] = "active" if entry.get("undone_at") is None else "undone"
        shown.append({LOG_HEADINGS[k]: v for k, v in row.items()})
    return shown


def nothing_changed(added: int, replaced: int) -> bool:
    """An import that added and replaced nothing: every row was already stored as it is."""
    return added == 0 and replaced == 0
