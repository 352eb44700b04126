"""The fast path of the import: parse and validate a whole file in DuckDB and Arrow.

A council export can hold a million rows; validating them one pydantic model at a time takes
minutes. Here DuckDB reads the CSV with the dialect pinned (comma, double quote, header row,
no compression, strict mode — never ``ignore_errors``) into Arrow text columns, in file order,
so a row's position is its row number. Generated SQL converts and checks each column; it is
generated from the contract models' field types (``values.py`` parsers), so the models stay
the single statement of what a valid row is. Rows the SQL flags are then handed to the models
themselves, which word the problems exactly as the row-by-row path does; property tests hold
the two paths to the same answers on random input.

A million rows hold few distinct texts in most columns (a few hundred dates, two approaches),
so each column's distinct texts are parsed once and every row takes its value by position in
that dictionary; the flagged rows are gathered as positions, never by joining rows back. Only
free text (ids, names) is trimmed row by row. Ids are pseudonymised the same way: each
distinct id hashed once.

This runs in its own in-memory DuckDB connection, never the store's: the store's connection
is locked down and may not read files.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from evaluation.core import values as v
from evaluation.core.contract import Kind
from evaluation.core.text import normalise_array
from evaluation.ingest.column_sql import Params, helpers, typed, validator
from evaluation.ingest.encoded import FEW_NAMES_FROM, by_position, few_names
from evaluation.ingest.reading import MAX_CELL_CHARS, MAX_COLUMNS, NeedsRowByRow
from evaluation.ingest.scratch import scratch_copy

_WS = v.WHITESPACE
PREVIEW_ROWS = 10
# Columns rewritten before the check (a mapping profile): (raw, positions) → the same, changed.
Rewrite = Callable[[pa.Table, dict[str, int]], tuple[pa.Table, dict[str, int]]]
# A line may hold a header's worth of columns, one of them a cell as long as the contract
# allows; DuckDB refuses a longer line (and the row-by-row reader then says what is wrong).
MAX_LINE_BYTES = 4 * MAX_CELL_CHARS + 64 * MAX_COLUMNS
# What one check may take of the machine: DuckDB's own working memory (the Arrow
# tables the check makes are bounded by the file size, which is bounded itself).
# DuckDB's allocator keeps what a check freed for reuse unless told to hand it back.
CHECK_LIMITS = {
    "memory_limit": "1GB",
    "allocator_flush_threshold": "32MB",
    "allocator_bulk_deallocation_flush_threshold": "32MB",
}
COLUMNS_AT_ONCE = 2  # columns typed side by side: the machines it runs on have a few cores


@dataclass(frozen=True)
class FastResult:
    table: pa.Table  # typed values, contract column order, raw ids still in it
    bad_rows: list[dict[str, Any]]  # raw text of rows that failed, with "_row"
    duplicates: list[tuple[int, str, int]]  # (row, id, first row)
    preview: list[dict[str, str]]


_BLANK_FIRST_LINE = re.compile(rb"[ \t]*\r?\n")
_BLANK_LINE = re.compile(rb"\n[ \t]*\r?\n")
_LONE_CR = re.compile(rb"\r(?!\n)")


def _unusual_lines(data: bytes) -> bool:
    """Blank lines (a spreadsheet numbers them, DuckDB skips them) or lone carriage returns.

    Each search starts at a literal byte: a pattern opening with ``(^|\\n)`` makes the regex
    engine try every byte of the file, which took seconds for 150 MB.
    """
    if _BLANK_FIRST_LINE.match(data) or _BLANK_LINE.search(data):
        return True
    return b"\r" in data and _LONE_CR.search(data) is not None


def check_fast(
    data: bytes,
    headers: list[str],
    positions: dict[str, int],
    kind: Kind,
    rewrite: Rewrite | None = None,
) -> FastResult:
    """Parse and check UTF-8 CSV bytes (header included) in DuckDB; ``rewrite`` (a mapping
    profile's) changes the text columns first."""
    # The search for unusual lines (Python's, one core) runs while DuckDB reads (its own).
    with ThreadPoolExecutor(1, thread_name_prefix="check-lines") as side:
        unusual = side.submit(_unusual_lines, data)
        raw = _read(data, len(headers))
        if unusual.result():
            raise NeedsRowByRow("blank lines or lone carriage returns")
    if _overlong_cell(raw):
        raise NeedsRowByRow("a cell longer than the contract allows")
    if rewrite is not None:
        raw, positions = rewrite(raw, positions)
    con = _connection()
    try:
        return _validate(con, raw, kind, positions)
    finally:
        con.close()


def _connection() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB for one step of a check (never the store's)."""
    # Row numbers are positions in the file: the rows must come out in the order they were
    # read (DuckDB's default, pinned here because everything below depends on it).
    con = duckdb.connect(config={"preserve_insertion_order": True, **CHECK_LIMITS})
    con.execute("SET enable_progress_bar = false")  # nothing on the command line's stdout
    return con


def _read(data: bytes, width: int) -> pa.Table:
    """Every cell of the file as text, in file order, by DuckDB's strict reader.

    The reading has a connection of its own, closed before the values are checked: DuckDB
    keeps some hundred megabytes of a million-row read's working memory until then."""
    columns = {f"c{i}": "VARCHAR" for i in range(width)}
    con = _connection()
    try:
        with scratch_copy(data) as path:
            try:
                return con.sql(
                    "SELECT * FROM read_csv($path, header = true, delim = ',', quote = '\"', "
                    "escape = '\"', auto_detect = false, columns = $columns, strict_mode = true, "
                    "null_padding = false, compression = 'none', all_varchar = true, "
                    "max_line_size = $line)",
                    params={"path": path, "columns": columns, "line": MAX_LINE_BYTES},
                ).to_arrow_table()
            except duckdb.Error as error:
                raise NeedsRowByRow(str(error)) from None
    finally:
        con.close()


def _overlong_cell(raw: pa.Table) -> bool:
    """Whether any cell is longer than ``MAX_CELL_CHARS`` (the row-by-row reader words it).

    Counted in bytes first, which costs nothing (Arrow keeps each text's byte length); only a
    column with a cell that long in bytes is counted in characters."""
    for cells in raw.columns:
        if len(cells) == 0 or cells.null_count == len(cells):
            continue
        if (pc.max(pc.binary_length(cells)).as_py() or 0) <= MAX_CELL_CHARS:
            continue
        if (pc.max(pc.utf8_length(cells)).as_py() or 0) > MAX_CELL_CHARS:
            return True
    return False


def _validate(
    con: duckdb.DuckDBPyConnection, raw: pa.Table, kind: Kind, positions: dict[str, int]
) -> FastResult:
    """Type every column, then find the rows to hand to the models (usually none).

    Position ``p`` in ``raw`` is the file's data row ``p``: spreadsheet row ``p + 2`` (the
    header is row 1). Flagged rows are gathered as positions, never by joining back, so
    nothing here depends on the order in which a query returns its rows.
    """
    rows = raw.num_rows

    def one(column: str) -> tuple[pa.Array | pa.ChunkedArray, np.ndarray | None]:
        source = (
            raw.column(positions[column])
            if column in positions
            else pa.chunked_array([pa.nulls(rows, pa.string())])
        )
        wrapper = validator(kind, column)
        if wrapper.parse in (str, v.label) and wrapper.default is None:
            # Free text stays as written, trimmed; ids and names are normalised (core/text.py).
            # Mostly distinct, so no lookup.
            cells = _trimmed(source, normalised=wrapper.parse is v.label)
            return cells, _positions(pc.is_null(cells)) if wrapper.required else None
        cursor = con.cursor()  # a DuckDB connection is one thread's; a cursor is cheap
        try:
            return _lookup(cursor, kind, column, source)
        finally:
            cursor.close()

    # Arrow's kernels and DuckDB let go of Python's lock: the columns are typed side by side.
    with ThreadPoolExecutor(COLUMNS_AT_ONCE, thread_name_prefix="check-column") as pool:
        done = dict(zip(kind.columns, pool.map(one, kind.columns), strict=True))
    typed = {column: cells for column, (cells, _) in done.items()}
    flagged = [bad for _, bad in done.values() if bad is not None]
    if kind.row_rules:
        flagged.append(_rule_breaks(con, kind, typed, rows))
    candidates = np.unique(np.concatenate(flagged)) if flagged else np.empty(0, np.int64)
    # A row with every cell blank is skipped (the row-by-row reader does the same). Its id is
    # blank and ids are required, so such a row is always among the flagged ones.
    blank = _blank_rows(raw, candidates)
    bad = np.setdiff1d(candidates, blank, assume_unique=True)
    keep = None
    if len(candidates):
        mask = np.ones(rows, dtype=bool)
        mask[candidates] = False
        keep = pa.array(mask)
    table = pa.table({c: typed[c] for c in kind.columns})
    if keep is not None:
        table = table.filter(keep)
    ids = table.column(kind.id_column)
    kept = None if keep is None else np.setdiff1d(np.arange(rows), candidates, assume_unique=True)
    return FastResult(
        table=table,
        bad_rows=_raw_rows(raw, positions, bad, with_row=True),
        duplicates=_duplicates(con, ids, kept),
        preview=[
            {k: ("" if x is None else x) for k, x in row.items()}
            for row in _raw_rows(raw, positions, _first_rows(rows, blank), with_row=False)
        ],
    )


def _trimmed(source: pa.ChunkedArray, *, normalised: bool = False) -> pa.Array | pa.ChunkedArray:
    """Cells with the contract's whitespace trimmed (or normalised); a blank cell is NULL."""
    if normalised and len(source) >= FEW_NAMES_FROM:
        few = few_names(source.combine_chunks())
        if few is not None:
            return few
    trimmed = normalise_array(source) if normalised else pc.utf8_trim(source, characters=_WS)
    empty = pc.equal(trimmed, "")
    if pc.any(empty).as_py():
        trimmed = pc.if_else(empty, pa.scalar(None, pa.string()), trimmed)
    return trimmed


def _positions(mask: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Where a boolean column is true."""
    return np.asarray(pc.indices_nonzero(mask), dtype=np.int64)


def _lookup(
    con: duckdb.DuckDBPyConnection, kind: Kind, column: str, source: pa.ChunkedArray
) -> tuple[pa.Array, np.ndarray]:
    """Parse and check each distinct text of a column once: (value per row, invalid rows).

    A column of dates or money takes a few hundred to a few hundred thousand distinct texts
    in a million rows, so the parse runs on those (untrimmed, as written; NULL is one of them)
    and every row takes its value by position in the dictionary. The value is NULL where the
    text is not valid; such rows are flagged, so their value is never used.
    """
    rows = len(source)
    if source.null_count == rows:  # an empty or missing column: one text, NULL
        values, ok = _parse_distinct(con, kind, column, pa.nulls(1, pa.string()))
        bad = np.empty(0, np.int64) if ok[0].as_py() else np.arange(rows, dtype=np.int64)
        return by_position(values, pa.array(np.zeros(rows, dtype=np.int32))), bad
    encoded = pc.dictionary_encode(source.combine_chunks(), null_encoding="encode")
    values, ok = _parse_distinct(con, kind, column, encoded.dictionary)
    invalid = _positions(pc.invert(ok))
    bad = (
        _positions(pc.is_in(encoded.indices, value_set=pa.array(invalid, encoded.indices.type)))
        if len(invalid)
        else np.empty(0, np.int64)
    )
    return by_position(values, encoded.indices), bad


def _parse_distinct(
    con: duckdb.DuckDBPyConnection, kind: Kind, column: str, texts: pa.Array
) -> tuple[pa.Array, pa.Array]:
    """(typed value, valid?) of each text, in the order given: the contract's SQL parse."""
    bind = Params()
    value, ok = typed(kind, column, "t", bind)
    # Normalised by Arrow (core/text.py: the row-by-row check uses the very same functions).
    trimmed = normalise_array(texts)
    distinct = pa.table({"_i": np.arange(len(texts), dtype=np.int64), "trimmed": trimmed})
    con.register("distinct_texts", distinct)
    shared = "".join(f", {h}" for h in helpers(validator(kind, column).parse, "t"))
    checked = con.sql(
        f"SELECT _i, CASE WHEN _ok THEN {column} END::{kind.sql_type(column)} AS {column}, _ok "
        f"FROM (SELECT _i, {column}, {ok} AS _ok "
        f"FROM (SELECT *, {value} AS {column} "
        f"FROM (SELECT *{shared} "
        "FROM (SELECT _i, NULLIF(trimmed, '') AS t FROM distinct_texts))))",
        params=bind.values,
    ).to_arrow_table()
    con.unregister("distinct_texts")
    checked = _in_order(checked)
    return checked.column(1).combine_chunks(), checked.column(2).combine_chunks()


def _in_order(checked: pa.Table) -> pa.Table:
    """The lookup's rows in dictionary order (``_i``): DuckDB keeps a projection's rows in
    scan order, and this makes sure rather than trusting it."""
    order = checked.column("_i")
    if pc.all(pc.equal(order, pa.array(np.arange(len(order))))).as_py() is not False:
        return checked
    return checked.take(pc.sort_indices(order))


def _rule_breaks(
    con: duckdb.DuckDBPyConnection,
    kind: Kind,
    typed: dict[str, pa.Array | pa.ChunkedArray],
    rows: int,
) -> np.ndarray:
    """Rows whose typed values break a cross-column rule of the model (as positions)."""
    rules = " AND ".join(f"coalesce({rule}, false)" for _, rule in kind.row_rules)
    con.register("typed_rows", pa.table({**typed, "_pos": np.arange(rows, dtype=np.int64)}))
    found = con.sql(f"SELECT _pos FROM typed_rows WHERE NOT ({rules})").to_arrow_table()
    con.unregister("typed_rows")
    return np.asarray(found.column(0), dtype=np.int64)


def _blank_rows(raw: pa.Table, candidates: np.ndarray) -> np.ndarray:
    """Which of the candidate rows have every cell (contract column or not) blank."""
    if not len(candidates):
        return candidates
    subset = raw.take(pa.array(candidates))
    blank = pa.array(np.ones(len(candidates), dtype=bool))
    for cells in subset.columns:
        trimmed = pc.utf8_trim(cells, characters=_WS)
        blank = pc.and_(blank, pc.or_kleene(pc.is_null(trimmed), pc.equal(trimmed, "")))
    return candidates[np.asarray(blank, dtype=bool)]


def _first_rows(rows: int, blank: np.ndarray) -> np.ndarray:
    """Positions of the first rows that are not blank, for the preview."""
    skipped = set(blank.tolist())
    first = [p for p in range(min(rows, PREVIEW_ROWS + len(skipped))) if p not in skipped]
    return np.asarray(first[:PREVIEW_ROWS], dtype=np.int64)


def _raw_rows(
    raw: pa.Table, positions: dict[str, int], where: np.ndarray, *, with_row: bool
) -> list[dict[str, Any]]:
    """The contract columns of some rows as text, trimmed (None when blank), in file order."""
    if not len(where):
        return []
    # Slice first: a take over the whole table would copy every column to pick a few rows.
    first, last = int(where[0]), int(where[-1])
    picked = raw.slice(first, last - first + 1).take(pa.array(where - first)).to_pydict()
    found: list[dict[str, Any]] = []
    for n, position in enumerate(where.tolist()):
        row: dict[str, Any] = {"_row": position + 2} if with_row else {}
        for column, index in positions.items():
            cell = picked[f"c{index}"][n]
            row[column] = None if cell is None else (cell.strip(_WS) or None)
        found.append(row)
    return found


def _duplicates(
    con: duckdb.DuckDBPyConnection, ids: pa.ChunkedArray, kept: np.ndarray | None
) -> list[tuple[int, str, int]]:
    """(row, id, first row) for each valid row whose id an earlier valid row already has.

    Ids of an export usually come sorted: strictly increasing ids (compared as bytes) are
    all different, which is checked in one pass without hashing a million strings.
    """
    values = ids.combine_chunks()
    if len(values) < 2 or pc.all(pc.less(values[:-1], values[1:])).as_py():
        return []
    where = np.arange(len(values), dtype=np.int64) if kept is None else kept
    con.register("valid_ids", pa.table({"id": values, "_pos": where}))
    groups = con.sql(
        "SELECT id, list(_pos ORDER BY _pos) FROM valid_ids GROUP BY id HAVING count(*) > 1"
    ).fetchall()
    con.unregister("valid_ids")
    found = [
        (int(later) + 2, str(identifier), int(first) + 2)
        for identifier, (first, *rest) in groups
        for later in rest
    ]
    return sorted(found)
