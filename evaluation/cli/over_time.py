"""The difference over time: a site that changed approach against the usual-practice sites.

``python -m evaluation report difference-over-time --site NAME [--changed-on DATE]
[--from DATE] [--to DATE] [--area A] [--cohort C] [--as-of DATE] [--seed N]
[--replicates N] [--format table|json]``: conversion and Harrow's average change in weekly
cost at the site after the date less before, minus the same at the usual-practice sites, with
a seeded bootstrap 95% interval (``evaluation.measures.over_time``), as on the Money and Cost
change pages. Without ``--changed-on`` the date is the pages' first guess (the site's first
three-conversations conversation, or the middle of its conversations), and the report says so.
"""

from __future__ import annotations

import argparse
from typing import Any

from evaluation.cli.options import (
    add_filters,
    add_period,
    iso_date,
    open_store,
    print_json,
    refuse,
    selection_from,
    text_table,
)
from evaluation.measures.over_time import (
    REPLICATES,
    SEED,
    OverTime,
    conversion_over_time,
    cost_over_time,
    resolve_site,
    suggested_change,
)
from evaluation.measures.suppression import configured_threshold
from evaluation.present import compare
from evaluation.present.formats import uk_date
from evaluation.store.connection import StoreError

MAX_REPLICATES = 100_000


def replicates(text: str) -> int:
    """An argparse type: a whole number of resamples, 100 to 100,000."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 100 <= value <= MAX_REPLICATES:
        raise argparse.ArgumentTypeError(
            f"--replicates takes a whole number from 100 to {MAX_REPLICATES:,}, not {text!r}"
        )
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--site", dest="changed_site", required=True, help="the site that changed approach"
    )
    parser.add_argument(
        "--changed-on",
        type=iso_date,
        help="the day it changed, YYYY-MM-DD (default: its first three-conversations "
        "conversation, or the middle of its conversations)",
    )
    add_period(parser, "first start of the before period", "last start of the after period")
    add_filters(parser, ("area", "cohort"))
    parser.add_argument(
        "--as-of",
        type=iso_date,
        help="for cost change: count as ongoing any request whose 30 days after the end fall "
        "after this date (default: each import's extract date)",
    )
    parser.add_argument(
        "--seed", type=int, default=SEED, help=f"the bootstrap's seed (default {SEED})"
    )
    parser.add_argument(
        "--replicates",
        type=replicates,
        default=REPLICATES,
        help=f"bootstrap resamples (default {REPLICATES:,})",
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")


def _json(found: list[OverTime], guessed: bool, selection: str) -> dict[str, Any]:
    first = found[0]
    return {
        "report": "difference-over-time",
        "site": first.site,
        "changed_on": first.changed_on.isoformat(),
        "changed_on_guessed": guessed,
        "selection": selection,
        "comparison_sites": list(first.comparison_sites),
        "bootstrap": {
            "seed": first.seed,
            "replicates": first.replicates,
            "interval": "percentile, 2.5% to 97.5%",
        },
        "threshold": first.threshold,
        "conversion": found[0].as_dict(),
        "cost_change": found[1].as_dict(),
    }


def run(args: argparse.Namespace) -> int:
    try:
        selection = selection_from(args)
        threshold = configured_threshold()
        store = open_store(args)
    except (ValueError, StoreError) as error:
        return refuse(error)
    try:
        site = resolve_site(store, args.changed_site)
        changed_on = args.changed_on or suggested_change(store, site)
        if changed_on is None:
            raise ValueError(f"{site} has no conversations to compare")
        options = {"seed": args.seed, "replicates": args.replicates, "threshold": threshold}
        found = [
            conversion_over_time(store, site, changed_on, selection, **options),
            cost_over_time(store, site, changed_on, selection, as_of=args.as_of, **options),
        ]
    except ValueError as error:
        return refuse(error)
    finally:
        store.close()
    if args.format == "json":
        print_json(_json(found, args.changed_on is None, selection.describe()))
        return 0
    guessed = " (a first guess: give --changed-on)" if args.changed_on is None else ""
    print(f"Difference over time at {site}, changed on {uk_date(changed_on)}{guessed}")
    print(f"Selection: {selection.describe()}")
    for title, result in zip(("Conversion", "Average change in weekly cost"), found, strict=True):
        rows = compare.over_time_rows(result)
        print()
        print(f"{title}:")
        print(text_table(list(rows[0]), [[str(v) for v in row.values()] for row in rows]))
        print(compare.over_time_verdict(result))
        print(compare.over_time_caption(result))
    return 0
