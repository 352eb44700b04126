"""Conversations completed since a site began: Birmingham's 1,497 / 4,043 / 14,588.

Birmingham counted the conversations its teams had completed 6, 12 and 18 months into the
roll-out, to show the approach had reached everyday work rather than a pilot's handful. Per
site: its first three conversations conversation's start is day one; a conversation counts
at 6 months when it ended before the same day 6 months on (so the first 6 months, whole). A
milestone the data has not reached yet (its last day is after the as-of date) has no figure:
"not reached yet", never a count that is still growing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from evaluation.core.vocabulary import THREE_CONVERSATIONS
from evaluation.measures.selection import Selection
from evaluation.store.connection import Store
from evaluation.store.query import rows

MILESTONES = (6, 12, 18)


@dataclass(frozen=True)
class Milestone:
    months: int
    last_day: date  # the last day counted: the day before ``months`` months from day one
    completed: int | None  # None while the data has not reached ``last_day``


@dataclass(frozen=True)
class SiteCompleted:
    site: str
    first: date
    milestones: list[Milestone]
    so_far: int  # ended on or before the as-of date


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(f"no such month: {year}-{month}")


def conversations_completed(
    store: Store,
    as_of: date,
    selection: Selection | None = None,
    milestones: Sequence[int] = MILESTONES,
) -> list[SiteCompleted]:
    """Per site (of the selection's sites, cohorts and areas), conversations completed by
    each milestone since its first three conversations conversation, and so far."""
    scope = selection or Selection()
    scope = Selection(sites=scope.sites, cohorts=scope.cohorts, areas=scope.areas)
    where, params = scope.where(alias="c")
    months = [int(m) for m in milestones]
    counts = "".join(
        f"count(c.ended_on) FILTER (WHERE c.ended_on < CAST(s.first + INTERVAL {m} MONTH AS DATE)),"
        for m in months
    )
    sql = f"""
        WITH scoped AS (
            SELECT c.site, c.started_on, c.ended_on FROM conversations c
            WHERE c.approach = ? AND {where}
        ),
        sites AS (SELECT site, min(started_on) AS first FROM scoped GROUP BY site)
        SELECT s.site, s.first, {counts} count(c.ended_on) FILTER (WHERE c.ended_on <= ?)
        FROM sites s JOIN scoped c USING (site)
        GROUP BY s.site, s.first ORDER BY s.site
    """
    found = []
    for row in rows(store, sql, [THREE_CONVERSATIONS, *params, as_of]):
        site, first = row[0], row[1]
        marks = []
        for index, m in enumerate(months):
            last = add_months(first, m) - timedelta(days=1)
            marks.append(Milestone(m, last, int(row[2 + index]) if last <= as_of else None))
        found.append(SiteCompleted(site, first, marks, int(row[-1])))
    return found
