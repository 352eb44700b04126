"""Money and resources: how few new requests turn into long-term support, and what that is worth.

Thin: filters, then figures from ``evaluation.measures.conversion`` and ``evaluation.ingest.regional`` (the
same functions ``python -m evaluation report conversion`` prints), then tables and charts.
Every figure comes through ``evaluation.store.figures.cached``: computed once per version of the
data and shared by everyone looking at the same view; the conversion tables come from one
query (``conversions``), not one each.
"""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from decimal import Decimal

import altair as alt
import pandas as pd
import streamlit as st

from evaluation.ingest import regional
from evaluation.measures.conversion import (
    average_weekly_package_cost,
    before_after,
    conversions,
    cost_avoided,
    date_span,
    options,
    weekly_long_term,
)
from evaluation.measures.selection import Selection
from evaluation.present.exports import to_csv
from evaluation.store.figures import cached
from pages.common import current_user, request_filters, store

THREE_CS = "three conversations"
USUAL = "usual practice"
# The conversion tables the page shows: the total, by approach, by site and approach, by area
# (the Birmingham table) and by quarter and approach (repeat requests over time).
TABLES = ((), ("approach",), ("site", "approach"), ("area",), ("quarter", "approach"))


def pct(value: float | None, places: int = 2) -> str:
    return "–" if value is None else f"{value:.{places}f}%"


def interval(ci: tuple[float, float] | None, places: int = 2) -> str:
    return "–" if ci is None else f"{ci[0]:.{places}f}% to {ci[1]:.{places}f}%"


def pounds(amount: Decimal) -> str:
    """£1,234.50, and -£1,234.50 for a negative amount."""
    return f"{'-' if amount < 0 else ''}£{abs(amount):,.2f}"


def filters(found: dict[str, list[str]], span: tuple[date, date]) -> Selection:
    """Sites, approaches, areas and the period (by the request's first start date)."""
    selection, _ = request_filters(
        found,
        "money",
        caption=(
            f"Requests in the store began from {span[0]:%d/%m/%Y} to {span[1]:%d/%m/%Y}. A request "
            "belongs to the period its first conversation started in."
        ),
    )
    return selection


st.title("Money and resources")
st.write(
    "How many new requests for support turn into long-term support, whether people come back "
    "with a repeat request, and what a fall in conversion could be worth. A request is the "
    "conversations that share a request id; it is new when the person had no long-term support "
    "when it arrived, and it led to long-term support when any of its conversations did."
)

the_store = store()
span = cached(the_store, date_span)
if span is None:
    st.info("There are no conversations in the store yet. Import a conversations file first.")
    st.page_link("pages/upload.py", label="Upload data", icon=":material/upload_file:")
    st.stop()

selection = filters(cached(the_store, options), span)
st.text(f"Showing: {selection.describe()}")  # site and area names are free text
(overall,), by_approach, by_site, by_area, by_quarter = cached(
    the_store, conversions, selection, TABLES
)
if overall.requests == 0:
    st.info("No requests match these filters. Clear a filter or widen the dates.")
    st.stop()

# --- conversion by approach and site ------------------------------------------------------

st.header("Conversion into long-term support")
columns = st.columns(len(by_approach) + 1)
columns[0].metric(
    "All new requests",
    pct(overall.conversion_rate),
    help=f"{overall.long_term:,} of {overall.new_requests:,} new requests led to long-term "
    f"support (95% interval {interval(overall.conversion_ci95)}).",
    border=True,
)
for column, row in zip(columns[1:], by_approach, strict=True):
    column.metric(
        f"{row.group['approach'].capitalize()}",
        pct(row.conversion_rate),
        help=f"{row.long_term:,} of {row.new_requests:,} new requests "
        f"(95% interval {interval(row.conversion_ci95)}).",
        border=True,
    )
st.caption(
    "Conversion = new requests that led to long-term support ÷ new requests. The 95% interval "
    "(Wilson) shows how far the rate could move by chance alone: with few requests it is wide."
)

site_table = pd.DataFrame(
    [
        {
            "Site": r.group["site"],
            "Approach": r.group["approach"].capitalize(),
            "New requests": r.new_requests,
            "Led to long-term support": r.long_term,
            "Conversion": pct(r.conversion_rate),
            "95% interval": interval(r.conversion_ci95),
            "Reached Conversation 2": r.reached_conversation_2,
            "Reached Conversation 3": r.reached_conversation_3,
            "Repeat requests": r.repeat_requests,
            "Repeat rate": pct(r.repeat_rate),
        }
        for r in by_site
    ]
)
st.dataframe(site_table, hide_index=True)

# --- the Birmingham table ------------------------------------------------------------------

st.subheader("Long-term support for new requests, by area")
area_rows = [
    {
        "Area": r.group["area"],
        "Requests for support": r.new_requests,
        "Long-term support": r.long_term,
        "No long-term support": r.no_long_term,
        "% long-term": pct(r.conversion_rate, 1),
        "95% interval": interval(r.conversion_ci95, 1),
    }
    for r in by_area
]
area_rows.append(
    {
        "Area": "Total",
        "Requests for support": overall.new_requests,
        "Long-term support": overall.long_term,
        "No long-term support": overall.no_long_term,
        "% long-term": pct(overall.conversion_rate, 1),
        "95% interval": interval(overall.conversion_ci95, 1),
    }
)
st.dataframe(pd.DataFrame(area_rows), hide_index=True)
st.download_button(
    "Download the area table as CSV",
    to_csv(area_rows, list(area_rows[0])),
    file_name="long-term-support-by-area.csv",
    mime="text/csv",
)

# --- new long-term support per week ---------------------------------------------------------

st.header("New long-term support per week")
series = cached(the_store, weekly_long_term, selection)
if not series:
    st.info("No new request in this selection has led to long-term support yet.")
else:
    weeks = [w.week for w in series]
    change_default = weeks[len(weeks) // 2]
    preset_change = st.query_params.get("change")
    if preset_change:
        with contextlib.suppress(ValueError):
            change_default = date.fromisoformat(preset_change)
    change_default = min(max(change_default, weeks[0]), weeks[-1])
    change = st.date_input(
        "Compare before and after",
        value=change_default,
        min_value=weeks[0],
        max_value=weeks[-1] + timedelta(days=6),
        format="DD/MM/YYYY",
        key="money_change",
        help="The day the innovation site began, or any change you want to test. It starts "
        "in the middle of the weeks shown.",
    )
    change = change or change_default
    compared = before_after(series, change)
    before, after, _ = st.columns(3)
    before.metric(
        "Before: people a week",
        "–" if compared.per_week_before is None else f"{compared.per_week_before:.1f}",
        help=f"Mean over {compared.weeks_before} week(s) before {change:%d/%m/%Y}.",
        border=True,
    )
    after.metric(
        "After: people a week",
        "–" if compared.per_week_after is None else f"{compared.per_week_after:.1f}",
        help=f"Mean over {compared.weeks_after} week(s) from {change:%d/%m/%Y}.",
        border=True,
    )
    frame = pd.DataFrame(
        {
            "week": [w.week for w in series],
            "people": [w.long_term for w in series],
            "mean": [w.rolling_mean for w in series],
            "period": [
                "before" if w.week < change - timedelta(days=change.weekday()) else "after"
                for w in series
            ],
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
                scale=alt.Scale(domain=["before", "after"], range=["#9e9e9e", "#1f77b4"]),
            ),
            tooltip=[alt.Tooltip("week:T", format="%d/%m/%Y"), "people:Q", "period:N"],
        )
    )
    line = (
        alt.Chart(frame)
        .mark_line(color="#d62728")
        .encode(x="week:T", y="mean:Q", tooltip=[alt.Tooltip("mean:Q", format=".2f")])
    )
    rule = (
        alt.Chart(pd.DataFrame({"change": [pd.Timestamp(change)]}))
        .mark_rule(strokeDash=[4, 4])
        .encode(x="change:T")
    )
    st.altair_chart(bars + line + rule, width="stretch")
    st.caption(
        "Bars: new requests that led to long-term support, by the week their last conversation "
        "ended. Red line: the mean of that week and the three before. The dashed line marks the "
        "date compared."
    )

# --- repeat requests ------------------------------------------------------------------------

st.header("Repeat requests")
st.write(
    "A repeat request is a new request from someone whose earlier request ended without "
    "long-term support no more than 365 days before. Fewer repeats suggests getting it right "
    "the first time."
)
repeat_cols = st.columns(len(by_approach))
for column, row in zip(repeat_cols, by_approach, strict=True):
    column.metric(
        f"Repeat rate — {row.group['approach']}",
        pct(row.repeat_rate),
        help=f"{row.repeat_requests:,} of {row.new_requests:,} new requests.",
        border=True,
    )
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
if not quarters.empty:
    st.altair_chart(
        alt.Chart(quarters)
        .mark_line(point=True)
        .encode(
            x=alt.X("quarter:O", title="Quarter the request began", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("repeat rate:Q", title="Repeat requests, % of new requests"),
            color=alt.Color("approach:N", title="Approach"),
            tooltip=["quarter", "approach", "new requests", "repeat requests", "repeat rate"],
        ),
        width="stretch",
    )

# --- cost avoided ---------------------------------------------------------------------------

st.header("Estimate of cost avoided")
st.write(
    "An **estimate**, not a saving proven: if the old conversion rate had held, how many more "
    "people would have needed long-term support, and what their care would cost at an average "
    "weekly package cost you enter."
)
current = next((r for r in by_approach if r.group["approach"] == THREE_CS), None)
usual = next((r for r in by_approach if r.group["approach"] == USUAL), None)
if current is None or current.new_requests == 0:
    st.info("No new requests under three conversations in this selection to estimate from.")
else:
    suggested_cost = cached(the_store, average_weekly_package_cost)
    left, right = st.columns(2)
    baseline = left.number_input(
        "Conversion before, % (the baseline)",
        min_value=0.0,
        max_value=100.0,
        value=round(usual.conversion_rate, 2)
        if usual and usual.conversion_rate is not None
        else 7.0,
        step=0.1,
        format="%.2f",
        key="money_baseline",
        help="Usual practice's rate in this selection when there is one; Medway used 7%.",
    )
    weekly_cost = right.number_input(
        "Average weekly package cost, £",
        min_value=0.0,
        value=float(suggested_cost or 0),
        step=10.0,
        format="%.2f",
        key="money_weekly_cost",
        help="Starts at the mean gross weekly cost of the active packages in the store.",
    )
    estimate = cost_avoided(
        Decimal(f"{baseline:.2f}"),
        current.new_requests,
        current.long_term,
        Decimal(f"{weekly_cost:.2f}"),
    )
    people, week, year = st.columns(3)
    people.metric(
        "Fewer people needing long-term support",
        f"{estimate.people_avoided:,.2f}",
        help=f"{baseline:.2f}% of {current.new_requests:,} new requests would be "
        f"{Decimal(f'{baseline:.2f}') / 100 * current.new_requests:,.2f} people; "
        f"{current.long_term:,} did need it.",
        border=True,
    )
    week.metric("Cost avoided a week (estimate)", pounds(estimate.per_week), border=True)
    year.metric("Cost avoided a year (estimate, × 52)", pounds(estimate.per_year), border=True)
    st.caption(
        f"Estimate = (baseline {baseline:.2f}% − current {pct(current.conversion_rate)}) × "
        f"{current.new_requests:,} new requests × £{weekly_cost:,.2f} a week; a year is 52 weeks. "
        "It assumes each person avoided would have had an average package for the whole period "
        "and that nothing else changed: treat it as an order of size, not a budget line."
    )
    if estimate.people_avoided < 0:
        st.warning("Conversion is higher than the baseline: this is a cost, not a saving.")

# --- comparison with the region -------------------------------------------------------------

st.header("Comparison with the region")
st.write(
    "The published figures (NHS England SALT returns), council against region, year by year. "
    "Upload a small CSV with the columns year, measure, council_value, region_value."
)
left, right = st.columns([3, 2])
with right:
    st.download_button(
        "Download the template",
        regional.template_csv(),
        file_name="regional-figures-template.csv",
        mime="text/csv",
    )
    st.caption("The layout, with made-up figures:")
    st.dataframe(pd.DataFrame(regional.EXAMPLE, columns=list(regional.COLUMNS)), hide_index=True)
with left:
    upload = st.file_uploader("Regional figures CSV", type=["csv"], key="regional_upload")
    if upload is not None:
        checked = regional.check_regional(upload.getvalue(), upload.name)
        if checked.problems:
            st.error(f"{len(checked.problems)} problem(s) found: nothing was stored.")
            st.dataframe(
                pd.DataFrame(
                    [
                        {"row": p.row, "column": p.column, "value": p.value, "message": p.message}
                        for p in checked.problems
                    ]
                ),
                hide_index=True,
            )
        elif st.button(f"Import {len(checked.figures)} figure(s)", key="regional_import"):
            added, replaced = regional.store_regional(the_store, checked, current_user())
            st.success(f"Stored: {added} added, {replaced} replaced.")

figures = cached(the_store, regional.regional_figures)
if not figures:
    st.info("No regional figures yet: download the template, fill it in and upload it.")
else:
    long = pd.DataFrame(regional.chart_rows(figures))
    st.subheader("Council and region, by measure")
    for measure, rows in long.groupby("measure", sort=True):
        st.text(str(measure))  # the measure's name is typed by the user: plain text only
        st.altair_chart(
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
                    scale=alt.Scale(domain=["Council", "Region"], range=["#1f77b4", "#9e9e9e"]),
                ),
                tooltip=["year", "series", "value"],
            ),
            width="stretch",
        )
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Year": f.year,
                    "Measure": f.measure,
                    "Council": f.council_value,
                    "Region": f.region_value,
                }
                for f in figures
            ]
        ),
        hide_index=True,
    )
