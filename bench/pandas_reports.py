"""The four reports written the way an analyst would in pandas: the alternative to beat.

Each function reads the tables it needs from the store into DataFrames and computes the
report's figures with pandas, then hands those numbers to the same dataclasses and JSON
writers the CLI uses (``evaluation.cli``), so the two JSON documents can be compared
key for key. Only the data work differs; the finishing (rounding to the penny, Wilson and t
intervals, small-number suppression of a handful of groups) is shared, because it costs
nothing at any size and a second copy could only disagree by accident.

They answer for the CLI's default view of each report (everything in the store, the default
grouping), which is what ``bench.tasks`` times and ``tests/bench/test_pandas_reports.py``
checks. Money is summed in whole pence (int64), exact as the store's DECIMAL is; a request's
first conversation is its earliest by date, then number, then id.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from evaluation.cli.activity import PARTS, Activity, as_json_data
from evaluation.cli.cost_change import as_json
from evaluation.measures.activity import (
    AGE_BANDS,
    OLDER_THAN_DAYS,
    Duration,
    OlderFirstConversations,
    UnderwayRow,
)
from evaluation.measures.conversion import ConversionRow
from evaluation.measures.cost_change import CostChange, GroupSummary
from evaluation.measures.costing import DAYS_AFTER
from evaluation.measures.feedback import ANSWERS, FEEDBACK, QUESTIONS
from evaluation.measures.flow import HandOffs
from evaluation.measures.requests import REPEAT_WINDOW_DAYS
from evaluation.measures.selection import Selection
from evaluation.measures.suppression import configured_threshold
from evaluation.measures.survey import grouped
from evaluation.measures.weekly import ROLLING_WEEKS, WeekRow

DAY = pd.Timedelta(days=1)


def connect(path: Path | str) -> duckdb.DuckDBPyConnection:
    """The store, read-only: pandas gets its data the way an analyst's notebook would."""
    return duckdb.connect(str(path), read_only=True)


def frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def pence(values: pd.Series) -> pd.Series:
    """Pounds (float from DECIMAL(12,2)) as whole pence; NaN stays NaN."""
    return (values * 100).round()


def _day(value: Any) -> date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()


# --- cost change --------------------------------------------------------------------------


def cost_change(con: duckdb.DuckDBPyConnection) -> str:
    """Harrow's table by approach, as ``report cost-change --format json`` prints it."""
    conv = frame(
        con,
        "SELECT conversation_id, person_id, site, approach, cohort, area, conversation, "
        "request_id, started_on, ended_on, weekly_cost_before, weekly_cost_after, "
        "care_suspended, died_on, batch_id FROM conversations",
    )
    log = frame(con, "SELECT batch_id, kind, as_of, undone_at, sites FROM import_log")
    packages = frame(
        con, "SELECT person_id, starts_on, ends_on, gross_weekly_cost, status FROM care_packages"
    )
    # The as-of date of each row: its batch's, moved on by any later extract of its site.
    active = log[(log["kind"] == "conversations") & log["undone_at"].isna()]
    site_as_of = (
        active[["sites", "as_of"]].explode("sites").dropna().groupby("sites")["as_of"].max()
    )
    batch_as_of = conv["batch_id"].map(log.set_index("batch_id")["as_of"])
    conv["batch_as_of"] = np.maximum(batch_as_of, conv["site"].map(site_as_of).fillna(batch_as_of))
    conv["key"] = conv["request_id"].fillna(conv["conversation_id"])
    conv["number"] = conv["conversation"].fillna(0)

    first = conv.sort_values(["key", "started_on", "number", "conversation_id"])
    req = first.drop_duplicates("key").set_index("key")[
        ["person_id", "site", "approach", "cohort", "area", "weekly_cost_before"]
    ]
    ended = conv[conv["ended_on"].notna()].sort_values(
        ["key", "ended_on", "number", "conversation_id"]
    )
    req["after_given"] = ended.drop_duplicates("key", keep="last").set_index("key")[
        "weekly_cost_after"
    ]
    g = conv.groupby("key")
    req["started_on"] = g["started_on"].min()
    req["last_ended_on"] = g["ended_on"].max()
    req["underway"] = g.size() - g["ended_on"].count()
    req["marked_suspended"] = conv["care_suspended"].fillna(False).groupby(conv["key"]).any()
    req["died_on"] = g["died_on"].min()
    req["as_of"] = g["batch_as_of"].max()
    req["d0"] = req["started_on"] - DAY
    req["d1"] = (req["last_ended_on"] + DAYS_AFTER * DAY).where(req["underway"] == 0)

    # The person's packages on each request's two days.
    pk = req[["person_id", "d0", "d1"]].reset_index().merge(packages, on="person_id")
    cost = pence(pk["gross_weekly_cost"])
    live = pk["status"] == "active"
    on = {}
    for day in ("d0", "d1"):
        on[day] = (pk["starts_on"] <= pk[day]) & (pk["ends_on"].isna() | (pk["ends_on"] >= pk[day]))
    per = pd.DataFrame(
        {
            "key": pk["key"],
            "before": cost.where(live & on["d0"], 0),
            "after": cost.where(live & on["d1"], 0),
            "stopped": ~live & (on["d0"] | on["d1"]),
        }
    ).groupby("key")
    sums = per[["before", "after"]].sum()
    stopped = per["stopped"].any().reindex(req.index, fill_value=False)
    before = pence(req["weekly_cost_before"]).fillna(sums["before"]).fillna(0)
    after = pence(req["after_given"]).fillna(sums["after"]).fillna(0)

    ongoing = (req["underway"] > 0) | (req["d1"] > req["as_of"])
    excluded = ~ongoing & (stopped | req["marked_suspended"] | (req["died_on"] <= req["d1"]))
    done = ~ongoing & ~excluded
    change = (after - before).where(done)
    table = pd.DataFrame(
        {
            "approach": req["approach"],
            "ongoing": ongoing,
            "excluded": excluded,
            "increase": done & (change > 0),
            "decrease": done & (change < 0),
            "same": done & (change == 0),
            "change": change,
            "pounds": change / 100,
            "as_of": req["as_of"],
        }
    )
    groups = []
    for approach, rows in table.groupby("approach", sort=True):
        completed = rows["change"].dropna()
        sd = rows["pounds"].std(ddof=1) if len(completed) > 1 else None
        groups.append(
            GroupSummary(
                {"approach": approach},
                len(rows),
                int(rows["increase"].sum()),
                int(rows["decrease"].sum()),
                int(rows["same"].sum()),
                int(rows["ongoing"].sum()),
                int(rows["excluded"].sum()),
                Decimal(int(completed.sum())) / 100,
                None if sd is None or pd.isna(sd) else float(sd),
            )
        )
    return as_json(CostChange(_day(table["as_of"].max()), False, ("approach",), groups))


# --- requests, as the conversion and activity reports see them -----------------------------


def requests(conv: pd.DataFrame) -> pd.DataFrame:
    """One row per request: its first conversation's details (the first non-blank value of
    each, in start order), its span, outcome, furthest conversation and workers."""
    conv = conv.assign(
        key=np.where(
            conv["request_id"].isna(), "c:" + conv["conversation_id"], "r:" + conv["request_id"]
        ),
        number=conv["conversation"].fillna(0),
    ).sort_values(["started_on", "number", "conversation_id"])
    g = conv.groupby("key", sort=False)
    req = g[
        ["person_id", "request_type", "site", "approach", "area", "cohort", "requested_on"]
    ].first()
    req["first_started"] = g["started_on"].min()
    req["lts_ended_on"] = g["ended_on"].max()
    req["ended_on"] = req["lts_ended_on"].where(g["ended_on"].count() == g.size())
    req["led_to_lts"] = conv["long_term_support"].fillna(False).groupby(conv["key"]).any()
    for n in (2, 3):
        had = (conv["conversation"] == n).groupby(conv["key"]).any()
        req[f"had_conversation_{n}"] = had
    req["workers"] = g["worker_id"].nunique()
    req["rows_with_worker"] = g["worker_id"].count()
    return req


def reabled(req: pd.DataFrame, packages: pd.DataFrame) -> int:
    """New requests with a short-term reablement or ST-Max package (not cancelled) starting
    from their first conversation to 28 days after the last ended."""
    wanted = packages[
        (packages["support"] == "short term")
        & (packages["status"] != "cancelled")
        & packages["service"].fillna("").str.lower().str.contains(r"reablement|st[ -]?max")
    ]
    new = req[req["request_type"] == "new"][["person_id", "first_started", "ended_on"]]
    pairs = new.reset_index().merge(wanted, on="person_id")
    after = pairs["starts_on"] >= pairs["first_started"]
    within = pairs["ended_on"].isna() | (pairs["starts_on"] <= pairs["ended_on"] + 28 * DAY)
    return int(pairs.loc[after & within, "key"].nunique())


def repeat_keys(req: pd.DataFrame) -> pd.Index:
    """New requests by a person whose earlier request ended without long-term support no
    more than a year before this one started."""
    new = req[req["request_type"] == "new"][["person_id", "first_started"]].reset_index()
    earlier = req[req["ended_on"].notna() & ~req["led_to_lts"]][["person_id", "ended_on"]]
    pairs = new.merge(earlier.reset_index(), on="person_id", suffixes=("", "_earlier"))
    gap = pairs["first_started"] - pairs["ended_on"]
    hit = (
        (pairs["key"] != pairs["key_earlier"])
        & (gap >= pd.Timedelta(0))
        & (gap <= REPEAT_WINDOW_DAYS * DAY)
    )
    return pd.Index(pairs.loc[hit, "key"].unique())


CONVERSATION_COLUMNS = (
    "SELECT conversation_id, person_id, request_type, site, approach, area, cohort, "
    "conversation, request_id, requested_on, started_on, ended_on, long_term_support, "
    "worker_id FROM conversations"
)


def conversion(con: duckdb.DuckDBPyConnection) -> str:
    """``report conversion --format json``: the whole store as one group, and the total."""
    conv = frame(con, CONVERSATION_COLUMNS)
    req = requests(conv)
    packages = frame(
        con, "SELECT person_id, service, starts_on, status, support FROM care_packages"
    )
    new = req["request_type"] == "new"
    full_year = conv["started_on"].min() + REPEAT_WINDOW_DAYS * DAY
    row = ConversionRow(
        {},
        len(req),
        int(new.sum()),
        int((new & req["led_to_lts"]).sum()),
        int(req["had_conversation_2"].sum()),
        int(req["had_conversation_3"].sum()),
        len(repeat_keys(req)),
        new_underway=int((new & req["ended_on"].isna()).sum()),
        reablement=reabled(req, packages),
        repeat_unsure=int((new & (req["first_started"] < full_year)).sum()),
        threshold=configured_threshold(),
    )
    return json.dumps(
        {
            "report": "conversion",
            "selection": Selection().describe(),
            "by": [],
            "groups": [row.as_dict()],
            "total": row.as_dict(),
        },
        indent=2,
    )


# --- activity -------------------------------------------------------------------------------


def _label(conversation: pd.Series) -> pd.Series:
    text = "Conversation " + conversation.astype("Int64").astype("string")
    return text.fillna("Usual practice")


def _days(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (later - earlier).dt.days


def _duration(days: pd.Series, group: dict[str, str]) -> Duration:
    if days.empty:
        return Duration(group, 0, None, None)
    return Duration(group, len(days), float(days.quantile(0.5)), float(days.quantile(0.9)))


def activity(con: duckdb.DuckDBPyConnection) -> str:
    """``report activity --format json``: every part, no split, on the data's as-of date."""
    log = frame(con, "SELECT kind, as_of, undone_at FROM import_log")
    as_of_ts = log[(log["kind"] == "conversations") & log["undone_at"].isna()]["as_of"].max()
    as_of = pd.Timestamp(as_of_ts).date()
    conv = frame(con, CONVERSATION_COLUMNS)
    conv["label"] = _label(conv["conversation"])

    # Underway on the as-of date, by conversation and age band (every band of every label).
    live = conv[
        (conv["started_on"] <= as_of_ts) & (conv["ended_on"].isna() | (conv["ended_on"] > as_of_ts))
    ]
    age = _days(pd.Series(as_of_ts, index=live.index), live["started_on"])
    band = pd.Series(pd.NA, index=live.index, dtype="object")
    for label, low, high in AGE_BANDS:
        band[(age >= low) & ((age <= high) if high is not None else True)] = label
    counts = live.groupby([live["label"], band]).size()
    underway = [
        UnderwayRow({}, label, name, int(counts.get((label, name), 0)))
        for label in sorted(live["label"].unique())
        for name, _, _ in AGE_BANDS
    ]

    # Older Conversation 1s now and a week before.
    firsts = conv[conv["conversation"] == 1]
    older = []
    for day in (as_of_ts, as_of_ts - 7 * DAY):
        open_then = (firsts["started_on"] <= day) & (
            firsts["ended_on"].isna() | (firsts["ended_on"] > day)
        )
        aged = (day - firsts["started_on"]).dt.days > OLDER_THAN_DAYS
        older.append(int((open_then & aged).sum()))

    # New long-term support per ISO week, zeros filled in, trailing 4-week mean.
    req = requests(conv)
    led = req[(req["request_type"] == "new") & req["led_to_lts"] & req["lts_ended_on"].notna()]
    weeks = led["lts_ended_on"].dt.to_period("W-SUN").dt.start_time
    per_week = weeks.value_counts()
    weekly = []
    if not per_week.empty:
        span = pd.date_range(per_week.index.min(), per_week.index.max(), freq="7D")
        series = per_week.reindex(span, fill_value=0)
        rolling = series.rolling(ROLLING_WEEKS).mean()
        weekly = [
            WeekRow({}, day.date(), int(n), None if pd.isna(mean) else float(mean))
            for day, n, mean in zip(series.index, series, rolling, strict=True)
        ]

    # Time to complete by conversation; waiting to the first conversation; hand-offs.
    finished = conv[conv["ended_on"].notna()]
    complete_days = _days(finished["ended_on"], finished["started_on"])
    complete = [
        _duration(days, {"conversation": label})
        for label, days in complete_days.groupby(finished["label"], sort=True)
    ]
    waited = req[req["requested_on"].notna() & (req["requested_on"] <= req["first_started"])]
    waiting = [_duration(_days(waited["first_started"], waited["requested_on"]), {})]
    handoffs = [
        HandOffs(
            {},
            int((req["workers"] >= 1).sum()),
            int((req["workers"] > 1).sum()),
            can_show=int((req["rows_with_worker"] > 1).sum()),
        )
    ]

    report = Activity(
        as_of=as_of,
        underway=underway,
        older=OlderFirstConversations(as_of, older[0], older[1]),
        weekly=weekly,
        complete=complete,
        waiting=waiting,
        handoffs=handoffs,
    )
    return json.dumps(as_json_data(report, PARTS), indent=2)


# --- feedback -------------------------------------------------------------------------------


def feedback(con: duckdb.DuckDBPyConnection) -> str:
    """``report feedback --format json``: by site, suppressed as the CLI suppresses."""
    rows = frame(
        con,
        "SELECT site, approach, treated_well, helped, listened_to, satisfaction FROM feedback",
    )
    keys = [rows["site"], rows["approach"]]
    g = rows.groupby(keys, sort=False)
    raw = g.size().rename("responses").to_frame()
    for q in QUESTIONS:
        raw[f"{q}_answered"] = g[q].count()
        for answer in ANSWERS:
            raw[f"{q}_{answer}"] = (rows[q] == answer).groupby(keys).sum()
    raw["satisfaction_answered"] = g["satisfaction"].count()
    raw["satisfaction_sum"] = g["satisfaction"].sum(min_count=1)
    raw["satisfaction_squares"] = (rows["satisfaction"] ** 2.0).groupby(keys).sum(min_count=1)
    records = [
        {k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()}
        for r in raw.reset_index().to_dict("records")
    ]
    for r in records:
        r.update({k: None for k in ("satisfaction_sum", "satisfaction_squares") if pd.isna(r[k])})
    result = grouped(FEEDBACK, records, ("site",), {}, None, None, configured_threshold())
    return json.dumps(result.to_json(), indent=2)


REPORTS = {
    "cost-change": cost_change,
    "conversion": conversion,
    "activity": activity,
    "feedback": feedback,
}
