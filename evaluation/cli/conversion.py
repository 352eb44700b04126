"""Conversion of new requests into long-term support, the flow and repeat requests.

``python -m evaluation report conversion [--by area] [--from DATE] [--to DATE]
[--standardise [FIELDS]] [--format table|json|csv]``: the same figures as the Money and
resources page, from the same functions. Rates are percentages (0–100); JSON keeps them
unrounded, the table shows two decimal places. ``--standardise`` adds each group's rate like
for like with usual practice (``measures.standardise``).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from evaluation.cli.options import (
    add_filters,
    add_format,
    add_period,
    add_standardise,
    add_threshold,
    chosen_threshold,
    measured,
    print_json,
    refuse,
    text_table,
    write_bytes,
)
from evaluation.measures.conversion import DIMENSIONS, ConversionRow, groups_and_total
from evaluation.measures.selection import Selection
from evaluation.measures.standardise import standardised_conversion
from evaluation.measures.strata import Standardised
from evaluation.present import compare
from evaluation.present.exports import to_csv
from evaluation.present.formats import interval, percent
from evaluation.store.connection import Store, StoreError

HEADERS = (
    "Group",
    "New requests",
    "Long-term",
    "No long-term",
    "Conversion",
    "95% interval",
    "Requests",
    "Had C2",
    "Had C3",
    "Repeat requests",
    "Repeat rate",
    "Reablement",
    "Reablement rate",
)
CSV_COLUMNS = (
    "group",
    "requests",
    "new_requests",
    "long_term",
    "no_long_term",
    "new_underway",
    "conversion_rate",
    "conversion_ci95_low",
    "conversion_ci95_high",
    "no_rate_because",
    "reached_conversation_2",
    "reached_conversation_3",
    "repeat_requests",
    "repeat_rate",
    "repeat_unsure",
    "reablement",
    "reablement_rate",
)


def add_selection_arguments(parser: argparse.ArgumentParser, dimensions: Sequence[str]) -> None:
    """The options every request report takes: split, period, filters, format."""
    parser.add_argument(
        "--by",
        default="",
        help=f"split into groups: one or more of {', '.join(dimensions)}, comma-separated",
    )
    add_period(parser)
    add_filters(parser)
    add_format(parser)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_selection_arguments(parser, list(DIMENSIONS))
    add_threshold(parser)
    add_standardise(parser)


def _line(row: ConversionRow, label: str) -> list[Any]:
    why = row.why_no_rate
    return [
        label,
        row.new_requests,
        row.long_term,
        row.no_long_term,
        why or percent(row.conversion_rate, 2),
        "" if why else interval(row.conversion_ci95, 2, joiner="–"),
        row.requests,
        row.reached_conversation_2,
        row.reached_conversation_3,
        row.repeat_requests,
        "" if why else percent(row.repeat_rate, 2),
        row.reablement,
        "" if why else percent(row.reablement_rate, 2),
    ]


def _csv_row(row: ConversionRow, label: str) -> dict[str, Any]:
    data = row.as_dict()
    data["group"] = label
    ci = data.pop("conversion_ci95")
    data["conversion_ci95_low"], data["conversion_ci95_high"] = ci if ci else (None, None)
    return data


def run(args: argparse.Namespace) -> int:
    fields = args.standardise
    threshold = chosen_threshold(args)

    def compute(store: Store, selection: Selection, by: tuple[str, ...]) -> Any:
        found = groups_and_total(store, selection, by, threshold=threshold)
        if not fields:
            return found, None
        return found, standardised_conversion(store, selection, by, fields, threshold)

    try:
        by, selection, ((groups, overall), like) = measured(args, list(DIMENSIONS), compute)
    except (ValueError, StoreError) as error:
        return refuse(error)
    if args.format == "json":
        report = {
            "report": "conversion",
            "selection": selection.describe(),
            "by": list(by),
            "groups": [_with(g.as_dict(), g, like) for g in groups],
            "total": overall.as_dict(),
        }
        if like is not None:
            report["standardisation"] = like.as_dict()
        print_json(report)
        return 0
    labelled = [(g, g.label) for g in groups] if by else []
    labelled.append((overall, "Total" if by else "All requests"))
    if args.format == "csv":
        extra = compare.csv_columns(like.measure) if like else []
        lines = [
            _csv_row(g, label) | (compare.flat(like.fields_for(g.group.values())) if like else {})
            for g, label in labelled
        ]
        if by and like:  # the total is not standardised: its cells stay empty
            lines[-1] = lines[-1] | dict.fromkeys(extra)
        write_bytes(to_csv(lines, [*by, *CSV_COLUMNS, *extra]))
        return 0
    print(f"Conversion of new requests into long-term support — {selection.describe()}")
    print(text_table(HEADERS, [_line(g, label) for g, label in labelled]))
    print(
        "Conversion = new requests that led to long-term support ÷ new requests; the interval "
        "is a 95% Wilson interval. Repeat rate = repeat requests ÷ new requests; reablement "
        "rate = new requests with a reablement or ST-Max package ÷ new requests. Had C2 / C3: "
        "requests that had a Conversation 2 / 3. A group of fewer than "
        f"{threshold} new requests shows its counts and no rate."
    )
    unsure = overall.repeat_unsure
    if unsure:
        print(
            f"{unsure:,} of {overall.new_requests:,} new requests began less than a year after "
            "the first conversation in the store: an earlier request that would make them a "
            "repeat may be missing, so repeat rates may be too low."
        )
    if like is not None:
        print_like_for_like(like)
    return 0


def _with(data: dict[str, Any], row: ConversionRow, like: Standardised | None) -> dict[str, Any]:
    """A group's report fields, with its like-for-like fields after them when asked for."""
    return data if like is None else data | like.fields_for(row.group.values())


def print_like_for_like(like: Standardised) -> None:
    """The like-for-like table and what it shows, under a report's own table."""
    headers, cells, sentences = compare.report_lines(like)
    print()
    print(f"Like for like with {like.reference_label} ({compare.fields_text(like.fields)}):")
    if cells:
        print(text_table(headers, cells))
    print("\n".join(sentences))
