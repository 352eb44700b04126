"""Whether the work flows: what is underway and for how long, how long things take, hand-offs.

Harrow spotted a Conversation 1 "bulge" in its data — many first conversations started
quickly but not finished — and fixed it with two more staff. This module gives that view:
conversations underway on the data's as-of date by conversation number and age, a note when
the older Conversation 1s are growing week on week, the time conversations take, the wait
from request to first conversation, and how often a request passes between workers.

Percentiles use DuckDB's ``quantile_cont`` (linear interpolation between the two nearest
values), which is what Excel's MEDIAN and PERCENTILE.INC give, so a council can check a
figure in a spreadsheet: the median of 2, 4, 10 and 12 days is 7 days.

The Conversations page wants three of these per request (the flow from Conversation 1 to 3,
the wait and the hand-offs): ``request_activity`` gives all three from one pass over the
table of requests, which at a million conversations is most of the cost of each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from evaluation.measures.conversion import (
    DIMENSIONS,
    NOT_GIVEN,
    check_by,
    percent,
    request_table_sql,
    rows_scope,
    scope_where,
)
from evaluation.measures.selection import Selection
from evaluation.store.connection import Store

# (label, lowest age in days, highest age in days or None)
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0–7 days", 0, 7),
    ("8–14 days", 8, 14),
    ("15–28 days", 15, 28),
    ("29–56 days", 29, 56),
    ("over 56 days", 57, None),
)
OLDER_THAN_DAYS = 28  # a Conversation 1 underway longer than four weeks counts as "older"
USUAL_PRACTICE_LABEL = "Usual practice"

CONVERSATION_LABEL = (
    f"CASE WHEN conversation IS NULL THEN '{USUAL_PRACTICE_LABEL}' "
    "ELSE 'Conversation ' || conversation END"
)

# Conversation-level splits read the conversation's own columns and start date.
CONVERSATION_DIMENSIONS: dict[str, str] = {
    "site": "site",
    "approach": "approach",
    "area": f"coalesce(area, '{NOT_GIVEN}')",
    "cohort": f"coalesce(cohort, '{NOT_GIVEN}')",
    "month": "strftime(started_on, '%Y-%m')",
    "quarter": "strftime(started_on, '%Y') || ' Q' || quarter(started_on)",
    "conversation": CONVERSATION_LABEL,
}
REQUEST_DIMENSIONS: dict[str, str] = DIMENSIONS  # requests split as the conversion report does


def data_as_of(store: Store) -> date | None:
    """The newest extract date among the conversations batches still in the store."""
    cur = store.cursor()
    try:
        found = cur.execute(
            "SELECT max(as_of) FROM import_log WHERE kind = 'conversations' AND undone_at IS NULL"
        ).fetchall()[0][0]
    finally:
        cur.close()
    return found


def _band_sql(age: str) -> str:
    parts = []
    for label, low, high in AGE_BANDS:
        test = f"{age} >= {low}" + (f" AND {age} <= {high}" if high is not None else "")
        parts.append(f"WHEN {test} THEN '{label}'")
    return "CASE " + " ".join(parts) + " END"


def _split(by: tuple[str, ...], dims: dict[str, str]) -> tuple[list[str], list[str]]:
    select = [f"{dims[d]} AS g{i}" for i, d in enumerate(by)]
    names = [f"g{i}" for i in range(len(by))]
    return select, names


def _group(by: tuple[str, ...], row: tuple[Any, ...]) -> dict[str, str]:
    return {d: str(v) for d, v in zip(by, row[: len(by)], strict=True)}


# --- underway ----------------------------------------------------------------------------


@dataclass(frozen=True)
class UnderwayRow:
    group: dict[str, str]
    conversation: str  # "Conversation 1", "Conversation 2", "Conversation 3", "Usual practice"
    band: str
    count: int


def underway(
    store: Store, as_of: date, selection: Selection | None = None, by: Iterable[str] = ()
) -> list[UnderwayRow]:
    """Conversations underway on ``as_of`` by conversation number and age band.

    Underway: started on or before ``as_of`` and not ended by then (no ended_on, or ended
    after it). Age is ``as_of − started_on`` in days. Every band of every conversation number
    seen is returned, zeros included, so the bars line up week after week. The selection's
    dates don't apply: this is a snapshot on one day.
    """
    dims = check_by(by, {k: v for k, v in CONVERSATION_DIMENSIONS.items() if k != "conversation"})
    where, params = scope_where(selection, "started_on", with_dates=False)
    select, names = _split(dims, CONVERSATION_DIMENSIONS)
    bands = ", ".join(f"('{label}', {n})" for n, (label, _, _) in enumerate(AGE_BANDS))
    sql = f"""
        WITH aged AS (
            SELECT {"".join(s + ", " for s in select)} {CONVERSATION_LABEL} AS label,
                date_diff('day', started_on, CAST(? AS DATE)) AS age
            FROM conversations
            WHERE started_on <= CAST(? AS DATE)
              AND (ended_on IS NULL OR ended_on > CAST(? AS DATE))
              AND {where}
        ),
        live AS (SELECT *, {_band_sql("age")} AS band FROM aged),
        counts AS (
            SELECT {"".join(n + ", " for n in names)} label, band, count(*) AS n
            FROM live GROUP BY ALL
        ),
        kinds AS (SELECT DISTINCT {"".join(n + ", " for n in names)} label FROM live),
        bands(band, position) AS (VALUES {bands})
        SELECT {"".join(f"kinds.{n}, " for n in names)} kinds.label, bands.band,
            coalesce(counts.n, 0)
        FROM kinds CROSS JOIN bands
        LEFT JOIN counts ON counts.label = kinds.label AND counts.band = bands.band
            {"".join(f" AND counts.{n} = kinds.{n}" for n in names)}
        ORDER BY {"".join(f"kinds.{n}, " for n in names)} kinds.label, bands.position
    """
    cur = store.cursor()
    try:
        rows = cur.execute(sql, [as_of, as_of, as_of, *params]).fetchall()
    finally:
        cur.close()
    return [
        UnderwayRow(_group(dims, r), r[len(dims)], r[len(dims) + 1], int(r[len(dims) + 2]))
        for r in rows
    ]


@dataclass(frozen=True)
class OlderFirstConversations:
    """Conversation 1s underway for more than 28 days, on the as-of date and a week earlier."""

    as_of: date
    now: int
    week_before: int

    @property
    def growing(self) -> bool:
        return self.now > self.week_before

    def note(self) -> str | None:
        if not self.growing:
            return None
        return (
            f"Conversation 1s underway for more than {OLDER_THAN_DAYS} days rose from "
            f"{self.week_before} on {self.as_of - timedelta(days=7):%d/%m/%Y} to {self.now} on "
            f"{self.as_of:%d/%m/%Y}. First conversations are starting faster than they finish: "
            "worth raising at the Reflection or Making it Happen meeting."
        )


def older_first_conversations(
    store: Store, as_of: date, selection: Selection | None = None
) -> OlderFirstConversations:
    """Compare the older Conversation 1s underway on ``as_of`` with 7 days before."""
    where, params = scope_where(selection, "started_on", with_dates=False)
    sql = f"""
        SELECT d, count(*) FILTER (
            WHERE started_on <= d AND (ended_on IS NULL OR ended_on > d)
              AND date_diff('day', started_on, d) > {OLDER_THAN_DAYS}
        )
        FROM conversations, (VALUES (CAST(? AS DATE)), (CAST(? AS DATE))) days(d)
        WHERE conversation = 1 AND {where}
        GROUP BY d
    """
    cur = store.cursor()
    try:
        rows = dict(cur.execute(sql, [as_of, as_of - timedelta(days=7), *params]).fetchall())
    finally:
        cur.close()
    return OlderFirstConversations(
        as_of, int(rows.get(as_of, 0)), int(rows.get(as_of - timedelta(days=7), 0))
    )


# --- how long things take ----------------------------------------------------------------


@dataclass(frozen=True)
class Duration:
    group: dict[str, str]
    count: int
    median_days: float | None
    p90_days: float | None


def time_to_complete(
    store: Store, selection: Selection | None = None, by: Iterable[str] = ("conversation",)
) -> list[Duration]:
    """Days from started_on to ended_on of each finished conversation: median and 90th
    percentile (``quantile_cont``). The selection's dates apply to the start date."""
    dims = check_by(by, CONVERSATION_DIMENSIONS)
    where, params = scope_where(selection, "started_on")
    select, names = _split(dims, CONVERSATION_DIMENSIONS)
    sql = f"""
        SELECT {"".join(s + ", " for s in select)} count(*),
            quantile_cont(date_diff('day', started_on, ended_on), 0.5),
            quantile_cont(date_diff('day', started_on, ended_on), 0.9)
        FROM conversations
        WHERE ended_on IS NOT NULL AND {where}
        {"GROUP BY " + ", ".join(names) + " ORDER BY " + ", ".join(names) if dims else ""}
    """
    return _durations(store, sql, params, dims)


def waiting_time(
    store: Store, selection: Selection | None = None, by: Iterable[str] = ()
) -> list[Duration]:
    """Days from requested_on to the first conversation's start, per request that has a
    requested_on (median and 90th percentile, ``quantile_cont``). A request dated after its
    first conversation began is a data slip and is left out rather than counted as negative."""
    dims, rows = _per_request_group(
        store,
        selection,
        by,
        "count(*), quantile_cont(date_diff('day', requested_on, first_started), 0.5), "
        "quantile_cont(date_diff('day', requested_on, first_started), 0.9)",
        only="requested_on IS NOT NULL AND requested_on <= first_started",
        workers=False,
    )
    return [_duration(dims, r) for r in rows]


def _per_request_group(
    store: Store,
    selection: Selection | None,
    by: Iterable[str],
    measures: str,
    *,
    only: str = "TRUE",
    workers: bool = True,
) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    """``measures`` (SQL aggregates over the table of requests) per group of ``by``, for the
    requests of the selection that satisfy ``only``; the groups' values come first in each
    row. The request table is built without the repeat flag (a costly self-join) and, unless
    asked, without the count of workers."""
    dims = check_by(by, REQUEST_DIMENSIONS)
    where, params = scope_where(selection, "first_started")
    rows_where, rows_params = rows_scope(selection, "started_on")
    select, names = _split(dims, REQUEST_DIMENSIONS)
    sql = f"""
        {request_table_sql(repeats=False, workers=workers, rows_where=rows_where)}
        SELECT {"".join(s + ", " for s in select)} {measures}
        FROM requests
        WHERE {only} AND {where}
        {"GROUP BY " + ", ".join(names) + " ORDER BY " + ", ".join(names) if dims else ""}
    """
    cur = store.cursor()
    try:
        return dims, cur.execute(sql, [*rows_params, *params]).fetchall()
    finally:
        cur.close()


def _duration(dims: tuple[str, ...], r: tuple[Any, ...]) -> Duration:
    n = len(dims)
    return Duration(
        _group(dims, r),
        int(r[n]),
        None if r[n + 1] is None else float(r[n + 1]),
        None if r[n + 2] is None else float(r[n + 2]),
    )


def _durations(store: Store, sql: str, params: list[Any], dims: tuple[str, ...]) -> list[Duration]:
    cur = store.cursor()
    try:
        rows = cur.execute(sql, params).fetchall()
    finally:
        cur.close()
    return [_duration(dims, r) for r in rows]


# --- hand-offs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HandOffs:
    group: dict[str, str]
    requests_with_worker: int  # requests where at least one conversation names a worker
    more_than_one_worker: int

    @property
    def share(self) -> float | None:
        return percent(self.more_than_one_worker, self.requests_with_worker)


def hand_offs(
    store: Store, selection: Selection | None = None, by: Iterable[str] = ()
) -> list[HandOffs]:
    """Share of requests held by more than one distinct worker, among requests with a worker
    recorded (a request with no worker_id says nothing either way)."""
    dims, rows = _per_request_group(
        store,
        selection,
        by,
        "count(*) FILTER (WHERE has_worker), count(*) FILTER (WHERE several_workers)",
    )
    return [HandOffs(_group(dims, r), int(r[len(dims)]), int(r[len(dims) + 1])) for r in rows]


# --- the flow, the wait and the hand-offs together -----------------------------------------


@dataclass(frozen=True)
class Flow:
    """How far a group's requests went: all of them, those whose furthest conversation was at
    least 2 / was 3, and the new requests that led to long-term support (as ``conversion``
    counts them; the repeat flag, a costly self-join, is left to that report)."""

    group: dict[str, str]
    requests: int
    new_requests: int
    long_term: int
    reached_conversation_2: int
    reached_conversation_3: int

    @property
    def conversion_rate(self) -> float | None:
        return percent(self.long_term, self.new_requests)


@dataclass(frozen=True)
class RequestActivity:
    """Per group: the flow, the wait (as ``waiting_time``) and hand-offs (as ``hand_offs``)."""

    flow: list[Flow]
    waiting: list[Duration]
    handoffs: list[HandOffs]


def request_activity(
    store: Store, selection: Selection | None = None, by: Iterable[str] = ()
) -> RequestActivity:
    """The flow, ``waiting_time(store, selection, by)`` and ``hand_offs(store, selection, by)``
    from one query: the table of requests is built once, not three times.

    The groups are every group with a request; the wait leaves out (as ``waiting_time`` does)
    a group none of whose requests has a usable request date, unless ``by`` is empty.
    """
    waited = "requested_on IS NOT NULL AND requested_on <= first_started"
    wait = "date_diff('day', requested_on, first_started)"
    dims, rows = _per_request_group(
        store,
        selection,
        by,
        f"""count(*),
            count(*) FILTER (WHERE request_type = 'new'),
            count(*) FILTER (WHERE request_type = 'new' AND led_to_lts),
            count(*) FILTER (WHERE furthest >= 2),
            count(*) FILTER (WHERE furthest >= 3),
            count(*) FILTER (WHERE {waited}),
            quantile_cont({wait}, 0.5) FILTER (WHERE {waited}),
            quantile_cont({wait}, 0.9) FILTER (WHERE {waited}),
            count(*) FILTER (WHERE has_worker),
            count(*) FILTER (WHERE several_workers)""",
    )
    found = RequestActivity([], [], [])
    for r in rows:
        group = _group(dims, r)
        n = len(dims)
        found.flow.append(Flow(group, *(int(v) for v in r[n : n + 5])))
        if r[n + 5] or not dims:
            found.waiting.append(_duration(dims, (*r[:n], *r[n + 5 : n + 8])))
        found.handoffs.append(HandOffs(dict(group), int(r[n + 8]), int(r[n + 9])))
    return found
