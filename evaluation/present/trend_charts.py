"""The dashboard's charts of figures over time: weeks, months, quarters and years.

Altair specs built from rows the measures have already counted and suppressed; the pages
hand them to ``st.altair_chart``. None of them counts anything itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import altair as alt
import pandas as pd

from evaluation.measures.conversion import ConversionRow
from evaluation.measures.weekly import WeekRow
from evaluation.store.regional import RegionalFigure

GREY, BLUE, RED = "#9e9e9e", "#1f77b4", "#d62728"


def weekly_chart(series: Sequence[WeekRow], change: date) -> alt.LayerChart:
    """New long-term support per week: bars before and after ``change``, the 4-week mean as
    a line and the day compared as a dashed rule."""
    monday = change - timedelta(days=change.weekday())
    frame = pd.DataFrame(
        {
            "week": [w.week for w in series],
            "people": [w.long_term for w in series],
            "mean": [w.rolling_mean for w in series],
            "period": ["before" if w.week < monday else "after" for w in series],
        }
    )
    bars = (
        alt.Chart(frame)
        .mark_bar(opacity=0.55)
        .encode(
            x=alt.X("week:T", title="Week (Monday to Sunday)"),
            y=alt.Y("people:Q", title="New requests that led to long-term support"),
            color=alt.Color(
                "period:N",
                title="Period",
                scale=alt.Scale(domain=["before", "after"], range=[GREY, BLUE]),
            ),
            tooltip=[alt.Tooltip("week:T", format="%d/%m/%Y"), "people:Q", "period:N"],
        )
    )
    line = (
        alt.Chart(frame)
        .mark_line(color=RED)
        .encode(x="week:T", y="mean:Q", tooltip=[alt.Tooltip("mean:Q", format=".2f")])
    )
    rule = (
        alt.Chart(pd.DataFrame({"change": [pd.Timestamp(change)]}))
        .mark_rule(strokeDash=[4, 4])
        .encode(x="change:T")
    )
    return bars + line + rule


def repeat_chart(by_quarter: Sequence[ConversionRow]) -> alt.Chart | None:
    """Repeat requests as a share of new requests, by the quarter the request began."""
    quarters = pd.DataFrame(
        [
            {
                "quarter": r.group["quarter"],
                "approach": r.group["approach"],
                "repeat rate": r.repeat_rate,
                "new requests": r.new_requests,
                "repeat requests": r.repeat_requests,
            }
            for r in by_quarter
            if r.new_requests
        ]
    )
    if quarters.empty:
        return None
    return (
        alt.Chart(quarters)
        .mark_line(point=True)
        .encode(
            x=alt.X("quarter:O", title="Quarter the request began", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("repeat rate:Q", title="Repeat requests, % of new requests"),
            color=alt.Color("approach:N", title="Approach"),
            tooltip=["quarter", "approach", "new requests", "repeat requests", "repeat rate"],
        )
    )


def regional_rows(figures: Sequence[RegionalFigure]) -> list[dict[str, Any]]:
    """Long form: one row per measure, year and series (council or region)."""
    rows: list[dict[str, Any]] = []
    for figure in figures:
        for series, value in (("Council", figure.council_value), ("Region", figure.region_value)):
            if value is not None:
                rows.append(
                    {
                        "measure": figure.measure,
                        "year": figure.year,
                        "year_start": figure.year_start,
                        "series": series,
                        "value": value,
                    }
                )
    return rows


def regional_charts(figures: Sequence[RegionalFigure]) -> list[tuple[str, alt.Chart]]:
    """One chart per measure, council against region, year by year (the measure's name is
    the user's own text: the page shows it as plain text above its chart)."""
    long = pd.DataFrame(regional_rows(figures))
    if long.empty:
        return []
    charts = []
    for measure, rows in long.groupby("measure", sort=True):
        chart = (
            alt.Chart(rows)
            .mark_line(point=True)
            .encode(
                x=alt.X(
                    "year:O",
                    title="Year",
                    sort=sorted(set(rows["year"])),
                    axis=alt.Axis(labelAngle=0),
                ),
                y=alt.Y("value:Q", title="Value"),
                color=alt.Color(
                    "series:N",
                    title="",
                    scale=alt.Scale(domain=["Council", "Region"], range=[BLUE, GREY]),
                ),
                tooltip=["year", "series", "value"],
            )
        )
        charts.append((str(measure), chart))
    return charts
