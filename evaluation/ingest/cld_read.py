"""Recognising a Client Level Data extract and reading the columns §4 uses into DuckDB.

A CLD file is told by its headers (Event Type, Event Start Date and LA Person Unique
Identifier), written with spaces or underscores in any case. DuckDB reads the whole file with
the dialect pinned (comma, double quote, header row, strict, never ``ignore_errors``) and only
the columns the import uses are kept: NHS Number, names and GP practice are never even
materialised. A file DuckDB can't read, or one whose blank lines would shift row numbers, is
read row by row instead so that each problem names its spreadsheet row.

Everything here runs on its own in-memory DuckDB connection, never the store's.
"""

from __future__ import annotations

import csv
import re

import duckdb
import pyarrow as pa

from evaluation.core.values import WHITESPACE
from evaluation.ingest.reading import (
    MAX_UPLOAD_BYTES,
    Problem,
    Refused,
    column_letter,
    decode,
    normalise_header,
    read_table,
    sniff_binary,
)
from evaluation.ingest.scratch import scratch_copy

# (the name used here, the header in NHS England's specification, other spellings seen)
FIELDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("la_code", "LA Code", ()),
    ("person", "LA Person Unique Identifier", ()),
    ("birth", "Date of Birth", ()),
    ("death", "Date of Death", ()),
    ("postcode", "Postcode", ()),
    ("client_type", "Client Type", ()),
    ("support_reason", "Primary Support Reason", ()),
    ("event_type", "Event Type", ()),
    ("reference", "Event Reference", ()),
    ("starts", "Event Start Date", ()),
    ("ends", "Event End Date", ()),
    ("description", "Event Description", ()),
    ("outcome", "Event Outcome", ()),
    ("service_type", "Service Type", ()),
    ("component", "Service Component", ()),
    ("unit_cost", "Unit Cost", ()),
    ("frequency", "Cost Frequency (Unit Type)", ("Cost Frequency", "Unit Type")),
    ("planned", "Planned units per week", ()),
)
SPEC = {name: header for name, header, _ in FIELDS}
# Read when present, not needed: the rules of §4 don't depend on it.
OPTIONAL = frozenset({"outcome"})
# Columns whose values a problem may quote: nothing here says who a person is. Every other
# column (the person's id, dates of birth and death, postcode…) is named, never quoted.
QUOTABLE = frozenset(
    {"event_type", "starts", "ends", "reference", "client_type", "service_type"}
    | {"unit_cost", "frequency", "planned"}
)
MARKERS = ("eventtype", "eventstartdate", "lapersonuniqueidentifier")
HEAD_BYTES = 65536
# A national extract read from the command line may be larger than an upload.
MAX_CLD_BYTES = max(MAX_UPLOAD_BYTES, 1024 * 1024 * 1024)


def header_cells(data: bytes) -> list[str] | None:
    """The header row's cells (quotes and all handled), or None for a binary file."""
    if sniff_binary(data):
        return None
    head = data[:HEAD_BYTES]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    line = re.match(rb"[^\r\n]*", head).group()  # type: ignore[union-attr]
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        text = line.decode("cp1252", errors="replace")
    try:
        cells = next(csv.reader([text]), [])
    except csv.Error:
        return None
    return [c.strip(WHITESPACE) for c in cells]


def recognise(data: bytes) -> bool:
    """Is this a CLD extract? (its headers include the three that only CLD has)"""
    cells = header_cells(data)
    found = {normalise_header(c) for c in cells or ()}
    return all(marker in found for marker in MARKERS)


def match_headers(headers: list[str]) -> tuple[dict[str, int], dict[str, str], list[Problem]]:
    """(position of each column used, the header as the file writes it, problems)."""
    spellings = {
        normalise_header(spelling): name
        for name, header, others in FIELDS
        for spelling in (header, *others)
    }
    positions: dict[str, int] = {}
    written: dict[str, str] = {}
    problems = []
    for index, header in enumerate(headers):
        name = spellings.get(normalise_header(header))
        if name is None:
            continue
        if name in positions:
            first = column_letter(positions[name])
            problems.append(
                Problem(
                    1,
                    header,
                    None,
                    f"the column appears twice (columns {first} and {column_letter(index)})",
                )
            )
            continue
        positions[name] = index
        written[name] = header
    for name, header, _ in FIELDS:
        if name not in positions and name not in OPTIONAL:
            problems.append(
                Problem(1, header, None, "this column is missing: a Client Level Data extract "
                        "needs it to make conversations and care packages")
            )  # fmt: skip
        written.setdefault(name, SPEC[name])
    return positions, written, problems


def _refuse(data: bytes) -> None:
    """What can't be a CLD extract at all: too large, or not text."""
    if len(data) > MAX_CLD_BYTES:
        raise Refused(
            f"The file is {len(data) / 1048576:.0f} MB; the largest extract we take is "
            f"{MAX_CLD_BYTES // 1048576} MB. Split it by reporting period."
        )
    binary = sniff_binary(data)
    if binary:
        raise Refused(binary)


def read_rows(
    con: duckdb.DuckDBPyConnection, data: bytes, headers: list[str], positions: dict[str, int]
) -> list[Problem]:
    """Make the view ``cld_lines``: ``_row`` (the spreadsheet's row number) and each column
    used, as text. Problems only for a file whose rows can't be split into columns.

    UTF-8 is read as it is (DuckDB checks it; a BOM is skipped); a file that is not UTF-8 is
    Windows-1252 and is transcoded first. A structure DuckDB refuses, or blank lines, values
    over several lines or lone carriage returns (which would shift its row numbers), send the
    file to the row-by-row reader.
    """
    _refuse(data)
    body = memoryview(data)[3:] if data.startswith(b"\xef\xbb\xbf") else memoryview(data)
    if _read_fast(con, body, headers, positions) and _numbered_right(con, data):
        return []
    # Not UTF-8 (or broken): read it as Windows-1252, or let the row-by-row reader say why.
    transcoded = None if data.isascii() else decode(data).encode("utf-8")
    if (
        transcoded is not None
        and _read_fast(con, memoryview(transcoded), headers, positions)
        and _numbered_right(con, transcoded)
    ):
        return []
    table, problems = _read_row_by_row(data, len(headers), positions)
    con.register("cld_arrow", table)
    con.execute("CREATE OR REPLACE TEMP TABLE cld_text AS SELECT * FROM cld_arrow")
    con.unregister("cld_arrow")
    con.execute("CREATE OR REPLACE TEMP VIEW cld_lines AS SELECT * FROM cld_text")
    return problems


def _numbered_right(con: duckdb.DuckDBPyConnection, data: bytes) -> bool:
    """Whether ``rowid`` + 2 is each row's spreadsheet number, as counting line ends says
    at once: one line a row (DuckDB skips blank lines, and a value may span lines), blank
    lines at the very end aside. Anything else goes to the row-by-row reader."""
    rows = int(con.execute("SELECT count(*) FROM cld_text").fetchall()[0][0])
    end = len(data)
    while end and data[end - 1] in b" \t\r\n":
        end -= 1
    return data.count(b"\n", 0, end) + 1 == rows + 1


def _read_fast(
    con: duckdb.DuckDBPyConnection, utf8: memoryview, headers: list[str], positions: dict[str, int]
) -> bool:
    """DuckDB's strict reader into ``cld_text``, in file order (a row's ``rowid`` + 2 is its
    row number); False when the file needs the row-by-row reader to say what is wrong."""
    columns = {f"c{i}": "VARCHAR" for i in range(len(headers))}
    wanted = ", ".join(f"c{index} AS {name}" for name, index in positions.items())
    missing = "".join(
        f", NULL::VARCHAR AS {name}" for name, _, _ in FIELDS if name not in positions
    )
    with scratch_copy(utf8) as path:  # type: ignore[arg-type]
        try:
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE cld_text AS SELECT {wanted}{missing} "
                "FROM read_csv($path, header = true, delim = ',', quote = '\"', escape = '\"', "
                "auto_detect = false, columns = $columns, strict_mode = true, "
                "null_padding = false, compression = 'none', all_varchar = true)",
                {"path": path, "columns": columns},
            )
        except duckdb.Error:
            return False
    con.execute(
        "CREATE OR REPLACE TEMP VIEW cld_lines AS SELECT rowid + 2 AS _row, * FROM cld_text"
    )
    return True


def _read_row_by_row(
    data: bytes, width: int, positions: dict[str, int]
) -> tuple[pa.Table, list[Problem]]:
    """Python's csv module: slow, but it numbers rows as a spreadsheet does, blank lines and
    all, and says which row is ragged."""
    parsed = read_table(data)
    problems = []
    kept: dict[str, list[str | None]] = {"_row": []}
    kept.update({name: [] for name in positions})
    for number, cells in parsed.rows:
        if len(cells) > width and any(c.strip(WHITESPACE) for c in cells[width:]):
            problems.append(
                Problem(
                    number,
                    None,
                    None,
                    f"the row has {len(cells)} values but the header has {width} columns "
                    "(a value with a comma inside must be wrapped in double quotes)",
                )
            )
            continue
        kept["_row"].append(number)  # type: ignore[arg-type]
        for name, index in positions.items():
            kept[name].append(cells[index] if index < len(cells) else None)
    types = {k: pa.int64() if k == "_row" else pa.string() for k in kept}
    table = pa.table({k: pa.array(v, types[k]) for k, v in kept.items()})
    return _missing_as_null(table, positions), problems


def _missing_as_null(table: pa.Table, positions: dict[str, int]) -> pa.Table:
    """Optional columns the file lacks, as NULL text, so the SQL can read every name."""
    for name, _, _ in FIELDS:
        if name not in positions:
            table = table.append_column(name, pa.nulls(table.num_rows, pa.string()))
    return table
