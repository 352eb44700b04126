"""CSV exports that are safe to open in a spreadsheet.

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be
run as a formula by Excel (CSV injection), so such text gets a leading apostrophe. Numbers
are written as they are: a negative change in cost stays a number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from evaluation.measures.feedback import FEEDBACK
from evaluation.measures.staff import STAFF
from evaluation.measures.suppression import hidden_words
from evaluation.measures.survey import Measures
from evaluation.present.surveys import left_out_text

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> bytes:
    """UTF-8 with BOM (so Excel shows £ correctly), CRLF line ends, text cells escaped."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(c) for c in columns])
    for row in rows:
        writer.writerow([safe_cell(row.get(c)) for c in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


SURVEYS = {"feedback": FEEDBACK, "staff": STAFF}


def survey_rows(result: Measures) -> tuple[list[dict[str, Any]], list[str]]:
    """A survey table's groups then its total as flat rows, with their columns. A hidden
    group's count and a withheld figure's count say why ("fewer than N", or "hidden to protect
    a small group"); ``left_out`` says what a group or the total did not add up."""
    survey = SURVEYS[result.kind]
    counts = {f.name: f.count for f in survey.figures}
    t = result.threshold
    columns = [*result.by, "responses", *survey.columns, "left_out"]
    label = "All shown" if result.total.get("left_out") else "All"
    rows = []
    for group in [*result.groups, {**dict.fromkeys(result.by, label), **result.total}]:
        row = {k: group.get(k) for k in columns}
        if group.get("suppressed"):
            row["responses"] = hidden_words(group.get("reason"), t)
        for name, reason in (group.get("withheld") or {}).items():
            row[counts[name]] = hidden_words(reason, t)
        row["left_out"] = left_out_text(group, t)
        rows.append(row)
    return rows, columns


def survey_csv(result: Measures) -> bytes:
    """``survey_rows`` as a CSV safe to open in Excel."""
    rows, columns = survey_rows(result)
    return to_csv(rows, columns)
