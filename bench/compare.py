"""The like-for-like comparisons at a council's size, against the reports they sit beside.

    python -m bench.compare --sizes 100000,1000000 --repeat 3

For each size, a copy of that size's imported store (``bench.stores``) is given an age band
and a support reason on every conversation (untimed: a hash of the conversation id, in SQL,
the innovation sites with a younger mix). Then each figure is timed, median of ``--repeat``
runs on an open store, against its baseline measured in the same run:

- ``standardised_conversion`` (by approach, age band × support reason) against the
  conversion report by approach (``conversion.groups_and_total``);
- ``standardised_cost_change`` against Harrow's table by approach (``cost_change.summary``);
- ``conversion_over_time`` and ``cost_over_time`` (2,000 bootstrap resamples each) against
  the same two baselines.

Printed: seconds, the ratio to the baseline, and for cost change over time how many distinct
weekly changes the bootstrap resampled (its work grows with replicates × that number).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.stores import KEY, store_file
from evaluation.measures.conversion import groups_and_total
from evaluation.measures.cost_change import summary
from evaluation.measures.costing import classified_sql, costed_sql
from evaluation.measures.over_time import (
    changed_sites,
    conversion_over_time,
    cost_over_time,
    suggested_change,
)
from evaluation.measures.selection import Selection
from evaluation.measures.standardise import standardised_conversion, standardised_cost_change
from evaluation.store.connection import Store
from evaluation.store.query import cursor, scalar

MIX = """
UPDATE conversations SET
    age_band = CASE WHEN hash(conversation_id) % 100
                    < (CASE WHEN approach = 'usual practice' THEN 70 ELSE 45 END)
               THEN '65+' ELSE '18-64' END,
    support_reason = ['Physical support', 'Memory and cognition', 'Mental health',
                      'Learning disability'][1 + (hash(conversation_id || 'r') % 4)::INT]
"""


def median_seconds(func: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(size: int, repeat: int, work: Path) -> list[tuple[str, float, str, float]]:
    path = work / f"compare-{size}.duckdb"
    shutil.copyfile(store_file(size), path)
    store = Store(path, key=KEY)
    try:
        with cursor(store) as cur:
            cur.execute(MIX)
        site = changed_sites(store)[0]
        on = suggested_change(store, site)
        assert on is not None
        everything = Selection()
        baselines = {
            "conversion report": median_seconds(
                lambda: groups_and_total(store, everything, ("approach",)), repeat
            ),
            "cost-change report": median_seconds(lambda: summary(store, everything), repeat),
        }
        tasks = (
            ("standardised_conversion", lambda: standardised_conversion(store),
             "conversion report"),
            ("standardised_cost_change", lambda: standardised_cost_change(store),
             "cost-change report"),
            ("conversion_over_time", lambda: conversion_over_time(store, site, on),
             "conversion report"),
            ("cost_over_time", lambda: cost_over_time(store, site, on), "cost-change report"),
        )  # fmt: skip
        rows = [(name, seconds, "", 1.0) for name, seconds in baselines.items()]
        for name, func, baseline in tasks:
            seconds = median_seconds(func, repeat)
            rows.append((name, seconds, baseline, seconds / baselines[baseline]))
        classified, params = classified_sql(*costed_sql(everything), None)
        distinct = scalar(store, f"SELECT count(DISTINCT change) FROM ({classified})", params)
        rows.append((f"(distinct weekly changes among completed requests: {distinct:,})", 0, "", 0))
        return rows
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for size in (int(s) for s in args.sizes.split(",")):
            print(f"\n{size:,} conversations (median of {args.repeat})")
            print(f"{'figure':<28} {'seconds':>8}  {'against':<20} {'ratio':>6}")
            for name, seconds, baseline, ratio in measure(size, args.repeat, Path(folder)):
                if not baseline and not seconds:
                    print(name)
                    continue
                shown = f"{ratio:.2f}×" if baseline else ""
                print(f"{name:<28} {seconds:>8.3f}  {baseline:<20} {shown:>6}")


if __name__ == "__main__":
    main()
