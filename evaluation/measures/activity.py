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

from evaluation.core.vocabulary import NOT_GIVEN_GROUP, USUAL_PRACTICE_LABEL
from evaluation.measures.conversion import check_by
from evaluation.measures.requests import scope_where
from evaluation.measures.selection import Selection
from evaluation.store.connection import Store
from evaluation.store.query import rows

# (label, lowest age in days, highest age in days or None)
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0–7 days", 0, 7),
    ("8–14 days", 8, 14),
    ("15–28 days", 15, 28),
    ("29–56 days", 29, 56),
    ("over 56 days", 57, None),
)
OLDER_THAN_DAYS = 28  # a Conversation 1 underway longer than four weeks counts as "older"

CONVERSATION_LABEL = (
    f"CASE WHEN conversation IS NULL THEN '{USUAL_PRACTICE_LABEL}' "
    "ELSE 'Conversation ' || conversation END"
)

# Conversation-level splits read the conversation's own columns and start date.
CONVERSATION_DIMENSIONS: dict[str, str] = {
    "site": "site",
    "approach": "approach",
    "area": f"coalesce(area, '{NOT_GIVEN_GROUP}')",
    "cohort": f"coalesce(cohort, '{NOT_GIVEN_GROUP}')",
    "request_type": "request_type",
    "month": "strftime(started_on, '%Y-%m')",
    "quarter": "strftime(started_on, '%Y') || ' Q' || quarter(started_on)",
    "conversation": CONVERSATION_LABEL,
}


def _band_sql(age: str) -> str:
    parts = []
    for label, low, high in AGE_BANDS:
        test = f"{age} >= {low}" + (f" AND {age} <= {high}" if high is not None else "")
        parts.append(f"WHEN {test} THEN '{label}'")
    return "CASE " + " ".join(parts) + " END"


def split(by: tuple[str, ...], dims: dict[str, str]) -> tuple[list[str], list[str]]:
    select = [f"{dims[d]} AS g{i}" for i, d in enumerate(by)]
    names = [f"g{i}" for i in range(len(by))]
    return select, names


def group_of(by: tuple[str, ...], row: tuple[Any, ...]) -> dict[str, str]:
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
    select, names = split(dims, CONVERSATION_DIMENSIONS)
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
    return [
        UnderwayRow(group_of(dims, r), r[len(dims)], r[len(dims) + 1], int(r[len(dims) + 2]))
        for r in rows(store, sql, [as_of, as_of, as_of, *params])
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
    found = dict(rows(store, sql, [as_of, as_of - timedelta(days=7), *params]))
    return OlderFirstConversations(
        as_of, int(found.get(as_of, 0)), int(found.get(as_of - timedelta(days=7), 0))
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
    select, names = split(dims, CONVERSATION_DIMENSIONS)
    sql = f"""
        SELECT {"".join(s + ", " for s in select)} count(*),
            quantile_cont(date_diff('day', started_on, ended_on), 0.5),
            quantile_cont(date_diff('day', started_on, ended_on), 0.9)
        FROM conversations
        WHERE ended_on IS NOT NULL AND {where}
        {"GROUP BY " + ", ".join(names) + " ORDER BY " + ", ".join(names) if dims else ""}
    """
    return [duration(dims, r) for r in rows(store, sql, params)]


def duration(dims: tuple[str, ...], r: tuple[Any, ...]) -> Duration:
    """A Duration from a row: the group's values, then count, median and 90th percentile."""
    n = len(dims)
    return Duration(
        group_of(dims, r),
        int(r[n]),
        None if r[n + 1] is None else float(r[n + 1]),
        None if r[n + 2] is None else float(r[n + 2]),
    )
