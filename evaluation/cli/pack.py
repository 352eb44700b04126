"""``python -m evaluation pack``: write the Making it Happen meeting pack as a PDF.

``python -m evaluation pack [--db DB] [--site NAME ...] [--from DATE] [--to DATE] [--by
approach,cohort] [--threshold N] --out FILE.pdf``. ``--by`` splits the cost-change table
(Harrow's Tables 1a/1b are approach × cohort, the default where the data has cohorts;
``approach,request_type`` sets new against existing requests). The period defaults to the last 4
weeks to the data's as-of date (the newest conversations extract); ``--to`` alone gives the 4
weeks up to that day, ``--from`` alone runs to the as-of date. The pack is the one the Making it
Happen page offers for the same sites and period. Exit 0 with a one-line summary; 2 with the
reason on stderr when the store, a site or the dates can't be used, or the file can't be
written.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from evaluation.cli.options import add_period, add_threshold, by_type, open_store, refuse
from evaluation.measures.cost_change import GROUP_KEYS
from evaluation.measures.suppression import configured_threshold
from evaluation.meeting import summary as meeting
from evaluation.meeting.model import Period, default_period
from evaluation.meeting.pack import render
from evaluation.present.formats import uk_date
from evaluation.store.connection import StoreError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--site",
        action="append",
        default=[],
        metavar="NAME",
        help="only this site (repeat for more)",
    )
    add_period(parser)
    parser.add_argument(
        "--by",
        type=by_type(GROUP_KEYS),
        help=f"split the cost-change table by one or more of {', '.join(GROUP_KEYS)} "
        "(default: approach, and cohort where the data has cohorts)",
    )
    add_threshold(parser)
    parser.add_argument(
        "--out", type=Path, required=True, metavar="FILE.pdf", help="the PDF file to write"
    )


def run(args: argparse.Namespace) -> int:
    try:
        threshold = args.threshold or configured_threshold()
        store = open_store(args)
    except (ValueError, StoreError) as error:
        return refuse(error)
    try:
        as_of = meeting.data_as_of(store) or date.today()
        end = args.date_to or as_of
        period = Period(args.date_from, end) if args.date_from else default_period(end)
        summary = meeting.summarise(store, args.site, period, threshold=threshold, by=args.by)
    except ValueError as error:
        return refuse(error)
    finally:
        store.close()
    document, pages = render(summary)
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(document)
    except OSError as error:
        print(f"{args.out}: can't write the pack ({error.strerror})", file=sys.stderr)
        return 2
    as_of_text = uk_date(summary.as_of) if summary.as_of else "none"
    print(
        f"wrote {args.out} ({pages} pages): {summary.sites_text}, "
        f"{summary.period.describe()} against {summary.previous.describe()}, data as of "
        f"{as_of_text}, {len(summary.attention)} item(s) needing attention"
    )
    return 0
