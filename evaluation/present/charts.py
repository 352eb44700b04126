"""The dashboard's bar charts, built once for the pages, the meeting view and the pack.

Altair charts, not Streamlit calls. The meeting keeps each chart's Vega-Lite spec
(``vega_spec``) with its figures: the page hands it to ``st.vega_lite_chart`` and the pack
turns it into a picture with vl-convert, so the screen and the paper show the same chart
from the same rows. Each chart draws rows that ``evaluation`` has already suppressed; none
of them counts anything itself. Sizes are fixed (not "container") so the picture in the
pack has a known shape; the font is the pack's bundled DejaVu Sans.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import altair as alt
import pandas as pd

from evaluation.measures.activity import AGE_BANDS, OLDER_THAN_DAYS, UnderwayRow
from evaluation.measures.cost_change import BANDS
from evaluation.measures.feedback import QUESTIONS
from evaluation.present.formats import count, uk_date

WIDTH = 460
FONT = "DejaVu Sans"
# Colour-blind-safe (Okabe–Ito) and never an alarm colour for an ordinary series.
QUESTION_COLOURS = ["#0072B2", "#009E73", "#CC79A7"]  # blue, green, purple
TIME_COLOURS = ["#0072B2", "#BBBBBB"]  # with people, forms and systems
GROUP_AXIS = alt.Axis(labelLimit=320)  # site names are read whole
BAND_COLOURS = ["#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603"]  # older is darker


def _styled(chart: alt.Chart, height: int) -> alt.Chart:
    return (
        chart.properties(width=WIDTH, height=height)
        .configure(font=FONT)
        .configure_axis(labelFontSize=12, titleFontSize=12, labelLimit=260)
        .configure_legend(labelFontSize=12, titleFontSize=12, labelLimit=260)
    )


PROJECTOR_FONT = 18  # at least 16 px on a meeting-room projector
# A meeting chart lettered and drawn for a projector: larger axis, legend and title text,
# nothing cut short, thicker lines and points (merged into a spec's ``config``).
PROJECTOR_CONFIG: dict[str, dict[str, Any]] = {
    "axis": {"labelFontSize": PROJECTOR_FONT, "titleFontSize": PROJECTOR_FONT, "labelLimit": 480},
    "legend": {
        "labelFontSize": PROJECTOR_FONT,
        "titleFontSize": PROJECTOR_FONT,
        "labelLimit": 480,
        "symbolSize": 200,
    },
    "line": {"strokeWidth": 4},
    "point": {"size": 120},
}


def vega_spec(chart: alt.TopLevelMixin | None) -> dict[str, Any] | None:
    """A chart as its Vega-Lite spec: plain JSON (rows inline under ``datasets``), built once
    per figure, so a page run hands it to ``st.vega_lite_chart`` with no Altair work and the
    pack draws the same spec. Not validated against Vega-Lite's schema here (that is most of
    the cost of a new view's charts): each chart's shape is validated by its tests, and the
    rows only change values."""
    return None if chart is None else chart.to_dict(validate=False)


def for_projector(spec: dict[str, Any]) -> dict[str, Any]:
    """A meeting chart's spec lettered for a projector (``PROJECTOR_CONFIG`` over its own
    config); the spec itself is left as it is."""
    config = dict(spec.get("config", {}))
    for part, values in PROJECTOR_CONFIG.items():
        config[part] = {**config.get(part, {}), **values}
    return {**spec, "config": config}


def _per_group(
    draw: Callable[[Sequence[dict[str, Any]]], alt.Chart], rows: Sequence[dict[str, Any]], bar: int
) -> alt.TopLevelMixin | None:
    """A chart of groups sized and lettered for the meeting page and the pack: ``bar`` pixels
    of height per group; None without rows."""
    if not rows:
        return None
    return _styled(draw(rows), bar * len({row["group"] for row in rows}) + 20)


def feedback_chart(rows: Sequence[dict[str, Any]]) -> alt.TopLevelMixin | None:
    """The feedback chart for the meeting page and the pack."""
    return _per_group(feedback_yes_chart, rows, 60)


def feedback_yes_chart(rows: Sequence[dict[str, Any]]) -> alt.Chart:
    """% answering yes to each question, per group on show (``feedback.chart_rows``); the
    People and families page shows it as it is."""
    frame = pd.DataFrame(rows)
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("yes_pct:Q", title="% answering yes", scale=alt.Scale(domain=[0, 100])),
            y=alt.Y("group:N", title=None, axis=GROUP_AXIS),
            yOffset=alt.YOffset("question:N", sort=list(QUESTIONS.values())),
            color=alt.Color(
                "question:N",
                title="Question",
                scale=alt.Scale(domain=list(QUESTIONS.values()), range=QUESTION_COLOURS),
            ),
            tooltip=[
                alt.Tooltip("group:N", title="Group"),
                alt.Tooltip("question:N", title="Question"),
                alt.Tooltip("yes_pct:Q", title="% yes", format=".1f"),
                alt.Tooltip("answered:Q", title="Answered"),
            ],
        )
    )
    return chart


def staff_chart(rows: Sequence[dict[str, Any]]) -> alt.TopLevelMixin | None:
    """The time-with-people chart for the meeting page and the pack."""
    return _per_group(time_split_chart, rows, 36)


def time_split_chart(rows: Sequence[dict[str, Any]]) -> alt.Chart:
    """Time with people and on forms and systems, per group on show (``staff.time_rows``);
    the Staff experience page shows it as it is."""
    frame = pd.DataFrame(rows)
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("pct:Q", title="% of working time", stack="zero"),
            y=alt.Y("group:N", title=None, axis=GROUP_AXIS),
            color=alt.Color(
                "part:N",
                title="Time spent",
                scale=alt.Scale(domain=["With people", "Forms and systems"], range=TIME_COLOURS),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("group:N", title="Group"),
                alt.Tooltip("part:N", title="Time spent"),
                alt.Tooltip("pct:Q", title="%", format=".1f"),
                alt.Tooltip("answered:Q", title="Responses"),
            ],
        )
    )
    return chart


def cost_chart(bands: Sequence[dict[str, Any]]) -> alt.TopLevelMixin | None:
    """The cost-change distribution, sized and lettered for the meeting page and the pack."""
    if not bands:
        return None
    return _styled(cost_distribution_chart(bands, legend="Approach"), 300)


def cost_distribution_chart(bands: Sequence[dict[str, Any]], legend: str) -> alt.Chart:
    """Share of completed requests per band of weekly change (``cost_change.distribution``),
    one colour per column of the table (``legend`` names them). The Cost change page shows it
    as it is; the meeting page and the pack size it with ``cost_chart``."""
    frame = pd.DataFrame(bands)
    frame["share"] = frame["requests"] / frame.groupby("group")["requests"].transform("sum")
    order = [label for label, _, _ in BANDS]
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y(
                "band:N",
                sort=order,
                scale=alt.Scale(domain=order),
                title="Change in weekly cost (£ a week)",
            ),
            yOffset=alt.YOffset("group:N"),
            x=alt.X("share:Q", title="Share of completed requests", axis=alt.Axis(format="%")),
            color=alt.Color("group:N", title=legend),
            tooltip=[
                alt.Tooltip("group:N", title=legend),
                alt.Tooltip("band:N", title="Change"),
                alt.Tooltip("requests:Q", title="Requests"),
                alt.Tooltip("share:Q", title="Share", format=".1%"),
            ],
        )
    )
    return chart


def underway_chart(rows: Sequence[UnderwayRow]) -> alt.TopLevelMixin | None:
    """Conversations underway by conversation number, stacked by age (the Conversation 1
    "bulge" shows as a tall, dark first bar)."""
    if not rows:
        return None
    bands = [b[0] for b in AGE_BANDS]
    frame = pd.DataFrame(
        [{"conversation": r.conversation, "age": r.band, "underway": r.count} for r in rows]
    )
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("conversation:N", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("underway:Q", title="Conversations underway"),
            color=alt.Color(
                "age:N", sort=bands, title="Age", scale=alt.Scale(domain=bands, range=BAND_COLOURS)
            ),
            order=alt.Order("band_order:Q"),
            tooltip=["conversation", "age", "underway"],
        )
        .transform_calculate(band_order=f"indexof({bands!r}, datum.age)")
    )
    return _styled(chart, 240)


def underway_text(rows: Sequence[UnderwayRow], as_of: date) -> str:
    """The underway chart in words: how many of each conversation, and how many are old."""
    totals: dict[str, list[int]] = {}
    for r in rows:
        entry = totals.setdefault(r.conversation, [0, 0])
        entry[0] += r.count
        if r.band in (AGE_BANDS[-2][0], AGE_BANDS[-1][0]):
            entry[1] += r.count
    if not totals:
        return f"Nothing was underway on {uk_date(as_of)}."
    parts = [
        f"{label}: {count(n)} underway, {count(old)} of them for more than {OLDER_THAN_DAYS} days"
        for label, (n, old) in totals.items()
    ]
    return f"Underway on {uk_date(as_of)} — " + "; ".join(parts) + "."


def flow_chart(stages: Sequence[tuple[str, int]]) -> alt.Chart:
    """Requests at each stage of the flow, in order (the Conversations page)."""
    return (
        alt.Chart(pd.DataFrame([{"stage": s, "requests": n} for s, n in stages]))
        .mark_bar()
        .encode(
            x=alt.X(
                "stage:N",
                sort=[s for s, _ in stages],
                title=None,
                axis=alt.Axis(labelAngle=0, labelLimit=250),
            ),
            y=alt.Y("requests:Q", title="Requests"),
            tooltip=["stage", "requests"],
        )
    )
