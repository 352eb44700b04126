"""From the bytes of an uploaded file to a header and rows of text, or the reasons we can't.

Everything a spreadsheet user can get wrong before a single value is looked at is caught
here: a workbook or archive renamed .csv, a text encoding we can't read, semicolons instead
of commas, a repeated header, ragged rows. Row numbers are the ones a spreadsheet shows
(the header is row 1), so a site lead can go straight to the cell.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from evaluation.core.text import normalise
from evaluation.core.values import WHITESPACE

# Bounds on what one file may make the dashboard do, each refused in plain words before the
# work it would cost. Megabytes are counted as the browser's upload box counts them (1,000,000
# bytes), by the page and the command line alike.
MAX_UPLOAD_BYTES = 200_000_000
MAX_COLUMNS = 1_000  # council exports run to a few hundred columns
MAX_HEADER_CHARS = 100_000  # the header row
MAX_CELL_CHARS = 1_000_000  # one value: a very long story is some tens of thousands
_ONLY_WHITESPACE = re.compile(b"[" + re.escape(WHITESPACE.encode("ascii")) + b"]*")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where (row, column), what was there, and what is wrong."""

    row: int | None
    column: str | None
    value: str | None
    message: str

    def line(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        place = ", ".join(where)
        shown = f" ({self.value!r})" if self.value not in (None, "") else ""
        return f"{place}{shown}: {self.message}" if place else f"{self.message}{shown}"


@dataclass(frozen=True)
class Table:
    """A parsed CSV: headers as written, and each data row with its spreadsheet row number."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]


class Refused(Exception):
    """The file cannot be read as a CSV at all; the message says why in plain words."""

    def __init__(self, message: str, row: int | None = None) -> None:
        super().__init__(message)
        self.problem = Problem(row, None, None, message)


_SAVE_AS = "In Excel use File > Save As > 'CSV UTF-8 (Comma delimited)' and upload that file."


def sniff_binary(data: bytes) -> str | None:
    """A plain message if the bytes are a known binary format (by magic bytes), else None."""
    head = data[:8]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        if b"xl/" in data[:65536] or b"[Content_Types].xml" in data[:65536]:
            return f"This is an Excel workbook (.xlsx), not a CSV file. {_SAVE_AS}"
        return "This is a zip archive, not a CSV file. Unzip it and upload the CSV inside."
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return f"This is an old-style Excel workbook (.xls), not a CSV file. {_SAVE_AS}"
    if head.startswith(b"\x1f\x8b"):
        return "This is a gzip-compressed file, not a CSV file. Decompress it and upload the CSV."
    if head.startswith(b"%PDF"):
        return "This is a PDF document, not a CSV file."
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return f"This file is saved as UTF-16 ('Unicode Text'), which we don't read. {_SAVE_AS}"
    if b"\x00" in data[:65536]:
        return "This file holds binary data, not the text of a CSV file."
    return None


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 — decided here, before any parsing."""
    return _decode(data)[0]


def _decode(data: bytes) -> tuple[str, bool]:
    """The text, and whether ``data`` already is its UTF-8 (no BOM, not Windows-1252)."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), False
        except UnicodeDecodeError:
            raise Refused("The file starts as UTF-8 but has bytes that are not UTF-8.") from None
    try:
        return data.decode("utf-8"), True
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), False
    except UnicodeDecodeError:
        raise Refused(
            f"The file's text is neither UTF-8 nor Windows-1252, so we can't read it. {_SAVE_AS}"
        ) from None


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: how a spreadsheet names the column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def normalise_header(name: str) -> str:
    """Header matching ignores case, spaces, underscores and hyphens (and how a header's
    letters are encoded: full-width letters, ligatures, invisible characters)."""
    return re.sub(r"[^a-z0-9]", "", normalise(name).lower())


def megabytes(size: int) -> str:
    """A size as the browser's upload box writes it: '200 MB', '3.1 MB' (half up)."""
    tenths = (size + 50_000) // 100_000
    return f"{tenths // 10} MB" if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10} MB"


def refuse_size(size: int, largest: int | None = None) -> None:
    """Refuse a file larger than we take, from its size alone (the CLI asks before reading)."""
    largest = MAX_UPLOAD_BYTES if largest is None else largest
    if size > largest:
        raise Refused(
            f"The file is {megabytes(size)}; the largest file we take is "
            f"{megabytes(largest)}. Split it into smaller files."
        )


def refuse_wide_header(data: bytes) -> None:
    """Refuse a header row too long, or with too many columns, to be a real export's.

    Checked on the first line's bytes before anything else is read: a header of a million
    columns once took minutes and gigabytes to refuse."""
    limit = 4 * MAX_HEADER_CHARS  # a character is at most four bytes
    end = data.find(b"\n", 0, limit + 1)
    line = data[: limit + 1] if end == -1 else data[:end]
    if len(line) > MAX_HEADER_CHARS and len(line.decode("utf-8", "replace")) > MAX_HEADER_CHARS:
        raise Refused(
            f"The first row (the headers) is over {MAX_HEADER_CHARS:,} characters long: no "
            "export has headers that long. Check that this is the right file.",
            row=1,
        )
    if line.count(b",") >= MAX_COLUMNS:
        raise Refused(
            f"The first row has over {MAX_COLUMNS:,} columns; we read at most "
            f"{MAX_COLUMNS:,}. Remove the columns the dashboard doesn't use.",
            row=1,
        )


def _records(text: str) -> Iterator[list[str]]:
    """Every record of the text by the csv module, each value at most ``MAX_CELL_CHARS``.

    The csv module's limit is one setting for the whole process (131,072 characters unless
    changed, which refused long but valid stories as a misplaced quote); every reader here
    sets the same value."""
    csv.field_size_limit(MAX_CELL_CHARS)
    return csv.reader(io.StringIO(text, newline=""), delimiter=",", quotechar='"', strict=True)


class NeedsRowByRow(Exception):
    """The file's structure needs the exact, row-by-row reader to say what is wrong."""


def read_header(data: bytes) -> tuple[bytes, list[str]]:
    """Refuse what isn't a CSV, decode, and read the header row only.

    Returns the file as UTF-8 bytes (transcoded from Windows-1252, BOM dropped) for DuckDB to
    parse, and the headers. Anything unusual about the header row (a stray quote, leading
    blank lines, semicolons) is left to ``read_table``, which words it exactly.
    """
    _refuse_binary_or_huge(data)
    refuse_wide_header(data)
    if data.isascii():
        # ASCII bytes are their own UTF-8: only the header line needs decoding (a million-row
        # file decoded and encoded again cost a few tenths of a second for nothing).
        utf8 = data
        empty = _ONLY_WHITESPACE.fullmatch(data) is not None  # strip() would copy it all
        first = re.match(rb"[^\r\n]*", data).group().decode("ascii")  # type: ignore[union-attr]
    else:
        text, is_utf8 = _decode(data)
        utf8 = data if is_utf8 else text.encode("utf-8")
        # The contract's white space is ASCII: the bytes tell, and strip() would copy it all.
        empty = _ONLY_WHITESPACE.fullmatch(utf8) is not None
        first = re.match(r"[^\r\n]*", text).group()  # type: ignore[union-attr]
    if empty:
        raise Refused("The file is empty.")
    if not first.strip(WHITESPACE) or '"' in first or ";" in first or "\t" in first:
        raise NeedsRowByRow("unusual header row")
    headers = first.split(",")
    return utf8, [h.strip(WHITESPACE) for h in headers]


def _refuse_binary_or_huge(data: bytes) -> None:
    refuse_size(len(data))
    binary = sniff_binary(data)
    if binary:
        raise Refused(binary)


def read_table(data: bytes) -> Table:
    """Parse CSV bytes with a fixed dialect (comma, double quote, header row), row by row.

    Bounded: a value longer than ``MAX_CELL_CHARS`` or a row wider than ``MAX_COLUMNS`` is
    refused where it stands, in words that say so."""
    _refuse_binary_or_huge(data)
    refuse_wide_header(data)
    text = decode(data)
    if not text.strip():
        raise Refused("The file is empty.")
    records: list[tuple[int, list[str]]] = []
    row_number = 0
    try:
        for record in _records(text):
            row_number += 1
            if len(record) > MAX_COLUMNS:
                raise Refused(
                    f"the row has {len(record):,} values; we read at most {MAX_COLUMNS:,} "
                    "columns (a value with a comma inside must be wrapped in double quotes)",
                    row=row_number,
                )
            records.append((row_number, record))
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise Refused(
                f"a value is longer than {MAX_CELL_CHARS:,} characters, the most one cell "
                "may hold (or a quote mark opened there is never closed)",
                row=row_number + 1,
            ) from None
        raise Refused(
            "a quote mark is out of place, so the row can't be split into columns "
            "(a value with a comma or a quote inside must be wrapped in double quotes)",
            row=row_number + 1,
        ) from None
    while records and not any(cell.strip(WHITESPACE) for cell in records[0][1]):
        records.pop(0)
    if not records:
        raise Refused("The file is empty.")
    header_row, headers = records[0]
    if len(headers) == 1 and (";" in headers[0] or "\t" in headers[0]):
        separator = "semicolons" if ";" in headers[0] else "tabs"
        raise Refused(
            f"The columns are separated by {separator}, not commas. {_SAVE_AS}", row=header_row
        )
    rows = [(n, r) for n, r in records[1:] if any(cell.strip(WHITESPACE) for cell in r)]
    if not rows:
        raise Refused("The file has a header row but no data rows.")
    return Table(headers=[h.strip(WHITESPACE).lstrip("\ufeff") for h in headers], rows=rows)
