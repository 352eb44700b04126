"""Direct payments by area on chosen dates (Birmingham's table), and conversations completed.

``python -m evaluation report direct-payments --by area --on DATE [--on DATE …]
[--format table|json|csv] [--threshold N]``: of the people with long-term support on each
date, the share by direct payment, per group; JSON and CSV give each group and date with
``area``, ``on`` (yyyy-mm-dd), ``people``, ``direct_payment`` and ``direct_payment_pct`` (one
decimal place). ``python -m evaluation report completed [--site NAME] [--as-of DATE]``: the
conversations completed 6, 12 and 18 months after each site's first. The same figures as
the Money and resources and Conversations pages.
"""

from __future__ import annotations

import argparse
from datetime import date

from evaluation.cli.options import (
    add_filters,
    add_format,
    add_threshold,
    by_type,
    chosen_threshold,
    iso_date,
    open_store,
    print_json,
    refuse,
    text_table,
    write_bytes,
)
from evaluation.measures.completed import SiteCompleted, conversations_completed
from evaluation.measures.direct_payments import SPLITS, DirectPayments, direct_payments
from evaluation.measures.overview import data_as_of
from evaluation.measures.selection import Selection
from evaluation.present.activity import completed_cell
from evaluation.present.exports import to_csv
from evaluation.present.formats import count, uk_date
from evaluation.present.money_charts import share_cell
from evaluation.store.connection import StoreError

CSV_COLUMNS = ("on", "people", "direct_payment", "direct_payment_pct", "no_share_because")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--by",
        type=by_type(list(SPLITS)),
        default=["area"],
        help=f"split by one or more of {', '.join(SPLITS)} (default: area)",
    )
    parser.add_argument(
        "--on",
        type=iso_date,
        action="append",
        default=[],
        metavar="DATE",
        help="a day to count on, YYYY-MM-DD (repeat for more; default: the data's as-of date)",
    )
    add_filters(parser, ("site", "area"))
    add_format(parser)
    add_threshold(parser)


def _selection(args: argparse.Namespace) -> Selection:
    return Selection(sites=tuple(args.site), areas=tuple(args.area))


def run(args: argparse.Namespace) -> int:
    try:
        threshold = chosen_threshold(args)
        store = open_store(args)
    except (ValueError, StoreError) as error:
        return refuse(error)
    try:
        days = args.on or [data_as_of(store) or date.today()]
        found = direct_payments(store, days, args.by, _selection(args), threshold=threshold)
    finally:
        store.close()
    by = list(args.by)
    if args.format == "json":
        print_json(
            {
                "report": "direct-payments",
                "by": by,
                "on": [d.isoformat() for d in sorted(set(days))],
                "threshold": threshold,
                "groups": [row.as_dict() for row in found],
            }
        )
    elif args.format == "csv":
        write_bytes(to_csv([row.as_dict() for row in found], [*by, *CSV_COLUMNS]))
    else:
        print(_table(found, by, sorted(set(days))))
    return 0


def _table(found: list[DirectPayments], by: list[str], days: list[date]) -> str:
    groups: dict[tuple[str, ...], dict[date, DirectPayments]] = {}
    for row in found:
        groups.setdefault(tuple(row.group[k] for k in by), {})[row.on] = row
    names = [b.capitalize() for b in by] or ["All"]
    lines = [
        text_table(
            [*names, *(uk_date(d) for d in days)],
            [
                [*(key or ("All",)), *(share_cell(cells.get(d)) for d in days)]
                for key, cells in groups.items()
            ],
            right=range(len(names), len(names) + len(days)),
        ),
        "Of the people with a long-term package active that day, the share with one whose "
        "service mentions direct payment (of how many). A person's area is that of their "
        "latest conversation started by then.",
    ]
    return "\n".join(lines)


# --- conversations completed -------------------------------------------------------------


def add_completed_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as-of", type=iso_date, help="count up to this day (default: the data's as-of date)"
    )
    add_filters(parser, ("site", "area", "cohort"))
    add_format(parser)


def run_completed(args: argparse.Namespace) -> int:
    try:
        store = open_store(args)
    except StoreError as error:
        return refuse(error)
    try:
        as_of = args.as_of or data_as_of(store) or date.today()
        selection = Selection(
            sites=tuple(args.site), areas=tuple(args.area), cohorts=tuple(args.cohort)
        )
        found = conversations_completed(store, as_of, selection)
    finally:
        store.close()
    if args.format == "json":
        print_json({"report": "completed", "as_of": as_of, "sites": [_site(s) for s in found]})
    elif args.format == "csv":
        rows = [
            {"site": s.site, "first": s.first, **vars(m), "so_far": s.so_far}
            for s in found
            for m in s.milestones
        ]
        write_bytes(to_csv(rows, ["site", "first", "months", "last_day", "completed", "so_far"]))
    else:
        print(_completed_table(found, as_of))
    return 0


def _completed_table(found: list[SiteCompleted], as_of: date) -> str:
    title = f"Conversations completed since each site's first, as of {uk_date(as_of)}"
    if not found:
        return f"{title}\nNo three conversations conversations in this selection."
    months = [f"{m.months} months" for m in found[0].milestones]
    rows = [
        [s.site, uk_date(s.first), *(completed_cell(m) for m in s.milestones), count(s.so_far)]
        for s in found
    ]
    return f"{title}\n" + text_table(["Site", "First", *months, "So far"], rows)


def _site(site: SiteCompleted) -> dict[str, object]:
    return {
        "site": site.site,
        "first": site.first,
        "milestones": [vars(m) for m in site.milestones],
        "so_far": site.so_far,
    }
