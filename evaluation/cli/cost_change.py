"""Cost change before and after the conversations (Harrow's method), one column per group.

``python -m evaluation report cost-change [--db DB] [--by approach,cohort] [--as-of DATE]
[--site NAME] [--from DATE] [--to DATE] [--standardise [FIELDS]] [--format table|json|csv]``:
the same figures as the Cost change page, from ``evaluation.measures.cost_change``. JSON and
CSV give money in pounds to the penny (never rounded further); the table rounds as Harrow's
report does and adds the exact figures underneath. ``--standardise`` adds each group's
average change like for like with usual practice (``measures.standardise``).
"""

from __future__ import annotations

import argparse

from evaluation.cli.conversion import print_like_for_like
from evaluation.cli.options import (
    add_filters,
    add_format,
    add_period,
    add_standardise,
    add_threshold,
    chosen_threshold,
    iso_date,
    json_text,
    open_store,
    refuse,
    selection_from,
    text_table,
    write_bytes,
)
from evaluation.measures.cost_change import GROUP_KEYS, CostChange, check_by, difference, summary
from evaluation.measures.selection import Selection
from evaluation.measures.standardise import standardised_cost_change
from evaluation.measures.strata import Standardised
from evaluation.present import compare
from evaluation.present.cost_tables import INTERVAL_NOTE, summary_rows, table
from evaluation.present.exports import to_csv
from evaluation.present.formats import change_exact, uk_date
from evaluation.store.connection import StoreError


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
    add_period(parser, "first start", "last start")
    add_filters(parser, ("site", "approach", "cohort", "area"))
    add_format(parser)
    add_threshold(parser)
    add_standardise(parser)


def as_json(report: CostChange, like: Standardised | None = None) -> str:
    """The report as ``--format json`` prints it; with ``like``, each group's like-for-like
    fields after its own and the standardisation at the end."""
    data = report.as_dict()
    if like is not None:
        for group, found in zip(data["groups"], report.groups, strict=True):
            group.update(like.fields_for(found.key.values()))
        data["standardisation"] = like.as_dict()
    return json_text(data)


def as_table(report: CostChange, selection: Selection) -> str:
    """Harrow's layout: a row per measure, a column per group, then the exact figures."""
    lines = [
        f"Cost change, as of {uk_date(report.as_of)}" if report.as_of else "Cost change",
        f"Selection: {selection.describe()}",
        "",
    ]
    if not report.groups:
        lines.append("No requests for support in this selection.")
        return "\n".join(lines)
    headers = ["", *(g.label for g in report.groups)]
    rows = [[label, *(c.shown for c in row)] for label, row in table(report)]
    lines.append(text_table(headers, rows, right=range(1, len(headers))))
    lines.append("")
    lines.append("Exact figures:")
    for g in report.groups:
        ci, mean, year = g.mean_ci95, g.mean_weekly_change, g.full_year_impact
        if g.why_no_average:
            lines.append(f"  {g.label}: no average — {g.why_no_average}")
        else:
            lines.append(
                f"  {g.label}: average {change_exact(mean)} a week; full year "
                f"{change_exact(year)}; 95% interval "
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
        threshold = chosen_threshold(args)
        store = open_store(args)
    except (ValueError, StoreError) as error:
        return refuse(error)
    try:
        report = summary(store, selection, by=by, as_of=args.as_of, threshold=threshold)
        like = (
            standardised_cost_change(store, selection, by, args.standardise, args.as_of, threshold)
            if args.standardise
            else None
        )
    finally:
        store.close()
    if args.format == "json":
        print(as_json(report, like))
    elif args.format == "csv":
        rows, columns = summary_rows(report)
        if like is not None:
            for row, group in zip(rows, report.groups, strict=True):
                row.update(compare.flat(like.fields_for(group.key.values())))
            columns = [*columns, *compare.csv_columns(like.measure)]
        write_bytes(to_csv(rows, columns))
    else:
        print(as_table(report, selection))
        if like is not None:
            print_like_for_like(like)
    return 0
