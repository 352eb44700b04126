"""Conversion of new requests into long-term support, the funnel and repeat requests.

``python -m evaluation report conversion [--by area] [--from DATE] [--to DATE]
[--format table|json|csv]``: the same figures as the Money and resources page, from the same
functions. Rates are percentages (0–100); JSON keeps them unrounded, the table shows two
decimal places.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from typing import Any

from evaluation.cli.main import iso_date
from evaluation.cli.options import open_store, selection_from
from evaluation.measures.conversion import DIMENSIONS, ConversionRow, groups_and_total
from evaluation.present.exports import to_csv
from evaluation.store.connection import StoreError

FORMATS = ("table", "json", "csv")
_FIGURE = re.compile(r"^[-+£]?[\d.,]+(?:%|–[\d.,]+%)?$")


def add_selection_arguments(parser: argparse.ArgumentParser, dimensions: Sequence[str]) -> None:
    """The options every report of this family takes: split, period, filters, format."""
    parser.add_argument(
        "--by",
        default="",
        help=f"split into groups: one or more of {', '.join(dimensions)}, comma-separated",
    )
    parser.add_argument("--from", dest="date_from", type=iso_date, help="first day, YYYY-MM-DD")
    parser.add_argument("--to", dest="date_to", type=iso_date, help="last day, YYYY-MM-DD")
    for name, help_text in (
        ("site", "only this site (repeat for more)"),
        ("approach", "only this approach: 'three conversations' or 'usual practice'"),
        ("area", "only this area (repeat for more)"),
        ("cohort", "only this cohort (repeat for more)"),
    ):
        parser.add_argument(f"--{name}", action="append", default=[], help=help_text)
    parser.add_argument("--format", choices=FORMATS, default="table")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_selection_arguments(parser, list(DIMENSIONS))


def split_by(text: str, allowed: Sequence[str]) -> tuple[str, ...]:
    chosen = tuple(part.strip().lower() for part in text.split(",") if part.strip())
    unknown = [d for d in chosen if d not in allowed]
    if unknown:
        raise ValueError(f"--by {', '.join(unknown)}: use one or more of {', '.join(allowed)}")
    return chosen


def rate(value: float | None, places: int = 2) -> str:
    return "" if value is None else f"{value:.{places}f}%"


def interval(ci: tuple[float, float] | None, places: int = 2) -> str:
    return "" if ci is None else f"{ci[0]:.{places}f}–{ci[1]:.{places}f}%"


def text_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain aligned table: text to the left, figures to the right."""
    cells = [[str(h) for h in headers], *[["" if c is None else str(c) for c in r] for r in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    numeric = [
        all(_FIGURE.match(row[i]) for row in cells[1:] if row[i]) for i in range(len(headers))
    ]
    lines = []
    for row in cells:
        lines.append(
            "  ".join(
                cell.rjust(widths[i]) if numeric[i] else cell.ljust(widths[i])
                for i, cell in enumerate(row)
            ).rstrip()
        )
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


HEADERS = (
    "Group",
    "New requests",
    "Long-term",
    "No long-term",
    "Conversion",
    "95% interval",
    "Requests",
    "Reached C2",
    "Reached C3",
    "Repeat requests",
    "Repeat rate",
)
CSV_COLUMNS = (
    "group",
    "requests",
    "new_requests",
    "long_term",
    "no_long_term",
    "conversion_rate",
    "conversion_ci95_low",
    "conversion_ci95_high",
    "reached_conversation_2",
    "reached_conversation_3",
    "repeat_requests",
    "repeat_rate",
)


def _line(row: ConversionRow, label: str) -> list[Any]:
    return [
        label,
        row.new_requests,
        row.long_term,
        row.no_long_term,
        rate(row.conversion_rate),
        interval(row.conversion_ci95),
        row.requests,
        row.reached_conversation_2,
        row.reached_conversation_3,
        row.repeat_requests,
        rate(row.repeat_rate),
    ]


def _csv_row(row: ConversionRow, label: str) -> dict[str, Any]:
    data = row.as_dict()
    data["group"] = label
    ci = data.pop("conversion_ci95")
    data["conversion_ci95_low"], data["conversion_ci95_high"] = ci if ci else (None, None)
    return data


def run(args: argparse.Namespace) -> int:
    try:
        by = split_by(args.by, list(DIMENSIONS))
        selection = selection_from(args)
        store = open_store(args)
    except (ValueError, StoreError) as error:
        print(str(error), file=sys.stderr)
        return 2
    try:
        groups, overall = groups_and_total(store, selection, by)
    finally:
        store.close()
    if args.format == "json":
        print(
            json.dumps(
                {
                    "report": "conversion",
                    "selection": selection.describe(),
                    "by": list(by),
                    "groups": [g.as_dict() for g in groups],
                    "total": overall.as_dict(),
                },
                indent=2,
            )
        )
        return 0
    labelled = [(g, g.label) for g in groups] if by else []
    labelled.append((overall, "Total" if by else "All requests"))
    if args.format == "csv":
        rows = [_csv_row(g, label) for g, label in labelled]
        sys.stdout.buffer.write(to_csv(rows, [*by, *CSV_COLUMNS]))
        sys.stdout.flush()
        return 0
    print(f"Conversion of new requests into long-term support — {selection.describe()}")
    print(text_table(HEADERS, [_line(g, label) for g, label in labelled]))
    print(
        "Conversion = new requests that led to long-term support ÷ new requests; the interval "
        "is a 95% Wilson interval. Repeat rate = repeat requests ÷ new requests."
    )
    return 0
