"""``python -m evaluation pack``: write the Making it Happen meeting pack as a PDF.

``python -m evaluation pack [--db DB] [--site NAME ...] [--from DATE] [--to DATE]
[--threshold N] --out FILE.pdf``. The period defaults to the last 4 weeks to the data's
as-of date (the newest conversations extract); ``--to`` alone gives the 4 weeks up to that
day, ``--from`` alone runs to the as-of date. The pack is the one the Making it Happen page
offers for the same sites and period. Exit 0 with a one-line summary; 2 with the reason on
stderr when the store, a site or the dates can't be used, or the file can't be written.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from evaluation.measures.suppression import check_threshold, configured_threshold
from evaluation.store.connection import Store, StoreError, default_path


def _iso_date(text: str) -> date:
    from evaluation.cli.main import iso_date  # the CLI's own date rule (imported late: no cycle)

    return iso_date(text)


def _threshold(text: str) -> int:
    try:
        return check_threshold(int(text))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--site",
        action="append",
        default=[],
        metavar="NAME",
        help="only this site (repeat for more)",
    )
    parser.add_argument(
        "--from", dest="date_from", type=_iso_date, metavar="DATE", help="first day, YYYY-MM-DD"
    )
    parser.add_argument(
        "--to", dest="date_to", type=_iso_date, metavar="DATE", help="last day, YYYY-MM-DD"
    )
    parser.add_argument(
        "--threshold",
        type=_threshold,
        metavar="N",
        help="hide groups with fewer responses than this (default 5; never below 5)",
    )
    parser.add_argument(
        "--out", type=Path, required=True, metavar="FILE.pdf", help="the PDF file to write"
    )


def run(args: argparse.Namespace) -> int:
    from evaluation.meeting.pack import render
    from evaluation.meeting import summary as meeting

    path = Path(args.db) if args.db else default_path()
    if not path.exists():
        print(f"there is no store at {path}: import some data first", file=sys.stderr)
        return 2
    try:
        threshold = args.threshold or configured_threshold()
        store = Store(path)
    except (ValueError, StoreError) as error:
        print(str(error), file=sys.stderr)
        return 2
    try:
        as_of = meeting.data_as_of(store) or date.today()
        end = args.date_to or as_of
        period = (
            meeting.Period(args.date_from, end) if args.date_from else meeting.default_period(end)
        )
        summary = meeting.summarise(store, args.site, period, threshold=threshold)
    except ValueError as error:
        print(str(error), file=sys.stderr)
        return 2
    finally:
        store.close()
    document, pages = render(summary)
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(document)
    except OSError as error:
        print(f"{args.out}: can't write the pack ({error.strerror})", file=sys.stderr)
        return 2
    as_of_text = f"{summary.as_of:%d/%m/%Y}" if summary.as_of else "none"
    print(
        f"wrote {args.out} ({pages} pages): {summary.sites_text}, "
        f"{summary.period.describe()} against {summary.previous.describe()}, data as of "
        f"{as_of_text}, {len(summary.attention)} item(s) needing attention"
    )
    return 0
