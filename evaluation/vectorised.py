"""The fast path of the import: parse and validate a whole file in DuckDB, column at a time.

A council export can hold a million rows; validating them one pydantic model at a time takes
minutes. Here DuckDB reads the CSV with the dialect pinned (comma, double quote, header row,
no compression, strict mode — never ``ignore_errors``) into text columns, and one generated
SQL statement converts and checks every column at once. The SQL is generated from the
contract models' field types (``values.py`` parsers), so the models stay the single statement
of what a valid row is. Rows the SQL flags are then handed to the models themselves, which
word the problems exactly as the row-by-row path does; a property test holds the two paths to
the same answers on random input.

This runs in its own in-memory DuckDB connection, never the store's: the store's connection
is locked down and may not read files.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from evaluation import values as v
from evaluation.contract import Kind
from evaluation.reading import NeedsRowByRow

_WS = v.WHITESPACE
UK_PREFIX = r"^(\d{1,2}/\d{1,2}/\d{4})"
SEPARATORS = r"[ \t\r\n\x0b\x0c_\-]+"
NUMBER = r"\d+(\.\d+)?"


@dataclass(frozen=True)
class FastResult:
    table: pa.Table  # typed values, contract column order, raw ids still in it
    bad_rows: list[dict[str, Any]]  # raw text of rows that failed, with "_row"
    duplicates: list[tuple[int, str, int]]  # (row, id, first row)
    preview: list[dict[str, str]]


def _validator(kind: Kind, column: str) -> Any:
    for item in kind.model.model_fields[column].metadata:
        func = getattr(item, "func", None)
        if func is not None and hasattr(func, "parse"):
            return func
    raise TypeError(f"{kind.name}.{column} has no contract parser")


class Params:
    """Named bound parameters: an expression may appear twice in the SQL and bind once."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def __call__(self, value: Any, sql_type: str = "VARCHAR") -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f"${name}::{sql_type}"


def _enum(expr: str, mapping: dict[str, str], bind: Params) -> str:
    """CASE over bound lists: which canonical value a normalised text maps to."""
    branches = []
    for canonical in sorted(set(mapping.values())):
        keys = bind(sorted(k for k, c in mapping.items() if c == canonical), "VARCHAR[]")
        branches.append(f"WHEN list_contains({keys}, {expr}) THEN {bind(canonical)}")
    return f"CASE {' '.join(branches)} END"


def _value_sql(parse: Any, t: str, bind: Params) -> str:
    """SQL that gives the parsed value of trimmed text ``t`` (NULL when it is not valid)."""
    if parse is str:
        return t
    if parse is v.uk_date:
        uk = r"(\d{1,2})/(\d{1,2})/(\d{4})([ \t\r\n\x0b\x0c]+\d{1,2}:\d{2}(:\d{2})?)?"
        iso = r"(\d{4})-(\d{2})-(\d{2})([T \t\r\n\x0b\x0c]\d{2}:\d{2}(:\d{2})?)?"
        day = (
            f"CASE WHEN regexp_full_match({t}, {bind(uk)}) "
            f"THEN try_strptime(regexp_extract({t}, {bind(UK_PREFIX)}, 1), "
            "'%d/%m/%Y')::DATE "
            f"WHEN regexp_full_match({t}, {bind(iso)}) "
            f"THEN try_strptime(left({t}, 10), '%Y-%m-%d')::DATE END"
        )
        return day
    if parse is v.money:  # the amount; what makes it valid is in _extra_check
        digits = f"ltrim(trim(replace(replace({t}, '\u00a3', ''), ' ', ''), '()'), '-')"
        return f"TRY_CAST(replace({digits}, ',', '') AS DECIMAL(38,10))"
    if parse is v.yes_no:
        lowered = f"lower({t})"
        return (
            f"CASE WHEN list_contains({bind(sorted(v.YES), 'VARCHAR[]')}, {lowered}) THEN true "
            f"WHEN list_contains({bind(sorted(v.NO), 'VARCHAR[]')}, {lowered}) THEN false END"
        )
    if parse is v.approach:
        key = f"regexp_replace(lower({t}), {bind(SEPARATORS)}, ' ', 'g')"
        spaced = _enum(key, v.APPROACHES, bind)
        squashed = _enum(f"replace({key}, ' ', '')", v.APPROACHES, bind)
        return f"coalesce({spaced}, {squashed})"
    if parse is v.request_type:
        return _enum(f"lower({t})", {"new": "new", "existing": "existing"}, bind)
    if parse is v.conversation_number:
        pattern = bind(r"^(conversation|c)[ \t\r\n\x0b\x0c]*")
        stripped = f"regexp_replace(lower({t}), {pattern}, '')"
        return f"CASE WHEN {stripped} IN ('1', '2', '3') THEN {stripped}::INTEGER END"
    if parse is v.answer:
        mapping = {"yes": "yes", "y": "yes", "partly": "partly", "partially": "partly"}
        return _enum(f"lower({t})", {**mapping, "no": "no", "n": "no"}, bind)
    if parse is v.score:
        return f"CASE WHEN {t} IN ('1', '2', '3', '4', '5') THEN {t}::INTEGER END"
    if parse is v.percent:
        number = f"trim(rtrim({t}, '%'), {bind(_WS)})"
        return (
            f"CASE WHEN regexp_full_match({number}, {bind(NUMBER)}) "
            f"AND TRY_CAST({number} AS DOUBLE) BETWEEN 0 AND 100 "
            f"THEN TRY_CAST({number} AS DOUBLE) END"
        )
    if parse is v.status:
        statuses = {"active": "active", "suspended": "suspended"}
        statuses.update({"cancelled": "cancelled", "canceled": "cancelled"})
        return _enum(f"lower({t})", statuses, bind)
    raise TypeError(f"no SQL for parser {parse!r}")


def _extra_check(parse: Any, value: str, t: str, bind: Params) -> str | None:
    """What a parsed value must also satisfy (checked in a second pass, on the typed column)."""
    if parse is v.uk_date:
        return f"year({value}) >= 1"
    if parse is v.money:
        w = f"replace(replace({t}, '\u00a3', ''), ' ', '')"
        digits = f"ltrim(trim({w}, '()'), '-')"
        negative = f"(starts_with({w}, '-') OR (starts_with({w}, '(') AND ends_with({w}, ')')))"
        pattern = bind(r"^\d{1,3}(,\d{3})+(\.\d+)?$|^\d+(\.\d+)?$|^\.\d+$")
        return (
            f"regexp_matches({digits}, {pattern}) "
            f"AND length(split_part({digits}, '.', 2)) <= 2 "
            f"AND NOT ({negative} AND {value} <> 0) AND {value} < 10000000000"
        )
    return None


def _typed(kind: Kind, column: str, t: str, bind: Params) -> tuple[str, str]:
    """(value expression over trimmed text ``t``, ok expression over the value column).

    The value is computed once, in the first pass; the ok expression reads the typed column
    (named like the contract column) in the second pass, so no parse runs twice.
    """
    wrapper = _validator(kind, column)
    parsed = _value_sql(wrapper.parse, t, bind)
    extra = _extra_check(wrapper.parse, column, t, bind)
    valid = f"{column} IS NOT NULL" + (f" AND {extra}" if extra else "")
    if wrapper.required:
        return parsed, f"coalesce({t} IS NOT NULL AND {valid}, false)"
    ok = f"coalesce({t} IS NULL OR ({valid}), false)"
    if wrapper.default is None:
        return parsed, ok
    default = bind(wrapper.default, kind.sql_type(column))
    return f"CASE WHEN {t} IS NULL THEN {default} ELSE {parsed} END", ok


def _unusual_lines(data: bytes) -> bool:
    """Blank lines (a spreadsheet numbers them, DuckDB skips them) or lone carriage returns."""
    if re.search(rb"(^|\n)[ \t]*\r?\n", data):
        return True
    return data.count(b"\r") != data.count(b"\r\n")


def check_fast(
    data: bytes, headers: list[str], positions: dict[str, int], kind: Kind
) -> FastResult:
    """Parse and check UTF-8 CSV bytes (header included) in DuckDB."""
    if _unusual_lines(data):
        raise NeedsRowByRow("blank lines or lone carriage returns")
    width = len(headers)
    folder = tempfile.mkdtemp(prefix="evaluation-import-")
    path = os.path.join(folder, "upload.csv")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    con = duckdb.connect()
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        columns = {f"c{i}": "VARCHAR" for i in range(width)}
        trimmed = ", ".join(f"NULLIF(trim(c{i}, $ws), '') AS c{i}" for i in range(width))
        try:
            con.execute(
                f"CREATE TEMP TABLE raw_rows AS SELECT {trimmed} FROM read_csv($path, "
                "header = true, delim = ',', quote = '\"', escape = '\"', auto_detect = false, "
                "columns = $columns, strict_mode = true, null_padding = false, "
                "compression = 'none', all_varchar = true)",
                {"path": path, "columns": columns, "ws": _WS},
            )
        except duckdb.Error as error:
            raise NeedsRowByRow(str(error)) from None
    finally:
        os.unlink(path)
        os.rmdir(folder)
    return _validate(con, kind, positions, width)


def _validate(
    con: duckdb.DuckDBPyConnection, kind: Kind, positions: dict[str, int], width: int
) -> FastResult:
    bind = Params()
    not_blank = " OR ".join(f"c{i} IS NOT NULL" for i in range(width))
    raw_text = ", ".join(f"c{i}" for i in range(width))
    values, oks = [], []
    for column in kind.columns:
        source = f"c{positions[column]}" if column in positions else "NULL::VARCHAR"
        value, ok = _typed(kind, column, source, bind)
        values.append(f"{value} AS {column}")
        oks.append(ok)
    rules = " AND ".join(f"coalesce({rule}, false)" for _, rule in kind.row_rules) or "true"
    # Two layers in one statement: the inner one parses each column once, the outer one checks
    # the typed values. rowid is the insertion order of the table just filled from the file:
    # rowid 0 is the spreadsheet's row 2 (the header is row 1).
    con.execute(
        f"CREATE TEMP TABLE checked AS SELECT *, {' AND '.join(oks)} AND {rules} AS _ok FROM "
        f"(SELECT rowid + 2 AS _row, {raw_text}, {', '.join(values)} "
        f"FROM raw_rows WHERE {not_blank})",
        bind.values,
    )
    key = kind.id_column
    duplicates = [
        (int(r), str(i), int(f))
        for r, i, f in con.execute(
            f"SELECT _row, {key}, first FROM (SELECT _row, {key}, "
            f"min(_row) OVER (PARTITION BY {key}) AS first FROM checked WHERE _ok) "
            "WHERE _row > first ORDER BY _row"
        ).fetchall()
    ]
    raw_columns = ", ".join(f"c{index} AS {column}" for column, index in positions.items())
    bad = con.execute(f"SELECT _row, {raw_columns} FROM checked WHERE NOT _ok ORDER BY _row")
    names = [d[0] for d in bad.description]
    bad_rows = [dict(zip(names, row, strict=True)) for row in bad.fetchall()]
    preview_rel = con.execute(f"SELECT {raw_columns} FROM checked ORDER BY _row LIMIT 10")
    preview_names = [d[0] for d in preview_rel.description]
    preview = [
        {k: ("" if x is None else x) for k, x in zip(preview_names, row, strict=True)}
        for row in preview_rel.fetchall()
    ]
    typed = ", ".join(f"{c}::{kind.sql_type(c)} AS {c}" for c in kind.columns)
    table = con.sql(f"SELECT {typed} FROM checked WHERE _ok ORDER BY _row").to_arrow_table()
    con.close()
    return FastResult(table, bad_rows, duplicates, preview)


def pseudonymise(table: pa.Table, kind: Kind, key: bytes) -> pa.Table:
    """Replace person and worker ids with HMAC-SHA256 pseudonyms, computed in DuckDB.

    The same construction as ``pseudonym.pseudonym`` (RFC 2104 HMAC with SHA-256, the first 20
    hex digits, prefixed), so erasure can find people by recomputing one pseudonym in Python.
    """
    if not kind.pseudonymised:
        return table
    block = key if len(key) <= 64 else hashlib.sha256(key).digest()
    block = block.ljust(64, b"\0")
    inner = bytes(b ^ 0x36 for b in block)
    outer = bytes(b ^ 0x5C for b in block)
    con = duckdb.connect()
    con.register("incoming", table)
    params = {"outer": outer, "inner": inner, "ws": _WS}
    columns = []
    for column in kind.columns:
        if column in kind.pseudonymised:
            prefix = "'W-'" if column == "worker_id" else "'P-'"
            digest = (
                "sha256($outer::BLOB || unhex(sha256($inner::BLOB || "
                f"encode(trim({column}, $ws)))))"
            )
            columns.append(
                f"CASE WHEN {column} IS NULL THEN NULL ELSE {prefix} || left({digest}, 20) END "
                f"AS {column}"
            )
        else:
            columns.append(column)
    con.execute(f"CREATE TEMP TABLE hashed AS SELECT {', '.join(columns)} FROM incoming", params)
    result = con.sql("SELECT * FROM hashed").to_arrow_table()
    con.close()
    return result.cast(table.schema)
