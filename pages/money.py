"""Money and resources: how few new requests turn into long-term support, and what that is worth.

Figures (each kept, ``figures.cached``): ``measures.conversion.conversions`` (the total, by
approach, by site and approach, by area and by quarter, from one query; and by request type
and approach, with reablement), ``measures.weekly.weekly_long_term`` and ``before_after``,
``measures.cost_avoided``, ``measures.direct_payments.direct_payments``, the like-for-like
comparison with usual practice (``ui.compare``: ``standardise.standardised_conversion`` and
``over_time.conversion_over_time``) and the region comparison (``ui.regional``); written by
``present.money``, ``present.money_charts`` and ``present.compare``, charted by
``present.trend_charts`` and ``present.money_charts``.
"""

from datetime import timedelta

import streamlit as st

from evaluation.core.vocabulary import THREE_CONVERSATIONS, USUAL_PRACTICE
from evaluation.measures.conversion import conversions
from evaluation.measures.cost_avoided import average_weekly_package_cost, cost_avoided
from evaluation.measures.suppression import configured_threshold
from evaluation.measures.weekly import before_after, weekly_long_term
from evaluation.present import money as shown
from evaluation.present.exports import to_csv
from evaluation.present.formats import rounded, uk_date
from evaluation.present.trend_charts import repeat_chart, weekly_chart
from evaluation.store.figures import cached
from ui import compare, components, filters, regional
from ui import money as money_blocks

# The total, by approach, by site and approach, by area (the Birmingham table) and by
# quarter and approach (repeat requests over time).
TABLES = ((), ("approach",), ("site", "approach"), ("area",), ("quarter", "approach"))

st.title("Money and resources")
st.write(
    "How many new requests for support turn into long-term support, whether people come back "
    "with a repeat request, and what a fall in conversion could be worth. A request is the "
    "conversations that share a request id; it is new when the person had no long-term support "
    "when it arrived, and it led to long-term support when any of its conversations did."
)
store, span, found = components.requests_page(
    "There are no conversations in the store yet. Import a conversations file first."
)
selection = filters.view(
    found,
    "money",
    caption=f"Requests in the store began from {uk_date(span[0])} to {uk_date(span[1])}. A "
    "request belongs to the period its first conversation started in.",
).selection
st.text(f"Showing: {selection.describe()}")  # site and area names are free text
threshold = configured_threshold()
(overall,), by_approach, by_site, by_area, by_quarter = cached(
    store, conversions, selection, TABLES, threshold=threshold
)
if overall.requests == 0:
    components.nothing_yet(
        "No requests match these filters. Clear a filter or widen the dates.", upload_link=False
    )

st.header("Conversion into long-term support")
components.metrics(
    [
        shown.conversion_metric(overall, "All new requests"),
        *(shown.conversion_metric(r, r.group["approach"].capitalize()) for r in by_approach),
    ]
)
st.caption(
    "Conversion = new requests that led to long-term support ÷ new requests. The 95% interval "
    "(Wilson) shows how far the rate could move by chance alone: with few requests it is wide."
)
components.table(shown.site_rows(by_site))

st.subheader("Long-term support for new requests, by area")
area_rows = shown.area_rows(by_area, overall)
components.table(area_rows)
components.download_csv(
    "Download the area table as CSV",
    to_csv(area_rows, list(area_rows[0])),
    "long-term-support-by-area.csv",
)

st.header("Is the difference real? Conversion like for like")
st.write(
    "Sites that see younger people, or more people needing physical support, convert fewer "
    "requests into long-term support whatever they do. Here each approach (or site) is set "
    "against usual practice as if both saw the same mix of people, and a site that changed "
    "approach is compared over time with the usual-practice sites."
)
compare.conversion(store, selection)

st.header("New long-term support per week")
series = cached(store, weekly_long_term, selection)
if not series:
    st.info("No new request in this selection has led to long-term support yet.")
else:
    first, last = series[0].week, series[-1].week
    suggested = filters.linked_date("change", series[len(series) // 2].week)
    change = st.date_input(
        "Compare before and after",
        value=min(max(suggested, first), last),
        min_value=first,
        max_value=last + timedelta(days=6),
        format="DD/MM/YYYY",
        key="money_change",
        help="The day the innovation site began, or any change you want to test. It starts "
        "in the middle of the weeks shown.",
    ) or min(max(suggested, first), last)
    components.metrics(shown.per_week(before_after(series, change), change))
    st.altair_chart(weekly_chart(series, change), width="stretch")
    st.caption(
        "Bars: new requests that led to long-term support, by the week their last conversation "
        "ended. Red line: the mean of that week and the three before. The dashed line marks the "
        "date compared."
    )

st.header("Repeat requests")
st.write(
    "A repeat request is a new request from someone whose earlier request ended without "
    "long-term support no more than 365 days before. Fewer repeats suggests getting it right "
    "the first time."
)
components.metrics([shown.repeat_metric(r) for r in by_approach])
if overall.repeat_unsure:
    st.caption(shown.repeat_flag(overall))
chart = repeat_chart(by_quarter)
if chart is not None:
    st.altair_chart(chart, width="stretch")

st.header("Estimate of cost avoided")
st.write(
    "An **estimate**, not a saving proven: if the old conversion rate had held, how many more "
    "people would have needed long-term support, and what their care would cost at an average "
    "weekly package cost you enter."
)
current = next((r for r in by_approach if r.group["approach"] == THREE_CONVERSATIONS), None)
usual = next((r for r in by_approach if r.group["approach"] == USUAL_PRACTICE), None)
if current is None or current.conversion_rate is None:
    st.info(shown.no_estimate(current))
else:
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
        value=float(cached(store, average_weekly_package_cost) or 0),
        step=10.0,
        format="%.2f",
        key="money_weekly_cost",
        help="Starts at the mean gross weekly cost of the active packages in the store.",
    )
    rate, cost = rounded(baseline, 2), rounded(weekly_cost, 2)
    ci = shown.baseline_interval(usual, rate)
    estimate = cost_avoided(
        rate, current.new_requests, current.long_term, cost, baseline_interval=ci
    )
    components.metrics(shown.avoided_metrics(estimate, current, rate))
    st.caption(shown.avoided_caption(current, rate, cost))
    if estimate.people_avoided < 0:
        st.warning("Conversion is higher than the baseline: this is a cost, not a saving.")

money_blocks.reablement_and_request_types(store, selection, threshold)
money_blocks.direct_payments(store, selection, threshold)

regional.show(store)
