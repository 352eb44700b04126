"""The survey trends by month, drawn honestly: gaps, a time axis, and how sure each point is.

A month with no responses, or hidden as a small group, is a gap in its line, never a line drawn
straight across it; the months are on a true time axis (written as the dashboard writes months,
``Mar 2025``); the legend shows each line's colour and dash; a share answering yes carries its
95% Wilson interval as a bar, and a staff mean resting on few responses is drawn faint.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

import altair as alt
import pandas as pd

from evaluation.measures.feedback import QUESTIONS
from evaluation.measures.intervals import wilson
from evaluation.measures.survey import Measures
from evaluation.present.charts import QUESTION_COLOURS
from evaluation.present.formats import MONTH_FORMAT, month, month_start

FEW = 10  # a staff mean from fewer responses than this is drawn faint
FEW_LABEL, ENOUGH_LABEL = f"fewer than {FEW} responses", f"{FEW} or more responses"
GAPS = "break-paths-show-domains"  # a missing value breaks the line; the axis keeps its months


def _months(keys: Sequence[str]) -> list[str]:
    """Every month from the first to the last key, none left out (``YYYY-MM``)."""
    if not keys:
        return []
    first, last = month_start(min(keys)), month_start(max(keys))
    found, day = [], first
    while day <= last:
        found.append(f"{day:%Y-%m}")
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return found


def _state(group: dict[str, Any] | None, value_key: str) -> str:
    if group is None or group.get("responses") == 0:
        return "no responses"
    if group.get("suppressed") or group.get(value_key) is None:
        return "hidden (too few to show)"
    return "shown"


def feedback_trend_rows(trend: Measures) -> list[dict[str, Any]]:
    """One row per month, approach and question (``trend`` by month and approach), every month
    of the span included: the share answering yes and its interval, or None and why not."""
    groups = {(g["month"], g["approach"]): g for g in trend.groups}
    approaches = list(dict.fromkeys(g["approach"] for g in trend.groups))
    rows = []
    for key in _months([g["month"] for g in trend.groups]):
        for approach in approaches:
            group = groups.get((key, approach))
            for q, title in QUESTIONS.items():
                state = _state(group, f"{q}_yes_pct")
                value = group[f"{q}_yes_pct"] if state == "shown" and group else None
                answered = group[f"{q}_answered"] if state == "shown" and group else None
                ci = (
                    wilson(round(value * answered / 100), answered)
                    if value is not None and answered
                    else None
                )
                rows.append(
                    {
                        "month": month_start(key),
                        "month_text": month(key),
                        "approach": approach,
                        "question": title,
                        "yes_pct": value,
                        "low": ci[0] if ci else None,
                        "high": ci[1] if ci else None,
                        "answered": answered,
                        "state": state,
                    }
                )
    return rows


def staff_trend_rows(trend: Measures, item: str) -> list[dict[str, Any]]:
    """One row per month and site (``trend`` by site and month), every month of the span
    included: the item's mean, or None and why not, and whether it rests on few responses."""
    groups = {(g["site"], g["month"]): g for g in trend.groups}
    sites = list(dict.fromkeys(g["site"] for g in trend.groups))
    rows = []
    for key in _months([g["month"] for g in trend.groups]):
        for site in sites:
            group = groups.get((site, key))
            state = _state(group, f"{item}_mean")
            answered = group.get(f"{item}_answered") if group and state == "shown" else None
            rows.append(
                {
                    "month": month_start(key),
                    "month_text": month(key),
                    "site": site,
                    "mean": group[f"{item}_mean"] if group and state == "shown" else None,
                    "answered": answered,
                    "responses": FEW_LABEL
                    if answered is not None and answered < FEW
                    else ENOUGH_LABEL,
                    "state": state,
                }
            )
    return rows


def _time_axis() -> alt.X:
    return alt.X("month:T", title="Month", axis=alt.Axis(format=MONTH_FORMAT, tickCount="month"))


def _shown(rows: Sequence[dict[str, Any]], value: str) -> Iterator[dict[str, Any]]:
    return (r for r in rows if r[value] is not None)


def feedback_trend_chart(rows: Sequence[dict[str, Any]]) -> alt.LayerChart | None:
    """% answering yes by month: a colour per question, a dash per approach, gaps where a month
    has nothing to show, and each point's 95% interval as a bar."""
    if not any(_shown(rows, "yes_pct")):
        return None
    frame = pd.DataFrame(rows)
    colour = alt.Color(
        "question:N",
        title="Question",
        scale=alt.Scale(domain=list(QUESTIONS.values()), range=QUESTION_COLOURS),
        legend=alt.Legend(symbolType="stroke", symbolStrokeWidth=3),
    )
    dash = alt.StrokeDash(
        "approach:N", title="Approach", legend=alt.Legend(symbolType="stroke", symbolStrokeWidth=2)
    )
    y = alt.Y("yes_pct:Q", title="% answering yes", scale=alt.Scale(domain=[0, 100]))
    tooltip = [
        alt.Tooltip("month_text:N", title="Month"),
        alt.Tooltip("approach:N", title="Approach"),
        alt.Tooltip("question:N", title="Question"),
        alt.Tooltip("yes_pct:Q", title="% yes", format=".1f"),
        alt.Tooltip("low:Q", title="95% interval from", format=".1f"),
        alt.Tooltip("high:Q", title="to", format=".1f"),
        alt.Tooltip("answered:Q", title="Answered"),
    ]
    base = alt.Chart(frame).encode(x=_time_axis(), color=colour)
    lines = base.mark_line(invalid=GAPS).encode(y=y, strokeDash=dash)
    points = base.mark_point(filled=True, size=40).encode(y=y, tooltip=tooltip)
    bars = base.mark_rule(opacity=0.5).encode(
        y=alt.Y("low:Q", title="% answering yes", scale=alt.Scale(domain=[0, 100])), y2="high:Q"
    )
    return alt.layer(bars, lines, points)


def staff_trend_chart(
    rows: Sequence[dict[str, Any]], title: str, percent: bool
) -> alt.LayerChart | None:
    """One staff item's mean by month, a line per site, gaps where a month has nothing to show;
    a mean from fewer than ``FEW`` responses is drawn faint (``percent``: time with people)."""
    if not any(_shown(rows, "mean")):
        return None
    unit = "mean % of time" if percent else "mean score (1–5)"
    y = alt.Y(
        "mean:Q", title=f"{title}, {unit}", scale=alt.Scale(domain=[0, 100] if percent else [1, 5])
    )
    base = alt.Chart(pd.DataFrame(rows)).encode(
        x=_time_axis(),
        color=alt.Color("site:N", title="Site", legend=alt.Legend(symbolType="stroke")),
    )
    lines = base.mark_line(invalid=GAPS).encode(y=y)
    points = base.mark_point(filled=True, size=50).encode(
        y=y,
        opacity=alt.Opacity(
            "responses:N",
            title="Resting on",
            scale=alt.Scale(domain=[ENOUGH_LABEL, FEW_LABEL], range=[1.0, 0.3]),
        ),
        tooltip=[
            alt.Tooltip("site:N", title="Site"),
            alt.Tooltip("month_text:N", title="Month"),
            alt.Tooltip("mean:Q", title="Mean", format=".2f"),
            alt.Tooltip("answered:Q", title="Responses"),
        ],
    )
    return alt.layer(lines, points)
