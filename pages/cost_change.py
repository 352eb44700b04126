"""Cost change: did long-term care costs go up or down after the conversations? (Harrow's method)

Figures (kept): ``measures.cost_change.costs`` (Harrow's table and its distribution, from one
costing), ``difference`` between two columns, and ``requests`` behind a cell for admins and
site leads, and the like-for-like comparison (``ui.compare``:
``standardise.standardised_cost_change`` and ``over_time.cost_over_time``); written by
``present.cost_tables`` and ``present.compare``, charted by ``present.charts``. Site, cohort
and area names are free text: they reach the screen only escaped in the HTML table, in
widgets, in ``st.text`` or inside ``st.dataframe``.
"""

import streamlit as st

from evaluation.measures.cost_change import GROUP_KEYS, costs, difference
from evaluation.measures.cost_drill import requests
from evaluation.measures.selection import choices
from evaluation.measures.suppression import configured_threshold
from evaluation.present import cost_tables as shown
from evaluation.present.charts import cost_distribution_chart
from evaluation.present.exports import to_csv
from evaluation.store.figures import cached
from ui import compare, components, downloads, filters
from ui.session import current_store, permissions

DRILL_LIMIT = 1000

st.title("Cost change")
st.write(
    "Did the weekly cost of people's long-term care go up or down after their conversations? "
    "This is Harrow's measure: the cost the day before a request's first conversation set "
    "against the cost 30 days after its last one ended, for the innovation sites and for usual "
    "practice side by side."
)
store = current_store()
found = cached(store, choices)
if not found["approach"]:
    components.nothing_yet(
        "There are no conversations in the store yet. Import a conversations export, and the "
        "care packages file if the export has no before and after costs, on the Upload data page."
    )
chosen = filters.view(
    found,
    "cc",
    fields=("sites", "approaches", "cohorts"),
    period=("Requests whose first conversation started from", "to"),
    by=GROUP_KEYS,
    helps={
        "cohorts": "The export's own label, e.g. covid / non-covid as Harrow split its results."
    },
    by_help="Harrow compared the innovation site with the old locality team: one column per "
    "approach. Add cohort to split covid / non-covid, request type to set new requests "
    "against existing ones, or site or area.",
)
selection, by = chosen.selection, chosen.by
st.text(f"Showing: {selection.describe()}")  # site and cohort names are free text
costed = cached(store, costs, selection, by=by, threshold=configured_threshold())
report = costed.report
if not report.groups:
    components.nothing_yet(
        "No requests for support match these filters. Clear a filter or widen the dates.",
        upload_link=False,
    )

with st.expander("How these figures are worked out", expanded=False):
    st.write(shown.METHOD)
    st.write(shown.INTERVAL_NOTE)
provisional = [g for g in report.groups if g.provisional]
if provisional:
    st.warning(shown.provisional_warning(report))
    st.text(shown.provisional_lines(report))
st.html(shown.to_html(report, shown.table_caption(report)))
rows, columns = shown.summary_rows(report)
st.download_button(
    "Download the table (CSV, exact figures)",
    to_csv(rows, columns),
    file_name="cost_change_summary.csv",
    mime="text/csv",
    icon=":material/download:",
)

if len(report.groups) >= 2:
    st.subheader("Difference between two columns")
    labels = [g.label for g in report.groups]
    left, right = st.columns(2)
    a = left.selectbox("Average change of", labels, index=0, key="cc_diff_a")
    b = right.selectbox("minus that of", labels, index=1, key="cc_diff_b")
    if a != b:
        groups = {g.label: g for g in report.groups}
        st.text(shown.describe_difference(difference(groups[a], groups[b])))
    else:
        st.caption("Choose two different columns.")

st.subheader("How much did weekly costs change?")
if costed.bands:
    words = shown.describe_distribution(costed.bands)
    st.altair_chart(
        cost_distribution_chart(costed.bands, legend="Column"),
        width="stretch",
        alt="Bar chart of weekly cost changes. " + words,
    )
    st.text(f"In words: {words}")
    st.caption(
        "Completed requests only (increases, decreases and no change). Each band includes its "
        "lower bound: 'up £50 to £100' is £50.00 up to £99.99 more a week."
    )
else:
    st.info("No completed requests yet: every request here is still ongoing or excluded.")

st.subheader("Is the difference real? The average change like for like")
st.write(
    "People with more complex needs see bigger rises in the cost of their care whatever the "
    "approach. Here each approach (or site) is set against usual practice as if both saw the "
    "same mix of people, and a site that changed approach is compared over time with the "
    "usual-practice sites."
)
compare.cost_change(store, selection)

if not permissions().may_see_people:
    st.caption("The requests behind each figure are listed for admins and site leads.")
    st.stop()
st.subheader("The requests behind a figure")
st.caption(
    "Pick a column and a row of the table to list its requests. People are shown by the "
    "dashboard's pseudonym, never by their id in the source system."
)
left, right = st.columns(2)
group_label = left.selectbox("Column", [g.label for g in report.groups], key="cc_drill_group")
# Nothing is listed until a row is chosen: most visits never need the people behind a
# figure, and listing them means working out every request of the column again.
row_label = right.selectbox(
    "Row",
    [shown.ALL_ROWS, *shown.ROW_CLASS],
    index=None,
    placeholder="Choose a row to list its requests",
    key="cc_drill_row",
)
if row_label is None:
    st.stop()
group = next(g for g in report.groups if g.label == group_label)
klass = shown.ROW_CLASS.get(row_label)
count = group.count(klass)
if count == 0:
    st.info("No requests in this cell.")
    st.stop()
listed = cached(store, requests, selection, key=group.key, klass=klass, limit=DRILL_LIMIT)
st.text(shown.drill_count(count, DRILL_LIMIT))
money = st.column_config.NumberColumn(format="£%.2f")
components.table(
    shown.drill_display(listed),
    column_config={shown.DRILL_COLUMNS[c]: money for c in shown.DRILL_MONEY},
)


def drill_csv() -> bytes:
    """Every request of the cell, exact to the penny (built only when asked for)."""
    with store.lease():
        everything = requests(store, selection, key=group.key, klass=klass)
    return to_csv(shown.drill_rows(everything), [*shown.DRILL_COLUMNS, "as_of"])


# Person-level: made on the click, forgotten seconds later (ui/downloads.py).
downloads.person_level("Download these requests (CSV)", drill_csv, "cost_change_requests.csv")
