"""Cost change: did long-term care costs go up or down after the conversations? (Harrow's method)

Thin: filters kept in the URL, then the figures from ``evaluation.measures.cost_change`` (the same
functions ``python -m evaluation report cost-change`` prints), Harrow's table as an HTML table,
the distribution of changes, the difference between two columns and the requests behind any
figure. Site, cohort and area names are free text: they reach the screen only escaped in the
HTML table, in widgets, in ``st.text`` or inside ``st.dataframe``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from evaluation.measures.cost_change import (
    DRILL_COLUMNS,
    GROUP_KEYS,
    INTERVAL_NOTE,
    METHOD,
    ROW_CLASS,
    ROW_LABELS,
    costs,
    describe_difference,
    describe_distribution,
    difference,
    requests,
    summary_rows,
    to_html,
)
from evaluation.measures.selection import Selection, choices, matching
from evaluation.present.charts import cost_distribution_chart
from evaluation.present.exports import to_csv
from evaluation.store.figures import cached
from pages.common import may_see_people, store

DRILL_LIMIT = 1000
ALL_ROWS = ROW_LABELS[0]


def filters(found: dict[str, list[str]]) -> tuple[Selection, tuple[str, ...]]:
    """Sites, approaches, cohorts, period and grouping; preset from the URL, written back."""
    preset = Selection.from_query(st.query_params.get_all)
    asked_by = st.query_params.get_all("by")
    preset_by = [b for b in asked_by if b in GROUP_KEYS] if asked_by else ["approach"]
    with st.container(border=True):
        first, second, third = st.columns(3)
        sites = first.multiselect(
            "Sites",
            found["site"],
            default=matching(preset.sites, found["site"]),
            key="cc_sites",
            placeholder="All sites",
        )
        approaches = second.multiselect(
            "Approaches",
            found["approach"],
            default=matching(preset.approaches, found["approach"]),
            key="cc_approaches",
            placeholder="Both approaches",
        )
        cohorts = third.multiselect(
            "Cohorts",
            found["cohort"],
            default=matching(preset.cohorts, found["cohort"]),
            key="cc_cohorts",
            placeholder="All cohorts",
            help="The export's own label, e.g. covid / non-covid as Harrow split its results.",
        )
        start, end, columns = st.columns(3)
        date_from = start.date_input(
            "Requests whose first conversation started from",
            value=preset.date_from,
            format="DD/MM/YYYY",
            key="cc_from",
        )
        date_to = end.date_input("to", value=preset.date_to, format="DD/MM/YYYY", key="cc_to")
        by = columns.multiselect(
            "One column per",
            list(GROUP_KEYS),
            default=preset_by,
            key="cc_by",
            help="Harrow compared the innovation site with the old locality team: one column "
            "per approach. Add cohort to split covid / non-covid, or site or area.",
        )
    selection = Selection(
        sites=tuple(sites),
        approaches=tuple(approaches),
        date_from=date_from,
        date_to=date_to,
        cohorts=tuple(cohorts),
        areas=preset.areas,
    )
    query: dict[str, Any] = selection.to_query()
    if list(by) != ["approach"]:
        query["by"] = list(by) or [""]
    wanted = {k: v if isinstance(v, list) else [v] for k, v in query.items()}
    if wanted != {k: st.query_params.get_all(k) for k in st.query_params}:
        st.query_params.from_dict(query)
    return selection, tuple(by)


st.title("Cost change")
st.write(
    "Did the weekly cost of people's long-term care go up or down after their conversations? "
    "This is Harrow's measure: the cost the day before a request's first conversation set "
    "against the cost 30 days after its last one ended, for the innovation sites and for usual "
    "practice side by side."
)

the_store = store()
found = cached(the_store, choices)
if not found["approach"]:
    st.info(
        "There are no conversations in the store yet. Import a conversations export, and the "
        "care packages file if the export has no before and after costs, on the Upload data page."
    )
    st.page_link("pages/upload.py", label="Upload data", icon=":material/upload_file:")
    st.stop()

selection, by = filters(found)
st.text(f"Showing: {selection.describe()}")  # site and cohort names are free text
costed = cached(the_store, costs, selection, by=by)
report = costed.report
if not report.groups:
    st.info("No requests for support match these filters. Clear a filter or widen the dates.")
    st.stop()

with st.expander("How these figures are worked out", expanded=False):
    st.write(METHOD)
    st.write(INTERVAL_NOTE)

provisional = [g for g in report.groups if g.provisional]
if provisional:
    st.warning(
        "Provisional: more than a third of the requests in "
        f"{'this column' if len(report.groups) == 1 else f'{len(provisional)} of the columns'} "
        "are still ongoing, so these figures will change as that work completes."
    )
    for g in provisional:
        st.text(f"{g.label}: {g.ongoing:,} of {g.conversations:,} requests still ongoing")

as_of_text = f"{report.as_of:%d/%m/%Y}" if report.as_of else "unknown"
caption = (
    f"Impact of conversations on the weekly cost of long-term care, data as of {as_of_text}. "
    "Averages are rounded to the pound and full-year impacts to the nearest £1,000, as in "
    "Harrow's report; point at a figure for the exact amount, or download the table."
)
st.html(to_html(report, caption))
summary_data, summary_columns = summary_rows(report)
st.download_button(
    "Download the table (CSV, exact figures)",
    to_csv(summary_data, summary_columns),
    file_name="cost_change_summary.csv",
    mime="text/csv",
    icon=":material/download:",
)

# --- the difference between two columns -------------------------------------------------

if len(report.groups) >= 2:
    st.subheader("Difference between two columns")
    labels = [g.label for g in report.groups]
    left, right = st.columns(2)
    a = left.selectbox("Average change of", labels, index=0, key="cc_diff_a")
    b = right.selectbox("minus that of", labels, index=1, key="cc_diff_b")
    if a != b:
        groups = {g.label: g for g in report.groups}
        st.text(describe_difference(difference(groups[a], groups[b])))
    else:
        st.caption("Choose two different columns.")

# --- distribution of weekly changes ------------------------------------------------------

st.subheader("How much did weekly costs change?")
bands = costed.bands
if bands:
    chart = cost_distribution_chart(bands, legend="Column")
    words = describe_distribution(bands)
    st.altair_chart(chart, width="stretch", alt="Bar chart of weekly cost changes. " + words)
    st.text(f"In words: {words}")
    st.caption(
        "Completed requests only (increases, decreases and no change). Each band includes its "
        "lower bound: 'up £50 to £100' is £50.00 up to £99.99 more a week."
    )
else:
    st.info("No completed requests yet: every request here is still ongoing or excluded.")

# --- the requests behind a figure --------------------------------------------------------

if not may_see_people():
    st.caption("The requests behind each figure are listed for admins and site leads.")
    st.stop()
st.subheader("The requests behind a figure")
st.caption(
    "Pick a column and a row of the table to list its requests. People are shown by the "
    "dashboard's pseudonym, never by their id in the source system."
)
left, right = st.columns(2)
labels = [g.label for g in report.groups]
group_label = left.selectbox("Column", labels, key="cc_drill_group")
# Nothing is listed until a row is chosen: most visits never need the people behind a
# figure, and listing them means working out every request of the column again.
row_label = right.selectbox(
    "Row",
    [ALL_ROWS, *ROW_CLASS],
    index=None,
    placeholder="Choose a row to list its requests",
    key="cc_drill_row",
)
if row_label is None:
    st.stop()
group = next(g for g in report.groups if g.label == group_label)
klass = ROW_CLASS.get(row_label)
count = {
    None: group.conversations,
    "increase": group.increases,
    "decrease": group.decreases,
    "no change": group.no_change,
    "ongoing": group.ongoing,
    "excluded": group.excluded,
}[klass]
if count == 0:
    st.info("No requests in this cell.")
else:
    rows = cached(the_store, requests, selection, key=group.key, klass=klass, limit=DRILL_LIMIT)
    shown = pd.DataFrame(rows, columns=list(DRILL_COLUMNS))
    for column in ("cost_before", "cost_after", "change"):
        shown[column] = shown[column].map(lambda v: None if v is None else float(v))
    for column in ("first_started_on", "last_ended_on", "d0", "d1"):
        shown[column] = shown[column].map(lambda v: "" if v is None else f"{v:%d/%m/%Y}")
    st.text(
        f"{count:,} request(s)"
        + (f"; the first {DRILL_LIMIT:,} are listed" if count > DRILL_LIMIT else "")
    )
    money = st.column_config.NumberColumn(format="£%.2f")
    st.dataframe(
        shown.rename(columns=DRILL_COLUMNS),
        hide_index=True,
        column_config={DRILL_COLUMNS[c]: money for c in ("cost_before", "cost_after", "change")},
    )

    def drill_csv() -> bytes:
        """Every request of the cell, exact to the penny (built only when asked for)."""
        with the_store.lease():
            everything = requests(the_store, selection, key=group.key, klass=klass)
        return to_csv(everything, [*DRILL_COLUMNS, "as_of"])

    st.download_button(
        "Download these requests (CSV)",
        drill_csv,
        file_name="cost_change_requests.csv",
        mime="text/csv",
        icon=":material/download:",
    )
