"""Whether the work flows: underway by age, new long-term support per week, times, hand-offs.

``python -m evaluation report activity [--as-of DATE] [--by site] [--from DATE] [--to DATE]
[--part underway|weekly|complete|waiting|handoffs] [--format table|json|csv]``: the figures
on the Conversations page. The as-of date is ``--as-of`` if given, else the newest extract
date of the conversations batches in the store.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date
from typing import Any

from evaluation.cli.conversion import add_selection_arguments
from evaluation.cli.options import (
    iso_date,
    measured,
    print_json,
    refuse,
    text_table,
    write_bytes,
)
from evaluation.measures.activity import (
    AGE_BANDS,
    Duration,
    OlderFirstConversations,
    UnderwayRow,
    older_first_conversations,
    time_to_complete,
    underway,
)
from evaluation.measures.flow import HandOffs, hand_offs, waiting_time
from evaluation.measures.overview import data_as_of
from evaluation.measures.selection import Selection
from evaluation.measures.weekly import WeekRow, weekly_long_term
from evaluation.present.activity import NOT_RECORDED, older_note
from evaluation.present.exports import to_csv
from evaluation.present.formats import days, number, percent, uk_date
from evaluation.store.connection import Store, StoreError

SPLITS = ("site", "approach", "area", "cohort", "request_type")
PARTS = ("underway", "weekly", "complete", "waiting", "handoffs")
CSV_COLUMNS = (
    "part",
    *SPLITS,
    "conversation",
    "band",
    "count",
    "week",
    "long_term",
    "rolling_mean",
    "median_days",
    "p90_days",
    "requests_with_worker",
    "more_than_one_worker",
    "can_show",
    "share",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_selection_arguments(parser, SPLITS)
    parser.add_argument(
        "--as-of", type=iso_date, help="the day to take the snapshot (default: the data's as-of)"
    )
    parser.add_argument("--part", choices=("all", *PARTS), default="all")


@dataclass(frozen=True)
class Activity:
    as_of: date
    underway: list[UnderwayRow]
    older: OlderFirstConversations
    weekly: list[WeekRow]
    complete: list[Duration]
    waiting: list[Duration]
    handoffs: list[HandOffs]


def as_json_data(activity: Activity, parts: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {"report": "activity", "as_of": activity.as_of.isoformat()}
    if "underway" in parts:
        out["underway"] = [
            {**r.group, "conversation": r.conversation, "band": r.band, "count": r.count}
            for r in activity.underway
        ]
        out["older_conversation_1s"] = {
            "now": activity.older.now,
            "week_before": activity.older.week_before,
            "growing": activity.older.growing,
            "note": older_note(activity.older),
        }
    if "weekly" in parts:
        out["weekly_long_term"] = [
            {
                **w.group,
                "week": w.week.isoformat(),
                "long_term": w.long_term,
                "rolling_mean": w.rolling_mean,
            }
            for w in activity.weekly
        ]
    for part, rows in (("complete", activity.complete), ("waiting", activity.waiting)):
        if part in parts:
            out["time_to_complete" if part == "complete" else "waiting_time"] = [
                {**d.group, "count": d.count, "median_days": d.median_days, "p90_days": d.p90_days}
                for d in rows
            ]
    if "handoffs" in parts:
        out["hand_offs"] = [
            {
                **h.group,
                "requests_with_worker": h.requests_with_worker,
                "more_than_one_worker": h.more_than_one_worker,
                "can_show": h.can_show,
                "share": h.share,
            }
            for h in activity.handoffs
        ]
    return out


def _csv(activity: Activity, parts: tuple[str, ...]) -> bytes:
    rows: list[dict[str, Any]] = []
    data = as_json_data(activity, parts)
    for part, key in (
        ("underway", "underway"),
        ("weekly", "weekly_long_term"),
        ("complete", "time_to_complete"),
        ("waiting", "waiting_time"),
        ("handoffs", "hand_offs"),
    ):
        for row in data.get(key, []):
            rows.append({"part": part, **row})
    return to_csv(rows, CSV_COLUMNS)


def gather(store: Store, selection: Selection, by: tuple[str, ...], as_of: date | None) -> Activity:
    """Every part of the report, as of ``as_of`` (default: the data's as-of date)."""
    day = as_of or data_as_of(store) or date.today()
    return Activity(
        as_of=day,
        underway=underway(store, day, selection, by),
        older=older_first_conversations(store, day, selection),
        weekly=weekly_long_term(store, selection, by),
        complete=time_to_complete(store, selection, (*by, "conversation")),
        waiting=waiting_time(store, selection, by),
        handoffs=hand_offs(store, selection, by),
    )


def _label(group: dict[str, str]) -> str:
    return " / ".join(group.values()) or "All"


def _table(activity: Activity, parts: tuple[str, ...]) -> str:
    out = [f"Activity on {uk_date(activity.as_of)}"]
    if "underway" in parts:
        out.append("\nConversations underway, by age in days")
        pivot: dict[tuple[str, str], dict[str, int]] = {}
        for r in activity.underway:
            pivot.setdefault((_label(r.group), r.conversation), {})[r.band] = r.count
        bands = [b[0] for b in AGE_BANDS]
        out.append(
            text_table(
                ["Group", "Conversation", *bands, "Total"],
                [[g, c, *(v[b] for b in bands), sum(v.values())] for (g, c), v in pivot.items()],
            )
        )
        out.append(older_note(activity.older) or "Older Conversation 1s are not growing this week.")
    if "weekly" in parts:
        out.append("\nNew requests that led to long-term support, per week (4-week mean)")
        out.append(
            text_table(
                ["Group", "Week from", "Long-term", "4-week mean"],
                [
                    [
                        _label(w.group),
                        uk_date(w.week),
                        w.long_term,
                        number(w.rolling_mean, 2),
                    ]
                    for w in activity.weekly
                ],
            )
        )
    for part, title, rows in (
        ("complete", "Time to complete a conversation, days", activity.complete),
        ("waiting", "Waiting from request to first conversation, days", activity.waiting),
    ):
        if part in parts:
            out.append(f"\n{title} (median and 90th percentile, quantile_cont)")
            out.append(
                text_table(
                    ["Group", "Count", "Median", "90th percentile"],
                    [
                        [
                            _label(d.group),
                            d.count,
                            days(d.median_days, unit=False),
                            days(d.p90_days, unit=False),
                        ]
                        for d in rows
                    ],
                )
            )
    if "handoffs" in parts:
        out.append("\nRequests held by more than one worker")
        out.append(
            text_table(
                ["Group", "Requests with a worker", "More than one worker", "Share"],
                [
                    [
                        _label(h.group),
                        h.requests_with_worker,
                        h.more_than_one_worker,
                        percent(h.share, 2) if h.recorded else "not recorded",
                    ]
                    for h in activity.handoffs
                ],
            )
        )
        if not all(h.recorded for h in activity.handoffs):
            out.append(NOT_RECORDED)
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    try:
        _, _, activity = measured(
            args, SPLITS, lambda store, selection, by: gather(store, selection, by, args.as_of)
        )
    except (ValueError, StoreError) as error:
        return refuse(error)
    parts = PARTS if args.part == "all" else (args.part,)
    if args.format == "json":
        print_json(as_json_data(activity, parts))
    elif args.format == "csv":
        write_bytes(_csv(activity, parts))
    else:
        print(_table(activity, parts))
    return 0
