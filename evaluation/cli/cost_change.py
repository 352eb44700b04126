"""Cost change before and after the conversations (Harrow's method), one column per group.

``python -m evaluation report cost-change [--db DB] [--by approach,cohort] [--as-of DATE]
[--site NAME] [--from DATE] [--to DATE] [--format table|json|csv]``: the same figures as
the Cost change page, from ``evaluation.measures.cost_change``. JSON and CSV give money in pounds to
the penny (never rounded further); the table rounds as Harrow's report does and adds the
exact figures underneath.
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from typing import Any

from evaluation.cli.main import iso_date
from evaluation.cli.options import open_store, selection_from
from evaluation.measures.cost_change import (
    GROUP_KEYS,
    INTERVAL_NOTE,
    CostChange,
    check_by,
    difference,
    summary,
    summary_rows,
    table,
)
from evaluation.measures.selection import Selection
from evaluation.present.exports import to_csv
from evaluation.present.money import change_exact
from evaluation.store.connection import StoreError

FORMATS = ("table", "json", "csv")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--by",
        default="approach",
        help=f"group into columns by one or more of {', '.join(GROUP_KEYS)}, comma-separated "
        "(default: approach)",
    )
    parser.add_argument(
        "--as-of",
        type=iso_date,
        help="count as ongoing any request whose 30 days after the end fall after this date "
        "(default: each import's extract date)",
    )
    parser.add_argument("--from", dest="date_from", type=iso_date, help="first start, YYYY-MM-DD")
    parser.add_argument("--to", dest="date_to", type=iso_date, help="last start, YYYY-MM-DD")
    for name, text in (
        ("site", "only this site (repeat for more)"),
        ("approach", "only this approach: 'three conversations' or 'usual practice'"),
        ("cohort", "only this cohort (repeat for more)"),
        ("area", "only this area (repeat for more)"),
    ):
        parser.add_argument(f"--{name}", action="append", default=[], help=text)
    parser.add_argument("--format", choices=FORMATS, default="table")


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"can't write {type(value).__name__} as JSON")


def as_json(report: CostChange) -> str:
    return json.dumps(report.as_dict(), default=_json_value, indent=2, ensure_ascii=False)


def as_table(report: CostChange, selection: Selection) -> str:
    """Harrow's layout: a row per measure, a column per group, then the exact figures."""
    lines = [
        f"Cost change, as of {report.as_of:%d/%m/%Y}" if report.as_of else "Cost change",
        f"Selection: {selection.describe()}",
        "",
    ]
    if not report.groups:
        lines.append("No requests for support in this selection.")
        return "\n".join(lines)
    rows = table(report)
    headers = ["", *(g.label for g in report.groups)]
    cells = [headers, *([label, *(c.shown for c in row)] for label, row in rows)]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for index, row in enumerate(cells):
        lines.append(
            "  ".join(
                [
                    row[0].ljust(widths[0]),
                    *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)),
                ]
            ).rstrip()
        )
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append("")
    lines.append("Exact figures:")
    for g in report.groups:
        ci = g.mean_ci95
        lines.append(
            f"  {g.label}: average {change_exact(g.mean_weekly_change) or 'none'} a week; "
            f"full year {change_exact(g.full_year_impact) or 'none'}; 95% interval "
            + (f"{change_exact(ci[0])} to {change_exact(ci[1])}" if ci else "not available")
        )
        if g.provisional:
            lines.append(
                f"  {g.label}: provisional — {g.ongoing} of {g.conversations} requests are "
                "still ongoing (more than a third)"
            )
    if len(report.groups) == 2:
        diff = difference(*report.groups)
        if diff.difference is not None:
            ci_text = (
                f"{change_exact(diff.ci95[0])} to {change_exact(diff.ci95[1])}"
                if diff.ci95
                else "not available"
            )
            lines.append(
                f"  Difference ({diff.a} minus {diff.b}): {change_exact(diff.difference)} "
                f"a week; 95% interval {ci_text}"
            )
    lines.append("")
    lines.append(INTERVAL_NOTE)
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    try:
        selection = selection_from(args)
        by = check_by(args.by.split(","))
    except ValueError as error:
        print(str(error), file=sys.stderr)
        return 2
    try:
        store = open_store(args)
    except StoreError as error:
        print(str(error), file=sys.stderr)
        return 2
    try:
        report = summary(store, selection, by=by, as_of=args.as_of)
    finally:
        store.close()
    if args.format == "json":
        print(as_json(report))
    elif args.format == "csv":
        rows, columns = summary_rows(report)
        sys.stdout.buffer.write(to_csv(rows, columns))
        sys.stdout.flush()
    else:
        print(as_table(report, selection))
    return 0
