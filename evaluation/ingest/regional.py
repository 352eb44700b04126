"""Published figures, council against region: the comparison Partners4Change draws.

The national returns (SALT STS001/STS002a, LTS002a) give each council's share of new requests
that led to long-term support, and the outcomes of unplanned reviews, next to its region's
average. A council downloads those from NHS England, types the few numbers into a small CSV —
year, measure, council_value, region_value — and the dashboard charts council against region
per measure, year by year, as seed 000 does for Nottinghamshire, Camden, Harrow and Birmingham.

The figures live in their own table, ``regional_figures``; an upload is checked whole and
stored whole, or not at all, and a row for a year and measure already held replaces it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime

from evaluation.ingest.reading import Problem, Refused, normalise_header, read_table
from evaluation.ingest.templates import header_csv
from evaluation.store.connection import Store
from evaluation.store.regional import RegionalFigure, ensure_table

COLUMNS = ("year", "measure", "council_value", "region_value")
MAX_MEASURE = 200
MAX_ROWS = 2000

_FINANCIAL = re.compile(r"^(\d{4})\s*[-/–]\s*(\d{2}|\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


@dataclass
class RegionalCheck:
    """A regional figures file read and checked, not yet stored."""

    file_name: str
    figures: list[RegionalFigure] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.figures)


class RegionalImportFailed(Exception):
    def __init__(self, checked: RegionalCheck) -> None:
        super().__init__("nothing was stored: the file has problems")
        self.checked = checked


def parse_year(raw: str) -> tuple[str, int]:
    """'2019-20', '2019/20' or '2019-2020' → ('2019-20', 2019); '2019' → ('2019', 2019)."""
    value = raw.strip()
    financial = _FINANCIAL.match(value)
    if financial:
        start, end = int(financial.group(1)), financial.group(2)
        end_year = int(end) if len(end) == 4 else (start // 100) * 100 + int(end)
        if end_year != start + 1:
            raise ValueError("a financial year runs over two years in a row, like 2019-20")
        return f"{start}-{(start + 1) % 100:02d}", start
    if _YEAR.match(value):
        return value, int(value)
    raise ValueError("not a year: write 2019-20 for a financial year, or 2019")


def parse_value(raw: str) -> float | None:
    """A figure as published: 8.8, 8.8% or blank (not published)."""
    value = raw.strip().rstrip("%").strip().replace(",", "")
    if not value:
        return None
    if not _NUMBER.match(value):
        raise ValueError("not a number: write it like 8.8 or 8.8%")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("not a number: write it like 8.8 or 8.8%")
    return number


def check_regional(data: bytes, file_name: str) -> RegionalCheck:
    """Read and check the whole file; every problem is collected, nothing is stored."""
    checked = RegionalCheck(file_name)
    try:
        table = read_table(data)
    except Refused as refused:
        checked.problems.append(refused.problem)
        return checked
    positions: dict[str, int] = {}
    for index, header in enumerate(table.headers):
        name = next((c for c in COLUMNS if normalise_header(c) == normalise_header(header)), None)
        if name is None:
            if header:
                checked.ignored_columns.append(header)
        elif name in positions:
            checked.problems.append(Problem(1, name, header, "the column appears twice"))
        else:
            positions[name] = index
    for column in COLUMNS:
        if column not in positions:
            checked.problems.append(Problem(1, column, None, "required column is missing"))
    if checked.problems:
        return checked
    if len(table.rows) > MAX_ROWS:
        checked.problems.append(
            Problem(None, None, None, f"more than {MAX_ROWS} rows: this file takes a few figures")
        )
        return checked
    seen: dict[tuple[str, str], int] = {}
    for row_number, cells in table.rows:
        cells = cells + [""] * (len(table.headers) - len(cells))
        raw = {c: cells[positions[c]] for c in COLUMNS}
        problems_before = len(checked.problems)
        year: tuple[str, int] | None = None
        try:
            year = parse_year(raw["year"])
        except ValueError as error:
            checked.problems.append(Problem(row_number, "year", raw["year"], str(error)))
        measure = " ".join(raw["measure"].split())
        if not measure:
            checked.problems.append(Problem(row_number, "measure", None, "required: blank"))
        elif len(measure) > MAX_MEASURE:
            checked.problems.append(
                Problem(row_number, "measure", None, f"longer than {MAX_MEASURE} characters")
            )
        values: dict[str, float | None] = {}
        for column in ("council_value", "region_value"):
            try:
                values[column] = parse_value(raw[column])
            except ValueError as error:
                checked.problems.append(Problem(row_number, column, raw[column], str(error)))
        if len(values) == 2 and values["council_value"] is None and values["region_value"] is None:
            checked.problems.append(
                Problem(row_number, "council_value", None, "give the council or region value")
            )
        if len(checked.problems) > problems_before or year is None:
            continue
        key = (year[0], measure.lower())
        if key in seen:
            checked.problems.append(
                Problem(
                    row_number,
                    "measure",
                    measure,
                    f"the same year and measure is also on row {seen[key]}",
                )
            )
            continue
        seen[key] = row_number
        checked.figures.append(
            RegionalFigure(
                year[0], year[1], measure, values["council_value"], values["region_value"]
            )
        )
    if checked.problems:
        checked.figures = []
    return checked


def import_regional(
    store: Store, data: bytes, file_name: str, imported_by: str = "local user"
) -> tuple[int, int]:
    """Check then store the file in one transaction: (added, replaced). Raises
    ``RegionalImportFailed`` with every problem when anything is wrong; then nothing changes."""
    checked = check_regional(data, file_name)
    if not checked.ok:
        if not checked.problems:
            checked.problems.append(Problem(None, None, None, "the file has no figures"))
        raise RegionalImportFailed(checked)
    return store_regional(store, checked, imported_by)


def store_regional(store: Store, checked: RegionalCheck, imported_by: str) -> tuple[int, int]:
    """Store a clean check in one transaction: (added, replaced)."""
    if not checked.ok:
        raise RegionalImportFailed(checked)
    ensure_table(store)
    now = datetime.now().replace(microsecond=0)
    replaced = 0
    with store.transaction() as cur:
        for figure in checked.figures:
            found = cur.execute(
                "SELECT count(*) FROM regional_figures WHERE year = ? AND lower(measure) = ?",
                [figure.year, figure.measure.lower()],
            ).fetchall()[0][0]
            if found:
                replaced += 1
                cur.execute(
                    "DELETE FROM regional_figures WHERE year = ? AND lower(measure) = ?",
                    [figure.year, figure.measure.lower()],
                )
            cur.execute(
                "INSERT INTO regional_figures VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    figure.year,
                    figure.year_start,
                    figure.measure,
                    figure.council_value,
                    figure.region_value,
                    checked.file_name,
                    now,
                    imported_by,
                ],
            )
    return len(checked.figures) - replaced, replaced


def template_csv() -> bytes:
    """The header row to fill in (UTF-8 with BOM, CRLF, as Excel saves a CSV)."""
    return header_csv(COLUMNS)


EXAMPLE = (
    {
        "year": "2018-19",
        "measure": "New requests leading to long-term support (%)",
        "council_value": "9.1",
        "region_value": "10.9",
    },
    {
        "year": "2019-20",
        "measure": "New requests leading to long-term support (%)",
        "council_value": "8.2",
        "region_value": "11.2",
    },
    {
        "year": "2019-20",
        "measure": "Unplanned reviews leading to an increase in care (%)",
        "council_value": "42",
        "region_value": "38",
    },
)
