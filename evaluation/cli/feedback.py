"""People and families: responses, % yes / partly / no per question and mean satisfaction.

``python -m evaluation report feedback [--db DB] [--by site] [--from DATE] [--to DATE]
[--format table|json|csv] [--threshold N]``: the figures on the People and families page,
from the same function. ``--by`` takes one or more of site, approach, month, method
(comma-separated or repeated). Percentages are numbers from 0 to 100, of the responses that
answered that question. A group of fewer than 5 responses (or ``--threshold``, which can
only be raised) is ``{<by keys>, "suppressed": true}`` in JSON and "fewer than 5" elsewhere.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from evaluation.cli.main import iso_date
from evaluation.cli.options import open_store
from evaluation.measures.feedback import (
    ANSWERS,
    FIGURES,
    GROUP_SQL,
    QUESTIONS,
    Measures,
    feedback_measures,
)
from evaluation.measures.suppression import check_threshold, configured_threshold, fewer_than
from evaluation.present.exports import to_csv
from evaluation.store.connection import StoreError

FORMATS = ("table", "json", "csv")


def by_option(allowed: Sequence[str]) -> Callable[[str], list[str]]:
    """An argparse type for ``--by a,b``: bad names exit 2 with the choices on stderr."""

    def parse(text: str) -> list[str]:
        chosen = [part.strip().lower() for part in text.split(",") if part.strip()]
        unknown = [c for c in chosen if c not in allowed]
        if unknown:
            raise argparse.ArgumentTypeError(
                f"can't group by {', '.join(unknown)}: use one or more of {', '.join(allowed)}"
            )
        return chosen

    return parse


def threshold_option(text: str) -> int:
    try:
        return check_threshold(int(text))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_common_arguments(parser: argparse.ArgumentParser, allowed: Sequence[str]) -> None:
    parser.add_argument(
        "--by",
        type=by_option(allowed),
        action="append",
        help=f"group by one or more of {', '.join(allowed)} (default: site)",
    )
    parser.add_argument("--from", dest="start", type=iso_date, help="first day, YYYY-MM-DD")
    parser.add_argument("--to", dest="end", type=iso_date, help="last day, YYYY-MM-DD")
    parser.add_argument("--format", choices=FORMATS, default="table")
    parser.add_argument(
        "--threshold",
        type=threshold_option,
        help="hide groups with fewer responses than this (default 5; never below 5)",
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common_arguments(parser, list(GROUP_SQL))


def chosen_by(args: argparse.Namespace) -> list[str]:
    chosen = [k for part in (args.by or [["site"]]) for k in part]
    return list(dict.fromkeys(chosen))


def run_report(args: argparse.Namespace, measure: Callable[..., Measures], write: Any) -> int:
    """Shared by the feedback and staff reports: parse, measure, print; 2 on bad input."""
    try:
        threshold = args.threshold or configured_threshold()
        store = open_store(args)
    except (ValueError, StoreError) as error:
        print(str(error), file=sys.stderr)
        return 2
    try:
        result = measure(
            store, chosen_by(args), start=args.start, end=args.end, threshold=threshold
        )
    except ValueError as error:
        print(str(error), file=sys.stderr)
        return 2
    finally:
        store.close()
    write(result, args.format)
    return 0


def run(args: argparse.Namespace) -> int:
    return run_report(args, feedback_measures, write_feedback)


# --- output ----------------------------------------------------------------------------

FIGURE_COLUMNS = (
    *(name for q in QUESTIONS for name in (f"{q}_answered", *(f"{q}_{a}_pct" for a in ANSWERS))),
    "satisfaction_answered",
    "satisfaction_mean",
)


def csv_rows(
    result: Measures, figure_columns: Sequence[str], counts: Mapping[str, str]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Groups then the total as flat rows; hidden figures read "fewer than N"."""
    small = fewer_than(result.threshold)
    columns = [*result.by, "responses", *figure_columns]
    rows = []
    for group in [*result.groups, {**dict.fromkeys(result.by, "All"), **result.total}]:
        row = {k: group.get(k) for k in columns}
        if group.get("suppressed"):
            row["responses"] = small
        for name in group.get("withheld", []):
            row[counts[name]] = small
        rows.append(row)
    return rows, columns


def text_table(rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns, two spaces apart, a rule under the header."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def period_text(result: Measures) -> str:
    start = f"{result.start:%d/%m/%Y}" if result.start else "the first response"
    end = f"{result.end:%d/%m/%Y}" if result.end else "the latest"
    return f"from {start} to {end}"


def _answer_cell(group: Mapping[str, Any], q: str, small: str) -> str:
    if q in group.get("withheld", []):
        return f"{small} answered"
    if not group[f"{q}_answered"]:
        return "none answered"
    shares = " / ".join(f"{group[f'{q}_{a}_pct']:.1f}" for a in ANSWERS)
    return f"{shares} ({group[f'{q}_answered']})"


def write_measures(
    result: Measures,
    fmt: str,
    *,
    figure_columns: Sequence[str],
    counts: Mapping[str, str],
    title: str,
    headings: Sequence[str],
    cells: Callable[[Mapping[str, Any], str], list[str]],
    note: str,
) -> None:
    """A survey's measures as JSON, CSV or a text table: one row per group then the total,
    a hidden group showing only "fewer than N". ``cells`` gives a shown group's figures after
    its response count; ``note`` may name ``{small}``. Feedback and staff reports share it."""
    if fmt == "json":
        print(json.dumps(result.to_json(), indent=2))
        return
    if fmt == "csv":
        rows, names = csv_rows(result, figure_columns, counts)
        sys.stdout.write(to_csv(rows, names).decode("utf-8-sig"))
        return
    small = fewer_than(result.threshold)
    header = [*result.by, "responses", *headings]
    table = [header]
    for group in [*result.groups, {**dict.fromkeys(result.by, "All"), **result.total}]:
        keys = [str(group[k]) for k in result.by]
        if group.get("suppressed"):
            table.append([*keys, small, *[""] * (len(header) - len(keys) - 1)])
            continue
        table.append([*keys, str(group["responses"]), *cells(group, small)])
    print(f"{title} {period_text(result)}, by {', '.join(result.by) or '-'}")
    print(text_table(table))
    print(note.format(small=small))


def write_feedback(result: Measures, fmt: str) -> None:
    def cells(group: Mapping[str, Any], small: str) -> list[str]:
        if "satisfaction" in group.get("withheld", []):
            satisfaction = f"{small} answered"
        elif group["satisfaction_mean"] is None:
            satisfaction = "none answered"
        else:
            satisfaction = f"{group['satisfaction_mean']:.2f} ({group['satisfaction_answered']})"
        return [*(_answer_cell(group, q, small) for q in QUESTIONS), satisfaction]

    write_measures(
        result,
        fmt,
        figure_columns=FIGURE_COLUMNS,
        counts={f.name: f.count for f in FIGURES},
        title="People and families feedback",
        headings=[
            *(f"{t.lower()}: yes / partly / no % (answered)" for t in QUESTIONS.values()),
            "mean satisfaction (answered)",
        ],
        cells=cells,
        note="Percentages are of the responses that answered each question. Groups of {small} "
        "responses are hidden, with the next smallest where a total would reveal them.",
    )
