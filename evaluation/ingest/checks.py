"""Checking a file against the contract, without touching the store.

``check`` reads and validates one file so the Upload page can show the detected kind, a
preview and every problem before anything is written. The whole file is checked at once in
DuckDB (``fast_check``); files whose structure is broken go row by row through the contract
models, which word every problem exactly. Row numbers are the spreadsheet's (header = 1).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from pydantic import ValidationError

from evaluation.core.contract import KINDS, Kind, Record
from evaluation.core.values import WHITESPACE
from evaluation.ingest.budget import checking
from evaluation.ingest.fast_check import PREVIEW_ROWS, FastResult, check_fast
from evaluation.ingest.mapping import Plan, plan_for
from evaluation.ingest.mapping_profile import Profile
from evaluation.ingest.reading import (
    NeedsRowByRow,
    Problem,
    Refused,
    column_letter,
    normalise_header,
    read_header,
    read_table,
)


@dataclass
class Checked:
    """A file read and validated against the contract, not yet stored."""

    file_name: str
    sha256: str
    kind: Kind | None = None
    table: pa.Table | None = None  # typed rows, raw ids still in them (pseudonymised on storing)
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    preview: list[dict[str, str]] = field(default_factory=list)
    profile: str | None = None  # the mapping profile that read it, if one did
    unmapped: int = 0  # headings and values of the file that profile doesn't know
    headings_fit: bool = True  # False: its headings fit no kind (the page offers a mapping)
    headings: dict[str, str] = field(default_factory=dict)  # contract column → file's heading

    @property
    def ok(self) -> bool:
        return not self.problems and self.kind is not None and self.table is not None

    @property
    def rows(self) -> int:
        return 0 if self.table is None else self.table.num_rows


def display_name(file_name: str) -> str:
    """The file's own name as plain text: no folders, no control characters, not too long.

    Browsers and the CLI may hand us a path or a name crafted to look like markup; it is only
    ever a label in the import log and on screen, never a path we open or HTML we render.
    """
    base = re.split(r"[\\/]", file_name)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[:200] or "unnamed.csv"


def detect_kind(headers: list[str]) -> Kind | None:
    """The kind whose id column the headers carry; if several do (feedback names its
    conversation_id), the one whose columns the headers match best."""
    keys = {normalise_header(h) for h in headers}
    found = [k for k in KINDS.values() if normalise_header(k.id_column) in keys]
    if not found:
        return None
    return max(found, key=lambda k: len(keys & {normalise_header(c) for c in k.columns}))


Progress = Callable[[float, str], None]


def silent(_fraction: float, _stage: str) -> None:
    return None


def check(
    data: bytes,
    file_name: str,
    kind: str | None = None,
    *,
    engine: str = "auto",
    progress: Progress = silent,
    profile: Profile | None = None,
    saved: Sequence[Profile] = (),
) -> Checked:
    """Read and validate one file; every problem is collected, nothing is stored.

    ``engine="auto"`` checks the whole file at once in DuckDB and falls back to the row-by-row
    reader for files whose structure is broken (it words those problems exactly);
    ``engine="python"`` forces the row-by-row path (the tests compare the two). ``profile``
    maps the file's headings and words first; without one, a file whose headings fit no kind
    is read with the ``saved`` profile that fits it, if any (``mapping.choose``).
    """
    checked = Checked(file_name=display_name(file_name), sha256="")
    if kind is not None and kind not in KINDS:
        checked.sha256 = hashlib.sha256(data).hexdigest()
        checked.problems.append(
            Problem(None, None, kind, f"unknown kind: use one of {', '.join(KINDS)}")
        )
        return checked

    def waiting() -> None:
        progress(0.0, f"Waiting for other files' checks to finish before {checked.file_name}")

    # SHA-256 lets go of Python's lock: the file's digest is worked out during the check.
    with ThreadPoolExecutor(1, thread_name_prefix="check-sha256") as side:
        digest = side.submit(lambda: hashlib.sha256(data).hexdigest())
        try:
            with checking(len(data), waiting):
                return _checked(data, kind, engine, progress, checked, profile, saved)
        except Refused as refused:
            checked.problems.append(refused.problem)
            return checked
        finally:
            checked.sha256 = digest.result()


def _checked(
    data: bytes,
    kind: str | None,
    engine: str,
    progress: Progress,
    checked: Checked,
    profile: Profile | None,
    saved: Sequence[Profile],
) -> Checked:
    """``check`` once its file has room in the budget."""
    try:
        if engine == "python":
            raise NeedsRowByRow("asked for")
        utf8, headers = read_header(data)
        plan = _plan(headers, kind, profile, saved, checked)
        chosen = plan.kind if plan else _choose_kind(headers, kind, checked)
        if chosen is None:
            return checked
        positions = plan.positions if plan else _match_headers(headers, chosen, checked)
        if checked.problems:
            return checked
        progress(0.1, f"Checking every value in {checked.file_name}")
        fast = check_fast(utf8, headers, positions, chosen, plan.rewrite if plan else None)
    except NeedsRowByRow:
        return _check_row_by_row(data, kind, checked, profile, saved)
    except Refused as refused:
        checked.problems.append(refused.problem)
        return checked
    progress(0.5, f"Wording any problems in {checked.file_name}")
    _explain(fast, chosen, checked)
    if plan:
        _reworded(plan, checked)
    progress(0.6, f"Checked {checked.file_name}")
    return checked


def _plan(
    headers: list[str],
    kind: str | None,
    profile: Profile | None,
    saved: Sequence[Profile],
    checked: Checked,
) -> Plan | None:
    """The mapping this file is read with (None: the contract's own headings); its heading
    problems and ignored columns go on ``checked``."""
    fits = not saved or headings_fit(headers, kind)
    plan = plan_for(headers, kind, profile, () if fits else saved)
    if plan:
        checked.kind, checked.profile = plan.kind, plan.profile.name
        checked.problems.extend(plan.problems)
        checked.unmapped = len(plan.problems)
        checked.ignored_columns.extend(plan.ignored)
    return plan


def _reworded(plan: Plan, checked: Checked) -> None:
    """Problems in the file's own headings and words, unmapped values among them."""
    checked.problems = plan.reword(checked.problems)
    checked.unmapped += len(plan.unmapped)
    if checked.problems:
        checked.table = None


def headings_fit(headers: list[str], kind: str | None = None) -> bool:
    """Whether the headings alone make a file of a kind (the kind asked for, or the one
    detected), with every required column."""
    chosen = KINDS[kind] if kind else detect_kind(headers)
    keys = {normalise_header(h) for h in headers}
    return chosen is not None and all(normalise_header(c) in keys for c in chosen.required)


def _choose_kind(headers: list[str], kind: str | None, checked: Checked) -> Kind | None:
    """The kind asked for, else the one the headers show; None (with the problem) if neither."""
    chosen = KINDS[kind] if kind else detect_kind(headers)
    if chosen is None:
        checked.headings_fit = False
        checked.problems.append(
            Problem(
                1,
                None,
                None,
                "can't tell which kind of file this is from its headers: it needs one of the "
                f"id columns {', '.join(k.id_column for k in KINDS.values())}",
            )
        )
        return None
    checked.kind = chosen
    return chosen


def _explain(fast: FastResult, kind: Kind, checked: Checked) -> None:
    """Word the problems of the rows DuckDB flagged, using the contract models themselves."""
    checked.preview = fast.preview
    if not fast.bad_rows and not fast.duplicates and fast.table.num_rows == 0:
        checked.problems.append(
            Problem(None, None, None, "The file has a header row but no data rows.")
        )
        return
    for raw in fast.bad_rows:
        row = raw.pop("_row")
        found = _model_problems(kind, row, {k: x or "" for k, x in raw.items()})
        checked.problems.extend(
            found or [Problem(row, None, None, "this row could not be read: check its values")]
        )
    for row, identifier, first in fast.duplicates:
        checked.problems.append(_duplicate(kind, row, identifier, first))
    checked.problems.sort(key=lambda p: p.row or 0)
    if not checked.problems:
        checked.table = fast.table


def _model_problems(kind: Kind, row: int, raw: dict[str, str]) -> list[Problem]:
    try:
        kind.model.model_validate(raw)
    except ValidationError as error:
        problems = []
        for detail in error.errors(include_url=False):
            context: dict[str, Any] = detail.get("ctx") or {}
            column = context.get("column") or (str(detail["loc"][0]) if detail["loc"] else None)
            problems.append(Problem(row, column, raw.get(column or ""), detail["msg"]))
        return problems
    return []


def _duplicate(kind: Kind, row: int, identifier: str, first: int) -> Problem:
    return Problem(
        row,
        kind.id_column,
        identifier,
        f"duplicate id: the same {kind.id_column} is also on row {first}",
    )


def _check_row_by_row(
    data: bytes,
    kind: str | None,
    checked: Checked,
    profile: Profile | None = None,
    saved: Sequence[Profile] = (),
) -> Checked:
    """The exact reader: the csv module and one model per row (slow, but words everything)."""
    checked.ignored_columns.clear()  # the fast path may have listed them before it gave up
    try:
        table = read_table(data)
    except Refused as refused:
        checked.problems.append(refused.problem)
        return checked
    plan = _plan(table.headers, kind, profile, saved, checked)
    chosen = plan.kind if plan else _choose_kind(table.headers, kind, checked)
    if chosen is None:
        return checked
    positions = plan.positions if plan else _match_headers(table.headers, chosen, checked)
    if checked.problems:
        return checked
    mapper = plan.map_row if plan else None
    _validate_rows(table.rows, len(table.headers), positions, chosen, checked, mapper)
    if plan:
        _reworded(plan, checked)
    return checked


def _match_headers(headers: list[str], kind: Kind, checked: Checked) -> dict[str, int]:
    """Map contract columns to positions; report repeated and missing columns."""
    wanted = {normalise_header(c): c for c in kind.columns}
    positions: dict[str, int] = {}
    for index, header in enumerate(headers):
        column = wanted.get(normalise_header(header))
        if column is None:
            if header:
                checked.ignored_columns.append(header)
            continue
        if column in positions:
            first = column_letter(positions[column])
            checked.problems.append(
                Problem(
                    1,
                    column,
                    header,
                    f"the column appears twice (columns {first} and {column_letter(index)})",
                )
            )
            continue
        positions[column] = index
        checked.headings[column] = header
    for column in kind.required:
        if column not in positions:
            checked.headings_fit = False
            checked.problems.append(
                Problem(1, column, None, f"required column is missing from the {kind.name} file")
            )
    return positions


def _validate_rows(
    rows: list[tuple[int, list[str]]],
    header_width: int,
    positions: dict[str, int],
    kind: Kind,
    checked: Checked,
    mapper: Callable[[int, dict[str, str]], dict[str, str]] | None = None,
) -> None:
    width = max(positions.values()) + 1 if positions else 0
    first_seen: dict[str, int] = {}
    records: list[Record] = []
    for row_number, cells in rows:
        if len(cells) > header_width and any(c.strip(WHITESPACE) for c in cells[header_width:]):
            checked.problems.append(
                Problem(
                    row_number,
                    None,
                    None,
                    f"the row has {len(cells)} values but the header has {header_width} columns "
                    "(a value with a comma inside must be wrapped in double quotes)",
                )
            )
            continue
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        raw = {column: cells[index] for column, index in positions.items()}
        if mapper is not None:
            raw = mapper(row_number, raw)
        if len(checked.preview) < PREVIEW_ROWS:
            checked.preview.append(raw)
        try:
            record = kind.model.model_validate(raw)
        except ValidationError:
            checked.problems.extend(_model_problems(kind, row_number, raw))
            continue
        identifier = getattr(record, kind.id_column)
        if identifier in first_seen:
            checked.problems.append(
                _duplicate(kind, row_number, identifier, first_seen[identifier])
            )
            continue
        first_seen[identifier] = row_number
        records.append(record)
    if not checked.problems:
        checked.table = to_arrow(kind, records)


def to_arrow(kind: Kind, records: list[Record]) -> pa.Table:
    """Column-wise typed values, in the store's column types (ids not yet pseudonymised)."""
    columns: dict[str, list[Any]] = {c: [] for c in kind.columns}
    for record in records:
        for column in kind.columns:
            columns[column].append(getattr(record, column))
    types = {
        "VARCHAR": pa.string(),
        "DATE": pa.date32(),
        "DECIMAL(12,2)": pa.decimal128(12, 2),
        "BOOLEAN": pa.bool_(),
        "INTEGER": pa.int32(),
        "DOUBLE": pa.float64(),
    }
    schema = pa.schema([(c, types[kind.sql_type(c)]) for c in kind.columns])
    return pa.table({c: columns[c] for c in kind.columns}, schema=schema)
