"""New long-term support per week: Harrow's 7.2 → 5.5 people a week, and before and after.

New requests that led to long-term support, counted by the ISO week their last conversation
ended; a quiet week is a zero, not a gap. The trailing 4-week mean smooths the series, and
``before_after`` compares the weeks before a change (an innovation site starting) with those
from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from evaluation.measures.conversion import DIMENSIONS, check_by, requests_source
from evaluation.measures.selection import Selection
from evaluation.store.connection import Store
from evaluation.store.query import rows

ROLLING_WEEKS = 4


@dataclass(frozen=True)
class WeekRow:
    group: dict[str, str]
    week: date  # the Monday (ISO week) the request's last conversation ended
    long_term: int
    rolling_mean: float | None  # mean of this week and the 3 before; None for the first 3


def weekly_long_term(
    store: Store, selection: Selection | None = None, by: Iterable[str] = ()
) -> list[WeekRow]:
    """New requests that led to long-term support, per ISO week their last conversation ended.

    Weeks with none are filled in as zero (a quiet week is a figure, not a gap), from the
    first to the last week with any — or across the selection's dates when it has them. The
    selection's dates apply to the week's end date here, not to the request's start, because
    this is a series in time of outcomes. The rolling mean is trailing, over 4 weeks.
    """
    dims = check_by(by, {k: v for k, v in DIMENSIONS.items() if k not in ("month", "quarter")})
    source = requests_source(store, selection, narrow=("ended_on", False))
    where, params = source.where(selection, "last_ended_on")
    group_cols = [f"{DIMENSIONS[d]} AS g{i}" for i, d in enumerate(dims)]
    g_names = [f"g{i}" for i in range(len(dims))]
    start = getattr(selection, "date_from", None) if selection else None
    end = getattr(selection, "date_to", None) if selection else None
    sql = f"""
        {source.prefix}{"," if source.prefix else "WITH"}
        counts AS (
            SELECT {"".join(c + ", " for c in group_cols)}
                CAST(date_trunc('week', last_ended_on) AS DATE) AS week, count(*) AS n
            FROM {source.relation}
            WHERE request_type = 'new' AND led_to_lts AND last_ended_on IS NOT NULL AND {where}
            GROUP BY ALL
        ),
        span AS (
            SELECT coalesce(CAST(date_trunc('week', CAST(? AS DATE)) AS DATE), min(week)) AS a,
                   coalesce(CAST(date_trunc('week', CAST(? AS DATE)) AS DATE), max(week)) AS b
            FROM counts
        ),
        weeks AS (
            SELECT CAST(unnest(generate_series(a, b, INTERVAL 7 DAY)) AS DATE) AS week
            FROM span WHERE a IS NOT NULL AND b IS NOT NULL AND a <= b
        ),
        groups AS (SELECT DISTINCT {", ".join(g_names) if dims else "1 AS g"} FROM counts),
        grid AS (
            SELECT {"".join(f"groups.{g}, " for g in g_names)} weeks.week,
                coalesce(counts.n, 0) AS n
            FROM groups CROSS JOIN weeks
            LEFT JOIN counts ON counts.week = weeks.week
                {"".join(f" AND counts.{g} = groups.{g}" for g in g_names)}
        )
        SELECT {"".join(g + ", " for g in g_names)} week, n,
            CASE WHEN row_number() OVER w >= {ROLLING_WEEKS}
                 THEN avg(n) OVER (w ROWS BETWEEN {ROLLING_WEEKS - 1} PRECEDING AND CURRENT ROW)
            END AS rolling
        FROM grid
        WINDOW w AS ({"PARTITION BY " + ", ".join(g_names) if dims else ""} ORDER BY week)
        ORDER BY {"".join(g + ", " for g in g_names)} week
    """
    found = rows(store, sql, [*source.params, *params, start, end], source.tables)
    return [
        WeekRow(
            {d: str(v) for d, v in zip(dims, row[: len(dims)], strict=True)},
            row[len(dims)],
            int(row[len(dims) + 1]),
            None if row[len(dims) + 2] is None else float(row[len(dims) + 2]),
        )
        for row in found
    ]


@dataclass(frozen=True)
class BeforeAfter:
    change: date
    weeks_before: int
    per_week_before: float | None
    weeks_after: int
    per_week_after: float | None


def before_after(series: Sequence[WeekRow], change: date) -> BeforeAfter:
    """Mean new long-term support per week before and from the week of ``change`` (Harrow's
    7.2 → 5.5 a week), over the weeks in the series."""
    monday = change - timedelta(days=change.weekday())
    before = [w.long_term for w in series if w.week < monday]
    after = [w.long_term for w in series if w.week >= monday]
    return BeforeAfter(
        change,
        len(before),
        sum(before) / len(before) if before else None,
        len(after),
        sum(after) / len(after) if after else None,
    )
